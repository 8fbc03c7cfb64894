// SPDX-License-Identifier: MIT
// c_api.cpp: the C ABI of <rtapi.h> and <rtshm/rtshm.h>, a thin layer over
// the internal C++ API (core.hpp).
//
// Reads RTX's flag words under the process personality (S5, S19), keeps
// handles in the handle table, and sets the last error exactly as the spec
// says: 0 on every success but a create that found the object
// (ERROR_ALREADY_EXISTS). No exception crosses this boundary: anything thrown
// (std::bad_alloc) becomes ERROR_NOT_ENOUGH_MEMORY.
#include "core.hpp"
#include "handle_table.hpp"
#include "last_error.hpp"
#include "names.hpp"
#include "utf8.hpp"

#include <rtapi.h>
#include <rtshm/rtshm.h>

#include <cstring>
#include <optional>
#include <string>

using rtshm::detail::set_last_error;

namespace {

HANDLE fail(DWORD e) {
    set_last_error(e);
    return nullptr;
}

DWORD code(rtshm::detail::Error e) {
    return static_cast<DWORD>(e);
}

// The mode argument of the Ex creates: permission bits and RTSHM_CREATE_EXCLUSIVE.
constexpr bool ex_mode_ok(DWORD mode) {
    return (mode & ~(0777u | RTSHM_CREATE_EXCLUSIVE)) == 0;
}

// Shared by every create: sizes, flProtect and the personality.
HANDLE create(DWORD flProtect, std::uint64_t size, std::optional<std::string> name, DWORD mode,
              VOID **location) {
    rtshm::detail::Personality p = rtshm::detail::personality();
    rtshm::detail::CreateOptions o;
    o.name = std::move(name);
    o.size = size;
    o.personality = p;
    o.mode = mode & 0777u;
    o.exclusive = (mode & RTSHM_CREATE_EXCLUSIVE) != 0;
    if (p == rtshm::detail::Personality::windows) {
        // S5 (contract v2): 1 is read-only; 0, 2 (SHM_MAP_WRITE, the number
        // of Win32's PAGE_READONLY), 3 and 4 are read-write; nothing else.
        switch (flProtect) {
        case SHM_MAP_READ:
            o.protection = rtshm::detail::Protection::read_only;
            break;
        case 0:
        case SHM_MAP_WRITE:
        case SHM_MAP_ALL_ACCESS:
        case PAGE_READWRITE:
            o.protection = rtshm::detail::Protection::read_write;
            break;
        default:
            return fail(ERROR_INVALID_PARAMETER);
        }
    } // rtss: flProtect is ignored, every view is read-write (S5)
    auto shm = rtshm::detail::SharedMemory::create(o);
    if (!shm)
        return fail(code(shm.error()));
    bool created = shm->created();
    void *addr = shm->data();
    HANDLE h = rtshm::detail::handle_insert(std::move(*shm));
    *location = addr;
    set_last_error(created ? ERROR_SUCCESS : ERROR_ALREADY_EXISTS);
    return h;
}

HANDLE open(DWORD access, std::optional<std::string> name, VOID **location) {
    if (!name)
        return fail(ERROR_INVALID_PARAMETER);
    // S19 (contract v2). rtss: every view is read-write, the value is not
    // looked at (as flProtect, S5). windows: exactly 1 is read-only; 0 and
    // any value with bit 0x2 or 0x4 are read-write (4 is PAGE_READWRITE, and
    // FILE_MAP_READ has its number); anything else is refused.
    bool write = true;
    if (rtshm::detail::personality() == rtshm::detail::Personality::windows) {
        if (access == SHM_MAP_READ)
            write = false;
        else if (access != 0 && (access & 0x6u) == 0)
            return fail(ERROR_INVALID_PARAMETER);
    }
    rtshm::detail::OpenOptions o;
    o.name = std::move(*name);
    o.access = write ? rtshm::detail::Protection::read_write : rtshm::detail::Protection::read_only;
    auto shm = rtshm::detail::SharedMemory::open(o);
    if (!shm)
        return fail(code(shm.error()));
    void *addr = shm->data();
    HANDLE h = rtshm::detail::handle_insert(std::move(*shm));
    *location = addr;
    set_last_error(ERROR_SUCCESS);
    return h;
}

static_assert(sizeof(RTSHM_UTF16) == 2);

// One body per call for the A, W and UTF-16 forms; to_name converts the
// name (narrow_name, wide_name or utf16_name).
template <class Char, class ToName>
HANDLE create_named(ToName to_name, DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                    const Char *lpName, VOID **location) {
    try {
        if (location == nullptr || MaximumSizeHigh != 0 || MaximumSizeLow == 0)
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!to_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return create(flProtect, MaximumSizeLow, std::move(name), 0, location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

template <class Char, class ToName>
HANDLE create_named_ex(ToName to_name, DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                       const Char *lpName, DWORD mode, VOID **location) {
    try {
        std::uint64_t size = (std::uint64_t{MaximumSizeHigh} << 32) | MaximumSizeLow;
        if (location == nullptr || size == 0 || !ex_mode_ok(mode))
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!to_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return create(flProtect, size, std::move(name), mode, location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

// bInheritHandle is accepted and ignored: handles never survive exec (S20).
template <class Char, class ToName>
HANDLE open_named(ToName to_name, DWORD dwDesiredAccess, const Char *lpName, VOID **location) {
    try {
        if (location == nullptr)
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!to_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return open(dwDesiredAccess, std::move(name), location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

} // namespace

extern "C" {

HANDLE RtCreateSharedMemoryA(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                             LPCSTR lpName, VOID **location) {
    return create_named(rtshm::detail::narrow_name, flProtect, MaximumSizeHigh, MaximumSizeLow,
                        lpName, location);
}

HANDLE RtCreateSharedMemoryW(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                             LPCWSTR lpName, VOID **location) {
    return create_named(rtshm::detail::wide_name, flProtect, MaximumSizeHigh, MaximumSizeLow,
                        lpName, location);
}

HANDLE RtCreateSharedMemoryW16(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                               const RTSHM_UTF16 *lpName, VOID **location) {
    return create_named(rtshm::detail::utf16_name, flProtect, MaximumSizeHigh, MaximumSizeLow,
                        lpName, location);
}

HANDLE RtShmCreateSharedMemoryExA(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                                  LPCSTR lpName, DWORD mode, VOID **location) {
    return create_named_ex(rtshm::detail::narrow_name, flProtect, MaximumSizeHigh, MaximumSizeLow,
                           lpName, mode, location);
}

HANDLE RtShmCreateSharedMemoryExW(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                                  LPCWSTR lpName, DWORD mode, VOID **location) {
    return create_named_ex(rtshm::detail::wide_name, flProtect, MaximumSizeHigh, MaximumSizeLow,
                           lpName, mode, location);
}

HANDLE RtShmCreateSharedMemoryExW16(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                                    const RTSHM_UTF16 *lpName, DWORD mode, VOID **location) {
    return create_named_ex(rtshm::detail::utf16_name, flProtect, MaximumSizeHigh, MaximumSizeLow,
                           lpName, mode, location);
}

HANDLE RtOpenSharedMemoryA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName,
                           VOID **location) {
    (void)bInheritHandle;
    return open_named(rtshm::detail::narrow_name, dwDesiredAccess, lpName, location);
}

HANDLE RtOpenSharedMemoryW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName,
                           VOID **location) {
    (void)bInheritHandle;
    return open_named(rtshm::detail::wide_name, dwDesiredAccess, lpName, location);
}

HANDLE RtOpenSharedMemoryW16(DWORD dwDesiredAccess, BOOL bInheritHandle, const RTSHM_UTF16 *lpName,
                             VOID **location) {
    (void)bInheritHandle;
    return open_named(rtshm::detail::utf16_name, dwDesiredAccess, lpName, location);
}

BOOL RtUnmapSharedMemory(PVOID lpBaseAddress) {
    if (!rtshm::detail::handle_unmap(lpBaseAddress)) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    return TRUE;
}

BOOL RtCloseHandle(HANDLE hObject) {
    // The object goes now, or once no call of another thread uses it (S55).
    if (!rtshm::detail::handle_close(hObject)) {
        set_last_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

BOOL RtShmSetPersonality(DWORD personality) {
    if (personality != RTSHM_PERSONALITY_RTSS && personality != RTSHM_PERSONALITY_WINDOWS) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    rtshm::detail::set_personality(static_cast<rtshm::detail::Personality>(personality));
    return TRUE;
}

DWORD RtShmGetPersonality(void) {
    return static_cast<DWORD>(rtshm::detail::personality());
}

DWORD RtShmGetBackend(void) {
    return static_cast<DWORD>(rtshm::detail::backend());
}

const char *RtShmGetBackendName(void) {
    return rtshm::detail::backend_name(rtshm::detail::backend()).data();
}

} // extern "C"
