// SPDX-License-Identifier: MIT
// test_sync_memory.cpp: rule S33 (the memory carries the kernel's
// process-shared synchronisation). Each test puts a synchronisation object
// into an object's memory and uses it from a second process that maps the
// object at another address (it opens the name again after fork), so the
// kernel must key each futex by the object's memory, not by the address.
#include "harness.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <functional>
#include <thread>

namespace conf {
namespace {

constexpr std::size_t kSize = 64 * 1024;

long futex(void *addr, int op, uint32_t val, const timespec *ts = nullptr) {
    return ::syscall(SYS_futex, addr, op, val, ts, nullptr, 0);
}

timespec abs_realtime(int ms) {
    timespec t{};
    ::clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += static_cast<long>(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

// A child running fn, the parent going on; reap() gives its exit code.
struct Child {
    pid_t pid = -1;
    explicit Child(const std::function<int()> &fn) {
        std::fflush(nullptr);
        pid = ::fork();
        if (pid == 0)
            ::_exit(fn());
    }
    int reap() {
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        pid = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    ~Child() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            reap();
        }
    }
};

// The object called n mapped again in this process, at an address of its own.
void *reopen(const std::string &n) {
    void *p = nullptr;
    HANDLE h = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
    return h != nullptr ? p : nullptr;
}

// Waits (up to 10 s) until the word reaches want.
bool wait_for(const std::atomic<uint32_t> &w, uint32_t want) {
    for (int i = 0; i < 10000; i++) {
        if (w.load() == want)
            return true;
        ::usleep(1000);
    }
    return false;
}

struct Object {
    HANDLE h = nullptr;
    void *p = nullptr;
    Object() = default;
    Object(const Object &) = delete;
    Object &operator=(const Object &) = delete;
    ~Object() {
        if (h != nullptr)
            RtCloseHandle(h);
    }
};

void create(Object &o, const std::string &n) {
    o.h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, kSize, n.c_str(), &o.p);
    ASSERT_NE(o.h, nullptr) << "create failed, error " << GetLastError();
}

// What lives in the object's memory for each test.
struct Shared {
    std::atomic<uint32_t> word;
    std::atomic<uint32_t> ready;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    sem_t sem;
    uint64_t count;
};

void init_mutex(pthread_mutex_t *m, bool robust_pi) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (robust_pi) {
        pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
        pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    }
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}

} // namespace

// Raw FUTEX_WAIT / FUTEX_WAKE without FUTEX_PRIVATE_FLAG: the wake from one
// address must find the waiter sleeping at another.
TEST_P(Conformance, S33_RawSharedFutexWaitWakeAcrossProcesses) {
    auto n = name("s33futex");
    Object o;
    ASSERT_NO_FATAL_FAILURE(create(o, n));
    auto *s = static_cast<Shared *>(o.p);

    Child child([&] {
        auto *w = static_cast<Shared *>(reopen(n));
        if (w == nullptr || w == s)
            return 10;
        w->ready.store(1);
        timespec ts{10, 0};
        while (w->word.load() == 0) {
            long r = futex(&w->word, FUTEX_WAIT, 0, &ts);
            if (r != 0 && errno != EAGAIN && errno != EINTR)
                return errno == EFAULT ? 11 : 12;
        }
        return 0;
    });
    ASSERT_TRUE(wait_for(s->ready, 1));
    // Wake until the wake finds the sleeper (it may not be asleep yet).
    long woken = 0;
    for (int i = 0; i < 10000 && woken == 0; i++) {
        woken = futex(&s->word, FUTEX_WAKE, 1);
        ASSERT_GE(woken, 0) << "FUTEX_WAKE: " << std::strerror(errno);
        if (woken == 0)
            ::usleep(1000);
    }
    EXPECT_EQ(woken, 1) << "the wake never found the other process's waiter";
    s->word.store(1);
    futex(&s->word, FUTEX_WAKE, 1);
    EXPECT_EQ(child.reap(), 0) << "11: FUTEX_WAIT gave EFAULT";
}

// A PTHREAD_PROCESS_SHARED mutex under contention from 2 processes x 2
// threads: every increment under it survives.
TEST_P(Conformance, S33_ProcessSharedMutexContendedCountIsExact) {
    constexpr int kPerThread = 20000;
    auto n = name("s33mutex");
    Object o;
    ASSERT_NO_FATAL_FAILURE(create(o, n));
    auto *s = static_cast<Shared *>(o.p);
    init_mutex(&s->mutex, false);

    auto hammer = [](Shared *sh) {
        int bad = 0;
        auto body = [&] {
            for (int i = 0; i < kPerThread; i++) {
                if (pthread_mutex_lock(&sh->mutex) != 0) {
                    bad = 1;
                    return;
                }
                sh->count = sh->count + 1;
                pthread_mutex_unlock(&sh->mutex);
            }
        };
        std::thread a(body), b(body);
        a.join();
        b.join();
        return bad;
    };
    Child child([&] {
        auto *w = static_cast<Shared *>(reopen(n));
        return w == nullptr ? 10 : hammer(w);
    });
    EXPECT_EQ(hammer(s), 0);
    EXPECT_EQ(child.reap(), 0);
    EXPECT_EQ(s->count, 4u * kPerThread);
}

// A robust priority-inheritance mutex whose owner is SIGKILLed: the next
// locker gets EOWNERDEAD (the kernel walked the dead owner's robust list).
TEST_P(Conformance, S33_RobustPiMutexOfKilledOwnerGivesEownerdead) {
    auto n = name("s33robust");
    Object o;
    ASSERT_NO_FATAL_FAILURE(create(o, n));
    auto *s = static_cast<Shared *>(o.p);
    init_mutex(&s->mutex, true);

    Child child([&] {
        auto *w = static_cast<Shared *>(reopen(n));
        if (w == nullptr || pthread_mutex_lock(&w->mutex) != 0)
            return 10;
        w->ready.store(1);
        for (;;)
            ::pause();
    });
    ASSERT_TRUE(wait_for(s->ready, 1));
    // A waiter already blocked in the kernel when the owner dies; it then
    // owns the mutex, so it makes it consistent and releases it itself.
    std::atomic<int> locked{-1}, consistent{-1}, unlocked{-1};
    std::thread waiter([&] {
        locked = pthread_mutex_lock(&s->mutex);
        consistent = pthread_mutex_consistent(&s->mutex);
        unlocked = pthread_mutex_unlock(&s->mutex);
    });
    ::usleep(20000);
    ::kill(child.pid, SIGKILL);
    EXPECT_EQ(child.reap(), 128 + SIGKILL);
    waiter.join();
    EXPECT_EQ(locked.load(), EOWNERDEAD);
    EXPECT_EQ(consistent.load(), 0);
    EXPECT_EQ(unlocked.load(), 0);
    EXPECT_EQ(pthread_mutex_lock(&s->mutex), 0) << "not usable again";
    EXPECT_EQ(pthread_mutex_unlock(&s->mutex), 0);
}

// A process-shared condition variable signalled from the other process.
TEST_P(Conformance, S33_ProcessSharedConditionVariable) {
    auto n = name("s33cond");
    Object o;
    ASSERT_NO_FATAL_FAILURE(create(o, n));
    auto *s = static_cast<Shared *>(o.p);
    init_mutex(&s->mutex, false);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);

    Child child([&] {
        auto *w = static_cast<Shared *>(reopen(n));
        if (w == nullptr)
            return 10;
        pthread_mutex_lock(&w->mutex);
        w->ready.store(1);
        timespec until = abs_realtime(10000);
        int r = 0;
        while (w->word.load() == 0 && r == 0)
            r = pthread_cond_timedwait(&w->cond, &w->mutex, &until);
        pthread_mutex_unlock(&w->mutex);
        return r == 0 ? 0 : 11;
    });
    ASSERT_TRUE(wait_for(s->ready, 1));
    pthread_mutex_lock(&s->mutex); // the child is inside the wait now
    s->word.store(1);
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->mutex);
    EXPECT_EQ(child.reap(), 0) << "11: the wait timed out or failed";
}

// A sem_init(pshared=1) semaphore posted from the other process.
TEST_P(Conformance, S33_ProcessSharedSemaphore) {
    auto n = name("s33sem");
    Object o;
    ASSERT_NO_FATAL_FAILURE(create(o, n));
    auto *s = static_cast<Shared *>(o.p);
    ASSERT_EQ(sem_init(&s->sem, 1, 0), 0);

    Child child([&] {
        auto *w = static_cast<Shared *>(reopen(n));
        if (w == nullptr)
            return 10;
        w->ready.store(1);
        timespec until = abs_realtime(10000);
        int r;
        while ((r = sem_timedwait(&w->sem, &until)) != 0 && errno == EINTR) {
        }
        return r == 0 ? 0 : 11;
    });
    ASSERT_TRUE(wait_for(s->ready, 1));
    ::usleep(20000); // most likely asleep in the kernel by now
    EXPECT_EQ(sem_post(&s->sem), 0);
    EXPECT_EQ(child.reap(), 0) << "11: sem_timedwait failed";
    sem_destroy(&s->sem);
}

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

// futex_waitv over words in two objects: a wake of the second returns its
// index.
TEST_P(Conformance, S33_FutexWaitvAcrossTwoObjects) {
    auto na = name("s33waitva"), nb = name("s33waitvb");
    Object a, b;
    ASSERT_NO_FATAL_FAILURE(create(a, na));
    ASSERT_NO_FATAL_FAILURE(create(b, nb));
    auto *sa = static_cast<Shared *>(a.p);
    auto *sb = static_cast<Shared *>(b.p);

    struct Waiter {
        uint64_t val, uaddr;
        uint32_t flags, reserved;
    };
    Child child([&] {
        auto *wa = static_cast<Shared *>(reopen(na));
        auto *wb = static_cast<Shared *>(reopen(nb));
        if (wa == nullptr || wb == nullptr)
            return 10;
        Waiter w[2] = {{0, reinterpret_cast<uintptr_t>(&wa->word), 2 /* FUTEX2_SIZE_U32 */, 0},
                       {0, reinterpret_cast<uintptr_t>(&wb->word), 2, 0}};
        wa->ready.store(1);
        timespec until{};
        ::clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 10;
        for (;;) {
            long r = ::syscall(SYS_futex_waitv, w, 2, 0, &until, CLOCK_MONOTONIC);
            if (r >= 0)
                return r == 1 ? 0 : 13;
            if (errno == ENOSYS)
                return 14;
            if (errno != EAGAIN && errno != EINTR)
                return errno == EFAULT ? 11 : 12;
            if (wb->word.load() != 0)
                return 0; // woken before sleeping: the value changed
        }
    });
    ASSERT_TRUE(wait_for(sa->ready, 1));
    long woken = 0;
    for (int i = 0; i < 10000 && woken == 0; i++) {
        woken = futex(&sb->word, FUTEX_WAKE, 1);
        ASSERT_GE(woken, 0) << "FUTEX_WAKE: " << std::strerror(errno);
        if (woken == 0)
            ::usleep(1000);
    }
    EXPECT_EQ(woken, 1);
    sb->word.store(1);
    int rc = child.reap();
    if (rc == 14)
        GTEST_SKIP() << "this kernel has no futex_waitv (Linux < 5.16)";
    EXPECT_EQ(rc, 0) << "11: EFAULT, 13: woke on the wrong object";
}

} // namespace conf
