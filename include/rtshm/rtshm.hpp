// SPDX-License-Identifier: MIT
// rtshm/rtshm.hpp: the C++23 API of librtshm.
//
// Exists so that C++ code gets RTX shared memory as a value type: a move-only
// RAII SharedMemory (one handle and its mapping), options structs instead of
// flag words, sizes above 4 GiB, and errors as values (std::expected) whose
// enum maps 1:1 to the Win32 codes. Header-only and inline over the C entry
// points of <rtshm/rtshm.h> (the hourglass pattern): librtshm.so.0 exports C
// symbols only, so this API may use C++23 without tying the library to the
// std::expected, std::string or std::vector layout of one libstdc++. Nothing
// here throws.
#ifndef RTSHM_RTSHM_HPP
#define RTSHM_RTSHM_HPP

// One clear error, and nothing after it, for a consumer below C++23.
// clang-format off
#if !defined(__cplusplus) || __cplusplus <= 202002L
#error "<rtshm/rtshm.hpp> needs C++23 (-std=c++23, -std=c++2b on GCC 12): it returns std::expected. C and older C++ can use <rtshm/rtshm.h>."
#else
#include <version>
#if !defined(__cpp_lib_expected)
#error "<rtshm/rtshm.hpp> needs a C++ library with std::expected (libstdc++ 12 or later, in C++23 mode)"
#endif
#endif
// clang-format on
#if defined(__cpp_lib_expected)

#include <rtapi.h>
#include <rtshm/rtshm.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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
inline std::string_view to_string(Error e) noexcept {
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

// Not rtshm::detail: that is librtshm's internal namespace, and a test that
// links the internals must not see two definitions of one name.
namespace c_bridge {
inline Error last_error() noexcept {
    return static_cast<Error>(GetLastError());
}
} // namespace c_bridge

// S31: how create behaves when the object exists (and, in the C API, how
// flProtect / dwDesiredAccess are read).
enum class Personality : std::uint32_t {
    rtss = RTSHM_PERSONALITY_RTSS,
    windows = RTSHM_PERSONALITY_WINDOWS
};
// The process's personality.
inline Personality personality() noexcept {
    return static_cast<Personality>(RtShmGetPersonality());
}
// Overrides RTSHM_PERSONALITY.
inline void set_personality(Personality p) noexcept {
    RtShmSetPersonality(static_cast<std::uint32_t>(p));
}

enum class Backend : std::uint32_t {
    none = RTSHM_BACKEND_NONE,
    kernel = RTSHM_BACKEND_KERNEL,
    posix = RTSHM_BACKEND_POSIX,
};
// The backend later creates and opens of this process use; none when the
// chosen one cannot work (kernel required but /dev/rtshm unusable).
inline Backend backend() noexcept {
    return static_cast<Backend>(RtShmGetBackend());
}
// "none", "kernel", "posix".
inline std::string_view backend_name(Backend b) noexcept {
    switch (b) {
    case Backend::kernel:
        return "kernel";
    case Backend::posix:
        return "posix";
    default:
        return "none";
    }
}
// Chooses the backend for later creates/opens of this process, overriding
// RTSHM_BACKEND (for tests and tools). Existing objects keep theirs.
// kernel: the error the kernel backend gives when /dev/rtshm is unusable.
inline std::expected<void, Error> select_backend(Backend b) noexcept {
    if (!RtShmSelectBackend(static_cast<std::uint32_t>(b)))
        return std::unexpected(c_bridge::last_error());
    return {};
}

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

// One handle to a shared-memory object and its mapping. Destroying it is
// RtCloseHandle: the mapping goes, and the object dies with its last handle.
// The view's properties are those create/open gave (RTSHM_SHM_VIEW): do not
// RtUnmapSharedMemory(data()) behind its back.
class SharedMemory {
public:
    SharedMemory() noexcept = default;
    SharedMemory(SharedMemory &&o) noexcept
        : h_(std::exchange(o.h_, nullptr)), v_(std::exchange(o.v_, RTSHM_SHM_VIEW{})) {}
    SharedMemory &operator=(SharedMemory &&o) noexcept {
        if (this != &o) {
            close();
            h_ = std::exchange(o.h_, nullptr);
            v_ = std::exchange(o.v_, RTSHM_SHM_VIEW{});
        }
        return *this;
    }
    SharedMemory(const SharedMemory &) = delete;
    SharedMemory &operator=(const SharedMemory &) = delete;
    ~SharedMemory() { close(); }

    static std::expected<SharedMemory, Error> create(const CreateOptions &opts) noexcept {
        std::uint32_t flags = 0;
        if (opts.protection == Protection::read_only)
            flags |= RTSHM_SHM_READ_ONLY;
        if (opts.exclusive)
            flags |= RTSHM_SHM_EXCLUSIVE;
        if (opts.personality)
            flags |= *opts.personality == Personality::windows ? RTSHM_SHM_SIZE_WINDOWS
                                                               : RTSHM_SHM_SIZE_RTSS;
        // Bytes and length, not c_str(): a NUL inside the name is refused, not cut.
        const char *name = opts.name ? opts.name->data() : nullptr;
        std::size_t len = opts.name ? opts.name->size() : 0;
        SharedMemory s;
        s.h_ = RtShmCreateSharedMemoryN(name, len, opts.size, flags, opts.mode, &s.v_);
        if (s.h_ == nullptr)
            return std::unexpected(c_bridge::last_error());
        return s;
    }
    static std::expected<SharedMemory, Error> open(const OpenOptions &opts) noexcept {
        std::uint32_t flags = opts.access == Protection::read_only ? RTSHM_SHM_READ_ONLY : 0u;
        SharedMemory s;
        s.h_ = RtShmOpenSharedMemoryN(opts.name.data(), opts.name.size(), flags, &s.v_);
        if (s.h_ == nullptr)
            return std::unexpected(c_bridge::last_error());
        return s;
    }

    explicit operator bool() const noexcept { return h_ != nullptr; }
    std::span<std::byte> view() const noexcept {
        return {static_cast<std::byte *>(v_.address), static_cast<std::size_t>(v_.size)};
    }
    void *data() const noexcept { return v_.address; }
    std::uint64_t size() const noexcept { return v_.size; } // bytes of this mapping
    std::uint64_t id() const noexcept {
        return v_.id;
    } // object id (kernel: never reused while loaded)
    bool writable() const noexcept { return (v_.flags & RTSHM_VIEW_WRITABLE) != 0; }
    bool locked() const noexcept {
        return (v_.flags & RTSHM_VIEW_LOCKED) != 0;
    } // pinned / locked in memory
    bool created() const noexcept {
        return (v_.flags & RTSHM_VIEW_CREATED) != 0;
    } // this call made the object
    bool existed() const noexcept { return !created(); }
    Backend backend() const noexcept { return static_cast<Backend>(v_.backend); }
    HANDLE native_handle() const noexcept { return h_; }
    // As destruction; leaves an empty object.
    void close() noexcept {
        if (h_ != nullptr)
            RtCloseHandle(std::exchange(h_, nullptr));
        v_ = RTSHM_SHM_VIEW{};
    }

private:
    HANDLE h_ = nullptr;
    RTSHM_SHM_VIEW v_{};
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
    std::uint32_t type =
        RTSHM_OBJECT_SHM; // RTSHM_OBJECT_*: 1 memory, 2 event, 3 mutex, 4 semaphore (S29)
};

// Every live object of the backend this process uses (kernel: all objects,
// in id order; POSIX: the named objects of its broker that this user may
// read, where each handle has exactly one mapping).
inline std::expected<std::vector<ObjectInfo>, Error> list_objects() noexcept {
    struct Collected {
        std::vector<ObjectInfo> objects;
        bool out_of_memory = false;
    } got;
    // Captureless, so it converts to the C visitor; it must not throw into C.
    auto visit = [](const RTSHM_OBJECT_INFO *i, void *ctx) noexcept -> int {
        auto &g = *static_cast<Collected *>(ctx);
        try {
            ObjectInfo o;
            o.id = i->id;
            if (i->name != nullptr)
                o.name.emplace(i->name, i->name_length);
            o.size = i->size;
            o.allocated_bytes = i->allocated_bytes;
            o.handles = i->handles;
            o.mappings = i->mappings;
            o.uid = i->uid;
            o.gid = i->gid;
            o.mode = i->mode;
            o.creator_pid = i->creator_pid;
            o.read_only = (i->flags & RTSHM_INFO_READ_ONLY) != 0;
            o.type = i->type;
            g.objects.push_back(std::move(o));
            return 1;
        } catch (...) {
            g.out_of_memory = true;
            return 0;
        }
    };
    if (!RtShmListObjects(visit, &got))
        return std::unexpected(c_bridge::last_error());
    if (got.out_of_memory)
        return std::unexpected(Error::not_enough_memory);
    return std::move(got.objects);
}

inline std::expected<SharedMemory, Error> create(const CreateOptions &opts) noexcept {
    return SharedMemory::create(opts);
}
inline std::expected<SharedMemory, Error> open(const OpenOptions &opts) noexcept {
    return SharedMemory::open(opts);
}

// The version of the librtshm this program runs with ("0.1.0").
inline std::string_view library_version() noexcept {
    return RtShmGetVersion();
}

} // namespace rtshm

#endif // __cpp_lib_expected

#endif // RTSHM_RTSHM_HPP
