// SPDX-License-Identifier: MIT
// diag.hpp: one-time diagnostics on stderr.
//
// Exists because some failures must never be silent (kernel backend required
// but missing, pages that could not be locked) yet must not flood a real-time
// program's log: each kind is printed at most once per process.
#pragma once

namespace rtshm::detail {

enum class Diag {
    kernel_unusable,
    bad_backend_env,
    bad_personality_env,
    mlock_failed,
    no_futex_memory,
    count
};

// Prints "rtshm: <msg>" once per process for this kind. Warnings
// (mlock_failed) are suppressed by RTSHM_QUIET=1; errors never are.
void diag_once(Diag kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

} // namespace rtshm::detail
