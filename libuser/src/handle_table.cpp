// SPDX-License-Identifier: MIT
// handle_table.cpp: the C ABI's handle table (see handle_table.hpp).
#include "handle_table.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <shared_mutex>
#include <unordered_map>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace rtshm::detail {

namespace {

// A reader-writer lock that a fork child can start afresh. glibc's rwlock
// records the writer's tid (which the child does not have) and hands the
// lock to a waiting writer on the last read unlock (a thread the child does
// not have either), so neither unlocking in the child works: it is
// re-initialised there instead (which TSan's interceptor also follows).
class RwLock {
public:
    RwLock() { ::pthread_rwlock_init(&l_, nullptr); }
    void lock() { ::pthread_rwlock_wrlock(&l_); }
    void unlock() { ::pthread_rwlock_unlock(&l_); }
    void lock_shared() { ::pthread_rwlock_rdlock(&l_); }
    void unlock_shared() { ::pthread_rwlock_unlock(&l_); }
    void reinit() {
#if defined(__SANITIZE_THREAD__)
        // TSan saw this thread take it before fork: tell it it is free.
        __tsan_mutex_pre_unlock(&l_, 0);
        __tsan_mutex_post_unlock(&l_, 0);
#endif
        ::pthread_rwlock_init(&l_, nullptr);
    }

private:
    pthread_rwlock_t l_;
};

struct Table {
    RwLock mu;
    std::uint64_t next = 0;
    std::unordered_map<std::uintptr_t, HandleEntry> map;

    Table() {
        // A fork child must find the table whole (no change in progress) and
        // the lock free.
        ::pthread_atfork([] { table().mu.lock(); }, [] { table().mu.unlock(); },
                         [] { table().mu.reinit(); });
    }
    static Table &table();
};

// Never destroyed: threads may still close handles while the process exits.
Table &Table::table() {
    static Table *t = new Table;
    return *t;
}

HANDLE insert(HandleEntry &&e) {
    Table &t = Table::table();
    std::lock_guard lock(t.mu);
    std::uintptr_t v = 0x10000u + 4u * static_cast<std::uintptr_t>(t.next);
    t.map.emplace(v, std::move(e));
    ++t.next; // only after success: a failed insert burns nothing
    return reinterpret_cast<HANDLE>(v);
}

} // namespace

HANDLE handle_insert(SharedMemory &&shm) {
    return insert(HandleEntry{std::move(shm), nullptr});
}

HANDLE handle_insert(std::shared_ptr<SyncObject> obj) {
    return insert(HandleEntry{SharedMemory(), std::move(obj)});
}

std::optional<HandleEntry> handle_remove(HANDLE h) noexcept {
    Table &t = Table::table();
    std::lock_guard lock(t.mu);
    auto it = t.map.find(reinterpret_cast<std::uintptr_t>(h));
    if (it == t.map.end())
        return std::nullopt;
    std::optional<HandleEntry> out(std::move(it->second));
    t.map.erase(it);
    return out; // destroyed (unmapped, closed) by the caller, outside the lock
}

bool handle_unmap(const void *addr) noexcept {
    if (addr == nullptr)
        return false;
    Table &t = Table::table();
    std::lock_guard lock(t.mu); // also keeps fork() out while the view goes
    for (auto &[v, e] : t.map)
        if (!e.sync && e.shm.data() == addr)
            return unmap_view(e.shm);
    return false;
}

std::shared_ptr<SyncObject> handle_sync(HANDLE h) noexcept {
    Table &t = Table::table();
    std::shared_lock lock(t.mu);
    auto it = t.map.find(reinterpret_cast<std::uintptr_t>(h));
    if (it == t.map.end())
        return nullptr;
    return it->second.sync;
}

} // namespace rtshm::detail
