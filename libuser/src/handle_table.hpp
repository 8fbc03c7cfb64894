// SPDX-License-Identifier: MIT
// handle_table.hpp: HANDLE <-> object (shared memory, event, mutex,
// semaphore) for the C ABI.
//
// Thread-safe. HANDLE values come from a monotonic counter (0x10000 + 4n) and
// are never reused within a process, so a double close or a made-up value is
// caught (S22); NULL and INVALID_HANDLE_VALUE are never issued. A fork child
// gets a copy of the table (its handles stay valid there, S20). A
// synchronisation object is held by shared_ptr: a call in flight keeps it
// alive when another thread closes its handle (S55). Lookups take a shared
// lock (no system call unless a create or close runs at that moment, S57).
#pragma once

#include "sync_object.hpp"

#include <rtapi.h>
#include "core.hpp"

#include <memory>
#include <optional>

namespace rtshm::detail {

struct HandleEntry {
    SharedMemory shm;                 // a shared-memory handle
    std::shared_ptr<SyncObject> sync; // or an event, mutex or semaphore
};

// Take ownership; may throw std::bad_alloc (the caller is the C boundary).
HANDLE handle_insert(SharedMemory &&shm);
HANDLE handle_insert(std::shared_ptr<SyncObject> obj);
// Removes and returns the entry; none if h is not a live handle.
std::optional<HandleEntry> handle_remove(HANDLE h) noexcept;
// The synchronisation object of h; null if h is not a live one.
std::shared_ptr<SyncObject> handle_sync(HANDLE h) noexcept;
// Unmaps the view that starts at addr, keeping its handle; false if no live
// view starts there (RtUnmapSharedMemory).
bool handle_unmap(const void *addr) noexcept;

} // namespace rtshm::detail
