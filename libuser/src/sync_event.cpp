// SPDX-License-Identifier: MIT
// sync_event.cpp: manual- and auto-reset events (S43-S45).
//
// `signaled` is the state. A pulse releases only the threads waiting at
// that moment: it bumps `pulse_epoch`, and a waiter that armed at an older
// epoch is released by it, every one for a manual-reset event, and for an
// auto-reset event the one that claims `pulse_token` (the epoch of the
// pulse, 0 once claimed). The event itself stays non-signaled.
#include "sync_object.hpp"

#include <climits>

namespace rtshm::detail {

void event_init(SyncPage &p, bool manual, bool initial) noexcept {
    at(p.manual).store(manual ? 1 : 0);
    at(p.signaled).store(initial ? 1 : 0);
}

void event_set(SyncPage &p) noexcept {
    at(p.signaled).store(1, std::memory_order_seq_cst);
    // Auto-reset: the highest-priority waiter first (the futex queue is
    // priority-ordered, S49); manual-reset: every waiter (S43).
    wake_waiters(p, at(p.manual).load(std::memory_order_relaxed) ? INT_MAX : 1);
}

void event_reset(SyncPage &p) noexcept {
    // Not the pulse token: a pulse already released whoever waited then.
    at(p.signaled).store(0, std::memory_order_seq_cst);
}

void event_pulse(SyncPage &p) noexcept {
    at(p.signaled).store(0, std::memory_order_seq_cst);
    if (at(p.waiters).load(std::memory_order_seq_cst) == 0)
        return; // no waiter: a pulse only resets (S45)
    std::uint32_t e = at(p.pulse_epoch).fetch_add(1, std::memory_order_seq_cst) + 1;
    if (e == 0) // 0 means "no token"
        e = at(p.pulse_epoch).fetch_add(1, std::memory_order_seq_cst) + 1;
    bool manual = at(p.manual).load(std::memory_order_relaxed) != 0;
    if (!manual)
        at(p.pulse_token).store(e, std::memory_order_seq_cst);
    wake_waiters(p, manual ? INT_MAX : 1);
}

Take event_try(SyncPage &p, bool armed, std::uint32_t epoch) noexcept {
    auto sig = at(p.signaled);
    if (at(p.manual).load(std::memory_order_relaxed)) {
        if (sig.load(std::memory_order_seq_cst) != 0)
            return Take::taken;
        if (armed && at(p.pulse_epoch).load(std::memory_order_seq_cst) != epoch)
            return Take::taken;
        return Take::none;
    }
    std::uint32_t one = 1;
    if (sig.load(std::memory_order_seq_cst) != 0 &&
        sig.compare_exchange_strong(one, 0, std::memory_order_seq_cst))
        return Take::taken;
    if (armed) {
        auto tok = at(p.pulse_token);
        std::uint32_t t = tok.load(std::memory_order_seq_cst);
        // Only a waiter armed before that pulse may claim it.
        if (t != 0 && static_cast<std::int32_t>(t - epoch) > 0 &&
            tok.compare_exchange_strong(t, 0, std::memory_order_seq_cst))
            return Take::taken;
    }
    return Take::none;
}

bool event_available(SyncPage &p) noexcept {
    return at(p.signaled).load() != 0 || at(p.pulse_token).load() != 0;
}

} // namespace rtshm::detail
