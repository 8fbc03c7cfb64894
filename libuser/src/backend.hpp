// SPDX-License-Identifier: MIT
// backend.hpp: the one internal interface both backends implement.
//
// Exists so that the C++ API (shared_memory.cpp) decides policy (personality,
// validation) once, and each backend (kernel_backend.cpp over /dev/rtshm,
// posix_backend.cpp over files and locks) only makes and maps objects.
#pragma once

#include "core.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string_view>
#include <vector>

namespace rtshm::detail {

// One handle and its mapping; the destructor unmaps and closes (S21, S23).
class Mapping {
public:
    Mapping() = default;
    Mapping(const Mapping &) = delete;
    Mapping &operator=(const Mapping &) = delete;
    virtual ~Mapping() = default;

    std::byte *addr = nullptr;
    std::uint64_t size = 0; // bytes mapped
    std::uint64_t id = 0;
    bool writable = false;
    bool locked = false;
    bool created = false;
    Backend kind = Backend::none;
};

// Already validated by the caller: size > 0, name without NUL and at most
// 1024 bytes (empty: unnamed), mode <= 0777 and non-zero.
struct CreateRequest {
    std::string_view name;
    std::uint64_t size = 0;
    bool exact_size = false; // windows personality: an existing object must match
    bool read_only = false;  // a new object is read-only; the view is read-only either way
    std::uint32_t mode = 0660;
    bool exclusive = false; // fail with already_exists if the name exists (S32)
    std::uint32_t type = 1; // RTSHM_TYPE_*: another type's name gives invalid_handle (S29)
};

struct OpenRequest {
    std::string_view name;  // non-empty
    bool write = true;      // a read-write view
    std::uint32_t type = 1; // RTSHM_TYPE_*
};

using MapResult = std::expected<std::unique_ptr<Mapping>, Error>;

class BackendImpl {
public:
    virtual ~BackendImpl() = default;
    virtual Backend kind() const noexcept = 0;
    // Whether the backend can work here, and if not the error every call gives.
    virtual std::expected<void, Error> usable() noexcept = 0;
    virtual MapResult create(const CreateRequest &req) = 0;
    virtual MapResult open(const OpenRequest &req) = 0;
    virtual std::expected<std::vector<ObjectInfo>, Error> list() = 0;
};

BackendImpl &kernel_backend();
BackendImpl &posix_backend();

// The backend of later creates/opens (backend_select.cpp).
std::expected<BackendImpl *, Error> selected_backend() noexcept;

} // namespace rtshm::detail
