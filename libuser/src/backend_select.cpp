// SPDX-License-Identifier: MIT
// backend_select.cpp: which backend serves this process.
//
// RTSHM_BACKEND=auto|kernel|posix, read once per process (auto, the default:
// kernel when /dev/rtshm exists, else posix); select_backend() overrides it.
// An unknown value makes every create/open fail with ERROR_INVALID_PARAMETER,
// with a diagnostic, rather than silently picking one.
#include "backend.hpp"
#include "diag.hpp"

#include <uapi/rtshm.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unistd.h>

namespace rtshm::detail {

namespace {
// -1: not chosen yet; -2: bad environment value; else a Backend.
std::atomic<int> g_choice{-1};
std::once_flag g_env_once;

void read_env() {
    const char *v = std::getenv("RTSHM_BACKEND");
    int c;
    if (v == nullptr || *v == '\0' || std::strcmp(v, "auto") == 0)
        c = ::access(RTSHM_DEVICE_PATH, F_OK) == 0 ? static_cast<int>(Backend::kernel)
                                                   : static_cast<int>(Backend::posix);
    else if (std::strcmp(v, "kernel") == 0)
        c = static_cast<int>(Backend::kernel);
    else if (std::strcmp(v, "posix") == 0)
        c = static_cast<int>(Backend::posix);
    else {
        c = -2;
        diag_once(Diag::bad_backend_env,
                  "RTSHM_BACKEND=%s is not auto, kernel or posix; every create/open "
                  "fails with ERROR_INVALID_PARAMETER (87)",
                  v);
    }
    int expected = -1;
    g_choice.compare_exchange_strong(expected, c);
}
} // namespace

std::expected<BackendImpl *, Error> selected_backend() noexcept {
    std::call_once(g_env_once, read_env);
    switch (g_choice.load()) {
    case static_cast<int>(Backend::kernel):
        return &kernel_backend();
    case static_cast<int>(Backend::posix):
        return &posix_backend();
    default:
        return std::unexpected(Error::invalid_parameter);
    }
}

Backend backend() noexcept {
    auto b = selected_backend();
    if (!b || !(*b)->usable())
        return Backend::none;
    return (*b)->kind();
}

std::expected<std::vector<ObjectInfo>, Error> list_objects() noexcept {
    auto b = selected_backend();
    if (!b)
        return std::unexpected(b.error());
    if (auto u = (*b)->usable(); !u)
        return std::unexpected(u.error());
    try {
        return (*b)->list();
    } catch (const std::bad_alloc &) {
        return std::unexpected(Error::not_enough_memory);
    }
}

std::string_view backend_name(Backend b) noexcept {
    switch (b) {
    case Backend::kernel:
        return "kernel";
    case Backend::posix:
        return "posix";
    default:
        return "none";
    }
}

std::expected<void, Error> select_backend(Backend b) noexcept {
    std::call_once(g_env_once, read_env);
    BackendImpl *impl = nullptr;
    if (b == Backend::kernel)
        impl = &kernel_backend();
    else if (b == Backend::posix)
        impl = &posix_backend();
    else
        return std::unexpected(Error::invalid_parameter);
    if (auto u = impl->usable(); !u)
        return u;
    g_choice.store(static_cast<int>(b));
    return {};
}

} // namespace rtshm::detail
