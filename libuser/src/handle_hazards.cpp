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

constinit thread_local ThreadRecord t_rec{};
bool g_reader_fence = false;

namespace {

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
    t.slot[0].store(kNotFast, std::memory_order_relaxed); // no call is in flight
}

// At the thread's end (a TSD destructor). A call made by a later
// destructor registers the thread again, and this runs again.
void unregister_thread(void *p) noexcept {
    Registry &r = registry();
    r.mu.lock();
    unlink(r, *static_cast<ThreadRecord *>(p));
    r.mu.unlock();
}

// The process's part, under r.mu.
bool start(Registry &r) noexcept {
    if (!r.started) {
        g_reader_fence = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0;
        r.started = ::pthread_key_create(&r.key, unregister_thread) == 0;
    }
    return r.started;
}

// At load, while the process most likely has one thread: the registration
// then costs one quick system call, where later, with threads, it waits
// for a grace period (milliseconds) in whichever call came first, maybe
// an RT loop's (S57).
[[gnu::constructor]] void start_at_load() noexcept {
    Registry &r = registry();
    r.mu.lock();
    start(r);
    r.mu.unlock();
}

} // namespace

bool register_thread(ThreadRecord &t) noexcept {
    t.registering = true;
    Registry &r = registry();
    r.mu.lock();
    bool ok = start(r); // done at load unless pthread_key_create failed then
    if (ok) {
        t.prev = nullptr;
        t.next = r.head;
        if (r.head != nullptr)
            r.head->prev = &t;
        r.head = &t;
        t.registered = true;
        // Hazard 0 is not in use: no call publishes before registering.
        if (!g_reader_fence)
            t.slot[0].store(0, std::memory_order_relaxed);
    }
    r.mu.unlock();
    if (ok && ::pthread_setspecific(r.key, &t) != 0) {
        unregister_thread(&t);
        ok = false;
    }
    t.registering = false;
    return ok;
}

bool in_use(const void *p) noexcept {
    Registry &r = registry();
    r.mu.lock();
    bool found = false;
    // No thread registered: none published, and later ones come after this lock.
    if (r.started && r.head != nullptr) {
        if (g_reader_fence)
            full_fence();
        else
            membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
        const auto key = reinterpret_cast<std::uintptr_t>(p);
        for (ThreadRecord *t = r.head; t != nullptr && !found; t = t->next)
            for (const auto &s : t->slot)
                if (s.load(std::memory_order_acquire) == key)
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
    if (r.started && membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0) {
        g_reader_fence = true;
        // Not if a call holds it (fork(2) from a signal handler inside one):
        // that call frees it again on return, so such a child keeps the fast
        // paths without the barrier. Not seen: the kernel keeps the
        // registration across fork(2).
        if (t.slot[0].load(std::memory_order_relaxed) == 0)
            t.slot[0].store(kNotFast, std::memory_order_relaxed);
    }
}

} // namespace rtshm::detail::hazards
