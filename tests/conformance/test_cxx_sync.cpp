// SPDX-License-Identifier: MIT
// test_cxx_sync.cpp: the C++ API of events, mutexes, semaphores and
// wait_any (<rtshm/sync.hpp>): move-only RAII, chrono timeouts, errors as
// values.
#include "sync_helpers.hpp"

#include <rtshm/sync.hpp>

#include <array>
#include <thread>
#include <type_traits>

namespace conf {

static_assert(!std::is_copy_constructible_v<rtshm::Event>);
static_assert(std::is_nothrow_move_constructible_v<rtshm::Mutex>);
static_assert(std::is_nothrow_move_assignable_v<rtshm::Semaphore>);

TEST_P(Conformance, CxxApi_SyncObjectsAreRaiiWithChronoAndExpected) {
    SYNC_REQUIRED();
    using namespace std::chrono_literals;
    auto n = name("cxxsync");
    auto ev = rtshm::Event::create({.name = n, .manual_reset = true});
    ASSERT_TRUE(ev.has_value()) << rtshm::to_string(ev.error());
    EXPECT_TRUE(ev->created());
    {
        auto again = rtshm::Event::open(n);
        ASSERT_TRUE(again.has_value());
        EXPECT_FALSE(again->created());
        rtshm::Event moved = std::move(*again);
        EXPECT_FALSE(*again); // NOLINT: moved-from is empty
        EXPECT_TRUE(moved.set().has_value());
    } // closed here; the object lives on in ev
    EXPECT_EQ(ev->wait(0ms), rtshm::WaitStatus::signaled);
    EXPECT_TRUE(ev->reset().has_value());
    std::int64_t t0 = now_ns();
    EXPECT_EQ(ev->wait(25ms), rtshm::WaitStatus::timeout);
    EXPECT_GE(ms_since(t0), 25.0);
    EXPECT_EQ(rtshm::Mutex::open(n).error(), rtshm::Error::invalid_handle) << "S29";
    EXPECT_EQ(rtshm::Semaphore::open(name("none")).error(), rtshm::Error::file_not_found);

    auto mu = rtshm::Mutex::create({}, true);
    ASSERT_TRUE(mu.has_value());
    EXPECT_TRUE(mu->release().has_value());
    EXPECT_EQ(mu->release().error(), rtshm::Error::not_owner);

    auto se = rtshm::Semaphore::create(std::nullopt, 0, 2);
    ASSERT_TRUE(se.has_value());
    EXPECT_EQ(rtshm::Semaphore::create(std::nullopt, 3, 2).error(),
              rtshm::Error::invalid_parameter);
    std::array<const rtshm::SyncHandle *, 2> objs{&*ev, &*se};
    std::thread t([&] {
        std::this_thread::sleep_for(20ms);
        (void)se->release(2);
    });
    auto r = rtshm::wait_any(objs, rtshm::infinite);
    t.join();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->index, 1u);
    EXPECT_EQ(r->status, rtshm::WaitStatus::signaled);
    EXPECT_EQ(se->release(1).value_or(-1), 1);
    EXPECT_EQ(se->release(1).error(), rtshm::Error::too_many_posts);
    EXPECT_EQ(rtshm::wait_any({}).error(), rtshm::Error::invalid_parameter);
    rtshm::Event empty;
    EXPECT_EQ(empty.wait(0ms).error(), rtshm::Error::invalid_handle);
}

} // namespace conf
