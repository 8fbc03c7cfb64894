// SPDX-License-Identifier: MIT
// compat.cpp: the run-time calls behind the compatibility folder
// (include/rtshm/compat/, S60): RtPrintf, RtWprintf, RtSleep, RtSleepFt,
// RtGetClockTime, RtGetClockResolution, and the RtShm* functions that its
// <windows.h> wraps as Sleep, QueryPerformanceCounter and so on.
//
// Only C symbols, no exception across them. Times are 100 ns units on
// CLOCK_MONOTONIC; sleeps run to an absolute deadline, so a signal handler
// does not shorten them.
#include "last_error.hpp"
#include "utf8.hpp"

#include <rtapi.h>
#include <rtshm/compat/rtssapi.h>
#include <rtshm/compat/windows.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <cwchar>
#include <sched.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

constexpr std::int64_t kNsPer100 = 100;
constexpr std::int64_t kNsPerSec = 1000000000;

std::int64_t monotonic_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * kNsPerSec + ts.tv_nsec;
}

void sleep_ns(std::int64_t ns) noexcept {
    if (ns <= 0) {
        ::sched_yield();
        return;
    }
    timespec deadline{};
    ::clock_gettime(CLOCK_MONOTONIC, &deadline);
    std::int64_t t = std::int64_t{deadline.tv_sec} * kNsPerSec + deadline.tv_nsec + ns;
    deadline.tv_sec = static_cast<time_t>(t / kNsPerSec);
    deadline.tv_nsec = static_cast<long>(t % kNsPerSec);
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
    }
}

bool known_clock(std::uint32_t c) {
    return c == CLOCK_FASTEST || c == CLOCK_SYSTEM;
}

} // namespace

extern "C" {

int RtPrintf(const char *format, ...) {
    if (format == nullptr)
        return -1;
    va_list ap;
    va_start(ap, format);
    int n = std::vprintf(format, ap);
    va_end(ap);
    return n;
}

int RtWprintf(const wchar_t *format, ...) {
    if (format == nullptr)
        return -1;
    try {
        std::vector<wchar_t> buf(256);
        int n;
        for (;;) {
            va_list ap;
            va_start(ap, format);
            n = std::vswprintf(buf.data(), buf.size(), format, ap);
            va_end(ap);
            if (n >= 0)
                break;
            if (buf.size() >= (std::size_t{1} << 24))
                return -1; // a format error, not a short buffer
            buf.resize(buf.size() * 4);
        }
        auto u = rtshm::detail::wide_to_utf8(buf.data(), static_cast<std::size_t>(n));
        if (!u)
            return -1;
        return std::fwrite(u->data(), 1, u->size(), stdout) == u->size() ? n : -1;
    } catch (...) {
        return -1;
    }
}

void RtSleep(uint32_t Milliseconds) {
    sleep_ns(std::int64_t{Milliseconds} * 1000000);
}

void RtSleepFt(LARGE_INTEGER *pDuration) {
    if (pDuration == nullptr)
        return;
    std::int64_t q = pDuration->QuadPart;
    sleep_ns(q > INT64_MAX / kNsPer100 ? INT64_MAX / 2 : q * kNsPer100);
}

int RtGetClockTime(uint32_t Clock, LARGE_INTEGER *pTime) {
    if (pTime == nullptr || !known_clock(Clock)) {
        rtshm::detail::set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    pTime->QuadPart = monotonic_ns() / kNsPer100;
    return TRUE;
}

int RtGetClockResolution(uint32_t Clock, LARGE_INTEGER *pResolution) {
    if (pResolution == nullptr || !known_clock(Clock)) {
        rtshm::detail::set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    timespec res{};
    ::clock_getres(CLOCK_MONOTONIC, &res);
    std::int64_t ns = std::int64_t{res.tv_sec} * kNsPerSec + res.tv_nsec;
    pResolution->QuadPart = ns <= kNsPer100 ? 1 : (ns + kNsPer100 - 1) / kNsPer100;
    return TRUE;
}

void RtShmQueryPerformanceCounter(int64_t *count) {
    if (count != nullptr)
        *count = monotonic_ns();
}

int64_t RtShmQueryPerformanceFrequency(void) {
    return kNsPerSec;
}

uint32_t RtShmGetCurrentProcessorNumber(void) {
    int c = ::sched_getcpu();
    return c < 0 ? 0u : static_cast<uint32_t>(c);
}

uint32_t RtShmGetCurrentProcessId(void) {
    return static_cast<uint32_t>(::getpid());
}

uint32_t RtShmGetCurrentThreadId(void) {
    return static_cast<uint32_t>(::gettid());
}

} // extern "C"
