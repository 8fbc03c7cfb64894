// SPDX-License-Identifier: MIT
// broker_link.cpp: finding, starting and talking to rtshmd (see
// broker_link.hpp).
#include "broker_link.hpp"

#include "datagram.hpp"
#include "diag.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

namespace rtshm::detail {

namespace {

using namespace std::chrono_literals;

// The state lock released for a scope (also if it throws: std::string).
class Unlocked {
public:
    explicit Unlocked(PiMutex &m) : m_(m) { m_.unlock(); }
    ~Unlocked() { m_.lock(); }
    Unlocked(const Unlocked &) = delete;
    Unlocked &operator=(const Unlocked &) = delete;

private:
    PiMutex &m_;
};

// How long a call waits for a broker that is starting or restarting, and
// for one reply; a broker answers in microseconds, so either is a fault.
constexpr auto kFindTimeout = 3s;
constexpr int kReplyTimeoutMs = 5000;

// Where this process's broker is: a socket path or an abstract name.
struct Address {
    std::string path;        // "" for an abstract name
    std::string abstract;    // without the leading NUL
    bool may_start = true;   // a per-user broker: we start it if none listens
    bool must_be_us = false; // abstract: anyone could bind it; check the server
};

bool private_runtime_dir(const char *d) {
    struct stat st {};
    return d != nullptr && *d == '/' && ::stat(d, &st) == 0 && S_ISDIR(st.st_mode) &&
           st.st_uid == ::geteuid() && (st.st_mode & 077) == 0;
}

Address own_broker_address() {
    Address a;
    if (const char *p = std::getenv("RTSHM_BROKER_SOCKET"); p != nullptr && *p != '\0') {
        a.path = p;
        a.may_start = a.path != broker::kSystemSocket;
        return a;
    }
    if (const char *x = std::getenv("XDG_RUNTIME_DIR"); private_runtime_dir(x)) {
        a.path = std::string(x) + "/rtshmd.sock";
        return a;
    }
    a.abstract = "rtshm/rtshmd." + std::to_string(::geteuid());
    a.must_be_us = true;
    return a;
}

bool fill_sockaddr(const Address &a, sockaddr_un &sun, socklen_t &len) {
    sun = {};
    sun.sun_family = AF_UNIX;
    const std::string &s = a.path.empty() ? a.abstract : a.path;
    std::size_t off = a.path.empty() ? 1 : 0; // abstract: sun_path[0] == '\0'
    if (s.size() + off >= sizeof sun.sun_path)
        return false;
    std::memcpy(sun.sun_path + off, s.data(), s.size());
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + off + s.size() +
                                 (a.path.empty() ? 0 : 1));
    return true;
}

// A connected socket, or -1 with errno.
int try_connect(const Address &a) {
    sockaddr_un sun;
    socklen_t len;
    if (!fill_sockaddr(a, sun, len)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int r;
    do
        r = ::connect(fd, reinterpret_cast<sockaddr *>(&sun), len);
    while (r != 0 && errno == EINTR);
    if (r != 0) {
        int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    if (a.must_be_us) {
        // An abstract name has no permissions: another user could have bound
        // it to answer our calls. Only our own or root's broker is ours.
        ucred cr{};
        socklen_t cl = sizeof cr;
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) != 0 ||
            (cr.uid != ::geteuid() && cr.uid != 0)) {
            ::close(fd);
            errno = EACCES;
            return -1;
        }
    }
    return fd;
}

const char *rtshmd_path() {
    const char *p = std::getenv("RTSHM_RTSHMD");
    return p != nullptr && *p != '\0' ? p : RTSHM_RTSHMD_PATH;
}

// Starts a per-user broker at a; it forks into the background once it
// listens (or finds another one listening), so its first process's exit
// says "try to connect now".
void start_broker(const Address &a) {
    const char *idle = std::getenv("RTSHM_BROKER_IDLE_EXIT");
    std::string idle_s = idle != nullptr && *idle != '\0' ? idle : "10";
    std::string where = a.path.empty() ? a.abstract : a.path;
    const char *exe = rtshmd_path();
    char *argv[] = {const_cast<char *>(exe),
                    const_cast<char *>("--daemon"),
                    const_cast<char *>(a.path.empty() ? "--abstract" : "--socket"),
                    where.data(),
                    const_cast<char *>("--idle-exit"),
                    idle_s.data(),
                    nullptr};
    posix_spawnattr_t attr;
    ::posix_spawnattr_init(&attr);
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGTERM);
    sigaddset(&def, SIGINT);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGHUP);
    ::posix_spawnattr_setsigmask(&attr, &none);
    ::posix_spawnattr_setsigdefault(&attr, &def);
    ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    int e = ::posix_spawn(&pid, exe, nullptr, &attr, argv, environ);
    ::posix_spawnattr_destroy(&attr);
    if (e != 0) {
        diag_once(Diag::broker_unreachable,
                  "posix backend: cannot start the broker %s: %s (RTSHM_RTSHMD names another)", exe,
                  std::strerror(e));
        return;
    }
    // ECHILD if the program ignores SIGCHLD: then the connect loop waits.
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

std::string address_text(const Address &a) {
    return a.path.empty() ? "@" + a.abstract : a.path;
}

bool explicit_socket() {
    const char *p = std::getenv("RTSHM_BROKER_SOCKET");
    return p != nullptr && *p != '\0';
}

Address system_address() {
    Address sys;
    sys.path = broker::kSystemSocket;
    sys.may_start = false;
    return sys;
}

std::chrono::steady_clock::time_point after_ms(int ms) {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
}

int ms_until(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
}

// One request on fd without waiting; false with errno.
bool send_now(int fd, const broker::Request &req, int fd_in) {
    return broker::send_datagram(fd, &req, sizeof req, fd_in, MSG_NOSIGNAL | MSG_DONTWAIT);
}

// One reply that is there to read (or the end of the connection): false if lost.
bool recv_now(int fd, void *buf, std::size_t len, int &fd_out, std::size_t &got) {
    fd_out = -1;
    iovec iov{buf, len};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    ssize_t n;
    do
        n = ::recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return false;
    for (cmsghdr *c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int)))
            std::memcpy(&fd_out, CMSG_DATA(c), sizeof fd_out);
    got = static_cast<std::size_t>(n);
    return true;
}

// A status request on a connection of its own (no lock involved): whether a
// broker answers there, within the reply limit.
bool ask_status(int fd, broker::Reply &r) {
    auto deadline = after_ms(kReplyTimeoutMs);
    broker::Request req{};
    req.op = broker::Op::status;
    for (;;) {
        if (send_now(fd, req, -1))
            break;
        pollfd p{fd, POLLOUT, 0};
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || (::poll(&p, 1, ms_until(deadline)) == 0))
            return false;
    }
    pollfd p{fd, POLLIN, 0};
    int n;
    do
        n = ::poll(&p, 1, ms_until(deadline));
    while (n < 0 && errno == EINTR);
    int extra = -1;
    std::size_t got = 0;
    bool ok = n > 0 && recv_now(fd, &r, sizeof r, extra, got) && got >= sizeof r &&
              r.magic == broker::kMagic;
    if (extra >= 0)
        ::close(extra);
    return ok;
}

// Whether the broker on fd answers a status request: a stopped broker's
// socket still accepts connections, and a connection installed on it would
// have every live handle adopted under the backend's lock, each adopt
// waiting for a reply that does not come.
bool answers(int fd) {
    broker::Reply r{};
    return ask_status(fd, r);
}

} // namespace

std::string BrokerLink::where() const {
    if (!where_.empty() && fd_ >= 0)
        return where_;
    if (!explicit_socket() && ::access(broker::kSystemSocket, F_OK) == 0)
        return broker::kSystemSocket;
    return address_text(own_broker_address());
}

std::expected<FreshConnection, Error> BrokerLink::connect_fresh() {
    Address own = own_broker_address();
    auto deadline = std::chrono::steady_clock::now() + kFindTimeout;
    bool started = false;
    int err = 0;
    for (auto pause = 1ms;; pause = std::min(pause * 2, std::chrono::milliseconds(50))) {
        int fd = -1;
        std::string at;
        if (!explicit_socket()) {
            // The system broker (socket activation), shared by every user.
            if ((fd = try_connect(system_address())) >= 0)
                at = broker::kSystemSocket;
        }
        if (fd < 0 && (fd = try_connect(own)) >= 0)
            at = address_text(own);
        if (fd >= 0) {
            if (answers(fd))
                return FreshConnection{fd, std::move(at)};
            ::close(fd); // stopped or wedged: not a connection to adopt on
            err = ETIMEDOUT;
            break;
        }
        err = errno;
        if ((err == ENOENT || err == ECONNREFUSED) && own.may_start && !started) {
            start_broker(own);
            started = true;
            continue;
        }
        if (err != ENOENT && err != ECONNREFUSED && err != EAGAIN)
            break; // EACCES, a squatted name...: waiting will not help
        if (std::chrono::steady_clock::now() + pause > deadline)
            break;
        std::this_thread::sleep_for(pause);
    }
    std::string w = address_text(own);
    diag_once(Diag::broker_unreachable,
              "posix backend: no broker answers at %s (%s); shared memory cannot be created "
              "or opened by name",
              w.c_str(), std::strerror(err));
    return std::unexpected(Error::not_enough_memory);
}

void BrokerLink::drop() noexcept {
    drop_kept(); // the broker drops those handles with the connection
    if (fd_ < 0 || broken_)
        return;
    if (::getpid() == pid_)
        ::shutdown(fd_, SHUT_RDWR); // not a parent's: only the parent may end that
    if (in_call_) {
        broken_ = true; // the waiting call closes it (wait_for)
        ++epoch_;
        return;
    }
    ::close(fd_);
    fd_ = -1;
}

bool BrokerLink::ready_here() const noexcept {
    return connected() && ::getpid() == pid_ && ::geteuid() == euid_ && ::getegid() == egid_;
}

void BrokerLink::install(FreshConnection fc) {
    if (ready_here()) {
        ::close(fc.fd); // another thread connected meanwhile
        return;
    }
    // Another process (a fork child that got no connection of its own),
    // other credentials, or a broker that hung up: the new connection gets
    // every handle adopted before the old one goes, so no object is without
    // a holder meanwhile.
    pid_t pid = ::getpid();
    int old = pid == pid_ ? fd_ : -1;
    if (pid != pid_ && fd_ >= 0)
        ::close(fd_); // the parent's: only the parent may use it
    drop_kept();      // the old connection's: moot once it is closed
    fd_ = fc.fd;
    where_ = std::move(fc.where);
    pid_ = pid;
    euid_ = ::geteuid();
    egid_ = ::getegid();
    ++epoch_;
    if (ever_connected_ && on_reconnect_)
        on_reconnect_(*this);
    ever_connected_ = true;
    if (old >= 0)
        ::close(old);
}

std::expected<void, Error> BrokerLink::ensure_connected() {
    if (ready_here())
        return {};
    // Under the call lock, so no reply is awaited on the old connection:
    // finding the broker (seconds, if it must start) releases the state lock.
    auto fc = [this] {
        Unlocked away(state_mu_);
        return connect_fresh();
    }();
    if (!fc)
        return std::unexpected(fc.error());
    install(std::move(*fc));
    return {};
}

BrokerLink::Io BrokerLink::wait_for(short events, std::chrono::steady_clock::time_point deadline,
                                    bool release) noexcept {
    pollfd p{fd_, events, 0};
    if (release) {
        in_call_ = true;
        state_mu_.unlock();
    }
    int r;
    do
        r = ::poll(&p, 1, ms_until(deadline));
    while (r < 0 && errno == EINTR); // past the deadline: poll(0) says timeout
    if (release) {
        state_mu_.lock();
        in_call_ = false;
        if (broken_) {
            // Dropped meanwhile (a post found it lost, the watcher saw the
            // broker hang up): only this thread may close it.
            ::close(fd_);
            fd_ = -1;
            broken_ = false;
            return Io::lost;
        }
    }
    if (r < 0)
        return Io::lost;
    return r == 0 ? Io::timeout : Io::ok;
}

BrokerLink::Io BrokerLink::send_one(const broker::Request &req, int fd_in,
                                    std::chrono::steady_clock::time_point deadline,
                                    bool release) noexcept {
    for (;;) {
        if (send_now(fd_, req, fd_in))
            return Io::ok;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return Io::lost;
        if (Io w = wait_for(POLLOUT, deadline, release); w != Io::ok)
            return w;
    }
}

bool BrokerLink::flush_until(std::chrono::steady_clock::time_point deadline,
                             bool release) noexcept {
    while (kept_n_ != 0) {
        if (!connected() || ::getpid() != pid_) {
            drop_kept();
            return true;
        }
        broker::Request r{};
        r.op = kept_[kept_head_].op;
        r.object_id = kept_[kept_head_].object_id;
        if (send_now(fd_, r, -1)) {
            kept_head_ = (kept_head_ + 1) % kMaxKept;
            --kept_n_;
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            drop();
            return false;
        }
        // Another thread's post may send some of them meanwhile (release).
        Io w = ms_until(deadline) > 0 ? wait_for(POLLOUT, deadline, release) : Io::timeout;
        if (w != Io::ok)
            return false;
    }
    return true;
}

bool BrokerLink::flush(int wait_ms) noexcept {
    return flush_until(after_ms(wait_ms), false);
}

BrokerLink::Io BrokerLink::round_trip(const broker::Request &req, int fd_in, void *buf,
                                      std::size_t len, int &fd_out, std::size_t &got,
                                      bool release) noexcept {
    fd_out = -1;
    if (!flush_until(after_ms(kReplyTimeoutMs), release))
        return connected() ? Io::timeout : Io::lost;
    if (!connected())
        return Io::lost;
    Io s = send_one(req, fd_in, after_ms(kReplyTimeoutMs), release);
    if (s == Io::ok)
        s = wait_for(POLLIN, after_ms(kReplyTimeoutMs), release);
    if (s == Io::timeout)
        return Io::timeout;
    if (s == Io::lost || !recv_now(fd_, buf, len, fd_out, got))
        return Io::lost;
    return Io::ok;
}

std::expected<std::size_t, Error> BrokerLink::exchange(const broker::Request &req, int fd_in,
                                                       void *buf, std::size_t len, int &fd_out) {
    fd_out = -1;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (auto c = ensure_connected(); !c)
            return std::unexpected(c.error());
        std::size_t got = 0;
        Io t = round_trip(req, fd_in, buf, len, fd_out, got, true);
        if (t == Io::lost) {
            drop(); // the broker is gone: find it again, once
            continue;
        }
        if (t == Io::timeout) {
            // A stopped or wedged broker: the call fails, never hangs. The
            // connection is out of step now, so it goes.
            drop();
            diag_once(Diag::broker_unreachable,
                      "posix backend: the broker at %s did not answer within %d ms",
                      where().c_str(), kReplyTimeoutMs);
            return std::unexpected(Error::not_enough_memory);
        }
        const auto *head = static_cast<const broker::Reply *>(buf);
        if (got < sizeof(broker::Reply) || head->magic != broker::kMagic) {
            if (fd_out >= 0)
                ::close(fd_out);
            fd_out = -1;
            drop();
            return std::unexpected(Error::invalid_parameter);
        }
        return got;
    }
    return std::unexpected(Error::not_enough_memory);
}

std::expected<BrokerAnswer, Error> BrokerLink::call(const broker::Request &req, int fd_in) {
    BrokerAnswer a;
    auto got = exchange(req, fd_in, &a.reply, sizeof a.reply, a.fd);
    if (!got)
        return std::unexpected(got.error());
    return a;
}

std::expected<void, Error> BrokerLink::list_batch(std::uint64_t cursor, broker::ListReply &out) {
    broker::Request req{};
    req.op = broker::Op::list;
    req.size = cursor;
    int fd = -1;
    auto got = exchange(req, -1, &out, sizeof out, fd);
    if (fd >= 0)
        ::close(fd);
    if (!got)
        return std::unexpected(got.error());
    std::size_t entries = (*got - sizeof out.head) / sizeof(broker::ListEntry);
    if (out.head.count > entries || out.head.count > broker::kListBatch)
        return std::unexpected(Error::invalid_parameter);
    if (out.head.error != 0)
        return std::unexpected(static_cast<Error>(out.head.error));
    return {};
}

bool BrokerLink::post(const broker::Request &req) noexcept {
    if (!connected() || ::getpid() != pid_)
        return true; // not connected here: the handle was never the new broker's
    if (kept_n_ == 0 || flush(0)) {
        if (send_now(fd_, req, -1))
            return true;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            drop();
            return false;
        }
    } else if (!connected()) {
        return false; // lost while sending the kept ones
    }
    if (kept_n_ == kMaxKept) {
        // The broker has not read for all of these: the connection goes,
        // which is the close that cannot be lost (the broker drops every
        // handle of it at the hang-up; the live ones are adopted anew).
        drop();
        return false;
    }
    kept_[(kept_head_ + kept_n_++) % kMaxKept] = {req.op, req.object_id};
    return false;
}

Error BrokerLink::adopt(const broker::Request &req, int fd) noexcept {
    if (!connected())
        return Error::not_enough_memory;
    broker::Reply r{};
    int extra = -1;
    std::size_t got = 0;
    bool ok = round_trip(req, fd, &r, sizeof r, extra, got, false) == Io::ok && got >= sizeof r;
    if (extra >= 0)
        ::close(extra); // a descriptor on a short reply too
    if (!ok) {
        drop(); // out of step with the broker: adopt again on a new connection
        return Error::not_enough_memory;
    }
    return static_cast<Error>(r.error);
}

std::expected<broker::Reply, Error> BrokerLink::status(std::string &where) {
    broker::Reply r{};
    if (connected() && ::getpid() == pid_) {
        broker::Request req{};
        req.op = broker::Op::status;
        where = where_;
        int extra = -1;
        std::size_t got = 0;
        bool ok = round_trip(req, -1, &r, sizeof r, extra, got, true) == Io::ok &&
                  got >= sizeof r && r.magic == broker::kMagic && r.error == 0;
        if (extra >= 0)
            ::close(extra);
        if (!ok) {
            drop();
            return std::unexpected(Error::file_not_found);
        }
        return r;
    }
    Address own = own_broker_address();
    where = address_text(own);
    int fd = -1;
    if (!explicit_socket() && (fd = try_connect(system_address())) >= 0)
        where = broker::kSystemSocket;
    else
        fd = try_connect(own);
    if (fd < 0)
        return std::unexpected(Error::file_not_found);
    bool ok = ask_status(fd, r) && r.error == 0;
    ::close(fd);
    if (!ok)
        return std::unexpected(Error::file_not_found);
    return r;
}

int BrokerLink::dup_socket() const noexcept {
    if (!connected() || ::getpid() != pid_)
        return -1;
    return ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
}

void BrokerLink::fork_prepare() noexcept {
    fork_fd_ = -1;
    // A reply on the connection is another thread's while it waits for one.
    if (!connected() || ::getpid() != pid_ || in_call_)
        return;
    // The broker's copy of our handles must not include ones closed here
    // whose close it has not read: a broker that is not reading gives the
    // child no connection, and the child adopts its own handles anew.
    if (!flush(0))
        return;
    broker::Request req{};
    req.op = broker::Op::fork;
    broker::Reply r{};
    std::size_t got = 0;
    int nfd = -1;
    Io t = round_trip(req, -1, &r, sizeof r, nfd, got, false);
    if (t != Io::ok) {
        drop();
        return;
    }
    if ((r.error != 0 || got < sizeof r) && nfd >= 0) {
        ::close(nfd);
        nfd = -1;
    }
    fork_fd_ = nfd;
}

void BrokerLink::fork_parent() noexcept {
    if (fork_fd_ >= 0)
        ::close(fork_fd_); // the child's connection: its end is the child's alone
    fork_fd_ = -1;
}

void BrokerLink::fork_child() noexcept {
    // The parent's connection is the parent's alone: kept open here, it
    // would keep the parent's handles alive after the parent ends (S24).
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    in_call_ = broken_ = false; // the parent's threads' (none here)
    drop_kept();                // the parent's (none: fork_prepare sent them)
    if (fork_fd_ >= 0) {
        // The broker made this connection with a copy of every handle:
        // the child holds its own references from the start (S20).
        fd_ = fork_fd_;
        fork_fd_ = -1;
        pid_ = ::getpid();
        ++epoch_;
    }
    // Otherwise the first call here connects anew and adopts (pid_ differs).
}

} // namespace rtshm::detail
