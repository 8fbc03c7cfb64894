// SPDX-License-Identifier: MIT
// sync_mutex.cpp: thread-owned, recursive, robust, priority-inheriting
// mutexes (S46-S49).
//
// `lock` is a glibc PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST,
// PTHREAD_PRIO_INHERIT mutex in the shared page: FUTEX_LOCK_PI gives the
// priority inheritance and the priority-ordered hand-over of the kernel's
// rt_mutex (S49), and glibc's robust list makes the kernel mark it
// FUTEX_OWNER_DIED and hand it to the top waiter when the owner thread ends,
// exits or is SIGKILLed (S48: EOWNERDEAD -> WAIT_ABANDONED).
//
// The kernel wakes a PI futex's waiters only through its pi_state, so a
// multiple wait (futex_waitv) could not learn of an abandonment from `lock`.
// So the owner also holds `watch`, a robust non-PI mutex: a multiple wait
// sets FUTEX_WAITERS in it and sleeps on it; the owner's release wakes it
// (glibc's unlock), and so does the kernel when the owner dies
// (handle_futex_death() wakes a non-PI robust futex with FUTEX_WAITERS).
// `watch` is taken after `lock` and released before it, so a new owner of
// `lock` never waits for it (no inversion through a non-PI lock).
#include "sync_object.hpp"

#include <cerrno>
#include <climits>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

#include <ctime>

namespace rtshm::detail {

namespace {

std::uint32_t *word_of(pthread_mutex_t &m) noexcept {
    return reinterpret_cast<std::uint32_t *>(&m.__data.__lock);
}

std::uint32_t lock_word(SyncPage &p) noexcept {
    return at(*word_of(p.lock)).load(std::memory_order_seq_cst);
}

// After `lock` is ours: take `watch` (free or abandoned by then, unless the
// page was written over or its last owner is in a state this process cannot
// see) and record the owner for RtShmQuerySyncObject. Never blocks for
// long (S58): after 100 ms the mutex is owned without `watch`, and multiple
// waiters fall back to looking again every 50 us.
void become_owner(SyncPage &p) noexcept {
    for (int i = 0; i < 2000; ++i) {
        int r = ::pthread_mutex_trylock(&p.watch);
        if (r == EOWNERDEAD)
            ::pthread_mutex_consistent(&p.watch); // died between its releases: not abandoned
        if (r != EBUSY)
            break;
        struct timespec ts {
            0, 50000
        };
        ::nanosleep(&ts, nullptr);
    }
    at(p.recursion).store(1, std::memory_order_relaxed);
    at(p.owner_pid).store(current_pid(), std::memory_order_relaxed);
    at(p.owner_tid).store(static_cast<std::uint32_t>(current_tid()), std::memory_order_relaxed);
}

Take after_lock(SyncPage &p, int r) noexcept {
    bool abandoned = false;
    if (r == EOWNERDEAD) {
        ::pthread_mutex_consistent(&p.lock); // held once from now on (S48)
        abandoned = true;
    } else if (r == EBUSY || r == ETIMEDOUT) {
        return Take::none;
    } else if (r != 0) {
        return Take::failed;
    }
    become_owner(p);
    return abandoned ? Take::abandoned : Take::taken;
}

} // namespace

int mutex_init(SyncPage &p) noexcept {
    pthread_mutexattr_t a;
    if (int e = ::pthread_mutexattr_init(&a); e != 0)
        return e;
    ::pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    ::pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    ::pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    int e = ::pthread_mutex_init(&p.lock, &a);
    ::pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_NONE);
    if (e == 0)
        e = ::pthread_mutex_init(&p.watch, &a);
    ::pthread_mutexattr_destroy(&a);
    return e;
}

Take mutex_try(SyncPage &p) noexcept {
    if ((lock_word(p) & FUTEX_TID_MASK) == static_cast<std::uint32_t>(current_tid())) {
        at(p.recursion).fetch_add(1, std::memory_order_relaxed); // S46: no blocking
        return Take::taken;
    }
    return after_lock(p, ::pthread_mutex_trylock(&p.lock));
}

DWORD mutex_wait(SyncPage &p, const Deadline &d) noexcept {
    at(p.waiters).fetch_add(1);
    // Restarted by the kernel after a signal handler, against the same
    // absolute CLOCK_MONOTONIC deadline (S54).
    int r;
    if (d.finite) {
#if defined(__SANITIZE_THREAD__)
        // TSan (GCC 12) does not intercept pthread_mutex_clocklock: tell it.
        __tsan_mutex_pre_lock(&p.lock, __tsan_mutex_try_lock);
#endif
        r = ::pthread_mutex_clocklock(&p.lock, CLOCK_MONOTONIC, &d.at);
#if defined(__SANITIZE_THREAD__)
        __tsan_mutex_post_lock(&p.lock,
                               r == 0 || r == EOWNERDEAD
                                   ? __tsan_mutex_try_lock
                                   : __tsan_mutex_try_lock | __tsan_mutex_try_lock_failed,
                               0);
#endif
    } else {
        r = ::pthread_mutex_lock(&p.lock);
    }
    at(p.waiters).fetch_sub(1);
    switch (after_lock(p, r)) {
    case Take::taken:
        return WAIT_OBJECT_0;
    case Take::abandoned:
        return WAIT_ABANDONED_0;
    case Take::none:
        return WAIT_TIMEOUT;
    case Take::failed:
        break;
    }
    return WAIT_FAILED;
}

DWORD mutex_release(SyncPage &p) noexcept {
    if ((lock_word(p) & FUTEX_TID_MASK) != static_cast<std::uint32_t>(current_tid()))
        return ERROR_NOT_OWNER; // unchanged (S47)
    if (at(p.recursion).load(std::memory_order_relaxed) > 1) {
        at(p.recursion).fetch_sub(1, std::memory_order_relaxed);
        return 0;
    }
    at(p.recursion).store(0, std::memory_order_relaxed);
    at(p.owner_tid).store(0, std::memory_order_relaxed);
    at(p.owner_pid).store(0, std::memory_order_relaxed);
    // `watch` first: wakes multiple waits (one syscall, only if one sleeps);
    // then `lock`: FUTEX_UNLOCK_PI hands it to the top waiter (only if any).
    ::pthread_mutex_unlock(&p.watch);
    ::pthread_mutex_unlock(&p.lock);
    return 0;
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

// Read from the futex words themselves, not from owner_pid: glibc takes a
// mutex off its owner's robust list before it clears the word, and puts it
// on after the word is set, so while no word shows a thread of ours, no
// robust list here points into the page and it may be unmapped. (owner_pid
// is cleared before the unlocks, so it said "not ours" while the list still
// pointed into the page.) The owner's thread ending clears the words too:
// the kernel's robust-list walk runs before its TID can be found no more.
bool mutex_owned_here(SyncPage &p) noexcept {
    return ours(lock_word(p) & FUTEX_TID_MASK) ||
           ours(at(*word_of(p.watch)).load(std::memory_order_seq_cst) & FUTEX_TID_MASK);
}

bool mutex_abandoned(SyncPage &p) noexcept {
    std::uint32_t w = lock_word(p);
    return (w & FUTEX_OWNER_DIED) != 0 && (w & FUTEX_TID_MASK) == 0;
}

bool mutex_watch(SyncPage &p, WaitWord &w) noexcept {
    std::uint32_t *word = word_of(p.watch);
    auto a = at(*word);
    std::uint32_t v = a.load(std::memory_order_seq_cst);
    for (;;) {
        if ((v & FUTEX_TID_MASK) == 0)
            return false; // free, abandoned, or between owners
        if ((v & FUTEX_WAITERS) == 0 &&
            !a.compare_exchange_weak(v, v | FUTEX_WAITERS, std::memory_order_seq_cst))
            continue;
        w = {word, v | FUTEX_WAITERS};
        return true;
    }
}

} // namespace rtshm::detail
