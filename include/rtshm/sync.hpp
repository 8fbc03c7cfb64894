// SPDX-License-Identifier: MIT
// rtshm/sync.hpp: the C++23 API of RTX events, mutexes, semaphores and
// waits (S40-S59).
//
// Exists so that C++ code gets them as move-only RAII values (the handle is
// closed with the object), timeouts as std::chrono durations and results as
// std::expected, as rtshm::SharedMemory does. Header-only over the C ABI of
// <rtapi.h>: librtshm exports C symbols only. Nothing here throws. Names are
// UTF-8, at most 256 bytes (the A functions'); empty or none: unnamed.
#ifndef RTSHM_SYNC_HPP
#define RTSHM_SYNC_HPP

// One clear error, and nothing after it, for a consumer below C++23.
// clang-format off
#if !defined(__cplusplus) || __cplusplus <= 202002L
#error "<rtshm/sync.hpp> needs C++23 (-std=c++23, -std=c++2b on GCC 12): it returns std::expected. C and older C++ can use <rtshm/rtshm.h>."
#else
#include <version>
#if !defined(__cpp_lib_expected)
#error "<rtshm/sync.hpp> needs a C++ library with std::expected (libstdc++ 12 or later, in C++23 mode)"
#endif
#endif
// clang-format on
#if defined(__cpp_lib_expected)

#include <rtapi.h>
#include <rtshm/rtshm.h>
#include <rtshm/rtshm.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace rtshm {

// A wait's timeout; `infinite` waits for ever. Rounded up to 100 ns (never
// early, S54); zero or negative tests and returns.
using Timeout = std::chrono::nanoseconds;
inline constexpr Timeout infinite = Timeout::max();

enum class WaitStatus { signaled, abandoned, timeout };
struct WaitResult {
    WaitStatus status = WaitStatus::timeout;
    std::size_t index = 0; // of wait_any's object that was taken
};

// Not rtshm::detail: that is librtshm's internal namespace, and a test that
// links the internals must not see two definitions of one name.
namespace sync_detail {
using c_bridge::last_error;
inline ULARGE_INTEGER to_100ns(Timeout t) noexcept {
    ULARGE_INTEGER u{};
    if (t == infinite)
        u.QuadPart = UINT64_MAX;
    else if (t.count() > 0)
        u.QuadPart = (static_cast<std::uint64_t>(t.count()) + 99) / 100;
    return u;
}
inline const char *c_name(const std::optional<std::string> &n) noexcept {
    return n ? n->c_str() : nullptr;
}
// The C calls read a NUL-terminated name: a NUL inside it is refused here
// rather than cutting the name short.
inline bool has_nul(const std::string &n) noexcept {
    return n.find('\0') != std::string::npos;
}
inline bool has_nul(const std::optional<std::string> &n) noexcept {
    return n && has_nul(*n);
}
} // namespace sync_detail

// One handle to an event, mutex or semaphore; destroying it is RtCloseHandle.
class SyncHandle {
public:
    SyncHandle() noexcept = default;
    SyncHandle(SyncHandle &&o) noexcept : h_(std::exchange(o.h_, nullptr)), created_(o.created_) {}
    SyncHandle &operator=(SyncHandle &&o) noexcept {
        if (this != &o) {
            close();
            h_ = std::exchange(o.h_, nullptr);
            created_ = o.created_;
        }
        return *this;
    }
    SyncHandle(const SyncHandle &) = delete;
    SyncHandle &operator=(const SyncHandle &) = delete;
    ~SyncHandle() { close(); }

    explicit operator bool() const noexcept { return h_ != nullptr; }
    HANDLE native_handle() const noexcept { return h_; }
    bool created() const noexcept { return created_; } // this create made the object
    void close() noexcept {
        if (h_ != nullptr)
            RtCloseHandle(std::exchange(h_, nullptr));
    }
    // RtWaitForSingleObjectEx: signaled (and taken), abandoned (a mutex, S48)
    // or timeout.
    std::expected<WaitStatus, Error> wait(Timeout t = infinite) const noexcept {
        ULARGE_INTEGER u = sync_detail::to_100ns(t);
        switch (DWORD r = RtWaitForSingleObjectEx(h_, &u)) {
        case WAIT_OBJECT_0:
            return WaitStatus::signaled;
        case WAIT_ABANDONED_0:
            return WaitStatus::abandoned;
        case WAIT_TIMEOUT:
            return WaitStatus::timeout;
        default:
            (void)r;
            return std::unexpected(sync_detail::last_error());
        }
    }

protected:
    SyncHandle(HANDLE h, bool created) noexcept : h_(h), created_(created) {}
    static std::expected<void, Error> check(BOOL ok) noexcept {
        if (ok)
            return {};
        return std::unexpected(sync_detail::last_error());
    }

private:
    HANDLE h_ = nullptr;
    bool created_ = false;
};

struct EventOptions {
    std::optional<std::string> name{};
    bool manual_reset = false;
    bool initially_set = false;
};

class Event : public SyncHandle {
public:
    Event() noexcept = default;
    static std::expected<Event, Error> create(const EventOptions &o = {}) noexcept {
        if (sync_detail::has_nul(o.name))
            return std::unexpected(Error::invalid_parameter);
        HANDLE h =
            RtCreateEventA(nullptr, o.manual_reset, o.initially_set, sync_detail::c_name(o.name));
        if (h == nullptr)
            return std::unexpected(sync_detail::last_error());
        return Event(h, GetLastError() != ERROR_ALREADY_EXISTS);
    }
    static std::expected<Event, Error> open(const std::string &name) noexcept {
        if (sync_detail::has_nul(name))
            return std::unexpected(Error::invalid_parameter);
        HANDLE h = RtOpenEventA(0, FALSE, name.c_str());
        if (h == nullptr)
            return std::unexpected(sync_detail::last_error());
        return Event(h, false);
    }
    std::expected<void, Error> set() const noexcept { return check(RtSetEvent(native_handle())); }
    std::expected<void, Error> reset() const noexcept {
        return check(RtResetEvent(native_handle()));
    }
    std::expected<void, Error> pulse() const noexcept {
        return check(RtPulseEvent(native_handle()));
    }

private:
    using SyncHandle::SyncHandle;
};

class Mutex : public SyncHandle {
public:
    Mutex() noexcept = default;
    static std::expected<Mutex, Error> create(const std::optional<std::string> &name = {},
                                              bool initial_owner = false) noexcept {
        if (sync_detail::has_nul(name))
            return std::unexpected(Error::invalid_parameter);
        HANDLE h = RtCreateMutexA(nullptr, initial_owner, sync_detail::c_name(name));
        if (h == nullptr)
            return std::unexpected(sync_detail::last_error());
        return Mutex(h, GetLastError() != ERROR_ALREADY_EXISTS);
    }
    static std::expected<Mutex, Error> open(const std::string &name) noexcept {
        if (sync_detail::has_nul(name))
            return std::unexpected(Error::invalid_parameter);
        HANDLE h = RtOpenMutexA(0, FALSE, name.c_str());
        if (h == nullptr)
            return std::unexpected(sync_detail::last_error());
        return Mutex(h, false);
    }
    // Error::not_owner unless the calling thread owns it (S47).
    std::expected<void, Error> release() const noexcept {
        return check(RtReleaseMutex(native_handle()));
    }

private:
    using SyncHandle::SyncHandle;
};

class Semaphore : public SyncHandle {
public:
    Semaphore() noexcept = default;
    static std::expected<Semaphore, Error> create(const std::optional<std::string> &name,
                                                  std::int32_t initial,
                                                  std::int32_t maximum) noexcept {
        if (sync_detail::has_nul(name))
            return std::unexpected(Error::invalid_parameter);
        HANDLE h = RtCreateSemaphoreA(nullptr, initial, maximum, sync_detail::c_name(name));
        if (h == nullptr)
            return std::unexpected(sync_detail::last_error());
        return Semaphore(h, GetLastError() != ERROR_ALREADY_EXISTS);
    }
    static std::expected<Semaphore, Error> open(const std::string &name) noexcept {
        if (sync_detail::has_nul(name))
            return std::unexpected(Error::invalid_parameter);
        HANDLE h = RtOpenSemaphoreA(0, FALSE, name.c_str());
        if (h == nullptr)
            return std::unexpected(sync_detail::last_error());
        return Semaphore(h, false);
    }
    // Adds n; the count before. Error::too_many_posts above the maximum.
    std::expected<std::int32_t, Error> release(std::int32_t n = 1) const noexcept {
        LONG prev = 0;
        if (!RtReleaseSemaphore(native_handle(), n, &prev))
            return std::unexpected(sync_detail::last_error());
        return prev;
    }

private:
    using SyncHandle::SyncHandle;
};

// RtWaitForMultipleObjectsEx over 1..64 objects: the lowest-index one that
// is signaled is taken, and only that one (S52).
inline std::expected<WaitResult, Error> wait_any(std::span<const SyncHandle *const> objs,
                                                 Timeout t = infinite) noexcept {
    HANDLE hs[MAX_WFMO];
    if (objs.empty() || objs.size() > MAX_WFMO)
        return std::unexpected(Error::invalid_parameter);
    for (std::size_t i = 0; i < objs.size(); ++i)
        hs[i] = objs[i] != nullptr ? objs[i]->native_handle() : nullptr;
    ULARGE_INTEGER u = sync_detail::to_100ns(t);
    DWORD n = static_cast<DWORD>(objs.size());
    DWORD r = RtWaitForMultipleObjectsEx(n, hs, FALSE, &u);
    if (r < n)
        return WaitResult{WaitStatus::signaled, r - WAIT_OBJECT_0};
    if (r >= WAIT_ABANDONED_0 && r < WAIT_ABANDONED_0 + n)
        return WaitResult{WaitStatus::abandoned, r - WAIT_ABANDONED_0};
    if (r == WAIT_TIMEOUT)
        return WaitResult{WaitStatus::timeout, 0};
    return std::unexpected(sync_detail::last_error());
}

} // namespace rtshm

#endif // __cpp_lib_expected

#endif // RTSHM_SYNC_HPP
