// SPDX-License-Identifier: MIT
// support.hpp: what the broker's fault tests share: the suite's broker,
// child processes with a deadline, /proc readings, the object list.
#pragma once

#include "drop_privileges.hpp"

#include "private_broker.hpp"

#include <rtapi.h>
#include <rtshm/rtshm.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

namespace btest {

// The broker main() started; tests that kill it start it again.
rtshm::test::PrivateBroker &broker();
void set_broker(rtshm::test::PrivateBroker *b);
// RTSHM_RTSHMD is /bin/false for the clients (a client that finds no broker
// on our socket must not start one there behind the test's back): this
// starts the real one again on the same socket.
bool restart_broker();

// A name no other run or test uses.
std::string unique_name(const std::string &what);

// Runs body in a forked child, whose return value is its exit status.
pid_t spawn(const std::function<int()> &body);
// The child's exit status, 128+signal if killed, -1 if it did not end
// within timeout (it is then SIGKILLed and reaped).
int wait_for(pid_t pid, std::chrono::milliseconds timeout);

// Shmem: of /proc/meminfo, in KiB.
long shmem_kib();

// The first descriptor of this process whose link names "memfd:rtshm:"+name
// ("" for any rtshm memfd), or -1.
int find_memfd(const std::string &name);

// Entries of /proc/self/maps (the whole line) that contain needle.
std::vector<std::string> maps_lines(const std::string &needle);

// Every entry of dir (names), for a before/after comparison.
std::set<std::string> dir_entries(const std::string &dir);

struct ListedObject {
    std::string name;
    std::uint64_t id = 0, size = 0;
    std::uint32_t handles = 0;
};
// RtShmListObjects, or nullopt if it failed.
std::optional<std::vector<ListedObject>> list_objects();
// How many listed objects carry this name (-1: the list failed).
int count_listed(const std::string &name);

// The file name the old (file-based) POSIX backend gave an object of this
// name in /dev/shm/rtshm (FNV-1a 128 in hex, ".probe").
std::string old_backend_file_name(const std::string &name, unsigned probe);

using rtshm::test::drop_to_nobody;

// A pipe whose read end a child blocks on until the parent writes or dies.
struct Gate {
    int rd = -1, wr = -1;
    Gate();
    ~Gate();
    Gate(const Gate &) = delete;
    Gate &operator=(const Gate &) = delete;
    void open_gate(); // parent: let the child go (one byte)
    bool wait_open(); // child: block until a byte or EOF
    // parent: n bytes (one per child) within timeout
    bool read_bytes(int n, std::chrono::milliseconds timeout);
    void close_write();
    void close_read();
};

inline HANDLE create_n(const std::string &name, std::uint64_t size, std::uint32_t flags,
                       std::uint32_t mode, RTSHM_SHM_VIEW *v) {
    return RtShmCreateSharedMemoryN(name.data(), name.size(), size, flags, mode, v);
}
inline HANDLE open_n(const std::string &name, std::uint32_t flags, RTSHM_SHM_VIEW *v) {
    return RtShmOpenSharedMemoryN(name.data(), name.size(), flags, v);
}

} // namespace btest
