// SPDX-License-Identifier: MIT
// drop_privileges.hpp: a test child becomes uid/gid 65534 ("nobody"), with
// no supplementary groups, to play another user (S32).
#pragma once

#include <grp.h>
#include <unistd.h>

namespace rtshm::test {

// False if it cannot (not root).
inline bool drop_to_nobody() {
    if (::geteuid() != 0)
        return false;
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0)
        return false;
    return ::geteuid() == 65534;
}

} // namespace rtshm::test
