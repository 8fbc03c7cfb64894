// SPDX-License-Identifier: MIT
// posix_format.hpp: the on-disk format of the POSIX backend's object files.
//
// Exists apart from posix_backend.cpp so the conformance suite can plant a
// foreign object in the directory (S29) without duplicating the layout.
// An object is one file in the backend directory, named by a hash of the
// name (never by the name itself, S14): <32 hex digits of FNV-1a-128>.<probe>.
// Page 0 holds a FileHeader; the data starts at kDataOffset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace rtshm::detail::posix {

inline constexpr char kMagic[8] = {'R', 'T', 'S', 'H', 'M', 'O', 'B', '1'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kTypeShm = 1; // as RTSHM_TYPE_SHM; 2-4 events, mutexes, semaphores
inline constexpr off_t kDataOffset = 4096;
inline constexpr unsigned kProbes = 8; // file names tried per name hash

struct FileHeader {
    char magic[8];
    std::uint32_t version;
    std::uint32_t type;         // object type sharing the namespace (S29)
    std::uint64_t logical_size; // current size; only shrinks (S7)
    std::uint64_t alloc_size;   // bytes allocated after kDataOffset
    std::uint64_t id;
    std::uint32_t read_only;
    std::uint32_t mode;
    std::int32_t creator_pid;
    std::uint32_t name_len;
    char name[1024]; // UTF-8, not NUL-terminated
};
static_assert(sizeof(FileHeader) <= kDataOffset);

// RTSHM_POSIX_DIR, or /dev/shm/rtshm; read once per process.
const std::string &directory();
// File name (no directory) of probe number `probe` for `name`.
std::string object_file_name(std::string_view name, unsigned probe);
// Whether a directory entry is an object file.
bool is_object_file_name(std::string_view file);

} // namespace rtshm::detail::posix
