// SPDX-License-Identifier: MIT
// names.cpp: A and W names of the C ABI (see names.hpp).
#include "names.hpp"

#include "utf8.hpp"

#include <cstring>

namespace rtshm::detail {

bool narrow_name(LPCSTR s, std::optional<std::string> &out) {
    if (s == nullptr || *s == '\0')
        return true;
    if (::strnlen(s, RTX_MAX_OBJECT_NAME_LENGTH + 1) > RTX_MAX_OBJECT_NAME_LENGTH)
        return false;
    out.emplace(s);
    return true;
}

bool utf16_name(const RTSHM_UTF16 *s, std::optional<std::string> &out) {
    if (s == nullptr || *s == 0)
        return true;
    auto u = utf16_to_utf8(s, RTX_MAX_OBJECT_NAME_LENGTH);
    if (!u)
        return false;
    out = std::move(*u);
    return true;
}

bool wide_name(LPCWSTR s, std::optional<std::string> &out) {
    if (s == nullptr || *s == L'\0')
        return true;
    auto u = wide_to_utf8(s, RTX_MAX_OBJECT_NAME_LENGTH);
    if (!u)
        return false;
    out = std::move(*u);
    return true;
}

} // namespace rtshm::detail
