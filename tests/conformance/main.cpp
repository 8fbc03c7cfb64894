// SPDX-License-Identifier: MIT
// main.cpp: entry of rtshm_conformance, and its helper modes.
//
// Runs the suite against a private broker (so parallel runs and other
// users of the POSIX backend never meet it), and, when exec'd by a test
// as "rtshm_conformance --helper MODE ...", plays the other program of a
// multi-process test (S20 exec, S31 personality, kernel backend missing,
// S57 a fresh process).
#include "harness.hpp"
#include "private_broker.hpp"
#include "sync_helpers.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace conf {

INSTANTIATE_TEST_SUITE_P(Backends, Conformance,
                         ::testing::Values(rtshm::Backend::posix, rtshm::Backend::kernel),
                         [](const ::testing::TestParamInfo<rtshm::Backend> &i) {
                             return std::string(rtshm::backend_name(i.param));
                         });

namespace {

// How many of the given descriptor numbers are open; their targets go to
// stderr.
int count_open(int argc, char **argv, int first) {
    int n = 0;
    for (int i = first; i < argc; ++i) {
        int fd = std::atoi(argv[i]);
        if (::fcntl(fd, F_GETFD) < 0)
            continue;
        char target[512] = {};
        std::string link = "/proc/self/fd/" + std::to_string(fd);
        (void)!::readlink(link.c_str(), target, sizeof target - 1);
        std::fprintf(stderr, "inherited fd %d -> %s\n", fd, target);
        ++n;
    }
    return n;
}

} // namespace

int helper_main(int argc, char **argv) {
    std::string mode = argc > 2 ? argv[2] : "";
    if (mode == "fds") {
        // S20: report which of the parent's handle descriptors (argv[3...])
        // leaked through exec, then wait for the parent (EOF on stdin) so it
        // can test the object meanwhile.
        int n = count_open(argc, argv, 3);
        std::printf("%d\n", n);
        std::fflush(stdout);
        char c;
        while (::read(0, &c, 1) < 0 && errno == EINTR) {
        }
        return n == 0 ? 0 : 1;
    }
    if (mode == "personality" && argc > 3) {
        // S31: 10 if a smaller re-create shrinks (rtss), 11 if it is refused
        // (windows), other codes on errors.
        if (argc > 4 && std::strcmp(argv[4], "set-rtss") == 0)
            RtShmSetPersonality(RTSHM_PERSONALITY_RTSS);
        void *a = nullptr, *b = nullptr;
        HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, argv[3], &a);
        if (h == nullptr)
            return 20;
        HANDLE h2 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, argv[3], &b);
        DWORD e = GetLastError();
        int rc = 30;
        if (h2 != nullptr && e == ERROR_ALREADY_EXISTS)
            rc = 10;
        else if (h2 == nullptr && e == ERROR_INVALID_PARAMETER)
            rc = 11;
        if (h2 != nullptr)
            RtCloseHandle(h2);
        RtCloseHandle(h);
        return rc;
    }
    if (mode == "create" && argc > 3) {
        // Backend missing: the exit code is GetLastError() of one create,
        // 100 if it succeeded; prints the backend name.
        void *p = nullptr;
        std::printf("%s\n", RtShmGetBackendName());
        HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, argv[3], &p);
        if (h != nullptr) {
            RtCloseHandle(h);
            return 100;
        }
        return static_cast<int>(GetLastError());
    }
    if (mode == "first-calls") {
        // S57: a fresh process's new thread, its first satisfied waits, sets
        // and releases: prints how many system calls they made and the
        // first one's number. (A mutex's first take learns the thread's tid
        // and robust list, two system calls once per thread: not here.)
        HANDLE e = RtCreateEventA(nullptr, TRUE, TRUE, nullptr);
        HANDLE a = RtCreateEventA(nullptr, FALSE, FALSE, nullptr);
        HANDLE s = RtCreateSemaphoreA(nullptr, 1, 10, nullptr);
        if (e == nullptr || a == nullptr || s == nullptr)
            return 20;
        SyscallCount n;
        int bad = 0;
        std::thread t([&] {
            n = syscalls_made([&] {
                HANDLE hs[] = {a, s};
                bad += RtWaitForSingleObject(e, 0) != WAIT_OBJECT_0;
                bad += !RtSetEvent(a);
                bad += RtWaitForMultipleObjects(2, hs, FALSE, 0) != WAIT_OBJECT_0;
                bad += !RtReleaseSemaphore(s, 1, nullptr);
                bad += RtWaitForSingleObject(s, 0) != WAIT_OBJECT_0;
                bad += !RtResetEvent(e);
            });
        });
        t.join();
        std::printf("%d %ld\n", n.count, n.first_nr);
        return bad == 0 ? 0 : 3;
    }
    std::fprintf(stderr, "unknown helper mode '%s'\n", mode.c_str());
    return 126;
}

} // namespace conf

int main(int argc, char **argv) {
    if (argc > 1 && std::strcmp(argv[1], "--helper") == 0)
        return conf::helper_main(argc, argv);

    // A private broker for the POSIX backend, shared with the children (the
    // environment is inherited) and open to user 65534, as a system one is.
    rtshm::test::PrivateBroker broker;
    const char *sock = std::getenv("RTSHM_BROKER_SOCKET");
    const bool own_broker = sock == nullptr || *sock == '\0';
    if (own_broker && !broker.start("conformance")) {
        std::fprintf(stderr, "rtshm_conformance: cannot start a private rtshmd\n");
        return 1;
    }
    ::testing::InitGoogleTest(&argc, argv);
    int rc = RUN_ALL_TESTS();
    if (own_broker && !broker.stop())
        rc = 1;
    return rc;
}
