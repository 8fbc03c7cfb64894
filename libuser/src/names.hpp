// SPDX-License-Identifier: MIT
// names.hpp: the names of the C ABI's A and W functions (S11-S15), shared
// by every create and open of every object type.
#pragma once

#include <rtapi.h>

#include <optional>
#include <string>

namespace rtshm::detail {

// none for NULL/"" (unnamed); false if longer than 256 bytes.
bool narrow_name(LPCSTR s, std::optional<std::string> &out);
// UTF-8 of a W-name: none for NULL/L""; false if longer than 256 wchar_t or
// not valid Unicode.
bool wide_name(LPCWSTR s, std::optional<std::string> &out);

} // namespace rtshm::detail
