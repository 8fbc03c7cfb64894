// SPDX-License-Identifier: MIT
// personality.cpp: the process's RTX personality (S31).
//
// Default rtss; RTSHM_PERSONALITY=rtss|windows read once per process; an
// explicit set_personality() (RtShmSetPersonality) overrides both.
#include "core.hpp"
#include "diag.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace rtshm::detail {

namespace {
std::atomic<int> g_personality{-1};
std::once_flag g_env_once;

void read_env() {
    const char *v = std::getenv("RTSHM_PERSONALITY");
    int p = static_cast<int>(Personality::rtss);
    if (v != nullptr && *v != '\0') {
        if (std::strcmp(v, "windows") == 0)
            p = static_cast<int>(Personality::windows);
        else if (std::strcmp(v, "rtss") != 0)
            diag_once(Diag::bad_personality_env,
                      "RTSHM_PERSONALITY=%s is neither rtss nor windows; using rtss", v);
    }
    int expected = -1;
    g_personality.compare_exchange_strong(expected, p);
}
} // namespace

Personality personality() noexcept {
    std::call_once(g_env_once, read_env);
    return static_cast<Personality>(g_personality.load());
}

void set_personality(Personality p) noexcept {
    std::call_once(g_env_once, read_env);
    g_personality.store(static_cast<int>(p));
}

} // namespace rtshm::detail
