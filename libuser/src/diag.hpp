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
    mmap_memlock_limit,
    no_futex_memory,
    broker_unreachable,
    count
};

// Prints "rtshm: <msg>" once per process for this kind. Warnings
// (mlock_failed) are suppressed by RTSHM_QUIET=1; errors never are.
void diag_once(Diag kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// An mmap of size bytes failed with EAGAIN: the process called
// mlockall(MCL_FUTURE), so the kernel counts every new mapping against
// RLIMIT_MEMLOCK before any driver runs (S25). Names the limit to raise.
void diag_mmap_memlock(unsigned long long size);

} // namespace rtshm::detail
