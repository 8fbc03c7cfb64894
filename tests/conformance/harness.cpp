// SPDX-License-Identifier: MIT
// harness.cpp: the fixture and process helpers (see harness.hpp).
#include "harness.hpp"

#include "../../libuser/src/core.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace conf {

void Conformance::SetUp() {
    const char *want = std::getenv("RTSHM_BACKEND");
    std::string mine(rtshm::backend_name(GetParam()));
    if (want != nullptr && *want != '\0' && std::string(want) != "auto" && mine != want)
        GTEST_SKIP() << "RTSHM_BACKEND=" << want << " restricts this run to that backend";
    if (kernel() && ::access("/dev/rtshm", F_OK) != 0)
        GTEST_SKIP() << "no /dev/rtshm (rtshm.ko not loaded): kernel backend not testable here";
    auto r = rtshm::select_backend(GetParam());
    ASSERT_TRUE(r.has_value()) << "cannot select backend " << mine << ": "
                               << rtshm::to_string(r.error());
    ASSERT_TRUE(RtShmSetPersonality(RTSHM_PERSONALITY_RTSS));
}

void Conformance::TearDown() {
    RtShmSetPersonality(RTSHM_PERSONALITY_RTSS);
}

std::string Conformance::name(const char *tag) {
    static std::atomic<int> n{0};
    return "rtshm-conf-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + "-" + tag;
}

int in_child(const std::function<int()> &fn) {
    std::fflush(nullptr);
    pid_t p = ::fork();
    if (p == 0) {
        int rc = 99;
        try {
            rc = fn();
        } catch (...) {
            rc = 98;
        }
        ::_exit(rc);
    }
    int st = 0;
    while (::waitpid(p, &st, 0) < 0 && errno == EINTR) {
    }
    return st;
}

std::string describe(int st) {
    if (WIFEXITED(st))
        return "exited " + std::to_string(WEXITSTATUS(st));
    if (WIFSIGNALED(st))
        return "killed by signal " + std::to_string(WTERMSIG(st));
    return "status " + std::to_string(st);
}

bool write_faults(void *p) {
    int st = in_child([p] {
        std::signal(SIGSEGV, SIG_DFL); // die by the signal even under sanitizers
        std::signal(SIGBUS, SIG_DFL);
        *static_cast<volatile unsigned char *>(p) = *static_cast<volatile unsigned char *>(p);
        return 0;
    });
    return WIFSIGNALED(st) && (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS);
}

static std::string drain(int fd) {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            s.append(buf, static_cast<std::size_t>(n));
    return s;
}

Spawned spawn_self(const std::vector<std::string> &args, const std::vector<std::string> &env,
                   int stdin_fd) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        return {-1, "", "pipe failed"};
    std::fflush(nullptr);
    pid_t p = ::fork();
    if (p == 0) {
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        if (stdin_fd >= 0)
            ::dup2(stdin_fd, 0);
        for (const auto &e : env) {
            auto eq = e.find('=');
            if (eq == std::string::npos)
                ::unsetenv(e.c_str());
            else
                ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
        }
        std::vector<char *> argv;
        std::string self = "rtshm_conformance";
        argv.push_back(self.data());
        for (const auto &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        ::execv("/proc/self/exe", argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    Spawned s;
    // Helpers print little: read stderr after stdout without deadlock risk.
    s.out = drain(out[0]);
    s.err = drain(err[0]);
    ::close(out[0]);
    ::close(err[0]);
    while (::waitpid(p, &s.status, 0) < 0 && errno == EINTR) {
    }
    return s;
}

std::string backend_env(rtshm::Backend b) {
    return "RTSHM_BACKEND=" + std::string(rtshm::backend_name(b));
}

std::size_t open_fd_count() {
    std::size_t n = 0;
    DIR *d = ::opendir("/proc/self/fd");
    while (struct dirent *e = ::readdir(d))
        if (e->d_name[0] != '.')
            ++n;
    ::closedir(d);
    return n - 1; // the opendir's own descriptor
}

std::set<int> open_fds() {
    std::set<int> s;
    DIR *d = ::opendir("/proc/self/fd");
    int self = ::dirfd(d);
    while (struct dirent *e = ::readdir(d))
        if (e->d_name[0] != '.' && std::atoi(e->d_name) != self)
            s.insert(std::atoi(e->d_name));
    ::closedir(d);
    return s;
}

std::size_t inode_mapping_count() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    std::size_t n = 0;
    while (std::getline(maps, line)) {
        std::istringstream is(line);
        std::string range, perms, offset, dev, inode;
        is >> range >> perms >> offset >> dev >> inode;
        if (inode != "0")
            ++n;
    }
    return n;
}

bool object_listed(const std::string &name) {
    auto l = rtshm::detail::list_objects();
    return l && std::ranges::any_of(*l, [&](const auto &o) { return o.name == name; });
}

std::size_t listed_object_count() {
    auto l = rtshm::detail::list_objects();
    return l ? l->size() : 0;
}

} // namespace conf
