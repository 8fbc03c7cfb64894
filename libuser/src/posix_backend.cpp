// SPDX-License-Identifier: MIT
// posix_backend.cpp: the POSIX fallback backend (no kernel module), a client
// of rtshmd (rtshmd/protocol.hpp, broker_link.cpp).
//
// - Objects are memfds that the broker makes and seals against shrinking
//   and growing (and writing, when read-only): no object has a name in any
//   directory, so nothing can be planted, truncated or redirected (S32).
// - The broker owns the name table and decides S5-S9, S29 and permissions
//   from the connection's credentials; each handle is counted on this
//   process's connection, so the kernel ends the object's life with its
//   last holder, also by SIGKILL (S23, S24).
// - The broker never allocates: the creator faults the pages in
//   (MADV_POPULATE_WRITE: allocated, zero-filled and mapped in one pass, an
//   error up front) and mlocks them (S25, S26), then commits; a racing create waits in the broker
//   for that, so it gets the creator's memory ready (S30), and other clients are not held up.
// - Unnamed objects are local memfds: no broker at all.
// - fork (S20): the broker gives the child a connection with a copy of
//   every handle before fork() returns (BrokerLink::fork_prepare).
#include "backend.hpp"
#include "broker_link.hpp"
#include "diag.hpp"
#include "errno_map.hpp"
#include "pi_mutex.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace rtshm::detail {

namespace {

// mlock(2) itself: sanitizer runtimes replace mlock() with a no-op that
// claims success, which would hide exactly what S25 must report.
int lock_pages(void *p, std::size_t n) {
    return static_cast<int>(::syscall(SYS_mlock, p, n));
}

std::uint64_t page_round(std::uint64_t n) {
    std::uint64_t pg = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    return (n + pg - 1) / pg * pg;
}

std::uint64_t random_id() {
    std::uint64_t v = 0;
    if (::getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v))
        v = static_cast<std::uint64_t>(::getpid()) << 32 ^
            static_cast<std::uint64_t>(::time(nullptr));
    return v;
}

// A failure while making an object's memory: every kind is "cannot
// allocate" (S10).
Error allocation_error(int err) {
    Error e = error_from_errno(err);
    if (e == Error::invalid_parameter || e == Error::invalid_handle)
        e = Error::not_enough_memory;
    return e;
}

// Bytes of memory the kernel could give now (MemAvailable + SwapFree), or
// UINT64_MAX if /proc/meminfo cannot say.
std::uint64_t available_memory() {
    int fd = ::open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return UINT64_MAX;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0)
        return UINT64_MAX;
    buf[n] = '\0';
    auto field = [&](const char *key) -> std::uint64_t {
        const char *p = std::strstr(buf, key);
        return p == nullptr ? 0 : std::strtoull(p + std::strlen(key), nullptr, 10) * 1024;
    };
    std::uint64_t avail = field("MemAvailable:");
    return avail == 0 ? UINT64_MAX : avail + field("SwapFree:");
}

// The pages of a new object, allocated now (an error now rather than SIGBUS
// later). 0 or an errno value. A memfd has no size limit of its own (a tmpfs
// mount has one): an allocation beyond what memory holds would not fail but
// wake the OOM killer, which takes other processes (shared pages are no
// process's), so a big one is checked against what is available first.
bool too_big(std::uint64_t bytes) {
    constexpr std::uint64_t kCheckFrom = std::uint64_t{16} << 20;
    return bytes > static_cast<std::uint64_t>(INT64_MAX) ||
           (bytes >= kCheckFrom && bytes > available_memory());
}

int allocate(int fd, std::uint64_t bytes) {
    if (too_big(bytes))
        return ENOMEM;
    int r;
    do
        r = ::fallocate(fd, 0, 0, static_cast<off_t>(bytes));
    while (r != 0 && errno == EINTR);
    return r == 0 ? 0 : errno;
}

// A read-only descriptor of fd's file, so that a read-only view cannot be
// made writable with mprotect (S19). -1 with errno on failure.
int reopen_read_only(int fd) {
    char p[40];
    std::snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    int ro;
    do
        ro = ::open(p, O_RDONLY | O_CLOEXEC);
    while (ro < 0 && errno == EINTR);
    return ro;
}

// How long a create waits for another create of its name to finish.
constexpr auto kPendingWait = std::chrono::seconds(10);

class PosixMapping;
// Two locks, taken in this order (broker_link.hpp):
// - g_call_mu: one request with a reply at a time (create, open, list,
//   status, the adopts of a new connection), so each reply is its caller's;
// - g_mu: the state: the connection, its kept posts and the live handles.
//   A call releases it while it waits for the broker, so a close (which
//   needs g_mu only, and sends without waiting) never waits behind another
//   thread's round trip, however long the broker takes.
PiMutex g_call_mu;
PiMutex g_mu;
std::vector<PosixMapping *> *g_live = new std::vector<PosixMapping *>; // under g_mu
BrokerLink *g_link = new BrokerLink(g_mu);                             // under g_mu

// Under g_mu: tells the watcher to look again: the connection changed, or
// a post was kept for it to send (below).
void wake_watcher();

class PosixMapping final : public Mapping {
public:
    int fd = -1;
    bool named = false;
    bool registered = false; // in g_live: a handle given out
    broker::Request adopt{}; // what a new broker is told of this handle
    ~PosixMapping() override;
};

PosixMapping::~PosixMapping() {
    if (addr != nullptr)
        ::munmap(addr, size);
    if (registered) {
        std::lock_guard lock(g_mu);
        std::erase(*g_live, this);
        if (named) {
            broker::Request req{};
            req.op = broker::Op::close;
            req.object_id = id;
            if (!g_link->post(req))
                wake_watcher(); // kept for it to send, or the connection went
        }
    }
    if (fd >= 0)
        ::close(fd);
}

// Every live named handle, told to a new broker (after a restart, a fork
// child with no connection of its own, or a change of credentials).
void adopt_all(BrokerLink &link);

bool has_named_handles() {
    return std::ranges::any_of(*g_live, [](PosixMapping *m) { return m->named; });
}

// The watcher: one thread per process that holds named handles, asleep in
// poll() on a duplicate of the broker connection until the broker hangs up
// (crash, restart). It then connects again and adopts every handle, so the
// objects stay reachable by name although this process makes no call.
// Under g_mu: whether it runs in this process, the eventfd that tells it
// to look again (the connection changed, or a post was kept for it to
// send), and the duplicate of the connection it polls (of epoch
// g_watch_epoch), which a fork child closes: it must not keep its parent's
// connection, and with it the parent's handles, alive (S24).
pid_t g_watch_pid = 0;
int g_watch_wake = -1;
int g_watch_sock = -1;
std::uint64_t g_watch_epoch = 0;

void wake_watcher() {
    if (g_watch_pid == ::getpid() && g_watch_wake >= 0) {
        std::uint64_t one = 1;
        (void)!::write(g_watch_wake, &one, sizeof one);
    }
}

// Makes sure this process has a broker connection. Connecting (which may
// wait for a broker to start, a few seconds at most) holds no lock, so the
// process's other calls and fork() are not held up by a broker that is away.
std::expected<void, Error> connect_link() {
    {
        std::lock_guard lock(g_mu);
        if (g_link->ready_here())
            return {};
    }
    auto fc = BrokerLink::connect_fresh();
    if (!fc)
        return std::unexpected(fc.error());
    std::lock_guard call(g_call_mu); // install adopts every live handle
    std::lock_guard lock(g_mu);
    g_link->install(std::move(*fc));
    return {};
}

// Under g_mu: g_watch_sock is a duplicate of the current connection, or
// -1 if there is none. A dropped connection's duplicate goes at once, or
// the broker would not see it end.
void refresh_watch_sock() {
    if (g_watch_sock >= 0 && g_link->connected() && g_link->epoch() == g_watch_epoch)
        return;
    if (g_watch_sock >= 0)
        ::close(g_watch_sock);
    g_watch_sock = g_link->dup_socket();
    g_watch_epoch = g_link->epoch();
}

void watch_broker(int wake) {
    for (;;) {
        int sock;
        std::uint64_t epoch;
        bool wanted, kept;
        {
            std::lock_guard lock(g_mu);
            refresh_watch_sock();
            sock = g_watch_sock;
            epoch = g_watch_epoch;
            wanted = has_named_handles();
            kept = g_link->has_kept();
        }
        if (sock < 0 && wanted && connect_link())
            continue; // connected again: every handle adopted
        // Posts the broker could not take yet: sent when it reads again.
        const short out = kept ? POLLOUT : 0;
        pollfd p[2] = {{sock, static_cast<short>(POLLRDHUP | out), 0}, {wake, POLLIN, 0}};
        int r = ::poll(p, 2, sock < 0 ? 100 : -1);
        if (r <= 0)
            continue; // EINTR, or time to try the broker again
        if (p[1].revents & POLLIN) {
            std::uint64_t n;
            (void)!::read(wake, &n, sizeof n);
            continue; // look again: a new connection, or kept posts
        }
        std::lock_guard lock(g_mu);
        if (sock < 0 || g_link->epoch() != epoch)
            continue;
        if ((p[0].revents & (POLLHUP | POLLRDHUP | POLLERR)) != 0)
            g_link->hang_up(); // the next round connects again
        else if ((p[0].revents & POLLOUT) != 0)
            (void)g_link->flush(0); // as many as the queue takes now
    }
}

// Under g_mu: starts the watcher in this process if it is not running.
void ensure_watcher() {
    if (g_watch_pid == ::getpid())
        return;
    int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake < 0)
        return;
    // Its descriptors exist when the call that started it returns, not at
    // some moment after (a program may count its descriptors).
    refresh_watch_sock();
    // It takes no signal of the program's: they stay the program's threads'.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    ::pthread_attr_init(&attr);
    ::pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    ::pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_t t;
    auto *arg = new int(wake);
    int e = ::pthread_create(
        &t, &attr,
        [](void *a) -> void * {
            int w = *static_cast<int *>(a);
            delete static_cast<int *>(a);
            watch_broker(w);
            return nullptr;
        },
        arg);
    ::pthread_attr_destroy(&attr);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (e != 0) {
        delete arg;
        ::close(wake);
        if (g_watch_sock >= 0)
            ::close(g_watch_sock); // nobody would close it when the connection goes
        g_watch_sock = -1;
        return;
    }
    if (g_watch_wake >= 0 && g_watch_pid != ::getpid())
        ::close(g_watch_wake); // the parent's, inherited across fork
    g_watch_wake = wake;
    g_watch_pid = ::getpid();
}

void adopt_all(BrokerLink &link) {
    for (PosixMapping *m : *g_live)
        if (m->named && link.adopt(m->adopt, m->fd) != Error::success && !link.connected())
            break; // the broker stopped answering: the watcher tries again
    wake_watcher();
}

// fork() takes g_mu only: a call that waits for the broker holds g_call_mu,
// and fork must not wait for it (fork_prepare). g_call_mu is taken only if
// free, so that the child can reinitialise it properly either way.
bool g_fork_has_call_mu = false;

void atfork_prepare() {
    g_mu.lock();
    g_fork_has_call_mu = g_call_mu.try_lock();
    if (has_named_handles())
        g_link->fork_prepare();
}

void atfork_parent() {
    g_link->fork_parent();
    if (g_fork_has_call_mu)
        g_call_mu.unlock();
    g_mu.unlock();
}

void atfork_child() {
    if (g_watch_sock >= 0)
        ::close(g_watch_sock); // the parent's watcher's (see g_watch_sock)
    g_watch_sock = -1;
    g_link->fork_child();
    for (PosixMapping *m : *g_live)
        if (m->locked)
            lock_pages(m->addr, m->size); // memory locks are not inherited across fork
    if (g_fork_has_call_mu)
        g_call_mu.reinit_in_child();
    else
        g_call_mu.reinit_unowned_in_child(); // its holder is a thread the child lacks
    g_mu.reinit_in_child();
}

// Maps fd with every page-table entry in place, allocating a new object's
// pages on the way (new_pages: a writable view of them), and locks the pages where RLIMIT_MEMLOCK
// allows (S25). 0 or an errno value.
//
// mlock, or where it is refused MADV_POPULATE_WRITE/READ (Linux 5.14),
// fault the whole range in one pass and, unlike MAP_POPULATE, say when they
// could not (ENOMEM under a memory cgroup's limit, a fatal signal): so a new
// object's pages are allocated and mapped at once, with no fallocate pass.
int map_view(PosixMapping &m, int fd, std::uint64_t size, bool new_pages) {
    if (new_pages && too_big(size))
        return ENOMEM;
    int prot = PROT_READ | (m.writable ? PROT_WRITE : 0);
    void *p = ::mmap(nullptr, size, prot, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int err = errno;
        if (err == EAGAIN)
            diag_mmap_memlock(size);
        return err;
    }
    m.addr = static_cast<std::byte *>(p);
    m.size = size;
    // mlock faults the whole range in and locks it in one pass: the
    // fastest way (64 MiB of present pages: 7 ms, against 11 ms for
    // MAP_POPULATE + mlock and 17 ms for MADV_POPULATE_WRITE + mlock).
    if (lock_pages(p, size) == 0) {
        m.locked = true;
        return 0;
    }
    int lock_err = errno;
    // Not locked (RLIMIT_MEMLOCK, or memory short): populate, which says
    // whether the pages could be had at all.
    int advice = m.writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
    int r;
    do
        r = ::madvise(p, size, advice);
    while (r != 0 && errno == EINTR);
    if (r != 0 && errno == EINVAL) {
        // Before 5.14: allocate a new object's pages up front, then touch.
        if (new_pages && m.writable)
            if (int err = allocate(fd, size); err != 0)
                return err;
        long pg = ::sysconf(_SC_PAGESIZE);
        for (std::uint64_t off = 0; off < size; off += static_cast<std::uint64_t>(pg))
            (void)*static_cast<volatile const char *>(static_cast<const char *>(p) + off);
    } else if (r != 0) {
        return errno;
    }
    struct rlimit rl {};
    ::getrlimit(RLIMIT_MEMLOCK, &rl);
    diag_once(Diag::mlock_failed,
              "posix backend: cannot lock %llu bytes of shared memory in RAM (mlock: "
              "%s; RLIMIT_MEMLOCK %llu bytes): the memory works but may page-fault or "
              "be swapped (S25). Raise 'ulimit -l' or grant CAP_IPC_LOCK; "
              "RTSHM_QUIET=1 hides this.",
              static_cast<unsigned long long>(size), std::strerror(lock_err),
              static_cast<unsigned long long>(rl.rlim_cur));
    return 0;
}

void set_name(broker::Request &req, std::string_view name) {
    req.name_len = static_cast<std::uint32_t>(name.size());
    std::memcpy(req.name, name.data(), name.size());
}

class PosixBackend final : public BackendImpl {
public:
    PosixBackend() {
        g_link->set_on_reconnect(adopt_all);
        ::pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    }

    Backend kind() const noexcept override { return Backend::posix; }

    // The broker is found (or started) by the first call that needs it.
    std::expected<void, Error> usable() noexcept override { return {}; }

    MapResult create(const CreateRequest &req) override {
        if (req.name.empty())
            return create_unnamed(req);
        broker::Request r{};
        r.op = broker::Op::create;
        r.size = req.size;
        r.flags = (req.exact_size ? broker::kExactSize : 0) |
                  (req.read_only ? broker::kReadOnly : 0) |
                  (req.exclusive ? broker::kExclusive : 0);
        r.mode = req.mode;
        r.type = req.type;
        set_name(r, req.name);
        return attach(r, req.name, req.read_only);
    }

    MapResult open(const OpenRequest &req) override {
        broker::Request r{};
        r.op = broker::Op::open;
        r.flags = req.write ? broker::kWrite : 0;
        r.type = req.type;
        set_name(r, req.name);
        return attach(r, req.name, !req.write);
    }

    std::expected<std::vector<ObjectInfo>, Error> list() override {
        std::vector<ObjectInfo> out;
        auto batch = std::make_unique<broker::ListReply>();
        if (auto c = connect_link(); !c)
            return std::unexpected(c.error());
        std::lock_guard call(g_call_mu);
        std::lock_guard lock(g_mu);
        std::uint64_t cursor = 0;
        do {
            if (auto r = g_link->list_batch(cursor, *batch); !r)
                return std::unexpected(r.error());
            for (std::uint32_t i = 0; i < batch->head.count; ++i) {
                const broker::ListEntry &e = batch->entries[i];
                ObjectInfo o;
                o.id = e.id;
                o.name.emplace(e.name, std::min(e.name_len, broker::kMaxName));
                o.size = e.size;
                o.allocated_bytes = e.alloc;
                o.handles = e.handles;
                o.mappings = e.handles; // every POSIX handle maps exactly once
                o.uid = e.uid;
                o.gid = e.gid;
                o.mode = e.mode;
                o.creator_pid = e.creator_pid;
                o.read_only = e.read_only != 0;
                o.type = e.type;
                out.push_back(std::move(o));
            }
            cursor = batch->head.size;
        } while (cursor != 0);
        return out;
    }

private:
    // A create or open: the broker's answer, then (outside the lock, so the
    // process's other calls do not wait for a big object's pages) the
    // creator's allocation, the view, and the commit.
    MapResult attach(const broker::Request &r, std::string_view name, bool read_only_view) {
        BrokerAnswer a;
        std::uint64_t epoch = 0;
        auto deadline = std::chrono::steady_clock::now() + kPendingWait;
        for (auto pause = std::chrono::microseconds(50);;
             pause = std::min(pause * 2, std::chrono::microseconds(5000))) {
            if (auto c = connect_link(); !c)
                return std::unexpected(c.error());
            {
                std::lock_guard call(g_call_mu);
                std::lock_guard lock(g_mu);
                auto ans = g_link->call(r);
                if (!ans)
                    return std::unexpected(ans.error());
                a = *ans;
                epoch = g_link->epoch();
            }
            if (a.reply.error != broker::kErrorPending)
                break;
            // Another create of the name is allocating (S30): ask again.
            if (a.fd >= 0)
                ::close(a.fd);
            if (std::chrono::steady_clock::now() + pause > deadline)
                return std::unexpected(Error::invalid_handle); // its creator never finished
            std::this_thread::sleep_for(pause);
        }
        const broker::Reply &rep = a.reply;
        if (rep.error != 0) {
            if (a.fd >= 0)
                ::close(a.fd);
            return std::unexpected(static_cast<Error>(rep.error));
        }
        if (a.fd < 0)
            return std::unexpected(Error::invalid_parameter); // a broker that broke the protocol
        const bool created = (rep.flags & broker::kCreated) != 0;
        auto m = std::make_unique<PosixMapping>();
        m->kind = Backend::posix;
        m->created = created;
        m->id = rep.object_id;
        m->writable = (rep.flags & broker::kWritable) != 0 && !read_only_view;
        m->fd = a.fd;
        auto fail = [&](Error e) {
            broker::Request end{};
            end.op = created ? broker::Op::abort : broker::Op::close;
            end.object_id = rep.object_id;
            std::lock_guard lock(g_mu);
            if (g_link->epoch() == epoch && !g_link->post(end))
                wake_watcher();
            return std::unexpected(e); // m unmaps and closes
        };
        if (!m->writable && (rep.flags & broker::kWritable) != 0) {
            // A read-only view from a read-write descriptor (a read-only
            // object's creator): its pages are allocated through that
            // descriptor, and the view must not become writable (S19).
            if (int err = created ? allocate(m->fd, rep.alloc) : 0; err != 0)
                return fail(allocation_error(err));
            // Sealed against writing before the create returns: the broker
            // seals it too, but at the commit, which it reads after that.
            if (created && rep.read_only != 0 && ::fcntl(m->fd, F_ADD_SEALS, F_SEAL_WRITE) != 0)
                return fail(allocation_error(errno));
            int ro = reopen_read_only(m->fd);
            if (ro < 0)
                return fail(allocation_error(errno));
            ::close(m->fd);
            m->fd = ro;
        }
        if (int err = map_view(*m, m->fd, rep.size, created && m->writable); err != 0)
            return fail(allocation_error(err));

        broker::Request &ad = m->adopt;
        ad.op = broker::Op::adopt;
        ad.size = rep.size;
        ad.object_id = rep.object_id;
        ad.flags =
            (rep.read_only != 0 ? broker::kReadOnly : 0) | (m->writable ? broker::kWrite : 0);
        ad.mode = rep.mode;
        ad.type = r.type;
        ad.uid = rep.uid;
        ad.gid = rep.gid;
        ad.creator_pid = rep.creator_pid;
        set_name(ad, name);
        m->named = true;

        // The call lock only if the connection changed meanwhile (an adopt).
        std::unique_lock call(g_call_mu, std::defer_lock);
        std::unique_lock lock(g_mu);
        if (g_link->epoch() != epoch) {
            lock.unlock();
            call.lock();
            lock.lock();
        }
        if (g_link->epoch() == epoch) {
            if (created) {
                broker::Request c{};
                c.op = broker::Op::commit;
                c.object_id = rep.object_id;
                if (!g_link->post(c))
                    wake_watcher();
            }
        } else if (Error e = g_link->adopt(ad, m->fd); e != Error::success) {
            if (g_link->connected()) {
                // The broker went away meanwhile and the new one has another
                // object of that name: this one is reachable by name no more.
                m->named = false;
            } else {
                wake_watcher(); // no answer: adopted with the others later
            }
        }
        g_live->push_back(m.get());
        m->registered = true;
        ensure_watcher();
        return m;
    }

    MapResult create_unnamed(const CreateRequest &req) {
        int fd = ::memfd_create("rtshm:unnamed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
            return std::unexpected(allocation_error(errno));
        auto m = std::make_unique<PosixMapping>();
        m->fd = fd;
        m->kind = Backend::posix;
        m->created = true;
        m->id = random_id();
        m->writable = !req.read_only;
        std::uint64_t alloc = page_round(req.size);
        if (alloc > static_cast<std::uint64_t>(INT64_MAX) ||
            ::ftruncate(fd, static_cast<off_t>(alloc)) != 0)
            return std::unexpected(allocation_error(errno == 0 ? ENOMEM : errno));
        ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
        if (req.read_only) {
            if (int err = allocate(fd, alloc); err != 0)
                return std::unexpected(allocation_error(err));
            int ro = reopen_read_only(fd);
            if (ro < 0)
                return std::unexpected(allocation_error(errno));
            ::close(fd);
            m->fd = ro;
        }
        if (int err = map_view(*m, m->fd, req.size, !req.read_only); err != 0)
            return std::unexpected(allocation_error(err));
        std::lock_guard lock(g_mu);
        g_live->push_back(m.get());
        m->registered = true;
        return m;
    }
};

} // namespace

BrokerStatus broker_status() noexcept {
    BrokerStatus st;
    try {
        std::lock_guard call(g_call_mu);
        std::lock_guard lock(g_mu);
        auto r = g_link->status(st.where);
        if (r) {
            st.pid = r->pid;
            st.system = (r->flags & broker::kSystem) != 0;
            st.objects = r->count;
            st.connections = r->connections;
        }
    } catch (...) {
        // std::string: out of memory; st says no broker
    }
    return st;
}

BackendImpl &posix_backend() {
    static PosixBackend *b = new PosixBackend; // never destroyed: usable during exit
    return *b;
}

} // namespace rtshm::detail
