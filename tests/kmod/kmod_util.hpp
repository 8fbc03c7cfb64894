// SPDX-License-Identifier: MIT
// kmod_util.hpp: what the in-guest tests of rtshm.ko share: the module's
// counters, names unique to a run, and waiting for deferred work.
#pragma once

#include <atomic>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <unistd.h>

namespace kmod_util {

inline constexpr const char *kObjects = "/sys/class/misc/rtshm/objects";
inline constexpr const char *kPinned = "/sys/class/misc/rtshm/pinned_bytes";
inline constexpr const char *kTables = "/sys/class/misc/rtshm/tables";
inline constexpr const char *kMaxPinned = "/sys/module/rtshm/parameters/max_pinned_mb";

inline std::string slurp(const std::string &path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// The number in a sysfs file; -1 if it cannot be read.
inline long long read_num(const char *path) {
    std::ifstream f(path);
    long long v = -1;
    if (!(f >> v))
        return -1;
    return v;
}

// Counters change in deferred work (the page-freeing worker, RCU): poll
// for up to 3 s until get() gives want; the last value read.
inline long long wait_value(const std::function<long long()> &get, long long want) {
    long long v = get();
    for (int i = 0; i < 300 && v != want; i++) {
        usleep(10000);
        v = get();
    }
    return v;
}
inline long long wait_value(const char *path, long long want) {
    return wait_value([path] { return read_num(path); }, want);
}

// A name no other test or run uses: prefix-pid-counter-tag.
inline std::string uniq(const char *prefix, const std::string &tag) {
    static std::atomic<int> n{0};
    return std::string(prefix) + "-" + std::to_string(getpid()) + "-" + std::to_string(n++) + "-" +
           tag;
}

} // namespace kmod_util
