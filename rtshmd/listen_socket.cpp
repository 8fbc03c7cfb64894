// SPDX-License-Identifier: MIT
// listen_socket.cpp: binding rtshmd's socket so that exactly one broker
// serves it, however many start at once.
#include "listen_socket.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rtshm::broker {

namespace {

constexpr int kBacklog = 512;

UniqueFd seqpacket_socket() {
    return UniqueFd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
}

void complain(const char *what, const std::string &where) {
    std::fprintf(stderr, "rtshmd: %s %s: %s\n", what, where.c_str(), std::strerror(errno));
}

} // namespace

Listener::~Listener() {
    struct stat st {};
    if (!path.empty() && ::lstat(path.c_str(), &st) == 0 && st.st_dev == dev && st.st_ino == ino)
        ::unlink(path.c_str());
}

ListenResult activated(Listener &out) {
    const char *pid = std::getenv("LISTEN_PID");
    const char *fds = std::getenv("LISTEN_FDS");
    bool ours = pid != nullptr && fds != nullptr && std::strtol(pid, nullptr, 10) == ::getpid();
    bool one = ours && std::strcmp(fds, "1") == 0;
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    if (!ours)
        return ListenResult::failed;
    int type = 0, listening = 0;
    socklen_t len = sizeof type;
    socklen_t len2 = sizeof listening;
    if (!one || ::getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET ||
        ::getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len2) != 0 || !listening) {
        std::fprintf(stderr, "rtshmd: socket activation needs one listening SOCK_SEQPACKET "
                             "socket (ListenSequentialPacket=)\n");
        return ListenResult::failed;
    }
    int fl = ::fcntl(3, F_GETFL);
    ::fcntl(3, F_SETFL, fl | O_NONBLOCK);
    ::fcntl(3, F_SETFD, FD_CLOEXEC);
    out.fd.reset(3);
    return ListenResult::ok;
}

ListenResult bind_path(const std::string &path, bool world, Listener &out) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof sa.sun_path) {
        std::fprintf(stderr, "rtshmd: socket path too long or empty: %s\n", path.c_str());
        return ListenResult::failed;
    }
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    // Two brokers starting together: only one probes, unlinks and binds.
    std::string lock_path = path + ".lock";
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock || ::flock(lock.get(), LOCK_EX) != 0) {
        complain("cannot lock", lock_path);
        return ListenResult::failed;
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            errno = EEXIST;
            complain("not a socket, left alone:", path);
            return ListenResult::failed;
        }
        UniqueFd probe(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
        if (probe && ::connect(probe.get(), reinterpret_cast<sockaddr *>(&sa), len) == 0)
            return ListenResult::already_served;
        if (errno != ECONNREFUSED) {
            complain("cannot probe", path);
            return ListenResult::failed;
        }
        ::unlink(path.c_str()); // a dead broker's
    }
    UniqueFd fd = seqpacket_socket();
    mode_t old = ::umask(world ? 0111 : 0177);
    int rc = fd ? ::bind(fd.get(), reinterpret_cast<sockaddr *>(&sa), len) : -1;
    int err = errno;
    ::umask(old);
    errno = err;
    if (rc != 0 || ::listen(fd.get(), kBacklog) != 0 || ::lstat(path.c_str(), &st) != 0) {
        complain("cannot listen on", path);
        return ListenResult::failed;
    }
    out.fd = std::move(fd);
    out.path = path;
    out.dev = st.st_dev;
    out.ino = st.st_ino;
    return ListenResult::ok;
}

ListenResult bind_abstract(const std::string &name, Listener &out) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (name.empty() || name.size() + 1 > sizeof sa.sun_path) {
        std::fprintf(stderr, "rtshmd: abstract name too long or empty\n");
        return ListenResult::failed;
    }
    std::memcpy(sa.sun_path + 1, name.data(), name.size());
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    UniqueFd fd = seqpacket_socket();
    if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr *>(&sa), len) != 0) {
        if (errno == EADDRINUSE)
            return ListenResult::already_served;
        complain("cannot bind abstract", name);
        return ListenResult::failed;
    }
    if (::listen(fd.get(), kBacklog) != 0) {
        complain("cannot listen on abstract", name);
        return ListenResult::failed;
    }
    out.fd = std::move(fd);
    return ListenResult::ok;
}

} // namespace rtshm::broker
