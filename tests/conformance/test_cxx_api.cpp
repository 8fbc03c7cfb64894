// SPDX-License-Identifier: MIT
// test_cxx_api.cpp: the C++ API's own promises (not rules of the spec): a
// move-only RAII SharedMemory, errors as values, options.
#include "harness.hpp"

#include <type_traits>
#include <utility>

namespace conf {

static_assert(!std::is_copy_constructible_v<rtshm::SharedMemory>);
static_assert(std::is_nothrow_move_constructible_v<rtshm::SharedMemory>);
static_assert(std::is_nothrow_move_assignable_v<rtshm::SharedMemory>);

TEST_P(Conformance, CxxApi_MoveOnlyRaiiOwnsHandleAndMapping) {
    auto n = name("cxx");
    {
        auto c = rtshm::SharedMemory::create({.name = n, .size = 12345});
        ASSERT_TRUE(c.has_value()) << rtshm::to_string(c.error());
        EXPECT_TRUE(c->created());
        EXPECT_TRUE(c->writable());
        EXPECT_EQ(c->size(), 12345u);
        EXPECT_EQ(c->view().size(), 12345u);
        EXPECT_EQ(c->backend(), GetParam());
        rtshm::SharedMemory moved = std::move(*c);
        EXPECT_FALSE(*c); // NOLINT: moved-from is empty
        EXPECT_EQ(c->view().size(), 0u);
        ASSERT_TRUE(moved);
        moved.view()[0] = std::byte{42};
        auto o = rtshm::SharedMemory::open({.name = n, .access = rtshm::Protection::read_only});
        ASSERT_TRUE(o.has_value());
        EXPECT_FALSE(o->writable());
        EXPECT_TRUE(o->existed());
        EXPECT_EQ(o->id(), moved.id());
        EXPECT_EQ(o->view()[0], std::byte{42});
        rtshm::SharedMemory other;
        other = std::move(moved);
        EXPECT_TRUE(other);
    } // every handle destroyed: the object with them
    auto gone = rtshm::SharedMemory::open({.name = n});
    EXPECT_EQ(errof(gone), rtshm::Error::file_not_found);
}

TEST_P(Conformance, CxxApi_InvalidOptionsAreErrorValues) {
    EXPECT_EQ(errof(rtshm::SharedMemory::create({.name = name("z"), .size = 0})),
              rtshm::Error::invalid_parameter);
    EXPECT_EQ(errof(rtshm::SharedMemory::create({.name = name("m"), .size = 1, .mode = 01000})),
              rtshm::Error::invalid_parameter);
    EXPECT_EQ(errof(rtshm::SharedMemory::create({.name = std::string("a\0b", 3), .size = 1})),
              rtshm::Error::invalid_parameter);
    EXPECT_EQ(errof(rtshm::SharedMemory::create({.name = std::string(1025, 'x'), .size = 1})),
              rtshm::Error::invalid_parameter);
    EXPECT_EQ(errof(rtshm::SharedMemory::open({.name = ""})), rtshm::Error::invalid_parameter);
    EXPECT_EQ(rtshm::to_string(rtshm::Error::access_denied), "ERROR_ACCESS_DENIED");
    EXPECT_EQ(rtshm::backend(), GetParam());
    EXPECT_EQ(std::string(RtShmGetBackendName()), std::string(rtshm::backend_name(GetParam())));
}

} // namespace conf
