// SPDX-License-Identifier: MIT
// harness.hpp: the fixture and process helpers of the conformance suite.
//
// Exists so every rule's test (one file per spec section) shares one way to
// pick the backend (TEST_P over posix and kernel), make unique names, run
// code in a forked child, exec this binary as a helper, and drop to user
// 65534 for permission tests.
#pragma once

#include "drop_privileges.hpp"

#include <rtapi.h>
#include <rtshm/rtshm.h>
#include <rtshm/rtshm.hpp>

#include <gtest/gtest.h>

#include <expected>
#include <functional>
#include <ostream>
#include <set>
#include <sys/wait.h>
#include <string>
#include <vector>

namespace rtshm {
inline void PrintTo(Backend b, std::ostream *os) {
    *os << backend_name(b);
}
} // namespace rtshm

namespace conf {

// The fixture: GetParam() is the backend under test, selected in SetUp.
class Conformance : public ::testing::TestWithParam<rtshm::Backend> {
public:
    // name(), for helpers outside the fixture.
    static std::string unique_name(const char *tag);

protected:
    void SetUp() override;
    void TearDown() override;
    bool kernel() const { return GetParam() == rtshm::Backend::kernel; }
    bool posix() const { return GetParam() == rtshm::Backend::posix; }
    // A name no other test or run uses.
    static std::string name(const char *tag);
};

// The error of a C++ API result, success if it has a value.
template <class T> rtshm::Error errof(const std::expected<T, rtshm::Error> &r) {
    return r ? rtshm::Error::success : r.error();
}

// Runs fn in a fork()ed child; returns the wait status. fn's return value is
// the exit code; nothing of gtest is used in the child.
int in_child(const std::function<int()> &fn);
// "exited 0", "exited 3", "killed by signal 11".
std::string describe(int status);
inline bool exited_ok(int status) {
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Whether a write to p faults (tried in a child).
bool write_faults(void *p);

struct Spawned {
    int status = 0;
    std::string out; // stdout
    std::string err; // stderr
};
// fork + exec of this binary with args (after argv[0]) and extra environment
// ("VAR=value", "VAR" alone unsets it); backend env is set to the one under
// test by the caller. stdin_fd, if >= 0, becomes the child's stdin.
Spawned spawn_self(const std::vector<std::string> &args, const std::vector<std::string> &env,
                   int stdin_fd = -1);
std::string backend_env(rtshm::Backend b); // "RTSHM_BACKEND=posix"

using rtshm::test::drop_to_nobody;

std::size_t open_fd_count();
std::set<int> open_fds();
// Mappings backed by a file or special inode (shared-memory views), not
// anonymous memory the allocator might add.
std::size_t inode_mapping_count();
// Whether the backend lists a live object of that name (rtshm ls).
bool object_listed(const std::string &name);
// How many live objects the backend lists.
std::size_t listed_object_count();

// Helper modes of the binary itself (see main.cpp).
int helper_main(int argc, char **argv);

} // namespace conf
