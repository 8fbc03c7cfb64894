// SPDX-License-Identifier: MIT
// datagram.cpp: see datagram.hpp.
#include "datagram.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace rtshm::broker {

bool send_datagram(int sock, const void *data, std::size_t len, int pass_fd, int flags) {
    iovec iov{const_cast<void *>(data), len};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    if (pass_fd >= 0) {
        std::memset(control, 0, sizeof control);
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &pass_fd, sizeof pass_fd);
    }
    for (;;) {
        ssize_t n = ::sendmsg(sock, &msg, flags);
        if (n == static_cast<ssize_t>(len))
            return true;
        if (n < 0 && errno == EINTR)
            continue;
        return false;
    }
}

} // namespace rtshm::broker
