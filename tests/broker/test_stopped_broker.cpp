// SPDX-License-Identifier: MIT
// S21 with a broker that does not read (SIGSTOP here; a debugger, a frozen
// cgroup or real-time threads that starve it in real life): a close is a
// real-time call and returns at once all the same. What the broker's queue
// cannot take is kept and sent, in order, when it reads again; past what can
// be kept, the connection is dropped, which the broker takes as the close
// of all its handles, and the handles still held are told to it again
// (S24). Either way the closed objects go and the held one stays.
#include "support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace btest {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// A child makes `objects` objects (and one it keeps), the broker is
// stopped, the child closes them all and then creates the last name again
// (its create must wait for the closes to reach the broker: a new,
// zero-filled object, S23); the broker goes on.
void close_while_stopped(int objects) {
    const std::string stem = unique_name("stopped");
    // The last one closed: its close is one of those kept (or, past them,
    // the dropped connection's).
    const std::string kept = stem + ".kept", again = stem + "." + std::to_string(objects - 1);
    Gate made, closed, recreated, go;
    pid_t kid = spawn([&] {
        rlimit nofile{};
        ::getrlimit(RLIMIT_NOFILE, &nofile); // a descriptor per handle
        nofile.rlim_cur = nofile.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &nofile);
        RTSHM_SHM_VIEW kv{};
        if (create_n(kept, 4096, 0, 0600, &kv) == nullptr)
            return 4;
        std::vector<HANDLE> hs;
        for (int i = 0; i < objects; ++i) {
            RTSHM_SHM_VIEW v{};
            HANDLE h = create_n(stem + "." + std::to_string(i), 4096, 0, 0600, &v);
            if (h == nullptr)
                return 2;
            std::memset(v.address, 0x5a, 4096);
            hs.push_back(h);
        }
        made.open_gate();
        // A failure from here on lets the parent go on to read the code.
        auto fail = [&](int code) {
            closed.open_gate();
            recreated.open_gate();
            return code;
        };
        go.wait_open(); // the broker is stopped now
        auto t0 = steady_clock::now();
        nanoseconds longest{};
        for (HANDLE h : hs) {
            auto c0 = steady_clock::now();
            if (!RtCloseHandle(h))
                return fail(3);
            longest = std::max(longest, steady_clock::now() - c0);
        }
        auto took = duration_cast<microseconds>(steady_clock::now() - t0);
        std::printf("[ figure ] %d closes with the broker stopped: %lld us in all, the longest "
                    "%lld us\n",
                    objects, static_cast<long long>(took.count()),
                    static_cast<long long>(duration_cast<microseconds>(longest).count()));
        std::fflush(stdout);
        // fork() does not wait for the broker either: the child gets no
        // copy of the connection (it would hold the closed handles).
        auto f0 = steady_clock::now();
        pid_t g = ::fork();
        if (g == 0)
            ::_exit(0);
        auto forked = steady_clock::now() - f0;
        ::waitpid(g, nullptr, 0);
        if (forked > 1s)
            return fail(8);
        closed.open_gate();
        RTSHM_SHM_VIEW v{};
        HANDLE h = create_n(again, 4096, 0, 0600, &v); // waits for the broker
        if (h == nullptr)
            return fail(5);
        if (GetLastError() != 0)
            return fail(6); // it found the object closed before: the close came late
        const auto *b = static_cast<const unsigned char *>(v.address);
        if (std::any_of(b, b + 4096, [](unsigned char c) { return c != 0; }))
            return fail(7);
        recreated.open_gate();
        go.wait_open(); // hold the process (and its handles) until the parent looked
        return 0;
    });
    ASSERT_GT(kid, 0);
    ASSERT_TRUE(made.read_bytes(1, 120s)) << "the child could not make its objects";
    const pid_t b = broker().pid();
    ASSERT_EQ(::kill(b, SIGSTOP), 0);
    go.open_gate();
    bool done = closed.read_bytes(1, 5s);
    ASSERT_EQ(::kill(b, SIGCONT), 0);
    EXPECT_TRUE(done) << "closes blocked on the stopped broker";
    if (!done) {
        ASSERT_TRUE(closed.read_bytes(1, 60s)) << "the closes never finished";
    }
    EXPECT_TRUE(recreated.read_bytes(1, 20s)) << "the create after the closes failed";
    // The closed objects are gone for everyone although their process lives.
    int left = -1;
    for (auto t0 = steady_clock::now(); steady_clock::now() - t0 < 5s;
         std::this_thread::sleep_for(20ms)) {
        auto l = list_objects();
        ASSERT_TRUE(l.has_value());
        left = static_cast<int>(std::ranges::count_if(*l, [&](const ListedObject &o) {
            return o.name.starts_with(stem + ".") && o.name != kept && o.name != again;
        }));
        if (left == 0 && count_listed(kept) == 1)
            break;
    }
    EXPECT_EQ(left, 0) << "objects closed while the broker was stopped are still listed";
    EXPECT_EQ(count_listed(kept), 1) << "the object still held was lost";
    EXPECT_EQ(count_listed(again), 1);
    go.open_gate();
    EXPECT_EQ(wait_for(kid, 10s), 0)
        << "5: the create failed, 6: it found the closed object, 7: not zero-filled, 8: fork "
           "waited for the broker";
}

TEST(Broker, S21_ClosesWhileTheBrokerIsStoppedReturnAtOnceAndArriveInOrder) {
    close_while_stopped(2000); // far more than the socket queue holds, fewer than are kept
}

TEST(Broker, S21_MoreClosesThanCanBeKeptDropTheConnectionNotTheHeldObjects) {
    close_while_stopped(6000); // more than the socket queue and the 4096 kept posts
}

// A close is a real-time call: it must not wait while another thread of its
// process is in a create (or open, or list) that the stopped broker does not
// answer; that create waits up to the reply limit (5 s) and then fails.
TEST(Broker, S21_ACloseDoesNotWaitForAnotherThreadsCallToTheBroker) {
    const std::string held = unique_name("closewait.held"), asked = unique_name("closewait.new");
    Gate made, go, done, looked;
    pid_t kid = spawn([&] {
        RTSHM_SHM_VIEW hv{};
        HANDLE h = create_n(held, 4096, 0, 0600, &hv);
        if (h == nullptr)
            return 2;
        made.open_gate();
        go.wait_open(); // the broker is stopped now
        HANDLE n = nullptr;
        std::thread caller([&] {
            RTSHM_SHM_VIEW v{};
            n = create_n(asked, 4096, 0, 0600, &v); // answered once the broker goes on
        });
        std::this_thread::sleep_for(300ms); // the caller waits for its reply by now
        auto t0 = steady_clock::now();
        bool closed = RtCloseHandle(h);
        auto took = duration_cast<microseconds>(steady_clock::now() - t0);
        std::printf("[ figure ] a close while another thread waits for the stopped broker: "
                    "%lld us\n",
                    static_cast<long long>(took.count()));
        std::fflush(stdout);
        done.open_gate();
        caller.join();
        made.open_gate(); // the parent looks at the listing now
        looked.wait_open();
        if (!closed)
            return 3;
        if (n == nullptr)
            return 4;
        return took < 500ms ? 0 : 9;
    });
    ASSERT_GT(kid, 0);
    ASSERT_TRUE(made.read_bytes(1, 60s)) << "the child could not make its object";
    const pid_t b = broker().pid();
    ASSERT_EQ(::kill(b, SIGSTOP), 0);
    go.open_gate();
    bool closed = done.read_bytes(1, 20s);
    ASSERT_EQ(::kill(b, SIGCONT), 0);
    EXPECT_TRUE(closed) << "the close never returned";
    EXPECT_TRUE(made.read_bytes(1, 20s)) << "the other thread's create never returned";
    // While the child lives: the closed object is gone, the created one is there.
    int left = -1;
    for (auto t0 = steady_clock::now(); steady_clock::now() - t0 < 5s;
         std::this_thread::sleep_for(20ms))
        if ((left = count_listed(held)) == 0)
            break;
    EXPECT_EQ(left, 0) << "the object closed while the broker was stopped is still listed";
    EXPECT_EQ(count_listed(asked), 1) << "the other thread's object is not listed";
    looked.open_gate();
    EXPECT_EQ(wait_for(kid, 30s), 0)
        << "3: the close failed, 4: the other thread's create failed, 9: the close waited for "
           "the other thread's call";
}

} // namespace
} // namespace btest
