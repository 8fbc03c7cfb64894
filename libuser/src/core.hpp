// SPDX-License-Identifier: MIT
// core.hpp: librtshm's internal C++ API: the types both backends and the C
// entry points share, and SharedMemory (one handle's mapping) over the
// backends.
//
// Exists apart from the public <rtshm/rtshm.hpp> because none of this
// crosses the library's boundary: the public C++ API is inline over the C
// entry points (hourglass), so these types may change with no ABI break.
// Everything is in rtshm::detail, so that a test binary that links the
// internals and includes the public header sees no two definitions of one
// name. Nothing here throws but what says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtshm::detail {

// The Win32 code of each outcome, value for value.
enum class Error : std::uint32_t {
    success = 0,            // ERROR_SUCCESS (never returned as an error)
    file_not_found = 2,     // ERROR_FILE_NOT_FOUND
    access_denied = 5,      // ERROR_ACCESS_DENIED
    invalid_handle = 6,     // ERROR_INVALID_HANDLE
    not_enough_memory = 8,  // ERROR_NOT_ENOUGH_MEMORY
    invalid_parameter = 87, // ERROR_INVALID_PARAMETER
    already_exists = 183,   // ERROR_ALREADY_EXISTS
    not_owner = 288,        // ERROR_NOT_OWNER
    too_many_posts = 298,   // ERROR_TOO_MANY_POSTS
};
std::string_view to_string(Error e) noexcept; // "ERROR_FILE_NOT_FOUND", ... (diagnostics)

// S31: how create behaves when the object exists.
enum class Personality : std::uint32_t { rtss = 0, windows = 1 };
Personality personality() noexcept;           // the process's personality
void set_personality(Personality p) noexcept; // overrides RTSHM_PERSONALITY

enum class Backend : std::uint32_t { none = 0, kernel = 1, posix = 2 };
// The backend later creates and opens use; none when the chosen one cannot
// work (kernel required but /dev/rtshm unusable).
Backend backend() noexcept;
std::string_view backend_name(Backend b) noexcept; // "none", "kernel", "posix"
// Overrides RTSHM_BACKEND for later creates/opens; kernel: the error the
// kernel backend gives when /dev/rtshm is unusable.
std::expected<void, Error> select_backend(Backend b) noexcept;

enum class Protection : std::uint32_t { read_write = 0, read_only = 1 };

inline constexpr std::uint32_t default_mode = 0660;

struct CreateOptions {
    std::optional<std::string> name{};              // UTF-8; none or empty: unnamed
    std::uint64_t size = 0;                         // > 0
    std::optional<Personality> personality{};       // none: the process's
    Protection protection = Protection::read_write; // read_only: a read-only object and view
    std::uint32_t mode = default_mode;              // <= 0777; 0: default_mode
    bool exclusive = false;                         // an existing name: already_exists (S32)
};

struct OpenOptions {
    std::string name;                           // UTF-8, non-empty
    Protection access = Protection::read_write; // the view wanted
};

class Mapping;
class SharedMemory;
// RtUnmapSharedMemory: unmaps the view and keeps the handle (false: no view).
bool unmap_view(SharedMemory &shm) noexcept;

// One handle to a shared-memory object and its mapping; destroying it unmaps
// and closes (S21, S23).
class SharedMemory {
public:
    SharedMemory() noexcept;
    SharedMemory(SharedMemory &&) noexcept;
    SharedMemory &operator=(SharedMemory &&) noexcept;
    SharedMemory(const SharedMemory &) = delete;
    SharedMemory &operator=(const SharedMemory &) = delete;
    ~SharedMemory();

    static std::expected<SharedMemory, Error> create(const CreateOptions &opts) noexcept;
    static std::expected<SharedMemory, Error> open(const OpenOptions &opts) noexcept;

    explicit operator bool() const noexcept { return impl_ != nullptr; }
    void *data() const noexcept;
    std::uint64_t size() const noexcept;
    std::uint64_t id() const noexcept;
    bool writable() const noexcept;
    bool locked() const noexcept;
    bool created() const noexcept;
    Backend backend() const noexcept;
    void close() noexcept;

private:
    friend bool unmap_view(SharedMemory &shm) noexcept;
    explicit SharedMemory(std::unique_ptr<Mapping> m) noexcept;
    std::unique_ptr<Mapping> impl_;
};

// One live object, as `rtshm ls` shows it.
struct ObjectInfo {
    std::uint64_t id = 0;
    std::optional<std::string> name{}; // none: unnamed
    std::uint64_t size = 0;            // current size (may have shrunk, S7)
    std::uint64_t allocated_bytes = 0; // memory held until the object dies
    std::uint32_t handles = 0;         // open handles, in every process
    std::uint32_t mappings = 0;        // live mappings, in every process
    std::uint32_t uid = 0;             // owner
    std::uint32_t gid = 0;
    std::uint32_t mode = 0;       // permission bits
    std::int32_t creator_pid = 0; // 0: not visible from here
    bool read_only = false;
    std::uint32_t type = 1; // RTSHM_TYPE_*: 1 memory, 2 event, 3 mutex, 4 semaphore (S29)
};

// The POSIX backend's broker as it answers (pid 0: none answers; where: the
// address it was looked for at). Never starts one.
struct BrokerStatus {
    std::string where;
    int pid = 0;
    bool system = false;
    std::uint32_t objects = 0;
    std::uint32_t connections = 0;
};
BrokerStatus broker_status() noexcept;

// Every live object of the backend this process uses.
std::expected<std::vector<ObjectInfo>, Error> list_objects() noexcept;

} // namespace rtshm::detail
