// SPDX-License-Identifier: MIT
// S32: an object is the broker's memfd, never a file in a directory, so
// nothing another user plants in /dev/shm or /tmp can redirect or hang it.
#include "support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace btest {
namespace {

using namespace std::chrono;

TEST(Broker, S32_NothingOfAnObjectIsInAnyDirectory) {
    const auto shm_before = dir_entries("/dev/shm");
    const auto tmp_before = dir_entries("/tmp");
    const auto rtshm_before = dir_entries("/dev/shm/rtshm");
    std::vector<HANDLE> hs;
    std::vector<std::string> names;
    for (int i = 0; i < 4; ++i) {
        names.push_back(unique_name("nofile"));
        RTSHM_SHM_VIEW v{};
        HANDLE h = create_n(names.back(), 65536, 0, 0644, &v);
        ASSERT_NE(h, nullptr) << GetLastError();
        hs.push_back(h);
        // The view is the broker's memfd, named after the object.
        auto lines = maps_lines("/memfd:rtshm:" + names.back());
        EXPECT_FALSE(lines.empty()) << "no /memfd:rtshm: mapping for " << names.back();
        for (const auto &l : maps_lines(names.back()))
            EXPECT_NE(l.find("/memfd:rtshm:"), std::string::npos) << l;
    }
    // Entries others made meanwhile (the machine is shared) are not ours:
    // only a name that contains ours, or the old backend's file name, is.
    auto new_entries = [&](const std::string &dir, const std::set<std::string> &before) {
        std::vector<std::string> out;
        for (const auto &e : dir_entries(dir)) {
            if (before.count(e) != 0)
                continue;
            for (const auto &n : names)
                if (e.find(std::to_string(::getpid())) != std::string::npos ||
                    e == old_backend_file_name(n, 0) || e.find("rtshm") != std::string::npos)
                    out.push_back(dir + "/" + e);
        }
        return out;
    };
    EXPECT_TRUE(new_entries("/dev/shm", shm_before).empty());
    EXPECT_TRUE(new_entries("/tmp", tmp_before).empty());
    EXPECT_TRUE(new_entries("/dev/shm/rtshm", rtshm_before).empty());
    for (HANDLE h : hs)
        RtCloseHandle(h);

    // Plant a FIFO, a symlink and a directory where the old backend kept
    // these names' files: create and open must not notice.
    const bool made_dir = ::mkdir("/dev/shm/rtshm", 01777) == 0;
    std::vector<std::string> planted;
    const std::string fifo = "/dev/shm/rtshm/" + old_backend_file_name(names[0], 0);
    const std::string link = "/dev/shm/rtshm/" + old_backend_file_name(names[1], 0);
    const std::string dir = "/dev/shm/rtshm/" + old_backend_file_name(names[2], 0);
    EXPECT_EQ(::mkfifo(fifo.c_str(), 0666), 0) << std::strerror(errno);
    EXPECT_EQ(::symlink("/etc/passwd", link.c_str()), 0) << std::strerror(errno);
    EXPECT_EQ(::mkdir(dir.c_str(), 0777), 0) << std::strerror(errno);
    for (int i = 0; i < 3; ++i) {
        auto t0 = steady_clock::now();
        RTSHM_SHM_VIEW v{};
        HANDLE h = create_n(names[i], 8192, 0, 0644, &v);
        ASSERT_NE(h, nullptr) << GetLastError();
        EXPECT_EQ(GetLastError(), 0u) << "the name was found although its object was closed";
        static_cast<char *>(v.address)[0] = 'x';
        RTSHM_SHM_VIEW w{};
        HANDLE h2 = open_n(names[i], 0, &w);
        ASSERT_NE(h2, nullptr) << GetLastError();
        EXPECT_EQ(static_cast<char *>(w.address)[0], 'x');
        EXPECT_LT(steady_clock::now() - t0, milliseconds(500)) << "create/open slowed by " << i;
        RtCloseHandle(h2);
        RtCloseHandle(h);
    }
    // The planted files are as they were.
    struct stat st {};
    EXPECT_EQ(::lstat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    EXPECT_EQ(::lstat(link.c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    ::unlink(fifo.c_str());
    ::unlink(link.c_str());
    ::rmdir(dir.c_str());
    if (made_dir)
        ::rmdir("/dev/shm/rtshm");
}

} // namespace
} // namespace btest
