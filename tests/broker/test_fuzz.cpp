// SPDX-License-Identifier: MIT
// S32: a client that sends the broker garbage (sizes, ops, fields,
// descriptors, floods, abandoned connections) hurts nobody else: a
// well-behaved process keeps working, and the broker lives and ends cleanly.
#include "protocol.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace btest {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
namespace wire = rtshm::broker;

int connect_raw(const std::string &path, bool nonblock) {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0)
        return -1;
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr *>(&sun), sizeof sun) != 0 &&
        errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// A descriptor of a random kind to pass along (the caller closes it).
int random_fd(std::mt19937_64 &rng) {
    switch (rng() % 6) {
    case 0: {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0)
            return -1;
        ::close(p[1]);
        return p[0];
    }
    case 1:
        return ::open("/dev/null", O_RDWR | O_CLOEXEC);
    case 2: {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
            return -1;
        ::close(sv[1]);
        return sv[0];
    }
    case 3: { // a memfd like the broker's, sealed
        int fd = ::memfd_create("rtshm:fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd >= 0 && ::ftruncate(fd, 4096 * static_cast<off_t>(1 + rng() % 8)) == 0)
            ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
        return fd;
    }
    case 4: { // unsealed, and it may grow under the broker's feet
        int fd = ::memfd_create("rtshm:fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd >= 0)
            (void)::ftruncate(fd, static_cast<off_t>(rng() % (1 << 20)));
        return fd;
    }
    default:
        return ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    }
}

void send_with_fds(int sock, const void *buf, std::size_t len, const int *fds, int nfds) {
    iovec iov{const_cast<void *>(buf), len};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * 4)];
    if (nfds > 0) {
        std::memset(cbuf, 0, sizeof cbuf);
        mh.msg_control = cbuf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * static_cast<unsigned>(nfds));
        cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * static_cast<unsigned>(nfds));
        std::memcpy(CMSG_DATA(c), fds, sizeof(int) * static_cast<unsigned>(nfds));
    }
    (void)::sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

// One random datagram: often a valid header with random fields, sometimes
// cut short or padded, sometimes pure noise.
std::vector<unsigned char> random_message(std::mt19937_64 &rng) {
    std::size_t len;
    switch (rng() % 4) {
    case 0:
        len = rng() % 70001;
        break;
    case 1:
        len = rng() % sizeof(wire::Request); // truncated
        break;
    default:
        len = sizeof(wire::Request);
    }
    std::vector<unsigned char> m(len);
    for (auto &b : m)
        b = static_cast<unsigned char>(rng());
    if (len >= sizeof(wire::Request) || rng() % 2 == 0) {
        wire::Request r{};
        r.magic = rng() % 16 == 0 ? static_cast<std::uint32_t>(rng()) : wire::kMagic;
        r.op = static_cast<wire::Op>(rng() % 12);
        const std::uint64_t sizes[] = {0, 1, 4096, 1ull << 20, 1ull << 40, ~0ull, rng()};
        r.size = sizes[rng() % 7];
        r.object_id = rng() % 2 ? rng() % 64 : rng();
        r.flags =
            rng() % 2 ? static_cast<std::uint32_t>(rng() % 32) : static_cast<std::uint32_t>(rng());
        r.mode = static_cast<std::uint32_t>(rng() % 01000 + (rng() % 8 == 0 ? rng() : 0));
        r.type = static_cast<std::uint32_t>(rng() % 8);
        const std::uint32_t lens[] = {0, 1, 8, wire::kMaxName, wire::kMaxName + 1, 0xffffffffu};
        r.name_len = lens[rng() % 6];
        r.uid = static_cast<std::uint32_t>(rng() % 3 == 0 ? 0 : rng());
        r.gid = static_cast<std::uint32_t>(rng());
        r.creator_pid = static_cast<std::int32_t>(rng());
        // Names: ours to steal, or noise.
        std::snprintf(r.name, sizeof r.name, "btest/fuzz/%u", static_cast<unsigned>(rng() % 8));
        if (len > 0)
            std::memcpy(m.data(), &r, std::min(len, sizeof r));
    }
    return m;
}

// The fuzz client: runs for `dur`, returns how many datagrams it sent.
long fuzz(const std::string &path, milliseconds dur, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<int> abandoned, hogs;
    long sent = 0;
    auto t0 = steady_clock::now();
    while (steady_clock::now() - t0 < dur) {
        switch (rng() % 8) {
        case 0: { // a connection that floods and never reads
            int s = connect_raw(path, true);
            if (s < 0)
                break;
            wire::Request r{};
            r.op = rng() % 2 ? wire::Op::status : wire::Op::list;
            for (int i = 0; i < 2000; ++i, ++sent)
                if (::send(s, &r, sizeof r, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                    break;
            hogs.push_back(s);
            break;
        }
        case 1: // connections opened and abandoned
            for (int i = 0; i < 20; ++i)
                if (int s = connect_raw(path, true); s >= 0)
                    abandoned.push_back(s);
            break;
        default: { // random datagrams, some with descriptors
            int s = connect_raw(path, true);
            if (s < 0)
                break;
            int n = 1 + static_cast<int>(rng() % 20);
            for (int i = 0; i < n; ++i, ++sent) {
                auto m = random_message(rng);
                int fds[4];
                int nfds = rng() % 3 == 0 ? 1 + static_cast<int>(rng() % 4) : 0;
                int got = 0;
                for (int k = 0; k < nfds; ++k)
                    if (int f = random_fd(rng); f >= 0)
                        fds[got++] = f;
                send_with_fds(s, m.data(), m.size(), fds, got);
                for (int k = 0; k < got; ++k)
                    ::close(fds[k]);
                char buf[65536];
                while (::recv(s, buf, sizeof buf, MSG_DONTWAIT) > 0) {
                }
            }
            if (rng() % 4 == 0)
                ::shutdown(s, SHUT_WR); // half-closed, then gone
            ::close(s);
        }
        }
        if (abandoned.size() > 300) {
            for (int s : abandoned)
                ::close(s);
            abandoned.clear();
        }
        if (hogs.size() > 20) {
            for (int s : hogs)
                ::close(s);
            hogs.clear();
        }
    }
    for (int s : abandoned)
        ::close(s);
    for (int s : hogs)
        ::close(s);
    return sent;
}

// The well-behaved process: create/open/close/list rounds; writes its
// rounds and failures to `out`.
int behave(milliseconds dur, int out) {
    long rounds = 0, failures = 0;
    auto t0 = steady_clock::now();
    const std::string name = unique_name("fuzz-victim");
    while (steady_clock::now() - t0 < dur) {
        auto r0 = steady_clock::now();
        RTSHM_SHM_VIEW v{}, w{};
        HANDLE h = create_n(name, 65536, 0, 0600, &v);
        if (h == nullptr) {
            ++failures;
            continue;
        }
        static_cast<volatile long *>(v.address)[0] = rounds;
        HANDLE h2 = open_n(name, 0, &w);
        if (h2 == nullptr || static_cast<volatile long *>(w.address)[0] != rounds)
            ++failures;
        if (count_listed(name) != 1)
            ++failures;
        if (h2 != nullptr)
            RtCloseHandle(h2);
        RtCloseHandle(h);
        if (steady_clock::now() - r0 > 1s)
            ++failures; // slowed down for good
        ++rounds;
    }
    long r[2] = {rounds, failures};
    (void)!::write(out, r, sizeof r);
    return 0;
}

TEST(Broker, S32_FuzzClientDoesNotHurtOthers) {
    const std::string path = broker().socket();
    const pid_t bpid = broker().pid();
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    pid_t fuzzer = spawn([&] {
        std::printf("[ figure ] fuzz client sent %ld datagrams\n",
                    fuzz(path, 5s, static_cast<std::uint64_t>(::getpid())));
        return 0;
    });
    pid_t good = spawn([&] { return behave(5s, p[1]); });
    ::close(p[1]);
    EXPECT_EQ(wait_for(fuzzer, 30s), 0);
    EXPECT_EQ(wait_for(good, 30s), 0);
    long r[2] = {0, -1};
    EXPECT_EQ(::read(p[0], r, sizeof r), static_cast<ssize_t>(sizeof r));
    ::close(p[0]);
    std::printf("[ figure ] well-behaved process: %ld rounds, %ld failures\n", r[0], r[1]);
    EXPECT_EQ(r[1], 0) << "the well-behaved process saw failures";
    EXPECT_GT(r[0], 10);
    EXPECT_EQ(::kill(bpid, 0), 0) << "the broker died";
    EXPECT_EQ(rtshm::test::broker_pid(path), bpid) << "the broker no longer answers";
    RTSHM_SHM_VIEW v{};
    HANDLE h = create_n(unique_name("after-fuzz"), 4096, 0, 0600, &v);
    EXPECT_NE(h, nullptr) << GetLastError();
    if (h != nullptr)
        RtCloseHandle(h);
    // It still ends cleanly (no crash, no sanitizer report); then a new one.
    EXPECT_TRUE(broker().stop());
    ::unsetenv("RTSHM_RTSHMD");
    ASSERT_TRUE(broker().start("broker-tests"));
    ::setenv("RTSHM_RTSHMD", "/bin/false", 1);
}

} // namespace
} // namespace btest
