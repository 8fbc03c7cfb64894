// SPDX-License-Identifier: MIT
// rtshm-kmod-bench: what a real-time thread pays for rtshm.ko's memory and
// name table, against a memfd where there is one, side by side in one run.
// Raw ioctls on /dev/rtshm, so that the figures are the module's and not
// the library's.
//
//   rtshm-kmod-bench close    munmap, then last close, of a 256 MiB object
//                             in the caller's (SCHED_FIFO) thread
//   rtshm-kmod-bench stall    a sibling thread's worst mmap+touch+munmap of
//                             4 KiB while another thread maps 256 MiB
//   rtshm-kmod-bench futex    cross-process FUTEX_WAKE -> waiter running,
//                             round trips on a shared word
//   rtshm-kmod-bench cycle    figure 5's create/open/close/close cycle of
//                             a 4 KiB object, step by step: raw ioctls
//                             against the naive shim (shm_open+ftruncate+
//                             mmap), and the naive shim writing one byte
//                             through each view, taking turns
//   rtshm-kmod-bench names    open latency with 10 objects, and with 10,000
//                             whose names collide in one bucket of the old
//                             (FNV-1a, 4096 buckets) name hash
//
// One line per result: "MEMBENCH {json}". Times in microseconds. A
// measurement, not a test: nothing is asserted.
#include <fcntl.h>
#include <sched.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include <uapi/rtshm.h>

namespace {

constexpr std::size_t kBig = 256u << 20;

double now_us() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

void report(const char *figure, const char *variant, std::vector<double> v) {
    if (v.empty()) {
        std::printf("MEMBENCH {\"figure\":\"%s\",\"variant\":\"%s\",\"n\":0}\n", figure, variant);
        return;
    }
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
        return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))];
    };
    double sum = 0;
    for (double x : v)
        sum += x;
    std::printf("MEMBENCH {\"figure\":\"%s\",\"variant\":\"%s\",\"n\":%zu,\"median_us\":%.1f,"
                "\"p99_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f}\n",
                figure, variant, v.size(), at(0.5), at(0.99), v.back(), sum / double(v.size()));
    std::fflush(stdout);
}

// A new object (rtshm) or memfd of size bytes, its fd; -1 on failure.
int make(bool rtshm, std::size_t size) {
    if (!rtshm) {
        int fd = memfd_create("membench", MFD_CLOEXEC);
        if (fd >= 0 && ftruncate(fd, static_cast<off_t>(size)) != 0) {
            close(fd);
            return -1;
        }
        return fd;
    }
    int dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (dev < 0)
        return -1;
    rtshm_create c{};
    c.size = size;
    c.type = RTSHM_TYPE_SHM;
    int r = ioctl(dev, RTSHM_IOC_CREATE, &c);
    close(dev);
    return r == 0 ? c.fd : -1;
}

// A view with every page resident and in the page tables when the call
// returns: a memfd with MAP_POPULATE; rtshm as librtshm maps it, in pieces
// of RTSHM_MAP_PIECE_BYTES over a reserved range (pieces = false: in one
// mmap, which holds the mmap write lock for the whole view).
void *map(int fd, std::size_t size, bool rtshm = false, bool pieces = true) {
    if (!rtshm || !pieces || size <= RTSHM_MAP_PIECE_BYTES) {
        void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                       MAP_SHARED | (rtshm ? 0 : MAP_POPULATE), fd, 0);
        return p == MAP_FAILED ? nullptr : p;
    }
    auto *base = static_cast<char *>(
        mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (base == MAP_FAILED)
        return nullptr;
    for (std::size_t off = 0; off < size; off += RTSHM_MAP_PIECE_BYTES)
        if (mmap(base + off, RTSHM_MAP_PIECE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                 fd, static_cast<off_t>(off)) == MAP_FAILED) {
            munmap(base, size);
            return nullptr;
        }
    return base;
}

long long read_pinned() {
    long long v = -1;
    if (FILE *f = std::fopen("/sys/class/misc/rtshm/pinned_bytes", "r")) {
        if (std::fscanf(f, "%lld", &v) != 1)
            v = -1;
        std::fclose(f);
    }
    return v;
}

// The caller's cost of RtCloseHandle on a 256 MiB object: munmap of the
// view (page-table teardown: O(size) on any kernel) and the last close of
// the handle (where the module frees the object).
void fig_close(int rounds) {
    // As a real-time thread closes: SCHED_FIFO, so that the module's free
    // worker (SCHED_OTHER) runs beside it, not instead of it.
    sched_param sp{};
    sp.sched_priority = 50;
    bool fifo = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
    std::fprintf(stderr, "close: %s\n", fifo ? "SCHED_FIFO 50" : "SCHED_OTHER (no FIFO allowed)");
    const long long pinned0 = read_pinned();
    for (bool rtshm : {true, false}) {
        std::vector<double> unmap, last_close, freed;
        for (int i = 0; i < rounds; i++) {
            int fd = make(rtshm, kBig);
            void *p = fd >= 0 ? map(fd, kBig, rtshm) : nullptr;
            if (p == nullptr) {
                std::perror("close: create/map");
                return;
            }
            std::memset(p, 1, kBig);
            double t0 = now_us();
            munmap(p, kBig);
            double t1 = now_us();
            usleep(100000); // what munmap left to others settles first
            double t2 = now_us();
            close(fd);
            double t3 = now_us();
            last_close.push_back(t3 - t2);
            unmap.push_back(t1 - t0);
            if (rtshm) {
                // Until the worker has given every page back.
                while (read_pinned() > pinned0 && now_us() - t3 < 10e6)
                    usleep(1000);
                freed.push_back(now_us() - t3);
            }
            usleep(300000); // let a deferred free finish before the next round
        }
        report("munmap-256MiB", rtshm ? "rtshm" : "memfd", unmap);
        report("last-close-256MiB", rtshm ? "rtshm" : "memfd", last_close);
        if (rtshm)
            report("pages-back-after-last-close-256MiB", "rtshm", freed);
    }
    // The last close of an object that was never mapped, and a close that is
    // not the last (another handle holds the object): what the close costs
    // without the munmap before it, and without the object's end.
    std::vector<double> never_mapped, not_last;
    for (int i = 0; i < rounds; i++) {
        int fd = make(true, kBig);
        if (fd < 0)
            break;
        double t0 = now_us();
        close(fd);
        never_mapped.push_back(now_us() - t0);
        usleep(300000);
    }
    report("last-close-never-mapped-256MiB", "rtshm", never_mapped);
    int dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    for (int i = 0; dev >= 0 && i < rounds; i++) {
        std::string n = "close-bench-" + std::to_string(i);
        rtshm_create c{};
        c.name = reinterpret_cast<uintptr_t>(n.data());
        c.name_len = static_cast<uint32_t>(n.size());
        c.size = kBig;
        c.type = RTSHM_TYPE_SHM;
        if (ioctl(dev, RTSHM_IOC_CREATE, &c) != 0)
            break;
        rtshm_open o{};
        o.name = c.name;
        o.name_len = c.name_len;
        o.type = RTSHM_TYPE_SHM;
        if (ioctl(dev, RTSHM_IOC_OPEN, &o) != 0)
            break;
        double t0 = now_us();
        close(o.fd);
        not_last.push_back(now_us() - t0);
        close(c.fd);
        usleep(300000);
    }
    if (dev >= 0)
        close(dev);
    report("close-not-last-256MiB", "rtshm", not_last);
    sp.sched_priority = 0;
    sched_setscheduler(0, SCHED_OTHER, &sp);
}

void fig_stall(int rounds) {
    struct Way {
        bool rtshm, pieces;
        const char *name;
    };
    for (Way way : {Way{true, true, "rtshm"}, Way{true, false, "rtshm-one-mmap"},
                    Way{false, false, "memfd"}}) {
        bool rtshm = way.rtshm;
        std::vector<double> worst, mapping;
        for (int i = 0; i < rounds; i++) {
            int fd = make(rtshm, kBig);
            if (fd < 0) {
                std::perror("stall: create");
                return;
            }
            std::atomic<int> phase{0};
            double max_op = 0;
            std::thread sibling([&] {
                phase = 1;
                while (phase.load() != 3) {
                    // An op that overlaps the mapping in any way counts.
                    bool during = phase.load() == 2;
                    double t0 = now_us();
                    void *q = mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                    static_cast<volatile char *>(q)[0] = 1;
                    munmap(q, 4096);
                    double d = now_us() - t0;
                    if (during || phase.load() >= 2)
                        max_op = std::max(max_op, d);
                }
            });
            while (phase.load() != 1)
                std::this_thread::yield();
            usleep(1000);
            phase = 2;
            double t0 = now_us();
            void *p = map(fd, kBig, rtshm, way.pieces);
            mapping.push_back(now_us() - t0);
            phase = 3;
            sibling.join(); // its op in flight at the end counts too
            worst.push_back(max_op);
            if (p != nullptr)
                munmap(p, kBig);
            close(fd);
            usleep(300000);
        }
        report("sibling-worst-op-while-mapping-256MiB", way.name, worst);
        report("map-256MiB", way.name, mapping);
    }
}

long futex(std::atomic<uint32_t> *w, int op, uint32_t val) {
    return syscall(SYS_futex, w, op, val, nullptr, nullptr, 0);
}

void fig_futex(int rounds) {
    for (bool rtshm : {true, false}) {
        int fd = make(rtshm, 4096);
        auto *w = fd >= 0 ? static_cast<std::atomic<uint32_t> *>(map(fd, 4096)) : nullptr;
        if (w == nullptr) {
            std::perror("futex: create/map");
            return;
        }
        w->store(0);
        // The child answers each odd value with the next even one.
        pid_t c = fork();
        if (c == 0) {
            auto *cw = static_cast<std::atomic<uint32_t> *>(map(fd, 4096));
            for (uint32_t want = 1;; want += 2) {
                while (cw->load() != want)
                    futex(cw, FUTEX_WAIT, want - 1);
                cw->store(want + 1);
                futex(cw, FUTEX_WAKE, 1);
                if (want + 1 >= 2u * static_cast<uint32_t>(rounds))
                    _exit(0);
            }
        }
        std::vector<double> v;
        for (uint32_t val = 1; val < 2u * static_cast<uint32_t>(rounds); val += 2) {
            double t0 = now_us();
            w->store(val);
            futex(w, FUTEX_WAKE, 1);
            while (w->load() != val + 1)
                futex(w, FUTEX_WAIT, val);
            v.push_back(now_us() - t0);
        }
        waitpid(c, nullptr, 0);
        report("futex-round-trip", rtshm ? "rtshm" : "memfd", v);
        munmap(w, 4096);
        close(fd);
    }
}

// The name hash of rtshm.ko before the per-namespace rhashtable.
uint32_t old_hash(const std::string &s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

int open_handle(int dev, const std::string &name, uint32_t flags = 0) {
    rtshm_open o{};
    o.flags = flags;
    o.name = reinterpret_cast<uintptr_t>(name.data());
    o.name_len = static_cast<uint32_t>(name.size());
    o.type = RTSHM_TYPE_SHM;
    return ioctl(dev, RTSHM_IOC_OPEN, &o) == 0 ? o.fd : -1;
}

// Figure 5's cycle, one process, step by step: where a cycle of the module
// costs more or less than one of the naive shim. The naive shim's cycle
// never touches its page, so it never allocates, zeroes or maps one; the
// module must (S25). "naive-touch" writes one byte through each view, the
// first write a real-time loop would pay in a fault. The variants take
// turns, so that a slow spell of the machine falls on all of them.
void fig_cycle(int rounds) {
    constexpr std::size_t kSize = 4096;
    constexpr int kSteps = 4, kVariants = 3;
    const char *steps[kSteps] = {"create+map", "open+map", "close-other", "close-last"};
    const char *variants[kVariants] = {"naive", "naive-touch", "rtshm"};
    std::vector<double> t[kVariants][kSteps + 1];
    int dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (dev < 0)
        return;
    const std::string name = "cycle-bench", path = "/cycle-bench";
    auto map4k = [&](int fd, bool touch) -> void * {
        void *p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            return nullptr;
        if (touch)
            *static_cast<volatile char *>(p) = 1;
        return p;
    };
    for (int i = 0; i < rounds; i++) {
        for (int var = 0; var < kVariants; var++) {
            const bool rtshm = var == 2, touch = var == 1;
            double at[kSteps + 1];
            int fd1 = -1, fd2 = -1;
            void *p1 = nullptr, *p2 = nullptr;
            at[0] = now_us();
            if (rtshm) {
                rtshm_create c{};
                c.name = reinterpret_cast<uintptr_t>(name.data());
                c.name_len = static_cast<uint32_t>(name.size());
                c.size = kSize;
                c.type = RTSHM_TYPE_SHM;
                fd1 = ioctl(dev, RTSHM_IOC_CREATE, &c) == 0 ? c.fd : -1;
            } else {
                fd1 = shm_open(path.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
                if (fd1 >= 0 && ftruncate(fd1, kSize) != 0) {
                    close(fd1);
                    fd1 = -1;
                }
            }
            p1 = fd1 >= 0 ? map4k(fd1, touch) : nullptr;
            at[1] = now_us();
            if (rtshm) {
                fd2 = open_handle(dev, name, RTSHM_OPEN_WRITE);
            } else {
                struct stat st;
                fd2 = shm_open(path.c_str(), O_RDWR, 0);
                if (fd2 >= 0 && fstat(fd2, &st) != 0) {
                    close(fd2);
                    fd2 = -1;
                }
            }
            p2 = fd2 >= 0 ? map4k(fd2, touch) : nullptr;
            at[2] = now_us();
            if (p1 == nullptr || p2 == nullptr) {
                std::fprintf(stderr, "cycle: %s: %s\n", variants[var], std::strerror(errno));
                return;
            }
            munmap(p2, kSize);
            close(fd2);
            at[3] = now_us();
            munmap(p1, kSize);
            close(fd1);
            if (!rtshm)
                shm_unlink(path.c_str());
            at[4] = now_us();
            for (int s = 0; s < kSteps; s++)
                t[var][s].push_back(at[s + 1] - at[s]);
            t[var][kSteps].push_back(at[kSteps] - at[0]);
        }
    }
    close(dev);
    for (int var = 0; var < kVariants; var++) {
        for (int s = 0; s < kSteps; s++)
            report((std::string("cycle-") + steps[s]).c_str(), variants[var], t[var][s]);
        report("cycle-total", variants[var], t[var][kSteps]);
    }
}

// Open (and close) of one name, as the table holds `count` other objects.
void fig_names(int rounds) {
    rlimit nofile{20000, 20000}; // a descriptor per object held
    if (setrlimit(RLIMIT_NOFILE, &nofile) != 0)
        std::perror("names: RLIMIT_NOFILE");
    int dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (dev < 0)
        return;
    std::vector<int> held;
    auto add = [&](const std::string &n) {
        rtshm_create c{};
        c.name = reinterpret_cast<uintptr_t>(n.data());
        c.name_len = static_cast<uint32_t>(n.size());
        c.size = 4096;
        c.type = RTSHM_TYPE_SHM;
        if (ioctl(dev, RTSHM_IOC_CREATE, &c) == 0)
            held.push_back(c.fd);
    };
    auto measure = [&](const char *figure, const std::string &target) {
        std::vector<double> v;
        for (int i = 0; i < rounds; i++) {
            double t0 = now_us();
            int fd = open_handle(dev, target);
            v.push_back(now_us() - t0);
            if (fd >= 0)
                close(fd);
        }
        report(figure, "rtshm", v);
    };
    const uint32_t bucket = old_hash("names-target") & 4095u;
    for (int i = 0; i < 10; i++)
        add("names-few-" + std::to_string(i));
    add("names-target");
    measure("open-with-10-objects", "names-target");
    // 10,000 more whose names all fall in the target's old bucket.
    for (uint64_t k = 0; held.size() < 10011; k++) {
        std::string n = "names-c-" + std::to_string(k);
        if ((old_hash(n) & 4095u) == bucket)
            add(n);
    }
    measure("open-with-10000-colliding-objects", "names-target");
    for (int fd : held)
        close(fd);
    close(dev);
}

} // namespace

int main(int argc, char **argv) {
    std::string what = argc > 1 ? argv[1] : "all";
    int rounds = argc > 2 ? std::atoi(argv[2]) : 0;
    if (access(RTSHM_DEVICE_PATH, F_OK) != 0) {
        std::fprintf(stderr, "rtshm-kmod-bench: no %s\n", RTSHM_DEVICE_PATH);
        return 1;
    }
    if (what == "close" || what == "all")
        fig_close(rounds ? rounds : 6);
    if (what == "stall" || what == "all")
        fig_stall(rounds ? rounds : 6);
    if (what == "futex" || what == "all")
        fig_futex(rounds ? rounds : 2000);
    if (what == "cycle" || what == "all")
        fig_cycle(rounds ? rounds : 3000);
    if (what == "names" || what == "all")
        fig_names(rounds ? rounds : 2000);
    return 0;
}
