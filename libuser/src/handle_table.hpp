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

#include "sync_object.hpp"

#include <rtapi.h>
#include "core.hpp"

#include <cstdint>
#include <memory>

namespace rtshm::detail {

struct HandleEntry {
    SharedMemory shm;                 // a shared-memory handle
    std::shared_ptr<SyncObject> sync; // or an event, mutex or semaphore
};

struct HandleSlot; // handle_table.cpp

// A synchronisation object looked up by handle, kept alive while held:
// through a hazard of the calling thread, or a counted reference.
class SyncRef {
public:
    SyncRef() = default;
    SyncRef(HandleSlot *slot, SyncObject *obj, std::uint64_t gen, int hazard) noexcept
        : slot_(slot), obj_(obj), gen_(gen), hazard_(hazard) {}
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
    void drop() noexcept;

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
// The synchronisation object of h; empty if h is not a live one.
SyncRef handle_sync(HANDLE h) noexcept;
// Unmaps the view that starts at addr, keeping its handle; false if no live
// view starts there (RtUnmapSharedMemory).
bool handle_unmap(const void *addr) noexcept;

} // namespace rtshm::detail
