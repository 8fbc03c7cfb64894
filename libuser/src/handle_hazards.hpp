// SPDX-License-Identifier: MIT
// handle_hazards.hpp: which handle slots each thread's calls are using, so
// that a lookup of a synchronisation handle needs no atomic read-modify-write.
//
// Exists because on the fast paths (S57) a locked instruction costs as much
// as the futex operation itself: the reference count of a slot took two per
// call. Instead a call publishes the slot in one of its thread's hazard
// slots with a plain store, and whoever would destroy a closed slot's object
// first makes every thread of the process execute a full barrier
// (membarrier(2), MEMBARRIER_CMD_PRIVATE_EXPEDITED) and then looks whether
// any thread publishes it. The barrier is what the reader leaves out: a
// store by a reader before it is visible to the scan, and a reader's load
// after it sees what the reclaimer wrote before it. Where membarrier(2) is
// refused (kernel, seccomp), the readers execute the fence themselves.
//
// Every thread that made a call has a record, linked into one list under a
// lock of its own and unlinked when the thread ends.
#pragma once

#include <atomic>
#include <cstdint>

namespace rtshm::detail::hazards {

// A call holds one; a signal handler that calls in while the thread waits
// holds the next. Beyond that, counted references.
inline constexpr int kHazards = 4;

// A call takes the first free hazard and frees it when it is done. A signal
// handler runs to its end before the call it interrupted goes on, so one
// that interrupts between the call's check and its store finds the same
// hazard free, and leaves it free again.
//
// Hazard 0 holds kNotFast while the fast paths may not publish (the thread
// is not registered, or readers fence themselves), so that their one test
// of it covers both. It is an integer, not a pointer: the TLS image needs
// no relocation for it.
inline constexpr std::uintptr_t kNotFast = 1;
struct ThreadRecord {
    std::atomic<std::uintptr_t> slot[kHazards]{kNotFast, 0, 0, 0};
    bool registered = false;  // linked into the registry
    bool registering = false; // a signal handler must not take the registry's lock
    ThreadRecord *prev;
    ThreadRecord *next;
};

// Constant-initialised and initial-exec: the fast path reaches it with one
// %fs-relative access, with no TLS wrapper and no __tls_get_addr.
extern constinit thread_local ThreadRecord t_rec __attribute__((tls_model("initial-exec")));

// Set once, before any reader depends on it: readers fence themselves
// because membarrier(2) is not available.
extern bool g_reader_fence;

// Links the calling thread's record into the registry; false if it cannot.
bool register_thread(ThreadRecord &t) noexcept;

// A full fence. TSan models no fences: there, a locked instruction on a
// word of this thread (which orders the same, and tells TSan of no
// synchronisation between threads that is not there).
inline void full_fence() noexcept {
#if defined(__SANITIZE_THREAD__)
    static constinit thread_local std::atomic<int> word{0};
    word.exchange(0, std::memory_order_seq_cst);
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

// The reader's half of the barrier: nothing (the reclaimer's membarrier(2)
// supplies it) or a full fence.
inline void reader_barrier() noexcept {
    if (g_reader_fence)
        full_fence();
    else
        std::atomic_signal_fence(std::memory_order_seq_cst);
}

// Publishes p as in use by the calling thread and orders the publication
// before the caller's next load. Returns the hazard's index, or -1 when the
// thread's hazards are all in use (nested calls from signal handlers): the
// caller then takes a counted reference instead.
inline int publish(const void *p) noexcept {
    ThreadRecord &t = t_rec;
    if (!t.registered) [[unlikely]] {
        if (t.registering || !register_thread(t))
            return -1;
    }
    for (int i = 0; i < kHazards; ++i) {
        if (t.slot[i].load(std::memory_order_relaxed) == 0) [[likely]] {
            t.slot[i].store(reinterpret_cast<std::uintptr_t>(p), std::memory_order_relaxed);
            reader_barrier();
            return i;
        }
    }
    return -1;
}

// publish() as the fast paths make it, with no call and no fence: into
// hazard 0, which is free unless the call is a signal handler's; false
// (nothing published) if it is not free, or holds kNotFast. Withdraw with
// retract_first().
inline bool publish_first(const void *p) noexcept {
    ThreadRecord &t = t_rec;
    if (t.slot[0].load(std::memory_order_relaxed) != 0) [[unlikely]]
        return false;
    t.slot[0].store(reinterpret_cast<std::uintptr_t>(p), std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst); // the reclaimer's membarrier(2)
    return true;
}

inline void retract_first() noexcept {
    t_rec.slot[0].store(0, std::memory_order_release);
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

// Withdraws hazard i and orders that before the caller's next load.
inline void retract(int i) noexcept {
    t_rec.slot[i].store(0, std::memory_order_release);
    reader_barrier();
}

// For a reclaimer, after it made its own change visible (a locked
// instruction): whether any thread still publishes p. Makes a system call.
bool in_use(const void *p) noexcept;

// In a fork child, before any call: only the calling thread is left.
void after_fork_in_child() noexcept;

} // namespace rtshm::detail::hazards
