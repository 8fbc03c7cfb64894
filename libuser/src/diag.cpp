// SPDX-License-Identifier: MIT
// diag.cpp: one-time stderr diagnostics (see diag.hpp).
#include "diag.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/resource.h>

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

void diag_mmap_memlock(unsigned long long size) {
    struct rlimit rl {};
    ::getrlimit(RLIMIT_MEMLOCK, &rl);
    diag_once(Diag::mmap_memlock_limit,
              "mmap of %llu bytes refused (EAGAIN): this process called mlockall(MCL_FUTURE), so "
              "every new mapping counts against RLIMIT_MEMLOCK (%llu bytes here). Raise it "
              "('ulimit -l', LimitMEMLOCK= in a systemd unit) or grant CAP_IPC_LOCK.",
              size, static_cast<unsigned long long>(rl.rlim_cur));
}

} // namespace rtshm::detail
