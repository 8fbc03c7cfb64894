// SPDX-License-Identifier: MIT
// S10: a create that fails changes nothing: not the list, not an existing
// object's size or contents.
#include "support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <tuple>

namespace btest {
namespace {

TEST(Broker, S10_FailedCreateChangesNothing) {
    ASSERT_EQ(RtShmSetPersonality(RTSHM_PERSONALITY_RTSS), 1);
    const std::string name = unique_name("failed");
    const std::string huge = unique_name("failed-1TiB");
    constexpr std::uint64_t kMiB = 1 << 20;
    RTSHM_SHM_VIEW v{};
    HANDLE h = create_n(name, kMiB, 0, 0600, &v);
    ASSERT_NE(h, nullptr) << GetLastError();
    for (std::uint64_t i = 0; i < kMiB; ++i)
        static_cast<unsigned char *>(v.address)[i] = static_cast<unsigned char>(i * 7);
    auto before = list_objects();
    ASSERT_TRUE(before.has_value());

    RTSHM_SHM_VIEW w{};
    HANDLE h2 = create_n(name, 2 * kMiB, 0, 0600, &w);
    EXPECT_EQ(h2, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << "larger re-create";
    HANDLE h3 = create_n(huge, 1ull << 40, 0, 0600, &w);
    EXPECT_EQ(h3, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_ENOUGH_MEMORY)) << "1 TiB create";

    auto after = list_objects();
    ASSERT_TRUE(after.has_value());
    auto key = [](const std::vector<ListedObject> &l) {
        std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint32_t>> k;
        for (const auto &o : l)
            if (o.name.rfind("btest/", 0) == 0)
                k.emplace_back(o.name, o.id, o.size, o.handles);
        std::sort(k.begin(), k.end());
        return k;
    };
    EXPECT_EQ(key(*before), key(*after)) << "a failed create changed the list";
    EXPECT_EQ(count_listed(huge), 0);
    EXPECT_EQ(count_listed(name), 1);
    bool same = true;
    for (std::uint64_t i = 0; i < kMiB && same; ++i)
        same = static_cast<unsigned char *>(v.address)[i] == static_cast<unsigned char>(i * 7);
    EXPECT_TRUE(same) << "the existing object's contents changed";
    // Its size, as a new opener sees it.
    RTSHM_SHM_VIEW o{};
    HANDLE h4 = open_n(name, RTSHM_SHM_READ_ONLY, &o);
    ASSERT_NE(h4, nullptr) << GetLastError();
    EXPECT_EQ(o.size, kMiB);
    EXPECT_EQ(std::memcmp(o.address, v.address, kMiB), 0);
    RtCloseHandle(h4);
    RtCloseHandle(h);
}

} // namespace
} // namespace btest
