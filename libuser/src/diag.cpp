// SPDX-License-Identifier: MIT
// diag.cpp: one-time stderr diagnostics (see diag.hpp).
#include "diag.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rtshm::detail {

namespace {
std::atomic<bool> printed[static_cast<int>(Diag::count)];

bool quiet() {
    const char *q = std::getenv("RTSHM_QUIET");
    return q != nullptr && std::strcmp(q, "0") != 0 && q[0] != '\0';
}
} // namespace

void diag_once(Diag kind, const char *fmt, ...) {
    if (kind == Diag::mlock_failed && quiet())
        return;
    if (printed[static_cast<int>(kind)].exchange(true))
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::fprintf(stderr, "rtshm: %s\n", buf);
}

} // namespace rtshm::detail
