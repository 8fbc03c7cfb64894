// SPDX-License-Identifier: MIT
// rtshm_fuzz: seeded random-ioctl fuzzer for /dev/rtshm and its handles.
//
//   rtshm_fuzz [--seed N] [--count N] [--seconds N] [--verbose]
//
// --seconds stops after N seconds (or --count calls, if also given).
//
// Each call picks a target (the device or a live handle), a command (the
// four real ones, real ones with wrong size/direction bits, random ones in
// and outside the rtshm magic), and an argument: NULL, kernel addresses,
// unmapped or misaligned pointers, buffers cut short by the end of a
// mapping, or a structure filled with valid-looking or random fields,
// random lengths and random names. Every descriptor a call returns is
// closed again; handles are sometimes mmapped with random lengths, offsets,
// protections and flags. At the end every handle is closed and the module's
// object and pinned-memory counters must be back at their start values, and
// no descriptor may have appeared that no successful call returned.
//
// Prints the seed (to replay a run) and the number of calls. Exit status 0
// on success, 1 on a detected problem, 2 on bad usage. Skips (exit 0) when
// /dev/rtshm is absent.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <uapi/rtshm.h>

namespace {

uint64_t rng_state;
uint64_t rnd() {
    // xorshift64*
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}
uint64_t below(uint64_t n) {
    return n ? rnd() % n : 0;
}
bool chance(unsigned pct) {
    return below(100) < pct;
}

long long read_num(const char *path) {
    std::ifstream f(path);
    long long v = -1;
    if (!(f >> v))
        return -1;
    return v;
}

const size_t kPage = 4096;
uint8_t *g_region; // kRegionPages mapped pages followed by an unmapped one
const size_t kRegionPages = 4;
uint8_t *g_end;          // first unmapped byte
std::set<int> g_handles; // descriptors returned by successful calls
std::set<int> g_known;   // descriptors that existed before the run
int g_dev;
std::vector<std::pair<void *, size_t>> g_maps;

const char *const kPool[] = {"fz-a",  "fz-b", "fz-A",        "fz/x",
                             "fz\\y", "fz c", "fz-\xc3\xa9", "fz-d"};

// Fill a name: from the small pool (so re-creates and opens hit), random
// bytes (maybe with NUL), or long.
uint32_t make_name(uint8_t *buf, size_t room) {
    uint32_t len;
    switch (below(4)) {
    case 0:
    case 1: {
        const char *s = kPool[below(sizeof(kPool) / sizeof(kPool[0]))];
        len = (uint32_t)strlen(s);
        if (len > room)
            len = (uint32_t)room;
        memcpy(buf, s, len);
        break;
    }
    case 2:
        len = (uint32_t)below(40) + 1;
        if (len > room)
            len = (uint32_t)room;
        for (uint32_t i = 0; i < len; i++)
            buf[i] = (uint8_t)(chance(3) ? 0 : below(256));
        break;
    default:
        len = (uint32_t)(RTSHM_NAME_MAX - 2 + below(5));
        if (len > room)
            len = (uint32_t)room;
        memset(buf, 'L', len);
        break;
    }
    return len;
}

uint64_t rand_size() {
    switch (below(8)) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return kPage;
    case 3:
        return below(64 * 1024) + 1;
    case 4:
        return below(2 << 20) + 1;
    case 5:
        return (uint64_t)1 << (40 + below(24));
    case 6:
        return ~0ULL - below(2 * kPage);
    default:
        return rnd() | (1ULL << 40);
    }
}

uint32_t rand_u32_field(uint32_t valid_mask) {
    switch (below(4)) {
    case 0:
        return 0;
    case 1:
        return (uint32_t)below(valid_mask + 1) & valid_mask;
    case 2:
        return 1u << below(32);
    default:
        return (uint32_t)rnd();
    }
}

// A pointer the kernel must refuse or handle with care.
uintptr_t bad_pointer(size_t want) {
    switch (below(8)) {
    case 0:
        return 0;
    case 1:
        return 1 + below(4095);
    case 2:
        return 0xffffffff81000000ULL + below(1 << 20);
    case 3:
        return 0xffff888000000000ULL + below(1 << 30);
    case 4:
        return (uintptr_t)g_end + below(kPage); // unmapped
    case 5:
        return (uintptr_t)g_end - (want > 1 ? below(want - 1) + 1 : 1); // runs off the end
    case 6:
        return 0x00007ffffffff000ULL + below(4096); // top of user space
    default:
        return (uintptr_t)rnd();
    }
}

// A buffer of `size` bytes for a structure: inside the region, maybe
// misaligned, or ending exactly at the end of the mapping.
uint8_t *good_buffer(size_t size) {
    size_t room = kRegionPages * kPage;
    if (size > room)
        size = room;
    if (chance(30))
        return g_end - size;
    size_t off = below(room - size + 1);
    return g_region + off;
}

void fill_create(rtshm_create *c, uint8_t *namebuf, size_t namebuf_room) {
    memset(c, 0, sizeof(*c));
    if (chance(85)) {
        c->name_len = make_name(namebuf, namebuf_room);
        c->name = (uintptr_t)namebuf;
        if (chance(10))
            c->name = bad_pointer(c->name_len);
        if (chance(5))
            c->name_len = (uint32_t)rnd();
    } else if (chance(80)) {
        c->name = 0; // unnamed
    } else {
        c->name = (uintptr_t)namebuf;
        c->name_len = 0;
    }
    c->flags = chance(80) ? (uint32_t)below(8) : rand_u32_field(RTSHM_CREATE_FLAGS_ALL);
    c->size = chance(70) ? below(3 * kPage) + 1 : rand_size();
    c->type = chance(90) ? RTSHM_TYPE_SHM : (uint32_t)rnd();
    c->mode = chance(50) ? 0 : chance(80) ? (uint32_t)below(01000) : (uint32_t)rnd();
    if (chance(5))
        c->reserved[below(4)] = rnd();
    c->result = (uint32_t)rnd();
    c->fd = (int32_t)rnd();
}

void fill_open(rtshm_open *o, uint8_t *namebuf, size_t namebuf_room) {
    memset(o, 0, sizeof(*o));
    o->name_len = make_name(namebuf, namebuf_room);
    o->name = (uintptr_t)namebuf;
    if (chance(10))
        o->name = bad_pointer(o->name_len);
    if (chance(5))
        o->name_len = (uint32_t)rnd();
    o->flags = chance(85) ? (uint32_t)below(2) : (uint32_t)rnd();
    o->type = chance(90) ? RTSHM_TYPE_SHM : (uint32_t)rnd();
    if (chance(5))
        o->reserved[below(4)] = rnd();
    o->fd = (int32_t)rnd();
}

void adopt(int fd, const char *how) {
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fprintf(stderr, "fuzz: %s returned fd %d that is not open\n", how, fd);
        return;
    }
    g_handles.insert(fd);
}

void drop_handle(int fd) {
    g_handles.erase(fd);
    close(fd);
}

// All descriptors open now that no successful call returned.
std::vector<int> strays() {
    std::vector<int> out;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return out;
    int self = dirfd(d);
    while (dirent *e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        int fd = atoi(e->d_name);
        if (fd == self || g_known.count(fd) || g_handles.count(fd) || fd == g_dev)
            continue;
        out.push_back(fd);
    }
    closedir(d);
    return out;
}

} // namespace

int main(int argc, char **argv) {
    uint64_t seed =
        (uint64_t)std::chrono::steady_clock::now().time_since_epoch().count() ^ (uint64_t)getpid();
    unsigned long long count = 200000;
    double seconds = 0;
    bool count_given = false, verbose = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], nullptr, 0);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc)
            count = strtoull(argv[++i], nullptr, 0), count_given = true;
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = strtod(argv[++i], nullptr);
        else if (!strcmp(argv[i], "--verbose"))
            verbose = true;
        else {
            fprintf(stderr, "usage: %s [--seed N] [--count N] [--seconds N] [--verbose]\n",
                    argv[0]);
            return 2;
        }
    }
    if (access(RTSHM_DEVICE_PATH, F_OK) != 0) {
        printf("fuzz: %s absent, skipped\n", RTSHM_DEVICE_PATH);
        return 0;
    }
    if (seconds > 0 && !count_given)
        count = ~0ULL;
    rng_state = seed ? seed : 1;
    printf("fuzz: seed %llu count %llu\n", (unsigned long long)seed, count);
    fflush(stdout);

    const char *objs = "/sys/class/misc/rtshm/objects",
               *pins = "/sys/class/misc/rtshm/pinned_bytes";
    long long objects0 = read_num(objs), pinned0 = read_num(pins);

    // The region is followed by a PROT_NONE guard that stays reserved for the
    // whole run (an unmapped hole could be filled by a later mmap, and then
    // the kernel would rightly write through it into whatever follows).
    const size_t guard_pages = 64;
    void *r = mmap(nullptr, (kRegionPages + guard_pages) * kPage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    g_region = static_cast<uint8_t *>(r);
    g_end = g_region + kRegionPages * kPage;
    if (mprotect(g_end, guard_pages * kPage, PROT_NONE) != 0) {
        perror("mprotect");
        return 1;
    }

    {
        DIR *d = opendir("/proc/self/fd");
        while (dirent *e = d ? readdir(d) : nullptr)
            if (e->d_name[0] != '.')
                g_known.insert(atoi(e->d_name));
        if (d)
            closedir(d);
    }
    g_dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (g_dev < 0) {
        perror(RTSHM_DEVICE_PATH);
        return 1;
    }
    int dev_ro = open(RTSHM_DEVICE_PATH, O_RDONLY | O_CLOEXEC);
    if (dev_ro >= 0)
        g_known.insert(dev_ro);

    std::map<int, unsigned long long> by_errno;
    unsigned long long calls = 0, successes = 0, mmaps = 0, namespaces = 0;
    int problems = 0;
    auto t0 = std::chrono::steady_clock::now();

    const unsigned long real_cmds[] = {RTSHM_IOC_CREATE, RTSHM_IOC_OPEN, RTSHM_IOC_QUERY,
                                       RTSHM_IOC_LIST};
    const size_t real_sizes[] = {sizeof(rtshm_create), sizeof(rtshm_open), sizeof(rtshm_stat),
                                 sizeof(rtshm_list)};

    unsigned long long i = 0; // iterations done: --count to replay a timed run
    for (; i < count; i++) {
        if (seconds > 0 && !(i & 1023) &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >= seconds)
            break;
        // Target.
        int target = g_dev;
        if (!g_handles.empty() && chance(35)) {
            auto it = g_handles.begin();
            std::advance(it, below(g_handles.size()));
            target = *it;
        } else if (dev_ro >= 0 && chance(5)) {
            target = dev_ro;
        }

        // Command.
        unsigned which = (unsigned)below(4);
        unsigned long cmd;
        switch (below(10)) {
        case 0:
            cmd = _IOC(below(4), RTSHM_IOC_MAGIC, below(16), below(1 << 14));
            break;
        case 1:
            cmd = (unsigned long)(uint32_t)rnd();
            break;
        case 2: // right number, wrong size or direction
            cmd = _IOC(below(4), RTSHM_IOC_MAGIC, which + 1,
                       real_sizes[which] + (chance(50) ? 8 : -8));
            break;
        default:
            cmd = real_cmds[which];
            break;
        }

        // Argument.
        uintptr_t arg;
        uint8_t *namebuf = g_region + 2 * kPage; // names live in the upper half
        size_t nameroom = 2 * kPage;
        if (chance(60))
            namebuf = g_end - (below(RTSHM_NAME_MAX) + 1); // names cut by the end
        nameroom = (size_t)(g_end - namebuf);
        if (chance(15)) {
            arg = bad_pointer(real_sizes[which]);
        } else {
            size_t sz = real_sizes[which];
            uint8_t *buf =
                chance(80) ? g_region + below(2 * kPage - sizeof(rtshm_stat)) : good_buffer(sz);
            if (buf + sz > g_end)
                buf = g_end - sz;
            switch (which) {
            case 0: {
                rtshm_create c;
                fill_create(&c, namebuf, nameroom);
                if (chance(3))
                    for (auto &b : *reinterpret_cast<uint8_t(*)[sizeof c]>(&c))
                        b = (uint8_t)rnd();
                memcpy(buf, &c, sizeof c);
                break;
            }
            case 1: {
                rtshm_open o;
                fill_open(&o, namebuf, nameroom);
                memcpy(buf, &o, sizeof o);
                break;
            }
            case 2:
                memset(buf, 0xA5, sz);
                break;
            default: {
                rtshm_list l{};
                l.max_entries = chance(50) ? (uint32_t)below(4) : (uint32_t)rnd();
                // entries: room for 0..3 stats at the end of the region, or bad
                l.entries = chance(80)
                                ? (uintptr_t)(g_end - below(4) * sizeof(rtshm_stat) - below(64))
                                : bad_pointer(sizeof(rtshm_stat));
                l.start_id = chance(50) ? 0 : below(1000);
                if (chance(5))
                    l.reserved[below(2)] = rnd();
                memcpy(buf, &l, sizeof l);
                break;
            }
            }
            arg = (uintptr_t)buf;
        }

        errno = 0;
        int ret = ioctl(target, cmd, arg);
        int err = ret < 0 ? errno : 0;
        calls++;
        by_errno[err]++;
        if (verbose)
            printf("%llu: fd %d cmd %#lx arg %#lx -> %d %s\n", i, target, cmd, (unsigned long)arg,
                   ret, err ? strerror(err) : ""),
                fflush(stdout);
        if (ret >= 0) {
            successes++;
            if (target != g_dev && target != dev_ro && cmd != RTSHM_IOC_QUERY) {
                fprintf(stderr, "fuzz: call %llu: cmd %#lx succeeded on a handle\n", i, cmd);
                problems++;
            }
            if (cmd == RTSHM_IOC_CREATE) {
                adopt(reinterpret_cast<rtshm_create *>(arg)->fd, "CREATE");
            } else if (cmd == RTSHM_IOC_OPEN) {
                adopt(reinterpret_cast<rtshm_open *>(arg)->fd, "OPEN");
            } else if (cmd != RTSHM_IOC_QUERY && cmd != RTSHM_IOC_LIST) {
                fprintf(stderr, "fuzz: call %llu: unknown cmd %#lx succeeded (%d)\n", i, cmd, ret);
                problems++;
            }
            if (ret > 0 && (cmd == RTSHM_IOC_CREATE || cmd == RTSHM_IOC_OPEN) &&
                !g_handles.count(ret))
                adopt(ret, "ioctl return value");
        }

        // Now and then move to a new IPC namespace (as root): later creates
        // and opens go to its own name table, while the handles already
        // held keep working and keep the old tables alive (S34).
        if (geteuid() == 0 && below(20000) == 0) {
            int r = unshare(CLONE_NEWIPC);
            namespaces += r == 0;
            if (verbose)
                printf("%llu: unshare(CLONE_NEWIPC) -> %d\n", i, r), fflush(stdout);
        }

        // Sometimes map a handle with random parameters, touch, unmap.
        if (!g_handles.empty() && chance(3)) {
            auto it = g_handles.begin();
            std::advance(it, below(g_handles.size()));
            size_t len = chance(70) ? kPage * (below(4) + 1) : (size_t)rand_size();
            off_t off =
                chance(80) ? 0 : (off_t)(kPage * below(4) + (chance(10) ? below(kPage) : 0));
            int prot = (int)below(8) & (PROT_READ | PROT_WRITE | PROT_EXEC);
            int flags = chance(80)   ? MAP_SHARED
                        : chance(50) ? MAP_PRIVATE
                                     : MAP_SHARED | MAP_FIXED_NOREPLACE;
            // MAP_FIXED_NOREPLACE onto the guard must fail; never map page 0.
            void *hint = chance(10) ? g_end : nullptr;
            if ((flags & MAP_FIXED_NOREPLACE) && !hint)
                hint = g_end;
            void *p = mmap(hint, len, prot, flags, *it, off);
            mmaps++;
            if (verbose)
                printf("mmap fd %d len %#zx off %#lx prot %d flags %#x -> %p\n", *it, len,
                       (long)off, prot, flags, p);
            if (p != MAP_FAILED) {
                rtshm_stat st;
                if (ioctl(*it, RTSHM_IOC_QUERY, &st) == 0 &&
                    (uint64_t)off + ((len + kPage - 1) & ~(kPage - 1)) >
                        ((st.map_size + kPage - 1) & ~(kPage - 1))) {
                    fprintf(stderr,
                            "fuzz: mmap of %#zx bytes at offset %#lx succeeded on a handle with "
                            "map_size %#llx\n",
                            len, (long)off, (unsigned long long)st.map_size);
                    problems++;
                    munmap(p, len);
                    continue;
                }
                if (flags & MAP_PRIVATE) {
                    fprintf(stderr, "fuzz: MAP_PRIVATE mapping of a handle succeeded\n");
                    problems++;
                }
                if ((prot & PROT_WRITE) && len <= (8u << 20))
                    static_cast<volatile uint8_t *>(p)[len - 1] = 1;
                else if ((prot & PROT_READ) && len <= (8u << 20))
                    (void)static_cast<volatile uint8_t *>(p)[len - 1];
                if (chance(30) && g_maps.size() < 8)
                    g_maps.push_back({p, len});
                else
                    munmap(p, len);
            }
        }
        if (!g_maps.empty() && chance(2)) {
            munmap(g_maps.back().first, g_maps.back().second);
            g_maps.pop_back();
        }
        // Keep the number of live handles bounded.
        while (g_handles.size() > 16 || (!g_handles.empty() && chance(4))) {
            auto it = g_handles.begin();
            std::advance(it, below(g_handles.size()));
            drop_handle(*it);
        }
        if ((i & 0x3fff) == 0x3fff) {
            auto s = strays();
            for (int fd : s) {
                fprintf(stderr, "fuzz: descriptor %d appeared without a successful call (leak)\n",
                        fd);
                problems++;
                close(fd);
            }
        }
    }
    for (auto &m : g_maps)
        munmap(m.first, m.second);
    g_maps.clear();
    while (!g_handles.empty())
        drop_handle(*g_handles.begin());
    for (int fd : strays()) {
        fprintf(stderr, "fuzz: descriptor %d appeared without a successful call (leak)\n", fd);
        problems++;
        close(fd);
    }
    close(g_dev);
    if (dev_ro >= 0)
        close(dev_ro);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    long long objects1 = -1, pinned1 = -1;
    for (int t = 0; t < 300; t++) {
        objects1 = read_num(objs);
        pinned1 = read_num(pins);
        if (objects1 == objects0 && pinned1 == pinned0)
            break;
        usleep(10000);
    }
    if (objects1 != objects0 || pinned1 != pinned0) {
        fprintf(stderr,
                "fuzz: counters not back: objects %lld -> %lld, pinned_bytes %lld -> %lld\n",
                objects0, objects1, pinned0, pinned1);
        problems++;
    }
    printf("fuzz: seed %llu: %llu calls (%llu succeeded), %llu mmaps, %llu IPC namespaces entered "
           "in %.1f s (%.0f calls/s)\n",
           (unsigned long long)seed, calls, successes, mmaps, namespaces, secs,
           calls / (secs > 0 ? secs : 1));
    printf("fuzz: results:");
    for (auto &[e, n] : by_errno)
        printf(" %s=%llu", e ? strerrorname_np(e) : "ok", n);
    printf("\n");
    if (problems) {
        printf("fuzz: FAILED with %d problem(s); replay with --seed %llu --count %llu\n", problems,
               (unsigned long long)seed, i);
        return 1;
    }
    printf("fuzz: OK\n");
    return 0;
}
