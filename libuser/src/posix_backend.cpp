// SPDX-License-Identifier: MIT
// posix_backend.cpp: the POSIX fallback backend (no kernel module).
//
// Objects are files in directory() (default /dev/shm/rtshm, mode 01777).
// - Names never become paths: file = hash of the name + probe index, and the
//   header stores the full name, compared on lookup (S14).
// - A directory-wide flock on <dir>/.lock serialises every create/open/close
//   decision across processes, so racing creates have one creator (S30) and
//   nothing half-built is ever seen.
// - Lifetime (S23, S24): every handle has its own open file description with
//   an OFD read lock on byte 0, which the kernel drops when the process dies,
//   even by SIGKILL. Close asks (F_OFD_GETLK) whether any other description
//   holds it and unlinks the file if none does. A file whose holders all
//   died is reclaimed when a lookup meets it (so its name is free again at
//   once), and the whole directory is swept by list and before a new object
//   is made (at most once a second per process); create/open/close stay
//   O(1) in the number of live objects.
// - fork (S20): each handle's file is re-opened (through /proc/self/fd) and
//   locked around fork(), and the child keeps that description, so it holds
//   its own reference (see atfork_prepare).
// - Shrink (S7): the file is never truncated; the header's logical size
//   shrinks, earlier mappings stay valid over their whole length.
// - Permissions (S32): the file's mode is the object's mode.
// - Memory (S25, S26): fallocate (zero-filled pages, ENOSPC up front),
//   MAP_POPULATE and mlock; if mlock is refused the view still works,
//   locked() is false and a one-time diagnostic says why.
#include "backend.hpp"
#include "diag.hpp"
#include "errno_map.hpp"
#include "posix_format.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/sysmacros.h>
#include <unordered_map>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace rtshm::detail {

namespace posix {

const std::string &directory() {
    static const std::string *dir = [] {
        const char *d = std::getenv("RTSHM_POSIX_DIR");
        return new std::string(d != nullptr && *d != '\0' ? d : "/dev/shm/rtshm");
    }();
    return *dir;
}

std::string object_file_name(std::string_view name, unsigned probe) {
    __extension__ using u128 = unsigned __int128;
    u128 h = (static_cast<u128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
    const u128 prime = (static_cast<u128>(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
    for (unsigned char c : name) {
        h ^= c;
        h *= prime;
    }
    static const char hex[] = "0123456789abcdef";
    std::string out(34, '.');
    for (int i = 31; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = hex[static_cast<unsigned>(h & 0xf)];
        h >>= 4;
    }
    out[33] = static_cast<char>('0' + probe % 10);
    return out;
}

bool is_object_file_name(std::string_view f) {
    if (f.size() != 34 || f[32] != '.' || f[33] < '0' || f[33] > '9')
        return false;
    return std::all_of(f.begin(), f.begin() + 32,
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace posix

namespace {

using posix::FileHeader;

// mlock(2) itself: sanitizer runtimes replace mlock() with a no-op that
// claims success, which would hide exactly what S25 must report.
int lock_pages(void *p, std::size_t n) {
    return static_cast<int>(::syscall(SYS_mlock, p, n));
}

int retry_open(const char *path, int flags, mode_t mode = 0) {
    int fd;
    do
        fd = ::open(path, flags, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

bool ofd_read_lock(int fd) {
    struct flock l {};
    l.l_type = F_RDLCK;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = 1;
    return ::fcntl(fd, F_OFD_SETLK, &l) == 0;
}

// Whether an open file description other than fd's holds the object.
bool others_hold(int fd) {
    struct flock l {};
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = 1;
    if (::fcntl(fd, F_OFD_GETLK, &l) != 0)
        return true; // unsure: keep the object
    return l.l_type != F_UNLCK;
}

// Holds the directory-wide lock while alive.
class DirLock {
public:
    explicit DirLock(const std::string &dir) {
        std::string p = dir + "/.lock";
        fd_ = retry_open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd_ < 0 && errno == EACCES)
            fd_ = retry_open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd_ < 0) {
            err_ = errno;
            return;
        }
        struct stat st {};
        if (::fstat(fd_, &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 07777) != 0666)
            ::fchmod(fd_, 0666);
        while (::flock(fd_, LOCK_EX) != 0) {
            if (errno != EINTR) {
                err_ = errno;
                ::close(fd_);
                fd_ = -1;
                return;
            }
        }
    }
    ~DirLock() {
        if (fd_ >= 0)
            ::close(fd_); // releases the flock
    }
    DirLock(const DirLock &) = delete;
    DirLock &operator=(const DirLock &) = delete;
    bool ok() const { return fd_ >= 0; }
    int error() const { return err_; }

private:
    int fd_ = -1;
    int err_ = 0;
};

int ensure_dir(const std::string &dir) {
    if (::mkdir(dir.c_str(), 01777) == 0)
        ::chmod(dir.c_str(), 01777); // beat the umask: every user shares it
    else if (errno != EEXIST)
        return errno;
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        return errno;
    if (!S_ISDIR(st.st_mode))
        return ENOTDIR;
    return 0;
}

// Unlinks the object files no process holds any more (holders died). Caller
// holds the directory lock, so no file is half-built.
void sweep(const std::string &dir) {
    DIR *d = ::opendir(dir.c_str());
    if (d == nullptr)
        return;
    int dfd = ::dirfd(d);
    while (struct dirent *e = ::readdir(d)) {
        if (!posix::is_object_file_name(e->d_name))
            continue;
        int fd = ::openat(dfd, e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
            continue; // unreadable to us: left for a process that can read it
        if (!others_hold(fd))
            ::unlinkat(dfd, e->d_name, 0);
        ::close(fd);
    }
    ::closedir(d);
}

// sweep() before a new object is made, at most once a second per process:
// often enough that dead holders' memory comes back soon, rarely enough that
// making N objects stays O(N) and not O(N^2). Caller holds the dir lock.
void sweep_now_and_then(const std::string &dir) {
    static std::chrono::steady_clock::time_point last{};
    auto now = std::chrono::steady_clock::now();
    if (last != std::chrono::steady_clock::time_point{} && now - last < std::chrono::seconds(1))
        return;
    last = now;
    sweep(dir);
}

// The directory, created if need be and locked: where every create, open
// and list decision is taken. The lock is held while the result lives.
std::expected<std::unique_ptr<DirLock>, Error> lock_directory(const std::string &dir) {
    if (int e = ensure_dir(dir); e != 0)
        return std::unexpected(error_from_errno(e));
    auto dl = std::make_unique<DirLock>(dir);
    if (!dl->ok())
        return std::unexpected(error_from_errno(dl->error()));
    return dl;
}

class PosixMapping;
std::mutex g_mu; // serialises this process's operations; held across fork()
std::vector<PosixMapping *> *g_live = new std::vector<PosixMapping *>; // under g_mu

class PosixMapping final : public Mapping {
public:
    int fd = -1;
    bool named = false;
    bool registered = false; // in g_live: a handle given out
    int fork_fd = -1;        // during fork(): the child's reference
    std::string path;
    ~PosixMapping() override;
};

PosixMapping::~PosixMapping() {
    if (!registered) { // a failed create/open, destroyed under g_mu
        if (addr != nullptr)
            ::munmap(addr, size);
        if (fd >= 0)
            ::close(fd);
        return;
    }
    std::lock_guard lock(g_mu);
    std::erase(*g_live, this);
    if (addr != nullptr)
        ::munmap(addr, size);
    if (named) {
        DirLock dl(posix::directory());
        if (dl.ok()) {
            struct stat a {
            }, b{};
            if (!others_hold(fd) && ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 &&
                a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                ::unlink(path.c_str());
            ::close(fd);
            fd = -1;
        }
    }
    if (fd >= 0)
        ::close(fd);
}

// fork() (S20): before the fork, each named handle gets a second open file
// description with its own lock; the parent closes its copy after the fork,
// the child puts it in place of the handle's descriptor. So the child holds
// its own reference from the moment fork() returns in either process, even
// if the parent closes its handle at once.
void proc_fd_path(int fd, char (&p)[32]) {
    const char prefix[] = "/proc/self/fd/";
    std::memcpy(p, prefix, sizeof prefix);
    char digits[12];
    int n = 0;
    for (unsigned v = static_cast<unsigned>(fd); n == 0 || v != 0; v /= 10)
        digits[n++] = static_cast<char>('0' + v % 10);
    std::size_t len = sizeof prefix - 1;
    while (n > 0)
        p[len++] = digits[--n];
    p[len] = '\0';
}

void atfork_prepare() {
    g_mu.lock();
    for (PosixMapping *m : *g_live) {
        if (!m->named)
            continue;
        char p[32];
        proc_fd_path(m->fd, p);
        int nfd = ::open(p, O_RDONLY | O_CLOEXEC);
        if (nfd >= 0 && !ofd_read_lock(nfd)) {
            ::close(nfd);
            nfd = -1;
        }
        m->fork_fd = nfd;
    }
}

void atfork_parent() {
    for (PosixMapping *m : *g_live) {
        if (m->fork_fd >= 0)
            ::close(m->fork_fd); // the child's copy keeps the description and its lock
        m->fork_fd = -1;
    }
    g_mu.unlock();
}

void atfork_child() {
    for (PosixMapping *m : *g_live) {
        if (m->fork_fd >= 0) {
            ::dup3(m->fork_fd, m->fd, O_CLOEXEC);
            ::close(m->fork_fd);
        }
        m->fork_fd = -1;
        if (m->locked)
            lock_pages(m->addr, m->size); // memory locks are not inherited across fork
    }
    g_mu.unlock();
}

std::uint64_t random_id() {
    std::uint64_t v = 0;
    if (::getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v))
        v = static_cast<std::uint64_t>(::getpid()) << 32 ^
            static_cast<std::uint64_t>(::time(nullptr));
    return v;
}

std::uint64_t page_round(std::uint64_t n) {
    std::uint64_t pg = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    return (n + pg - 1) / pg * pg;
}

// Reads the header of an object file; false if it is not one of ours.
// The sizes are checked against the file, so a damaged or planted header can
// never make a view reach past the file's end (SIGBUS).
bool read_header(int fd, FileHeader &h) {
    ssize_t r = ::pread(fd, &h, sizeof h, 0);
    struct stat st {};
    if (r != static_cast<ssize_t>(sizeof h) ||
        std::memcmp(h.magic, posix::kMagic, sizeof h.magic) != 0 || h.name_len > sizeof h.name ||
        ::fstat(fd, &st) != 0 || st.st_size < posix::kDataOffset)
        return false;
    auto data_bytes = static_cast<std::uint64_t>(st.st_size - posix::kDataOffset);
    return h.logical_size > 0 && h.logical_size <= h.alloc_size && h.alloc_size <= data_bytes;
}

// Open file description locks per "maj:min:inode" (hex:hex:dec, as in
// /proc/locks): each is one handle of some process.
std::unordered_map<std::string, std::uint32_t> ofd_lock_counts() {
    std::unordered_map<std::string, std::uint32_t> counts;
    std::ifstream in("/proc/locks");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, kind, advisory, rw, pid, where;
        f >> id >> kind;
        if (kind == "->") // a waiter, not a holder
            continue;
        if (kind == "OFDLCK" && (f >> advisory >> rw >> pid >> where))
            ++counts[where];
    }
    return counts;
}

std::string lock_key(const struct stat &st) {
    char key[64];
    std::snprintf(key, sizeof key, "%02x:%02x:%llu", ::major(st.st_dev), ::minor(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    return key;
}

struct Lookup {
    int fd = -1; // O_RDONLY, of the object found
    std::string path;
    FileHeader header{};
    std::string free_path; // first free file name, when not found
};

// Finds the object of that name (caller holds the directory lock).
std::expected<Lookup, Error> find(const std::string &dir, std::string_view name) {
    Lookup lk;
    for (unsigned probe = 0; probe < posix::kProbes; ++probe) {
        std::string path = dir + "/" + posix::object_file_name(name, probe);
        int fd = retry_open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            if (errno == ENOENT) {
                if (lk.free_path.empty())
                    lk.free_path = path;
                continue;
            }
            // A hash collision is out of reach: an unreadable file is this name.
            return std::unexpected(error_from_errno(errno));
        }
        if (!others_hold(fd)) {
            // Every holder died (S24): reclaim it; the slot is free again.
            ::unlink(path.c_str());
            ::close(fd);
            if (lk.free_path.empty())
                lk.free_path = path;
            continue;
        }
        FileHeader h;
        if (read_header(fd, h) && h.name_len == name.size() &&
            std::memcmp(h.name, name.data(), name.size()) == 0) {
            lk.fd = fd;
            lk.path = std::move(path);
            lk.header = h;
            return lk;
        }
        ::close(fd);
    }
    return lk;
}

// A failure while making an object's memory: every kind is "cannot
// allocate" (S10).
Error allocation_error(int err) {
    Error e = error_from_errno(err);
    if (e == Error::invalid_parameter || e == Error::invalid_handle)
        e = Error::not_enough_memory;
    return e;
}

// Sizes fd to offset + alloc and allocates the data up front (zero-filled
// pages, ENOSPC now rather than SIGBUS later). 0 or an errno value.
int reserve(int fd, off_t offset, std::uint64_t alloc) {
    if (alloc > static_cast<std::uint64_t>(INT64_MAX - offset))
        return ENOMEM;
    if (::ftruncate(fd, offset + static_cast<off_t>(alloc)) != 0)
        return errno;
    if (::fallocate(fd, 0, offset, static_cast<off_t>(alloc)) != 0 && errno != EOPNOTSUPP)
        return errno;
    return 0;
}

class PosixBackend final : public BackendImpl {
public:
    PosixBackend() { ::pthread_atfork(atfork_prepare, atfork_parent, atfork_child); }

    Backend kind() const noexcept override { return Backend::posix; }

    std::expected<void, Error> usable() noexcept override {
        if (int e = ensure_dir(posix::directory()); e != 0)
            return std::unexpected(error_from_errno(e));
        return {};
    }

    MapResult create(const CreateRequest &req) override {
        std::lock_guard lock(g_mu);
        if (req.name.empty())
            return create_unnamed(req);
        const std::string &dir = posix::directory();
        auto dl = lock_directory(dir);
        if (!dl)
            return std::unexpected(dl.error());
        auto lk = find(dir, req.name);
        if (!lk)
            return std::unexpected(lk.error());
        if (lk->fd >= 0 && req.exclusive) {
            ::close(lk->fd);
            return std::unexpected(Error::already_exists); // S32: never someone else's
        }
        if (lk->fd >= 0)
            return create_existing(req, *lk);
        if (lk->free_path.empty())
            return std::unexpected(Error::not_enough_memory); // every probe slot taken
        sweep_now_and_then(dir);                              // take back what dead holders left
        return create_new(req, lk->free_path);
    }

    MapResult open(const OpenRequest &req) override {
        std::lock_guard lock(g_mu);
        const std::string &dir = posix::directory();
        auto dl = lock_directory(dir);
        if (!dl)
            return std::unexpected(dl.error());
        auto lk = find(dir, req.name);
        if (!lk)
            return std::unexpected(lk.error());
        if (lk->fd < 0)
            return std::unexpected(Error::file_not_found);
        int fd = lk->fd;
        const FileHeader &h = lk->header;
        if (h.type != req.type) {
            ::close(fd);
            return std::unexpected(Error::invalid_handle);
        }
        if (req.write) {
            ::close(fd);
            if (h.read_only)
                return std::unexpected(Error::access_denied);
            fd = retry_open(lk->path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
            if (fd < 0)
                return std::unexpected(error_from_errno(errno));
        }
        return attach(fd, lk->path, h.logical_size, h.id, req.write, false);
    }

    std::expected<std::vector<ObjectInfo>, Error> list() override {
        std::lock_guard lock(g_mu);
        const std::string &dir = posix::directory();
        auto dl = lock_directory(dir);
        if (!dl)
            return std::unexpected(dl.error());
        sweep(dir);
        DIR *d = ::opendir(dir.c_str());
        if (d == nullptr)
            return std::unexpected(error_from_errno(errno));
        const auto locks = ofd_lock_counts();
        std::vector<ObjectInfo> out;
        while (struct dirent *e = ::readdir(d)) {
            if (!posix::is_object_file_name(e->d_name))
                continue;
            int fd = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
            if (fd < 0)
                continue; // not readable by this user
            FileHeader h;
            struct stat st {};
            if (read_header(fd, h) && ::fstat(fd, &st) == 0) {
                ObjectInfo o;
                o.id = h.id;
                o.name.emplace(h.name, h.name_len);
                o.size = h.logical_size;
                o.allocated_bytes = h.alloc_size;
                auto it = locks.find(lock_key(st));
                o.handles = it == locks.end() ? 0 : it->second;
                o.mappings = o.handles; // every POSIX handle maps exactly once
                o.uid = st.st_uid;
                o.gid = st.st_gid;
                o.mode = st.st_mode & 0777;
                o.creator_pid = h.creator_pid;
                o.read_only = h.read_only != 0;
                o.type = h.type;
                out.push_back(std::move(o));
            }
            ::close(fd);
        }
        ::closedir(d);
        return out;
    }

private:
    MapResult create_existing(const CreateRequest &req, Lookup &lk) {
        int fd = lk.fd;
        FileHeader &h = lk.header;
        bool want_write = !req.read_only;
        auto fail = [&](Error e) {
            ::close(fd);
            return std::unexpected(e);
        };
        if (h.type != req.type)
            return fail(Error::invalid_handle);
        if (want_write && h.read_only)
            return fail(Error::access_denied);
        if (req.size > h.logical_size || (req.exact_size && req.size != h.logical_size))
            return fail(Error::invalid_parameter);
        bool shrink = req.size < h.logical_size;
        std::uint64_t view = h.logical_size;
        if (want_write || shrink) {
            int rw = retry_open(lk.path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
            if (rw >= 0) {
                ::close(fd);
                fd = rw;
            } else if (want_write || (errno != EACCES && errno != EPERM)) {
                return fail(error_from_errno(errno));
            } else {
                // S7: a reader alone gets a view of the smaller size; the
                // object keeps its own.
                shrink = false;
                view = req.size;
            }
        }
        if (shrink) {
            std::uint64_t sz = req.size;
            if (::pwrite(fd, &sz, sizeof sz, offsetof(FileHeader, logical_size)) !=
                static_cast<ssize_t>(sizeof sz))
                return fail(error_from_errno(errno));
            h.logical_size = sz;
            view = sz;
        }
        return attach(fd, lk.path, view, h.id, want_write, false);
    }

    MapResult create_new(const CreateRequest &req, const std::string &path) {
        int fd = retry_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            return std::unexpected(error_from_errno(errno));
        auto fail = [&](int err) {
            ::unlink(path.c_str());
            ::close(fd);
            return std::unexpected(allocation_error(err));
        };
        std::uint64_t alloc = page_round(req.size);
        if (::fchmod(fd, req.mode) != 0)
            return fail(errno);
        if (int err = reserve(fd, posix::kDataOffset, alloc); err != 0)
            return fail(err);
        FileHeader h{};
        std::memcpy(h.magic, posix::kMagic, sizeof h.magic);
        h.version = posix::kVersion;
        h.type = req.type;
        h.logical_size = req.size;
        h.alloc_size = alloc;
        h.id = random_id();
        h.read_only = req.read_only ? 1 : 0;
        h.mode = req.mode;
        h.creator_pid = static_cast<std::int32_t>(::getpid());
        h.name_len = static_cast<std::uint32_t>(req.name.size());
        std::memcpy(h.name, req.name.data(), req.name.size());
        if (::pwrite(fd, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h))
            return fail(errno);
        if (req.read_only) {
            // The creator's view must not be upgradable by mprotect either.
            int ro = retry_open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
            if (ro < 0)
                return fail(errno);
            ::close(fd);
            fd = ro;
        }
        auto m = attach(fd, path, req.size, h.id, !req.read_only, true);
        if (!m)
            ::unlink(path.c_str()); // attach closed fd; nothing is left (S10)
        return m;
    }

    MapResult create_unnamed(const CreateRequest &req) {
        const std::string &dir = posix::directory();
        int fd = -1;
        if (ensure_dir(dir) == 0)
            fd = retry_open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
            fd = ::memfd_create("rtshm-unnamed", MFD_CLOEXEC);
        if (fd < 0)
            return std::unexpected(error_from_errno(errno));
        auto fail = [&](int err) {
            ::close(fd);
            return std::unexpected(allocation_error(err));
        };
        if (int err = reserve(fd, 0, page_round(req.size)); err != 0)
            return fail(err);
        if (req.read_only) {
            std::string p = "/proc/self/fd/" + std::to_string(fd);
            int ro = retry_open(p.c_str(), O_RDONLY | O_CLOEXEC);
            if (ro < 0)
                return fail(errno);
            ::close(fd);
            fd = ro;
        }
        auto m = std::make_unique<PosixMapping>();
        m->fd = fd;
        m->kind = Backend::posix;
        m->created = true;
        m->id = random_id();
        m->writable = !req.read_only;
        if (!map_view(*m, 0, req.size))
            return std::unexpected(Error::not_enough_memory); // m closes fd
        g_live->push_back(m.get());
        m->registered = true;
        return m;
    }

    // Locks, maps and registers fd (owned from here on; closed on failure).
    MapResult attach(int fd, const std::string &path, std::uint64_t size, std::uint64_t id,
                     bool writable, bool created) {
        auto m = std::make_unique<PosixMapping>();
        m->kind = Backend::posix;
        m->created = created;
        m->id = id;
        m->writable = writable;
        if (!ofd_read_lock(fd)) {
            int err = errno;
            ::close(fd);
            return std::unexpected(error_from_errno(err));
        }
        if (!map_view(*m, posix::kDataOffset, size, fd)) {
            ::close(fd);
            return std::unexpected(Error::not_enough_memory);
        }
        m->fd = fd;
        m->named = true;
        m->path = path;
        g_live->push_back(m.get());
        m->registered = true;
        return m;
    }

    bool map_view(PosixMapping &m, off_t offset, std::uint64_t size, int fd = -1) {
        if (fd < 0)
            fd = m.fd;
        int prot = PROT_READ | (m.writable ? PROT_WRITE : 0);
        void *p = ::mmap(nullptr, size, prot, MAP_SHARED | MAP_POPULATE, fd, offset);
        if (p == MAP_FAILED) {
            if (errno == EAGAIN)
                diag_mmap_memlock(size);
            return false;
        }
        m.addr = static_cast<std::byte *>(p);
        m.size = size;
        if (lock_pages(p, size) == 0) {
            m.locked = true;
        } else {
            int err = errno;
            struct rlimit rl {};
            ::getrlimit(RLIMIT_MEMLOCK, &rl);
            diag_once(Diag::mlock_failed,
                      "posix backend: cannot lock %llu bytes of shared memory in RAM (mlock: "
                      "%s; RLIMIT_MEMLOCK %llu bytes): the memory works but may page-fault or "
                      "be swapped (S25). Raise 'ulimit -l' or grant CAP_IPC_LOCK; "
                      "RTSHM_QUIET=1 hides this.",
                      static_cast<unsigned long long>(size), std::strerror(err),
                      static_cast<unsigned long long>(rl.rlim_cur));
        }
        return true;
    }
};

} // namespace

BackendImpl &posix_backend() {
    static PosixBackend *b = new PosixBackend; // never destroyed: usable during exit
    return *b;
}

} // namespace rtshm::detail
