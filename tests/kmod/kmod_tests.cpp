// SPDX-License-Identifier: MIT
// In-guest tests of rtshm.ko through raw ioctls on /dev/rtshm.
//
// Every test skips when /dev/rtshm is absent (the host), and in the guest
// checks at the end that the module's object and pinned-memory counters are
// back where they started and that no descriptor leaked. Tests that check
// one rule of ../../shared/spec/semantics.md are named after it (S7_...).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <uapi/rtshm.h>

#include "kmod_util.hpp"

namespace {

using kmod_util::kMaxPinned;
using kmod_util::kObjects;
using kmod_util::kPinned;
using kmod_util::read_num;
using kmod_util::wait_value;
const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

bool have_device() {
    return access(RTSHM_DEVICE_PATH, F_OK) == 0;
}

long long objects() {
    return read_num(kObjects);
}
long long pinned() {
    return read_num(kPinned);
}

int count_fds() {
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (dirent *e = readdir(d))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; // the DIR's own descriptor
}

std::string uniq(const std::string &tag) {
    return kmod_util::uniq("kt", tag);
}

rtshm_create mk_create(const std::string &name, uint64_t size, uint32_t flags = 0,
                       uint32_t mode = 0) {
    rtshm_create c{};
    c.name = name.empty() ? 0 : reinterpret_cast<uintptr_t>(name.data());
    c.name_len = static_cast<uint32_t>(name.size());
    c.flags = flags;
    c.size = size;
    c.type = RTSHM_TYPE_SHM;
    c.mode = mode;
    c.fd = -1;
    return c;
}

// The structures point into the string: a temporary would dangle.
rtshm_create mk_create(std::string &&, uint64_t, uint32_t = 0, uint32_t = 0) = delete;
const std::string kNoName;

rtshm_open mk_open(const std::string &name, uint32_t flags = RTSHM_OPEN_WRITE) {
    rtshm_open o{};
    o.name = reinterpret_cast<uintptr_t>(name.data());
    o.name_len = static_cast<uint32_t>(name.size());
    o.flags = flags;
    o.type = RTSHM_TYPE_SHM;
    o.fd = -1;
    return o;
}
rtshm_open mk_open(std::string &&, uint32_t = 0) = delete;

// 0 or the errno of the ioctl.
int xioctl(int fd, unsigned long cmd, void *arg) {
    errno = 0;
    int r = ioctl(fd, cmd, arg);
    return r < 0 ? errno : 0;
}

int query(int h, rtshm_stat &st) {
    memset(&st, 0xA5, sizeof(st));
    return xioctl(h, RTSHM_IOC_QUERY, &st);
}

struct Map {
    void *p = MAP_FAILED;
    size_t n = 0;
    Map() = default;
    Map(int fd, size_t len, int prot = PROT_READ | PROT_WRITE, off_t off = 0) : n(len) {
        p = mmap(nullptr, len, prot, MAP_SHARED, fd, off);
    }
    Map(const Map &) = delete;
    Map &operator=(const Map &) = delete;
    ~Map() { reset(); }
    void reset() {
        if (p != MAP_FAILED)
            munmap(p, n);
        p = MAP_FAILED;
    }
    bool ok() const { return p != MAP_FAILED; }
    volatile uint8_t *b() const { return static_cast<volatile uint8_t *>(p); }
};

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(Fd &&o) noexcept : fd(o.release()) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    int release() {
        int f = fd;
        fd = -1;
        return f;
    }
};

// A page that is mapped, followed by one that is not: a pointer near the
// end of the first gives a "short buffer at the end of a mapping".
struct GuardPage {
    uint8_t *base = nullptr;
    GuardPage() {
        void *p =
            mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return;
        base = static_cast<uint8_t *>(p);
        // PROT_NONE, not unmapped: no later mmap can fill the hole.
        mprotect(base + kPage, kPage, PROT_NONE);
    }
    ~GuardPage() {
        if (base)
            munmap(base, 2 * kPage);
    }
    uint8_t *end() const { return base + kPage; }
    uint8_t *unmapped() const { return base + kPage; }
};

const uintptr_t kKernelAddr = 0xffffffff81000000ULL;
const uintptr_t kDirectMap = 0xffff888000000000ULL;

// Runs f in a forked child; returns the wait status. The child reports its
// own failures on stderr and exits non-zero.
template <class F> int in_child(F f) {
    fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        int rc = f();
        fflush(nullptr);
        _exit(rc);
    }
    int st = -1;
    if (pid > 0)
        waitpid(pid, &st, 0);
    return st;
}
#define CCHK(cond)                                                                                 \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "child check failed at line %d: %s (errno %d %s)\n", __LINE__, #cond,  \
                    errno, strerror(errno));                                                       \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)
#define EXPECT_CHILD_OK(st)                                                                        \
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "child wait status " << (st)

int drop_to_nobody() {
    if (setgroups(0, nullptr) != 0)
        return -1;
    if (setresgid(65534, 65534, 65534) != 0)
        return -1;
    if (setresuid(65534, 65534, 65534) != 0)
        return -1;
    return 0;
}

class Kmod : public ::testing::Test {
protected:
    int dev = -1;
    long long base_objects = 0, base_pinned = 0;
    int base_fds = 0;

    void SetUp() override {
        if (!have_device())
            GTEST_SKIP() << RTSHM_DEVICE_PATH " is absent (not in the test guest)";
        base_objects = objects();
        base_pinned = pinned();
        ASSERT_GE(base_objects, 0) << kObjects;
        ASSERT_GE(base_pinned, 0) << kPinned;
        base_fds = count_fds();
        dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
        ASSERT_GE(dev, 0) << strerror(errno);
    }
    void TearDown() override {
        if (dev >= 0)
            close(dev);
        if (IsSkipped() || !have_device())
            return;
        EXPECT_EQ(wait_value(objects, base_objects), base_objects) << "objects left behind";
        EXPECT_EQ(wait_value(pinned, base_pinned), base_pinned) << "pinned memory not returned";
        EXPECT_EQ(count_fds(), base_fds) << "descriptor leaked";
    }

    // Create; on success return the handle (and fill c), else -errno.
    int create(rtshm_create &c) {
        int e = xioctl(dev, RTSHM_IOC_CREATE, &c);
        return e ? -e : c.fd;
    }
    int create(const std::string &name, uint64_t size, uint32_t flags = 0, uint32_t mode = 0) {
        rtshm_create c = mk_create(name, size, flags, mode);
        return create(c);
    }
    int open_obj(const std::string &name, uint32_t flags = RTSHM_OPEN_WRITE,
                 rtshm_open *out = nullptr) {
        rtshm_open o = mk_open(name, flags);
        int e = xioctl(dev, RTSHM_IOC_OPEN, &o);
        if (out)
            *out = o;
        return e ? -e : o.fd;
    }

    // A create that must fail with err and leave no object and no fd.
    void expect_create_fails(rtshm_create c, int err, const char *what) {
        long long o = objects(), p = pinned();
        int fds = count_fds();
        int e = xioctl(dev, RTSHM_IOC_CREATE, &c);
        EXPECT_EQ(e, err) << what << ": got " << strerror(e);
        if (e == 0 && c.fd >= 0)
            close(c.fd);
        EXPECT_EQ(objects(), o) << what << ": a failed create left an object";
        EXPECT_EQ(pinned(), p) << what << ": a failed create left pinned memory";
        EXPECT_EQ(count_fds(), fds) << what << ": a failed create leaked a descriptor";
    }
    void expect_open_fails(rtshm_open o, int err, const char *what) {
        int fds = count_fds();
        int e = xioctl(dev, RTSHM_IOC_OPEN, &o);
        EXPECT_EQ(e, err) << what << ": got " << strerror(e);
        if (e == 0 && o.fd >= 0)
            close(o.fd);
        EXPECT_EQ(count_fds(), fds) << what << ": a failed open leaked a descriptor";
    }
};

// ------------------------------------------------------------ create

TEST_F(Kmod, S1_CreateNewIsCreatedZeroFilledAndCounted) {
    std::string n = uniq("s1");
    long long o0 = objects(), p0 = pinned();
    rtshm_create c = mk_create(n, 3 * kPage + 5);
    int h = create(c);
    ASSERT_GE(h, 0) << strerror(-h);
    Fd fd(h);
    EXPECT_EQ(c.result, (uint32_t)RTSHM_RESULT_CREATED);
    EXPECT_GE(c.size, 3 * kPage + 5);
    EXPECT_NE(c.id, 0u);
    EXPECT_EQ(objects(), o0 + 1);
    EXPECT_GE(pinned(), p0 + (long long)(4 * kPage));
    Map m(h, c.size);
    ASSERT_TRUE(m.ok()) << strerror(errno);
    for (size_t i = 0; i < c.size; i++)
        ASSERT_EQ(int(m.b()[i]), 0) << "byte " << i << " of a new object is not zero";
    m.b()[0] = 0x11;
    m.b()[c.size - 1] = 0x22;
    EXPECT_EQ(int(m.b()[c.size - 1]), 0x22);
}

TEST_F(Kmod, CreateReturnsCloexecHandle) {
    std::string n = uniq("cloexec");
    Fd h(create(n, kPage));
    ASSERT_GE(h.fd, 0);
    int fl = fcntl(h.fd, F_GETFD);
    EXPECT_TRUE(fl & FD_CLOEXEC) << "create handle is not O_CLOEXEC";
    Fd h2(open_obj(n));
    ASSERT_GE(h2.fd, 0);
    EXPECT_TRUE(fcntl(h2.fd, F_GETFD) & FD_CLOEXEC) << "open handle is not O_CLOEXEC";
    EXPECT_NE(h.fd, h2.fd);
}

TEST_F(Kmod, S3_CreateSizeZeroIsEinval) {
    std::string n = uniq("size0");
    expect_create_fails(mk_create(n, 0), EINVAL, "size 0");
    expect_create_fails(mk_create(kNoName, 0), EINVAL, "unnamed size 0");
    EXPECT_EQ(open_obj(n), -ENOENT);
}

TEST_F(Kmod, CreateUnknownFlagsIsEinval) {
    std::string n = uniq("flags");
    for (uint32_t f : {1u << 3, 1u << 7, 1u << 31, ~RTSHM_CREATE_FLAGS_ALL, 0xffffffffu})
        expect_create_fails(mk_create(n, kPage, f), EINVAL, "unknown create flag");
    EXPECT_EQ(open_obj(n), -ENOENT);
}

TEST_F(Kmod, CreateNonZeroReservedIsEinval) {
    std::string n = uniq("resv");
    for (int i = 0; i < 4; i++) {
        rtshm_create c = mk_create(n, kPage);
        c.reserved[i] = 1ULL << (i * 13);
        expect_create_fails(c, EINVAL, "non-zero reserved");
    }
    // Also when the name already exists: the check comes before the lookup.
    Fd h(create(n, kPage));
    ASSERT_GE(h.fd, 0);
    rtshm_create c = mk_create(n, kPage);
    c.reserved[3] = ~0ULL;
    expect_create_fails(c, EINVAL, "non-zero reserved, existing name");
}

TEST_F(Kmod, CreateBadTypeIsEinval) {
    std::string n = uniq("type");
    for (uint32_t t : {0u, RTSHM_TYPE_MAX + 1u, 0x100u, 0xffffffffu}) {
        rtshm_create c = mk_create(n, kPage);
        c.type = t;
        expect_create_fails(c, EINVAL, "bad type");
    }
}

TEST_F(Kmod, CreateModeAbove0777IsEinval) {
    std::string n = uniq("mode");
    for (uint32_t m : {01000u, 02000u, 04000u, 07777u, 0x10000u, 0xffffffffu})
        expect_create_fails(mk_create(n, kPage, 0, m), EINVAL, "mode > 0777");
    Fd h(create(n, kPage, 0, 0777));
    EXPECT_GE(h.fd, 0) << "mode 0777 must be accepted";
}

TEST_F(Kmod, CreateNulInNameIsEinval) {
    std::string n = uniq("nul");
    std::string bad = n + std::string(1, '\0') + "tail";
    expect_create_fails(mk_create(bad, kPage), EINVAL, "NUL inside name");
    std::string lead = std::string(1, '\0') + n;
    expect_create_fails(mk_create(lead, kPage), EINVAL, "NUL at start");
    std::string trail = n + std::string(1, '\0');
    expect_create_fails(mk_create(trail, kPage), EINVAL, "NUL at end (counted in name_len)");
    EXPECT_EQ(open_obj(n), -ENOENT) << "the name before the NUL must not have been created";
}

TEST_F(Kmod, CreateNameLenMismatchIsEinval) {
    rtshm_create c = mk_create(kNoName, kPage);
    c.name = 0;
    c.name_len = 5;
    expect_create_fails(c, EINVAL, "name 0 with name_len 5");
    std::string n = uniq("mm");
    c = mk_create(n, kPage);
    c.name_len = 0;
    expect_create_fails(c, EINVAL, "name set with name_len 0");
}

TEST_F(Kmod, S13_CreateNameTooLongIsEnametoolong) {
    std::string base = uniq("long");
    std::string n = base + std::string(RTSHM_NAME_MAX + 1 - base.size(), 'x');
    ASSERT_EQ(n.size(), (size_t)RTSHM_NAME_MAX + 1);
    expect_create_fails(mk_create(n, kPage), ENAMETOOLONG, "1025-byte name");
    rtshm_create c = mk_create(n, kPage);
    c.name_len = 0xffffffffu;
    expect_create_fails(c, ENAMETOOLONG, "name_len 0xffffffff");
    // Exactly RTSHM_NAME_MAX bytes is fine, and found again.
    std::string m = n.substr(0, RTSHM_NAME_MAX);
    Fd h(create(m, kPage));
    ASSERT_GE(h.fd, 0) << strerror(-h.fd);
    Fd h2(open_obj(m));
    EXPECT_GE(h2.fd, 0);
    rtshm_stat st;
    ASSERT_EQ(query(h.fd, st), 0);
    EXPECT_EQ(st.name_len, (uint32_t)RTSHM_NAME_MAX);
    EXPECT_EQ(memcmp(st.name, m.data(), RTSHM_NAME_MAX), 0);
}

TEST_F(Kmod, CreateBadStructPointerIsEfault) {
    long long o = objects();
    int fds = count_fds();
    GuardPage g;
    ASSERT_NE(g.base, nullptr);
    void *bad[] = {nullptr,
                   reinterpret_cast<void *>(1),
                   reinterpret_cast<void *>(kKernelAddr),
                   reinterpret_cast<void *>(kDirectMap),
                   g.unmapped(),
                   g.end() - sizeof(rtshm_create) / 2};
    for (void *p : bad) {
        if (p == g.end() - sizeof(rtshm_create) / 2) {
            // The first half is a valid unnamed create, the rest is unmapped.
            rtshm_create v = mk_create(kNoName, kPage);
            memcpy(p, &v, sizeof(rtshm_create) / 2);
        }
        EXPECT_EQ(xioctl(dev, RTSHM_IOC_CREATE, p), EFAULT) << "struct at " << p;
    }
    EXPECT_EQ(objects(), o);
    EXPECT_EQ(count_fds(), fds);
    EXPECT_EQ(xioctl(dev, RTSHM_IOC_OPEN, nullptr), EFAULT);
    EXPECT_EQ(xioctl(dev, RTSHM_IOC_LIST, nullptr), EFAULT);
    EXPECT_EQ(xioctl(dev, RTSHM_IOC_OPEN, reinterpret_cast<void *>(kKernelAddr)), EFAULT);
    EXPECT_EQ(xioctl(dev, RTSHM_IOC_LIST, reinterpret_cast<void *>(kKernelAddr)), EFAULT);
}

TEST_F(Kmod, CreateBadNamePointerIsEfault) {
    GuardPage g;
    ASSERT_NE(g.base, nullptr);
    rtshm_create c = mk_create(kNoName, kPage);
    c.name_len = 8;
    for (uintptr_t p :
         {uintptr_t(1), kKernelAddr, kDirectMap, reinterpret_cast<uintptr_t>(g.unmapped())}) {
        c.name = p;
        expect_create_fails(c, EFAULT, "bad name pointer");
    }
    // A name that runs off the end of a mapping.
    memset(g.end() - 4, 'a', 4);
    c.name = reinterpret_cast<uintptr_t>(g.end() - 4);
    c.name_len = 8;
    expect_create_fails(c, EFAULT, "name crossing into an unmapped page");
    c.name_len = 4;
    Fd h(create(c));
    EXPECT_GE(h.fd, 0) << "the 4 mapped bytes are a valid name";
    rtshm_open o = mk_open(kNoName);
    o.name = reinterpret_cast<uintptr_t>(g.end() - 4);
    o.name_len = 8;
    expect_open_fails(o, EFAULT, "open name crossing into an unmapped page");
    o.name = kKernelAddr;
    expect_open_fails(o, EFAULT, "open name kernel pointer");
}

TEST_F(Kmod, CreateHugeSizeFailsCleanly) {
    std::string n = uniq("huge");
    for (uint64_t s : {uint64_t(1) << 46, ~uint64_t(0), ~uint64_t(0) - kPage + 2}) {
        long long o = objects(), p = pinned();
        int fds = count_fds();
        rtshm_create c = mk_create(n, s);
        int e = xioctl(dev, RTSHM_IOC_CREATE, &c);
        EXPECT_TRUE(e == ENOMEM || e == EINVAL) << "size " << s << ": " << strerror(e);
        if (e == 0)
            close(c.fd);
        EXPECT_EQ(objects(), o);
        EXPECT_EQ(pinned(), p);
        EXPECT_EQ(count_fds(), fds);
    }
}

TEST_F(Kmod, S6_CreateExistingSameSizeSharesObject) {
    std::string n = uniq("s6");
    rtshm_create a = mk_create(n, 2 * kPage);
    Fd ha(create(a));
    ASSERT_GE(ha.fd, 0);
    long long o = objects();
    rtshm_create b = mk_create(n, 2 * kPage);
    Fd hb(create(b));
    ASSERT_GE(hb.fd, 0);
    EXPECT_EQ(b.result, (uint32_t)RTSHM_RESULT_EXISTED);
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.size, a.size);
    EXPECT_EQ(objects(), o) << "a second create of a name made a new object";
    EXPECT_NE(ha.fd, hb.fd);
    Map ma(ha.fd, 2 * kPage), mb(hb.fd, 2 * kPage);
    ASSERT_TRUE(ma.ok() && mb.ok());
    EXPECT_NE(ma.p, mb.p) << "S18: distinct mapping addresses";
    ma.b()[kPage + 7] = 0x5a;
    EXPECT_EQ(int(mb.b()[kPage + 7]), 0x5a);
    mb.b()[0] = 0x33;
    EXPECT_EQ(int(ma.b()[0]), 0x33);
}

TEST_F(Kmod, S7_CreateSmallerShrinksObject) {
    std::string n = uniq("s7");
    rtshm_create a = mk_create(n, 4 * kPage);
    Fd ha(create(a));
    ASSERT_GE(ha.fd, 0);
    Map ma(ha.fd, 4 * kPage);
    ASSERT_TRUE(ma.ok());
    Fd hopen(open_obj(n));
    ASSERT_GE(hopen.fd, 0);
    Map mo(hopen.fd, 4 * kPage);
    ASSERT_TRUE(mo.ok());
    long long p_before = pinned();

    rtshm_create b = mk_create(n, kPage);
    Fd hb(create(b));
    ASSERT_GE(hb.fd, 0) << strerror(-hb.fd);
    EXPECT_EQ(b.result, (uint32_t)RTSHM_RESULT_EXISTED);
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.size, kPage) << "the shrinking create maps the new size";
    // Old mappings stay valid and coherent over their whole length.
    for (size_t off : {size_t(0), kPage, 3 * kPage + 100, 4 * kPage - 1}) {
        ma.b()[off] = static_cast<uint8_t>(off * 7 + 1);
        EXPECT_EQ(int(mo.b()[off]), static_cast<uint8_t>(off * 7 + 1)) << "offset " << off;
    }
    Map mb(hb.fd, kPage);
    ASSERT_TRUE(mb.ok());
    EXPECT_EQ(int(mb.b()[0]), int(ma.b()[0]));
    mb.b()[5] = 0x77;
    EXPECT_EQ(int(ma.b()[5]), 0x77);
    // The new handle cannot map beyond the new size.
    void *big = mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, hb.fd, 0);
    EXPECT_EQ(big, MAP_FAILED) << "mapped 2 pages of a 1-page handle";
    if (big != MAP_FAILED)
        munmap(big, 2 * kPage);
    // Later opens see the smaller size; the memory is kept until death.
    rtshm_open o{};
    Fd h2(open_obj(n, RTSHM_OPEN_WRITE, &o));
    ASSERT_GE(h2.fd, 0);
    EXPECT_EQ(o.size, kPage);
    rtshm_stat st;
    ASSERT_EQ(query(ha.fd, st), 0);
    EXPECT_EQ(st.size, kPage) << "QUERY reports the current (shrunk) size";
    EXPECT_GE(st.pinned_bytes, 4 * kPage);
    EXPECT_EQ(pinned(), p_before) << "shrinking must not free memory of live mappings";
    // A same-size create now means the new size; the old one is "larger".
    rtshm_create c = mk_create(n, 4 * kPage);
    EXPECT_EQ(xioctl(dev, RTSHM_IOC_CREATE, &c), EINVAL)
        << "S8 after S7: larger than the shrunk size";
    // The old handle maps what QUERY says it may map, and no more.
    ASSERT_EQ(query(ha.fd, st), 0);
    ASSERT_GE(st.map_size, kPage);
    {
        Map again(ha.fd, st.map_size);
        EXPECT_TRUE(again.ok()) << "old handle cannot map its map_size " << st.map_size;
    }
    void *over = mmap(nullptr, st.map_size + kPage, PROT_READ, MAP_SHARED, ha.fd, 0);
    EXPECT_EQ(over, MAP_FAILED) << "old handle mapped beyond its map_size";
    if (over != MAP_FAILED)
        munmap(over, st.map_size + kPage);
}

TEST_F(Kmod, S8_CreateLargerIsEinvalAndObjectUnchanged) {
    std::string n = uniq("s8");
    rtshm_create a = mk_create(n, 2 * kPage);
    Fd ha(create(a));
    ASSERT_GE(ha.fd, 0);
    Map ma(ha.fd, 2 * kPage);
    ASSERT_TRUE(ma.ok());
    ma.b()[100] = 9;
    expect_create_fails(mk_create(n, 2 * kPage + 1), EINVAL, "larger by one byte");
    expect_create_fails(mk_create(n, 3 * kPage), EINVAL, "larger");
    rtshm_stat st;
    ASSERT_EQ(query(ha.fd, st), 0);
    EXPECT_EQ(st.size, 2 * kPage);
    EXPECT_EQ(st.handles, 1u);
    EXPECT_EQ(int(ma.b()[100]), 9);
}

TEST_F(Kmod, S9_ExactSizeRefusesAnyDifferentSize) {
    std::string n = uniq("s9");
    rtshm_create a = mk_create(n, 2 * kPage, RTSHM_CREATE_EXACT_SIZE);
    Fd ha(create(a));
    ASSERT_GE(ha.fd, 0);
    EXPECT_EQ(a.result, (uint32_t)RTSHM_RESULT_CREATED);
    expect_create_fails(mk_create(n, kPage, RTSHM_CREATE_EXACT_SIZE), EINVAL, "exact, smaller");
    expect_create_fails(mk_create(n, 3 * kPage, RTSHM_CREATE_EXACT_SIZE), EINVAL, "exact, larger");
    rtshm_stat st;
    ASSERT_EQ(query(ha.fd, st), 0);
    EXPECT_EQ(st.size, 2 * kPage) << "a refused exact-size create changed the size";
    rtshm_create b = mk_create(n, 2 * kPage, RTSHM_CREATE_EXACT_SIZE);
    Fd hb(create(b));
    ASSERT_GE(hb.fd, 0);
    EXPECT_EQ(b.result, (uint32_t)RTSHM_RESULT_EXISTED);
    EXPECT_EQ(b.id, a.id);
}

TEST_F(Kmod, S11_UnnamedObjectsAreAlwaysNew) {
    long long o = objects();
    rtshm_create a = mk_create(kNoName, kPage), b = mk_create(kNoName, kPage);
    Fd ha(create(a)), hb(create(b));
    ASSERT_GE(ha.fd, 0);
    ASSERT_GE(hb.fd, 0);
    EXPECT_EQ(a.result, (uint32_t)RTSHM_RESULT_CREATED);
    EXPECT_EQ(b.result, (uint32_t)RTSHM_RESULT_CREATED);
    EXPECT_NE(a.id, b.id);
    EXPECT_EQ(objects(), o + 2);
    rtshm_stat st;
    ASSERT_EQ(query(ha.fd, st), 0);
    EXPECT_FALSE(st.flags & RTSHM_STAT_NAMED);
    EXPECT_EQ(st.name_len, 0u);
    Map ma(ha.fd, kPage), mb(hb.fd, kPage);
    ASSERT_TRUE(ma.ok() && mb.ok());
    ma.b()[0] = 1;
    EXPECT_EQ(int(mb.b()[0]), 0) << "two unnamed objects share memory";
    // An empty name cannot be opened.
    rtshm_open op = mk_open(kNoName);
    op.name = 0;
    op.name_len = 0;
    expect_open_fails(op, EINVAL, "open of an empty name");
}

TEST_F(Kmod, S12_NamesAreCaseSensitive) {
    std::string base = uniq("case");
    std::string upper = base + "Foo", lower = base + "foo", all = base + "FOO";
    rtshm_create a = mk_create(upper, kPage), b = mk_create(lower, kPage);
    Fd ha(create(a)), hb(create(b));
    ASSERT_GE(ha.fd, 0);
    ASSERT_GE(hb.fd, 0);
    EXPECT_EQ(b.result, (uint32_t)RTSHM_RESULT_CREATED);
    EXPECT_NE(a.id, b.id);
    EXPECT_EQ(open_obj(all), -ENOENT);
}

TEST_F(Kmod, S14_NamesAreOpaqueBytes) {
    std::string pre = uniq("s14");
    std::vector<std::string> names = {pre + "/a/b",
                                      pre + "\\x\\y",
                                      pre + " with  spaces ",
                                      pre + "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
                                      "/" + pre,
                                      "../../" + pre,
                                      pre + "\xff\xfe\x80",
                                      pre + "\n\t\x01",
                                      "/dev/rtshm",
                                      "..",
                                      "/",
                                      "\\"};
    std::set<uint64_t> ids;
    std::vector<int> fds;
    for (auto &n : names) {
        rtshm_create c = mk_create(n, kPage);
        int h = create(c);
        EXPECT_GE(h, 0) << "name '" << n << "': " << strerror(-h);
        if (h < 0)
            continue;
        fds.push_back(h);
        EXPECT_EQ(c.result, (uint32_t)RTSHM_RESULT_CREATED) << n;
        ids.insert(c.id);
        rtshm_open o{};
        int h2 = open_obj(n, RTSHM_OPEN_WRITE, &o);
        EXPECT_GE(h2, 0) << n;
        if (h2 >= 0)
            close(h2);
        EXPECT_EQ(o.id, c.id) << n;
        rtshm_stat st;
        ASSERT_EQ(query(h, st), 0);
        ASSERT_EQ(st.name_len, n.size());
        EXPECT_EQ(memcmp(st.name, n.data(), n.size()), 0) << n;
    }
    EXPECT_EQ(ids.size(), names.size()) << "distinct names gave the same object";
    struct stat sb;
    EXPECT_NE(stat(("/" + pre).c_str(), &sb), 0) << "a name became a file";
    EXPECT_NE(stat(("/tmp/" + pre + "/a/b").c_str(), &sb), 0);
    for (int f : fds)
        close(f);
}

TEST_F(Kmod, S18_EveryCreateAndOpenGivesDistinctHandle) {
    std::string n = uniq("s18");
    std::vector<Fd> hs;
    std::set<int> fds;
    std::set<void *> addrs;
    std::vector<Map *> maps;
    for (int i = 0; i < 6; i++) {
        int h = (i % 2) ? open_obj(n) : create(n, kPage);
        ASSERT_GE(h, 0);
        fds.insert(h);
        hs.emplace_back(h);
        maps.push_back(new Map(h, kPage));
        ASSERT_TRUE(maps.back()->ok());
        addrs.insert(maps.back()->p);
    }
    EXPECT_EQ(fds.size(), 6u);
    EXPECT_EQ(addrs.size(), 6u);
    rtshm_stat st;
    ASSERT_EQ(query(hs[0].fd, st), 0);
    EXPECT_EQ(st.handles, 6u);
    EXPECT_EQ(st.mappings, 6u);
    for (auto *m : maps)
        delete m;
}

// ------------------------------------------------------------ read-only

TEST_F(Kmod, S5_ReadOnlyObjectGivesReadOnlyHandles) {
    std::string n = uniq("ro");
    rtshm_create c = mk_create(n, kPage, RTSHM_CREATE_READONLY);
    Fd h(create(c));
    ASSERT_GE(h.fd, 0);
    rtshm_stat st;
    ASSERT_EQ(query(h.fd, st), 0);
    EXPECT_TRUE(st.flags & RTSHM_STAT_READONLY);
    EXPECT_FALSE(st.flags & RTSHM_STAT_WRITABLE);
    void *w = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, h.fd, 0);
    EXPECT_EQ(w, MAP_FAILED) << "writable mapping of a read-only handle";
    if (w != MAP_FAILED)
        munmap(w, kPage);
    else
        EXPECT_EQ(errno, EACCES);
    Map r(h.fd, kPage, PROT_READ);
    ASSERT_TRUE(r.ok()) << strerror(errno);
    EXPECT_EQ(int(r.b()[0]), 0);
    // Opening it for writing is refused even for root (protection, not mode).
    EXPECT_EQ(open_obj(n, RTSHM_OPEN_WRITE), -EACCES);
    Fd ro(open_obj(n, 0));
    EXPECT_GE(ro.fd, 0);
    // A re-create that wants a writable view is refused by the protection;
    // one with READONLY gets the existing object, read-only.
    expect_create_fails(mk_create(n, kPage), EACCES, "writable re-create of a read-only object");
    rtshm_create c2 = mk_create(n, kPage, RTSHM_CREATE_READONLY);
    Fd h2(create(c2));
    ASSERT_GE(h2.fd, 0) << strerror(-h2.fd);
    EXPECT_EQ(c2.id, c.id);
    EXPECT_EQ(c2.result, (uint32_t)RTSHM_RESULT_EXISTED);
    ASSERT_EQ(query(h2.fd, st), 0);
    EXPECT_FALSE(st.flags & RTSHM_STAT_WRITABLE);
    w = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, h2.fd, 0);
    EXPECT_EQ(w, MAP_FAILED);
    if (w != MAP_FAILED)
        munmap(w, kPage);
}

TEST_F(Kmod, ReadOnlyCreateOfWritableObjectGivesReadOnlyHandle) {
    std::string n = uniq("ro2");
    Fd h(create(n, kPage));
    ASSERT_GE(h.fd, 0);
    rtshm_create c = mk_create(n, kPage, RTSHM_CREATE_READONLY);
    Fd h2(create(c));
    ASSERT_GE(h2.fd, 0);
    rtshm_stat st;
    ASSERT_EQ(query(h2.fd, st), 0);
    EXPECT_FALSE(st.flags & RTSHM_STAT_WRITABLE);
    EXPECT_FALSE(st.flags & RTSHM_STAT_READONLY) << "the object itself stays writable";
    void *w = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, h2.fd, 0);
    EXPECT_EQ(w, MAP_FAILED);
    if (w != MAP_FAILED)
        munmap(w, kPage);
}

TEST_F(Kmod, S19_ReadOnlyMappingRefusesWriteAndMprotect) {
    std::string n = uniq("romap");
    Fd hw(create(n, kPage));
    ASSERT_GE(hw.fd, 0);
    Fd hr(open_obj(n, 0));
    ASSERT_GE(hr.fd, 0);
    rtshm_stat st;
    ASSERT_EQ(query(hr.fd, st), 0);
    EXPECT_FALSE(st.flags & RTSHM_STAT_WRITABLE);
    Map r(hr.fd, kPage, PROT_READ);
    ASSERT_TRUE(r.ok());
    Map w(hw.fd, kPage);
    ASSERT_TRUE(w.ok());
    w.b()[10] = 42;
    EXPECT_EQ(int(r.b()[10]), 42);
    errno = 0;
    EXPECT_NE(mprotect(r.p, kPage, PROT_READ | PROT_WRITE), 0) << "mprotect(PROT_WRITE) succeeded";
    EXPECT_EQ(errno, EACCES);
    void *rw = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, hr.fd, 0);
    EXPECT_EQ(rw, MAP_FAILED);
    if (rw != MAP_FAILED)
        munmap(rw, kPage);
    // A write through the read-only mapping raises SIGSEGV.
    volatile uint8_t *rp = r.b();
    int st2 = in_child([&] {
        signal(SIGSEGV, SIG_DFL);
        rp[10] = 1;
        return 0;
    });
    EXPECT_TRUE(WIFSIGNALED(st2) && WTERMSIG(st2) == SIGSEGV)
        << "write to a read-only view: status " << st2;
    EXPECT_EQ(int(w.b()[10]), 42) << "the refused write changed the memory";
}

// ------------------------------------------------------------ mmap rules

TEST_F(Kmod, MapPrivateIsRefused) {
    Fd h(create(uniq("priv"), kPage));
    ASSERT_GE(h.fd, 0);
    for (int prot : {PROT_READ, PROT_READ | PROT_WRITE}) {
        void *p = mmap(nullptr, kPage, prot, MAP_PRIVATE, h.fd, 0);
        EXPECT_EQ(p, MAP_FAILED) << "MAP_PRIVATE prot " << prot;
        if (p != MAP_FAILED)
            munmap(p, kPage);
    }
}

TEST_F(Kmod, MmapBeyondSizeIsRefused) {
    std::string n = uniq("beyond");
    rtshm_create c = mk_create(n, 2 * kPage);
    Fd h(create(c));
    ASSERT_GE(h.fd, 0);
    struct Case {
        size_t len;
        off_t off;
    } cases[] = {{3 * kPage, 0},
                 {kPage, (off_t)(2 * kPage)},
                 {2 * kPage, (off_t)kPage},
                 {kPage, (off_t)(100 * kPage)},
                 {kPage, (off_t)(1ULL << 40)}};
    for (auto &k : cases) {
        void *p = mmap(nullptr, k.len, PROT_READ | PROT_WRITE, MAP_SHARED, h.fd, k.off);
        EXPECT_EQ(p, MAP_FAILED) << "len " << k.len << " off " << k.off;
        if (p != MAP_FAILED)
            munmap(p, k.len);
    }
    // Within the size, an offset works and shows the right page.
    Map all(h.fd, 2 * kPage);
    ASSERT_TRUE(all.ok());
    all.b()[kPage + 3] = 0x4b;
    Map second(h.fd, kPage, PROT_READ | PROT_WRITE, (off_t)kPage);
    ASSERT_TRUE(second.ok()) << strerror(errno);
    EXPECT_EQ(int(second.b()[3]), 0x4b);
    // The device itself cannot be mapped.
    void *p = mmap(nullptr, kPage, PROT_READ, MAP_SHARED, dev, 0);
    EXPECT_EQ(p, MAP_FAILED);
    if (p != MAP_FAILED)
        munmap(p, kPage);
}

// A mapping shorter than the object, or at an offset, must populate only
// its own range: the pages around it (another mapping) stay untouched.
TEST_F(Kmod, MmapPopulatesOnlyItsOwnRange) {
    std::string n = uniq("range");
    rtshm_create c = mk_create(n, 8 * kPage);
    Fd h(create(c));
    ASSERT_GE(h.fd, 0);
    {
        Map w(h.fd, 8 * kPage);
        ASSERT_TRUE(w.ok());
        for (size_t i = 0; i < 8; i++)
            w.b()[i * kPage] = static_cast<uint8_t>(0xB0 + i);
    }
    for (off_t off : {off_t(0), off_t(kPage), off_t(5 * kPage)}) {
        for (size_t len : {kPage, 2 * kPage}) {
            // [guard page][hole for the mapping][4 guard pages], guards full of 0x5c
            auto *area = static_cast<uint8_t *>(mmap(nullptr, 7 * kPage, PROT_READ | PROT_WRITE,
                                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
            ASSERT_NE(area, MAP_FAILED);
            memset(area, 0x5c, 7 * kPage);
            ASSERT_EQ(munmap(area + kPage, len), 0);
            void *p = mmap(area + kPage, len, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_FIXED_NOREPLACE, h.fd, off);
            ASSERT_EQ(p, area + kPage) << strerror(errno);
            auto *q = static_cast<volatile uint8_t *>(p);
            for (size_t i = 0; i < len / kPage; i++)
                EXPECT_EQ(int(q[i * kPage]), 0xB0 + off / (off_t)kPage + (off_t)i)
                    << "off " << off << " page " << i;
            bool clean = true;
            for (size_t i = 0; i < 7 * kPage; i++) {
                if (i >= kPage && i < kPage + len)
                    continue;
                if (area[i] != 0x5c) {
                    clean = false;
                    ADD_FAILURE() << "mmap of " << len << " bytes at offset " << off
                                  << " changed the neighbouring page at +" << i << " (now "
                                  << int(area[i]) << ")";
                    break;
                }
            }
            (void)clean;
            munmap(area, 7 * kPage);
        }
    }
}

// Splitting, moving and forking a mapping must keep the object's reference
// counts right: it lives exactly as long as some piece of a mapping does.
TEST_F(Kmod, S23_SplitMovedAndForkedMappingsKeepObjectAlive) {
    std::string n = uniq("split");
    rtshm_create c = mk_create(n, 6 * kPage);
    int h = create(c);
    ASSERT_GE(h, 0);
    auto *p =
        static_cast<uint8_t *>(mmap(nullptr, 6 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0));
    ASSERT_NE(p, MAP_FAILED);
    for (size_t i = 0; i < 6; i++)
        p[i * kPage] = static_cast<uint8_t>(0x40 + i);
    // Split by mprotect and by a hole in the middle.
    ASSERT_EQ(mprotect(p + kPage, kPage, PROT_READ), 0);
    ASSERT_EQ(munmap(p + 2 * kPage, 2 * kPage), 0);
    // Move the last two pages elsewhere (same size: allowed).
    void *dst = mmap(nullptr, 2 * kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(dst, MAP_FAILED);
    auto *moved = static_cast<uint8_t *>(
        mremap(p + 4 * kPage, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, dst));
    ASSERT_EQ(static_cast<void *>(moved), dst) << strerror(errno);
    EXPECT_EQ(int(moved[0]), 0x44);
    EXPECT_EQ(int(moved[kPage]), 0x45);
    rtshm_stat st;
    ASSERT_EQ(query(h, st), 0);
    EXPECT_EQ(st.mappings, 3u) << "three pieces: [0] [1 ro] [4-5 moved]";
    close(h);
    EXPECT_EQ(objects(), base_objects + 1);
    // A forked child holds the pieces too, and its exit drops only its own.
    pid_t pid = fork();
    if (pid == 0) {
        moved[1] = 0x99;
        _exit(p[0] == 0x40 ? 0 : 1);
    }
    int wst;
    waitpid(pid, &wst, 0);
    EXPECT_CHILD_OK(wst);
    EXPECT_EQ(int(moved[1]), 0x99);
    EXPECT_EQ(objects(), base_objects + 1);
    ASSERT_EQ(munmap(p, kPage), 0);
    EXPECT_EQ(objects(), base_objects + 1) << "object died with pieces still mapped";
    EXPECT_EQ(int(p[kPage]), 0x41);
    ASSERT_EQ(munmap(moved, 2 * kPage), 0);
    EXPECT_EQ(objects(), base_objects + 1);
    EXPECT_EQ(int(p[kPage]), 0x41);
    ASSERT_EQ(munmap(p + kPage, kPage), 0);
    EXPECT_EQ(wait_value(objects, base_objects), base_objects) << "object outlived its last piece";
}

// MADV_DONTNEED on a shared mapping drops page-table entries only: the
// object's data stays and comes back on the next touch.
TEST_F(Kmod, MadvDontneedKeepsData) {
    std::string n = uniq("dontneed");
    rtshm_create c = mk_create(n, 4 * kPage);
    Fd h(create(c));
    ASSERT_GE(h.fd, 0);
    Map a(h.fd, 4 * kPage), b(h.fd, 4 * kPage);
    ASSERT_TRUE(a.ok() && b.ok());
    for (size_t i = 0; i < 4; i++)
        a.b()[i * kPage + 9] = static_cast<uint8_t>(0x70 + i);
    int r = madvise(a.p, 4 * kPage, MADV_DONTNEED);
    if (r == 0) {
        for (size_t i = 0; i < 4; i++)
            EXPECT_EQ(int(a.b()[i * kPage + 9]), 0x70 + (int)i) << "page " << i << " lost its data";
        a.b()[kPage + 9] = 0x11;
        EXPECT_EQ(int(b.b()[kPage + 9]), 0x11) << "refaulted page is not the object's page";
    } else {
        EXPECT_TRUE(errno == EINVAL || errno == EPERM) << strerror(errno);
        EXPECT_EQ(int(a.b()[9]), 0x70);
    }
}

TEST_F(Kmod, MremapGrowIsRefused) {
    std::string n = uniq("mremap");
    rtshm_create c = mk_create(n, 4 * kPage);
    Fd h(create(c));
    ASSERT_GE(h.fd, 0);
    Map m(h.fd, 2 * kPage);
    ASSERT_TRUE(m.ok());
    void *q = mremap(m.p, 2 * kPage, 4 * kPage, 0);
    EXPECT_EQ(q, MAP_FAILED) << "mremap grew in place";
    if (q != MAP_FAILED)
        m.n = 4 * kPage;
    q = mremap(m.p, m.n, 8 * kPage, MREMAP_MAYMOVE);
    EXPECT_EQ(q, MAP_FAILED) << "mremap grew by moving";
    if (q != MAP_FAILED) {
        m.p = q;
        m.n = 8 * kPage;
    }
    Map full(h.fd, 4 * kPage);
    ASSERT_TRUE(full.ok());
    q = mremap(full.p, 4 * kPage, 5 * kPage, MREMAP_MAYMOVE);
    EXPECT_EQ(q, MAP_FAILED) << "mremap grew past the object";
    if (q != MAP_FAILED) {
        full.p = q;
        full.n = 5 * kPage;
    }
}

// ------------------------------------------------------------ open

TEST_F(Kmod, S16_OpenMissingIsEnoent) {
    std::string n = uniq("missing");
    expect_open_fails(mk_open(n), ENOENT, "missing name");
    expect_open_fails(mk_open(n, 0), ENOENT, "missing name, read-only");
}

TEST_F(Kmod, S17_OpenExistingSharesMemoryAndReportsSize) {
    std::string n = uniq("s17");
    rtshm_create c = mk_create(n, 3 * kPage);
    Fd h(create(c));
    ASSERT_GE(h.fd, 0);
    rtshm_open o{};
    Fd h2(open_obj(n, RTSHM_OPEN_WRITE, &o));
    ASSERT_GE(h2.fd, 0);
    EXPECT_EQ(o.id, c.id);
    EXPECT_EQ(o.size, c.size);
    Map a(h.fd, 3 * kPage), b(h2.fd, 3 * kPage);
    ASSERT_TRUE(a.ok() && b.ok());
    b.b()[2 * kPage + 1] = 0xee;
    EXPECT_EQ(int(a.b()[2 * kPage + 1]), 0xee);
}

TEST_F(Kmod, OpenInvalidArgumentsAreEinval) {
    std::string n = uniq("openinval");
    Fd h(create(n, kPage));
    ASSERT_GE(h.fd, 0);
    for (uint32_t f : {2u, 1u << 31, ~RTSHM_OPEN_FLAGS_ALL}) {
        rtshm_open o = mk_open(n, f);
        expect_open_fails(o, EINVAL, "unknown open flag");
    }
    for (int i = 0; i < 4; i++) {
        rtshm_open o = mk_open(n);
        o.reserved[i] = 1;
        expect_open_fails(o, EINVAL, "non-zero reserved");
    }
    for (uint32_t t : {0u, RTSHM_TYPE_MAX + 1u, 0xffffffffu}) {
        rtshm_open o = mk_open(n);
        o.type = t;
        expect_open_fails(o, EINVAL, "bad type");
    }
    rtshm_open o = mk_open(n);
    o.name_len = 0;
    expect_open_fails(o, EINVAL, "name_len 0");
    std::string nul = n + std::string(1, '\0');
    expect_open_fails(mk_open(nul), EINVAL, "NUL in name");
    o = mk_open(n);
    o.name = 0;
    {
        int fds = count_fds();
        int e = xioctl(dev, RTSHM_IOC_OPEN, &o);
        EXPECT_TRUE(e == EINVAL || e == EFAULT) << "open with name 0: " << strerror(e);
        if (e == 0)
            close(o.fd);
        EXPECT_EQ(count_fds(), fds);
    }
    std::string longn(RTSHM_NAME_MAX + 1, 'q');
    expect_open_fails(mk_open(longn), ENAMETOOLONG, "1025-byte name");
}

// ------------------------------------------------------------ ENOTTY

TEST_F(Kmod, UnknownIoctlIsEnottyOnDeviceAndHandle) {
    Fd h(create(uniq("notty"), kPage));
    ASSERT_GE(h.fd, 0);
    rtshm_stat st{};
    char buf[4096] = {};
    unsigned long cmds[] = {
        _IO(RTSHM_IOC_MAGIC, 0),
        _IO(RTSHM_IOC_MAGIC, 99),
        _IOWR(RTSHM_IOC_MAGIC, 5, struct rtshm_list),
        _IOWR(RTSHM_IOC_MAGIC, 1, struct rtshm_open),       // create number, wrong size
        _IOR(RTSHM_IOC_MAGIC, 1, struct rtshm_create),      // create number, wrong direction
        _IOWR(RTSHM_IOC_MAGIC + 1, 1, struct rtshm_create), // other magic
        _IOWR('T', 1, struct rtshm_create),
        0x5401 /* TCGETS */,
        0,
    };
    for (unsigned long cmd : cmds) {
        EXPECT_EQ(xioctl(dev, cmd, buf), ENOTTY) << "device, cmd " << std::hex << cmd;
        EXPECT_EQ(xioctl(h.fd, cmd, buf), ENOTTY) << "handle, cmd " << std::hex << cmd;
    }
    // Each fd type only takes its own commands.
    std::string xn = uniq("x");
    rtshm_create c = mk_create(xn, kPage);
    EXPECT_EQ(xioctl(h.fd, RTSHM_IOC_CREATE, &c), ENOTTY) << "CREATE on a handle";
    rtshm_open o = mk_open(kNoName);
    EXPECT_EQ(xioctl(h.fd, RTSHM_IOC_OPEN, &o), ENOTTY) << "OPEN on a handle";
    rtshm_list l{};
    EXPECT_EQ(xioctl(h.fd, RTSHM_IOC_LIST, &l), ENOTTY) << "LIST on a handle";
    EXPECT_EQ(xioctl(dev, RTSHM_IOC_QUERY, &st), ENOTTY) << "QUERY on the device";
}

// ------------------------------------------------------------ QUERY

TEST_F(Kmod, QueryReportsEveryField) {
    std::string n = uniq("query");
    rtshm_create c = mk_create(n, 2 * kPage + 1, 0, 0640);
    Fd h(create(c));
    ASSERT_GE(h.fd, 0);
    rtshm_stat st;
    ASSERT_EQ(query(h.fd, st), 0);
    EXPECT_EQ(st.id, c.id);
    EXPECT_EQ(st.size, c.size);
    EXPECT_GE(st.size, 2 * kPage + 1);
    EXPECT_GE(st.pinned_bytes, 3 * kPage);
    EXPECT_EQ(st.map_size, c.size);
    EXPECT_EQ(st.flags, (uint32_t)(RTSHM_STAT_WRITABLE | RTSHM_STAT_NAMED));
    EXPECT_EQ(st.type, (uint32_t)RTSHM_TYPE_SHM);
    EXPECT_EQ(st.mode, 0640u);
    EXPECT_EQ(st.uid, getuid());
    EXPECT_EQ(st.gid, getgid());
    EXPECT_EQ(st.creator_pid, getpid());
    EXPECT_EQ(st.handles, 1u);
    EXPECT_EQ(st.mappings, 0u);
    EXPECT_EQ(st.name_len, n.size());
    EXPECT_EQ(memcmp(st.name, n.data(), n.size()), 0);
    EXPECT_EQ(st.reserved0, 0u);
    EXPECT_EQ(st.reserved[0], 0u);
    EXPECT_EQ(st.reserved[1], 0u);
    // No uninitialised kernel memory after the name.
    for (size_t i = n.size(); i < RTSHM_NAME_MAX; i++)
        ASSERT_EQ(st.name[i], 0) << "name byte " << i << " not cleared";
    {
        Fd h2(open_obj(n));
        ASSERT_GE(h2.fd, 0);
        Map m(h.fd, kPage);
        ASSERT_TRUE(m.ok());
        ASSERT_EQ(query(h2.fd, st), 0);
        EXPECT_EQ(st.handles, 2u);
        EXPECT_EQ(st.mappings, 1u);
    }
    ASSERT_EQ(query(h.fd, st), 0);
    EXPECT_EQ(st.handles, 1u);
    EXPECT_EQ(st.mappings, 0u);
    // Default mode.
    Fd hd(create(uniq("defmode"), kPage));
    ASSERT_GE(hd.fd, 0);
    ASSERT_EQ(query(hd.fd, st), 0);
    EXPECT_EQ(st.mode, (uint32_t)RTSHM_DEFAULT_MODE);
    // Bad pointers.
    GuardPage g;
    EXPECT_EQ(xioctl(h.fd, RTSHM_IOC_QUERY, nullptr), EFAULT);
    EXPECT_EQ(xioctl(h.fd, RTSHM_IOC_QUERY, reinterpret_cast<void *>(kKernelAddr)), EFAULT);
    EXPECT_EQ(xioctl(h.fd, RTSHM_IOC_QUERY, g.end() - sizeof(rtshm_stat) / 2), EFAULT);
}

// ------------------------------------------------------------ LIST

TEST_F(Kmod, ListPagesThroughEveryObject) {
    std::vector<std::string> names;
    std::vector<Fd> hs;
    std::set<uint64_t> mine;
    for (int i = 0; i < 7; i++) {
        names.push_back(uniq("list" + std::to_string(i)));
        rtshm_create c = mk_create(i == 3 ? kNoName : names.back(), (i + 1) * kPage);
        int h = create(c);
        ASSERT_GE(h, 0);
        hs.emplace_back(h);
        mine.insert(c.id);
    }
    std::vector<rtshm_stat> buf(3);
    memset(buf.data(), 0xA5, buf.size() * sizeof(rtshm_stat)); // catch uncleared bytes
    std::set<uint64_t> seen;
    uint64_t start = 0, last = 0;
    int pages = 0;
    do {
        rtshm_list l{};
        l.entries = reinterpret_cast<uintptr_t>(buf.data());
        l.max_entries = 3;
        l.start_id = start;
        ASSERT_EQ(xioctl(dev, RTSHM_IOC_LIST, &l), 0);
        ASSERT_LE(l.count, 3u);
        for (uint32_t i = 0; i < l.count; i++) {
            const rtshm_stat &s = buf[i];
            EXPECT_GT(s.id, last) << "LIST not in id order";
            EXPECT_GE(s.id, start);
            last = s.id;
            seen.insert(s.id);
            EXPECT_EQ(s.map_size, 0u);
            EXPECT_EQ(s.type, (uint32_t)RTSHM_TYPE_SHM);
            EXPECT_EQ(s.reserved0, 0u);
            ASSERT_LE(s.name_len, (uint32_t)RTSHM_NAME_MAX);
            for (size_t k = s.name_len; k < RTSHM_NAME_MAX; k++)
                ASSERT_EQ(s.name[k], 0) << "LIST: name byte " << k << " not cleared";
            if (mine.count(s.id)) {
                EXPECT_EQ(s.handles, 1u);
                if (s.name_len) {
                    EXPECT_TRUE(s.flags & RTSHM_STAT_NAMED);
                    EXPECT_EQ(std::string(s.name, s.name_len).rfind("kt-", 0), 0u);
                } else {
                    EXPECT_FALSE(s.flags & RTSHM_STAT_NAMED);
                }
            }
        }
        if (l.next_id) {
            EXPECT_GT(l.next_id, last);
        }
        start = l.next_id;
        ASSERT_LT(++pages, 1000);
    } while (start != 0);
    for (uint64_t id : mine)
        EXPECT_TRUE(seen.count(id)) << "LIST missed object " << id;
    EXPECT_EQ((long long)seen.size(), objects());
    EXPECT_GE(pages, 3) << "7+ objects in pages of 3";
    // Past the end: nothing, done.
    rtshm_list l{};
    l.entries = reinterpret_cast<uintptr_t>(buf.data());
    l.max_entries = 3;
    l.start_id = last + 1;
    ASSERT_EQ(xioctl(dev, RTSHM_IOC_LIST, &l), 0);
    EXPECT_EQ(l.count, 0u);
    EXPECT_EQ(l.next_id, 0u);
}

TEST_F(Kmod, ListErrors) {
    Fd h1(create(uniq("le1"), kPage)), h2(create(uniq("le2"), kPage));
    ASSERT_GE(h1.fd, 0);
    ASSERT_GE(h2.fd, 0);
    std::vector<rtshm_stat> buf(4);
    rtshm_list l{};
    l.entries = reinterpret_cast<uintptr_t>(buf.data());
    l.max_entries = 4;
    l.reserved[1] = 1;
    EXPECT_EQ(xioctl(dev, RTSHM_IOC_LIST, &l), EINVAL) << "non-zero reserved";
    GuardPage g;
    for (uintptr_t p :
         {uintptr_t(0), uintptr_t(1), kKernelAddr, reinterpret_cast<uintptr_t>(g.unmapped()),
          reinterpret_cast<uintptr_t>(g.end() - sizeof(rtshm_stat) - 8)}) {
        rtshm_list m{};
        m.entries = p;
        m.max_entries = 4;
        EXPECT_EQ(xioctl(dev, RTSHM_IOC_LIST, &m), EFAULT) << "entries at " << std::hex << p;
    }
    // Room for exactly one entry at the end of a mapping, max_entries 1: fine.
    rtshm_list one{};
    one.entries = reinterpret_cast<uintptr_t>(g.end() - sizeof(rtshm_stat));
    one.max_entries = 1;
    EXPECT_EQ(xioctl(dev, RTSHM_IOC_LIST, &one), 0);
    EXPECT_EQ(one.count, 1u);
}

// ------------------------------------------------------------ lifetime

TEST_F(Kmod, S23_ObjectLivesUntilLastHandleAndMapping) {
    std::string n = uniq("s23");
    long long o0 = objects(), p0 = pinned();
    rtshm_create c = mk_create(n, 16 * kPage);
    int h = create(c);
    ASSERT_GE(h, 0);
    void *p = mmap(nullptr, 16 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
    ASSERT_NE(p, MAP_FAILED);
    auto *b = static_cast<volatile uint8_t *>(p);
    b[0] = 1;
    close(h);
    // Only the mapping holds it now.
    EXPECT_EQ(objects(), o0 + 1);
    for (size_t i = 0; i < 16 * kPage; i += kPage)
        b[i] = static_cast<uint8_t>(i / kPage + 1);
    for (size_t i = 0; i < 16 * kPage; i += kPage)
        EXPECT_EQ(b[i], static_cast<uint8_t>(i / kPage + 1));
    ASSERT_EQ(munmap(p, 16 * kPage), 0);
    EXPECT_EQ(wait_value(objects, o0), o0) << "object survived its last mapping";
    EXPECT_EQ(wait_value(pinned, p0), p0);
    EXPECT_EQ(open_obj(n), -ENOENT) << "S23: name still found after death";
    // A new create makes a new, zero-filled object.
    rtshm_create c2 = mk_create(n, 16 * kPage);
    Fd h2(create(c2));
    ASSERT_GE(h2.fd, 0);
    EXPECT_EQ(c2.result, (uint32_t)RTSHM_RESULT_CREATED);
    EXPECT_NE(c2.id, c.id) << "ids are never reused while loaded";
    Map m(h2.fd, 16 * kPage);
    ASSERT_TRUE(m.ok());
    for (size_t i = 0; i < 16 * kPage; i++)
        ASSERT_EQ(int(m.b()[i]), 0) << "S26: old data visible at " << i;
}

TEST_F(Kmod, S23_ClosingLastHandleWithoutMappingDestroys) {
    std::string n = uniq("s23b");
    long long o0 = objects();
    int h = create(n, kPage);
    ASSERT_GE(h, 0);
    int h2 = open_obj(n);
    ASSERT_GE(h2, 0);
    close(h);
    EXPECT_EQ(objects(), o0 + 1);
    {
        Fd t(open_obj(n));
        EXPECT_GE(t.fd, 0) << "object died while a handle was open";
    }
    close(h2);
    EXPECT_EQ(wait_value(objects, o0), o0);
    EXPECT_EQ(open_obj(n), -ENOENT);
}

TEST_F(Kmod, S20_ForkedChildHoldsItsOwnReference) {
    std::string n = uniq("s20");
    int h = create(n, kPage);
    ASSERT_GE(h, 0);
    Map m(h, kPage);
    ASSERT_TRUE(m.ok());
    int pfd[2], qfd[2];
    ASSERT_EQ(pipe(pfd), 0);
    ASSERT_EQ(pipe(qfd), 0);
    volatile uint8_t *b = m.b();
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        close(qfd[1]);
        char x;
        (void)!write(pfd[1], "r", 1);
        (void)!read(qfd[0], &x, 1); // parent has dropped everything
        b[1] = 0x61;
        _exit(b[0] == 0x60 ? 0 : 3);
    }
    close(pfd[1]);
    close(qfd[0]);
    char x;
    ASSERT_EQ(read(pfd[0], &x, 1), 1);
    b[0] = 0x60;
    m.reset();
    close(h);
    {
        Fd t(open_obj(n));
        EXPECT_GE(t.fd, 0) << "object died while a child held it";
    }
    (void)!write(qfd[1], "g", 1);
    int st;
    waitpid(pid, &st, 0);
    EXPECT_CHILD_OK(st);
    close(pfd[0]);
    close(qfd[1]);
}

TEST_F(Kmod, S24_SigkillOfHolderInMidUseLeavesNothing) {
    for (int round = 0; round < 6; round++) {
        std::string n = uniq("kill" + std::to_string(round));
        int pfd[2];
        ASSERT_EQ(pipe(pfd), 0);
        pid_t pid = fork();
        if (pid == 0) {
            close(pfd[0]);
            int d = open(RTSHM_DEVICE_PATH, O_RDWR);
            rtshm_create c = mk_create(n, 8 << 20);
            if (ioctl(d, RTSHM_IOC_CREATE, &c) < 0)
                _exit(2);
            auto *p = static_cast<volatile uint64_t *>(
                mmap(nullptr, 8 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd, 0));
            if (p == MAP_FAILED)
                _exit(3);
            rtshm_open o = mk_open(n);
            if (ioctl(d, RTSHM_IOC_OPEN, &o) < 0)
                _exit(4);
            if (round % 2)
                close(c.fd); // only a mapping and the second handle
            (void)!write(pfd[1], "r", 1);
            for (uint64_t i = 0;; i++) {
                p[(i * 4099) % ((8 << 20) / 8)] = i;
                if ((i & 0xffff) == 0) {
                    // keep creating and dropping objects too
                    rtshm_create t = mk_create(kNoName, 1 << 20);
                    if (ioctl(d, RTSHM_IOC_CREATE, &t) == 0)
                        close(t.fd);
                }
            }
        }
        close(pfd[1]);
        char x;
        ASSERT_EQ(read(pfd[0], &x, 1), 1) << "child failed to set up";
        close(pfd[0]);
        EXPECT_GE(objects(), base_objects + 1) << "child's object is not alive";
        usleep(20000 + 37000 * round);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "status " << st;
        EXPECT_EQ(wait_value(objects, base_objects), base_objects) << "round " << round;
        EXPECT_EQ(wait_value(pinned, base_pinned), base_pinned) << "round " << round;
        EXPECT_EQ(open_obj(n), -ENOENT);
    }
}

TEST_F(Kmod, S24_SigkillDuringCreatesLeavesNothing) {
    // Children busy creating, mapping and closing large objects get killed
    // at arbitrary points, inside the ioctl included.
    for (int round = 0; round < 5; round++) {
        pid_t pids[2];
        for (int k = 0; k < 2; k++) {
            pids[k] = fork();
            if (pids[k] == 0) {
                int d = open(RTSHM_DEVICE_PATH, O_RDWR);
                std::string n =
                    "killcreate-" + std::to_string(getppid()) + "-" + std::to_string(k % 2);
                for (;;) {
                    rtshm_create c = mk_create(n, 32 << 20);
                    if (ioctl(d, RTSHM_IOC_CREATE, &c) == 0) {
                        void *p =
                            mmap(nullptr, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd, 0);
                        close(c.fd);
                        if (p != MAP_FAILED) {
                            static_cast<volatile char *>(p)[0] = 1;
                            munmap(p, c.size);
                        }
                    }
                }
            }
        }
        usleep(50000 + 61000 * round);
        for (pid_t p : pids)
            kill(p, SIGKILL);
        for (pid_t p : pids)
            waitpid(p, nullptr, 0);
        EXPECT_EQ(wait_value(objects, base_objects), base_objects) << "round " << round;
        EXPECT_EQ(wait_value(pinned, base_pinned), base_pinned) << "round " << round;
    }
}

TEST_F(Kmod, S25_PinnedMemoryReturnsToBaseline) {
    long long p0 = pinned();
    std::vector<Fd> hs;
    uint64_t sum = 0;
    for (size_t sz : {kPage, 5 * kPage + 1, size_t(1) << 20, size_t(3) << 20, size_t(7) << 20}) {
        std::string n = uniq("mem");
        rtshm_create c = mk_create(n, sz);
        int h = create(c);
        ASSERT_GE(h, 0);
        hs.emplace_back(h);
        sum += (sz + kPage - 1) / kPage * kPage;
    }
    EXPECT_GE(pinned(), p0 + (long long)sum);
    EXPECT_LE(pinned(), p0 + (long long)sum * 2) << "pinned much more than asked";
    hs.clear();
    EXPECT_EQ(wait_value(pinned, p0), p0);
}

// ------------------------------------------------------------ S25 faults

void touch_all(volatile uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i += 4096)
        p[i] = static_cast<uint8_t>(i >> 12);
    auto *q = reinterpret_cast<volatile uint64_t *>(p);
    uint64_t s = 0;
    for (size_t i = 0; i < n / 8; i += 8)
        s += q[i];
    q[1] = s;
}

TEST_F(Kmod, S25_TouchingFresh64MiBMappingNeverFaults) {
    const size_t sz = 64 << 20;
    std::string n = uniq("s25");
    rtshm_create c = mk_create(n, sz);
    auto t0 = std::chrono::steady_clock::now();
    Fd h(create(c));
    ASSERT_GE(h.fd, 0) << strerror(-h.fd);
    Map m(h.fd, sz);
    ASSERT_TRUE(m.ok()) << strerror(errno);
    auto t1 = std::chrono::steady_clock::now();
    rusage a, b;
    getrusage(RUSAGE_THREAD, &a);
    touch_all(m.b(), sz);
    getrusage(RUSAGE_THREAD, &b);
    EXPECT_EQ(b.ru_minflt - a.ru_minflt, 0) << "minor faults touching a fresh mapping";
    EXPECT_EQ(b.ru_majflt - a.ru_majflt, 0) << "major faults touching a fresh mapping";
    printf("  create+mmap 64 MiB: %.1f ms\n",
           std::chrono::duration<double, std::milli>(t1 - t0).count());

    // The same after an open.
    Fd h2(open_obj(n));
    ASSERT_GE(h2.fd, 0);
    Map m2(h2.fd, sz);
    ASSERT_TRUE(m2.ok());
    getrusage(RUSAGE_THREAD, &a);
    touch_all(m2.b(), sz);
    getrusage(RUSAGE_THREAD, &b);
    EXPECT_EQ(b.ru_minflt - a.ru_minflt, 0) << "minor faults after open";
    EXPECT_EQ(b.ru_majflt - a.ru_majflt, 0) << "major faults after open";
    EXPECT_EQ(int(m.b()[4096 * 7]), 7);
}

// Issue 2's closing figure: one create+map of 256 MiB, then a full touch.
TEST_F(Kmod, S25_Create256MiBTimeAndFaults) {
    const size_t sz = 256u << 20;
    std::string n = uniq("s25big");
    rtshm_create c = mk_create(n, sz);
    auto t0 = std::chrono::steady_clock::now();
    Fd h(create(c));
    ASSERT_GE(h.fd, 0) << strerror(-h.fd);
    Map m(h.fd, sz);
    ASSERT_TRUE(m.ok()) << strerror(errno);
    auto t1 = std::chrono::steady_clock::now();
    rusage a, b;
    getrusage(RUSAGE_THREAD, &a);
    for (size_t i = 0; i < sz; i += 4096)
        m.b()[i] = 1;
    getrusage(RUSAGE_THREAD, &b);
    printf("  create+mmap 256 MiB: %.1f ms; faults during a full touch: %ld minor, %ld major\n",
           std::chrono::duration<double, std::milli>(t1 - t0).count(), b.ru_minflt - a.ru_minflt,
           b.ru_majflt - a.ru_majflt);
    EXPECT_EQ(b.ru_minflt - a.ru_minflt, 0);
    EXPECT_EQ(b.ru_majflt - a.ru_majflt, 0);
}

// ------------------------------------------------------------ permissions

TEST_F(Kmod, S32_ModeBitsRefuseOtherUser) {
    std::string n600 = uniq("m600"), n644 = uniq("m644"), n666 = uniq("m666"), ndef = uniq("mdef");
    Fd a(create(n600, kPage, 0, 0600)), b(create(n644, kPage, 0, 0644)),
        c(create(n666, kPage, 0, 0666)), d(create(ndef, kPage));
    ASSERT_TRUE(a.fd >= 0 && b.fd >= 0 && c.fd >= 0 && d.fd >= 0);
    int devfd = dev;
    int st = in_child([&] {
        CCHK(drop_to_nobody() == 0);
        auto op = [&](const std::string &n, uint32_t fl) {
            rtshm_open o = mk_open(n, fl);
            int r = ioctl(devfd, RTSHM_IOC_OPEN, &o);
            if (r >= 0)
                close(o.fd);
            return r < 0 ? errno : 0;
        };
        auto cr = [&](const std::string &n) {
            rtshm_create cc = mk_create(n, kPage);
            int r = ioctl(devfd, RTSHM_IOC_CREATE, &cc);
            if (r >= 0)
                close(cc.fd);
            return r < 0 ? errno : 0;
        };
        CCHK(op(n600, 0) == EACCES);
        CCHK(op(n600, RTSHM_OPEN_WRITE) == EACCES);
        CCHK(cr(n600) == EACCES);
        CCHK(op(n644, 0) == 0);
        CCHK(op(n644, RTSHM_OPEN_WRITE) == EACCES);
        CCHK(cr(n644) == EACCES); // a re-create wants a writable view
        CCHK(op(n666, 0) == 0);
        CCHK(op(n666, RTSHM_OPEN_WRITE) == 0);
        CCHK(cr(n666) == 0);
        CCHK(op(ndef, 0) == EACCES); // default 0660, other user and group
        return 0;
    });
    EXPECT_CHILD_OK(st);
}

TEST_F(Kmod, S32_OwnerIsCreatorAndRootOverrides) {
    std::string n = uniq("owner");
    int devfd = dev;
    int pfd[2], qfd[2];
    ASSERT_EQ(pipe(pfd), 0);
    ASSERT_EQ(pipe(qfd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        close(qfd[1]);
        if (drop_to_nobody() != 0)
            _exit(5);
        rtshm_create c = mk_create(n, kPage, 0, 0600);
        if (ioctl(devfd, RTSHM_IOC_CREATE, &c) < 0)
            _exit(6);
        rtshm_stat st;
        if (ioctl(c.fd, RTSHM_IOC_QUERY, &st) < 0 || st.uid != 65534 || st.gid != 65534 ||
            st.mode != 0600)
            _exit(7);
        (void)!write(pfd[1], "r", 1);
        char x;
        (void)!read(qfd[0], &x, 1);
        _exit(0);
    }
    close(pfd[1]);
    close(qfd[0]);
    char x;
    ASSERT_EQ(read(pfd[0], &x, 1), 1);
    // Root (CAP_IPC_OWNER) opens a 0600 object of another user.
    int h = open_obj(n);
    EXPECT_GE(h, 0) << "root refused: " << strerror(-h);
    if (h >= 0)
        close(h);
    (void)!write(qfd[1], "g", 1);
    int st;
    waitpid(pid, &st, 0);
    EXPECT_CHILD_OK(st);
    close(pfd[0]);
    close(qfd[1]);
}

// ------------------------------------------------------------ S27 ENOMEM

TEST_F(Kmod, S27_RlimitMemlockChargesNonRootCreator) {
    int devfd = dev;
    std::string base = uniq("memlock");
    int st = in_child([&] {
        rlimit rl{1 << 20, 1 << 20};
        CCHK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
        CCHK(drop_to_nobody() == 0);
        long long o = objects(), p = pinned();
        int fds = count_fds();
        std::string na = base + "a", nb = base + "b", nc = base + "c", nd = base + "d";
        rtshm_create c = mk_create(na, 4 << 20);
        CCHK(ioctl(devfd, RTSHM_IOC_CREATE, &c) < 0 && errno == ENOMEM);
        CCHK(objects() == o && pinned() == p && count_fds() == fds);
        rtshm_create u = mk_create(kNoName, 2 << 20);
        CCHK(ioctl(devfd, RTSHM_IOC_CREATE, &u) < 0 && errno == ENOMEM);
        // Within the limit it works, and the charge adds up.
        rtshm_create s1 = mk_create(nb, 600 << 10);
        CCHK(ioctl(devfd, RTSHM_IOC_CREATE, &s1) == 0);
        rtshm_create s2 = mk_create(nc, 600 << 10);
        CCHK(ioctl(devfd, RTSHM_IOC_CREATE, &s2) < 0 && errno == ENOMEM);
        CCHK(objects() == o + 1 && count_fds() == fds + 1);
        // Opening an existing object charges nothing.
        rtshm_open op = mk_open(nb);
        CCHK(ioctl(devfd, RTSHM_IOC_OPEN, &op) == 0);
        close(op.fd);
        close(s1.fd);
        // Memory is uncharged when the object dies.
        rtshm_create s3 = mk_create(nd, 900 << 10);
        CCHK(ioctl(devfd, RTSHM_IOC_CREATE, &s3) == 0);
        close(s3.fd);
        return 0;
    });
    EXPECT_CHILD_OK(st);
}

// The charge goes back to the creator's user even when another user (here
// root) drops the last reference.
TEST_F(Kmod, S27_ChargeReturnsToCreatorWhenAnotherUserDestroys) {
    std::string x = uniq("chargex"), y = uniq("chargey");
    int devfd = dev;
    int pfd[2], qfd[2];
    ASSERT_EQ(pipe(pfd), 0);
    ASSERT_EQ(pipe(qfd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        close(qfd[1]);
        rlimit rl{1 << 20, 1 << 20};
        if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0 || drop_to_nobody() != 0)
            _exit(10);
        rtshm_create c = mk_create(x, 900 << 10, 0, 0666);
        if (ioctl(devfd, RTSHM_IOC_CREATE, &c) < 0)
            _exit(11);
        (void)!write(pfd[1], "1", 1);
        char b;
        (void)!read(qfd[0], &b, 1); // root opened it
        close(c.fd);
        (void)!write(pfd[1], "2", 1);
        (void)!read(qfd[0], &b, 1); // root closed the last handle
        rtshm_create d = mk_create(y, 900 << 10);
        if (ioctl(devfd, RTSHM_IOC_CREATE, &d) < 0) {
            fprintf(stderr, "re-create after the object died: %s\n", strerror(errno));
            _exit(12);
        }
        close(d.fd);
        _exit(0);
    }
    close(pfd[1]);
    close(qfd[0]);
    char b;
    ASSERT_EQ(read(pfd[0], &b, 1), 1);
    int h = open_obj(x);
    EXPECT_GE(h, 0);
    (void)!write(qfd[1], "a", 1);
    ASSERT_EQ(read(pfd[0], &b, 1), 1);
    if (h >= 0)
        close(h);
    EXPECT_EQ(wait_value(objects, base_objects), base_objects);
    (void)!write(qfd[1], "b", 1);
    int st;
    waitpid(pid, &st, 0);
    EXPECT_CHILD_OK(st);
    close(pfd[0]);
    close(qfd[1]);
}

TEST_F(Kmod, S27_CapIpcLockIgnoresRlimitMemlock) {
    int devfd = dev;
    int st = in_child([&] {
        rlimit rl{64 << 10, 64 << 10};
        CCHK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
        rtshm_create c = mk_create(kNoName, 4 << 20);
        CCHK(ioctl(devfd, RTSHM_IOC_CREATE, &c) == 0);
        close(c.fd);
        return 0;
    });
    EXPECT_CHILD_OK(st);
}

TEST_F(Kmod, S27_MaxPinnedMbCapsSystemTotal) {
    long long saved = read_num(kMaxPinned);
    ASSERT_GE(saved, 0) << kMaxPinned << " is missing";
    long long used_mb = (pinned() + (1 << 20) - 1) >> 20;
    {
        std::ofstream f(kMaxPinned);
        f << (used_mb + 4) << "\n";
    }
    ASSERT_EQ(read_num(kMaxPinned), used_mb + 4) << "cannot set max_pinned_mb";
    std::string n = uniq("cap");
    expect_create_fails(mk_create(n, 5 << 20), ENOMEM, "over max_pinned_mb");
    expect_create_fails(mk_create(kNoName, 8 << 20), ENOMEM, "unnamed over max_pinned_mb");
    {
        Fd a(create(uniq("cap1"), 3 << 20));
        EXPECT_GE(a.fd, 0) << "within max_pinned_mb: " << strerror(-a.fd);
        expect_create_fails(mk_create(n, 2 << 20), ENOMEM, "the total over max_pinned_mb");
        Fd b(create(uniq("cap2"), 1 << 20));
        EXPECT_GE(b.fd, 0) << "exactly at the cap";
    }
    {
        std::ofstream f(kMaxPinned);
        f << saved << "\n";
    }
    EXPECT_EQ(read_num(kMaxPinned), saved);
    Fd c(create(n, 5 << 20));
    EXPECT_GE(c.fd, 0) << "after restoring the cap";
}

// ------------------------------------------------------------ S30 races

// Two threads create the same large name at once: allocating and zeroing
// takes long, and must not let both insert an object (S30).
TEST_F(Kmod, S30_RacingLargeCreatesGiveOneObject) {
    for (int round = 0; round < 3; round++) {
        std::string n = uniq("bigrace");
        rtshm_create cs[3];
        int errs[3];
        std::atomic<int> go{0};
        std::vector<std::thread> ts;
        for (int t = 0; t < 3; t++) {
            cs[t] = mk_create(n, 32 << 20);
            ts.emplace_back([&, t] {
                go++;
                while (go.load() < 3) {
                }
                errs[t] = xioctl(dev, RTSHM_IOC_CREATE, &cs[t]);
            });
        }
        for (auto &t : ts)
            t.join();
        int created = 0;
        for (int t = 0; t < 3; t++) {
            EXPECT_EQ(errs[t], 0) << strerror(errs[t]);
            if (errs[t])
                continue;
            created += cs[t].result == RTSHM_RESULT_CREATED;
            EXPECT_EQ(cs[t].id, cs[0].id) << "two objects for one name";
        }
        EXPECT_EQ(created, 1) << "round " << round;
        EXPECT_EQ(objects(), base_objects + 1);
        for (int t = 0; t < 3; t++)
            if (!errs[t])
                close(cs[t].fd);
    }
}

// A create of a large object must not hold the name table while it
// allocates and zeroes: opens of other names go on meanwhile.
TEST_F(Kmod, LargeCreateDoesNotBlockOtherOpens) {
    std::string small = uniq("small"), big = uniq("big");
    Fd hs(create(small, kPage));
    ASSERT_GE(hs.fd, 0);
    std::atomic<int> phase{0};
    std::atomic<long> during{0};
    int big_err = 0;
    rtshm_create bc = mk_create(big, 256u << 20);
    std::thread opener([&] {
        while (phase.load() == 0) {
        }
        while (phase.load() == 1) {
            rtshm_open o = mk_open(small);
            if (ioctl(dev, RTSHM_IOC_OPEN, &o) == 0) {
                close(o.fd);
                if (phase.load() == 1)
                    during++;
            }
        }
    });
    usleep(1000);
    phase = 1;
    auto t0 = std::chrono::steady_clock::now();
    big_err = xioctl(dev, RTSHM_IOC_CREATE, &bc);
    auto t1 = std::chrono::steady_clock::now();
    phase = 2;
    opener.join();
    ASSERT_EQ(big_err, 0) << strerror(big_err);
    close(bc.fd);
    double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    printf("  256 MiB create took %.1f ms; %ld opens of another name completed meanwhile\n", ms,
           during.load());
    if (ms < 50)
        GTEST_SKIP() << "the create was too quick to tell";
    EXPECT_GT(during.load(), 0) << "no open completed during a " << ms << " ms create";
}

TEST_F(Kmod, ManyNamedObjectsAreAllFound) {
    const int kN = 1000;
    std::vector<std::string> names;
    std::vector<Fd> hs;
    std::vector<uint64_t> ids;
    names.reserve(kN);
    for (int i = 0; i < kN; i++) {
        names.push_back(uniq("many" + std::to_string(i * 7919)));
        rtshm_create c = mk_create(names.back(), kPage);
        int h = create(c);
        ASSERT_GE(h, 0) << i << ": " << strerror(-h);
        hs.emplace_back(h);
        ids.push_back(c.id);
    }
    EXPECT_EQ(objects(), base_objects + kN);
    for (int i = 0; i < kN; i++) {
        rtshm_open o{};
        Fd h(open_obj(names[i], RTSHM_OPEN_WRITE, &o));
        ASSERT_GE(h.fd, 0) << names[i];
        EXPECT_EQ(o.id, ids[i]) << names[i];
    }
}

struct RaceShared {
    pthread_barrier_t bar;
    std::atomic<int> created[64];
    std::atomic<int> errors;
};

TEST_F(Kmod, S30_ProcessesTimesThreadsRaceCreateOpenClose) {
    constexpr int kProcs = 3, kThreads = 3, kRounds = 40, kNames = 3;
    constexpr int kAll = kProcs * kThreads;
    auto *sh = static_cast<RaceShared *>(mmap(nullptr, sizeof(RaceShared), PROT_READ | PROT_WRITE,
                                              MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    ASSERT_NE(sh, MAP_FAILED);
    new (sh) RaceShared{};
    pthread_barrierattr_t ba;
    pthread_barrierattr_init(&ba);
    pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&sh->bar, &ba, kAll);
    std::string prefix = uniq("race");
    auto worker = [&](int me) {
        int d = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
        if (d < 0) {
            sh->errors++;
            return;
        }
        for (int r = 0; r < kRounds; r++) {
            std::string n = prefix + "-" + std::to_string(r % kNames);
            pthread_barrier_wait(&sh->bar);
            int fd = -1;
            uint64_t sz = 0;
            if (me % 3 == 2) {
                // An opener: retries until the object exists (20 s at most).
                auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
                for (int tries = 0; fd < 0 && std::chrono::steady_clock::now() < until; tries++) {
                    rtshm_open o = mk_open(n);
                    if (ioctl(d, RTSHM_IOC_OPEN, &o) == 0) {
                        fd = o.fd;
                        sz = o.size;
                    } else if (errno != ENOENT) {
                        sh->errors++;
                        break;
                    } else if (tries > 100) {
                        sched_yield();
                    }
                }
            } else {
                rtshm_create c = mk_create(n, 2 * kPage);
                if (ioctl(d, RTSHM_IOC_CREATE, &c) == 0) {
                    fd = c.fd;
                    sz = c.size;
                    if (c.result == RTSHM_RESULT_CREATED)
                        sh->created[r]++;
                } else {
                    sh->errors++;
                }
            }
            volatile uint64_t *p = nullptr;
            if (fd >= 0 && sz >= 2 * kPage) {
                void *m = mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                if (m == MAP_FAILED)
                    sh->errors++;
                else
                    p = static_cast<volatile uint64_t *>(m);
            } else {
                sh->errors++;
            }
            pthread_barrier_wait(&sh->bar);
            // Every one writes its own slot; the writer of slot 0 is me 0.
            if (p) {
                if (p[0] != 0) {
                    // p[0] is written only after the next barrier: a
                    // non-zero value means old memory was reused.
                    sh->errors++;
                }
                p[1 + me] = (uint64_t(r) << 32) | uint64_t(me + 1);
            }
            pthread_barrier_wait(&sh->bar);
            if (p) {
                for (int k = 0; k < kAll; k++)
                    if (p[1 + k] != ((uint64_t(r) << 32) | uint64_t(k + 1)))
                        sh->errors++;
                if (me == 0)
                    p[0] = 0xC0FFEE00ULL + r;
            }
            pthread_barrier_wait(&sh->bar);
            if (p && p[0] != 0xC0FFEE00ULL + r)
                sh->errors++;
            pthread_barrier_wait(&sh->bar);
            if (p)
                munmap(const_cast<uint64_t *>(p), 2 * kPage);
            if (fd >= 0)
                close(fd);
            pthread_barrier_wait(&sh->bar);
        }
        close(d);
    };
    std::vector<pid_t> pids;
    for (int pi = 0; pi < kProcs; pi++) {
        pid_t pid = fork();
        if (pid == 0) {
            std::vector<std::thread> ts;
            for (int t = 0; t < kThreads; t++)
                ts.emplace_back(worker, pi * kThreads + t);
            for (auto &t : ts)
                t.join();
            _exit(0);
        }
        pids.push_back(pid);
    }
    for (pid_t p : pids) {
        int st;
        waitpid(p, &st, 0);
        EXPECT_CHILD_OK(st);
    }
    EXPECT_EQ(sh->errors.load(), 0) << "failed calls or memory not shared";
    for (int r = 0; r < kRounds; r++)
        EXPECT_EQ(sh->created[r].load(), 1) << "round " << r << ": CREATED count";
    pthread_barrier_destroy(&sh->bar);
    munmap(sh, sizeof(RaceShared));
}

TEST_F(Kmod, S30_ChaoticCreateOpenCloseNeverCrashes) {
    constexpr int kProcs = 2, kThreads = 3;
    std::string prefix = uniq("chaos");
    std::vector<pid_t> pids;
    for (int pi = 0; pi < kProcs; pi++) {
        pid_t pid = fork();
        if (pid == 0) {
            std::atomic<int> bad{0};
            auto w = [&](unsigned seed) {
                int d = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
                auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
                std::vector<std::pair<int, void *>> held;
                while (std::chrono::steady_clock::now() < end) {
                    seed = seed * 1103515245 + 12345;
                    unsigned op = (seed >> 16) % 4;
                    std::string n = prefix + "-" + std::to_string((seed >> 8) % 3);
                    if (held.size() >= 24) {
                        op = 3; // bounded: close one
                    }
                    if (op == 0 || op == 1) {
                        rtshm_create c = mk_create(n, kPage * (1 + (seed >> 20) % 3));
                        if (ioctl(d, RTSHM_IOC_CREATE, &c) == 0) {
                            void *m =
                                mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd, 0);
                            if (m == MAP_FAILED) {
                                fprintf(stderr, "chaos mmap: %s\n", strerror(errno));
                                bad++;
                            }
                            held.push_back({c.fd, m});
                        } else if (errno != EINVAL) { // larger than a shrunk object
                            fprintf(stderr, "chaos create: %s\n", strerror(errno));
                            bad++;
                        }
                    } else if (op == 2) {
                        rtshm_open o = mk_open(n);
                        if (ioctl(d, RTSHM_IOC_OPEN, &o) == 0)
                            held.push_back({o.fd, MAP_FAILED});
                        else if (errno != ENOENT) {
                            fprintf(stderr, "chaos open: %s\n", strerror(errno));
                            bad++;
                        }
                    } else if (!held.empty()) {
                        auto [fd, m] = held[(seed >> 4) % held.size()];
                        held.erase(held.begin() + (seed >> 4) % held.size());
                        if (m != MAP_FAILED) {
                            static_cast<volatile char *>(m)[1] = 1;
                            munmap(m, kPage);
                        }
                        close(fd);
                    }
                }
                for (auto [fd, m] : held) {
                    if (m != MAP_FAILED)
                        munmap(m, kPage);
                    close(fd);
                }
                close(d);
            };
            std::vector<std::thread> ts;
            for (int t = 0; t < kThreads; t++)
                ts.emplace_back(w, 77u * (pi * kThreads + t) + 1);
            for (auto &t : ts)
                t.join();
            _exit(bad ? 1 : 0);
        }
        pids.push_back(pid);
    }
    for (pid_t p : pids) {
        int st;
        waitpid(p, &st, 0);
        EXPECT_CHILD_OK(st);
    }
}

} // namespace

// rtshm_kmod_tests --hold handle|map NAME READYFILE
//   handle: create NAME (1 MiB) and keep only the handle open;
//   map:    create NAME, mmap it, close the handle, keep only the mapping.
// MIB (default 1) is the object's size in MiB. Writes READYFILE once set up, then sleeps until
// killed (the rmmod suite of tests/guest/run-all uses it).
static int hold(const char *mode, const char *name, const char *ready, uint64_t mib) {
    bool map = !strcmp(mode, "map");
    if (!map && strcmp(mode, "handle")) {
        fprintf(stderr, "--hold: mode is handle or map\n");
        return 2;
    }
    int dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (dev < 0) {
        perror("open " RTSHM_DEVICE_PATH);
        return 1;
    }
    std::string n = name;
    rtshm_create c = mk_create(n, mib << 20);
    if (ioctl(dev, RTSHM_IOC_CREATE, &c) < 0) {
        perror("RTSHM_IOC_CREATE");
        return 1;
    }
    close(dev); // only the handle or the mapping may keep the module busy
    if (map) {
        void *p = mmap(nullptr, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        close(c.fd);
        static_cast<volatile char *>(p)[0] = 1;
    }
    FILE *f = fopen(ready, "w");
    if (!f) {
        perror(ready);
        return 1;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    for (;;)
        pause();
}

int main(int argc, char **argv) {
    if ((argc == 5 || argc == 6) && !strcmp(argv[1], "--hold"))
        return hold(argv[2], argv[3], argv[4], argc == 6 ? strtoull(argv[5], nullptr, 10) : 1);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
