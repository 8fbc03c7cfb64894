// SPDX-License-Identifier: MIT
// S32: the broker's seals and the object's mode hold against the holder's
// own descriptor and against another user.
#include "support.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace btest {
namespace {

using namespace std::chrono_literals;

// The exit status of this program's "--helper open NAME rw|ro" run as
// uid 65534 (exec: a connection of its own, made with its own credentials).
int open_as_nobody_exec(const std::string &name, bool rw) {
    pid_t pid = spawn([&] {
        if (!drop_to_nobody())
            return 40;
        ::execl("/proc/self/exe", "rtshm_broker_tests", "--helper", "open", name.c_str(),
                rw ? "rw" : "ro", static_cast<char *>(nullptr));
        return 41;
    });
    return wait_for(pid, 20s);
}

TEST(Broker, S32_NoUserCanTruncateOrWriteAReadOnlyObject) {
    const std::string name = unique_name("seal");
    RTSHM_SHM_VIEW v{};
    HANDLE h = create_n(name, 1 << 20, 0, 0600, &v);
    ASSERT_NE(h, nullptr) << GetLastError();
    std::memset(v.address, 'a', 1 << 20);
    int fd = find_memfd(name);
    ASSERT_GE(fd, 0) << "no descriptor links to memfd:rtshm:" << name;
    errno = 0;
    EXPECT_NE(::ftruncate(fd, 4096), 0);
    EXPECT_EQ(errno, EPERM) << "a shrink is not sealed";
    errno = 0;
    EXPECT_NE(::ftruncate(fd, 2 << 20), 0);
    EXPECT_EQ(errno, EPERM) << "a growth is not sealed";
    // Nor through a new open of the same memfd.
    std::string proc = "/proc/self/fd/" + std::to_string(fd);
    if (int fd2 = ::open(proc.c_str(), O_RDWR | O_CLOEXEC); fd2 >= 0) {
        EXPECT_NE(::ftruncate(fd2, 0), 0);
        ::close(fd2);
    }
    EXPECT_EQ(static_cast<char *>(v.address)[(1 << 20) - 1], 'a');

    // A read-only object.
    const std::string ro = unique_name("seal-ro");
    RTSHM_SHM_VIEW rv{};
    HANDLE hr = create_n(ro, 65536, RTSHM_SHM_READ_ONLY, 0644, &rv);
    ASSERT_NE(hr, nullptr) << GetLastError();
    EXPECT_EQ(rv.flags & RTSHM_VIEW_WRITABLE, 0u);
    int rfd = find_memfd(ro);
    ASSERT_GE(rfd, 0) << "no descriptor links to memfd:rtshm:" << ro;
    // Already when the create returns, not once the broker reads the commit.
    EXPECT_NE(::fcntl(rfd, F_GET_SEALS) & F_SEAL_WRITE, 0) << "not sealed against writing yet";
    char c = 'z';
    EXPECT_NE(::pwrite(rfd, &c, 1, 0), 1) << "pwrite through the view's descriptor";
    std::string rproc = "/proc/self/fd/" + std::to_string(rfd);
    if (int fd2 = ::open(rproc.c_str(), O_RDWR | O_CLOEXEC); fd2 >= 0) {
        EXPECT_NE(::pwrite(fd2, &c, 1, 0), 1) << "pwrite through a reopened descriptor";
        void *m = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
        EXPECT_EQ(m, MAP_FAILED) << "a writable mapping of a read-only object";
        if (m != MAP_FAILED)
            ::munmap(m, 4096);
        ::close(fd2);
    }
    EXPECT_NE(::ftruncate(rfd, 0), 0);
    EXPECT_NE(::mprotect(rv.address, 4096, PROT_READ | PROT_WRITE), 0)
        << "the read-only view became writable";
    EXPECT_EQ(static_cast<const char *>(rv.address)[0], '\0');

    // Another user: 0600 is closed to them, 0644 opens read-only only.
    EXPECT_EQ(open_as_nobody_exec(name, false), 10) << "0600 object, read-only open by nobody";
    EXPECT_EQ(open_as_nobody_exec(name, true), 10) << "0600 object, read-write open by nobody";
    const std::string pub = unique_name("seal-0644");
    RTSHM_SHM_VIEW pv{};
    HANDLE hp = create_n(pub, 65536, 0, 0644, &pv);
    ASSERT_NE(hp, nullptr) << GetLastError();
    EXPECT_EQ(open_as_nobody_exec(pub, true), 10) << "0644 object, read-write open by nobody";
    EXPECT_EQ(open_as_nobody_exec(pub, false), 1) << "0644 object, read-only open by nobody";
    RtCloseHandle(hp);
    RtCloseHandle(hr);
    RtCloseHandle(h);
}

// A fork child that drops to another user and then opens by name must be
// judged as that user (S32: "the usual owner/group/other rules"), not by the
// credentials its parent's connection was made with.
TEST(Broker, S32_AForkChildThatDropsToNobodyIsJudgedAsNobody) {
    const std::string name = unique_name("seal-fork");
    RTSHM_SHM_VIEW v{};
    HANDLE h = create_n(name, 65536, 0, 0600, &v);
    ASSERT_NE(h, nullptr) << GetLastError();
    pid_t pid = spawn([&] {
        if (!drop_to_nobody())
            return 40;
        RTSHM_SHM_VIEW w{};
        HANDLE h2 = open_n(name, 0, &w);
        if (h2 != nullptr)
            return 3; // opened a 0600 object of root's as uid 65534
        return GetLastError() == ERROR_ACCESS_DENIED ? 0 : 4;
    });
    EXPECT_EQ(wait_for(pid, 20s), 0) << "3: uid 65534 opened root's 0600 object read-write";
    RtCloseHandle(h);
}

} // namespace
} // namespace btest
