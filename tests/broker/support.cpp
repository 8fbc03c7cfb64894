// SPDX-License-Identifier: MIT
// support.cpp: see support.hpp.
#include "support.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace btest {

namespace {
rtshm::test::PrivateBroker *g_broker = nullptr;
} // namespace

rtshm::test::PrivateBroker &broker() {
    return *g_broker;
}
void set_broker(rtshm::test::PrivateBroker *b) {
    g_broker = b;
}

bool restart_broker() {
    ::setenv("RTSHM_RTSHMD", RTSHM_TEST_RTSHMD, 1);
    bool ok = g_broker->start_again();
    ::setenv("RTSHM_RTSHMD", "/bin/false", 1);
    return ok;
}

std::string unique_name(const std::string &what) {
    static std::atomic<unsigned> n{0};
    return "btest/" + what + "/" + std::to_string(::getpid()) + "." + std::to_string(++n);
}

pid_t spawn(const std::function<int()> &body) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        int rc = body();
        std::fflush(nullptr);
        ::_exit(rc);
    }
    return pid;
}

int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int st = 0;
        pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0)
            return -1;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &st, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

long shmem_kib() {
    std::ifstream f("/proc/meminfo");
    std::string key;
    long v = 0;
    std::string unit;
    while (f >> key >> v) {
        std::getline(f, unit);
        if (key == "Shmem:")
            return v;
    }
    return -1;
}

int find_memfd(const std::string &name) {
    std::string want = "memfd:rtshm:" + name;
    DIR *d = ::opendir("/proc/self/fd");
    if (d == nullptr)
        return -1;
    int found = -1;
    while (struct dirent *e = ::readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        char target[4096] = {};
        std::string link = std::string("/proc/self/fd/") + e->d_name;
        if (::readlink(link.c_str(), target, sizeof target - 1) < 0)
            continue;
        // "/memfd:rtshm:NAME (deleted)"
        std::string t = target;
        if (t.rfind("/" + want, 0) == 0 &&
            (name.empty() || t.size() == want.size() + 1 || t[want.size() + 1] == ' ')) {
            found = std::atoi(e->d_name);
            break;
        }
    }
    ::closedir(d);
    return found;
}

std::vector<std::string> maps_lines(const std::string &needle) {
    std::ifstream f("/proc/self/maps");
    std::vector<std::string> out;
    for (std::string line; std::getline(f, line);)
        if (line.find(needle) != std::string::npos)
            out.push_back(line);
    return out;
}

std::set<std::string> dir_entries(const std::string &dir) {
    std::set<std::string> s;
    if (DIR *d = ::opendir(dir.c_str())) {
        while (struct dirent *e = ::readdir(d))
            s.insert(e->d_name);
        ::closedir(d);
    }
    return s;
}

namespace {
int collect(const RTSHM_OBJECT_INFO *info, void *ctx) {
    auto *v = static_cast<std::vector<ListedObject> *>(ctx);
    ListedObject o;
    if (info->name != nullptr)
        o.name.assign(info->name, info->name_length);
    o.id = info->id;
    o.size = info->size;
    o.handles = info->handles;
    v->push_back(o);
    return 1;
}
} // namespace

std::optional<std::vector<ListedObject>> list_objects() {
    std::vector<ListedObject> v;
    if (!RtShmListObjects(collect, &v))
        return std::nullopt;
    return v;
}

int count_listed(const std::string &name) {
    auto l = list_objects();
    if (!l)
        return -1;
    int n = 0;
    for (const auto &o : *l)
        n += o.name == name;
    return n;
}

std::string old_backend_file_name(const std::string &name, unsigned probe) {
    __extension__ using u128 = unsigned __int128;
    u128 h = (static_cast<u128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
    const u128 prime = (static_cast<u128>(0x0000000001000000ULL) << 64) | 0x13BULL;
    for (unsigned char c : name) {
        h ^= c;
        h *= prime;
    }
    static const char hex[] = "0123456789abcdef";
    std::string out(34, '.');
    for (int i = 31; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = hex[static_cast<unsigned>(h & 0xf)];
        h >>= 4;
    }
    out[33] = static_cast<char>('0' + probe % 10);
    return out;
}

Gate::Gate() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) == 0) {
        rd = p[0];
        wr = p[1];
    }
}
Gate::~Gate() {
    close_read();
    close_write();
}
void Gate::open_gate() {
    char c = 1;
    while (::write(wr, &c, 1) < 0 && errno == EINTR) {
    }
}
bool Gate::wait_open() {
    char c;
    ssize_t n;
    while ((n = ::read(rd, &c, 1)) < 0 && errno == EINTR) {
    }
    return n == 1;
}
bool Gate::read_bytes(int n, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (n > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{rd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
            return false;
        char c;
        if (::read(rd, &c, 1) != 1)
            return false;
        --n;
    }
    return true;
}
void Gate::close_write() {
    if (wr >= 0)
        ::close(wr);
    wr = -1;
}
void Gate::close_read() {
    if (rd >= 0)
        ::close(rd);
    rd = -1;
}

} // namespace btest
