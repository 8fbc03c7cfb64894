// SPDX-License-Identifier: MIT
// sync_helpers.hpp: what the tests of events, mutexes, semaphores and waits
// (S40-S59) share: the futex-capable-memory precondition, clocks, waiting
// for a thread to block, W names.
#pragma once

#include "harness.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace conf {

// Empty when the backend's memory carries process-shared futexes (S33);
// otherwise why not: a FUTEX_WAKE on a mapping of it returned EFAULT
// (rtshm.ko before futex-capable memory). Probed once per backend.
std::string sync_unsupported_reason(rtshm::Backend b);

#define SYNC_REQUIRED()                                                                            \
    do {                                                                                           \
        if (auto why = sync_unsupported_reason(GetParam()); !why.empty())                          \
            GTEST_SKIP() << why;                                                                   \
    } while (0)

std::int64_t now_ns();
inline double ms_since(std::int64_t t0) {
    return static_cast<double>(now_ns() - t0) / 1e6;
}

// The number of threads blocked on h, from RtShmQuerySyncObject.
DWORD waiters_of(HANDLE h);
// Polls until h has at least n blocked waiters (false after timeout_ms).
bool wait_for_waiters(HANDLE h, DWORD n, int timeout_ms = 5000);
// Polls pred every millisecond until true or timeout_ms passes.
bool eventually(const std::function<bool()> &pred, int timeout_ms = 5000);

std::wstring wide(const std::string &s);

// n threads, each in one RtWaitForSingleObject(h, timeout_ms); released()
// counts those that got WAIT_OBJECT_0. join() (or the end of scope) waits
// for all of them.
class WaiterThreads {
public:
    WaiterThreads(HANDLE h, int n, DWORD timeout_ms);
    ~WaiterThreads() { join(); }
    WaiterThreads(const WaiterThreads &) = delete;
    WaiterThreads &operator=(const WaiterThreads &) = delete;
    void join();
    int released() const { return released_.load(); }

private:
    std::atomic<int> released_{0};
    std::vector<std::thread> threads_;
};

// The system calls the calling thread makes in fn (S57), counted with
// syscall user dispatch (each one traps to SIGSYS and is then made): the
// count and the first one's number, or count -1 where dispatch is refused.
struct SyscallCount {
    int count = -1;
    long first_nr = -1;
};
SyscallCount syscalls_made(const std::function<void()> &fn);

// Which end a mutex owner meets (S48).
enum class OwnerEnd { thread_return, pthread_exit, process_exit, sigkill };

} // namespace conf
