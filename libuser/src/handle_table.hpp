// SPDX-License-Identifier: MIT
// handle_table.hpp: HANDLE <-> object (shared memory, event, mutex,
// semaphore) for the C ABI.
//
// Thread-safe. A HANDLE is 0x10000 + 4 * (generation << 20 | slot): slots
// are reused only with a new generation, so a double close or a made-up
// value is caught (S22) and a value is never issued twice in a process;
// NULL and INVALID_HANDLE_VALUE are never issued. A fork child gets a copy
// of the table (its handles stay valid there, S20).
//
// Lookups (every set, wait, release) are lock-free, make no system call and
// no atomic read-modify-write (S57): the call publishes the slot in a hazard
// of its thread (handle_hazards.hpp), which keeps the object alive while
// another thread closes its handle (S55); whoever leaves it last destroys
// it. (Nested calls beyond the thread's hazards count references instead.) Inserting, closing,
// unmapping and fork take one priority-inheriting mutex, so a real-time thread that closes a handle
// is not held up behind a preempted lower-priority one, and a lookup never waits for any of them.
#pragma once

#include "handle_hazards.hpp"
#include "sync_object.hpp"

#include <rtapi.h>
#include "core.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace rtshm::detail {

struct HandleEntry {
    SharedMemory shm;                 // a shared-memory handle
    std::shared_ptr<SyncObject> sync; // or an event, mutex or semaphore
};

// The slots, and what a lookup reads of them: inline, because a lookup is
// most of a set's or an uncontended mutex's cost (S57). Slots live in
// chunks that are allocated on demand and never freed, so a lookup can
// always read the slot a handle names. Each slot has one atomic state word:
// generation << 24 | references << 3 | deferred | sync | live.
namespace slots {
inline constexpr unsigned kSlotBits = 20; // 1,048,576 handles open at once
inline constexpr unsigned kChunkBits = 10;
inline constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;
inline constexpr std::size_t kChunks = std::size_t{1} << (kSlotBits - kChunkBits);

inline constexpr std::uint64_t kLive = 1;
inline constexpr std::uint64_t kSync = 2;     // a synchronisation object: lookups may hold it
inline constexpr std::uint64_t kDeferred = 4; // closed, unreferenced, but a hazard held it
inline constexpr std::uint64_t kRef = 8;
inline constexpr unsigned kGenShift = 24;
inline constexpr std::uint64_t kRefMask = ((std::uint64_t{1} << kGenShift) - 1) & ~(kRef - 1);
inline constexpr std::uintptr_t kBase = 0x10000;
static_assert(sizeof(std::uintptr_t) == 8, "handles need 64-bit pointers");

constexpr std::uint64_t gen_of(std::uint64_t state) {
    return state >> kGenShift;
}
} // namespace slots

// A cache line each: a slot's state word is read by every call on it and
// written by none, so slots used by different threads do not share lines,
// and a lookup finds slot i at a shift.
struct alignas(64) HandleSlot {
    std::atomic<std::uint64_t> state{0};
    SyncObject *sync = nullptr;   // entry's, for lookups; written with entry
    HandleEntry *entry = nullptr; // owned; written only under the table's mutex
    HandleSlot *next_free = nullptr;
    std::uint32_t index = 0;
};

extern std::atomic<HandleSlot *> g_handle_chunks[slots::kChunks];

// Slot i, or nullptr if its chunk was never allocated.
inline HandleSlot *slot_at(std::size_t i) noexcept {
    using namespace slots;
    HandleSlot *c = g_handle_chunks[i >> kChunkBits].load(std::memory_order_acquire);
    return c == nullptr ? nullptr : &c[i & (kChunkSize - 1)];
}

// The slot h names (and its generation), or nullptr for a value never issued.
inline HandleSlot *slot_of(HANDLE h, std::uint64_t &gen) noexcept {
    using namespace slots;
    auto v = reinterpret_cast<std::uintptr_t>(h);
    if (v < kBase || (v - kBase) % 4 != 0)
        return nullptr;
    std::uint64_t id = (v - kBase) / 4;
    gen = id >> kSlotBits;
    return slot_at(id & ((std::uint64_t{1} << kSlotBits) - 1));
}

// A synchronisation object held through hazard 0 of the calling thread
// (hazards::publish_first()). SyncRef is its RAII form; the fast paths of
// the C ABI (an uncontended wait or release) use it bare, because a SyncRef
// that a slow path may return as a counted reference is kept in memory,
// and the registers its calls need are saved on every call (S57).
struct HeldSync {
    HandleSlot *slot;
    std::uint64_t gen;
};

// A synchronisation object looked up by handle, kept alive while held:
// through a hazard of the calling thread, or a counted reference.
class SyncRef {
public:
    SyncRef() = default;
    SyncRef(HandleSlot *slot, SyncObject *obj, std::uint64_t gen, int hazard) noexcept
        : slot_(slot), obj_(obj), gen_(gen), hazard_(hazard) {}
    explicit SyncRef(const HeldSync &x) noexcept : SyncRef(x.slot, x.slot->sync, x.gen, 0) {}
    SyncRef(SyncRef &&o) noexcept : slot_(o.slot_), obj_(o.obj_), gen_(o.gen_), hazard_(o.hazard_) {
        o.slot_ = nullptr;
    }
    SyncRef &operator=(SyncRef &&o) noexcept;
    SyncRef(const SyncRef &) = delete;
    SyncRef &operator=(const SyncRef &) = delete;
    ~SyncRef() {
        if (slot_ != nullptr)
            drop();
    }

    explicit operator bool() const noexcept { return slot_ != nullptr; }
    SyncObject *get() const noexcept { return obj_; }
    SyncObject *operator->() const noexcept { return obj_; }

private:
    void drop() noexcept {
        if (hazard_ >= 0) [[likely]]
            release_hazard(slot_, gen_, hazard_);
        else
            release_counted(slot_);
        slot_ = nullptr;
    }

public: // for handle_sync()
    // Withdraws the hazard on s; if a reclaimer left s deferred meanwhile,
    // this thread may be its last user.
    static void release_hazard(HandleSlot *s, std::uint64_t gen, int hazard) noexcept {
        if (withdraw(s, gen, hazard)) [[unlikely]]
            reclaim_deferred(s, gen);
    }
    // Withdraws the hazard; true if s must then be reclaimed.
    static bool withdraw(HandleSlot *s, std::uint64_t gen, int hazard) noexcept {
        hazards::retract(hazard);
        return deferred(s, gen);
    }
    // Whether a reclaimer left s deferred for its users (this one, now that
    // it has withdrawn its hazard).
    static bool deferred(HandleSlot *s, std::uint64_t gen) noexcept {
        std::uint64_t st = s->state.load(std::memory_order_acquire);
        // The rare bit first: the fast paths' common case is one test.
        return (st & slots::kDeferred) != 0 && slots::gen_of(st) == gen;
    }
    static void reclaim_deferred(HandleSlot *s, std::uint64_t gen) noexcept;
    // reclaim_deferred(), then r: the tail of let_go_returning().
    static std::uint32_t reclaim_returning(HandleSlot *s, std::uint64_t gen,
                                           std::uint32_t r) noexcept;
    static void release_counted(HandleSlot *s) noexcept;
    // A counted reference to s if it is live and of a synchronisation object.
    static SyncRef counted(HandleSlot *s, std::uint64_t gen) noexcept;

private:
    HandleSlot *slot_ = nullptr;
    SyncObject *obj_ = nullptr;
    std::uint64_t gen_ = 0;
    int hazard_ = -1; // -1: a counted reference
};

// Take ownership; may throw std::bad_alloc (the caller is the C boundary),
// also when the process has 2^20 handles open.
HANDLE handle_insert(SharedMemory &&shm);
HANDLE handle_insert(std::shared_ptr<SyncObject> obj);
// Closes h: its object goes now, or when the last call that uses it ends
// (S55). False if h is not a live handle.
bool handle_close(HANDLE h) noexcept;
// The lookup of handle_sync() as the fast paths make it, with no call:
// true if h is a live synchronisation handle, now held by x (its object is
// x.slot->sync, never null then); false if nothing is held, and
// handle_sync() must decide (it also reclaims what a handle found closed
// may leave to this thread). Release x with let_go_returning(), or by
// handing it to a SyncRef.
[[gnu::always_inline]] inline bool hold_sync(HANDLE h, HeldSync &x) noexcept {
    using namespace slots;
    x.gen = 0;
    x.slot = slot_of(h, x.gen);
    if (x.slot == nullptr || !hazards::publish_first(x.slot)) [[unlikely]]
        return false;
    // As in handle_sync().
    std::uint64_t st = x.slot->state.load(std::memory_order_acquire);
    if (gen_of(st) != x.gen || (st & (kLive | kSync)) != (kLive | kSync)) [[unlikely]] {
        hazards::retract_first();
        return false;
    }
    return true;
}

// Releases x as a call's last step, returning r: the rare reclaim is then
// a tail call, and the fast path saves no registers for it.
[[gnu::always_inline]] inline std::uint32_t let_go_returning(const HeldSync &x,
                                                             std::uint32_t r) noexcept {
    hazards::retract_first();
    if (SyncRef::deferred(x.slot, x.gen)) [[unlikely]]
        return SyncRef::reclaim_returning(x.slot, x.gen, r);
    return r;
}

// The synchronisation object of h; empty if h is not a live one.
[[gnu::always_inline]] inline SyncRef handle_sync(HANDLE h) noexcept {
    using namespace slots;
    std::uint64_t gen = 0;
    HandleSlot *s = slot_of(h, gen);
    if (s == nullptr)
        return {};
    int hazard = hazards::publish(s);
    if (hazard < 0) [[unlikely]]
        return SyncRef::counted(s, gen);
    // Published before this load: if it shows the handle live, a close
    // that follows sees the hazard (and a shared-memory entry is never
    // dereferenced here, so closing one needs no scan).
    std::uint64_t st = s->state.load(std::memory_order_acquire);
    if (gen_of(st) != gen || (st & (kLive | kSync)) != (kLive | kSync)) [[unlikely]] {
        SyncRef::release_hazard(s, gen, hazard);
        return {};
    }
    return SyncRef(s, s->sync, gen, hazard);
}
// Unmaps the view that starts at addr, keeping its handle; false if no live
// view starts there (RtUnmapSharedMemory).
bool handle_unmap(const void *addr) noexcept;

} // namespace rtshm::detail
