// SPDX-License-Identifier: MIT
// broker_create.cpp: create, open, close, commit and abort (rules S5-S9,
// S29, S30, S32 as the file-based POSIX backend applied them).
#include "broker.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace rtshm::broker {

namespace {

constexpr std::uint32_t kMaxType = 4;  // RTSHM_TYPE_* (S29)
constexpr std::size_t kLabelMax = 200; // memfd names are cut at 249 bytes

std::uint64_t page_round(std::uint64_t n) {
    auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    return (n + page - 1) / page * page;
}

bool valid_common(const Request &req) {
    return req.name_len >= 1 && req.name_len <= kMaxName && (req.flags & ~kKnownFlags) == 0 &&
           req.type >= 1 && req.type <= kMaxType;
}

} // namespace

void Broker::op_create(Connection &c, const Request &req) {
    if (!valid_common(req) || req.size == 0 || req.mode > 0777)
        return bad_request(c, true);
    if (req.size > limits_.max_size)
        return reply_error(c, Error::not_enough_memory);
    std::string name(req.name, req.name_len);
    auto it = catch_up(name, c);
    if (it == names_.end())
        return create_new(c, req, name);
    Object &o = *it->second;
    if (o.state == Object::State::pending) {
        // One creator at a time (S30): the client asks again shortly. Not
        // queued here: the client holds its connection while it waits for a
        // reply, so its own process's commit could not come through.
        return reply_error(c, static_cast<Error>(kErrorPending));
    }
    create_existing(c, req, o);
}

void Broker::create_new(Connection &c, const Request &req, const std::string &name) {
    if (!uid_quota(c.creds.uid) || c.handle_total >= limits_.handles_per_connection)
        return reply_error(c, Error::not_enough_memory);
    std::string label = "rtshm:" + name.substr(0, kLabelMax);
    UniqueFd fd(::memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!fd)
        return reply_error(c, error_from_errno(errno));
    std::uint64_t alloc = page_round(req.size);
    struct stat st {};
    // No fallocate, no write: the creator allocates the pages, so a huge
    // create costs the broker nothing. 0600: a read-only descriptor cannot
    // be reopened read-write through /proc/self/fd by a client.
    if (::ftruncate(fd.get(), static_cast<off_t>(alloc)) != 0 || ::fchmod(fd.get(), 0600) != 0 ||
        ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0 ||
        ::fstat(fd.get(), &st) != 0)
        return reply_error(c, error_from_errno(errno));
    auto obj = std::make_unique<Object>();
    obj->id = fresh_id();
    obj->name = name;
    obj->type = req.type;
    obj->logical = req.size;
    obj->alloc = alloc;
    // 0: the library's default mode, as CreateOptions says.
    obj->mode = req.mode == 0 ? rtshm::detail::default_mode : req.mode;
    obj->uid = c.creds.uid;
    obj->gid = c.creds.gid;
    obj->creator_pid = c.creds.pid;
    obj->read_only = (req.flags & kReadOnly) != 0;
    obj->state = Object::State::pending;
    obj->creator_conn = c.id;
    obj->rw = std::move(fd);
    obj->dev = st.st_dev;
    obj->ino = st.st_ino;
    Object &o = insert(std::move(obj));
    add_handle(c, o);
    Reply r{};
    fill(r, o, req.size, true);
    r.flags |= kCreated; // also for a read-only object: the creator fills it
    reply(c, r, o.rw.get());
}

void Broker::create_existing(Connection &c, const Request &req, Object &o) {
    bool want_write = (req.flags & kReadOnly) == 0;
    if ((req.flags & kExclusive) != 0)
        return reply_error(c, Error::already_exists);
    if (o.type != req.type)
        return reply_error(c, Error::invalid_handle);
    if (want_write && o.read_only)
        return reply_error(c, Error::access_denied);
    if (req.size > o.logical || ((req.flags & kExactSize) != 0 && req.size != o.logical))
        return reply_error(c, Error::invalid_parameter);
    if (!permitted(c.creds, o, false))
        return reply_error(c, Error::access_denied);
    bool shrink = req.size < o.logical;
    std::uint64_t view = o.logical;
    if ((want_write || shrink) && !permitted(c.creds, o, true)) {
        if (want_write)
            return reply_error(c, Error::access_denied);
        // S7: shrinking needs write; a reader gets a view of the smaller
        // size and the object keeps its own.
        shrink = false;
        view = req.size;
    }
    if (want_write && !o.rw)
        return reply_error(c, Error::access_denied); // adopted from a read-only fd
    if (c.handle_total >= limits_.handles_per_connection)
        return reply_error(c, Error::not_enough_memory);
    int fd = want_write ? o.rw.get() : read_only_fd(o);
    if (fd < 0)
        return reply_error(c, error_from_errno(errno));
    if (shrink) {
        o.logical = req.size; // S7: never truncated, later views map less
        view = req.size;
    }
    add_handle(c, o);
    Reply r{};
    fill(r, o, view, want_write);
    reply(c, r, fd);
}

Broker::NameTable::iterator Broker::catch_up(const std::string &name, Connection &c) {
    auto it = names_.find(name);
    if (it == names_.end() || draining_)
        return it;
    // What its holders sent before this request (a close, a commit, their
    // end: async, no reply) must count first, or a process told of it by
    // another (waitpid, a pipe) could still find the object, or not find it
    // committed. The epoll order of two sockets does not say which came
    // first, so their sockets are read now. Bounded: the object's holders.
    Object &o = *it->second;
    std::vector<std::uint64_t> conns(o.holders.begin(), o.holders.end());
    if (o.state == Object::State::pending)
        conns.push_back(o.creator_conn);
    draining_ = true;
    for (std::uint64_t id : conns)
        if (id != c.id)
            readable(id);
    draining_ = false;
    return names_.find(name);
}

void Broker::op_open(Connection &c, const Request &req) {
    if (!valid_common(req))
        return bad_request(c, true);
    std::string name(req.name, req.name_len);
    auto it = catch_up(name, c);
    // A pending object is not there yet: its create has not returned.
    if (it == names_.end() || it->second->state == Object::State::pending)
        return reply_error(c, Error::file_not_found);
    Object &o = *it->second;
    bool write = (req.flags & kWrite) != 0;
    if (o.type != req.type)
        return reply_error(c, Error::invalid_handle);
    if (write && (o.read_only || !o.rw))
        return reply_error(c, Error::access_denied);
    if (!permitted(c.creds, o, write))
        return reply_error(c, Error::access_denied);
    if (c.handle_total >= limits_.handles_per_connection)
        return reply_error(c, Error::not_enough_memory);
    int fd = write ? o.rw.get() : read_only_fd(o);
    if (fd < 0)
        return reply_error(c, error_from_errno(errno));
    add_handle(c, o);
    Reply r{};
    fill(r, o, o.logical, write);
    reply(c, r, fd);
}

void Broker::op_close(Connection &c, std::uint64_t id) {
    // An id this connection holds no handle of is ignored: close has no reply.
    if (!c.handles.contains(id))
        return;
    if (Object *o = find_object(id))
        drop_handle(c, *o, 1);
}

void Broker::op_commit(Connection &c, std::uint64_t id) {
    Object *o = find_object(id);
    if (o == nullptr || o->state != Object::State::pending || o->creator_conn != c.id)
        return bad_request(c, false);
    // A read-only object's pages become immutable; F_SEAL_WRITE fails
    // (EBUSY) while a writable mapping exists: the object is dropped then.
    int seals = o->read_only ? (F_SEAL_WRITE | F_SEAL_SEAL) : F_SEAL_SEAL;
    if (::fcntl(o->rw.get(), F_ADD_SEALS, seals) != 0)
        return op_abort(c, id);
    o->state = Object::State::live;
    pending_.erase(o);
}

void Broker::op_abort(Connection &c, std::uint64_t id) {
    Object *o = find_object(id);
    if (o == nullptr || o->state != Object::State::pending || o->creator_conn != c.id)
        return bad_request(c, false);
    auto it = c.handles.find(id);
    drop_handle(c, *o, it == c.handles.end() ? 0 : it->second); // destroys o
}

} // namespace rtshm::broker
