// SPDX-License-Identifier: MIT
// private_broker.cpp: see private_broker.hpp.
#include "private_broker.hpp"

#include "protocol.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace rtshm::test {

namespace {

std::string rtshmd_program() {
    if (const char *p = std::getenv("RTSHM_RTSHMD"); p != nullptr && *p != '\0')
        return p;
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string s(self, static_cast<std::size_t>(n));
        std::string beside = s.substr(0, s.rfind('/') + 1) + "rtshmd";
        if (::access(beside.c_str(), X_OK) == 0)
            return beside;
    }
    return RTSHM_TEST_RTSHMD;
}

} // namespace

pid_t broker_pid(const std::string &socket) {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::snprintf(sun.sun_path, sizeof sun.sun_path, "%s", socket.c_str());
    broker::Request req{};
    req.op = broker::Op::status;
    broker::Reply rep{};
    pid_t pid = -1;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&sun), sizeof sun) == 0 &&
        ::send(fd, &req, sizeof req, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof req) &&
        ::recv(fd, &rep, sizeof rep, 0) >= static_cast<ssize_t>(sizeof rep) && rep.error == 0)
        pid = rep.pid;
    ::close(fd);
    return pid;
}

bool PrivateBroker::launch() {
    // In the foreground, as this process's child: its stderr is the test's
    // (a sanitizer's report shows), and stop() sees how it ended.
    std::string prog = rtshmd_program();
    pid_t p = ::fork();
    if (p < 0)
        return false;
    if (p == 0) {
        ::execl(prog.c_str(), prog.c_str(), "--system", "--socket", socket_.c_str(),
                static_cast<char *>(nullptr));
        std::fprintf(stderr, "cannot run %s: %s\n", prog.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    pid_ = p;
    for (int i = 0; i < 500; ++i) {
        if (broker_pid(socket_) == p)
            return true;
        int st = 0;
        if (::waitpid(p, &st, WNOHANG) == p) {
            std::fprintf(stderr, "%s did not start (status %d)\n", prog.c_str(), st);
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "%s does not answer at %s\n", prog.c_str(), socket_.c_str());
    kill_hard();
    return false;
}

bool PrivateBroker::start(const std::string &tag) {
    const char *base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    dir_ = std::string(base) + "/rtshm-" + tag + "-" + std::to_string(::getpid());
    if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST)
        return false;
    ::chmod(dir_.c_str(), 0755); // every uid of the test reaches the socket
    socket_ = dir_ + "/rtshmd.sock";
    ::setenv("RTSHM_BROKER_SOCKET", socket_.c_str(), 1);
    return launch();
}

bool PrivateBroker::start_again() {
    pid_ = -1;
    return launch();
}

void PrivateBroker::kill_hard() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
}

bool PrivateBroker::stop() {
    bool clean = true;
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int st = 0;
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
        }
        clean = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!clean)
            std::fprintf(stderr, "rtshmd ended with status %d\n", st);
    }
    pid_ = -1;
    if (!dir_.empty()) {
        ::unlink(socket_.c_str());
        ::unlink((socket_ + ".lock").c_str());
        ::rmdir(dir_.c_str());
    }
    return clean;
}

} // namespace rtshm::test
