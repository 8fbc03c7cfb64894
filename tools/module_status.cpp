// SPDX-License-Identifier: MIT
// What the loaded rtshm.ko says about itself in sysfs: version, parameters
// and counters. The tool never parses dmesg.
#include "module_status.hpp"

#include <filesystem>
#include <fstream>

namespace rtshm::tool {
namespace {

std::optional<std::string> read_line(const std::filesystem::path &p) {
    std::ifstream in(p);
    std::string line;
    if (!in || !std::getline(in, line))
        return std::nullopt;
    return line;
}

std::optional<std::uint64_t> read_u64(const std::filesystem::path &p) {
    auto s = read_line(p);
    if (!s)
        return std::nullopt;
    try {
        return std::stoull(*s);
    } catch (...) {
        return std::nullopt;
    }
}

} // namespace

ModuleStatus read_module_status() {
    namespace fs = std::filesystem;
    ModuleStatus s;
    const fs::path mod = "/sys/module/rtshm";
    std::error_code ec;
    s.loaded = fs::exists(mod / "initstate", ec) || fs::exists(mod / "parameters", ec);
    if (!s.loaded)
        return s;
    s.version = read_line(mod / "version").value_or("unknown");
    for (const auto &e : fs::directory_iterator(mod / "parameters", ec))
        s.parameters[e.path().filename()] = read_line(e.path()).value_or("?");
    s.objects = read_u64("/sys/class/misc/rtshm/objects");
    s.pinned_bytes = read_u64("/sys/class/misc/rtshm/pinned_bytes");
    return s;
}

} // namespace rtshm::tool
