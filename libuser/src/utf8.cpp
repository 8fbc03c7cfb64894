// SPDX-License-Identifier: MIT
// utf8.cpp: wchar_t -> UTF-8 for W-names, independent of the C locale, so a
// W-name and the A-name with the same UTF-8 text meet (S15).
#include "utf8.hpp"

#include <cstdint>
#include <cwchar>

namespace rtshm::detail {

std::optional<std::string> wide_to_utf8(const wchar_t *s, std::size_t max_chars) {
    std::size_t n = std::wcslen(s);
    if (n > max_chars)
        return std::nullopt;
    std::string out;
    out.reserve(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        auto c = static_cast<std::uint32_t>(s[i]);
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return std::nullopt;
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (c >> 12)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (c >> 18)));
            out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

} // namespace rtshm::detail
