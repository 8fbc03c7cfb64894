// SPDX-License-Identifier: MIT
// sync_mutex.cpp: thread-owned, recursive, robust, priority-inheriting
// mutexes (S46-S49), on two futex words in one cache line of the page.
//
// `lock` is a PI futex: the owner's TID, FUTEX_WAITERS, FUTEX_OWNER_DIED.
// An uncontended acquire or release is one compare-and-swap; a contended
// one is FUTEX_LOCK_PI2 / FUTEX_UNLOCK_PI, so the kernel's rt_mutex gives
// the priority inheritance and the priority-ordered hand-over (S49). The
// word is on the owner's robust list (robust_list.hpp) as a PI entry, so
// when the owner thread ends, exits or is SIGKILLed the kernel sets
// FUTEX_OWNER_DIED and hands it to the top waiter (S48: WAIT_ABANDONED).
//
// The kernel wakes a PI futex's waiters only through its pi_state, so a
// multiple wait (futex_waitv) cannot learn of an abandonment from `lock`.
// So the owner also keeps `watch`, a robust non-PI word: its TID, set
// after `lock` is taken and cleared before `lock` is given. Nobody else
// ever writes the TID in, so that takes plain stores, no compare-and-swap.
// A multiple wait sets FUTEX_WAITERS in `lock` (the release then takes its
// slow path) and in `watch`, and sleeps on `watch`: the owner's slow
// release wakes it (`mwaiters` says whether one may sleep), and so does the
// kernel when the owner dies (handle_futex_death() wakes a non-PI robust
// futex with FUTEX_WAITERS).
#include "sync_mutex.hpp"

#include <cerrno>
#include <climits>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13 // Linux 5.14: FUTEX_LOCK_PI against CLOCK_MONOTONIC
#endif

namespace rtshm::detail {

namespace {

using namespace mutex_impl;

long futex_pi(std::uint32_t *word, int op, const timespec *abs) noexcept {
    long r = ::syscall(SYS_futex, word, op, 0, abs, nullptr, 0); // shared: no PRIVATE flag
    return r < 0 ? -errno : r;
}

// What a failed FUTEX_*LOCK_PI* means. ESRCH (an owner TID that no thread
// has, and no robust list cleared) and EINVAL (a word that disagrees with
// the kernel's state) come only from a page written over: the call fails
// instead of blocking forever.
Take lock_failed(const RobustList &rl, long r) noexcept {
    rl.done();
    return r == -EWOULDBLOCK || r == -ETIMEDOUT ? Take::none : Take::failed;
}

// The calling thread's tid, pid and robust list, learnt if need be
// (me.rl is nullptr if the thread has no list in glibc's format).
Self learn_self() noexcept {
    if (Self cached; known(cached)) [[likely]]
        return cached;
    RobustList *rl = RobustList::of_this_thread();
    const Self me{self(), current_pid(), rl != nullptr ? *rl : RobustList(nullptr)};
    if (me.rl.valid()) {
        t_self.tid = me.tid;
        t_self.pid = me.pid;
        std::atomic_signal_fence(std::memory_order_seq_cst); // known() reads the list first
        t_self.rl = me.rl;
    }
    return me;
}

// The forking thread is the child's only one, with another tid and pid.
struct ForgetSelfInChild {
    ForgetSelfInChild() {
        ::pthread_atfork(nullptr, nullptr, [] { t_self = Self{}; });
    }
} g_forget_self_in_child;

} // namespace

constinit thread_local Self mutex_impl::t_self __attribute__((tls_model("initial-exec"))){};

int mutex_init(SyncPage &p) noexcept {
    p.mutex = MutexLine{};
    return 0;
}

Take mutex_impl::try_with_kernel(SyncPage &p, const Self &me) noexcept {
    if (long r = futex_pi(lock_of(p), FUTEX_TRYLOCK_PI, nullptr); r != 0)
        return lock_failed(me.rl, r);
    return became_owner(p, me);
}

Take mutex_try_slow(SyncPage &p) noexcept {
    const Self me = learn_self();
    auto w = at(*lock_of(p));
    std::uint32_t v = w.load(std::memory_order_relaxed);
    if ((v & FUTEX_TID_MASK) == me.tid) {
        at(p.mutex.recursion).fetch_add(1, std::memory_order_relaxed); // S46: no blocking
        return Take::taken;
    }
    if ((v & FUTEX_TID_MASK) != 0)
        return Take::none; // another thread's
    if (!me.rl.valid())
        return Take::failed;
    me.rl.pending(lock_of(p), true);
    if (v == 0 && w.compare_exchange_strong(v, me.tid, std::memory_order_acquire))
        return became_owner(p, me);
    if ((v & FUTEX_TID_MASK) != 0) {
        me.rl.done();
        return Take::none; // taken meanwhile
    }
    return try_with_kernel(p, me);
}

void mutex_release_rest(SyncPage &p) noexcept {
    unlock_with_kernel(p);
    RobustList::if_known().done(); // known: the thread owned the mutex
}

DWORD mutex_release_slow(SyncPage &p) noexcept {
    const Self me = learn_self();
    if ((at(*lock_of(p)).load(std::memory_order_relaxed) & FUTEX_TID_MASK) != me.tid)
        return ERROR_NOT_OWNER;
    if (at(p.mutex.recursion).load(std::memory_order_relaxed) > 1) {
        at(p.mutex.recursion).fetch_sub(1, std::memory_order_relaxed);
        return 0;
    }
    // Held once: the fast path did not know the thread yet (it does now).
    const Release r = mutex_release_fast(p);
    if (r == Release::kernel)
        mutex_release_rest(p);
    return r == Release::other ? ERROR_NOT_OWNER : 0; // other: not reached, an owner has a list
}

DWORD mutex_wait(SyncPage &p, const Deadline &d) noexcept {
    const Self me = learn_self();
    const RobustList &rl = me.rl;
    if (!rl.valid())
        return WAIT_FAILED;
    at(p.mutex.waiters).fetch_add(1); // in the owner's line: no miss of its own
    rl.pending(lock_of(p), true);     // also while blocked: the kernel may hand it over
    std::uint32_t v = 0;
    Take t;
    if (at(*lock_of(p)).compare_exchange_strong(v, me.tid, std::memory_order_acquire)) {
        t = became_owner(p, me);
    } else {
        // Against the absolute CLOCK_MONOTONIC deadline; the kernel restarts
        // it after a signal handler (S54).
        long r;
        do
            r = futex_pi(lock_of(p), FUTEX_LOCK_PI2, d.finite ? &d.at : nullptr);
        while (r == -EINTR);
        t = r == 0 ? became_owner(p, me) : lock_failed(rl, r);
    }
    at(p.mutex.waiters).fetch_sub(1);
    DWORD err = 0; // the caller's WAIT_FAILED is ERROR_INVALID_HANDLE too
    return wait_result(t, 0, &err);
}

// FUTEX_WAITERS: blocked single waits (the kernel hands the mutex to the
// top one) or multiple waits (they sleep on `watch`).
void mutex_impl::unlock_with_kernel(SyncPage &p) noexcept {
    (void)futex_pi(lock_of(p), FUTEX_UNLOCK_PI, nullptr);
    if (at(p.mutex.mwaiters).load(std::memory_order_seq_cst) != 0)
        futex_wake(watch_of(p), INT_MAX);
}

// Whether tid is a thread of this process: the calling one, or another that
// tgkill(2) with no signal still finds in our thread group.
bool ours(std::uint32_t tid) noexcept {
    if (tid == 0)
        return false;
    if (tid == static_cast<std::uint32_t>(current_tid()))
        return true;
    return ::syscall(SYS_tgkill, current_pid(), static_cast<pid_t>(tid), 0) == 0 || errno == EPERM;
}

// Read from the futex words themselves, not from owner_pid: `lock` goes on
// its owner's robust list after its word shows the owner and comes off
// before the word is cleared, and `watch` is on the list only while `lock`
// shows the owner. So while no word shows a thread of ours, no robust list
// here points into the page and it may be unmapped. The owner's thread
// ending clears the words too: the kernel's robust-list walk runs before
// its TID can be found no more.
bool mutex_owned_here(SyncPage &p) noexcept {
    return ours(at(*lock_of(p)).load(std::memory_order_seq_cst) & FUTEX_TID_MASK) ||
           ours(at(*watch_of(p)).load(std::memory_order_seq_cst) & FUTEX_TID_MASK);
}

bool mutex_abandoned(SyncPage &p) noexcept {
    std::uint32_t w = at(*lock_of(p)).load(std::memory_order_seq_cst);
    return (w & FUTEX_OWNER_DIED) != 0 && (w & FUTEX_TID_MASK) == 0;
}

// Both words get FUTEX_WAITERS: `lock`'s makes the owner's release take
// the slow path, which wakes `watch` (the caller counts itself in
// `mwaiters` first); `watch`'s makes the kernel wake it at the owner's death.
bool mutex_watch(SyncPage &p, WaitWord &w) noexcept {
    auto l = at(*lock_of(p));
    std::uint32_t v = l.load(std::memory_order_seq_cst);
    for (;;) {
        if ((v & FUTEX_TID_MASK) == 0)
            return false; // free, or abandoned: look again
        if ((v & FUTEX_WAITERS) != 0 ||
            l.compare_exchange_weak(v, v | FUTEX_WAITERS, std::memory_order_seq_cst))
            break;
    }
    std::uint32_t *word = watch_of(p);
    auto a = at(*word);
    v = a.load(std::memory_order_seq_cst);
    for (;;) {
        if ((v & FUTEX_TID_MASK) == 0)
            return false; // between owners, or its owner died
        if ((v & FUTEX_WAITERS) == 0 &&
            !a.compare_exchange_weak(v, v | FUTEX_WAITERS, std::memory_order_seq_cst))
            continue;
        w = {word, v | FUTEX_WAITERS};
        return true;
    }
}

} // namespace rtshm::detail
