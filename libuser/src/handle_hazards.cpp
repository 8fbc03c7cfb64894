// SPDX-License-Identifier: MIT
// handle_hazards.cpp: per-thread hazard slots for handle lookups (see
// handle_hazards.hpp).
#include "handle_hazards.hpp"
#include "pi_mutex.hpp"

#include <atomic>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace rtshm::detail::hazards {

namespace {

// A call holds one; a signal handler that calls in while the thread waits
// holds the next. Beyond that, counted references.
constexpr int kHazards = 4;

struct ThreadRecord {
    std::atomic<const void *> slot[kHazards];
    int depth;        // hazards in use; changed only by the thread (and handlers)
    bool registered;  // linked into the registry
    bool registering; // a signal handler must not take the registry's lock
    ThreadRecord *prev;
    ThreadRecord *next;
};

// Constant-initialised and initial-exec: the fast path reaches it with one
// %fs-relative access, with no TLS wrapper and no __tls_get_addr.
__attribute__((tls_model("initial-exec"))) constinit thread_local ThreadRecord t_rec{};

// Set once, before any reader depends on it: readers fence themselves
// because membarrier(2) is not available.
bool g_reader_fence = false;

struct Registry {
    PiMutex mu;
    ThreadRecord *head = nullptr;
    bool started = false;
    pthread_key_t key{};
};

Registry &registry() {
    static Registry *r = new Registry; // never destroyed: threads outlive exit()
    return *r;
}

long membarrier(int cmd) noexcept {
    return ::syscall(SYS_membarrier, cmd, 0u, 0);
}

void unlink(Registry &r, ThreadRecord &t) noexcept {
    if (t.prev != nullptr)
        t.prev->next = t.next;
    else
        r.head = t.next;
    if (t.next != nullptr)
        t.next->prev = t.prev;
    t.prev = t.next = nullptr;
    t.registered = false;
}

// At the thread's end (a TSD destructor). A call made by a later
// destructor registers the thread again, and this runs again.
void unregister_thread(void *p) noexcept {
    Registry &r = registry();
    r.mu.lock();
    unlink(r, *static_cast<ThreadRecord *>(p));
    r.mu.unlock();
}

bool register_thread(ThreadRecord &t) noexcept {
    t.registering = true;
    Registry &r = registry();
    r.mu.lock();
    bool ok = true;
    if (!r.started) {
        g_reader_fence = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0;
        ok = ::pthread_key_create(&r.key, unregister_thread) == 0;
        r.started = ok;
    }
    if (ok) {
        t.prev = nullptr;
        t.next = r.head;
        if (r.head != nullptr)
            r.head->prev = &t;
        r.head = &t;
        t.registered = true;
    }
    r.mu.unlock();
    if (ok && ::pthread_setspecific(r.key, &t) != 0) {
        unregister_thread(&t);
        ok = false;
    }
    t.registering = false;
    return ok;
}

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

} // namespace

int publish(const void *p) noexcept {
    ThreadRecord &t = t_rec;
    if (!t.registered) [[unlikely]] {
        if (t.registering || !register_thread(t))
            return -1;
    }
    int i = t.depth;
    if (i == kHazards)
        return -1;
    t.depth = i + 1; // a handler that interrupts from here on takes the next
    std::atomic_signal_fence(std::memory_order_seq_cst);
    t.slot[i].store(p, std::memory_order_relaxed);
    reader_barrier();
    return i;
}

void retract(int i) noexcept {
    ThreadRecord &t = t_rec;
    t.slot[i].store(nullptr, std::memory_order_release);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    // Hazards at depth and above are free; one withdrawn out of order
    // leaves depth where it is until those above it go too.
    int d = t.depth;
    while (d > 0 && t.slot[d - 1].load(std::memory_order_relaxed) == nullptr)
        --d;
    t.depth = d;
    reader_barrier();
}

bool in_use(const void *p) noexcept {
    Registry &r = registry();
    r.mu.lock();
    bool found = false;
    if (r.started) { // else no thread ever published, and later ones come after this lock
        if (g_reader_fence)
            full_fence();
        else
            membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
        for (ThreadRecord *t = r.head; t != nullptr && !found; t = t->next)
            for (const auto &s : t->slot)
                if (s.load(std::memory_order_acquire) == p)
                    found = true;
    }
    r.mu.unlock();
    return found;
}

void after_fork_in_child() noexcept {
    Registry &r = registry();
    r.mu.reinit_unowned_in_child(); // another parent thread may have held it
    ThreadRecord &t = t_rec;
    t.prev = t.next = nullptr;
    t.registering = false;
    r.head = t.registered ? &t : nullptr;
    // Kept across fork(2) today; asked again so that a refusal is seen.
    if (r.started && membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
        g_reader_fence = true;
}

} // namespace rtshm::detail::hazards
