// SPDX-License-Identifier: MIT
// private_broker.hpp: a test's own rtshmd, shared by every uid (--system),
// on a socket in a fresh directory; RTSHM_BROKER_SOCKET points there, so the
// test and every child it starts use it and never meet another broker.
//
// Exists apart from the suites so the conformance suite, the broker's fault
// tests and the benchmarks start and stop one the same way.
#pragma once

#include <string>
#include <sys/types.h>

namespace rtshm::test {

class PrivateBroker {
public:
    // Starts rtshmd (RTSHM_RTSHMD, else "rtshmd" beside this program, else
    // the build tree's) as a child and waits until it answers. False: see
    // stderr.
    bool start(const std::string &tag);
    // SIGTERM and waits for it to go; removes the directory. False if it
    // did not end cleanly (a crash, a sanitizer's report).
    bool stop();
    // SIGKILL, no clean-up: a broker crash. start_again() makes a new one
    // on the same socket.
    void kill_hard();
    bool start_again();
    pid_t pid() const { return pid_; }
    const std::string &socket() const { return socket_; }

private:
    bool launch();
    std::string dir_, socket_;
    pid_t pid_ = -1;
};

// The broker's pid as it reports it (Op::status), or -1.
pid_t broker_pid(const std::string &socket);

} // namespace rtshm::test
