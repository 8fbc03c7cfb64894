// SPDX-License-Identifier: MIT
// connection.hpp: one client connection of rtshmd: the peer's credentials
// (captured once, at accept), its handles, and datagram receive/send with at
// most one descriptor.
#pragma once

#include "datagram.hpp"

#include "protocol.hpp"
#include "unique_fd.hpp"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace rtshm::broker {

struct Creds {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups; // supplementary (SO_PEERGROUPS)
};

// SO_PEERCRED and SO_PEERGROUPS of a connected socket; nullopt on failure.
std::optional<Creds> peer_creds(int fd);

struct Connection {
    std::uint64_t id = 0;
    UniqueFd fd;
    Creds creds;
    std::unordered_map<std::uint64_t, std::uint32_t> handles; // object id -> count
    std::uint64_t handle_total = 0;
    unsigned bad = 0;  // malformed requests so far
    bool dead = false; // to be reaped by the event loop
};

enum class RecvStatus { ok, again, closed, malformed };

// One datagram into req; a passed descriptor (SCM_RIGHTS) lands in fd, any
// more are closed. malformed: wrong length, truncated or bad control data.
RecvStatus receive_request(int sock, Request &req, UniqueFd &fd);

} // namespace rtshm::broker
