// SPDX-License-Identifier: MIT
// sync_wait.cpp: RtWaitForSingleObject / RtWaitForMultipleObjects (S51-S54).
//
// First a pass that takes the lowest-index object already signaled: atomics
// only, no system call (S57). A single mutex then blocks in FUTEX_LOCK_PI
// (sync_mutex.cpp). Everything else arms: `waiters` + 1 on every object
// (so a set, release or pulse knows to wake, S57), a snapshot of each
// event/semaphore's `seq`, another pass, then one futex_waitv(2) over the
// `seq` words and each mutex's `watch` word, against the absolute
// CLOCK_MONOTONIC deadline: never early, and a signal handler (EINTR) only
// loops back to it (S54). A woken waiter that returns another object than
// the one that woke it passes that wake on, so a wake-one is never lost.
#include "sync_mutex.hpp"
#include "sync_object.hpp"

#include <cerrno>
#include <climits>

namespace rtshm::detail {

namespace {

// A mutex between two owners (its `watch` word shows none) is looked at
// again after this long, rather than slept on.
constexpr std::uint64_t kBetweenOwnersPollNs = 50'000;

Take try_take(SyncObject &o, bool armed, std::uint32_t epoch) noexcept {
    SyncPage &p = o.page();
    switch (o.type()) {
    case SyncType::event:
        return event_try(p, armed, epoch);
    case SyncType::semaphore:
        return semaphore_try(p);
    case SyncType::mutex:
        return mutex_try(p);
    }
    return Take::failed;
}

bool available(SyncObject &o) noexcept {
    SyncPage &p = o.page();
    switch (o.type()) {
    case SyncType::event:
        return event_available(p);
    case SyncType::semaphore:
        return at(p.count).load() > 0;
    case SyncType::mutex:
        return false; // its wakes are broadcast (see below)
    }
    return false;
}

} // namespace

DWORD wait_objects(SyncObject *const *objs, unsigned n, const Deadline &timeout,
                   DWORD *err) noexcept {
    for (unsigned i = 0; i < n; ++i)
        if (Take t = try_take(*objs[i], false, 0); t != Take::none)
            return wait_result(t, i, err);
    if (timeout.zero)
        return WAIT_TIMEOUT;
    const Deadline d = timeout.started(); // the clock is read only from here
    if (n == 1 && objs[0]->type() == SyncType::mutex)
        return mutex_wait(objs[0]->page(), d);

    std::uint32_t epoch[MAX_WFMO];
    for (unsigned i = 0; i < n; ++i) {
        // Epoch first: a pulse that sees this waiter counted releases it (S45).
        SyncPage &p = objs[i]->page();
        epoch[i] = at(p.pulse_epoch).load(std::memory_order_seq_cst);
        at(p.waiters).fetch_add(1, std::memory_order_seq_cst);
        if (objs[i]->type() == SyncType::mutex)
            at(p.mutex.mwaiters).fetch_add(1, std::memory_order_seq_cst); // before mutex_watch
    }
    DWORD res = WAIT_TIMEOUT;
    int woke = -1;    // object whose word woke the last sleep
    unsigned got = n; // object returned
    for (;;) {
        WaitWord w[2 * MAX_WFMO];
        unsigned owner[2 * MAX_WFMO];
        bool is_watch[2 * MAX_WFMO];
        unsigned m = 0;
        bool poll = false;
        // Snapshot before looking: a change after the look fails the sleep.
        for (unsigned i = 0; i < n; ++i) {
            SyncPage &p = objs[i]->page();
            if (objs[i]->type() == SyncType::mutex)
                continue;
            w[m] = {&p.seq, at(p.seq).load(std::memory_order_seq_cst)};
            owner[m] = i;
            is_watch[m++] = false;
        }
        Take t = Take::none;
        for (got = 0; got < n; ++got)
            if ((t = try_take(*objs[got], true, epoch[got])) != Take::none)
                break;
        if (t != Take::none) {
            res = wait_result(t, got, err);
            break;
        }
        for (unsigned i = 0; i < n; ++i) {
            if (objs[i]->type() != SyncType::mutex)
                continue;
            if (mutex_watch(objs[i]->page(), w[m])) {
                owner[m] = i;
                is_watch[m++] = true;
            } else {
                poll = true;
            }
        }
        int r = futex_waitv(w, m, poll ? d.capped(kBetweenOwnersPollNs) : d);
        if (r >= 0 && static_cast<unsigned>(r) < m) {
            woke = static_cast<int>(owner[r]);
            // The kernel (owner died) or a release woke a sleeper of a
            // `watch` word: every multiple wait on it must look again.
            if (is_watch[r])
                futex_wake(w[r].word, INT_MAX);
            continue;
        }
        if (r == -EAGAIN || r == -EINTR || (r == -ETIMEDOUT && !d.passed()))
            continue; // changed, a signal handler ran, or a poll round ended
        if (r == -ETIMEDOUT) {
            got = n;
            res = WAIT_TIMEOUT;
            break;
        }
        got = n;
        *err = r == -EFAULT ? ERROR_INVALID_HANDLE : ERROR_NOT_ENOUGH_MEMORY;
        res = WAIT_FAILED;
        break;
    }
    for (unsigned i = 0; i < n; ++i) {
        at(objs[i]->page().waiters).fetch_sub(1, std::memory_order_seq_cst);
        if (objs[i]->type() == SyncType::mutex)
            at(objs[i]->page().mutex.mwaiters).fetch_sub(1, std::memory_order_seq_cst);
    }
    if (woke >= 0 && static_cast<unsigned>(woke) != got && available(*objs[woke]))
        wake_waiters(objs[woke]->page(), 1); // the wake was meant for a waiter: pass it on
    return res;
}

} // namespace rtshm::detail
