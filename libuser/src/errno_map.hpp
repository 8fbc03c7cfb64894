// SPDX-License-Identifier: MIT
// errno_map.hpp: errno -> Win32 code, the one table both backends share.
#pragma once

#include "core.hpp"

namespace rtshm::detail {

// ENOENT -> file_not_found; EACCES, EPERM -> access_denied; ENOMEM, ENOSPC,
// EFBIG, EAGAIN, EMFILE, ENFILE -> not_enough_memory; EINVAL, ENAMETOOLONG,
// EFAULT -> invalid_parameter; EEXIST (name held by another object type,
// S29), EBADF -> invalid_handle; anything else -> invalid_parameter.
Error error_from_errno(int err) noexcept;

} // namespace rtshm::detail
