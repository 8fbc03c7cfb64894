// SPDX-License-Identifier: MIT
// futex.cpp: futex calls, deadlines and cached ids (see futex.hpp).
#include "futex.hpp"

#include <cerrno>
#include <climits>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace rtshm::detail {

constinit thread_local pid_t t_tid __attribute__((tls_model("initial-exec"))) = 0;
pid_t g_pid = 0;

namespace {
constexpr std::int64_t kNsPerSec = 1000000000;

timespec now() noexcept {
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

bool before(const timespec &a, const timespec &b) noexcept {
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

timespec plus(timespec t, std::uint64_t ns) noexcept {
    // Saturate: a timeout of centuries is as good as never, never a wrap.
    const std::uint64_t max_s = static_cast<std::uint64_t>(INT64_MAX / 2);
    std::uint64_t s = ns / kNsPerSec;
    if (s > max_s)
        s = max_s;
    t.tv_sec += static_cast<time_t>(s);
    t.tv_nsec += static_cast<long>(ns % kNsPerSec);
    if (t.tv_nsec >= kNsPerSec) {
        t.tv_nsec -= kNsPerSec;
        ++t.tv_sec;
    }
    return t;
}

void reset_ids_in_child() {
    t_tid = 0; // the forking thread is the child's only thread
    g_pid = 0;
}

struct AtFork {
    AtFork() { ::pthread_atfork(nullptr, nullptr, reset_ids_in_child); }
} g_atfork;
} // namespace

Deadline Deadline::after_ns(std::uint64_t ns) noexcept {
    Deadline d;
    d.finite = true;
    d.zero = ns == 0;
    d.at = plus(now(), ns);
    return d;
}

Deadline Deadline::in_ns(std::uint64_t ns) noexcept {
    Deadline d;
    d.finite = true;
    d.zero = ns == 0;
    d.pending = !d.zero;
    d.ns = ns;
    return d;
}

bool Deadline::passed() const noexcept {
    return finite && !before(now(), at);
}

Deadline Deadline::capped(std::uint64_t ns) const noexcept {
    Deadline c = after_ns(ns);
    if (finite && before(at, c.at))
        return *this;
    c.zero = false;
    return c;
}

int futex_wake(std::uint32_t *word, int n) noexcept {
    long r = ::syscall(SYS_futex, word, FUTEX_WAKE, n, nullptr, nullptr, 0);
    return r < 0 ? -errno : static_cast<int>(r);
}

int futex_waitv(const WaitWord *w, unsigned n, const Deadline &d) noexcept {
    if (n == 0) {
        if (!d.finite)
            return -EINVAL; // nothing could ever wake it
        int r = ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d.at, nullptr);
        return r == 0 ? -ETIMEDOUT : -r;
    }
    struct futex_waitv v[FUTEX_WAITV_MAX] = {};
    if (n > FUTEX_WAITV_MAX)
        return -EINVAL;
    for (unsigned i = 0; i < n; ++i) {
        v[i].val = w[i].val;
        v[i].uaddr = reinterpret_cast<std::uintptr_t>(w[i].word);
        v[i].flags = FUTEX_32; // shared: no FUTEX_PRIVATE_FLAG
    }
    long r = ::syscall(SYS_futex_waitv, v, n, 0, d.finite ? &d.at : nullptr, CLOCK_MONOTONIC);
    return r < 0 ? -errno : static_cast<int>(r);
}

pid_t fetch_tid() noexcept {
    t_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    return t_tid;
}

pid_t fetch_pid() noexcept {
    pid_t p = ::getpid();
    __atomic_store_n(&g_pid, p, __ATOMIC_RELAXED);
    return p;
}

} // namespace rtshm::detail
