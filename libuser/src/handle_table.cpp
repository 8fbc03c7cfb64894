// SPDX-License-Identifier: MIT
// handle_table.cpp: the C ABI's handle table (see handle_table.hpp).
//
// Slots live in chunks that are allocated on demand and never freed, so a
// lookup can always read the slot a handle names. Each slot has one atomic
// state word: generation << 24 | references << 1 | live. A lookup adds a
// reference with a compare-and-swap that also checks the generation and the
// live bit; close clears the live bit; whoever leaves the slot with neither
// (the close, or the last reference) destroys the entry and frees the slot
// with the next generation. Free slots are reused first in, first out.
#include "handle_table.hpp"
#include "pi_mutex.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <pthread.h>

namespace rtshm::detail {

namespace {

constexpr unsigned kSlotBits = 20; // 1,048,576 handles open at once
constexpr unsigned kChunkBits = 10;
constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;
constexpr std::size_t kChunks = std::size_t{1} << (kSlotBits - kChunkBits);

constexpr std::uint64_t kLive = 1;
constexpr std::uint64_t kRef = 2;
constexpr unsigned kGenShift = 24;
constexpr std::uint64_t kRefMask = ((std::uint64_t{1} << kGenShift) - 1) & ~kLive;
// A HANDLE is 0x10000 + 4 * (gen << kSlotBits | slot) in 64 bits, and the
// state word holds 64 - kGenShift bits of generation: 2^40 uses per slot.
constexpr std::uint64_t kGenLimit = std::uint64_t{1} << (64 - kGenShift);
// A slot whose every other generation was issued: never used again.
constexpr std::uint64_t kGenRetired = kGenLimit - 1;
constexpr std::uintptr_t kBase = 0x10000;
static_assert(sizeof(std::uintptr_t) == 8, "handles need 64-bit pointers");

constexpr std::uint64_t gen_of(std::uint64_t state) {
    return state >> kGenShift;
}

} // namespace

struct HandleSlot {
    std::atomic<std::uint64_t> state{0};
    HandleEntry *entry = nullptr; // owned; written only under the table's mutex
    HandleSlot *next_free = nullptr;
    std::uint32_t index = 0;
};

namespace {

struct Table {
    PiMutex mu; // insert, close, destroy, unmap, fork
    std::atomic<HandleSlot *> chunks[kChunks] = {};
    std::size_t used = 0; // slots ever handed out
    HandleSlot *free_head = nullptr;
    HandleSlot *free_tail = nullptr;

    Table() {
        // A fork child must find no change half made and the mutex free.
        ::pthread_atfork([] { table().mu.lock(); }, [] { table().mu.unlock(); },
                         [] { table().after_fork_in_child(); });
    }
    static Table &table();

    HandleSlot *slot(std::size_t i) const noexcept {
        HandleSlot *c = chunks[i >> kChunkBits].load(std::memory_order_acquire);
        return c == nullptr ? nullptr : &c[i & (kChunkSize - 1)];
    }

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
        if (chunks[c].load(std::memory_order_relaxed) == nullptr) {
            auto *chunk = new HandleSlot[kChunkSize];
            for (std::size_t j = 0; j < kChunkSize; ++j)
                chunk[j].index = static_cast<std::uint32_t>((c << kChunkBits) + j);
            chunks[c].store(chunk, std::memory_order_release);
        }
        return slot(used++);
    }

    // Under mu: the slot is neither live nor referenced. Its entry is
    // handed to the caller, to be destroyed outside the mutex; the slot
    // gets the next generation (or is never used again).
    std::unique_ptr<HandleEntry> free_slot(HandleSlot *s) noexcept {
        std::unique_ptr<HandleEntry> e(s->entry);
        s->entry = nullptr;
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
        free_head = free_tail = nullptr;
        for (std::size_t i = 0; i < used; ++i) {
            HandleSlot *s = slot(i);
            std::uint64_t st = s->state.load(std::memory_order_relaxed) & ~kRefMask;
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

HandleSlot *find(HANDLE h, std::uint64_t &gen) noexcept {
    auto v = reinterpret_cast<std::uintptr_t>(h);
    if (v < kBase || (v - kBase) % 4 != 0)
        return nullptr;
    std::uint64_t id = (v - kBase) / 4;
    std::size_t i = id & ((std::uint64_t{1} << kSlotBits) - 1);
    gen = id >> kSlotBits;
    return Table::table().slot(i);
}

// A reference to h's slot if h is live: the caller must drop it.
HandleSlot *acquire(HANDLE h) noexcept {
    std::uint64_t gen = 0;
    HandleSlot *s = find(h, gen);
    if (s == nullptr)
        return nullptr;
    std::uint64_t st = s->state.load(std::memory_order_relaxed);
    for (;;) {
        if (gen_of(st) != gen || (st & kLive) == 0 || (st & kRefMask) == kRefMask)
            return nullptr;
        if (s->state.compare_exchange_weak(st, st + kRef, std::memory_order_acquire,
                                           std::memory_order_relaxed))
            return s;
    }
}

void release(HandleSlot *s) noexcept {
    std::uint64_t prev = s->state.fetch_sub(kRef, std::memory_order_acq_rel);
    if ((prev & kRefMask) != kRef || (prev & kLive) != 0)
        return;
    // The handle was closed while this call used it: the object goes now.
    Table &t = Table::table();
    std::unique_ptr<HandleEntry> doomed;
    t.mu.lock();
    doomed = t.free_slot(s);
    t.mu.unlock();
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
    s->entry = entry.release();
    s->state.store(gen << kGenShift | kLive, std::memory_order_release);
    t.mu.unlock();
    return reinterpret_cast<HANDLE>(kBase + 4 * ((gen << kSlotBits) | s->index));
}

} // namespace

SyncRef &SyncRef::operator=(SyncRef &&o) noexcept {
    if (this != &o) {
        if (slot_ != nullptr)
            release(slot_);
        slot_ = o.slot_;
        obj_ = o.obj_;
        o.slot_ = nullptr;
    }
    return *this;
}

SyncRef::~SyncRef() {
    if (slot_ != nullptr)
        release(slot_);
}

HANDLE handle_insert(SharedMemory &&shm) {
    return insert(HandleEntry{std::move(shm), nullptr});
}

HANDLE handle_insert(std::shared_ptr<SyncObject> obj) {
    return insert(HandleEntry{SharedMemory(), std::move(obj)});
}

bool handle_close(HANDLE h) noexcept {
    std::uint64_t gen = 0;
    HandleSlot *s = find(h, gen);
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
                doomed = t.free_slot(s);
            // else the last call that uses it frees it (release())
            break;
        }
    }
    t.mu.unlock();
    return ok;
}

SyncRef handle_sync(HANDLE h) noexcept {
    HandleSlot *s = acquire(h);
    if (s == nullptr)
        return {};
    SyncObject *o = s->entry->sync.get();
    if (o == nullptr) { // a shared-memory handle
        release(s);
        return {};
    }
    return SyncRef(s, o);
}

bool handle_unmap(const void *addr) noexcept {
    if (addr == nullptr)
        return false;
    Table &t = Table::table();
    // The mutex keeps closes, other unmaps and fork() out while the view goes.
    t.mu.lock();
    bool done = false;
    for (std::size_t i = 0; i < t.used && !done; ++i) {
        HandleSlot *s = t.slot(i);
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
