// SPDX-License-Identifier: MIT
// listen_socket.hpp: rtshmd's listening SOCK_SEQPACKET socket: a path, an
// abstract name, or the one systemd passed (socket activation).
#pragma once

#include "unique_fd.hpp"

#include <sys/types.h>

#include <string>

namespace rtshm::broker {

struct Listener {
    UniqueFd fd;
    std::string path; // bound here by us: removed at exit if still ours
    dev_t dev = 0;
    ino_t ino = 0;
    ~Listener();
};

enum class ListenResult { ok, already_served, failed };

// systemd's LISTEN_FDS=1 for this pid: fd 3, checked to be a listening
// SOCK_SEQPACKET socket. The variables are removed either way.
ListenResult activated(Listener &out);
// Binds path (mode 0666 when world, else 0600). A live broker there:
// already_served. A dead one's socket file is replaced, under path.lock.
ListenResult bind_path(const std::string &path, bool world, Listener &out);
// The abstract name "\0name"; in use: already_served.
ListenResult bind_abstract(const std::string &name, Listener &out);

} // namespace rtshm::broker
