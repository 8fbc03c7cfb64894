// SPDX-License-Identifier: MIT
// JSON values of the tool's `--json` output, always valid JSON: a name's
// invalid UTF-8 becomes U+FFFD (as "\ufffd", one per maximal ill-formed
// subpart) and its exact bytes are given beside it by json_hex().
#pragma once

#include "utf8_scan.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace rtshm::tool {

inline std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const Utf8Step step = utf8_step(s, i);
        if (!step.valid) {
            out += "\\ufffd";
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out.append(s.substr(i, step.length));
        }
        i += step.length;
    }
    return out + "\"";
}

// The bytes of s in lower-case hex, as a JSON string.
inline std::string json_hex(std::string_view s) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out = "\"";
    for (unsigned char c : s) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out + "\"";
}

// 64-bit ids as decimal strings: JSON numbers above 2^53 lose digits in
// most parsers (JavaScript, jq).
inline std::string json_u64_string(std::uint64_t v) {
    return "\"" + std::to_string(v) + "\"";
}

} // namespace rtshm::tool
