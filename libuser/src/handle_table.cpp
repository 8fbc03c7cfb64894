// SPDX-License-Identifier: MIT
// handle_table.cpp: the C ABI's handle table (see handle_table.hpp).
#include "handle_table.hpp"

#include <cstdint>
#include <mutex>
#include <pthread.h>
#include <unordered_map>

namespace rtshm::detail {

namespace {

struct Table {
    std::mutex mu;
    std::uint64_t next = 0;
    std::unordered_map<std::uintptr_t, SharedMemory> map;

    Table() {
        // A fork child must find the mutex unlocked.
        ::pthread_atfork([] { table().mu.lock(); }, [] { table().mu.unlock(); },
                         [] { table().mu.unlock(); });
    }
    static Table &table();
};

// Never destroyed: threads may still close handles while the process exits.
Table &Table::table() {
    static Table *t = new Table;
    return *t;
}

} // namespace

HANDLE handle_insert(SharedMemory &&shm) {
    Table &t = Table::table();
    std::lock_guard lock(t.mu);
    std::uintptr_t v = 0x10000u + 4u * static_cast<std::uintptr_t>(t.next);
    t.map.emplace(v, std::move(shm));
    ++t.next; // only after success: a failed insert burns nothing
    return reinterpret_cast<HANDLE>(v);
}

std::optional<SharedMemory> handle_remove(HANDLE h) noexcept {
    Table &t = Table::table();
    std::lock_guard lock(t.mu);
    auto it = t.map.find(reinterpret_cast<std::uintptr_t>(h));
    if (it == t.map.end())
        return std::nullopt;
    std::optional<SharedMemory> out(std::move(it->second));
    t.map.erase(it);
    return out; // destroyed (unmapped, closed) by the caller, outside the lock
}

bool handle_unmap(const void *addr) noexcept {
    if (addr == nullptr)
        return false;
    Table &t = Table::table();
    std::lock_guard lock(t.mu); // also keeps fork() out while the view goes
    for (auto &[v, shm] : t.map)
        if (shm.data() == addr)
            return unmap_view(shm);
    return false;
}

} // namespace rtshm::detail
