// SPDX-License-Identifier: MIT
// What the loaded rtshm.ko says about itself in sysfs: version, parameters
// and counters. The tool never parses dmesg.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace rtshm::tool {

struct ModuleStatus {
    bool loaded = false;
    std::string version;
    std::map<std::string, std::string> parameters; // /sys/module/rtshm/parameters
    std::optional<std::uint64_t> objects;          // /sys/class/misc/rtshm/objects
    std::optional<std::uint64_t> pinned_bytes;     // /sys/class/misc/rtshm/pinned_bytes
};

ModuleStatus read_module_status();

} // namespace rtshm::tool
