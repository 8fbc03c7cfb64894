// SPDX-License-Identifier: MIT
// test_sync_priority.cpp: priority inheritance and priority-ordered grant
// (S49), for mutexes, events and semaphores. Needs SCHED_FIFO: skipped,
// with the reason, where the policy is not permitted.
#include "sync_helpers.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <thread>
#include <vector>

namespace conf {
namespace {

// A SCHED_FIFO thread at prio (pinned to cpu if >= 0); the error if refused.
int start_fifo(pthread_t &t, int prio, int cpu, const std::function<void()> &fn) {
    pthread_attr_t a;
    ::pthread_attr_init(&a);
    ::pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
    ::pthread_attr_setschedpolicy(&a, SCHED_FIFO);
    sched_param sp{};
    sp.sched_priority = prio;
    ::pthread_attr_setschedparam(&a, &sp);
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        ::pthread_attr_setaffinity_np(&a, sizeof set, &set);
    }
    auto *f = new std::function<void()>(fn);
    int e = ::pthread_create(
        &t, &a,
        [](void *p) -> void * {
            auto *g = static_cast<std::function<void()> *>(p);
            (*g)();
            delete g;
            return nullptr;
        },
        f);
    if (e != 0)
        delete f;
    ::pthread_attr_destroy(&a);
    return e;
}

// Why SCHED_FIFO threads cannot be made here, or empty.
std::string fifo_refused() {
    pthread_t t;
    int e = start_fifo(t, 1, -1, [] {});
    if (e != 0)
        return std::string("SCHED_FIFO is not permitted here (pthread_create: ") +
               std::strerror(e) + "): priority tests skipped";
    ::pthread_join(t, nullptr);
    return "";
}

int first_cpu() {
    cpu_set_t set;
    CPU_ZERO(&set);
    ::sched_getaffinity(0, sizeof set, &set);
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set))
            return c;
    return 0;
}

double thread_cpu_ms() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

} // namespace

TEST_P(Conformance, S49_PriorityInheritanceOwnerRunsWhileHogRuns) {
    SYNC_REQUIRED();
    if (auto why = fifo_refused(); !why.empty())
        GTEST_SKIP() << why;
    const int cpu = first_cpu();
    const double kCriticalMs = 50, kHogMs = 600;
    HANDLE m = RtCreateMutexA(nullptr, FALSE, name("s49pi").c_str());
    std::atomic<int> low_owns{0}, hog_running{0};
    std::int64_t t0 = 0, t_low_done = 0, t_high_got = 0, t_hog_end = 0;
    DWORD high_result = 0;
    pthread_t low, high, hog;
    // Low (FIFO 10) owns the mutex, and once the hog runs, needs 50 ms of CPU.
    ASSERT_EQ(start_fifo(low, 10, cpu,
                         [&] {
                             RtWaitForSingleObject(m, INFINITE);
                             low_owns = 1;
                             while (hog_running.load() == 0)
                                 ::usleep(1000);
                             double c0 = thread_cpu_ms();
                             while (thread_cpu_ms() - c0 < kCriticalMs) {
                             }
                             t_low_done = now_ns();
                             RtReleaseMutex(m);
                         }),
              0);
    ASSERT_TRUE(eventually([&] { return low_owns.load() == 1; }));
    // High (FIFO 30) blocks on it: Low now runs at 30.
    ASSERT_EQ(start_fifo(high, 30, cpu,
                         [&] {
                             high_result = RtWaitForSingleObject(m, 10000);
                             t_high_got = now_ns();
                             RtReleaseMutex(m);
                         }),
              0);
    ASSERT_TRUE(wait_for_waiters(m, 1));
    // Medium (FIFO 20) hogs the CPU for 600 ms: without inheritance Low,
    // at 10, could not run before it ends.
    t0 = now_ns();
    ASSERT_EQ(start_fifo(hog, 20, cpu,
                         [&] {
                             hog_running = 1;
                             while (ms_since(t0) < kHogMs) {
                             }
                             t_hog_end = now_ns();
                         }),
              0);
    ::pthread_join(hog, nullptr);
    ::pthread_join(high, nullptr);
    ::pthread_join(low, nullptr);
    auto rel = [&](std::int64_t t) { return static_cast<double>(t - t0) / 1e6; };
    std::printf("S49 priority inheritance on CPU %d: hog (FIFO 20) ran 0..%.1f ms; owner (FIFO "
                "10) finished its %.0f ms critical section at %.1f ms; waiter (FIFO 30) got the "
                "mutex at %.1f ms\n",
                cpu, rel(t_hog_end), kCriticalMs, rel(t_low_done), rel(t_high_got));
    EXPECT_EQ(high_result, WAIT_OBJECT_0);
    EXPECT_LT(t_low_done, t_hog_end) << "the owner did not run while the hog ran: no inheritance";
    EXPECT_LT(t_high_got, t_hog_end) << "the high-priority waiter waited for the hog";
    RtCloseHandle(m);
}

namespace {

enum class Grant { mutex, event, semaphore };

// Waiters at FIFO priorities arrive in order; the object is then given one
// grant at a time: they must be served by priority, FIFO among equals.
void wake_order(Grant g) {
    HANDLE h = g == Grant::mutex   ? RtCreateMutexA(nullptr, TRUE, nullptr)
               : g == Grant::event ? RtCreateEventA(nullptr, FALSE, FALSE, nullptr)
                                   : RtCreateSemaphoreA(nullptr, 0, 10, nullptr);
    ASSERT_NE(h, nullptr);
    const int prios[] = {10, 30, 20, 20, 5};
    const int want[] = {1, 2, 3, 0, 4}; // arrival indexes in grant order
    std::mutex mu;
    std::vector<int> order;
    std::vector<pthread_t> ts(5);
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(start_fifo(ts[static_cast<std::size_t>(i)], prios[i], -1,
                             [&, i] {
                                 DWORD r = RtWaitForSingleObject(h, 10000);
                                 {
                                     std::lock_guard lock(mu);
                                     order.push_back(r == WAIT_OBJECT_0 ? i : -1);
                                 }
                                 if (g == Grant::mutex)
                                     RtReleaseMutex(h);
                             }),
                  0);
        ASSERT_TRUE(wait_for_waiters(h, static_cast<DWORD>(i + 1)));
    }
    for (std::size_t k = 1; k <= 5; ++k) {
        if (g == Grant::mutex) {
            if (k == 1)
                RtReleaseMutex(h); // the rest hand over one to the next
        } else if (g == Grant::event) {
            RtSetEvent(h);
        } else {
            RtReleaseSemaphore(h, 1, nullptr);
        }
        EXPECT_TRUE(eventually([&] {
            std::lock_guard lock(mu);
            return order.size() >= k;
        }));
    }
    for (auto t : ts)
        ::pthread_join(t, nullptr);
    std::vector<int> expected(want, want + 5);
    EXPECT_EQ(order, expected) << "grant order by priority (10, 30, 20, 20, 5 arriving)";
    RtCloseHandle(h);
}

} // namespace

TEST_P(Conformance, S49_MutexGrantedByPriorityThenFifo) {
    SYNC_REQUIRED();
    if (auto why = fifo_refused(); !why.empty())
        GTEST_SKIP() << why;
    wake_order(Grant::mutex);
}

TEST_P(Conformance, S49_AutoEventReleasesByPriorityThenFifo) {
    SYNC_REQUIRED();
    if (auto why = fifo_refused(); !why.empty())
        GTEST_SKIP() << why;
    wake_order(Grant::event);
}

TEST_P(Conformance, S49_SemaphoreReleasesByPriorityThenFifo) {
    SYNC_REQUIRED();
    if (auto why = fifo_refused(); !why.empty())
        GTEST_SKIP() << why;
    wake_order(Grant::semaphore);
}

} // namespace conf
