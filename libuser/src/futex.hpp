// SPDX-License-Identifier: MIT
// futex.hpp: the kernel primitives the synchronisation objects are built on.
//
// Exists so that events, mutexes, semaphores and the waits share one set of
// process-shared futex calls (never FUTEX_PRIVATE_FLAG: the words live in
// memory that other processes map), one notion of a CLOCK_MONOTONIC
// deadline (S54), and a per-thread cached tid/pid (S57: no gettid() syscall
// on a fast path).
#pragma once

#include <cstdint>
#include <ctime>
#include <sys/types.h>

namespace rtshm::detail {

// An absolute CLOCK_MONOTONIC instant, or never.
struct Deadline {
    bool finite = false;
    bool zero = false; // a timeout of 0: test and return (S51, S53)
    timespec at{};

    bool pending = false; // `at` is not computed yet: see in_ns()
    std::uint64_t ns = 0;

    static Deadline never() noexcept { return {}; }
    static Deadline after_ns(std::uint64_t ns) noexcept;
    // ns from when started() is called: a wait that is satisfied at once
    // never reads the clock (a system call where the vDSO cannot, S57).
    static Deadline in_ns(std::uint64_t ns) noexcept;
    Deadline started() const noexcept { return pending ? after_ns(ns) : *this; }
    bool passed() const noexcept; // now >= at
    // The earlier of this and now + ns.
    Deadline capped(std::uint64_t ns) const noexcept;
};

// FUTEX_WAKE of up to n waiters: the number woken or -errno.
int futex_wake(std::uint32_t *word, int n) noexcept;

struct WaitWord {
    std::uint32_t *word;
    std::uint32_t val;
};
// futex_waitv(2) (Linux 5.16+) over n <= 128 words: the index of the word
// that woke us, or -EAGAIN (a word had changed), -ETIMEDOUT, -EINTR, or
// another -errno. n == 0 sleeps until the deadline.
int futex_waitv(const WaitWord *w, unsigned n, const Deadline &d) noexcept;

// The calling thread's tid and process's pid, cached (reset in a fork
// child). Inline: every mutex call reads them. initial-exec: one
// %fs-relative load, no __tls_get_addr (see handle_hazards.cpp).
extern constinit thread_local pid_t t_tid __attribute__((tls_model("initial-exec")));
extern pid_t g_pid;
pid_t fetch_tid() noexcept;
pid_t fetch_pid() noexcept;

inline pid_t current_tid() noexcept {
    pid_t t = t_tid;
    return t != 0 ? t : fetch_tid();
}
inline pid_t current_pid() noexcept {
    pid_t p = __atomic_load_n(&g_pid, __ATOMIC_RELAXED);
    return p != 0 ? p : fetch_pid();
}

} // namespace rtshm::detail
