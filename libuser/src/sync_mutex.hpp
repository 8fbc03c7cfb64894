// SPDX-License-Identifier: MIT
// sync_mutex.hpp: the mutexes' calls (S46-S49), with the uncontended
// acquire and release inline.
//
// Inline because they are the whole of an uncontended RtWaitForSingleObject
// + RtReleaseMutex apart from the handle lookup (S57), and a call, its
// spills and a returned Take cost as much as the compare-and-swap itself:
// under emulation, where every instruction counts, the pair took three
// times glibc's instructions. What blocks, or meets bits in `lock` that
// only the kernel may resolve, is out of line in sync_mutex.cpp, with the
// design.
#pragma once

#include "robust_list.hpp"
#include "sync_object.hpp"

#include <cstdint>
#include <linux/futex.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace rtshm::detail {

int mutex_init(SyncPage &p) noexcept; // 0 or errno
// A blocking single wait: PI, priority-ordered, robust (S46-S49).
DWORD mutex_wait(SyncPage &p, const Deadline &d) noexcept;
bool mutex_owned_here(SyncPage &p) noexcept; // owned by a thread of this process
// A multiple wait's word to sleep on until the mutex is released or its
// owner dies; false when the mutex is between owners (poll briefly).
bool mutex_watch(SyncPage &p, WaitWord &w) noexcept;
bool mutex_abandoned(SyncPage &p) noexcept;

namespace mutex_impl {

inline std::uint32_t *lock_of(SyncPage &p) noexcept {
    return &p.mutex.lock;
}
inline std::uint32_t *watch_of(SyncPage &p) noexcept {
    return &p.mutex.watch;
}
inline std::uint32_t self() noexcept {
    return static_cast<std::uint32_t>(current_tid());
}

// TSan sees the compare-and-swaps, but not a hand-over inside the kernel.
inline void tsan_acquired([[maybe_unused]] std::uint32_t *word) noexcept {
#if defined(__SANITIZE_THREAD__)
    __tsan_acquire(word);
#endif
}
inline void tsan_releasing([[maybe_unused]] std::uint32_t *word) noexcept {
#if defined(__SANITIZE_THREAD__)
    __tsan_release(word);
#endif
}

// The calling thread's tid, pid and robust list. The fast paths make no
// system call to learn them (S57): they read t_self, which the slow paths
// fill in once all three are known (the list last), with one TLS base and
// one test. Empty again in a fork child.
struct Self {
    std::uint32_t tid;
    pid_t pid;
    RobustList rl{nullptr}; // a copy: its head is not loaded again after each fence
};
extern constinit thread_local Self t_self __attribute__((tls_model("initial-exec")));
inline bool known(Self &me) noexcept {
    me.rl = t_self.rl;
    std::atomic_signal_fence(std::memory_order_seq_cst); // then what was stored before it
    me.tid = t_self.tid;
    me.pid = t_self.pid;
    return me.rl.valid();
}

// `lock` has just become ours (the pending entry says so): onto the list,
// then `watch`, the count and the owner's pid for RtShmQuerySyncObject
// (its tid is the word's).
inline void enlist_owner(SyncPage &p, const Self &me) noexcept {
    std::uint32_t *word = lock_of(p);
    tsan_acquired(word);
    me.rl.add(word, true);
    me.rl.done();
    // On the list first: while the word shows no TID of ours, a death here
    // leaves the kernel nothing to do with the entry.
    me.rl.add(watch_of(p), false);
    at(*watch_of(p)).store(me.tid, std::memory_order_release);
    at(p.mutex.recursion).store(1, std::memory_order_relaxed);
    at(p.mutex.owner_pid).store(me.pid, std::memory_order_relaxed);
}

// As enlist_owner(), from the kernel's hand-over or FUTEX_TRYLOCK_PI,
// which may give an abandoned mutex: held once from now on (S48).
inline Take became_owner(SyncPage &p, const Self &me) noexcept {
    enlist_owner(p, me);
    if (at(*lock_of(p)).load(std::memory_order_relaxed) & FUTEX_OWNER_DIED) [[unlikely]] {
        at(*lock_of(p)).fetch_and(~FUTEX_OWNER_DIED);
        return Take::abandoned;
    }
    return Take::taken;
}

// No owner in `lock` but bits set (abandoned, or waiters leaving): the
// kernel decides (FUTEX_TRYLOCK_PI), against the pi_state it may hold.
Take try_with_kernel(SyncPage &p, const Self &me) noexcept;
// `lock` shows waiters: the kernel hands it to the top one.
void unlock_with_kernel(SyncPage &p) noexcept;

} // namespace mutex_impl

// The uncontended acquire, all inline (S57): true if the calling thread
// now holds the mutex (taken, or taken again); false, with nothing changed,
// for anything else, which mutex_try() sorts out.
[[gnu::always_inline]] inline bool mutex_take_fast(SyncPage &p) noexcept {
    using namespace mutex_impl;
    Self me;
    if (!known(me)) [[unlikely]]
        return false;
    auto w = at(*lock_of(p));
    std::uint32_t v = w.load(std::memory_order_relaxed);
    if ((v & FUTEX_TID_MASK) == me.tid) {
        at(p.mutex.recursion).fetch_add(1, std::memory_order_relaxed); // S46: no blocking
        return true;
    }
    if (v != 0)
        return false;
    me.rl.pending(lock_of(p), true);
    if (!w.compare_exchange_strong(v, me.tid, std::memory_order_acquire)) [[unlikely]] {
        me.rl.done();
        return false;
    }
    enlist_owner(p, me);
    return true;
}

// Takes the mutex if no other thread owns it, without blocking.
Take mutex_try_slow(SyncPage &p) noexcept;
[[gnu::always_inline]] inline Take mutex_try(SyncPage &p) noexcept {
    if (mutex_take_fast(p)) [[likely]]
        return Take::taken;
    return mutex_try_slow(p);
}

enum class Release {
    done,
    kernel, // all done but the hand-over to a waiter: mutex_release_rest()
    other,  // nothing done: mutex_release() decides
};

// The release of a mutex held once, all inline (S57).
[[gnu::always_inline]] inline Release mutex_release_fast(SyncPage &p) noexcept {
    using namespace mutex_impl;
    Self me;
    if (!known(me)) [[unlikely]]
        return Release::other;
    auto w = at(*lock_of(p));
    if ((w.load(std::memory_order_relaxed) & FUTEX_TID_MASK) != me.tid ||
        at(p.mutex.recursion).load(std::memory_order_relaxed) != 1) [[unlikely]]
        return Release::other;
    at(p.mutex.recursion).store(0, std::memory_order_relaxed);
    at(p.mutex.owner_pid).store(0, std::memory_order_relaxed);
    // `watch`: cleared, then off the list (a death between: nothing to do).
    at(*watch_of(p)).store(0, std::memory_order_release);
    RobustList::remove(watch_of(p));
    // `lock`, as glibc gives a robust PI mutex: pending, off the list, given.
    me.rl.pending(lock_of(p), true);
    RobustList::remove(lock_of(p));
    tsan_releasing(lock_of(p));
    std::uint32_t v = me.tid;
    if (!w.compare_exchange_strong(v, 0, std::memory_order_release, std::memory_order_acquire))
        [[unlikely]]
        return Release::kernel;
    me.rl.done();
    return Release::done;
}

// After Release::kernel.
void mutex_release_rest(SyncPage &p) noexcept;
// 0, or ERROR_NOT_OWNER (and the mutex unchanged, S47).
DWORD mutex_release_slow(SyncPage &p) noexcept;
inline DWORD mutex_release(SyncPage &p) noexcept {
    switch (mutex_release_fast(p)) {
    case Release::done:
        return 0;
    case Release::kernel:
        mutex_release_rest(p);
        return 0;
    case Release::other:
        break;
    }
    return mutex_release_slow(p);
}

} // namespace rtshm::detail
