// SPDX-License-Identifier: MIT
// broker.hpp: rtshmd's state: connections, the name table and the object
// operations of protocol.hpp. Single-threaded; the event loop (main.cpp)
// calls in when a connection is readable, hung up, or time passes.
#pragma once

#include "connection.hpp"
#include "object.hpp"
#include "protocol.hpp"
#include "unique_fd.hpp"

#include "core.hpp"
#include "errno_map.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace rtshm::broker {

using rtshm::detail::Error;
using Clock = std::chrono::steady_clock;

struct Limits {
    std::size_t connections = 4096;
    std::uint64_t handles_per_connection = 65536;
    std::uint32_t objects_per_uid = 16384;
    std::uint64_t max_size = 1ull << 40; // 1 TiB: beyond, not_enough_memory
    unsigned bad_requests = 64;          // then the connection is closed
};

class Broker {
    using NameTable = std::unordered_map<std::string, Object *>;

public:
    Broker(int epoll_fd, bool system, Limits limits = {});
    Broker(const Broker &) = delete;
    Broker &operator=(const Broker &) = delete;
    ~Broker();

    // Registers an accepted (or forked) connection with the event loop.
    // Refused (fd closed): over the connection limit, or epoll failed.
    // Returns the connection's id, 0 if refused.
    std::uint64_t add_connection(UniqueFd fd, Creds creds);
    void readable(std::uint64_t conn);
    void hangup(std::uint64_t conn);
    // Closes the connections that died. Call after each round of events.
    void settle();

    std::size_t connection_count() const { return conns_.size(); }
    std::size_t object_count() const { return objects_.size(); }

private:
    Connection *find_conn(std::uint64_t id);
    Object *find_object(std::uint64_t id);
    void dispatch(Connection &c, Request &req, UniqueFd passed);
    void bad_request(Connection &c, bool reply_due);
    void reply(Connection &c, const Reply &r, int fd = -1);
    void reply_error(Connection &c, Error e);
    void reap();
    void kill(Connection &c); // dead from now on, reaped in settle()
    void close_connection(Connection &c);
    void drop_all_handles(Connection &c);

    // create (broker_create.cpp)
    void op_create(Connection &c, const Request &req);
    void create_new(Connection &c, const Request &req, const std::string &name);
    void create_existing(Connection &c, const Request &req, Object &o);
    void op_open(Connection &c, const Request &req);
    // The object of that name after its holders' queued messages (close,
    // commit, hang-up) are taken.
    NameTable::iterator catch_up(const std::string &name, Connection &c);
    void op_close(Connection &c, std::uint64_t id);
    void op_commit(Connection &c, std::uint64_t id);
    void op_abort(Connection &c, std::uint64_t id);

    // other ops (broker_ops.cpp)
    void op_list(Connection &c, const Request &req);
    void op_fork(Connection &c);
    void op_adopt(Connection &c, const Request &req, UniqueFd fd);
    void op_status(Connection &c);

    // handles and object lifetime (broker_table.cpp)
    bool add_handle(Connection &c, Object &o);
    void drop_handle(Connection &c, Object &o, std::uint32_t count = 1);
    void destroy(Object &o);
    int read_only_fd(Object &o); // -1: errno says why
    std::uint64_t fresh_id() const;
    void fill(Reply &r, const Object &o, std::uint64_t view, bool writable) const;
    bool uid_quota(uid_t uid) const;
    Object &insert(std::unique_ptr<Object> o);

    int epoll_fd_;
    bool system_;
    Limits limits_;
    std::uint64_t next_conn_ = 16; // below: the event loop's own descriptors
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> conns_;
    std::map<std::uint64_t, std::unique_ptr<Object>> objects_; // by id, ordered for list
    NameTable names_;
    std::unordered_set<Object *> pending_;
    std::unordered_map<uid_t, std::uint32_t> per_uid_;
    std::vector<std::uint64_t> dead_; // connections to reap
    bool draining_ = false;           // catch_up is reading holders' sockets
};

// Win32 code for an errno, as the library maps it (libuser/src/errno_map.cpp).
using rtshm::detail::error_from_errno;

} // namespace rtshm::broker
