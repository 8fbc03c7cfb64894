// SPDX-License-Identifier: MIT
// object.hpp: one named object as rtshmd keeps it, and the DAC check that
// decides who may map it (S32).
#pragma once

#include "connection.hpp"
#include "protocol.hpp"
#include "unique_fd.hpp"

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_set>

namespace rtshm::broker {

struct Object {
    enum class State { pending, live };

    std::uint64_t id = 0;
    std::string name;
    std::uint32_t type = 1;
    std::uint64_t logical = 0; // only shrinks (S7)
    std::uint64_t alloc = 0;   // bytes of the memfd, page-rounded
    std::uint32_t mode = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t creator_pid = 0;
    bool read_only = false;
    State state = State::pending;
    std::uint64_t creator_conn = 0; // the connection that commits or aborts
    UniqueFd rw;                    // O_RDWR memfd; empty if adopted from a read-only fd only
    UniqueFd ro;                    // O_RDONLY reopen, made on first read-only view
    dev_t dev = 0;                  // the inode, to recognise it in adopt
    ino_t ino = 0;
    std::uint64_t handles = 0; // over every connection
    // The connections that hold it (handles per connection are theirs).
    std::unordered_set<std::uint64_t> holders;
};

// The kernel's DAC on the object's owner and mode: root passes; else the
// owner bits, else the group bits (primary or supplementary group), else
// the other bits.
inline bool permitted(const Creds &c, const Object &o, bool write) {
    if (c.uid == 0)
        return true;
    unsigned shift = 0;
    if (c.uid == o.uid)
        shift = 6;
    else {
        bool member = c.gid == o.gid;
        for (gid_t g : c.groups)
            member = member || g == o.gid;
        shift = member ? 3 : 0;
    }
    unsigned bits = (o.mode >> shift) & 7u;
    return (bits & 4u) != 0 && (!write || (bits & 2u) != 0);
}

} // namespace rtshm::broker
