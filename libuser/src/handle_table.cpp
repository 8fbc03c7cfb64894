// SPDX-License-Identifier: MIT
// handle_table.cpp: the C ABI's handle table (see handle_table.hpp).
//
// The slots and the lookup are in the header. A lookup of a synchronisation handle publishes the
// slot as a hazard of its thread, then checks the generation and the live bit (plain loads); one
// nested deeper than the thread's hazards adds a reference with a
// compare-and-swap. Close clears the live bit. Whoever leaves the slot with
// no reference (the close, the last reference, or a hazard's holder that
// finds it deferred) asks whether a thread publishes it: if none does, it
// destroys the entry and frees the slot with the next generation; else it
// marks the slot deferred for that holder. Free slots are reused first in,
// first out.
#include "handle_table.hpp"
#include "pi_mutex.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <pthread.h>

namespace rtshm::detail {

using namespace slots;

std::atomic<HandleSlot *> g_handle_chunks[kChunks] = {};

namespace {

// A HANDLE is 0x10000 + 4 * (gen << kSlotBits | slot) in 64 bits, and the
// state word holds 64 - kGenShift bits of generation: 2^40 uses per slot.
constexpr std::uint64_t kGenLimit = std::uint64_t{1} << (64 - kGenShift);
// A slot whose every other generation was issued: never used again.
constexpr std::uint64_t kGenRetired = kGenLimit - 1;

} // namespace

namespace {

struct Table {
    PiMutex mu;           // insert, close, destroy, unmap, fork
    std::size_t used = 0; // slots ever handed out
    HandleSlot *free_head = nullptr;
    HandleSlot *free_tail = nullptr;

    Table() {
        // A fork child must find no change half made and the mutex free.
        ::pthread_atfork([] { table().mu.lock(); }, [] { table().mu.unlock(); },
                         [] { table().after_fork_in_child(); });
    }
    static Table &table();

    // Under mu.
    HandleSlot *take_free_slot() {
        if (free_head != nullptr) {
            HandleSlot *s = free_head;
            free_head = s->next_free;
            if (free_head == nullptr)
                free_tail = nullptr;
            return s;
        }
        if (used == kChunks * kChunkSize)
            throw std::bad_alloc();
        std::size_t c = used >> kChunkBits;
        if (g_handle_chunks[c].load(std::memory_order_relaxed) == nullptr) {
            auto *chunk = new HandleSlot[kChunkSize];
            for (std::size_t j = 0; j < kChunkSize; ++j)
                chunk[j].index = static_cast<std::uint32_t>((c << kChunkBits) + j);
            g_handle_chunks[c].store(chunk, std::memory_order_release);
        }
        return slot_at(used++);
    }

    // Under mu: the slot is neither live nor referenced. Its entry is
    // handed to the caller, to be destroyed outside the mutex; the slot
    // gets the next generation (or is never used again).
    std::unique_ptr<HandleEntry> free_slot(HandleSlot *s) noexcept {
        std::unique_ptr<HandleEntry> e(s->entry);
        s->entry = nullptr;
        s->sync = nullptr;
        std::uint64_t gen = gen_of(s->state.load(std::memory_order_relaxed)) + 1;
        s->state.store(gen << kGenShift, std::memory_order_release);
        if (gen != kGenRetired)
            push_free(s);
        return e;
    }

    // Under mu (or in the fork child): s goes last in the first-in,
    // first-out free list.
    void push_free(HandleSlot *s) noexcept {
        s->next_free = nullptr;
        if (free_tail != nullptr)
            free_tail->next_free = s;
        else
            free_head = s;
        free_tail = s;
    }

    // In the child's only thread: no call is in flight, so no reference is
    // held. An entry closed while a call of another parent thread used it
    // is destroyed here, or the child would keep that object alive with no
    // handle for it. (Registered at the first insert, after the handlers of
    // the backends and of sync_object.cpp, whose child handlers run first.)
    void after_fork_in_child() noexcept {
        mu.reinit_in_child();
        hazards::after_fork_in_child();
        free_head = free_tail = nullptr;
        for (std::size_t i = 0; i < used; ++i) {
            HandleSlot *s = slot_at(i);
            std::uint64_t st = s->state.load(std::memory_order_relaxed) & ~(kRefMask | kDeferred);
            s->state.store(st, std::memory_order_relaxed);
            if ((st & kLive) != 0)
                continue;
            if (s->entry != nullptr)
                free_slot(s).reset();
            else if (gen_of(st) != kGenRetired)
                push_free(s);
        }
    }
};

// Never destroyed: threads may still close handles while the process exits.
Table &Table::table() {
    static Table *t = new Table;
    return *t;
}

// Under the table's mutex: s (of generation gen) has no live handle and no
// reference. Its entry, to be destroyed outside the mutex, unless a thread
// still publishes the slot: then it is left deferred, for that thread.
std::unique_ptr<HandleEntry> reclaim(Table &t, HandleSlot *s, std::uint64_t gen) noexcept {
    std::uint64_t st = s->state.load(std::memory_order_relaxed);
    if (gen_of(st) != gen || (st & (kLive | kRefMask)) != 0 || s->entry == nullptr)
        return nullptr; // still in use, or already gone
    if ((st & kSync) != 0) {
        // Visible before the scan's barrier: a holder that withdraws its
        // hazard after the scan finds the mark, and reclaims.
        s->state.fetch_or(kDeferred, std::memory_order_seq_cst);
        if (hazards::in_use(s))
            return nullptr;
    }
    return t.free_slot(s);
}

void reclaim_locked(HandleSlot *s, std::uint64_t gen) noexcept {
    Table &t = Table::table();
    std::unique_ptr<HandleEntry> doomed; // destroyed last, outside the mutex
    t.mu.lock();
    doomed = reclaim(t, s, gen);
    t.mu.unlock();
}

// A counted reference to h's slot if h is live: the caller must drop it.
HandleSlot *acquire_counted(HandleSlot *s, std::uint64_t gen) noexcept {
    std::uint64_t st = s->state.load(std::memory_order_relaxed);
    for (;;) {
        if (gen_of(st) != gen || (st & kLive) == 0 || (st & kRefMask) == kRefMask)
            return nullptr;
        if (s->state.compare_exchange_weak(st, st + kRef, std::memory_order_acquire,
                                           std::memory_order_relaxed))
            return s;
    }
}

HANDLE insert(HandleEntry &&e) {
    Table &t = Table::table();
    auto entry = std::make_unique<HandleEntry>(std::move(e));
    t.mu.lock();
    HandleSlot *s;
    try {
        s = t.take_free_slot();
    } catch (...) {
        t.mu.unlock();
        throw; // the entry's object is closed on the way out
    }
    std::uint64_t gen = gen_of(s->state.load(std::memory_order_relaxed));
    std::uint64_t kind = entry->sync ? kSync : 0;
    s->sync = entry->sync.get();
    s->entry = entry.release();
    s->state.store(gen << kGenShift | kind | kLive, std::memory_order_release);
    t.mu.unlock();
    return reinterpret_cast<HANDLE>(kBase + 4 * ((gen << kSlotBits) | s->index));
}

} // namespace

void SyncRef::reclaim_deferred(HandleSlot *s, std::uint64_t gen) noexcept {
    reclaim_locked(s, gen);
}

std::uint32_t SyncRef::reclaim_returning(HandleSlot *s, std::uint64_t gen,
                                         std::uint32_t r) noexcept {
    reclaim_locked(s, gen);
    return r;
}

void SyncRef::release_counted(HandleSlot *s) noexcept {
    std::uint64_t prev = s->state.fetch_sub(kRef, std::memory_order_acq_rel);
    if ((prev & kRefMask) != kRef || (prev & kLive) != 0)
        return;
    reclaim_locked(s, gen_of(prev)); // closed while this call used it
}

SyncRef SyncRef::counted(HandleSlot *s, std::uint64_t gen) noexcept {
    s = acquire_counted(s, gen);
    if (s == nullptr)
        return {};
    if ((s->state.load(std::memory_order_relaxed) & kSync) == 0) {
        release_counted(s);
        return {};
    }
    return SyncRef(s, s->sync, gen, -1);
}

SyncRef &SyncRef::operator=(SyncRef &&o) noexcept {
    if (this != &o) {
        if (slot_ != nullptr)
            drop();
        slot_ = o.slot_;
        obj_ = o.obj_;
        gen_ = o.gen_;
        hazard_ = o.hazard_;
        o.slot_ = nullptr;
    }
    return *this;
}

HANDLE handle_insert(SharedMemory &&shm) {
    return insert(HandleEntry{std::move(shm), nullptr});
}

HANDLE handle_insert(std::shared_ptr<SyncObject> obj) {
    return insert(HandleEntry{SharedMemory(), std::move(obj)});
}

bool handle_close(HANDLE h) noexcept {
    std::uint64_t gen = 0;
    HandleSlot *s = slot_of(h, gen);
    if (s == nullptr)
        return false;
    Table &t = Table::table();
    std::unique_ptr<HandleEntry> doomed; // destroyed last, outside the mutex
    t.mu.lock();
    std::uint64_t st = s->state.load(std::memory_order_relaxed);
    bool ok = false;
    while (gen_of(st) == gen && (st & kLive) != 0) {
        if (s->state.compare_exchange_weak(st, st & ~kLive, std::memory_order_acq_rel,
                                           std::memory_order_relaxed)) {
            ok = true;
            if ((st & kRefMask) == 0)
                doomed = reclaim(t, s, gen);
            // else the last counted call that uses it tries (release_counted())
            break;
        }
    }
    t.mu.unlock();
    return ok;
}

bool handle_unmap(const void *addr) noexcept {
    if (addr == nullptr)
        return false;
    Table &t = Table::table();
    // The mutex keeps closes, other unmaps and fork() out while the view goes.
    t.mu.lock();
    bool done = false;
    for (std::size_t i = 0; i < t.used && !done; ++i) {
        HandleSlot *s = slot_at(i);
        if ((s->state.load(std::memory_order_relaxed) & kLive) == 0)
            continue;
        HandleEntry &e = *s->entry;
        if (!e.sync && e.shm.data() == addr)
            done = unmap_view(e.shm);
    }
    t.mu.unlock();
    return done;
}

} // namespace rtshm::detail
