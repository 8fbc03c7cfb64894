// SPDX-License-Identifier: MIT
// main.cpp: entry of rtshm_broker_tests, and its helper mode.
//
// Runs every test on the POSIX backend against one private rtshmd, and, when
// exec'd as "rtshm_broker_tests --helper open NAME ro|rw" or "--helper
// create NAME" (by a child that changed its user or environment first, so it
// connects afresh), makes one call and says how it went in its exit status.
#include "support.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// 0: opened read-write; 1: opened read-only; 10: access denied; 11: not
// found; 12: another error.
int helper_open(const char *name, bool rw) {
    RTSHM_SHM_VIEW v{};
    HANDLE h = btest::open_n(name, rw ? 0 : RTSHM_SHM_READ_ONLY, &v);
    if (h == nullptr) {
        DWORD e = GetLastError();
        return e == ERROR_ACCESS_DENIED ? 10 : e == ERROR_FILE_NOT_FOUND ? 11 : 12;
    }
    int rc = (v.flags & RTSHM_VIEW_WRITABLE) != 0 ? 0 : 1;
    RtCloseHandle(h);
    return rc;
}

// 10: the create failed (NULL), as it must without a broker of ours; 0: it
// succeeded.
int helper_create(const char *name) {
    void *at = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, name, &at);
    if (h == nullptr)
        return 10;
    RtCloseHandle(h);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    ::setenv("RTSHM_BACKEND", "posix", 1);
    if (argc > 4 && std::strcmp(argv[1], "--helper") == 0 && std::strcmp(argv[2], "open") == 0)
        return helper_open(argv[3], std::strcmp(argv[4], "rw") == 0);
    if (argc > 3 && std::strcmp(argv[1], "--helper") == 0 && std::strcmp(argv[2], "create") == 0)
        return helper_create(argv[3]);

    rtshm::test::PrivateBroker broker;
    if (!broker.start("broker-tests")) {
        std::fprintf(stderr, "rtshm_broker_tests: cannot start a private rtshmd\n");
        return 1;
    }
    btest::set_broker(&broker);
    ::setenv("RTSHM_RTSHMD", "/bin/false", 1); // see btest::restart_broker
    ::testing::InitGoogleTest(&argc, argv);
    int rc = RUN_ALL_TESTS();
    if (!broker.stop()) {
        std::fprintf(stderr, "rtshm_broker_tests: the broker did not end cleanly\n");
        rc = 1;
    }
    return rc;
}
