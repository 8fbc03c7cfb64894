// SPDX-License-Identifier: MIT
// protocol.hpp: the wire format between librtshm's POSIX backend and rtshmd.
//
// Exists apart from both sides so that the client (libuser/src/broker_*.cpp),
// the broker (rtshmd/) and the fuzz test agree on one definition.
//
// One SOCK_SEQPACKET connection per process (a fork child gets its own, see
// Op::fork). Every message is one datagram: a Request from the client, a Reply
// from the broker, fixed layout, host byte order (both ends are one machine).
// A reply may carry one descriptor (SCM_RIGHTS): the object's memfd.
// Requests are answered in order, one reply each, except close and commit,
// which have none (the client does not wait for them).
//
// The broker decides permissions from SO_PEERCRED / SO_PEERGROUPS of the
// connection, never from a field of the request.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rtshm::broker {

inline constexpr std::uint32_t kMagic = 0x31425452; // "RTB1"
inline constexpr std::uint32_t kMaxName = 1024;     // bytes of UTF-8, as the C++ API
inline constexpr std::uint32_t kListBatch = 32;     // ListEntry per list reply

enum class Op : std::uint32_t {
    // A named object: the existing one (rules S5-S9, S29) or a new one.
    // Reply: the memfd, its id, the view's size and flags. A new object is
    // *pending* (flag created): the creator allocates its pages
    // (fallocate) and then sends commit; until then, a racing create of the
    // name waits and an open gets file_not_found (it ran before the create).
    create = 1,
    open = 2,   // Reply: the memfd (O_RDONLY for a read-only view), id, size
    close = 3,  // object_id: drop one handle of this connection. No reply
    commit = 4, // object_id: the creator's pages are in place. No reply
    abort = 5,  // object_id: the creator could not allocate; drop it. No reply
    list = 6,   // cursor in `size`: reply with up to kListBatch entries
    fork = 7,   // reply carries a new connection holding a copy of every handle
    adopt = 8,  // after a broker restart: request carries the object's memfd
    status = 9, // the broker's pid, mode, counts
};

// Reply::error of a create whose name is pending (its creator is still
// allocating): the client asks again a little later, without holding the
// connection, so its own process's commit is not held up behind it (S30).
inline constexpr std::uint32_t kErrorPending = 0xffff0001u;

// Request::flags
// windows personality: an existing object must match
inline constexpr std::uint32_t kExactSize = 1u << 0;
// create: a read-only object; adopt: the object is read-only
inline constexpr std::uint32_t kReadOnly = 1u << 1;
// create: an existing name is already_exists (S32)
inline constexpr std::uint32_t kExclusive = 1u << 2;
// open, adopt: a read-write view
inline constexpr std::uint32_t kWrite = 1u << 3;
inline constexpr std::uint32_t kKnownFlags = kExactSize | kReadOnly | kExclusive | kWrite;

struct Request {
    std::uint32_t magic = kMagic;
    Op op{};
    std::uint64_t size = 0;       // create: bytes; list: cursor; adopt: logical size
    std::uint64_t object_id = 0;  // close, commit, abort, adopt
    std::uint32_t flags = 0;      // kExactSize...
    std::uint32_t mode = 0;       // create, adopt: permission bits (<= 0777)
    std::uint32_t type = 1;       // RTSHM_TYPE_* (S29)
    std::uint32_t name_len = 0;   // create, open, adopt
    std::uint32_t uid = 0;        // adopt: the owner the object had
    std::uint32_t gid = 0;        // adopt
    std::int32_t creator_pid = 0; // adopt
    std::uint32_t reserved = 0;
    char name[kMaxName]{};
};

// Reply::flags
// this call made the object: commit or abort follows
inline constexpr std::uint32_t kCreated = 1u << 0;
// the descriptor and view are read-write
inline constexpr std::uint32_t kWritable = 1u << 1;
// status: a system broker shared by every user
inline constexpr std::uint32_t kSystem = 1u << 2;

struct Reply {
    std::uint32_t magic = kMagic;
    std::uint32_t error = 0;       // Win32 code (rtshm::detail::Error), 0: success
    std::uint64_t object_id = 0;   // create, open
    std::uint64_t size = 0;        // create, open: the view's bytes; list: next cursor (0: end)
    std::uint64_t alloc = 0;       // create, open: bytes of the memfd
    std::uint32_t flags = 0;       // kCreated...
    std::uint32_t count = 0;       // list: entries that follow; status: live objects
    std::int32_t pid = 0;          // status: the broker's pid
    std::uint32_t connections = 0; // status
    // create, open: what a client re-registers (adopt) after a broker restart
    std::uint32_t uid = 0; // the object's owner
    std::uint32_t gid = 0;
    std::uint32_t mode = 0; // permission bits
    std::int32_t creator_pid = 0;
    std::uint32_t read_only = 0; // the object (not only this view) is read-only
    std::uint32_t reserved = 0;
};

struct ListEntry {
    std::uint64_t id = 0;
    std::uint64_t size = 0;
    std::uint64_t alloc = 0;
    std::uint32_t handles = 0;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint32_t mode = 0;
    std::int32_t creator_pid = 0;
    std::uint32_t type = 1;
    std::uint32_t read_only = 0;
    std::uint32_t name_len = 0;
    char name[kMaxName]{};
};

// A list reply: Reply followed by `count` entries, one datagram.
struct ListReply {
    Reply head{};
    ListEntry entries[kListBatch]{};
};

// Where the client looks for a broker, in order (libuser/src/broker_link.cpp):
//   $RTSHM_BROKER_SOCKET (only there);
//   kSystemSocket (systemd socket activation, every user, S32);
//   a per-user broker, started on first use:
//   $XDG_RUNTIME_DIR/rtshmd.sock when that directory is ours, else the
//   abstract name "\0rtshm/rtshmd.<uid>" (whose server must be that uid).
inline constexpr char kSystemSocket[] = "/run/rtshm/rtshmd.sock";

} // namespace rtshm::broker
