// SPDX-License-Identifier: MIT
// rtshm-sync-bench: events, mutexes and semaphores of librtshm (issue 12)
// against what Linux offers in shared memory, between two processes.
//
//   rtshm-sync-bench [ROUNDS]
//
// 1. wake-up latency, set -> waiter running (median, p99, max in us): an
//    auto-reset event vs a PTHREAD_PROCESS_SHARED condition variable, an
//    eventfd and a raw FUTEX_WAIT/FUTEX_WAKE word. The waiter is asleep when
//    the other process stamps CLOCK_MONOTONIC and signals.
// 2. mutex acquire + release, uncontended (ns per pair), contended (two
//    processes, pairs per second, in turns with the pthread mutex, and the
//    median of the turns' ratios) and hand-over (release -> blocked waiter
//    running, median/p99/max in us): RtWaitForSingleObject/RtReleaseMutex
//    vs a pshared robust PI pthread_mutex_t.
// 3. semaphore release -> wait, ping-pong between two processes (round trip
//    median/p99/max in us): RtReleaseSemaphore vs sem_post/sem_wait.
// Not a test: asserts nothing. Uses whichever backend librtshm selects.
#include <rtapi.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <string>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

std::int64_t now_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

void spin_us(int us) {
    std::int64_t end = now_ns() + us * 1000LL;
    while (now_ns() < end)
        usleep(10);
}

struct Shared {
    std::atomic<int> ready;
    std::atomic<int> go;
    std::atomic<std::int64_t> stamp;
    std::uint32_t futex_word;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int cv_flag;
    pthread_mutex_t pi;
    sem_t sa, sb;
    std::int64_t lat[1];
};

// The q-quantile of v, sorted.
double quantile(const std::vector<double> &v, double q) {
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

std::vector<double> sorted(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v;
}

void report(const char *what, std::vector<double> v, const char *unit = "us") {
    v = sorted(std::move(v));
    std::printf("%-46s median %8.2f  p99 %8.2f  max %9.2f %s  (n=%zu)\n", what, quantile(v, 0.5),
                quantile(v, 0.99), v.back(), unit, v.size());
}

// Rounds of two processes: the child runs child_round (which returns how
// long it measured, in ns), the parent parent_round; results in us.
template <class ChildRound, class ParentRound>
std::vector<double> two_processes(int rounds, ChildRound child_round, ParentRound parent_round) {
    std::vector<double> out;
    int res[2];
    if (pipe(res) != 0)
        return out;
    pid_t p = fork();
    if (p == 0) {
        for (int i = 0; i < rounds; ++i) {
            std::int64_t d = child_round();
            (void)!write(res[1], &d, sizeof d);
        }
        _exit(0);
    }
    for (int i = 0; i < rounds; ++i) {
        parent_round();
        std::int64_t d = 0;
        if (read(res[0], &d, sizeof d) == sizeof d)
            out.push_back(static_cast<double>(d) / 1000.0);
    }
    waitpid(p, nullptr, 0);
    close(res[0]);
    close(res[1]);
    return out;
}

// The parent's half of a round: waits for the child to be about to block,
// lets it fall asleep, stamps, then signals.
template <class Signal> void stamp_when_asleep(Shared *sh, Signal signal_fn) {
    while (sh->ready.load() == 0)
        usleep(1);
    sh->ready.store(0);
    spin_us(100);
    sh->stamp.store(now_ns());
    signal_fn();
}

// One latency run: child waits (wait_fn), parent stamps and signals (signal_fn).
template <class Wait, class Signal>
std::vector<double> latency(Shared *sh, int rounds, Wait wait_fn, Signal signal_fn) {
    return two_processes(
        rounds,
        [&] {
            sh->ready.store(1);
            wait_fn();
            return now_ns() - sh->stamp.load();
        },
        [&] { stamp_when_asleep(sh, signal_fn); });
}

// One hand-over run: the parent holds the mutex while the child blocks on
// it, then stamps and releases; the child measures until its acquire
// returns. The steady figure of a contended mutex: a tight loop of two
// processes measures how often their convoy breaks instead.
template <class Lock, class Unlock>
std::vector<double> handover(Shared *sh, int rounds, Lock lock, Unlock unlock) {
    return two_processes(
        rounds,
        [&] {
            while (sh->go.exchange(0) == 0)
                usleep(1);
            sh->ready.store(1);
            lock();
            std::int64_t d = now_ns() - sh->stamp.load();
            unlock();
            return d;
        },
        [&] {
            lock();
            sh->go.store(1);
            stamp_when_asleep(sh, unlock);
        });
}

long futex(std::uint32_t *w, int op, std::uint32_t v) {
    return syscall(SYS_futex, w, op, v, nullptr, nullptr, 0);
}

} // namespace

int main(int argc, char **argv) {
    int rounds = argc > 1 ? std::atoi(argv[1]) : 2000;
    void *mem = nullptr;
    HANDLE shm = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, nullptr, &mem);
    if (shm == nullptr) {
        std::fprintf(stderr, "rtshm-sync-bench: shared memory: error %u\n", GetLastError());
        return 1;
    }
    auto *sh = new (mem) Shared{};
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&sh->mu, &ma);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&sh->pi, &ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sh->cv, &ca);
    sem_init(&sh->sa, 1, 0);
    sem_init(&sh->sb, 1, 0);
    HANDLE ev = RtCreateEventA(nullptr, FALSE, FALSE, "rtshm-sync-bench-ev");
    HANDLE mu = RtCreateMutexA(nullptr, FALSE, "rtshm-sync-bench-mu");
    HANDLE sa = RtCreateSemaphoreA(nullptr, 0, 1 << 20, "rtshm-sync-bench-sa");
    HANDLE sb = RtCreateSemaphoreA(nullptr, 0, 1 << 20, "rtshm-sync-bench-sb");
    if (!ev || !mu || !sa || !sb) {
        std::fprintf(stderr, "rtshm-sync-bench: sync objects: error %u\n", GetLastError());
        return 1;
    }
    int efd = eventfd(0, 0);
    std::printf("rtshm-sync-bench: %d rounds, kernel ", rounds);
    std::fflush(stdout);
    (void)!system("uname -r");

    std::printf("-- 1. set -> waiter running, across processes\n");
    report("rtshm auto-reset event (RtSetEvent)",
           latency(
               sh, rounds, [&] { RtWaitForSingleObject(ev, INFINITE); }, [&] { RtSetEvent(ev); }));
    report("pshared pthread condition variable", latency(
                                                     sh, rounds,
                                                     [&] {
                                                         pthread_mutex_lock(&sh->mu);
                                                         while (sh->cv_flag == 0)
                                                             pthread_cond_wait(&sh->cv, &sh->mu);
                                                         sh->cv_flag = 0;
                                                         pthread_mutex_unlock(&sh->mu);
                                                     },
                                                     [&] {
                                                         pthread_mutex_lock(&sh->mu);
                                                         sh->cv_flag = 1;
                                                         pthread_cond_signal(&sh->cv);
                                                         pthread_mutex_unlock(&sh->mu);
                                                     }));
    report("eventfd (write -> blocking read)", latency(
                                                   sh, rounds,
                                                   [&] {
                                                       std::uint64_t v;
                                                       (void)!read(efd, &v, sizeof v);
                                                   },
                                                   [&] {
                                                       std::uint64_t one = 1;
                                                       (void)!write(efd, &one, sizeof one);
                                                   }));
    report("raw futex word in shared memory",
           latency(
               sh, rounds,
               [&] {
                   auto w = std::atomic_ref<std::uint32_t>(sh->futex_word);
                   while (w.exchange(0) == 0)
                       futex(&sh->futex_word, FUTEX_WAIT, 0);
               },
               [&] {
                   std::atomic_ref<std::uint32_t>(sh->futex_word).store(1);
                   futex(&sh->futex_word, FUTEX_WAKE, 1);
               }));

    std::printf("-- 2. mutex acquire + release\n");
    const int pairs = 1000000;
    std::int64_t t0 = now_ns();
    for (int i = 0; i < pairs; ++i) {
        RtWaitForSingleObject(mu, INFINITE);
        RtReleaseMutex(mu);
    }
    double rt_ns = static_cast<double>(now_ns() - t0) / pairs;
    t0 = now_ns();
    for (int i = 0; i < pairs; ++i) {
        pthread_mutex_lock(&sh->pi);
        pthread_mutex_unlock(&sh->pi);
    }
    double pi_ns = static_cast<double>(now_ns() - t0) / pairs;
    std::printf("%-46s %8.1f ns per pair\n", "uncontended: rtshm mutex", rt_ns);
    std::printf("%-46s %8.1f ns per pair\n", "uncontended: pshared robust PI pthread mutex", pi_ns);
    // Two processes in a tight loop on one mutex; the clock starts once the
    // child is ready (its first take done), not at fork(2). How often the
    // convoy of kernel hand-overs breaks swings the rate several-fold from
    // run to run, so the two mutexes take turns and the ratio is the
    // median of each turn's.
    auto contended = [&](auto lock, auto unlock) {
        const int n = 50000;
        sh->ready.store(0);
        sh->go.store(0);
        pid_t p = fork();
        if (p == 0) {
            lock();
            unlock();
            sh->ready.store(1);
            while (sh->go.load() == 0) {
            }
            for (int i = 0; i < n; ++i) {
                lock();
                unlock();
            }
            _exit(0);
        }
        while (sh->ready.load() == 0)
            usleep(10);
        std::int64_t s = now_ns();
        sh->go.store(1);
        for (int i = 0; i < n; ++i) {
            lock();
            unlock();
        }
        waitpid(p, nullptr, 0);
        double rate = 2.0 * n / (static_cast<double>(now_ns() - s) / 1e9);
        sh->ready.store(0); // as the hand-over rounds expect them
        sh->go.store(0);
        return rate;
    };
    const int turns = 7;
    std::vector<double> rt_rate, pi_rate, rate_ratio;
    for (int t = 0; t < turns; ++t) {
        rt_rate.push_back(
            contended([&] { RtWaitForSingleObject(mu, INFINITE); }, [&] { RtReleaseMutex(mu); }));
        pi_rate.push_back(contended([&] { pthread_mutex_lock(&sh->pi); },
                                    [&] { pthread_mutex_unlock(&sh->pi); }));
        rate_ratio.push_back(rt_rate.back() / pi_rate.back());
    }
    rate_ratio = sorted(std::move(rate_ratio));
    std::printf("%-46s %8.0f pairs/s\n", "contended, 2 processes: rtshm mutex",
                quantile(sorted(rt_rate), 0.5));
    std::printf("%-46s %8.0f pairs/s\n", "contended, 2 processes: PI pthread mutex",
                quantile(sorted(pi_rate), 0.5));
    std::printf("%-46s %8.2f (lowest %.2f, highest %.2f, %d turns)\n",
                "contended: rtshm / PI pthread, median turn", quantile(rate_ratio, 0.5),
                rate_ratio.front(), rate_ratio.back(), turns);
    report(
        "hand-over: rtshm mutex (RtReleaseMutex)",
        handover(
            sh, rounds, [&] { RtWaitForSingleObject(mu, INFINITE); }, [&] { RtReleaseMutex(mu); }));
    report("hand-over: PI pthread mutex", handover(
                                              sh, rounds, [&] { pthread_mutex_lock(&sh->pi); },
                                              [&] { pthread_mutex_unlock(&sh->pi); }));

    std::printf("-- 3. semaphore ping-pong across processes (round trip)\n");
    auto pingpong = [&](auto post_a, auto wait_a, auto post_b, auto wait_b) {
        std::vector<double> v;
        pid_t p = fork();
        if (p == 0) {
            for (int i = 0; i < rounds; ++i) {
                wait_a();
                post_b();
            }
            _exit(0);
        }
        for (int i = 0; i < rounds; ++i) {
            std::int64_t s = now_ns();
            post_a();
            wait_b();
            v.push_back(static_cast<double>(now_ns() - s) / 1000.0);
        }
        waitpid(p, nullptr, 0);
        return v;
    };
    report("rtshm semaphores (RtReleaseSemaphore/Wait)",
           pingpong([&] { RtReleaseSemaphore(sa, 1, nullptr); },
                    [&] { RtWaitForSingleObject(sa, INFINITE); },
                    [&] { RtReleaseSemaphore(sb, 1, nullptr); },
                    [&] { RtWaitForSingleObject(sb, INFINITE); }));
    report("sem_post / sem_wait (pshared sem_t)",
           pingpong([&] { sem_post(&sh->sa); }, [&] { sem_wait(&sh->sa); },
                    [&] { sem_post(&sh->sb); }, [&] { sem_wait(&sh->sb); }));
    for (HANDLE h : {ev, mu, sa, sb, shm})
        RtCloseHandle(h);
    close(efd);
    return 0;
}
