// SPDX-License-Identifier: MIT
// last_error.hpp: the per-thread Win32 last error (S28).
#pragma once

#include <rtapi.h>

namespace rtshm::detail {
void set_last_error(DWORD e) noexcept;
DWORD last_error() noexcept;
} // namespace rtshm::detail
