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
// UTF-8 of a UTF-16 name (the W16 entry points, -fshort-wchar programs):
// none for NULL/u""; false if longer than 256 code units or not valid.
bool utf16_name(const RTSHM_UTF16 *s, std::optional<std::string> &out);

// The one of the three that fits the name's type.
inline bool any_name(LPCSTR s, std::optional<std::string> &out) {
    return narrow_name(s, out);
}
inline bool any_name(LPCWSTR s, std::optional<std::string> &out) {
    return wide_name(s, out);
}
inline bool any_name(const RTSHM_UTF16 *s, std::optional<std::string> &out) {
    return utf16_name(s, out);
}

} // namespace rtshm::detail
