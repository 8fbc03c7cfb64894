// SPDX-License-Identifier: MIT
// Walking a name's bytes as UTF-8: names are opaque bytes (S13), but the
// tool's text and JSON must say them without passing on invalid sequences.
#pragma once

#include <cstddef>
#include <string_view>

namespace rtshm::tool {

struct Utf8Step {
    std::size_t length; // bytes of this step, at least 1
    bool valid;         // a well-formed sequence; else one ill-formed piece
};

// The step at s[i]: a well-formed sequence, or else its maximal ill-formed
// subpart (Unicode 15, 3.9 "U+FFFD substitution of maximal subparts", what
// Python's and ICU's decoders do), each of which stands for one U+FFFD.
constexpr Utf8Step utf8_step(std::string_view s, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80)
        return {1, true};
    std::size_t trailing = 0;
    unsigned char lo = 0x80, hi = 0xbf; // the allowed range of the 2nd byte
    if (c >= 0xc2 && c <= 0xdf) {
        trailing = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        trailing = 2;
        lo = c == 0xe0 ? 0xa0 : 0x80; // no overlong forms
        hi = c == 0xed ? 0x9f : 0xbf; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        trailing = 3;
        lo = c == 0xf0 ? 0x90 : 0x80; // no overlong forms
        hi = c == 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
    } else {
        return {1, false}; // a continuation byte, 0xc0, 0xc1 or 0xf5..0xff
    }
    for (std::size_t n = 1; n <= trailing; ++n) {
        if (i + n >= s.size())
            return {n, false};
        const auto d = static_cast<unsigned char>(s[i + n]);
        if (d < lo || d > hi)
            return {n, false};
        lo = 0x80;
        hi = 0xbf;
    }
    return {trailing + 1, true};
}

} // namespace rtshm::tool
