// SPDX-License-Identifier: MIT
// broker_ops.cpp: list, fork, adopt and status.
#include "broker.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

namespace rtshm::broker {

void Broker::op_list(Connection &c, const Request &req) {
    auto visible = [&](const Object &o) {
        return o.state == Object::State::live &&
               (c.creds.uid == 0 || c.creds.uid == o.uid || permitted(c.creds, o, false));
    };
    auto out = std::make_unique<ListReply>(); // 34 KiB: not on the stack
    std::uint32_t n = 0;
    std::uint64_t next = 0;
    // Ordered by id, the cursor being the first id still to report: stable
    // while objects come and go between batches.
    for (auto it = objects_.lower_bound(req.size); it != objects_.end(); ++it) {
        const Object &o = *it->second;
        if (!visible(o))
            continue;
        if (n == kListBatch) {
            next = o.id;
            break;
        }
        ListEntry &e = out->entries[n++];
        e.id = o.id;
        e.size = o.logical;
        e.alloc = o.alloc;
        e.handles = static_cast<std::uint32_t>(std::min<std::uint64_t>(o.handles, UINT32_MAX));
        e.uid = o.uid;
        e.gid = o.gid;
        e.mode = o.mode;
        e.creator_pid = o.creator_pid;
        e.type = o.type;
        e.read_only = o.read_only ? 1 : 0;
        e.name_len = static_cast<std::uint32_t>(o.name.size());
        std::memcpy(e.name, o.name.data(), o.name.size());
    }
    out->head.size = next;
    out->head.count = n;
    if (c.dead)
        return;
    if (!send_datagram(c.fd.get(), out.get(), offsetof(ListReply, entries) + n * sizeof(ListEntry)))
        kill(c);
}

void Broker::op_fork(Connection &c) {
    if (conns_.size() >= limits_.connections)
        return reply_error(c, Error::not_enough_memory);
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return reply_error(c, error_from_errno(errno));
    UniqueFd ours(sv[0]);
    UniqueFd theirs(sv[1]);
    // Only our end is non-blocking: the flag belongs to the open file,
    // which the child receives as it is.
    if (::fcntl(ours.get(), F_SETFL, O_NONBLOCK) != 0)
        return reply_error(c, error_from_errno(errno));
    // The socketpair's SO_PEERCRED would be the broker's own: the child
    // speaks with the parent's credentials (it is its fork).
    std::uint64_t child_id = add_connection(std::move(ours), c.creds);
    if (child_id == 0)
        return reply_error(c, Error::not_enough_memory);
    Connection &child = *conns_.at(child_id);
    // The child holds what the parent holds; a pending object stays the
    // parent's to commit or abort.
    for (auto [id, count] : c.handles) {
        Object *o = find_object(id);
        if (o == nullptr || o->state != Object::State::live)
            continue;
        child.handles[id] += count;
        child.handle_total += count;
        o->handles += count;
    }
    reply(c, Reply{}, theirs.get());
}

void Broker::op_adopt(Connection &c, const Request &req, UniqueFd fd) {
    constexpr std::uint32_t known = kReadOnly | kWrite;
    if (!fd || req.name_len < 1 || req.name_len > kMaxName || (req.flags & ~known) != 0 ||
        req.type < 1 || req.type > 4 || req.mode > 0777 || req.size == 0)
        return bad_request(c, true);
    struct stat st {};
    int seals = ::fcntl(fd.get(), F_GET_SEALS);
    int acc = ::fcntl(fd.get(), F_GETFL);
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || seals < 0 ||
        (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW) ||
        static_cast<std::uint64_t>(st.st_size) < req.size || acc < 0 ||
        ((acc & O_ACCMODE) != O_RDWR && (acc & O_ACCMODE) != O_RDONLY))
        return bad_request(c, true);
    if (c.handle_total >= limits_.handles_per_connection)
        return reply_error(c, Error::not_enough_memory);
    std::string name(req.name, req.name_len);
    if (auto it = names_.find(name); it != names_.end()) {
        // No two objects ever answer to one name: only the same inode joins.
        Object &o = *it->second;
        if (o.state != Object::State::live || o.dev != st.st_dev || o.ino != st.st_ino)
            return reply_error(c, Error::already_exists);
        add_handle(c, o);
        return reply(c, Reply{});
    }
    bool owner_claim = c.creds.uid == 0 || c.creds.uid == req.uid;
    if (!uid_quota(owner_claim ? req.uid : c.creds.uid))
        return reply_error(c, Error::not_enough_memory);
    auto obj = std::make_unique<Object>();
    obj->id = req.object_id != 0 && !objects_.contains(req.object_id) ? req.object_id : fresh_id();
    obj->name = std::move(name);
    obj->type = req.type;
    obj->logical = req.size;
    obj->alloc = static_cast<std::uint64_t>(st.st_size);
    obj->mode = req.mode;
    obj->uid = owner_claim ? req.uid : c.creds.uid;
    obj->gid = owner_claim ? req.gid : c.creds.gid;
    obj->creator_pid = req.creator_pid;
    obj->read_only = (req.flags & kReadOnly) != 0;
    obj->state = Object::State::live;
    obj->dev = st.st_dev;
    obj->ino = st.st_ino;
    if ((acc & O_ACCMODE) == O_RDWR) {
        obj->rw = std::move(fd);
    } else {
        // The broker created the inode (0600, its uid): it may reopen it
        // read-write; if not, the object serves read-only views only.
        std::string path = "/proc/self/fd/" + std::to_string(fd.get());
        obj->rw.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
        obj->ro = std::move(fd);
    }
    if (obj->rw && (seals & F_SEAL_SEAL) == 0) {
        int more = obj->read_only ? (F_SEAL_WRITE | F_SEAL_SEAL) : F_SEAL_SEAL;
        (void)::fcntl(obj->rw.get(), F_ADD_SEALS, more); // best effort: as at commit
    }
    Object &o = insert(std::move(obj));
    add_handle(c, o);
    reply(c, Reply{});
}

void Broker::op_status(Connection &c) {
    Reply r{};
    r.pid = static_cast<std::int32_t>(::getpid());
    r.flags = system_ ? std::uint32_t{kSystem} : 0u;
    r.count = static_cast<std::uint32_t>(objects_.size() - pending_.size());
    r.connections = static_cast<std::uint32_t>(conns_.size());
    reply(c, r);
}

} // namespace rtshm::broker
