// SPDX-License-Identifier: MIT
// In-guest tests of rtshm.ko's memory (S25, S33 and the handle's file):
// pages that never move or fault, handles that are never executable or
// growable, what fstat, fdinfo and /proc/PID/maps say of a handle, and the
// deferred free of a dead object. Raw ioctls, as in kmod_tests.cpp; every
// test skips where /dev/rtshm is absent (the host).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <uapi/rtshm.h>

#include "kmod_util.hpp"

namespace {

std::string uniq(const char *tag) {
    return kmod_util::uniq("km", tag);
}

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));
using kmod_util::kMaxPinned;
using kmod_util::kPinned;
using kmod_util::read_num;
using kmod_util::slurp;

long faults() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru); // this thread's: a sibling's faults do not count
    return ru.ru_minflt + ru.ru_majflt;
}

long faults_touching(void *p, size_t n) {
    auto *b = static_cast<volatile unsigned char *>(p);
    long before = faults();
    for (size_t i = 0; i < n; i += kPage)
        b[i] = static_cast<unsigned char>(b[i] + 1);
    return faults() - before;
}

// A child that holds kb kilobytes of anonymous memory, a distinct byte in
// each page (so swap has real pages to write), and is the OOM killer's
// first pick. Once it holds them (or died trying) the constructor returns;
// the destructor SIGKILLs and reaps it.
class Hog {
public:
    explicit Hog(long long kb) {
        int ready[2];
        if (pipe(ready) != 0)
            return;
        fflush(nullptr);
        pid_ = fork();
        if (pid_ == 0) {
            std::ofstream("/proc/self/oom_score_adj") << "1000\n";
            auto bytes = static_cast<size_t>(kb) * 1024;
            auto *h = static_cast<char *>(
                mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
            if (h != MAP_FAILED)
                for (size_t i = 0; i < bytes; i += kPage)
                    h[i] = static_cast<char>(i / kPage);
            char c = 'h';
            (void)!write(ready[1], &c, 1);
            for (;;)
                pause();
        }
        close(ready[1]);
        char c = 0;
        holding_ = pid_ > 0 && read(ready[0], &c, 1) == 1;
        close(ready[0]);
    }
    ~Hog() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    Hog(const Hog &) = delete;
    Hog &operator=(const Hog &) = delete;
    // Whether it held its memory when the constructor returned.
    bool holding() const { return holding_; }

private:
    pid_t pid_ = -1;
    bool holding_ = false;
};

class Memory : public ::testing::Test {
protected:
    void SetUp() override {
        if (access(RTSHM_DEVICE_PATH, F_OK) != 0)
            GTEST_SKIP() << "no " RTSHM_DEVICE_PATH " (not in the guest)";
        dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
        ASSERT_GE(dev, 0) << strerror(errno);
    }
    void TearDown() override {
        for (auto &[p, n] : maps)
            munmap(p, n);
        for (int fd : fds)
            close(fd);
        if (dev >= 0)
            close(dev);
    }
    // A new named object of size bytes: its handle.
    int create(const std::string &name, uint64_t size, uint32_t flags = 0) {
        rtshm_create c{};
        c.name = reinterpret_cast<uintptr_t>(name.data());
        c.name_len = static_cast<uint32_t>(name.size());
        c.size = size;
        c.flags = flags;
        c.type = RTSHM_TYPE_SHM;
        if (ioctl(dev, RTSHM_IOC_CREATE, &c) != 0)
            return -errno;
        fds.push_back(c.fd);
        return c.fd;
    }
    int open_name(const std::string &name, bool write = true) {
        rtshm_open o{};
        o.name = reinterpret_cast<uintptr_t>(name.data());
        o.name_len = static_cast<uint32_t>(name.size());
        o.flags = write ? RTSHM_OPEN_WRITE : 0;
        o.type = RTSHM_TYPE_SHM;
        if (ioctl(dev, RTSHM_IOC_OPEN, &o) != 0)
            return -errno;
        fds.push_back(o.fd);
        return o.fd;
    }
    void *map(int fd, size_t n, int prot = PROT_READ | PROT_WRITE, int flags = MAP_SHARED) {
        void *p = mmap(nullptr, n, prot, flags, fd, 0);
        if (p != MAP_FAILED)
            maps.emplace_back(p, n);
        return p;
    }
    int dev = -1;
    std::vector<int> fds;
    std::vector<std::pair<void *, size_t>> maps;
};

// Physical frame of each page of [p, p + n) from /proc/self/pagemap (root).
std::vector<uint64_t> pfns(void *p, size_t n) {
    std::vector<uint64_t> out;
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return out;
    for (size_t off = 0; off < n; off += kPage) {
        uint64_t e = 0;
        auto vpn = (reinterpret_cast<uintptr_t>(p) + off) / kPage;
        if (pread(fd, &e, sizeof(e), static_cast<off_t>(vpn * sizeof(e))) != sizeof(e))
            break;
        out.push_back((e >> 63) ? (e & ((1ULL << 55) - 1)) : 0);
    }
    close(fd);
    return out;
}

} // namespace

// Pages are never migrated: a forced compaction leaves every frame in place.
TEST_F(Memory, S25_PagesStayPutAcrossCompaction) {
    if (geteuid() != 0)
        GTEST_SKIP() << "PFNs in /proc/self/pagemap need root";
    if (access("/proc/sys/vm/compact_memory", W_OK) != 0)
        GTEST_SKIP() << "this kernel has no compaction (CONFIG_COMPACTION=n)";
    constexpr size_t size = 16u << 20;
    int fd = create(uniq("compact"), size);
    ASSERT_GE(fd, 0) << strerror(-fd);
    void *p = map(fd, size);
    ASSERT_NE(p, MAP_FAILED);
    memset(p, 0x5a, size);
    auto before = pfns(p, size);
    ASSERT_EQ(before.size(), size / kPage);
    for (uint64_t f : before)
        ASSERT_NE(f, 0u) << "a page is not present";
    std::ofstream("/proc/sys/vm/compact_memory") << "1\n";
    auto after = pfns(p, size);
    EXPECT_EQ(before, after) << "compaction moved pages of a pinned object";
    EXPECT_EQ(faults_touching(p, size), 0);
    EXPECT_EQ(static_cast<unsigned char *>(p)[0], 0x5b);
}

// Kilobytes of MemAvailable in /proc/meminfo.
long long mem_available_kb() {
    std::ifstream f("/proc/meminfo");
    std::string key;
    long long v = -1;
    while (f >> key >> v) {
        if (key == "MemAvailable:")
            return v;
        f.ignore(256, '\n');
    }
    return -1;
}

// Memory pressure (a hog that takes nearly all free memory, as swap would
// make the kernel reclaim) and drop_caches: the pages are never reclaimed,
// so the data is intact and a full touch takes no fault, minor or major.
TEST_F(Memory, S25_NoFaultAndNoLossUnderMemoryPressure) {
    constexpr size_t size = 16u << 20;
    auto n = uniq("pressure");
    int fd = create(n, size);
    ASSERT_GE(fd, 0);
    auto *p = static_cast<unsigned char *>(map(fd, size));
    ASSERT_NE(p, MAP_FAILED);
    for (size_t i = 0; i < size; i += kPage)
        p[i] = static_cast<unsigned char>(i / kPage);
    // An object with no mapping at all: only its handle keeps it.
    int lone = create(uniq("lone"), size);
    ASSERT_GE(lone, 0);
    {
        auto *q = static_cast<unsigned char *>(map(lone, size));
        ASSERT_NE(q, MAP_FAILED);
        memset(q, 0xa5, size);
        munmap(q, size);
        maps.pop_back();
    }
    if (geteuid() == 0)
        std::ofstream("/proc/sys/vm/drop_caches") << "3\n";

    long long avail = mem_available_kb();
    ASSERT_GT(avail, 0);
    long long hog_kb = avail - 24 * 1024;
    if (hog_kb < 32 * 1024)
        GTEST_SKIP() << "too little memory for a hog (" << avail << " kB available)";
    long f = 0;
    bool intact = true, held = false;
    {
        Hog hog(hog_kb);
        held = hog.holding();
        f = faults_touching(p, size);
        for (size_t i = 0; i < size; i += kPage)
            intact &= p[i] == static_cast<unsigned char>(i / kPage + 1);
    }
    EXPECT_TRUE(held) << "the hog died before it held its memory";
    EXPECT_EQ(f, 0) << "pinned pages faulted under memory pressure";
    EXPECT_TRUE(intact) << "pinned data changed under memory pressure";
    auto *q = static_cast<unsigned char *>(map(lone, size));
    ASSERT_NE(q, MAP_FAILED);
    for (size_t i = 0; i < size; i += kPage)
        ASSERT_EQ(q[i], 0xa5) << "an unmapped object lost its data at page " << i / kPage;
}

// Kilobytes of a /proc/meminfo line ("SwapFree:"), -1 if absent.
long long meminfo_kb(const char *key) {
    std::ifstream f("/proc/meminfo");
    std::string k;
    long long v = -1;
    while (f >> k >> v) {
        if (k == key)
            return v;
        f.ignore(256, '\n');
    }
    return -1;
}

// With swap (the guest's zram, tests/guest/run-all): a hog bigger than the
// free memory pushes anonymous pages out to swap; the object's pages are
// never among them (unevictable), so touching all of it takes no fault,
// major or minor, and its data is intact.
TEST_F(Memory, S25_NoFaultAndNoLossUnderSwapPressure) {
    long long swap_free = meminfo_kb("SwapFree:");
    if (swap_free < 64 * 1024)
        GTEST_SKIP() << "no swap here (the guest sets up zram when the kernel has the module)";
    constexpr size_t size = 16u << 20;
    int fd = create(uniq("swap"), size);
    ASSERT_GE(fd, 0);
    auto *p = static_cast<unsigned char *>(map(fd, size));
    ASSERT_NE(p, MAP_FAILED);
    for (size_t i = 0; i < size; i += kPage)
        p[i] = static_cast<unsigned char>(i / kPage * 7);
    long long avail = mem_available_kb();
    ASSERT_GT(avail, 0);
    long long hog_kb = avail + std::min(swap_free / 2, 128LL * 1024);
    long long swapped_kb = 0;
    long f = 0;
    bool intact = true, held = false;
    {
        Hog hog(hog_kb);
        held = hog.holding();
        swapped_kb = swap_free - meminfo_kb("SwapFree:");
        f = faults_touching(p, size);
        for (size_t i = 0; i < size; i += kPage)
            intact &= p[i] == static_cast<unsigned char>(i / kPage * 7 + 1);
    }
    ASSERT_TRUE(held) << "the hog died before it held its memory";
    ASSERT_GE(swapped_kb, 16 * 1024) << "the hog did not push memory out to swap: no pressure";
    EXPECT_EQ(f, 0) << "pinned pages faulted with " << swapped_kb << " kB swapped out";
    EXPECT_TRUE(intact) << "pinned data changed under swap pressure";
}

// No fault on a full touch after open, and in a child made by fork.
TEST_F(Memory, S25_NoFaultAfterOpenNorInForkedChild) {
    constexpr size_t size = 8u << 20;
    auto n = uniq("nofault");
    ASSERT_GE(create(n, size), 0);
    int fd = open_name(n);
    ASSERT_GE(fd, 0);
    void *p = map(fd, size);
    ASSERT_NE(p, MAP_FAILED);
    faults();
    EXPECT_EQ(faults_touching(p, size), 0) << "the opener's view faulted";
    fflush(nullptr);
    pid_t c = fork();
    if (c == 0)
        _exit(faults_touching(p, size) == 0 ? 0 : 1);
    int st = 0;
    ASSERT_EQ(waitpid(c, &st, 0), c);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "the forked child's view faulted";
}

// A view is complete when mmap returns, without MAP_POPULATE, whether
// mapped at once or in pieces over a reserved range (as librtshm does).
TEST_F(Memory, S25_ViewIsCompleteWhenMmapReturns) {
    constexpr size_t size = 24u << 20, piece = RTSHM_MAP_PIECE_BYTES;
    int fd = create(uniq("complete"), size);
    ASSERT_GE(fd, 0);
    void *p = map(fd, size);
    ASSERT_NE(p, MAP_FAILED);
    faults();
    EXPECT_EQ(faults_touching(p, size), 0) << "one mmap";
    auto *base = static_cast<char *>(
        mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    ASSERT_NE(base, MAP_FAILED);
    for (size_t off = 0; off < size; off += piece)
        ASSERT_EQ(mmap(base + off, piece, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
                       static_cast<off_t>(off)),
                  base + off);
    maps.emplace_back(base, size);
    EXPECT_EQ(faults_touching(base, size), 0) << "in pieces";
    EXPECT_EQ(memcmp(p, base, size), 0) << "the pieces are not one coherent view";
}

// While one thread maps a big view, another keeps mapping and unmapping: no
// deadlock and both finish (the fill yields its lock to the sibling).
TEST_F(Memory, BigMapWithSiblingMmapsCompletes) {
    constexpr size_t size = 64u << 20;
    int fd = create(uniq("sibling"), size);
    ASSERT_GE(fd, 0);
    std::atomic<bool> stop{false};
    std::atomic<long> ops{0};
    std::thread sibling([&] {
        while (!stop) {
            void *a =
                mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            static_cast<volatile char *>(a)[0] = 1;
            munmap(a, kPage);
            ops++;
        }
    });
    for (int i = 0; i < 4; i++) {
        void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ASSERT_NE(p, MAP_FAILED);
        EXPECT_EQ(faults_touching(p, size), 0) << "round " << i;
        munmap(p, size);
    }
    stop = true;
    sibling.join();
    EXPECT_GT(ops.load(), 0);
}

// Never executable: PROT_EXEC refused at mmap and at mprotect.
TEST_F(Memory, MappingIsNeverExecutable) {
    int fd = create(uniq("exec"), 2 * kPage);
    ASSERT_GE(fd, 0);
    errno = 0;
    EXPECT_EQ(mmap(nullptr, kPage, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0), MAP_FAILED);
    EXPECT_EQ(errno, EPERM);
    void *p = map(fd, kPage, PROT_READ);
    ASSERT_NE(p, MAP_FAILED);
    EXPECT_NE(mprotect(p, kPage, PROT_READ | PROT_EXEC), 0);
    EXPECT_EQ(errno, EACCES);
}

TEST_F(Memory, MapGrowsdownIsRefused) {
    int fd = create(uniq("grows"), 4 * kPage);
    ASSERT_GE(fd, 0);
    errno = 0;
    EXPECT_EQ(mmap(nullptr, 4 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_GROWSDOWN, fd, 0),
              MAP_FAILED);
    EXPECT_EQ(errno, EINVAL);
}

// fdinfo names the object; fstat gives its current size (S7 shrinks it).
TEST_F(Memory, FdinfoAndFstatDescribeTheObject) {
    auto n = uniq("fdinfo");
    int fd = create(n, 5 * kPage);
    ASSERT_GE(fd, 0);
    int ro = open_name(n, false);
    ASSERT_GE(ro, 0);
    std::string info = slurp("/proc/self/fdinfo/" + std::to_string(fd));
    EXPECT_NE(info.find("rtshm-id:\t"), std::string::npos) << info;
    EXPECT_NE(info.find("rtshm-name:\t" + n + "\n"), std::string::npos) << info;
    EXPECT_NE(info.find("rtshm-size:\t" + std::to_string(5 * kPage) + "\n"), std::string::npos)
        << info;
    EXPECT_NE(info.find("rtshm-writable:\t1\n"), std::string::npos) << info;
    std::string roinfo = slurp("/proc/self/fdinfo/" + std::to_string(ro));
    EXPECT_NE(roinfo.find("rtshm-writable:\t0\n"), std::string::npos) << roinfo;

    struct stat st {};
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), 5 * kPage);
    EXPECT_FALSE(S_ISREG(st.st_mode)) << "a regular file could be truncated";
    EXPECT_GE(create(n, 2 * kPage), 0); // S7: shrinks
    ASSERT_EQ(fstat(ro, &st), 0);
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), 2 * kPage);
}

// /proc/PID/maps names the mapping after the object.
TEST_F(Memory, ProcMapsNamesTheObject) {
    auto n = uniq("maps");
    int fd = create(n, kPage);
    ASSERT_GE(fd, 0);
    ASSERT_NE(map(fd, kPage), MAP_FAILED);
    std::string maps = slurp("/proc/self/maps");
    EXPECT_NE(maps.find("/rtshm:" + n + "\n"), std::string::npos) << maps;
}

// The handle's file cannot be truncated, chmod-ed or reopened through
// /proc/self/fd: the object's size, mode and handles are the module's.
TEST_F(Memory, HandleFileRefusesTruncateChmodAndReopen) {
    constexpr size_t size = 4u << 20;
    int fd = create(uniq("trunc"), size);
    ASSERT_GE(fd, 0);
    auto *p = static_cast<unsigned char *>(map(fd, size));
    ASSERT_NE(p, MAP_FAILED);
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    EXPECT_NE(truncate(path.c_str(), 0), 0);
    EXPECT_NE(ftruncate(fd, 0), 0);
    EXPECT_NE(chmod(path.c_str(), 0777), 0);
    int again = open(path.c_str(), O_RDWR | O_CLOEXEC);
    EXPECT_LT(again, 0);
    if (again >= 0)
        close(again);
    p[size - 1] = 1; // would be SIGBUS had the truncate worked
    EXPECT_EQ(p[size - 1], 1);
}

// The largest size the ABI accepts fails as memory, cleanly (no array of
// page pointers that the allocator could refuse with a warning).
TEST_F(Memory, CreateOfMaximumSizeFailsAsMemory) {
    long long pinned = read_num(kPinned); // may still fall: earlier frees
    EXPECT_EQ(create(uniq("max"), 1ULL << 40), -ENOMEM);
    EXPECT_EQ(create(uniq("max1"), (1ULL << 40) + 1), -EINVAL);
    EXPECT_LE(read_num(kPinned), pinned) << "a failed create left a charge";
}

// The last close returns at once and the pages go back a little later; a
// create that needs them meanwhile waits for them instead of failing.
TEST_F(Memory, S23_CreateWaitsForMemoryOfDeadObject) {
    if (geteuid() != 0)
        GTEST_SKIP() << "sets max_pinned_mb";
    long long cap = read_num(kMaxPinned), base = read_num(kPinned);
    ASSERT_GT(cap, 0);
    constexpr uint64_t size = 64u << 20;
    const long long room = base / (1 << 20) + 100; // one 64 MiB object fits, two do not
    std::ofstream(kMaxPinned) << room << "\n";
    int ok = 0;
    for (int round = 0; round < 5; round++) {
        int fd = create(uniq("again"), size);
        if (fd < 0) {
            ADD_FAILURE() << "round " << round << ": " << strerror(-fd);
            break;
        }
        memset(map(fd, size), 1, size);
        munmap(maps.back().first, size);
        maps.pop_back();
        close(fd);
        fds.pop_back();
        ok++;
    }
    std::ofstream(kMaxPinned) << cap << "\n";
    EXPECT_EQ(ok, 5);
}
