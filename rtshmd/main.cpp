// SPDX-License-Identifier: MIT
// main.cpp: rtshmd, the broker of librtshm's POSIX backend: options, the
// listening socket, --daemon, and the single-threaded epoll loop.
#include "broker.hpp"
#include "listen_socket.hpp"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#ifndef RTSHM_VERSION_STRING
#define RTSHM_VERSION_STRING "unknown"
#endif

using namespace rtshm::broker;

namespace {

constexpr std::uint64_t kListenTag = 1; // epoll data of the event loop's own fds
constexpr std::uint64_t kSignalTag = 2;
constexpr int kAcceptBurst = 64;

constexpr char kUsage[] = R"(Usage: rtshmd [OPTION]...
The broker of librtshm's POSIX backend: owns the name table of shared-memory
objects and hands out their memfds. Started by librtshm or by systemd.

  --socket PATH        listen on the socket file PATH
  --abstract NAME      listen on the abstract socket name NAME
  --system             serve every user (socket 0666; permissions per object)
  --daemon             detach once listening (the parent exits 0)
  --idle-exit SECONDS  exit after SECONDS without connections or objects
  -h, --help           this text
  -V, --version        the version
With neither --socket nor --abstract, the socket comes from systemd
(LISTEN_FDS=1).
)";

struct Options {
    std::string path;
    std::string abstract;
    bool system = false;
    bool daemon = false;
    long idle_exit = 0;
};

// 0: go on; else 1 + the exit code.
int parse(int argc, char **argv, Options &o) {
    static const option longs[] = {
        {"socket", required_argument, nullptr, 's'},
        {"abstract", required_argument, nullptr, 'a'},
        {"system", no_argument, nullptr, 'S'},
        {"daemon", no_argument, nullptr, 'd'},
        {"idle-exit", required_argument, nullptr, 'i'},
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},
        {nullptr, 0, nullptr, 0},
    };
    for (int c; (c = getopt_long(argc, argv, "hV", longs, nullptr)) != -1;) {
        switch (c) {
        case 's':
            o.path = optarg;
            break;
        case 'a':
            o.abstract = optarg;
            break;
        case 'S':
            o.system = true;
            break;
        case 'd':
            o.daemon = true;
            break;
        case 'i': {
            char *end = nullptr;
            errno = 0;
            o.idle_exit = std::strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || o.idle_exit < 0) {
                std::fprintf(stderr, "rtshmd: --idle-exit needs seconds >= 0: %s\n", optarg);
                return 1 + 2;
            }
            break;
        }
        case 'h':
            std::fputs(kUsage, stdout);
            return 1 + 0;
        case 'V':
            std::printf("rtshmd %s\n", RTSHM_VERSION_STRING);
            return 1 + 0;
        default:
            std::fputs("Try 'rtshmd --help'.\n", stderr);
            return 1 + 2;
        }
    }
    if (optind < argc || (!o.path.empty() && !o.abstract.empty())) {
        std::fputs("rtshmd: one of --socket or --abstract, and no operands\n", stderr);
        return 1 + 2;
    }
    return 0;
}

// One descriptor per object (two with read-only views): as many as the
// system allows a process (fs.nr_open) where we may raise the hard limit
// (CAP_SYS_RESOURCE: root, the system broker), else the hard limit. A
// guest's default of 4096 ended a benchmark at its 4,088th object.
void raise_nofile() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (std::FILE *f = std::fopen("/proc/sys/fs/nr_open", "re")) {
        unsigned long long nr_open = 0;
        if (std::fscanf(f, "%llu", &nr_open) == 1 && nr_open > rl.rlim_max) {
            rlimit up{static_cast<rlim_t>(nr_open), static_cast<rlim_t>(nr_open)};
            if (::setrlimit(RLIMIT_NOFILE, &up) == 0) {
                std::fclose(f);
                return;
            }
        }
        std::fclose(f);
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// The parent exits once the socket listens, so whoever started us can
// connect as soon as it has waited for that exit.
void daemonize(Listener &l) {
    pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("rtshmd: fork");
        std::exit(1);
    }
    if (pid > 0) {
        l.path.clear(); // the child keeps the socket file
        std::_Exit(0);
    }
    ::setsid();
    if (::chdir("/") != 0)
        std::_Exit(1);
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
    }
    // Nothing inherited stays open but the listening socket, moved to 3.
    if (l.fd.get() != 3) {
        if (::dup3(l.fd.get(), 3, O_CLOEXEC) != 3)
            std::_Exit(1);
        l.fd.reset(3);
    }
    ::close_range(4, ~0u, 0);
}

// Accepts pending connections. EMFILE would leave the connection queued and
// epoll reporting it forever: a spare descriptor is given up to take and
// refuse it. false: no spare either, stop accepting for a while.
bool accept_all(int lfd, Broker &broker, bool system, UniqueFd &spare) {
    if (!spare) // lost at an EMFILE: take it back once descriptors are free
        spare.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    for (int i = 0; i < kAcceptBurst; ++i) {
        UniqueFd fd(::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno == EMFILE || errno == ENFILE) {
                if (!spare)
                    return false;
                spare.reset();
                ::close(::accept(lfd, nullptr, nullptr));
                spare.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
                continue;
            }
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return true; // EAGAIN, or nothing to do about it now
        }
        auto creds = peer_creds(fd.get());
        if (!creds)
            continue;
        // A per-user broker serves its user (and root) only.
        if (!system && creds->uid != ::getuid() && creds->uid != 0)
            continue;
        broker.add_connection(std::move(fd), std::move(*creds));
    }
    return true;
}

constexpr auto kAcceptPause = std::chrono::milliseconds(100);

} // namespace

int main(int argc, char **argv) {
    Options opt;
    if (int rc = parse(argc, argv, opt); rc != 0)
        return rc - 1;
    ::signal(SIGPIPE, SIG_IGN);
    raise_nofile();

    Listener l;
    ListenResult lr = !opt.path.empty()       ? bind_path(opt.path, opt.system, l)
                      : !opt.abstract.empty() ? bind_abstract(opt.abstract, l)
                                              : activated(l);
    if (lr == ListenResult::already_served)
        return 0; // another broker serves this socket: nothing to do
    if (lr == ListenResult::failed) {
        if (opt.path.empty() && opt.abstract.empty())
            std::fputs("rtshmd: no socket: give --socket or --abstract, or start by systemd\n",
                       stderr);
        return 1;
    }
    ::umask(077);
    if (opt.daemon)
        daemonize(l);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    UniqueFd sig(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
    UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
    UniqueFd spare(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!sig || !ep) {
        std::perror("rtshmd: epoll/signalfd");
        return 1;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenTag;
    ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, l.fd.get(), &ev);
    ev.data.u64 = kSignalTag;
    ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, sig.get(), &ev);

    Broker broker(ep.get(), opt.system);
    auto idle_since = Clock::now();
    const auto idle = std::chrono::seconds(opt.idle_exit);
    bool paused = false; // accepts stopped until resume_at
    Clock::time_point resume_at{};
    for (;;) {
        auto now = Clock::now();
        if (paused && now >= resume_at) {
            ev.events = EPOLLIN;
            ev.data.u64 = kListenTag;
            if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, l.fd.get(), &ev) == 0)
                paused = false;
        }
        int timeout = -1;
        if (paused) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(resume_at - now);
            int ms = std::max(static_cast<int>(left.count()), 1);
            timeout = timeout < 0 ? ms : std::min(timeout, ms);
        }
        bool idle_now = broker.connection_count() == 0 && broker.object_count() == 0;
        if (!idle_now)
            idle_since = now;
        if (opt.idle_exit > 0 && idle_now) {
            if (now - idle_since >= idle)
                return 0;
            auto left = std::chrono::ceil<std::chrono::milliseconds>(idle_since + idle - now);
            int ms = static_cast<int>(left.count());
            timeout = timeout < 0 ? ms : std::min(timeout, ms);
        }
        epoll_event events[64];
        int n = ::epoll_wait(ep.get(), events, 64, timeout);
        if (n < 0 && errno != EINTR) {
            std::perror("rtshmd: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; ++i) {
            std::uint64_t tag = events[i].data.u64;
            std::uint32_t what = events[i].events;
            if (tag == kListenTag) {
                if (!accept_all(l.fd.get(), broker, opt.system, spare) &&
                    ::epoll_ctl(ep.get(), EPOLL_CTL_DEL, l.fd.get(), nullptr) == 0) {
                    paused = true;
                    resume_at = Clock::now() + kAcceptPause;
                }
            } else if (tag == kSignalTag) {
                return 0; // SIGTERM/SIGINT: the destructors close everything
            } else {
                // Readable: what the peer sent before hanging up is served
                // first (reading reaches the end and closes it then).
                if ((what & EPOLLIN) != 0)
                    broker.readable(tag);
                else if ((what & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) != 0)
                    broker.hangup(tag);
            }
        }
        broker.settle();
    }
}
