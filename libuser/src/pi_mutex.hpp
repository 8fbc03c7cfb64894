// SPDX-License-Identifier: MIT
// pi_mutex.hpp: the library's own process-private lock.
//
// Exists because the locks a real-time thread may wait for (the handle
// table's, the broker connection's) must give their priority to a
// lower-priority holder (PI), and must be usable again in a fork child:
// there the owner TID is a thread the child does not have, so unlocking
// fails, and the child re-initialises it instead.
#pragma once

#include <pthread.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace rtshm::detail {

class PiMutex {
public:
    PiMutex() { init(); }
    PiMutex(const PiMutex &) = delete;
    PiMutex &operator=(const PiMutex &) = delete;
    void lock() { ::pthread_mutex_lock(&m_); }
    bool try_lock() { return ::pthread_mutex_trylock(&m_) == 0; }
    void unlock() { ::pthread_mutex_unlock(&m_); }
    void reinit_in_child() {
#if defined(__SANITIZE_THREAD__)
        // TSan saw this thread take it before fork: tell it it is free.
        __tsan_mutex_pre_unlock(&m_, 0);
        __tsan_mutex_post_unlock(&m_, 0);
#endif
        init();
    }
    // In a fork child, for a lock another thread of the parent held.
    void reinit_unowned_in_child() {
        init();
    }

private:
    void init() {
        pthread_mutexattr_t a;
        ::pthread_mutexattr_init(&a);
        ::pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
        ::pthread_mutex_init(&m_, &a);
        ::pthread_mutexattr_destroy(&a);
    }
    pthread_mutex_t m_;
};

} // namespace rtshm::detail
