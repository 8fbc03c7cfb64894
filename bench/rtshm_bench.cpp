// SPDX-License-Identifier: MIT
// rtshm-bench: rtshm against POSIX and SysV shared memory, side by side (issue 5).
//
// Variants
//   a  posix-rt   shm_open + ftruncate + mmap(MAP_SHARED|MAP_POPULATE) + mlock
//   b  naive      shm_open + ftruncate + mmap(MAP_SHARED)
//   c  sysv       shmget + shmat + shmctl(SHM_LOCK)
//   d  rtshm-k    RtCreateSharedMemoryA/RtOpenSharedMemoryA, RTSHM_BACKEND=kernel
//   e  rtshm-p    the same, RTSHM_BACKEND=posix
//
// Commands
//   rtshm-bench suite    [--variants abcde] [--figures 12345] [--label L] [--scale F]
//                        [--rounds N]
//   rtshm-bench pressure [--variants bad] [--seconds S] [--idle-seconds S]
//                        [--touch-pages K] [--hog-extra-mb M] [--label L]
//
// Every result is one line "BENCHJSON {...}" on stdout (one write(2) each,
// so that lines survive a serial console shared with other output); progress
// goes to stderr. Each variant runs in its own process, started by
// re-executing this binary with RTSHM_BACKEND set (the library reads it
// once per process). Times are in microseconds. Nothing here asserts a
// timing: this is a measurement, not a test.
#include <rtapi.h>
#ifdef RTSHM_BENCH_HAVE_LIB
#include <rtshm/rtshm.h>
#endif

#include <algorithm>
#include <memory>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/rtshm.h>

namespace {

// ------------------------------------------------------------------ utilities

double g_scale = 1.0; // multiplies every time budget
std::string g_label = "unlabelled";
long g_page = 4096;

uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::string line = std::string("# ") + buf + "\n";
    if (::write(2, line.data(), line.size()) < 0) {
    }
}

[[noreturn]] void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void die(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::fprintf(stderr, "rtshm-bench: error: %s\n", buf);
    std::exit(2);
}

void appendf(std::string &s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string &s, const char *fmt, ...) {
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= int(sizeof buf)) {
        std::vector<char> big(size_t(n) + 1);
        va_start(ap, fmt);
        vsnprintf(big.data(), big.size(), fmt, ap);
        va_end(ap);
        s.append(big.data(), size_t(n));
    } else if (n > 0) {
        s.append(buf, size_t(n));
    }
}

// A result line: "BENCHJSON {...}\n", written at once.
struct Json {
    std::string s;
    bool first = true;
    Json(const char *type, char variant) {
        s = "{";
        str("type", type);
        str("label", g_label.c_str());
        if (variant)
            appendf(s, ",\"variant\":\"%c\"", variant);
    }
    void key(const char *k) {
        if (!first || s.size() > 1)
            s += ',';
        first = false;
        appendf(s, "\"%s\":", k);
    }
    void str(const char *k, const char *v) {
        key(k);
        s += '"';
        for (const char *p = v; *p; ++p) {
            if (*p == '"' || *p == '\\')
                s += '\\';
            if (static_cast<unsigned char>(*p) >= 0x20)
                s += *p;
        }
        s += '"';
    }
    void num(const char *k, double v) {
        key(k);
        if (std::isfinite(v))
            appendf(s, "%.6g", v);
        else
            s += "null";
    }
    void inum(const char *k, long long v) {
        key(k);
        appendf(s, "%lld", v);
    }
    void raw(const char *k, const std::string &v) {
        key(k);
        s += v;
    }
    void emit() {
        std::string line = "BENCHJSON " + s + "}\n";
        size_t off = 0;
        while (off < line.size()) {
            ssize_t w = ::write(1, line.data() + off, line.size() - off);
            if (w <= 0)
                break;
            off += size_t(w);
        }
    }
};

// Summary statistics of samples in nanoseconds, printed in microseconds.
struct Stats {
    std::vector<double> v; // ns
    void add(double ns) { v.push_back(ns); }
    double q(double p) const { // nearest rank
        if (v.empty())
            return NAN;
        std::vector<double> s = v;
        std::sort(s.begin(), s.end());
        size_t k = size_t(std::ceil(p * double(s.size())));
        if (k < 1)
            k = 1;
        if (k > s.size())
            k = s.size();
        return s[k - 1];
    }
    std::string json() const {
        std::string s;
        if (v.empty())
            return "null";
        double sum = 0;
        for (double x : v)
            sum += x;
        appendf(s,
                "{\"n\":%zu,\"min\":%.3f,\"med\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,"
                "\"mean\":%.3f}",
                v.size(), q(0) / 1e3, q(0.5) / 1e3, q(0.99) / 1e3, q(0.999) / 1e3, q(1.0) / 1e3,
                sum / double(v.size()) / 1e3);
        return s;
    }
    std::string samples_us() const {
        std::string s = "[";
        for (size_t i = 0; i < v.size(); ++i)
            appendf(s, "%s%.2f", i ? "," : "", v[i] / 1e3);
        return s + "]";
    }
};

struct Faults {
    long minflt = 0, majflt = 0;
};
Faults faults_now(int who = RUSAGE_SELF) {
    rusage ru{};
    getrusage(who, &ru);
    return {ru.ru_minflt, ru.ru_majflt};
}

void touch_write(void *p, size_t size) {
    volatile char *c = static_cast<volatile char *>(p);
    for (size_t i = 0; i < size; i += size_t(g_page))
        c[i] = 1;
}

std::string size_name(size_t size) {
    char b[32];
    if (size >= (1u << 20))
        std::snprintf(b, sizeof b, "%zu MiB", size >> 20);
    else
        std::snprintf(b, sizeof b, "%zu KiB", size >> 10);
    return b;
}

// Number of iterations for a time budget, from the time of one warm-up run.
int plan(double one_ns, double budget_s, int nmin, int nmax) {
    double n = budget_s * g_scale * 1e9 / std::max(one_ns, 1.0);
    return int(std::clamp(n, double(nmin), double(nmax)));
}

// ------------------------------------------------------------------ variants

// One handle: what a create or an open returned.
struct Obj {
    void *addr = nullptr;
    size_t size = 0;
    int fd = -1;
    int shmid = -1;
    void *h = nullptr;
};

// Names are "rb-<tag>-<idx>"; SysV derives its key from tag and idx.
std::string obj_name(unsigned tag, unsigned idx) {
    char b[64];
    std::snprintf(b, sizeof b, "rb-%u-%u", tag, idx);
    return b;
}

class Variant {
public:
    char id;
    const char *what;
    Variant(char i, const char *w) : id(i), what(w) {}
    virtual ~Variant() = default;
    // A new object (shared: an existing one is fine too). Maps all of it.
    virtual bool create(const std::string &name, size_t size, Obj &o, bool shared = false) = 0;
    // A new handle and mapping of an existing object.
    virtual bool open(const std::string &name, Obj &o) = 0;
    // Close a handle that is not the last one.
    virtual void close(Obj &o) = 0;
    // Close the creator's handle; unlink: also remove the name.
    virtual void destroy(const std::string &name, Obj &o, bool unlink = true) = 0;
    std::string err;
};

class PosixVariant : public Variant {
    bool rt_; // MAP_POPULATE + mlock
public:
    PosixVariant(char i, bool rt)
        : Variant(i,
                  rt ? "POSIX shm_open+mmap(MAP_POPULATE)+mlock" : "POSIX shm_open+mmap (naive)"),
          rt_(rt) {}
    bool map(Obj &o) {
        int fl = MAP_SHARED | (rt_ ? MAP_POPULATE : 0);
        void *p = mmap(nullptr, o.size, PROT_READ | PROT_WRITE, fl, o.fd, 0);
        if (p == MAP_FAILED) {
            err = std::string("mmap: ") + std::strerror(errno);
            return false;
        }
        if (rt_ && mlock(p, o.size) != 0) {
            err = std::string("mlock: ") + std::strerror(errno);
            munmap(p, o.size);
            return false;
        }
        o.addr = p;
        return true;
    }
    bool create(const std::string &name, size_t size, Obj &o, bool shared) override {
        std::string path = "/" + name;
        o.fd = shm_open(path.c_str(), O_CREAT | O_RDWR | (shared ? 0 : O_EXCL), 0600);
        if (o.fd < 0) {
            err = std::string("shm_open: ") + std::strerror(errno);
            return false;
        }
        o.size = size;
        if (ftruncate(o.fd, off_t(size)) != 0) {
            err = std::string("ftruncate: ") + std::strerror(errno);
            ::close(o.fd);
            shm_unlink(path.c_str());
            return false;
        }
        if (!map(o)) {
            ::close(o.fd);
            shm_unlink(path.c_str());
            return false;
        }
        return true;
    }
    bool open(const std::string &name, Obj &o) override {
        std::string path = "/" + name;
        o.fd = shm_open(path.c_str(), O_RDWR, 0);
        if (o.fd < 0) {
            err = std::string("shm_open: ") + std::strerror(errno);
            return false;
        }
        struct stat st;
        if (fstat(o.fd, &st) != 0) {
            ::close(o.fd);
            return false;
        }
        o.size = size_t(st.st_size);
        if (!map(o)) {
            ::close(o.fd);
            return false;
        }
        return true;
    }
    void close(Obj &o) override {
        munmap(o.addr, o.size);
        ::close(o.fd);
        o = Obj{};
    }
    void destroy(const std::string &name, Obj &o, bool unlink) override {
        close(o);
        if (unlink)
            shm_unlink(("/" + name).c_str());
    }
};

class SysvVariant : public Variant {
public:
    SysvVariant() : Variant('c', "SysV shmget+shmat+SHM_LOCK") {}
    static key_t key_of(const std::string &name) {
        unsigned tag = 0, idx = 0;
        std::sscanf(name.c_str(), "rb-%u-%u", &tag, &idx);
        return key_t(0x40000000u | ((tag & 0x3ffu) << 20) | (idx & 0xfffffu));
    }
    bool create(const std::string &name, size_t size, Obj &o, bool shared) override {
        o.shmid = shmget(key_of(name), size, IPC_CREAT | 0600 | (shared ? 0 : IPC_EXCL));
        if (o.shmid < 0) {
            err = std::string("shmget: ") + std::strerror(errno);
            return false;
        }
        o.size = size;
        void *p = shmat(o.shmid, nullptr, 0);
        if (p == reinterpret_cast<void *>(-1)) {
            err = std::string("shmat: ") + std::strerror(errno);
            shmctl(o.shmid, IPC_RMID, nullptr);
            return false;
        }
        if (shmctl(o.shmid, SHM_LOCK, nullptr) != 0) {
            err = std::string("SHM_LOCK: ") + std::strerror(errno);
            shmdt(p);
            shmctl(o.shmid, IPC_RMID, nullptr);
            return false;
        }
        o.addr = p;
        return true;
    }
    bool open(const std::string &name, Obj &o) override {
        o.shmid = shmget(key_of(name), 0, 0600);
        if (o.shmid < 0) {
            err = std::string("shmget: ") + std::strerror(errno);
            return false;
        }
        shmid_ds ds{};
        shmctl(o.shmid, IPC_STAT, &ds);
        o.size = ds.shm_segsz;
        void *p = shmat(o.shmid, nullptr, 0);
        if (p == reinterpret_cast<void *>(-1)) {
            err = std::string("shmat: ") + std::strerror(errno);
            return false;
        }
        o.addr = p;
        return true;
    }
    void close(Obj &o) override {
        shmdt(o.addr);
        o = Obj{};
    }
    void destroy(const std::string &, Obj &o, bool unlink) override {
        int id = o.shmid;
        close(o);
        if (unlink)
            shmctl(id, IPC_RMID, nullptr);
    }
};

#ifdef RTSHM_BENCH_HAVE_LIB
class RtshmVariant : public Variant {
public:
    RtshmVariant(char i) : Variant(i, i == 'd' ? "rtshm kernel backend" : "rtshm POSIX backend") {}
    bool create(const std::string &name, size_t size, Obj &o, bool shared) override {
        void *loc = nullptr;
        o.h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, DWORD(size), name.c_str(), &loc);
        if (!o.h) {
            err = "RtCreateSharedMemoryA: error " + std::to_string(GetLastError());
            return false;
        }
        if (!shared && GetLastError() != 0) {
            err = "RtCreateSharedMemoryA: object existed";
            RtCloseHandle(o.h);
            return false;
        }
        o.addr = loc;
        o.size = size;
        return true;
    }
    bool open(const std::string &name, Obj &o) override {
        void *loc = nullptr;
        o.h = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, name.c_str(), &loc);
        if (!o.h) {
            err = "RtOpenSharedMemoryA: error " + std::to_string(GetLastError());
            return false;
        }
        o.addr = loc;
        return true;
    }
    void close(Obj &o) override {
        RtCloseHandle(o.h);
        o = Obj{};
    }
    void destroy(const std::string &, Obj &o, bool) override { close(o); }
};
#endif

Variant *make_variant(char v) {
    switch (v) {
    case 'a':
        return new PosixVariant('a', true);
    case 'b':
        return new PosixVariant('b', false);
    case 'c':
        return new SysvVariant();
#ifdef RTSHM_BENCH_HAVE_LIB
    case 'd':
    case 'e':
        return new RtshmVariant(v);
#endif
    default:
        return nullptr;
    }
}

// In the variant's own process: check that the library serves the wanted backend.
void check_backend(char v) {
#ifdef RTSHM_BENCH_HAVE_LIB
    if (v == 'd' || v == 'e') {
        const char *want = v == 'd' ? "kernel" : "posix";
        const char *got = RtShmGetBackendName();
        if (std::strcmp(want, got) != 0)
            die("variant %c wants the %s backend, the library serves '%s'", v, want, got);
    }
#else
    (void)v;
#endif
}

void error_line(const char *type, char v, const std::string &what) {
    note("variant %c, %s: %s", v, type, what.c_str());
    Json j(type, v);
    j.str("error", what.c_str());
    j.emit();
}

// ------------------------------------------------------------------ figures

const size_t kSizes[] = {4096, 1u << 20, 64u << 20, 256u << 20};

// Figures 1 and 3 (after create): create + map + first touch of every page.
void fig_create(Variant &v, unsigned tag) {
    unsigned idx = 0;
    for (size_t size : kSizes) {
        Stats cm, ct, des;
        std::vector<long> minf_t, majf_t, minf_c;
        int n = 1;
        // i < 0: warm-up runs, not kept (two for small sizes: first-call costs)
        for (int i = size <= (1u << 20) ? -2 : -1; i < n; ++i) {
            std::string name = obj_name(tag, idx++);
            Obj o;
            Faults f0 = faults_now();
            uint64_t t0 = now_ns();
            if (!v.create(name, size, o)) {
                error_line("create", v.id, size_name(size) + ": " + v.err);
                return;
            }
            uint64_t t1 = now_ns();
            Faults f1 = faults_now();
            touch_write(o.addr, size);
            uint64_t t2 = now_ns();
            Faults f2 = faults_now();
            v.destroy(name, o);
            uint64_t t3 = now_ns();
            if (i < 0) {
                n = plan(double(t2 - t0), 1.5, 5, 200);
                continue;
            }
            cm.add(double(t1 - t0));
            ct.add(double(t2 - t0));
            des.add(double(t3 - t2));
            minf_t.push_back(f2.minflt - f1.minflt);
            majf_t.push_back(f2.majflt - f1.majflt);
            minf_c.push_back(f1.minflt - f0.minflt);
        }
        auto med = [](std::vector<long> x) {
            std::sort(x.begin(), x.end());
            return double(x[x.size() / 2]);
        };
        auto mx = [](const std::vector<long> &x) {
            return double(*std::max_element(x.begin(), x.end()));
        };
        Json j("create", v.id);
        j.inum("size", (long long)size);
        j.raw("create_map", cm.json());
        j.raw("create_touch", ct.json());
        j.raw("destroy", des.json());
        j.num("minflt_touch_med", med(minf_t));
        j.num("minflt_touch_max", mx(minf_t));
        j.num("majflt_touch_max", mx(majf_t));
        j.num("minflt_create_med", med(minf_c));
        j.raw("samples_create_touch", ct.samples_us());
        j.emit();
        note("fig1 %c %-8s n=%-3d create+touch med %.1f us", v.id, size_name(size).c_str(),
             int(ct.v.size()), ct.q(0.5) / 1e3);
    }
}

// Figures 2 and 3 (after open): open + map of an existing object, touch, close.
void fig_open(Variant &v, unsigned tag) {
    unsigned idx = 100;
    for (size_t size : kSizes) {
        std::string name = obj_name(tag, idx++);
        Obj creator;
        if (!v.create(name, size, creator)) {
            error_line("open", v.id, size_name(size) + ": create: " + v.err);
            return;
        }
        touch_write(creator.addr, size); // every page exists before the opens
        Stats om, ot, cl;
        std::vector<long> minf_t, majf_t;
        int n = 1;
        for (int i = size <= (1u << 20) ? -2 : -1; i < n; ++i) {
            Obj o;
            uint64_t t0 = now_ns();
            if (!v.open(name, o)) {
                error_line("open", v.id, size_name(size) + ": " + v.err);
                v.destroy(name, creator);
                return;
            }
            uint64_t t1 = now_ns();
            Faults f1 = faults_now();
            touch_write(o.addr, size);
            uint64_t t2 = now_ns();
            Faults f2 = faults_now();
            v.close(o);
            uint64_t t3 = now_ns();
            if (i < 0) {
                n = plan(double(t2 - t0), 1.0, 5, 200);
                continue;
            }
            om.add(double(t1 - t0));
            ot.add(double(t2 - t0));
            cl.add(double(t3 - t2));
            minf_t.push_back(f2.minflt - f1.minflt);
            majf_t.push_back(f2.majflt - f1.majflt);
        }
        v.destroy(name, creator);
        std::sort(minf_t.begin(), minf_t.end());
        Json j("open", v.id);
        j.inum("size", (long long)size);
        j.raw("open_map", om.json());
        j.raw("open_touch", ot.json());
        j.raw("close", cl.json());
        j.num("minflt_touch_med", double(minf_t[minf_t.size() / 2]));
        j.num("minflt_touch_max", double(minf_t.back()));
        j.num("majflt_touch_max", double(*std::max_element(majf_t.begin(), majf_t.end())));
        j.raw("samples_open_map", om.samples_us());
        j.emit();
        note("fig2 %c %-8s n=%-3d open+map med %.1f us", v.id, size_name(size).c_str(),
             int(om.v.size()), om.q(0.5) / 1e3);
    }
}

// The physical floor: memset of memory that is already mapped and resident.
void fig_floor() {
    for (size_t size : kSizes) {
        void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED)
            die("mmap %zu: %s", size, std::strerror(errno));
        mlock(p, size);
        std::memset(p, 0, size);
        Stats s;
        int n = 1;
        for (int i = -1; i < n; ++i) {
            uint64_t t0 = now_ns();
            std::memset(p, i & 0xff, size);
            asm volatile("" : : "r"(p) : "memory");
            uint64_t t1 = now_ns();
            if (i < 0) {
                n = plan(double(t1 - t0), 0.5, 5, 200);
                continue;
            }
            s.add(double(t1 - t0));
        }
        munmap(p, size);
        // The kernel's own floor: fresh zeroed anonymous memory, mapped.
        Stats an;
        n = 1;
        for (int i = -1; i < n; ++i) {
            uint64_t t0 = now_ns();
            void *q = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
            uint64_t t1 = now_ns();
            if (q == MAP_FAILED)
                die("mmap %zu: %s", size, std::strerror(errno));
            munmap(q, size);
            if (i < 0) {
                n = plan(double(t1 - t0), 0.5, 5, 200);
                continue;
            }
            an.add(double(t1 - t0));
        }
        Json j("memset", 0);
        j.inum("size", (long long)size);
        j.raw("memset", s.json());
        j.raw("anon_populate", an.json());
        j.emit();
        note("floor   %-8s n=%-3d memset med %.1f us", size_name(size).c_str(), int(s.v.size()),
             s.q(0.5) / 1e3);
    }
}

// A profile of variant (d) from user space: the raw ioctl ABI, each step
// timed on its own (create = allocate + zero + charge; mmap = page tables).
void fig_breakdown(unsigned tag) {
    int dev = ::open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (dev < 0) {
        error_line("breakdown", 'd',
                   std::string("open " RTSHM_DEVICE_PATH ": ") + std::strerror(errno));
        return;
    }
    unsigned idx = 200;
    for (size_t size : kSizes) {
        Stats cr, mm, mp, to, um, cl;
        int n = 1;
        for (int i = -1; i < n; ++i) {
            std::string name = obj_name(tag, idx++);
            rtshm_create c{};
            c.name = uint64_t(uintptr_t(name.data()));
            c.name_len = uint32_t(name.size());
            c.size = size;
            c.type = RTSHM_TYPE_SHM;
            uint64_t t0 = now_ns();
            if (ioctl(dev, RTSHM_IOC_CREATE, &c) != 0) {
                error_line("breakdown", 'd',
                           size_name(size) + ": RTSHM_IOC_CREATE: " + std::strerror(errno));
                ::close(dev);
                return;
            }
            uint64_t t1 = now_ns();
            void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd, 0);
            uint64_t t2 = now_ns();
            if (p == MAP_FAILED) {
                error_line("breakdown", 'd', size_name(size) + ": mmap: " + std::strerror(errno));
                ::close(c.fd);
                ::close(dev);
                return;
            }
            touch_write(p, size);
            uint64_t t3 = now_ns();
            munmap(p, size);
            uint64_t t4 = now_ns();
            // The same mapping with MAP_POPULATE, as librtshm maps it: the
            // page tables are complete after mmap, so this is pure overhead.
            uint64_t tp0 = now_ns();
            void *pp =
                mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, c.fd, 0);
            uint64_t tp1 = now_ns();
            if (pp != MAP_FAILED)
                munmap(pp, size);
            uint64_t t4b = now_ns(); // close_free is timed from here
            ::close(c.fd);           // the last reference: the object is freed
            uint64_t t5 = now_ns();
            t5 -= t4b - t4; // the MAP_POPULATE probe is not part of close
            if (i < 0) {
                n = plan(double(t5 - t0), 1.0, 5, 100);
                continue;
            }
            cr.add(double(t1 - t0));
            mm.add(double(t2 - t1));
            mp.add(double(tp1 - tp0));
            to.add(double(t3 - t2));
            um.add(double(t4 - t3));
            cl.add(double(t5 - t4));
        }
        Json j("breakdown", 'd');
        j.inum("size", (long long)size);
        j.raw("ioctl_create", cr.json());
        j.raw("mmap", mm.json());
        j.raw("mmap_populate", mp.json());
        j.raw("touch", to.json());
        j.raw("munmap", um.json());
        j.raw("close_free", cl.json());
        j.emit();
        note("prof d %-8s ioctl create med %.1f us, mmap med %.1f us", size_name(size).c_str(),
             cr.q(0.5) / 1e3, mm.q(0.5) / 1e3);
    }
    ::close(dev);
}

// Raise a /proc/sys integer to at least want; returns the old value to restore, or -1.
long raise_sysctl(const char *path, long want) {
    FILE *f = std::fopen(path, "r");
    if (!f)
        return -1;
    long old = -1;
    if (std::fscanf(f, "%ld", &old) != 1)
        old = -1;
    std::fclose(f);
    if (old < 0 || old >= want)
        return -1;
    f = std::fopen(path, "w");
    if (!f)
        return -1;
    std::fprintf(f, "%ld\n", want);
    if (std::fclose(f) != 0)
        return -1;
    return old;
}
void write_sysctl(const char *path, long v) {
    if (FILE *f = std::fopen(path, "w")) {
        std::fprintf(f, "%ld\n", v);
        std::fclose(f);
    }
}

// Figure 4: open latency with 10, 1,000 and 10,000 live objects.
void fig_scale(Variant &v, unsigned tag) {
    const size_t counts[] = {10, 1000, 10000};
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rlimit want{40000, 40000};
    if (setrlimit(RLIMIT_NOFILE, &want) != 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    long old_mni = v.id == 'c' ? raise_sysctl("/proc/sys/kernel/shmmni", 32768) : -1;
    std::vector<std::pair<std::string, Obj>> live;
    live.reserve(10000);
    uint64_t seed = 12345;
    bool failed = false;
    for (size_t count : counts) {
        uint64_t tc0 = now_ns();
        // A variant whose create is O(live objects) would take minutes here:
        // give up on this count after a budget, and say so.
        const uint64_t budget = uint64_t(std::max(5.0, 20.0 * g_scale) * 1e9);
        while (live.size() < count) {
            if ((live.size() & 63) == 0 && now_ns() - tc0 > budget) {
                char what[160];
                std::snprintf(what, sizeof what,
                              "gave up: creating %zu live objects took over %.0f s (reached %zu)",
                              count, double(budget) / 1e9, live.size());
                Json j("scale", v.id);
                j.inum("live", (long long)count);
                j.str("error", what);
                j.emit();
                note("fig4 %c %s", v.id, what);
                failed = true;
                break;
            }
            std::string name = obj_name(tag, unsigned(live.size()));
            Obj o;
            if (!v.create(name, 4096, o)) {
                error_line("scale", v.id,
                           "creating live object " + std::to_string(live.size()) + ": " + v.err);
                failed = true;
                break;
            }
            live.emplace_back(name, o);
        }
        if (failed)
            break;
        uint64_t tc1 = now_ns();
        Stats om, cl;
        int n = 200;
        for (int i = -5; i < n; ++i) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const std::string &name = live[(seed >> 33) % live.size()].first;
            Obj o;
            uint64_t t0 = now_ns();
            if (!v.open(name, o)) {
                error_line("scale", v.id, v.err);
                failed = true;
                break;
            }
            uint64_t t1 = now_ns();
            v.close(o);
            uint64_t t2 = now_ns();
            if (i == -1) // 20 to 200 samples, about 2 s
                n = plan(double(t2 - t0), 2.0, 20, 200);
            if (i >= 0) {
                om.add(double(t1 - t0));
                cl.add(double(t2 - t1));
            }
        }
        if (failed)
            break;
        Json j("scale", v.id);
        j.inum("live", (long long)count);
        j.raw("open_map", om.json());
        j.raw("close", cl.json());
        j.num("create_all_s", double(tc1 - tc0) / 1e9);
        j.emit();
        note("fig4 %c live=%-5zu open+map med %.1f us p99 %.1f us", v.id, count, om.q(0.5) / 1e3,
             om.q(0.99) / 1e3);
    }
    for (auto &[name, o] : live)
        v.destroy(name, o);
    if (old_mni >= 0)
        write_sysctl("/proc/sys/kernel/shmmni", old_mni);
}

// Figure 5: P processes doing create/open/close/close cycles, for a fixed time.
void fig_concurrency(Variant &v, unsigned tag, int round) {
    const double secs = std::max(0.3, 1.0 * g_scale);
    for (int procs : {1, 2, 4}) {
        for (bool shared : {false, true}) {
            if (procs == 1 && shared)
                continue;
            struct Slot {
                std::atomic<uint64_t> cycles, errors, elapsed_ns;
            };
            auto *slots =
                static_cast<Slot *>(mmap(nullptr, sizeof(Slot) * 8, PROT_READ | PROT_WRITE,
                                         MAP_SHARED | MAP_ANONYMOUS, -1, 0));
            if (slots == MAP_FAILED)
                die("mmap: %s", std::strerror(errno));
            int gate[2];
            if (pipe(gate) != 0)
                die("pipe: %s", std::strerror(errno));
            std::vector<pid_t> pids;
            for (int w = 0; w < procs; ++w) {
                pid_t pid = fork();
                if (pid < 0)
                    die("fork: %s", std::strerror(errno));
                if (pid == 0) {
                    ::close(gate[1]);
                    char c;
                    while (read(gate[0], &c, 1) > 0) {
                    }
                    std::string name = obj_name(tag, shared ? 0xfffffu : 5000u + unsigned(w));
                    uint64_t cycles = 0, errors = 0;
                    uint64_t t0 = now_ns(), end = t0 + uint64_t(secs * 1e9), t = t0;
                    while (t < end) {
                        Obj c1, c2;
                        if (!v.create(name, 4096, c1, shared)) {
                            ++errors;
                        } else {
                            if (v.open(name, c2))
                                v.close(c2);
                            else
                                ++errors;
                            v.destroy(name, c1, !shared);
                            ++cycles;
                        }
                        t = now_ns();
                    }
                    slots[w].cycles = cycles;
                    slots[w].errors = errors;
                    slots[w].elapsed_ns = t - t0;
                    _exit(0);
                }
                pids.push_back(pid);
            }
            ::close(gate[0]);
            ::close(gate[1]); // go
            for (pid_t p : pids)
                waitpid(p, nullptr, 0);
            uint64_t cycles = 0, errors = 0, el = 1;
            for (int w = 0; w < procs; ++w) {
                cycles += slots[w].cycles;
                errors += slots[w].errors;
                el = std::max<uint64_t>(el, slots[w].elapsed_ns);
            }
            munmap(slots, sizeof(Slot) * 8);
            if (shared) { // the POSIX and SysV names outlive the cycles: remove them
                std::string name = obj_name(tag, 0xfffffu);
                if (v.id == 'a' || v.id == 'b')
                    shm_unlink(("/" + name).c_str());
                if (v.id == 'c') {
                    int id = shmget(SysvVariant::key_of(name), 0, 0);
                    if (id >= 0)
                        shmctl(id, IPC_RMID, nullptr);
                }
            }
            double secs_el = double(el) / 1e9;
            Json j("concurrency", v.id);
            j.num("procs", procs);
            j.str("names", shared ? "shared" : "distinct");
            j.num("round", round);
            j.num("seconds", secs_el);
            j.num("cycles", double(cycles));
            j.num("errors", double(errors));
            j.num("ops_per_s", 4.0 * double(cycles) / secs_el);
            j.emit();
            note("fig5 %c procs=%d %-8s %.0f ops/s (%llu errors)", v.id, procs,
                 shared ? "shared" : "distinct", 4.0 * double(cycles) / secs_el,
                 (unsigned long long)errors);
        }
    }
}

// ------------------------------------------------------------------ figure 6

struct Meminfo {
    long total_kb = 0, avail_kb = 0, swap_total_kb = 0, swap_free_kb = 0;
};
Meminfo meminfo() {
    Meminfo m;
    FILE *f = std::fopen("/proc/meminfo", "r");
    if (!f)
        return m;
    char k[64];
    long v;
    while (std::fscanf(f, "%63s %ld kB\n", k, &v) == 2) {
        if (!std::strcmp(k, "MemTotal:"))
            m.total_kb = v;
        else if (!std::strcmp(k, "MemAvailable:"))
            m.avail_kb = v;
        else if (!std::strcmp(k, "SwapTotal:"))
            m.swap_total_kb = v;
        else if (!std::strcmp(k, "SwapFree:"))
            m.swap_free_kb = v;
    }
    std::fclose(f);
    return m;
}
long vmstat(const char *key) {
    FILE *f = std::fopen("/proc/vmstat", "r");
    if (!f)
        return -1;
    char k[64];
    long v, r = -1;
    while (std::fscanf(f, "%63s %ld\n", k, &v) == 2)
        if (!std::strcmp(k, key))
            r = v;
    std::fclose(f);
    return r;
}

// The memory hog: an anonymous area swept for ever, one mostly-zero page at a
// time (8 bytes of counter per page: compressible, but not a same-filled page).
[[noreturn]] void run_hog(long mb) {
    if (FILE *f = std::fopen("/proc/self/oom_score_adj", "w")) {
        std::fprintf(f, "1000\n");
        std::fclose(f);
    }
    size_t size = size_t(mb) << 20;
    auto *p = static_cast<volatile uint64_t *>(mmap(
        nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (p == MAP_FAILED)
        die("hog mmap %ld MiB: %s", mb, std::strerror(errno));
    size_t words = size / 8, step = size_t(g_page) / 8;
    for (uint64_t pass = 1;; ++pass)
        for (size_t i = 0; i < words; i += step)
            p[i + (pass % step)] = pass ^ i;
}

// The SCHED_FIFO reader: 1 kHz, clock_nanosleep(TIMER_ABSTIME); each period it
// reads one word of each of touch_pages consecutive pages, going round the
// 64 MiB object. Writes 1 byte to ready_fd when set up, starts on a byte
// (or EOF) from go_fd.
void run_reader(Variant &v, double seconds, int touch_pages, int ready_fd, int go_fd,
                const char *mode) {
    const size_t size = 64u << 20;
    const long period = 1000000; // ns
    const size_t periods = size_t(seconds * 1000);
    std::vector<double> wake(periods), loop(periods);
    std::vector<uint8_t> fault(periods);
    volatile char stack[256 * 1024];
    for (size_t i = 0; i < sizeof stack; i += 4096)
        stack[i] = 0;
    // Lock what exists now (code, libraries, stack, these buffers): any major
    // fault later comes from the shared-memory object, not from the reader.
    bool locked = mlockall(MCL_CURRENT) == 0;
    if (!locked)
        note("reader: mlockall(MCL_CURRENT): %s", std::strerror(errno));
    Obj o;
    std::string name = obj_name(unsigned(getpid()), 1);
    if (!v.create(name, size, o))
        die("reader: create 64 MiB: %s", v.err.c_str());
    touch_write(o.addr, size);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(int(ncpu - 1), &set);
    sched_setaffinity(0, sizeof set, &set);
    sched_param sp{};
    sp.sched_priority = 80;
    bool fifo = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
    if (!fifo)
        note("reader: SCHED_FIFO: %s", std::strerror(errno));
    char c = 1;
    if (write(ready_fd, &c, 1) != 1)
        die("reader: ready: %s", std::strerror(errno));
    if (read(go_fd, &c, 1) < 0)
        die("reader: go: %s", std::strerror(errno));

    const size_t npages = size / size_t(g_page);
    const size_t words_per_page = size_t(g_page) / 8;
    auto *base = static_cast<volatile uint64_t *>(o.addr);
    uint64_t sink = 0;
    size_t cursor = 0, missed = 0, fault_periods = 0;
    Faults fstart = faults_now(RUSAGE_THREAD), fprev = fstart;
    timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    uint64_t next_ns = uint64_t(next.tv_sec) * 1000000000ull + uint64_t(next.tv_nsec) + 10 * period;
    // periods: slots of 1 ms from the start; a slot that has already gone
    // when the previous one ends is skipped and counted as missed.
    const uint64_t start_ns = next_ns;
    size_t k = 0;
    for (size_t slot = 0; slot < periods;) {
        next_ns = start_ns + slot * uint64_t(period);
        next.tv_sec = time_t(next_ns / 1000000000ull);
        next.tv_nsec = long(next_ns % 1000000000ull);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) {
        }
        uint64_t tw = now_ns();
        for (int i = 0; i < touch_pages; ++i) {
            sink += base[cursor * words_per_page];
            if (++cursor == npages)
                cursor = 0;
        }
        uint64_t td = now_ns();
        wake[k] = double(tw - next_ns);
        loop[k] = double(td - next_ns);
        Faults f = faults_now(RUSAGE_THREAD);
        if (f.majflt != fprev.majflt) {
            fault[k] = 1;
            ++fault_periods;
        }
        fprev = f;
        ++k;
        uint64_t t = now_ns();
        size_t after = size_t((t - start_ns) / uint64_t(period)) + 1; // first slot still ahead
        if (after > slot + 1) {
            missed += std::min(after, periods) - (slot + 1);
            slot = after;
        } else {
            slot = slot + 1;
        }
    }
    wake.resize(k);
    loop.resize(k);
    fault.resize(k);
    Faults fend = faults_now(RUSAGE_THREAD);
    sp.sched_priority = 0;
    sched_setscheduler(0, SCHED_OTHER, &sp);
    v.destroy(name, o);

    Stats ws, ls, lf;
    ws.v = wake;
    ls.v = loop;
    for (size_t i = 0; i < k; ++i)
        if (fault[i])
            lf.add(loop[i]);
    // Histogram of the loop latency: 20 log bins per decade from 1 us.
    std::vector<long> hist(200, 0);
    for (double x : loop) {
        double us = std::max(x / 1e3, 1.0);
        size_t b = std::min<size_t>(size_t(20 * std::log10(us)), hist.size() - 1);
        ++hist[b];
    }
    std::string h = "[";
    bool first = true;
    for (size_t b = 0; b < hist.size(); ++b)
        if (hist[b]) {
            appendf(h, "%s[%.4g,%ld]", first ? "" : ",", std::pow(10.0, double(b) / 20), hist[b]);
            first = false;
        }
    h += "]";
    Json j("pressure", v.id);
    j.str("mode", mode);
    j.num("seconds", seconds);
    j.num("touch_pages", touch_pages);
    j.num("periods", double(periods));
    j.num("samples", double(k));
    j.num("missed", double(missed));
    j.num("majflt", double(fend.majflt - fstart.majflt));
    j.num("minflt", double(fend.minflt - fstart.minflt));
    j.num("periods_with_majflt", double(fault_periods));
    j.num("sched_fifo", fifo);
    j.num("mlockall", locked);
    j.raw("wake", ws.json());
    j.raw("loop", ls.json());
    j.raw("loop_faulting", lf.json());
    j.raw("hist", h);
    j.num("sink", double(sink & 1));
    j.emit();
    note("fig6 %c %-8s majflt=%ld loop p99.9 %.0f us max %.0f us missed %zu", v.id, mode,
         fend.majflt - fstart.majflt, ls.q(0.999) / 1e3, ls.q(1) / 1e3, missed);
}

// ------------------------------------------------------------------ driver

std::string g_self;

// Run "child <variant> <args...>" in a new process with the backend's environment.
int spawn_child(char v, const std::vector<std::string> &args, bool wait = true,
                pid_t *out = nullptr, int keep_fd1 = -1, int keep_fd2 = -1) {
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", std::strerror(errno));
    if (pid == 0) {
        if (v == 'd')
            setenv("RTSHM_BACKEND", "kernel", 1);
        else if (v == 'e')
            setenv("RTSHM_BACKEND", "posix", 1);
        else
            unsetenv("RTSHM_BACKEND");
        (void)keep_fd1;
        (void)keep_fd2;
        std::vector<std::string> all = {g_self,  "child",   std::string(1, v ? v : '-'), "--label",
                                        g_label, "--scale", std::to_string(g_scale)};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char *> argv;
        for (auto &s : all)
            argv.push_back(s.data());
        argv.push_back(nullptr);
        execv("/proc/self/exe", argv.data());
        std::fprintf(stderr, "rtshm-bench: exec: %s\n", std::strerror(errno));
        _exit(127);
    }
    if (out)
        *out = pid;
    if (!wait)
        return 0;
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st)) {
        note("child %c %s: killed by signal %d", v, args.empty() ? "" : args[0].c_str(),
             WTERMSIG(st));
        return 128 + WTERMSIG(st);
    }
    return WEXITSTATUS(st);
}

void meta(const char *kind) {
    utsname u{};
    uname(&u);
    char cpu[256] = "unknown";
    if (FILE *f = std::fopen("/proc/cpuinfo", "r")) {
        char line[512];
        while (std::fgets(line, sizeof line, f))
            if (!std::strncmp(line, "model name", 10)) {
                const char *c = std::strchr(line, ':');
                if (c) {
                    std::snprintf(cpu, sizeof cpu, "%s", c + 2);
                    cpu[std::strcspn(cpu, "\n")] = 0;
                }
                break;
            }
        std::fclose(f);
    }
    Meminfo m = meminfo();
    Json j("meta", 0);
    j.str("kind", kind);
    j.str("kernel", u.release);
    j.str("kernel_version", u.version);
    j.str("machine", u.machine);
    j.str("hostname", u.nodename);
    j.str("cpu", cpu);
    j.num("ncpu", double(sysconf(_SC_NPROCESSORS_ONLN)));
    j.num("mem_mb", double(m.total_kb) / 1024);
    j.num("swap_mb", double(m.swap_total_kb) / 1024);
    j.num("page_size", double(g_page));
#ifdef RTSHM_BENCH_HAVE_LIB
    j.num("have_lib", 1);
#else
    j.num("have_lib", 0);
#endif
    j.emit();
}

struct Opts {
    std::string variants;
    std::string figures = "12345";
    double seconds = 10, idle_seconds = 3;
    int touch_pages = 64;
    int rounds = 1; // figure 5
    long hog_extra_mb = 256;
    std::vector<std::string> rest;
};

Opts parse(int argc, char **argv, int from) {
    Opts o;
    for (int i = from; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc)
                die("%s needs a value", a.c_str());
            return argv[++i];
        };
        if (a == "--variants")
            o.variants = val();
        else if (a == "--figures")
            o.figures = val();
        else if (a == "--label")
            g_label = val();
        else if (a == "--scale")
            g_scale = std::atof(val().c_str());
        else if (a == "--seconds")
            o.seconds = std::atof(val().c_str());
        else if (a == "--idle-seconds")
            o.idle_seconds = std::atof(val().c_str());
        else if (a == "--touch-pages")
            o.touch_pages = std::atoi(val().c_str());
        else if (a == "--rounds")
            o.rounds = std::max(1, std::atoi(val().c_str()));
        else if (a == "--hog-extra-mb")
            o.hog_extra_mb = std::atol(val().c_str());
        else
            o.rest.push_back(a);
    }
    return o;
}

bool have_variant(char v) {
    std::unique_ptr<Variant> p(make_variant(v));
    return p != nullptr;
}

int cmd_suite(Opts &o) {
    if (o.variants.empty())
        o.variants = "abcde";
    meta("suite");
    int rc = 0;
    if (o.figures.find('1') != std::string::npos)
        rc |= spawn_child(0, {"floor"});
    for (char v : o.variants) {
        if (!have_variant(v)) {
            error_line("variant", v, "not built (no librtshm)");
            continue;
        }
        for (char f : o.figures) {
            if (f == '1' && v == 'd') {
                note("variant d: breakdown");
                rc |= spawn_child(v, {"breakdown"}) != 0;
            }
            const char *what = f == '1'   ? "create"
                               : f == '2' ? "open"
                               : f == '3' ? nullptr
                               : f == '4' ? "scale"
                                          : nullptr;
            if (!what) // figure 3 comes with figures 1 and 2; figure 5 below
                continue;
            note("variant %c: %s", v, what);
            int r = spawn_child(v, {what});
            if (r != 0)
                note("variant %c %s: exit status %d", v, what, r);
            rc |= r != 0;
        }
    }
    // Figure 5 in rounds, the variants taking turns (in reverse order every
    // other round), so that a slow spell of the machine falls on all of them
    // and each round's ratios compare like with like.
    if (o.figures.find('5') != std::string::npos) {
        std::string order;
        for (char v : o.variants)
            if (have_variant(v))
                order += v;
        for (int round = 0; round < o.rounds; ++round) {
            for (std::size_t k = 0; k < order.size(); ++k) {
                char v = order[round % 2 == 0 ? k : order.size() - 1 - k];
                note("variant %c: concurrency, round %d of %d", v, round + 1, o.rounds);
                int r = spawn_child(v, {"concurrency", std::to_string(round)});
                if (r != 0)
                    note("variant %c concurrency: exit status %d", v, r);
                rc |= r != 0;
            }
        }
    }
    return rc ? 1 : 0;
}

int cmd_pressure(Opts &o) {
    if (o.variants.empty())
        o.variants = "bad";
    meta("pressure");
    Meminfo m0 = meminfo();
    if (m0.swap_total_kb == 0)
        note("no swap is active: the pressure run cannot swap (set up zram first)");
    int rc = 0;
    for (const char *mode : {"idle", "pressure"}) {
        bool pressure = !std::strcmp(mode, "pressure");
        double secs = pressure ? o.seconds : o.idle_seconds;
        if (secs <= 0)
            continue;
        for (char v : o.variants) {
            if (!have_variant(v)) {
                error_line("pressure", v, "not built (no librtshm)");
                continue;
            }
            int ready[2], go[2];
            if (pipe(ready) || pipe(go))
                die("pipe: %s", std::strerror(errno));
            pid_t reader = 0, hog = 0;
            spawn_child(v,
                        {"reader", std::to_string(secs), std::to_string(o.touch_pages),
                         std::to_string(ready[1]), std::to_string(go[0]), mode},
                        false, &reader);
            ::close(ready[1]);
            ::close(go[0]);
            char c;
            if (read(ready[0], &c, 1) != 1) {
                error_line("pressure", v, "reader failed to set up");
                waitpid(reader, nullptr, 0);
                ::close(ready[0]);
                ::close(go[1]);
                rc = 1;
                continue;
            }
            Meminfo m1 = meminfo();
            long hog_mb = 0;
            double fill_s = 0;
            if (pressure) {
                hog_mb = m1.avail_kb / 1024 + o.hog_extra_mb;
                spawn_child(0, {"hog", std::to_string(hog_mb)}, false, &hog);
                uint64_t t0 = now_ns();
                // Wait until the guest swaps: half the overcommit in swap, or 120 s.
                while (now_ns() - t0 < 120000000000ull) {
                    Meminfo m = meminfo();
                    if ((m.swap_total_kb - m.swap_free_kb) / 1024 >= o.hog_extra_mb / 2)
                        break;
                    usleep(200000);
                }
                fill_s = double(now_ns() - t0) / 1e9;
            }
            Meminfo m2 = meminfo();
            long in0 = vmstat("pswpin"), out0 = vmstat("pswpout");
            c = 1;
            if (write(go[1], &c, 1) != 1)
                note("go: %s", std::strerror(errno));
            int st = 0;
            waitpid(reader, &st, 0);
            long in1 = vmstat("pswpin"), out1 = vmstat("pswpout");
            Meminfo m3 = meminfo();
            if (hog) {
                kill(hog, SIGKILL);
                waitpid(hog, nullptr, 0);
            }
            ::close(ready[0]);
            ::close(go[1]);
            Json j("pressure_env", v);
            j.str("mode", mode);
            j.num("hog_mb", double(hog_mb));
            j.num("fill_seconds", fill_s);
            j.num("swap_used_start_mb", double(m2.swap_total_kb - m2.swap_free_kb) / 1024);
            j.num("swap_used_end_mb", double(m3.swap_total_kb - m3.swap_free_kb) / 1024);
            j.num("pswpin", double(in1 - in0));
            j.num("pswpout", double(out1 - out0));
            j.num("reader_status", double(st));
            j.emit();
            note("fig6 %c %s: swap used %.0f -> %.0f MiB, %ld pages in, %ld out", v, mode,
                 double(m2.swap_total_kb - m2.swap_free_kb) / 1024,
                 double(m3.swap_total_kb - m3.swap_free_kb) / 1024, in1 - in0, out1 - out0);
            if (st != 0)
                rc = 1;
            sleep(1);
        }
    }
    return rc;
}

int cmd_child(int argc, char **argv) {
    if (argc < 4)
        die("child: missing arguments");
    char v = argv[2][0];
    Opts o = parse(argc, argv, 3);
    if (o.rest.empty())
        die("child: no task");
    const std::string &task = o.rest[0];
    if (task == "floor") {
        fig_floor();
        return 0;
    }
    if (task == "hog") {
        run_hog(o.rest.size() > 1 ? std::atol(o.rest[1].c_str()) : 256);
    }
    std::unique_ptr<Variant> var(make_variant(v));
    if (!var)
        die("variant %c is not built", v);
    check_backend(v);
    unsigned tag = unsigned(getpid());
    if (task == "create")
        fig_create(*var, tag);
    else if (task == "open")
        fig_open(*var, tag);
    else if (task == "scale")
        fig_scale(*var, tag);
    else if (task == "breakdown")
        fig_breakdown(tag);
    else if (task == "concurrency")
        fig_concurrency(*var, tag, o.rest.size() > 1 ? std::atoi(o.rest[1].c_str()) : 0);
    else if (task == "reader") {
        if (o.rest.size() < 6)
            die("reader: missing arguments");
        run_reader(*var, std::atof(o.rest[1].c_str()), std::atoi(o.rest[2].c_str()),
                   std::atoi(o.rest[3].c_str()), std::atoi(o.rest[4].c_str()), o.rest[5].c_str());
    } else
        die("unknown task %s", task.c_str());
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    g_page = sysconf(_SC_PAGESIZE);
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    g_self = n > 0 ? std::string(buf, size_t(n)) : argv[0];
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: rtshm-bench suite|pressure [options] (see the source header)\n");
        return 2;
    }
    std::string cmd = argv[1];
    if (cmd == "child")
        return cmd_child(argc, argv);
    Opts o = parse(argc, argv, 2);
    if (!o.rest.empty())
        die("unknown argument '%s'", o.rest[0].c_str());
    if (cmd == "suite")
        return cmd_suite(o);
    if (cmd == "pressure")
        return cmd_pressure(o);
    die("unknown command '%s'", cmd.c_str());
}
