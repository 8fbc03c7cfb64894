// SPDX-License-Identifier: MIT
// sync_object.cpp: making, opening and closing events, mutexes and
// semaphores (see sync_object.hpp).
//
// The object is made by the selected backend as a one-page object of its
// type, so the name table, S29 typing, permissions and lifetime through
// SIGKILL (S24) are the backend's. The creator initialises the page and
// then publishes `ready`; an opener that races it waits for `ready`.
// The memory must carry process-shared futexes (S33): a probe FUTEX_WAKE on
// the page refuses an rtshm.ko that predates futex-capable memory.
#include "sync_object.hpp"

#include "diag.hpp"
#include "sync_mutex.hpp"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <cstring>
#include <mutex>
#include <new>
#include <pthread.h>
#include <thread>
#include <vector>

namespace rtshm::detail {

namespace {

// Mappings of mutexes that a thread of this process still owned when their
// last handle here was closed: the owner's robust list points into them, so
// they stay mapped until it releases or ends (the kernel walks that list
// when the owner exits and marks the mutex abandoned, S48). Looked at again
// on every create, open and close.
struct Kept {
    SyncPage *page;
    std::unique_ptr<Mapping> map;
};
std::mutex g_kept_mu;
std::vector<Kept> *g_kept = new std::vector<Kept>;
// A fork child must not inherit it locked by a thread it does not have.
struct KeptAtFork {
    KeptAtFork() {
        ::pthread_atfork([] { g_kept_mu.lock(); }, [] { g_kept_mu.unlock(); },
                         [] { g_kept_mu.unlock(); });
    }
} g_kept_atfork;

void drop_unowned_kept() {
    std::vector<Kept> done;
    {
        std::lock_guard lock(g_kept_mu);
        if (g_kept->empty())
            return;
        auto mid = std::partition(g_kept->begin(), g_kept->end(),
                                  [](const Kept &k) { return mutex_owned_here(*k.page); });
        std::move(mid, g_kept->end(), std::back_inserter(done));
        g_kept->erase(mid, g_kept->end());
    }
    // unmapped here, outside the lock
}

Error wait_ready(SyncPage &p, SyncType type) {
    // The creator initialises within microseconds; allow it 2 s (it may have
    // been preempted by real-time threads) before calling the object broken.
    for (int i = 0; i < 2000; ++i) {
        std::uint32_t ready = at(p.ready).load(std::memory_order_acquire);
        if (ready == kReady)
            return at(p.type).load() == static_cast<std::uint32_t>(type) ? Error::success
                                                                         : Error::invalid_handle;
        if (std::ranges::find(kReadyOlder, ready) != std::end(kReadyOlder))
            return Error::invalid_handle; // made by an older library: another layout
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Error::invalid_handle; // its creator died before initialising it
}

} // namespace

SyncObject::~SyncObject() {
    if (type_ == SyncType::mutex && page_ != nullptr && mutex_owned_here(*page_)) {
        std::lock_guard lock(g_kept_mu);
        try {
            g_kept->push_back(Kept{page_, std::move(map_)});
        } catch (...) {
            (void)map_.release(); // never unmap memory a robust list points into
        }
        return;
    }
    drop_unowned_kept();
}

void wake_waiters(SyncPage &p, int n) noexcept {
    // seq_cst pairs with the waiter's increment of `waiters` then read of the
    // state: either it sees the new state or we see it waiting.
    if (at(p.waiters).load(std::memory_order_seq_cst) == 0)
        return;
    at(p.seq).fetch_add(1, std::memory_order_seq_cst);
    futex_wake(&p.seq, n);
}

std::expected<std::shared_ptr<SyncObject>, Error> SyncObject::attach(std::unique_ptr<Mapping> m,
                                                                     SyncType type) noexcept {
    if (m->size < kSyncPageSize || !m->writable)
        return std::unexpected(Error::invalid_handle);
    auto *page = reinterpret_cast<SyncPage *>(m->addr);
    if (futex_wake(&page->seq, 0) == -EFAULT) {
        diag_once(Diag::no_futex_memory,
                  "%s backend: the object's memory cannot carry process-shared futexes "
                  "(FUTEX_WAKE: EFAULT; an rtshm.ko without futex-capable memory): events, "
                  "mutexes and semaphores fail with ERROR_INVALID_HANDLE (6)",
                  backend_name(m->kind).data());
        return std::unexpected(Error::invalid_handle);
    }
    try {
        std::shared_ptr<SyncObject> o(new SyncObject);
        o->page_ = page;
        o->type_ = type;
        o->id_ = m->id;
        o->map_ = std::move(m);
        return o;
    } catch (...) {
        return std::unexpected(Error::not_enough_memory);
    }
}

std::expected<std::shared_ptr<SyncObject>, Error>
SyncObject::create(std::string_view name, const SyncInit &init, bool &created) noexcept {
    try {
        drop_unowned_kept();
        auto b = selected_backend();
        if (!b)
            return std::unexpected(b.error());
        CreateRequest req;
        req.name = name;
        req.size = kSyncPageSize;
        req.type = static_cast<std::uint32_t>(init.type);
        req.mode = default_mode;
        auto m = (*b)->create(req);
        if (!m)
            return std::unexpected(m.error());
        created = (*m)->created;
        auto o = attach(std::move(*m), init.type);
        if (!o)
            return o;
        SyncPage &p = (*o)->page();
        if (!created) {
            if (Error e = wait_ready(p, init.type); e != Error::success)
                return std::unexpected(e);
            return o;
        }
        at(p.type).store(static_cast<std::uint32_t>(init.type));
        switch (init.type) {
        case SyncType::event:
            event_init(p, init.manual, init.initial_state);
            break;
        case SyncType::semaphore:
            semaphore_init(p, init.initial_count, init.maximum);
            break;
        case SyncType::mutex:
            if (mutex_init(p) != 0)
                return std::unexpected(Error::not_enough_memory);
            break;
        }
        at(p.ready).store(kReady, std::memory_order_release);
        if (init.type == SyncType::mutex && init.initial_owner)
            mutex_try(p); // free and unseen until now: always taken (S46)
        return o;
    } catch (...) {
        return std::unexpected(Error::not_enough_memory);
    }
}

std::expected<std::shared_ptr<SyncObject>, Error> SyncObject::open(std::string_view name,
                                                                   SyncType type) noexcept {
    try {
        drop_unowned_kept();
        auto b = selected_backend();
        if (!b)
            return std::unexpected(b.error());
        OpenRequest req;
        req.name = name;
        req.write = true;
        req.type = static_cast<std::uint32_t>(type);
        auto m = (*b)->open(req);
        if (!m)
            return std::unexpected(m.error());
        auto o = attach(std::move(*m), type);
        if (!o)
            return o;
        if (Error e = wait_ready((*o)->page(), type); e != Error::success)
            return std::unexpected(e);
        return o;
    } catch (...) {
        return std::unexpected(Error::not_enough_memory);
    }
}

} // namespace rtshm::detail
