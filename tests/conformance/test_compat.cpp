// SPDX-License-Identifier: MIT
// test_compat.cpp: rule S60, the run-time calls of the compatibility folder
// (include/rtshm/compat/): the RTX clock and sleeps in 100 ns units on
// CLOCK_MONOTONIC, the Win32 timing and placement calls, RtPrintf and
// RtWprintf. Not backend-specific: each runs once per backend like the rest.
#include "harness.hpp"

#include <rtshm/compat/rtssapi.h>
#include <rtshm/compat/windows.h>

#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <sched.h>
#include <string>
#include <unistd.h>

namespace conf {
namespace {

std::int64_t mono_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// What fn writes to stdout, run in a child.
std::string stdout_of(void (*fn)()) {
    int p[2];
    if (::pipe(p) != 0)
        return "pipe failed";
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(p[1], 1);
        ::close(p[0]);
        fn();
        std::fflush(stdout);
        ::_exit(0);
    }
    ::close(p[1]);
    std::string s;
    char buf[256];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            s.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    return s;
}

} // namespace

TEST_P(Conformance, S60_RtGetClockTimeIs100nsUnitsOfClockMonotonic) {
    for (CLOCK c : {CLOCK(CLOCK_FASTEST), CLOCK(CLOCK_SYSTEM)}) {
        LARGE_INTEGER t{};
        std::int64_t before = mono_ns() / 100;
        ASSERT_TRUE(RtGetClockTime(c, &t)) << c;
        std::int64_t after = mono_ns() / 100;
        EXPECT_GE(t.QuadPart, before) << c;
        EXPECT_LE(t.QuadPart, after) << c;
        LARGE_INTEGER r{};
        ASSERT_TRUE(RtGetClockResolution(c, &r));
        // The kernel's own resolution, in 100 ns units (at least 1): a
        // kernel without high-resolution timers has jiffies (4 ms at HZ=250).
        timespec res{};
        ASSERT_EQ(::clock_getres(CLOCK_MONOTONIC, &res), 0);
        std::int64_t want = (res.tv_sec * 1000000000LL + res.tv_nsec + 99) / 100;
        EXPECT_EQ(r.QuadPart, want < 1 ? 1 : want) << c;
    }
    LARGE_INTEGER t{};
    SetLastError(0);
    EXPECT_FALSE(RtGetClockTime(12345, &t));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(RtGetClockTime(CLOCK_FASTEST, nullptr));
    EXPECT_FALSE(RtGetClockResolution(12345, &t));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_P(Conformance, S60_RtSleepFtRtSleepAndSleepWaitAtLeastTheirDuration) {
    LARGE_INTEGER d{};
    d.QuadPart = 200000; // 20 ms
    std::int64_t t0 = mono_ns();
    RtSleepFt(&d);
    std::int64_t t1 = mono_ns();
    EXPECT_GE(t1 - t0, 20000000);
    RtSleep(15);
    std::int64_t t2 = mono_ns();
    EXPECT_GE(t2 - t1, 15000000);
    Sleep(10);
    std::int64_t t3 = mono_ns();
    EXPECT_GE(t3 - t2, 10000000);
    d.QuadPart = 0; // yields
    RtSleepFt(&d);
    d.QuadPart = -5;
    RtSleepFt(&d);
    RtSleepFt(nullptr);
    EXPECT_LT(mono_ns() - t3, 1000000000) << "a zero or negative sleep took a second";
}

TEST_P(Conformance, S60_QueryPerformanceCounterCountsNanosecondsOfClockMonotonic) {
    LARGE_INTEGER f{}, a{}, b{};
    ASSERT_TRUE(QueryPerformanceFrequency(&f));
    EXPECT_EQ(f.QuadPart, 1000000000);
    std::int64_t before = mono_ns();
    ASSERT_TRUE(QueryPerformanceCounter(&a));
    ::usleep(2000);
    ASSERT_TRUE(QueryPerformanceCounter(&b));
    std::int64_t after = mono_ns();
    EXPECT_GE(a.QuadPart, before);
    EXPECT_LE(b.QuadPart, after);
    EXPECT_GE(b.QuadPart - a.QuadPart, 2000000);
    EXPECT_FALSE(QueryPerformanceCounter(nullptr));
    EXPECT_FALSE(QueryPerformanceFrequency(nullptr));
    LONGLONG ll = a.QuadPart;
    ULONGLONG ull = static_cast<ULONGLONG>(b.QuadPart);
    EXPECT_GT(ull, static_cast<ULONGLONG>(ll) - 1);
}

TEST_P(Conformance, S60_GetCurrentIdsArePidTidAndCpu) {
    EXPECT_EQ(GetCurrentProcessId(), static_cast<uint32_t>(::getpid()));
    EXPECT_EQ(GetCurrentThreadId(), static_cast<uint32_t>(::gettid()));
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    cpu_set_t old;
    ASSERT_EQ(::sched_getaffinity(0, sizeof old, &old), 0);
    if (::sched_setaffinity(0, sizeof one, &one) == 0) {
        EXPECT_EQ(GetCurrentProcessorNumber(), 0u);
        ::sched_setaffinity(0, sizeof old, &old);
    }
    EXPECT_LT(GetCurrentProcessorNumber(), static_cast<uint32_t>(CPU_SETSIZE));
}

TEST_P(Conformance, S60_RtPrintfAndRtWprintfWriteToStdoutInUtf8) {
    std::string out = stdout_of([] {
        RtPrintf("a%d-%s|", 1, "b");
        RtWprintf(L"w%d-%ls|", 2, L"\u00E4\U0001F916");
        RtPrintf("end");
    });
    EXPECT_EQ(out, "a1-b|w2-\xC3\xA4\xF0\x9F\xA4\x96|end");
    EXPECT_EQ(RtWprintf(nullptr), -1);
}

TEST_P(Conformance, S60_ExitProcessExitsWithItsCode) {
    int st = in_child([] {
        ExitProcess(7);
        return 0;
    });
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 7) << describe(st);
}

} // namespace conf
