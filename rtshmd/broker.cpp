// SPDX-License-Identifier: MIT
// broker.cpp: connections of rtshmd: registration, request dispatch in
// order, and teardown.
#include "broker.hpp"

#include <sys/epoll.h>

#include <cerrno>
#include <utility>

namespace rtshm::broker {

namespace {

// At most this many datagrams per connection per wakeup, so one busy client
// cannot starve the others; more than a connection's socket buffer holds
// (~90 requests), so a client's closes are all seen before a request that
// another process sends after them (S23).
constexpr int kBurst = 256;

bool needs_reply(Op op) {
    return op != Op::close && op != Op::commit && op != Op::abort;
}

bool known_op(Op op) {
    auto v = static_cast<std::uint32_t>(op);
    return v >= static_cast<std::uint32_t>(Op::create) &&
           v <= static_cast<std::uint32_t>(Op::status);
}

} // namespace

Broker::Broker(int epoll_fd, bool system, Limits limits)
    : epoll_fd_(epoll_fd), system_(system), limits_(limits) {}

Broker::~Broker() = default;

std::uint64_t Broker::add_connection(UniqueFd fd, Creds creds) {
    if (conns_.size() >= limits_.connections)
        return 0;
    auto c = std::make_unique<Connection>();
    c->id = next_conn_++;
    c->creds = std::move(creds);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = c->id;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd.get(), &ev) != 0)
        return 0;
    c->fd = std::move(fd);
    std::uint64_t id = c->id;
    conns_.emplace(id, std::move(c));
    return id;
}

Connection *Broker::find_conn(std::uint64_t id) {
    auto it = conns_.find(id);
    return it == conns_.end() || it->second->dead ? nullptr : it->second.get();
}

Object *Broker::find_object(std::uint64_t id) {
    auto it = objects_.find(id);
    return it == objects_.end() ? nullptr : it->second.get();
}

void Broker::reply(Connection &c, const Reply &r, int fd) {
    if (c.dead)
        return;
    // A client that stopped reading loses its connection, not our time.
    if (!send_datagram(c.fd.get(), &r, sizeof r, fd))
        kill(c);
}

void Broker::reply_error(Connection &c, Error e) {
    Reply r{};
    r.error = static_cast<std::uint32_t>(e);
    reply(c, r);
}

void Broker::bad_request(Connection &c, bool reply_due) {
    if (reply_due)
        reply_error(c, Error::invalid_parameter);
    if (++c.bad >= limits_.bad_requests)
        kill(c);
}

void Broker::readable(std::uint64_t id) {
    for (int i = 0; i < kBurst; ++i) {
        Connection *c = find_conn(id);
        if (c == nullptr)
            return;
        Request req;
        UniqueFd passed;
        switch (receive_request(c->fd.get(), req, passed)) {
        case RecvStatus::again:
            return;
        case RecvStatus::closed:
            kill(*c);
            return;
        case RecvStatus::malformed:
            req.magic = 0; // answered invalid_parameter by dispatch
            break;
        case RecvStatus::ok:
            break;
        }
        dispatch(*c, req, std::move(passed));
    }
}

void Broker::hangup(std::uint64_t id) {
    if (Connection *c = find_conn(id))
        kill(*c);
}

void Broker::dispatch(Connection &c, Request &req, UniqueFd passed) {
    if (req.magic != kMagic || !known_op(req.op))
        return bad_request(c, true);
    if (req.op != Op::adopt)
        passed.reset(); // a descriptor only adopt may carry: never kept
    if (req.name_len > kMaxName)
        return bad_request(c, needs_reply(req.op));
    switch (req.op) {
    case Op::create:
        return op_create(c, req);
    case Op::open:
        return op_open(c, req);
    case Op::close:
        return op_close(c, req.object_id);
    case Op::commit:
        return op_commit(c, req.object_id);
    case Op::abort:
        return op_abort(c, req.object_id);
    case Op::list:
        return op_list(c, req);
    case Op::fork:
        return op_fork(c);
    case Op::adopt:
        return op_adopt(c, req, std::move(passed));
    case Op::status:
        return op_status(c);
    }
}

void Broker::kill(Connection &c) {
    if (!c.dead) {
        c.dead = true;
        dead_.push_back(c.id);
        // Its handles go now, not at the end of the round: a process that
        // saw this one die (waitpid) and then asks for the name must find
        // it gone (S23, S24), even when its request is in the same round.
        drop_all_handles(c);
    }
}

void Broker::settle() {
    while (!dead_.empty()) {
        std::uint64_t id = dead_.back();
        dead_.pop_back();
        auto it = conns_.find(id);
        if (it == conns_.end())
            continue;
        std::unique_ptr<Connection> c = std::move(it->second);
        conns_.erase(it);
        close_connection(*c);
    }
}

void Broker::close_connection(Connection &c) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd.get(), nullptr);
    c.fd.reset();
    drop_all_handles(c);
}

void Broker::drop_all_handles(Connection &c) {
    // Every handle goes (the process died or closed its link); a pending
    // object it created is aborted, its name free again.
    auto handles = std::move(c.handles);
    c.handles.clear();
    for (auto [id, count] : handles)
        if (Object *o = find_object(id))
            drop_handle(c, *o, count);
}

} // namespace rtshm::broker
