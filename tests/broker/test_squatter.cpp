// SPDX-License-Identifier: MIT
// S32: a per-user broker on an abstract name is only used when its server is
// that user (or root): another user who binds the name first gets nothing.
#include "support.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace btest {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// Squatter's exit status: 0 no request seen, 1 a connection sent bytes,
// 2 the name was taken already, 3 a socket error.
int squat(Gate &ready, Gate &done) {
    if (!drop_to_nobody())
        return 3;
    int s = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    const char abs[] = "rtshm/rtshmd.0";
    std::memcpy(sun.sun_path + 1, abs, sizeof abs - 1);
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + sizeof abs - 1);
    if (s < 0)
        return 3;
    if (::bind(s, reinterpret_cast<sockaddr *>(&sun), len) != 0)
        return errno == EADDRINUSE ? 2 : 3;
    if (::listen(s, 16) != 0)
        return 3;
    ready.open_gate();
    done.wait_open(); // the client has finished
    int rc = 0;
    for (;;) {
        int c = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0)
            break; // EAGAIN: nobody (more) connected
        char buf[8192];
        ssize_t n = ::recv(c, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0)
            rc = 1; // a request reached the squatter
        ::close(c);
    }
    return rc;
}

TEST(Broker, S32_AnotherUsersBrokerIsNeverUsed) {
    // In a network namespace of its own, if we may, so that no broker of
    // root's elsewhere on the machine owns the name (abstract names are per
    // network namespace).
    pid_t arena = spawn([] {
        (void)::unshare(CLONE_NEWNET);
        Gate ready, done;
        pid_t sq = spawn([&] { return squat(ready, done); });
        if (!ready.read_bytes(1, 10s)) {
            int st = wait_for(sq, 1s);
            return st == 2 ? 50 : 51;
        }
        auto t0 = steady_clock::now();
        pid_t cl = spawn([] {
            ::unsetenv("RTSHM_BROKER_SOCKET");
            ::unsetenv("XDG_RUNTIME_DIR");
            ::setenv("RTSHM_RTSHMD", "/bin/false", 1);
            ::execl("/proc/self/exe", "rtshm_broker_tests", "--helper", "create", "btest/squatted",
                    static_cast<char *>(nullptr));
            return 41;
        });
        int crc = wait_for(cl, 20s);
        auto took = duration_cast<milliseconds>(steady_clock::now() - t0);
        std::printf("[ figure ] a create with a squatted abstract name failed in %lld ms\n",
                    static_cast<long long>(took.count()));
        done.open_gate();
        int src = wait_for(sq, 10s);
        if (crc != 10)
            return 60 + (crc < 0 ? 9 : crc % 10); // the create did not fail
        if (took > 6s)
            return 70; // it failed, but not promptly
        return src == 0 ? 0 : 80 + src;
    });
    int rc = wait_for(arena, 60s);
    EXPECT_NE(rc, 50) << "rtshm/rtshmd.0 is bound already (a broker of root's runs here)";
    EXPECT_NE(rc, 60) << "the create succeeded: it used the squatter's socket";
    EXPECT_NE(rc, 69) << "the create hung";
    EXPECT_NE(rc, 70) << "the create took more than 6 s to fail";
    EXPECT_NE(rc, 81) << "the squatter received a request";
    EXPECT_EQ(rc, 0);
}

} // namespace
} // namespace btest
