// SPDX-License-Identifier: MIT
// broker_link.hpp: this process's connection to rtshmd, the POSIX backend's
// broker (rtshmd/protocol.hpp).
//
// Exists apart from posix_backend.cpp so that finding, starting and
// re-connecting to the broker is one place and the backend only makes and
// maps objects. One connection per process; a fork child gets its own
// (fork_prepare), a process whose effective uid or gid changed makes a new
// one (the broker judges permissions by the connection's credentials), and
// a lost broker is found again (a new one started where that is ours to
// do) and told every live handle again (adopt), within a bounded time.
//
// Locking: every member is used under the backend's state lock, given to
// the constructor. A request with a reply (call, list_batch, status, adopt,
// install) is made under the backend's call lock too, taken before the
// state lock, so one thread at a time waits for a reply; call, list_batch
// and status release the state lock while they wait for the broker, so a
// close (post) or the watcher never waits behind another thread's round
// trip. adopt, and the fork request of fork_prepare, keep it throughout.
#pragma once

#include "core.hpp"
#include "pi_mutex.hpp"
#include "protocol.hpp"

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>

namespace rtshm::detail {

// A connection made with no lock held, to be installed under it.
struct FreshConnection {
    int fd = -1;
    std::string where;
};

// A reply and the descriptor that came with it (-1: none; the caller owns it).
struct BrokerAnswer {
    broker::Reply reply{};
    int fd = -1;
};

class BrokerLink {
public:
    explicit BrokerLink(PiMutex &state_lock) : state_mu_(state_lock) {}

    // Called on each new connection after the first, before any request on
    // it: the backend registers every live handle again (adopt()).
    void set_on_reconnect(std::function<void(BrokerLink &)> f) { on_reconnect_ = std::move(f); }

    // One request and its reply; a lost connection is re-made and the
    // request sent once more. fd_in: a descriptor to pass along (adopt).
    std::expected<BrokerAnswer, Error> call(const broker::Request &req, int fd_in = -1);
    // A request with no reply (close, commit, abort), in O(1) and without
    // waiting, as a close must be (a real-time call): a broker that is gone
    // is not looked for, and one that does not read (stopped, starved) gets
    // the post kept, in order, to be sent before anything else on the
    // connection. false: the watcher must act (wake it): send the kept
    // posts once the broker reads again (has_kept), or, if more than
    // kMaxKept were kept, adopt the live handles on a new connection (this
    // one was dropped; the broker drops its handles with it).
    [[nodiscard]] bool post(const broker::Request &req) noexcept;
    // Sends the kept posts, waiting at most wait_ms for room in the
    // broker's queue. true: none is left.
    bool flush(int wait_ms) noexcept;
    bool has_kept() const noexcept { return kept_n_ != 0; }
    // One batch of `rtshm ls` from cursor (a list reply is larger than a Reply).
    std::expected<void, Error> list_batch(std::uint64_t cursor, broker::ListReply &out);
    // Whether a request or post on the current connection reaches the broker
    // that answered an earlier one with this epoch (same connection).
    std::uint64_t epoch() const noexcept { return epoch_; }
    // Sends adopt for one live handle on the current connection (from
    // on_reconnect, or when a create/open's connection was lost meanwhile).
    Error adopt(const broker::Request &req, int fd) noexcept;

    // Where the broker is, or would be looked for.
    std::string where() const;
    // Op::status, on the connection or a one-off one; never starts a broker.
    // where: the address asked.
    std::expected<broker::Reply, Error> status(std::string &where);
    bool connected() const noexcept { return fd_ >= 0 && !broken_; }

    // A duplicate of the connection's socket, for a watcher to poll for the
    // broker's end (-1: not connected in this process).
    int dup_socket() const noexcept;
    // Whether this process has a connection made with its credentials.
    bool ready_here() const noexcept;
    // Finds (or starts) the broker and connects; bounded (a few seconds).
    // Needs no lock: the backend calls it with none held, so a broker that
    // is away holds up neither the process's other calls nor fork().
    static std::expected<FreshConnection, Error> connect_fresh();
    // Makes fc the connection (adopting every live handle on it), unless
    // the process has a usable one already. Under the backend's lock.
    void install(FreshConnection fc);
    // The broker hung up: forget the connection.
    void hang_up() noexcept { drop(); }

    // Under the state lock, before fork(); without the call lock, so a fork
    // never waits for another thread's round trip: while one is under way
    // the child gets no copy of the connection and adopts its own handles.
    void fork_prepare() noexcept;
    void fork_parent() noexcept;
    void fork_child() noexcept;

private:
    enum class Io { ok, timeout, lost }; // timeout: no room, or no reply, in time

    std::expected<void, Error> ensure_connected();
    // call() into buf (len bytes, at least a Reply); fd_out: a descriptor that came along.
    std::expected<std::size_t, Error> exchange(const broker::Request &req, int fd_in, void *buf,
                                               std::size_t len, int &fd_out);
    // One request and its reply on the connection, the kept posts first;
    // release: the state lock is released while it waits (the caller holds
    // the call lock). Io::lost leaves the connection closed or to drop().
    Io round_trip(const broker::Request &req, int fd_in, void *buf, std::size_t len, int &fd_out,
                  std::size_t &got, bool release) noexcept;
    bool flush_until(std::chrono::steady_clock::time_point deadline, bool release) noexcept;
    Io send_one(const broker::Request &req, int fd_in,
                std::chrono::steady_clock::time_point deadline, bool release) noexcept;
    // poll() for events until deadline; with release, the state lock is
    // released meanwhile and a connection dropped meanwhile is closed here.
    Io wait_for(short events, std::chrono::steady_clock::time_point deadline,
                bool release) noexcept;
    std::string where_; // the address of the connection
    // Forgets the connection: shut down at once (the broker sees the end
    // although a duplicate is open), and closed, or, while a call waits on
    // it with the state lock released, closed by that call.
    void drop() noexcept;

    void drop_kept() noexcept { kept_head_ = kept_n_ = 0; }

    // Posts the broker's queue could not take yet: a ring, allocated once.
    struct KeptPost {
        broker::Op op;
        std::uint64_t object_id;
    };
    static constexpr std::size_t kMaxKept = 4096;
    std::unique_ptr<KeptPost[]> kept_{new KeptPost[kMaxKept]};
    std::size_t kept_head_ = 0;
    std::size_t kept_n_ = 0;

    PiMutex &state_mu_;
    int fd_ = -1;
    bool in_call_ = false; // a call waits on fd_ with the state lock released
    bool broken_ = false;  // fd_ is shut down, for that call to close
    int fork_fd_ = -1;     // between fork_prepare and fork_parent/child
    pid_t pid_ = 0;        // the process the connection belongs to
    uid_t euid_ = 0;       // the credentials it was made with
    gid_t egid_ = 0;
    std::uint64_t epoch_ = 0;
    bool ever_connected_ = false;
    std::function<void(BrokerLink &)> on_reconnect_;
};

} // namespace rtshm::detail
