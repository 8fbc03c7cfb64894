// SPDX-License-Identifier: MIT
// handle_table.hpp: HANDLE <-> SharedMemory for the C ABI.
//
// Thread-safe. HANDLE values come from a monotonic counter (0x10000 + 4n) and
// are never reused within a process, so a double close or a made-up value is
// caught (S22); NULL and INVALID_HANDLE_VALUE are never issued. A fork child
// gets a copy of the table (its handles stay valid there, S20).
#pragma once

#include <rtapi.h>
#include <rtshm/rtshm.hpp>

#include <optional>

namespace rtshm::detail {

// Takes ownership; may throw std::bad_alloc (the caller is the C boundary).
HANDLE handle_insert(SharedMemory &&shm);
// Removes and returns the object; none if h is not a live handle.
std::optional<SharedMemory> handle_remove(HANDLE h) noexcept;
// Unmaps the view that starts at addr, keeping its handle; false if no live
// view starts there (RtUnmapSharedMemory).
bool handle_unmap(const void *addr) noexcept;

} // namespace rtshm::detail
