// SPDX-License-Identifier: MIT
// datagram.hpp: one SOCK_SEQPACKET datagram out, with a descriptor or not.
//
// Exists apart from the broker's connection code because the library's
// client (libuser/src/broker_link.cpp) sends its requests the same way.
#pragma once

#include <cstddef>
#include <sys/socket.h>

namespace rtshm::broker {

// Sends len bytes from data as one datagram, with pass_fd (SCM_RIGHTS) if
// >= 0; EINTR is retried. flags: the broker never blocks (the default), the
// client does. True if all of it went.
bool send_datagram(int sock, const void *data, std::size_t len, int pass_fd = -1,
                   int flags = MSG_DONTWAIT | MSG_NOSIGNAL);

} // namespace rtshm::broker
