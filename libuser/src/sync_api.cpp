// SPDX-License-Identifier: MIT
// sync_api.cpp: the C ABI of events, mutexes, semaphores and waits
// (S40-S58) and RtShmQuerySyncObject (S59).
//
// Validates every argument, and the handle's type, before touching an
// object (S55, S58); sets the last error as the shared-memory calls do (0
// on success, ERROR_ALREADY_EXISTS for a create that found the object). No
// exception crosses this boundary.
#include "handle_table.hpp"
#include "last_error.hpp"
#include "names.hpp"
#include "sync_mutex.hpp"
#include "sync_object.hpp"

#include <rtapi.h>
#include <rtshm/rtshm.h>

#include <climits>
#include <linux/futex.h>
#include <memory>
#include <optional>
#include <string>

using rtshm::detail::Deadline;
using rtshm::detail::set_last_error;
using rtshm::detail::SyncInit;
using rtshm::detail::SyncObject;
using rtshm::detail::SyncType;
using rtshm::detail::Take;

namespace {

HANDLE fail(DWORD e) {
    set_last_error(e);
    return nullptr;
}

BOOL fail_bool(DWORD e) {
    set_last_error(e);
    return FALSE;
}

HANDLE create(const std::optional<std::string> &name, const SyncInit &init) {
    bool created = false;
    auto o = SyncObject::create(name ? std::string_view(*name) : std::string_view(), init, created);
    if (!o)
        return fail(static_cast<DWORD>(o.error()));
    HANDLE h = rtshm::detail::handle_insert(std::move(*o));
    set_last_error(created ? ERROR_SUCCESS : ERROR_ALREADY_EXISTS);
    return h;
}

HANDLE open(const std::optional<std::string> &name, SyncType type) {
    if (!name)
        return fail(ERROR_INVALID_PARAMETER);
    auto o = SyncObject::open(*name, type);
    if (!o)
        return fail(static_cast<DWORD>(o.error()));
    HANDLE h = rtshm::detail::handle_insert(std::move(*o));
    set_last_error(ERROR_SUCCESS);
    return h;
}

template <class Name> HANDLE create_named(Name n, const SyncInit &init) {
    try {
        std::optional<std::string> name;
        if (!rtshm::detail::any_name(n, name))
            return fail(ERROR_INVALID_PARAMETER);
        return create(name, init);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

template <class Name> HANDLE open_named(Name n, SyncType type) {
    try {
        std::optional<std::string> name;
        if (!rtshm::detail::any_name(n, name))
            return fail(ERROR_INVALID_PARAMETER);
        return open(name, type);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

// The object of h if it is of that type; null (and ERROR_INVALID_HANDLE).
// Inline: the lookup is most of a set's or a release's cost (S57).
[[gnu::always_inline]] inline rtshm::detail::SyncRef of_type(HANDLE h, SyncType type) {
    auto o = rtshm::detail::handle_sync(h);
    if (!o || o->type() != type) {
        set_last_error(ERROR_INVALID_HANDLE);
        return {};
    }
    return o;
}

SyncInit event_init(BOOL manual, BOOL initial) {
    SyncInit i;
    i.type = SyncType::event;
    i.manual = manual != FALSE;
    i.initial_state = initial != FALSE;
    return i;
}

SyncInit mutex_init(BOOL owner) {
    SyncInit i;
    i.type = SyncType::mutex;
    i.initial_owner = owner != FALSE;
    return i;
}

SyncInit semaphore_init(LONG initial, LONG maximum) {
    SyncInit i;
    i.type = SyncType::semaphore;
    i.initial_count = initial;
    i.maximum = maximum;
    return i;
}

bool semaphore_args_ok(LONG initial, LONG maximum) {
    return maximum > 0 && initial >= 0 && initial <= maximum; // S42
}

Deadline from_ms(DWORD ms) {
    if (ms == INFINITE)
        return Deadline::never();
    return Deadline::in_ns(static_cast<std::uint64_t>(ms) * 1000000u);
}

// S53: NULL is invalid; both halves 0xFFFFFFFF is forever.
bool from_ex(PULARGE_INTEGER t, Deadline &d) {
    if (t == nullptr)
        return false;
    if (t->QuadPart == UINT64_MAX) {
        d = Deadline::never();
        return true;
    }
    std::uint64_t units = t->QuadPart;
    d = Deadline::in_ns(units > UINT64_MAX / 100 ? UINT64_MAX : units * 100);
    return true;
}

// The wait itself, on objects already looked up; WAIT_FAILED sets the
// last error.
DWORD wait_on(SyncObject *const *objs, DWORD n, const Deadline &d) {
    DWORD err = 0;
    DWORD r = rtshm::detail::wait_objects(objs, n, d, &err);
    if (r == WAIT_FAILED)
        set_last_error(err != 0 ? err : ERROR_INVALID_HANDLE);
    return r;
}

// Two or more handles. Apart from the single wait so that the common case
// neither builds nor destroys these arrays.
[[gnu::noinline]] DWORD wait_many(DWORD n, const HANDLE *hs, const Deadline &d) {
    // Every handle resolved and checked before any object is touched (S52).
    rtshm::detail::SyncRef keep[MAX_WFMO];
    SyncObject *objs[MAX_WFMO];
    for (DWORD i = 0; i < n; ++i) {
        keep[i] = rtshm::detail::handle_sync(hs[i]);
        if (!keep[i]) {
            set_last_error(ERROR_INVALID_HANDLE);
            return WAIT_FAILED;
        }
        objs[i] = keep[i].get();
    }
    for (DWORD i = 0; i < n; ++i)
        for (DWORD j = 0; j < i; ++j)
            if (objs[i]->id() == objs[j]->id() && objs[i]->type() == objs[j]->type()) {
                set_last_error(ERROR_INVALID_PARAMETER);
                return WAIT_FAILED;
            }
    return wait_on(objs, n, d);
}

// What a single wait's result is from a mutex's try that did not find it
// owned by another thread.
DWORD took(Take t) {
    DWORD err = 0;
    DWORD r = rtshm::detail::wait_result(t, 0, &err);
    if (r == WAIT_FAILED)
        set_last_error(err);
    return r;
}

// A single wait that hold_sync() left to handle_sync(): the thread's
// first call, a signal handler's that interrupted calls holding all the
// thread's hazards (a counted reference), a handle that is not live.
template <class MakeDeadline>
[[gnu::noinline]] DWORD wait_one_general(HANDLE h, MakeDeadline deadline) {
    auto o = rtshm::detail::handle_sync(h);
    if (!o) {
        set_last_error(ERROR_INVALID_HANDLE);
        return WAIT_FAILED;
    }
    if (o->type() == SyncType::mutex)
        if (Take t = rtshm::detail::mutex_try(o->page()); t != Take::none)
            return took(t);
    SyncObject *one = o.get();
    return wait_on(&one, 1, deadline());
}

// The rest of a single wait that wait_one() could not finish inline: one
// that may block, or a mutex's rarer outcomes. Takes over its hazard.
template <class MakeDeadline>
[[gnu::noinline]] DWORD wait_held(rtshm::detail::HandleSlot *s, std::uint64_t gen,
                                  MakeDeadline deadline) {
    rtshm::detail::SyncRef o(rtshm::detail::HeldSync{s, gen});
    SyncObject *obj = o.get();
    if (obj->type() == SyncType::mutex)
        if (Take t = rtshm::detail::mutex_try_slow(obj->page()); t != Take::none)
            return took(t);
    return wait_on(&obj, 1, deadline());
}

// A single wait; deadline() gives its Deadline. An uncontended mutex is
// taken here, inline: the lookup and one compare-and-swap, with no call,
// no Deadline built and no register saved; the other paths are tail calls
// (S57).
template <class MakeDeadline>
[[gnu::always_inline]] inline DWORD wait_one(HANDLE h, MakeDeadline deadline) {
    rtshm::detail::HeldSync x;
    if (!rtshm::detail::hold_sync(h, x)) [[unlikely]]
        return wait_one_general(h, deadline);
    SyncObject *obj = x.slot->sync;
    if (obj->type() == SyncType::mutex && rtshm::detail::mutex_take_fast(obj->page()))
        return rtshm::detail::let_go_returning(x, WAIT_OBJECT_0);
    return wait_held(x.slot, x.gen, deadline);
}

DWORD wait(DWORD n, const HANDLE *hs, BOOL all, const Deadline &d) {
    if (all != FALSE || n == 0 || n > MAX_WFMO || hs == nullptr) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    if (n > 1)
        return wait_many(n, hs, d);
    return wait_one(hs[0], [&] { return d; });
}

// The rest of RtReleaseMutex after mutex_release_fast(), taking over its
// hazard: the kernel's hand-over to a waiter, or anything but a release of
// a mutex held once (errors included).
[[gnu::noinline]] BOOL release_rest_held(rtshm::detail::HandleSlot *s, std::uint64_t gen) {
    rtshm::detail::SyncRef o(rtshm::detail::HeldSync{s, gen});
    rtshm::detail::mutex_release_rest(o->page());
    return TRUE;
}

[[gnu::noinline]] BOOL release_mutex_held(rtshm::detail::HandleSlot *s, std::uint64_t gen) {
    rtshm::detail::SyncRef o(rtshm::detail::HeldSync{s, gen});
    SyncObject *obj = o.get();
    if (obj->type() != SyncType::mutex)
        return fail_bool(ERROR_INVALID_HANDLE);
    if (DWORD e = rtshm::detail::mutex_release_slow(obj->page()); e != 0)
        return fail_bool(e);
    return TRUE;
}

// RtReleaseMutex that hold_sync() left to handle_sync() (see
// wait_one_general()).
[[gnu::noinline]] BOOL release_mutex_general(HANDLE h) {
    auto o = of_type(h, SyncType::mutex);
    if (!o)
        return FALSE;
    if (DWORD e = rtshm::detail::mutex_release(o->page()); e != 0)
        return fail_bool(e);
    return TRUE;
}

} // namespace

extern "C" {

HANDLE RtCreateEventA(LPSECURITY_ATTRIBUTES a, BOOL bManualReset, BOOL bInitialState,
                      LPCSTR lpName) {
    (void)a; // accepted and ignored
    return create_named(lpName, event_init(bManualReset, bInitialState));
}

HANDLE RtCreateEventW(LPSECURITY_ATTRIBUTES a, BOOL bManualReset, BOOL bInitialState,
                      LPCWSTR lpName) {
    (void)a;
    return create_named(lpName, event_init(bManualReset, bInitialState));
}

HANDLE RtOpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName) {
    (void)dwDesiredAccess; // accepted and ignored
    (void)bInheritHandle;
    return open_named(lpName, SyncType::event);
}

HANDLE RtOpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName) {
    (void)dwDesiredAccess;
    (void)bInheritHandle;
    return open_named(lpName, SyncType::event);
}

HANDLE RtCreateEventW16(LPSECURITY_ATTRIBUTES a, BOOL bManualReset, BOOL bInitialState,
                        const RTSHM_UTF16 *lpName) {
    (void)a;
    return create_named(lpName, event_init(bManualReset, bInitialState));
}

HANDLE RtOpenEventW16(DWORD dwDesiredAccess, BOOL bInheritHandle, const RTSHM_UTF16 *lpName) {
    (void)dwDesiredAccess;
    (void)bInheritHandle;
    return open_named(lpName, SyncType::event);
}

BOOL RtSetEvent(HANDLE hEvent) {
    auto o = of_type(hEvent, SyncType::event);
    if (!o)
        return FALSE;
    rtshm::detail::event_set(o->page());
    return TRUE;
}

BOOL RtResetEvent(HANDLE hEvent) {
    auto o = of_type(hEvent, SyncType::event);
    if (!o)
        return FALSE;
    rtshm::detail::event_reset(o->page());
    return TRUE;
}

BOOL RtPulseEvent(HANDLE hEvent) {
    auto o = of_type(hEvent, SyncType::event);
    if (!o)
        return FALSE;
    rtshm::detail::event_pulse(o->page());
    return TRUE;
}

HANDLE RtCreateMutexA(LPSECURITY_ATTRIBUTES a, BOOL bInitialOwner, LPCSTR lpName) {
    (void)a;
    return create_named(lpName, mutex_init(bInitialOwner));
}

HANDLE RtCreateMutexW(LPSECURITY_ATTRIBUTES a, BOOL bInitialOwner, LPCWSTR lpName) {
    (void)a;
    return create_named(lpName, mutex_init(bInitialOwner));
}

HANDLE RtOpenMutexA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName) {
    (void)dwDesiredAccess;
    (void)bInheritHandle;
    return open_named(lpName, SyncType::mutex);
}

HANDLE RtOpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName) {
    (void)dwDesiredAccess;
    (void)bInheritHandle;
    return open_named(lpName, SyncType::mutex);
}

HANDLE RtCreateMutexW16(LPSECURITY_ATTRIBUTES a, BOOL bInitialOwner, const RTSHM_UTF16 *lpName) {
    (void)a;
    return create_named(lpName, mutex_init(bInitialOwner));
}

HANDLE RtOpenMutexW16(DWORD dwDesiredAccess, BOOL bInheritHandle, const RTSHM_UTF16 *lpName) {
    (void)dwDesiredAccess;
    (void)bInheritHandle;
    return open_named(lpName, SyncType::mutex);
}

BOOL RtReleaseMutex(HANDLE hMutex) {
    // Held bare and finished inline, or by tail calls, as wait_one() (S57).
    using rtshm::detail::Release;
    rtshm::detail::HeldSync x;
    if (!rtshm::detail::hold_sync(hMutex, x)) [[unlikely]]
        return release_mutex_general(hMutex);
    SyncObject *obj = x.slot->sync;
    if (obj->type() == SyncType::mutex) [[likely]] {
        switch (rtshm::detail::mutex_release_fast(obj->page())) {
        case Release::done:
            return static_cast<BOOL>(rtshm::detail::let_go_returning(x, TRUE));
        case Release::kernel:
            return release_rest_held(x.slot, x.gen);
        case Release::other:
            break;
        }
    }
    return release_mutex_held(x.slot, x.gen);
}

HANDLE RtCreateSemaphoreA(LPSECURITY_ATTRIBUTES a, LONG lInitialCount, LONG lMaximumCount,
                          LPCSTR lpName) {
    (void)a;
    if (!semaphore_args_ok(lInitialCount, lMaximumCount))
        return fail(ERROR_INVALID_PARAMETER);
    return create_named(lpName, semaphore_init(lInitialCount, lMaximumCount));
}

HANDLE RtCreateSemaphoreW(LPSECURITY_ATTRIBUTES a, LONG lInitialCount, LONG lMaximumCount,
                          LPCWSTR lpName) {
    (void)a;
    if (!semaphore_args_ok(lInitialCount, lMaximumCount))
        return fail(ERROR_INVALID_PARAMETER);
    return create_named(lpName, semaphore_init(lInitialCount, lMaximumCount));
}

HANDLE RtOpenSemaphoreA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName) {
    (void)dwDesiredAccess;
    (void)bInheritHandle;
    return open_named(lpName, SyncType::semaphore);
}

HANDLE RtOpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName) {
    (void)dwDesiredAccess;
    (void)bInheritHandle;
    return open_named(lpName, SyncType::semaphore);
}

HANDLE RtCreateSemaphoreW16(LPSECURITY_ATTRIBUTES a, LONG lInitialCount, LONG lMaximumCount,
                            const RTSHM_UTF16 *lpName) {
    (void)a;
    if (!semaphore_args_ok(lInitialCount, lMaximumCount))
        return fail(ERROR_INVALID_PARAMETER);
    return create_named(lpName, semaphore_init(lInitialCount, lMaximumCount));
}

HANDLE RtOpenSemaphoreW16(DWORD dwDesiredAccess, BOOL bInheritHandle, const RTSHM_UTF16 *lpName) {
    (void)dwDesiredAccess;
    (void)bInheritHandle;
    return open_named(lpName, SyncType::semaphore);
}

BOOL RtReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount) {
    auto o = of_type(hSemaphore, SyncType::semaphore);
    if (!o)
        return FALSE;
    std::int32_t prev = 0;
    if (DWORD e = rtshm::detail::semaphore_release(o->page(), lReleaseCount, &prev); e != 0)
        return fail_bool(e);
    if (lpPreviousCount != nullptr)
        *lpPreviousCount = prev;
    return TRUE;
}

DWORD RtWaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds) {
    return wait_one(hHandle, [dwMilliseconds] { return from_ms(dwMilliseconds); });
}

DWORD RtWaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                               DWORD dwMilliseconds) {
    return wait(nCount, lpHandles, bWaitAll, from_ms(dwMilliseconds));
}

DWORD RtWaitForSingleObjectEx(HANDLE hHandle, PULARGE_INTEGER lpTimeout) {
    Deadline d;
    if (!from_ex(lpTimeout, d)) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    return wait_one(hHandle, [&d] { return d; });
}

DWORD RtWaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                 PULARGE_INTEGER lpTimeout) {
    Deadline d;
    if (!from_ex(lpTimeout, d)) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    return wait(nCount, lpHandles, bWaitAll, d);
}

BOOL RtShmQuerySyncObject(HANDLE hObject, RTSHM_SYNC_STATE *state) {
    auto o = rtshm::detail::handle_sync(hObject);
    if (!o)
        return fail_bool(ERROR_INVALID_HANDLE);
    if (state == nullptr)
        return fail_bool(ERROR_INVALID_PARAMETER);
    using rtshm::detail::at;
    rtshm::detail::SyncPage &p = o->page();
    *state = RTSHM_SYNC_STATE{};
    state->type = static_cast<DWORD>(o->type());
    state->waiters = at(p.waiters).load();
    switch (o->type()) {
    case SyncType::event:
        state->manual = at(p.manual).load() != 0;
        state->signaled = at(p.signaled).load() != 0;
        break;
    case SyncType::semaphore:
        state->count = at(p.count).load();
        state->maximum = at(p.maximum).load();
        break;
    case SyncType::mutex: {
        state->waiters += at(p.mutex.waiters).load();
        std::uint32_t w = at(p.mutex.lock).load();
        if ((w & FUTEX_TID_MASK) != 0) {
            state->owner_pid = static_cast<DWORD>(at(p.mutex.owner_pid).load());
            state->owner_tid = w & FUTEX_TID_MASK;
            state->recursion = at(p.mutex.recursion).load();
        }
        state->abandoned = rtshm::detail::mutex_abandoned(p);
        break;
    }
    }
    return TRUE;
}

} // extern "C"
