// SPDX-License-Identifier: MIT
// utf8.hpp: wchar_t names (W functions) to UTF-8 (S13, S15).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace rtshm::detail {

// Converts a NUL-terminated wchar_t string of at most max_chars characters
// to UTF-8. None if it is longer, or holds a value that is not a Unicode
// scalar (a surrogate or above U+10FFFF). May throw std::bad_alloc.
std::optional<std::string> wide_to_utf8(const wchar_t *s, std::size_t max_chars);

} // namespace rtshm::detail
