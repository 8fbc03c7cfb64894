// SPDX-License-Identifier: MIT
// broker_table.cpp: the object table: ids, handle counts, end of life.
#include "broker.hpp"

#include <fcntl.h>
#include <sys/random.h>

#include <cerrno>
#include <string>

namespace rtshm::broker {

std::uint64_t Broker::fresh_id() const {
    static std::uint64_t fallback = 0x9e3779b97f4a7c15ull;
    for (;;) {
        std::uint64_t id = 0;
        if (::getrandom(&id, sizeof id, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof id))
            id = (fallback += 0x9e3779b97f4a7c15ull) ^ static_cast<std::uint64_t>(::getpid());
        if (id != 0 && !objects_.contains(id))
            return id;
    }
}

bool Broker::uid_quota(uid_t uid) const {
    auto it = per_uid_.find(uid);
    return it == per_uid_.end() || it->second < limits_.objects_per_uid;
}

Object &Broker::insert(std::unique_ptr<Object> o) {
    Object &ref = *o;
    names_[ref.name] = &ref;
    per_uid_[ref.uid]++;
    if (ref.state == Object::State::pending)
        pending_.insert(&ref);
    objects_.emplace(ref.id, std::move(o));
    return ref;
}

bool Broker::add_handle(Connection &c, Object &o) {
    if (c.handle_total >= limits_.handles_per_connection)
        return false;
    c.handles[o.id]++;
    c.handle_total++;
    o.handles++;
    o.holders.insert(c.id);
    return true;
}

void Broker::drop_handle(Connection &c, Object &o, std::uint32_t count) {
    if (auto it = c.handles.find(o.id); it != c.handles.end()) {
        it->second = it->second > count ? it->second - count : 0;
        if (it->second == 0) {
            c.handles.erase(it);
            o.holders.erase(c.id);
        }
    } else {
        o.holders.erase(c.id); // drop_all_handles moved c.handles away first
    }
    c.handle_total = c.handle_total > count ? c.handle_total - count : 0;
    o.handles = o.handles > count ? o.handles - count : 0;
    // The creator leaving a pending object aborts it; the last handle of a
    // live one ends it (the kernel frees the pages with the last mapping).
    if ((o.state == Object::State::pending && o.creator_conn == c.id) || o.handles == 0)
        destroy(o);
}

void Broker::destroy(Object &o) {
    if (auto it = names_.find(o.name); it != names_.end() && it->second == &o)
        names_.erase(it);
    pending_.erase(&o);
    if (auto it = per_uid_.find(o.uid); it != per_uid_.end() && --it->second == 0)
        per_uid_.erase(it);
    objects_.erase(o.id); // closes the descriptors
}

int Broker::read_only_fd(Object &o) {
    if (o.ro)
        return o.ro.get();
    if (!o.rw) {
        errno = EACCES;
        return -1;
    }
    // The broker owns the inode (0600), so it may reopen it; clients cannot.
    std::string path = "/proc/self/fd/" + std::to_string(o.rw.get());
    o.ro.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    return o.ro.get();
}

void Broker::fill(Reply &r, const Object &o, std::uint64_t view, bool writable) const {
    r.error = 0;
    r.object_id = o.id;
    r.size = view;
    r.alloc = o.alloc;
    r.flags = writable ? std::uint32_t{kWritable} : 0u;
    r.uid = o.uid;
    r.gid = o.gid;
    r.mode = o.mode;
    r.creator_pid = o.creator_pid;
    r.read_only = o.read_only ? 1 : 0;
}

} // namespace rtshm::broker
