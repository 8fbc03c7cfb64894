// SPDX-License-Identifier: MIT
// utf8.hpp: W-names (wchar_t of 32 bits, or UTF-16) to UTF-8 (S13, S15, S60).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace rtshm::detail {

// Converts a NUL-terminated wchar_t (UTF-32) string of at most max_chars
// characters to UTF-8. None if it is longer, or holds a value that is not a
// Unicode scalar (a surrogate or above U+10FFFF). Reads at most max_chars + 1
// characters. May throw std::bad_alloc.
std::optional<std::string> wide_to_utf8(const wchar_t *s, std::size_t max_chars);

// The same for a NUL-terminated UTF-16 string of at most max_units code
// units: a surrogate pair is one character (two units); an unpaired or
// reversed surrogate gives none. Reads at most max_units + 1 units.
std::optional<std::string> utf16_to_utf8(const std::uint16_t *s, std::size_t max_units);

} // namespace rtshm::detail
