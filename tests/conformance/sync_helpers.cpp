// SPDX-License-Identifier: MIT
// sync_helpers.cpp: see sync_helpers.hpp.
#include "sync_helpers.hpp"

#include <cerrno>
#include <csignal>
#include <ctime>
#include <linux/futex.h>
#include <map>
#include <mutex>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace conf {

std::string sync_unsupported_reason(rtshm::Backend b) {
    static std::mutex mu;
    static std::map<rtshm::Backend, std::string> cache;
    std::lock_guard lock(mu);
    if (auto it = cache.find(b); it != cache.end())
        return it->second;
    std::string why;
    void *p = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, nullptr, &p);
    if (h == nullptr) {
        why = "cannot create a probe object: error " + std::to_string(GetLastError());
    } else {
        long r = ::syscall(SYS_futex, p, FUTEX_WAKE, 0, nullptr, nullptr, 0);
        if (r < 0 && errno == EFAULT)
            why = std::string(rtshm::backend_name(b)) +
                  " backend: a shared FUTEX_WAKE on an object's mapping returns EFAULT (this "
                  "rtshm.ko predates futex-capable memory), so events, mutexes and semaphores "
                  "cannot work on it: skipped";
        RtCloseHandle(h);
    }
    cache[b] = why;
    return why;
}

std::int64_t now_ns() {
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

DWORD waiters_of(HANDLE h) {
    RTSHM_SYNC_STATE st{};
    if (!RtShmQuerySyncObject(h, &st))
        return 0;
    return st.waiters;
}

bool eventually(const std::function<bool()> &pred, int timeout_ms) {
    for (int i = 0; i < timeout_ms; ++i) {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return pred();
}

bool wait_for_waiters(HANDLE h, DWORD n, int timeout_ms) {
    bool ok = eventually([&] { return waiters_of(h) >= n; }, timeout_ms);
    // Counted just before it sleeps: give it the moment to reach the kernel.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return ok;
}

std::wstring wide(const std::string &s) {
    return std::wstring(s.begin(), s.end()); // test names are ASCII
}

WaiterThreads::WaiterThreads(HANDLE h, int n, DWORD timeout_ms) {
    for (int i = 0; i < n; ++i)
        threads_.emplace_back([this, h, timeout_ms] {
            if (RtWaitForSingleObject(h, timeout_ms) == WAIT_OBJECT_0)
                ++released_;
        });
}

void WaiterThreads::join() {
    for (auto &t : threads_)
        if (t.joinable())
            t.join();
}

namespace {
volatile unsigned char g_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
std::atomic<int> g_syscalls{0};
std::atomic<long> g_first_nr{-1};

void on_sigsys(int, siginfo_t *si, void *) {
    g_selector = SYSCALL_DISPATCH_FILTER_ALLOW; // our own sigreturn must pass
    long expected = -1;
    g_first_nr.compare_exchange_strong(expected, si->si_syscall);
    ++g_syscalls;
}
} // namespace

SyscallCount syscalls_made(const std::function<void()> &fn) {
    struct sigaction sa {};
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    ::sigaction(SIGSYS, &sa, nullptr);
    g_syscalls = 0;
    g_first_nr = -1;
    if (::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0, &g_selector) != 0)
        return {};
    g_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
    fn();
    g_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
    ::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
    return {g_syscalls.load(), g_first_nr.load()};
}

} // namespace conf
