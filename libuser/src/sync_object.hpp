// SPDX-License-Identifier: MIT
// sync_object.hpp: an event, mutex or semaphore: one page of state words in
// an object of its own type in the shared namespace (S29, S40).
//
// Exists so that every synchronisation call works on the same layout in
// whichever backend holds the page (POSIX file on tmpfs, rtshm.ko object):
// the state lives in the shared page itself, and every call runs on futexes
// in it, so a satisfied wait or an uncontended mutex is a few atomic
// instructions (S57). The design is in libuser/README.md.
#pragma once

#include "backend.hpp"
#include "futex.hpp"

#include <rtapi.h>
#include "core.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string_view>

namespace rtshm::detail {

enum class SyncType : std::uint32_t { event = 2, mutex = 3, semaphore = 4 }; // RTSHM_TYPE_*

// A mutex's words, in one cache line: the owner writes nothing else, so a
// hand-over between CPUs moves one line (a contended pair took three, with
// the owner's stores to the other two inside its critical section). `lock`
// and `watch` are robust futex words: each has its robust-list links 32
// bytes on (glibc's futex_offset, where a pthread_mutex_t has __list), and
// the two entries interleave. See sync_mutex.cpp.
struct MutexLine {
    std::uint32_t lock;      // PI futex: owner TID | FUTEX_WAITERS | FUTEX_OWNER_DIED
    std::uint32_t recursion; // times the owner holds it
    std::int32_t owner_pid;  // the owner's process, for RtShmQuerySyncObject
    std::uint32_t waiters;   // single waits blocked on `lock` (multiple: SyncPage::waiters)
    std::uint32_t watch;     // robust non-PI futex: the owner's TID (or none)
    std::uint32_t mwaiters;  // multiple waits that may sleep on `watch`
    void *lock_prev;         // robust-list links of `lock`
    void *lock_next;
    void *watch_prev; // robust-list links of `watch`
    void *watch_next;
    std::uint64_t reserved1;
};
static_assert(sizeof(MutexLine) == 64);
static_assert(offsetof(MutexLine, lock_next) - offsetof(MutexLine, lock) == 32 &&
                  offsetof(MutexLine, watch_next) - offsetof(MutexLine, watch) == 32,
              "a robust word's link is 32 bytes on (robust_list.hpp)");

// The shared page. Every field is read and written with atomics (or, for
// the robust-list links, by their owner); the layout is the cross-process ABI.
struct SyncPage {
    std::uint32_t ready;   // kReady once the creator has initialised the rest
    std::uint32_t type;    // SyncType
    std::uint32_t seq;     // futex word of event/semaphore waiters, bumped by a wake
    std::uint32_t waiters; // threads blocked on this object, in every process
    // event
    std::uint32_t manual;
    std::uint32_t signaled;
    std::uint32_t pulse_epoch; // bumped by each pulse (S45)
    std::uint32_t pulse_token; // auto-reset: the epoch whose one release is unclaimed
    // semaphore
    std::int32_t count;
    std::int32_t maximum;
    alignas(64) MutexLine mutex;
};
static_assert(sizeof(SyncPage) <= 4096 && offsetof(SyncPage, mutex) == 64);

// Also the layout's version: a library that lays the page out otherwise
// never finds another's page ready, and its open fails with
// ERROR_INVALID_HANDLE rather than misreading it. Older layouts, refused at
// once: "RTSY", whose mutexes were glibc's, and "RTS2", whose mutex words
// were on three cache lines.
inline constexpr std::uint32_t kReady = 0x52545333; // "RTS3"
inline constexpr std::uint32_t kReadyOlder[] = {0x52545359, 0x52545332};
inline constexpr std::uint64_t kSyncPageSize = 4096;

template <class T> std::atomic_ref<T> at(T &v) noexcept {
    return std::atomic_ref<T>(v);
}

struct SyncInit {
    SyncType type = SyncType::event;
    bool manual = false;                         // event
    bool initial_state = false;                  // event
    bool initial_owner = false;                  // mutex
    std::int32_t initial_count = 0, maximum = 1; // semaphore
};

class SyncObject {
public:
    ~SyncObject();
    SyncObject(const SyncObject &) = delete;
    SyncObject &operator=(const SyncObject &) = delete;

    // Create (or, by name, open an existing object of the same type:
    // created false). Other type: invalid_handle (S29).
    static std::expected<std::shared_ptr<SyncObject>, Error>
    create(std::string_view name, const SyncInit &init, bool &created) noexcept;
    static std::expected<std::shared_ptr<SyncObject>, Error> open(std::string_view name,
                                                                  SyncType type) noexcept;

    SyncType type() const noexcept { return type_; }
    SyncPage &page() const noexcept { return *page_; }
    std::uint64_t id() const noexcept { return id_; }

private:
    SyncObject() = default;
    static std::expected<std::shared_ptr<SyncObject>, Error> attach(std::unique_ptr<Mapping> m,
                                                                    SyncType type) noexcept;

    std::unique_ptr<Mapping> map_;
    SyncPage *page_ = nullptr;
    SyncType type_ = SyncType::event;
    std::uint64_t id_ = 0;
};

// Wakes up to n threads blocked on an event or semaphore, if any is (the
// only system call a set or release makes, S57).
void wake_waiters(SyncPage &p, int n) noexcept;

// What a try to take one object found.
enum class Take { none, taken, abandoned, failed };

// What a take of the i-th object of a wait returns: WAIT_OBJECT_0 + i,
// WAIT_ABANDONED_0 + i, WAIT_TIMEOUT (none), or WAIT_FAILED with *err set
// (a mutex made unrecoverable).
inline DWORD wait_result(Take t, unsigned i, DWORD *err) noexcept {
    switch (t) {
    case Take::taken:
        return WAIT_OBJECT_0 + i;
    case Take::abandoned:
        return WAIT_ABANDONED_0 + i;
    case Take::failed:
        *err = ERROR_INVALID_HANDLE;
        return WAIT_FAILED;
    case Take::none:
        break;
    }
    return WAIT_TIMEOUT;
}

// event (sync_event.cpp)
void event_init(SyncPage &p, bool manual, bool initial) noexcept;
void event_set(SyncPage &p) noexcept;
void event_reset(SyncPage &p) noexcept;
void event_pulse(SyncPage &p) noexcept;
// armed: the caller was waiting since pulse epoch `epoch` (S45).
Take event_try(SyncPage &p, bool armed, std::uint32_t epoch) noexcept;
bool event_available(SyncPage &p) noexcept; // for a woken waiter that passes the wake on

// semaphore (sync_semaphore.cpp)
void semaphore_init(SyncPage &p, std::int32_t initial, std::int32_t maximum) noexcept;
// 0 or the Win32 error; *prev gets the count before.
DWORD semaphore_release(SyncPage &p, std::int32_t n, std::int32_t *prev) noexcept;
Take semaphore_try(SyncPage &p) noexcept;

// mutex: sync_mutex.hpp

// waits (sync_wait.cpp): WAIT_OBJECT_0 + i, WAIT_ABANDONED_0 + i,
// WAIT_TIMEOUT, or WAIT_FAILED with *err set.
DWORD wait_objects(SyncObject *const *objs, unsigned n, const Deadline &d, DWORD *err) noexcept;

} // namespace rtshm::detail
