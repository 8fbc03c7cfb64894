// SPDX-License-Identifier: MIT
// errno_map.cpp: the errno -> Win32 mapping (see errno_map.hpp).
#include "errno_map.hpp"

#include <cerrno>

namespace rtshm::detail {

Error error_from_errno(int err) noexcept {
    switch (err) {
    case 0:
        return Error::success;
    case ENOENT:
        return Error::file_not_found;
    case EACCES:
    case EPERM:
    case EROFS:
        return Error::access_denied;
    case ENOMEM:
    case ENOSPC:
    case EFBIG:
    case EAGAIN:
    case EMFILE:
    case ENFILE:
    case EDQUOT:
        return Error::not_enough_memory;
    case EEXIST:
    case EBADF:
        return Error::invalid_handle;
    case EINVAL:
    case ENAMETOOLONG:
    case EFAULT:
    default:
        return Error::invalid_parameter;
    }
}

} // namespace rtshm::detail
