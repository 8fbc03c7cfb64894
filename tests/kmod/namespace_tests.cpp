// SPDX-License-Identifier: MIT
// In-guest tests of rtshm.ko's isolation (S7, S32, S34): a name table per
// IPC namespace, LIST showing only what the caller may read, no shrink by a
// reader, exclusive create. Raw ioctls; every test skips without
// /dev/rtshm (the host) and those that change identity skip unless root.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <uapi/rtshm.h>

#include "kmod_util.hpp"

namespace {

using kmod_util::kObjects;
using kmod_util::kTables;
using kmod_util::read_num;
using kmod_util::wait_value;

std::string uniq(const char *tag) {
    return kmod_util::uniq("kn", tag);
}

struct Created {
    int err = 0; // 0 or errno
    rtshm_create c{};
};

Created create(int dev, const std::string &name, uint64_t size, uint32_t flags = 0,
               uint32_t mode = 0) {
    Created r;
    r.c.name = reinterpret_cast<uintptr_t>(name.data());
    r.c.name_len = static_cast<uint32_t>(name.size());
    r.c.size = size;
    r.c.flags = flags;
    r.c.mode = mode;
    r.c.type = RTSHM_TYPE_SHM;
    r.c.fd = -1;
    if (ioctl(dev, RTSHM_IOC_CREATE, &r.c) != 0)
        r.err = errno;
    return r;
}

int open_err(int dev, const std::string &name, bool write = false) {
    rtshm_open o{};
    o.name = reinterpret_cast<uintptr_t>(name.data());
    o.name_len = static_cast<uint32_t>(name.size());
    o.flags = write ? RTSHM_OPEN_WRITE : 0;
    o.type = RTSHM_TYPE_SHM;
    if (ioctl(dev, RTSHM_IOC_OPEN, &o) != 0)
        return errno;
    close(o.fd);
    return 0;
}

// Every object LIST shows the caller: name -> stat.
std::vector<rtshm_stat> list_all(int dev) {
    std::vector<rtshm_stat> out, page(16);
    rtshm_list l{};
    for (;;) {
        l.entries = reinterpret_cast<uintptr_t>(page.data());
        l.max_entries = static_cast<uint32_t>(page.size());
        if (ioctl(dev, RTSHM_IOC_LIST, &l) != 0)
            return out;
        out.insert(out.end(), page.begin(), page.begin() + l.count);
        if (l.next_id == 0)
            return out;
        l.start_id = l.next_id;
    }
}

bool listed(const std::vector<rtshm_stat> &v, const std::string &name) {
    for (const auto &st : v)
        if (std::string(st.name, st.name_len) == name)
            return true;
    return false;
}

// fn in a forked child; its exit code (128 + signal if killed).
int in_child(const std::function<int()> &fn) {
    fflush(nullptr);
    pid_t p = fork();
    if (p == 0)
        _exit(fn());
    int st = 0;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

bool drop_to_nobody() {
    return setgroups(0, nullptr) == 0 && setresgid(65534, 65534, 65534) == 0 &&
           setresuid(65534, 65534, 65534) == 0;
}

class Isolation : public ::testing::Test {
protected:
    void SetUp() override {
        if (access(RTSHM_DEVICE_PATH, F_OK) != 0)
            GTEST_SKIP() << "no " RTSHM_DEVICE_PATH " (not in the guest)";
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root (namespaces, other users)";
        dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
        ASSERT_GE(dev, 0);
    }
    void TearDown() override {
        for (int fd : fds)
            close(fd);
        if (dev >= 0)
            close(dev);
    }
    int keep(const Created &c) {
        if (c.err == 0)
            fds.push_back(c.c.fd);
        return c.err;
    }
    int dev = -1;
    std::vector<int> fds;
};

} // namespace

// Two IPC namespaces, one name, two objects; each sees only its own, and a
// namespace's table and objects go away with its last process.
void check_namespaces(int dev, int unshare_flags, uint64_t host_id, const std::string &shared,
                      const std::string &host_only) {
    long long tables0 = read_num(kTables), objects0 = read_num(kObjects);
    int rc = in_child([&] {
        if (unshare(unshare_flags) != 0)
            return errno == EINVAL || errno == EPERM ? 20 : 10;
        Created mine = create(dev, shared, 4096);
        if (mine.err != 0)
            return 11;
        if (mine.c.result != RTSHM_RESULT_CREATED || mine.c.id == host_id)
            return 12; // attached to the host's object
        if (open_err(dev, host_only) != ENOENT)
            return 13; // saw a name of the host's namespace
        auto v = list_all(dev);
        if (v.size() != 1 || !listed(v, shared))
            return 14; // listed the host's objects
        if (read_num(kTables) != tables0 + 1)
            return 15;
        return 0;
    });
    if (rc == 20)
        GTEST_SKIP() << "this kernel cannot make the namespace (no CONFIG_IPC_NS/USER_NS?)";
    EXPECT_EQ(rc, 0) << "11 create failed, 12 same object as the host's, 13 opened the host's, "
                        "14 listed the host's, 15 no table of its own";
    EXPECT_EQ(wait_value(kTables, tables0), tables0) << "the namespace's table outlived it";
    EXPECT_EQ(wait_value(kObjects, objects0), objects0);
}

TEST_F(Isolation, S34_IpcNamespacesHaveTheirOwnNames) {
    auto shared = uniq("shared"), host_only = uniq("hostonly");
    Created a = create(dev, shared, 4096);
    ASSERT_EQ(keep(a), 0);
    ASSERT_EQ(keep(create(dev, host_only, 4096)), 0);
    check_namespaces(dev, CLONE_NEWIPC, a.c.id, shared, host_only);
    // The host still has exactly its own.
    auto v = list_all(dev);
    EXPECT_TRUE(listed(v, shared));
    EXPECT_TRUE(listed(v, host_only));
}

TEST_F(Isolation, S34_UserAndIpcNamespaceHaveTheirOwnNames) {
    auto shared = uniq("ushared"), host_only = uniq("uhostonly");
    Created a = create(dev, shared, 4096);
    ASSERT_EQ(keep(a), 0);
    ASSERT_EQ(keep(create(dev, host_only, 4096)), 0);
    check_namespaces(dev, CLONE_NEWUSER | CLONE_NEWIPC, a.c.id, shared, host_only);
}

// Owner ids as the caller's user namespace maps them: unmapped root is the
// overflow id there.
TEST_F(Isolation, S34_OwnerIsReportedInCallersUserNamespace) {
    auto n = uniq("owner");
    Created a = create(dev, n, 4096);
    ASSERT_EQ(keep(a), 0);
    int rc = in_child([&] {
        if (unshare(CLONE_NEWUSER) != 0)
            return errno == EINVAL || errno == EPERM ? 20 : 10;
        rtshm_stat st{};
        if (ioctl(a.c.fd, RTSHM_IOC_QUERY, &st) != 0)
            return 11;
        return st.uid == 65534 && st.gid == 65534 ? 0 : 12;
    });
    if (rc == 20)
        GTEST_SKIP() << "this kernel cannot make a user namespace";
    EXPECT_EQ(rc, 0);
}

// LIST shows an unrelated user a 0644 object, never a 0600 one.
TEST_F(Isolation, S32_ListShowsOnlyWhatCallerMayRead) {
    auto secret = uniq("secret"), open = uniq("open");
    ASSERT_EQ(keep(create(dev, secret, 4096, 0, 0600)), 0);
    ASSERT_EQ(keep(create(dev, open, 4096, 0, 0644)), 0);
    int rc = in_child([&] {
        if (!drop_to_nobody())
            return 10;
        auto v = list_all(dev);
        if (listed(v, secret))
            return 11;
        return listed(v, open) ? 0 : 12;
    });
    EXPECT_EQ(rc, 0) << "11: a 0600 object was listed to another user, 12: a 0644 one was not";
    EXPECT_TRUE(listed(list_all(dev), secret)) << "the owner must see it";
}

// S7 through the raw ABI: a reader's smaller read-only re-create gets a view
// of that size and leaves the object's size alone.
TEST_F(Isolation, S7_ReaderCannotShrinkThroughRawIoctl) {
    auto n = uniq("shrink");
    Created a = create(dev, n, 1 << 20, 0, 0644);
    ASSERT_EQ(keep(a), 0);
    int rc = in_child([&] {
        if (!drop_to_nobody())
            return 10;
        Created r = create(dev, n, 1, RTSHM_CREATE_READONLY);
        if (r.err != 0)
            return 11;
        return r.c.result == RTSHM_RESULT_EXISTED && r.c.size == 1 ? 0 : 12;
    });
    EXPECT_EQ(rc, 0);
    rtshm_stat st{};
    ASSERT_EQ(ioctl(a.c.fd, RTSHM_IOC_QUERY, &st), 0);
    EXPECT_EQ(st.size, 1u << 20) << "a reader shrank the object";
    // A writer still may (S7).
    ASSERT_EQ(keep(create(dev, n, 4096)), 0);
    ASSERT_EQ(ioctl(a.c.fd, RTSHM_IOC_QUERY, &st), 0);
    EXPECT_EQ(st.size, 4096u);
}

// RTSHM_CREATE_EXCL: EEXIST for an existing name, nothing changed; a
// squatter's world-writable object is never attached to.
TEST_F(Isolation, S32_ExclusiveCreateRefusesExistingName) {
    auto n = uniq("excl");
    int rc = in_child([&] {
        if (!drop_to_nobody())
            return 10;
        Created squat = create(dev, n, 4096, 0, 0666);
        if (squat.err != 0)
            return 11;
        Created mine = create(dev, n, 4096, RTSHM_CREATE_EXCL);
        return mine.err == EEXIST ? 0 : 12;
    });
    EXPECT_EQ(rc, 0);
    // The squatter died: the name is free again, and an exclusive create works.
    Created c = create(dev, n, 4096, RTSHM_CREATE_EXCL, 0600);
    EXPECT_EQ(keep(c), 0);
    EXPECT_EQ(c.c.result, static_cast<uint32_t>(RTSHM_RESULT_CREATED));
    Created again = create(dev, n, 4096, RTSHM_CREATE_EXCL);
    EXPECT_EQ(again.err, EEXIST);
}
