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

// `lock` has just become ours (the pending entry says so): onto the list,
// then `watch`, the count and the owner's pid for RtShmQuerySyncObject
// (its tid is the word's).
inline Take became_owner(SyncPage &p, RobustList &rl) noexcept {
    std::uint32_t *word = lock_of(p);
    tsan_acquired(word);
    rl.add(lock_of(p), true);
    rl.done();
    bool abandoned = false;
    if (at(*word).load(std::memory_order_relaxed) & FUTEX_OWNER_DIED) [[unlikely]] {
        at(*word).fetch_and(~FUTEX_OWNER_DIED); // held once from now on (S48)
        abandoned = true;
    }
    // On the list first: while the word shows no TID of ours, a death here
    // leaves the kernel nothing to do with the entry.
    rl.add(watch_of(p), false);
    at(*watch_of(p)).store(self(), std::memory_order_release);
    at(p.mutex.recursion).store(1, std::memory_order_relaxed);
    at(p.mutex.owner_pid).store(current_pid(), std::memory_order_relaxed);
    return abandoned ? Take::abandoned : Take::taken;
}

// No owner in `lock` but bits set (abandoned, or waiters leaving): the
// kernel decides (FUTEX_TRYLOCK_PI), against the pi_state it may hold.
Take try_with_kernel(SyncPage &p, RobustList &rl) noexcept;
// `lock` shows waiters: the kernel hands it to the top one.
void unlock_with_kernel(SyncPage &p) noexcept;

} // namespace mutex_impl

// Takes the mutex if no other thread owns it, without blocking.
[[gnu::always_inline]] inline Take mutex_try(SyncPage &p) noexcept {
    using namespace mutex_impl;
    const std::uint32_t tid = self();
    auto w = at(*lock_of(p));
    std::uint32_t v = w.load(std::memory_order_relaxed);
    if ((v & FUTEX_TID_MASK) == tid) {
        at(p.mutex.recursion).fetch_add(1, std::memory_order_relaxed); // S46: no blocking
        return Take::taken;
    }
    if ((v & FUTEX_TID_MASK) != 0)
        return Take::none; // another thread's
    RobustList *rl = RobustList::of_this_thread();
    if (rl == nullptr) [[unlikely]]
        return Take::failed;
    rl->pending(lock_of(p), true);
    if (v == 0 && w.compare_exchange_strong(v, tid, std::memory_order_acquire)) [[likely]]
        return became_owner(p, *rl);
    if ((v & FUTEX_TID_MASK) != 0) {
        rl->done();
        return Take::none; // taken meanwhile
    }
    return try_with_kernel(p, *rl);
}

// 0, or ERROR_NOT_OWNER (and the mutex unchanged, S47).
inline DWORD mutex_release(SyncPage &p) noexcept {
    using namespace mutex_impl;
    const std::uint32_t tid = self();
    auto w = at(*lock_of(p));
    if ((w.load(std::memory_order_relaxed) & FUTEX_TID_MASK) != tid)
        return ERROR_NOT_OWNER;
    if (at(p.mutex.recursion).load(std::memory_order_relaxed) > 1) {
        at(p.mutex.recursion).fetch_sub(1, std::memory_order_relaxed);
        return 0;
    }
    RobustList *rl = RobustList::of_this_thread(); // found when it was taken
    at(p.mutex.recursion).store(0, std::memory_order_relaxed);
    at(p.mutex.owner_pid).store(0, std::memory_order_relaxed);
    // `watch`: cleared, then off the list (a death between: nothing to do).
    at(*watch_of(p)).store(0, std::memory_order_release);
    RobustList::remove(watch_of(p));
    // `lock`, as glibc gives a robust PI mutex: pending, off the list, given.
    rl->pending(lock_of(p), true);
    RobustList::remove(lock_of(p));
    tsan_releasing(lock_of(p));
    std::uint32_t v = tid;
    if (!w.compare_exchange_strong(v, 0, std::memory_order_release, std::memory_order_acquire))
        [[unlikely]]
        unlock_with_kernel(p);
    rl->done();
    return 0;
}

} // namespace rtshm::detail
