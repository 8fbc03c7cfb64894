// SPDX-License-Identifier: MIT
// shared_memory.cpp: the internal SharedMemory (core.hpp) over the backends.
//
// Validates requests once for every backend (size, name, mode), resolves the
// personality into the backend's flags, and turns every exception into an
// error value: nothing thrown here leaves the library.
#include "backend.hpp"
#include "core.hpp"

#include <cstring>
#include <new>
#include <sys/mman.h>

namespace rtshm::detail {

namespace {
constexpr std::size_t kNameMaxBytes = 1024; // RTSHM_NAME_MAX

bool name_ok(std::string_view n) {
    return n.size() <= kNameMaxBytes && n.find('\0') == std::string_view::npos;
}
} // namespace

std::string_view to_string(Error e) noexcept {
    switch (e) {
    case Error::success:
        return "ERROR_SUCCESS";
    case Error::file_not_found:
        return "ERROR_FILE_NOT_FOUND";
    case Error::access_denied:
        return "ERROR_ACCESS_DENIED";
    case Error::invalid_handle:
        return "ERROR_INVALID_HANDLE";
    case Error::not_enough_memory:
        return "ERROR_NOT_ENOUGH_MEMORY";
    case Error::invalid_parameter:
        return "ERROR_INVALID_PARAMETER";
    case Error::already_exists:
        return "ERROR_ALREADY_EXISTS";
    case Error::not_owner:
        return "ERROR_NOT_OWNER";
    case Error::too_many_posts:
        return "ERROR_TOO_MANY_POSTS";
    }
    return "ERROR_UNKNOWN";
}

SharedMemory::SharedMemory() noexcept = default;
SharedMemory::SharedMemory(std::unique_ptr<Mapping> m) noexcept : impl_(std::move(m)) {}
SharedMemory::SharedMemory(SharedMemory &&) noexcept = default;
SharedMemory &SharedMemory::operator=(SharedMemory &&) noexcept = default;
SharedMemory::~SharedMemory() = default;

void SharedMemory::close() noexcept {
    impl_.reset();
}

bool unmap_view(SharedMemory &shm) noexcept {
    Mapping *m = shm.impl_.get();
    if (m == nullptr || m->addr == nullptr)
        return false;
    ::munmap(m->addr, m->size);
    m->addr = nullptr; // the handle (descriptor, lock) stays until close
    m->locked = false;
    return true;
}

void *SharedMemory::data() const noexcept {
    return impl_ ? impl_->addr : nullptr;
}
std::uint64_t SharedMemory::size() const noexcept {
    return impl_ ? impl_->size : 0;
}
std::uint64_t SharedMemory::id() const noexcept {
    return impl_ ? impl_->id : 0;
}
bool SharedMemory::writable() const noexcept {
    return impl_ && impl_->writable;
}
bool SharedMemory::locked() const noexcept {
    return impl_ && impl_->locked;
}
bool SharedMemory::created() const noexcept {
    return impl_ && impl_->created;
}
Backend SharedMemory::backend() const noexcept {
    return impl_ ? impl_->kind : Backend::none;
}

std::expected<SharedMemory, Error> SharedMemory::create(const CreateOptions &opts) noexcept {
    try {
        if (opts.size == 0 || opts.mode > 0777)
            return std::unexpected(Error::invalid_parameter);
        std::string_view name = opts.name ? std::string_view(*opts.name) : std::string_view();
        if (!name_ok(name))
            return std::unexpected(Error::invalid_parameter);
        auto b = selected_backend();
        if (!b)
            return std::unexpected(b.error());
        CreateRequest req;
        req.name = name;
        req.size = opts.size;
        req.exact_size = opts.personality.value_or(personality()) == Personality::windows;
        req.read_only = opts.protection == Protection::read_only;
        req.mode = opts.mode == 0 ? default_mode : opts.mode;
        req.exclusive = opts.exclusive;
        auto m = (*b)->create(req);
        if (!m)
            return std::unexpected(m.error());
        return SharedMemory(std::move(*m));
    } catch (...) {
        return std::unexpected(Error::not_enough_memory);
    }
}

std::expected<SharedMemory, Error> SharedMemory::open(const OpenOptions &opts) noexcept {
    try {
        if (opts.name.empty() || !name_ok(opts.name))
            return std::unexpected(Error::invalid_parameter);
        auto b = selected_backend();
        if (!b)
            return std::unexpected(b.error());
        OpenRequest req;
        req.name = opts.name;
        req.write = opts.access == Protection::read_write;
        auto m = (*b)->open(req);
        if (!m)
            return std::unexpected(m.error());
        return SharedMemory(std::move(*m));
    } catch (...) {
        return std::unexpected(Error::not_enough_memory);
    }
}

} // namespace rtshm::detail
