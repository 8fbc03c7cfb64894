// SPDX-License-Identifier: MIT
// rtshm/rtshm.hpp: the C++23 API of librtshm.
//
// Exists so that C++ code gets RTX shared memory as a value type: a move-only
// RAII SharedMemory (one handle and its mapping), options structs instead of
// flag words, sizes above 4 GiB, and errors as values (std::expected) whose
// enum maps 1:1 to the Win32 codes. The C ABI of <rtapi.h> is a thin layer
// over this API. Nothing here throws.
#ifndef RTSHM_RTSHM_HPP
#define RTSHM_RTSHM_HPP

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtshm {

// The Win32 code of each outcome, value for value.
enum class Error : std::uint32_t {
    success = 0,            // ERROR_SUCCESS (never returned as an error)
    file_not_found = 2,     // ERROR_FILE_NOT_FOUND
    access_denied = 5,      // ERROR_ACCESS_DENIED
    invalid_handle = 6,     // ERROR_INVALID_HANDLE
    not_enough_memory = 8,  // ERROR_NOT_ENOUGH_MEMORY
    invalid_parameter = 87, // ERROR_INVALID_PARAMETER
    already_exists = 183,   // ERROR_ALREADY_EXISTS (create reports it as created() == false)
    not_owner = 288,        // ERROR_NOT_OWNER (mutex release by a non-owner)
    too_many_posts = 298,   // ERROR_TOO_MANY_POSTS (semaphore above its maximum)
};

// "ERROR_FILE_NOT_FOUND" and so on.
std::string_view to_string(Error e) noexcept;

// S31: how create behaves when the object exists (and, in the C API, how
// flProtect / dwDesiredAccess are read).
enum class Personality : std::uint32_t { rtss = 0, windows = 1 };
Personality personality() noexcept;           // the process's personality
void set_personality(Personality p) noexcept; // overrides RTSHM_PERSONALITY

enum class Backend : std::uint32_t { none = 0, kernel = 1, posix = 2 };
// The backend later creates and opens of this process use; none when the
// chosen one cannot work (kernel required but /dev/rtshm unusable).
Backend backend() noexcept;
std::string_view backend_name(Backend b) noexcept; // "none", "kernel", "posix"
// Chooses the backend for later creates/opens of this process, overriding
// RTSHM_BACKEND (for tests and tools). Existing objects keep theirs.
// kernel: the error the kernel backend gives when /dev/rtshm is unusable.
std::expected<void, Error> select_backend(Backend b) noexcept;

enum class Protection : std::uint32_t { read_write = 0, read_only = 1 };

inline constexpr std::uint32_t default_mode = 0660;

struct CreateOptions {
    // UTF-8, no NUL, at most 1024 bytes; empty or none: an unnamed object.
    std::optional<std::string> name{};
    // Bytes wanted, > 0 (above 4 GiB allowed).
    std::uint64_t size = 0;
    // The re-create size rule (rtss: a smaller size shrinks, windows: the size
    // must match); none: the process personality.
    std::optional<Personality> personality{};
    // read_only: a new object is read-only, and this view is read-only either
    // way. read_write on an existing read-only object: access_denied.
    Protection protection = Protection::read_write;
    // Permission bits of a new object (<= 0777; 0 means default_mode).
    std::uint32_t mode = default_mode;
    // Only a new object will do: an existing name gives Error::already_exists
    // and no object, so that a daemon never attaches to memory another user
    // made first (S32).
    bool exclusive = false;
};

struct OpenOptions {
    std::string name;                           // UTF-8, as for CreateOptions
    Protection access = Protection::read_write; // the view wanted
};

class SharedMemory;
namespace detail {
class Mapping;
// RtUnmapSharedMemory: unmaps the view and keeps the handle (false: no view).
bool unmap_view(SharedMemory &shm) noexcept;
} // namespace detail

// One handle to a shared-memory object and its mapping. Destroying it is
// RtCloseHandle: the mapping goes, and the object dies with its last handle.
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
    std::span<std::byte> view() const noexcept;
    void *data() const noexcept;
    std::uint64_t size() const noexcept; // bytes of this mapping
    std::uint64_t id() const noexcept;   // object id (kernel: never reused while loaded)
    bool writable() const noexcept;      // the view is read-write
    bool locked() const noexcept;        // the pages are pinned / locked in memory
    bool created() const noexcept;       // this call made the object
    bool existed() const noexcept { return !created(); }
    Backend backend() const noexcept;
    void close() noexcept; // as destruction; leaves an empty object

private:
    friend bool detail::unmap_view(SharedMemory &shm) noexcept;
    explicit SharedMemory(std::unique_ptr<detail::Mapping> m) noexcept;
    std::unique_ptr<detail::Mapping> impl_;
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

// Every live object of the backend this process uses (kernel: all objects,
// in id order; POSIX: the named objects in RTSHM_POSIX_DIR whose files this
// user can read, where each handle has exactly one mapping).
std::expected<std::vector<ObjectInfo>, Error> list_objects() noexcept;

inline std::expected<SharedMemory, Error> create(const CreateOptions &opts) noexcept {
    return SharedMemory::create(opts);
}
inline std::expected<SharedMemory, Error> open(const OpenOptions &opts) noexcept {
    return SharedMemory::open(opts);
}

} // namespace rtshm

#endif // RTSHM_RTSHM_HPP
