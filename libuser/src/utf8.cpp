// SPDX-License-Identifier: MIT
// utf8.cpp: W-names to UTF-8, independent of the C locale, so a W-name and
// the A-name with the same UTF-8 text meet (S15). Both scans are bounded by
// the longest name: no strlen of a string the caller may not have ended.
#include "utf8.hpp"

namespace rtshm::detail {

namespace {

void put(std::string &out, std::uint32_t c) {
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

// Units before the NUL, or max + 1 if there are more than max.
template <class Unit> std::size_t bounded_length(const Unit *s, std::size_t max) {
    std::size_t n = 0;
    while (n <= max && s[n] != 0)
        ++n;
    return n;
}

} // namespace

std::optional<std::string> wide_to_utf8(const wchar_t *s, std::size_t max_chars) {
    std::size_t n = bounded_length(s, max_chars);
    if (n > max_chars)
        return std::nullopt;
    std::string out;
    out.reserve(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        auto c = static_cast<std::uint32_t>(s[i]);
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return std::nullopt;
        put(out, c);
    }
    return out;
}

std::optional<std::string> utf16_to_utf8(const std::uint16_t *s, std::size_t max_units) {
    std::size_t n = bounded_length(s, max_units);
    if (n > max_units)
        return std::nullopt;
    std::string out;
    out.reserve(n * 3);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t c = s[i];
        if (c >= 0xDC00 && c <= 0xDFFF) // a low surrogate first
            return std::nullopt;
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (i + 1 >= n || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF)
                return std::nullopt; // a high surrogate without its low one
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00u);
            ++i;
        }
        put(out, c);
    }
    return out;
}

} // namespace rtshm::detail
