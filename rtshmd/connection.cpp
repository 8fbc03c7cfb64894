// SPDX-License-Identifier: MIT
// connection.cpp: credentials and datagram I/O of a client connection.
#include "connection.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace rtshm::broker {

std::optional<Creds> peer_creds(int fd) {
    ucred uc{};
    socklen_t len = sizeof uc;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 || len != sizeof uc)
        return std::nullopt;
    Creds c;
    c.pid = uc.pid;
    c.uid = uc.uid;
    c.gid = uc.gid;
    // SO_PEERGROUPS says ERANGE with the needed length when the buffer is short.
    std::vector<gid_t> groups(64);
    for (int tries = 0; tries < 4; ++tries) {
        socklen_t glen = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen) == 0) {
            groups.resize(glen / sizeof(gid_t));
            c.groups = std::move(groups);
            return c;
        }
        if (errno != ERANGE)
            return std::nullopt;
        groups.resize(glen / sizeof(gid_t) + 1);
    }
    return std::nullopt;
}

RecvStatus receive_request(int sock, Request &req, UniqueFd &fd) {
    // Room for a few descriptors, so extra ones arrive and get closed
    // rather than linger; beyond that the kernel drops them (MSG_CTRUNC).
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
    iovec iov{&req, sizeof req};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return RecvStatus::again;
        return RecvStatus::closed;
    }
    if (n == 0)
        return RecvStatus::closed;
    bool extra = false;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int f;
            std::memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
            if (!fd)
                fd.reset(f);
            else {
                ::close(f);
                extra = true;
            }
        }
    }
    if (extra || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
        static_cast<std::size_t>(n) != sizeof req) {
        fd.reset();
        return RecvStatus::malformed;
    }
    return RecvStatus::ok;
}

} // namespace rtshm::broker
