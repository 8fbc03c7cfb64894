// SPDX-License-Identifier: MIT
// handle_hazards.hpp: which handle slots each thread's calls are using, so
// that a lookup of a synchronisation handle needs no atomic read-modify-write.
//
// Exists because on the fast paths (S57) a locked instruction costs as much
// as the futex operation itself: the reference count of a slot took two per
// call. Instead a call publishes the slot in one of its thread's hazard
// slots with a plain store, and whoever would destroy a closed slot's object
// first makes every thread of the process execute a full barrier
// (membarrier(2), MEMBARRIER_CMD_PRIVATE_EXPEDITED) and then looks whether
// any thread publishes it. The barrier is what the reader leaves out: a
// store by a reader before it is visible to the scan, and a reader's load
// after it sees what the reclaimer wrote before it. Where membarrier(2) is
// refused (kernel, seccomp), the readers execute the fence themselves.
//
// Every thread that made a call has a record, linked into one list under a
// lock of its own and unlinked when the thread ends.
#pragma once

namespace rtshm::detail::hazards {

// Publishes p as in use by the calling thread and orders the publication
// before the caller's next load. Returns the hazard's index, or -1 when the
// thread's hazards are all in use (nested calls from signal handlers): the
// caller then takes a counted reference instead.
int publish(const void *p) noexcept;

// Withdraws hazard i and orders that before the caller's next load.
void retract(int i) noexcept;

// For a reclaimer, after it made its own change visible (a locked
// instruction): whether any thread still publishes p. Makes a system call.
bool in_use(const void *p) noexcept;

// In a fork child, before any call: only the calling thread is left.
void after_fork_in_child() noexcept;

} // namespace rtshm::detail::hazards
