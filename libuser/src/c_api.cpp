// SPDX-License-Identifier: MIT
// c_api.cpp: the C ABI of <rtapi.h> and <rtshm/rtshm.h>, a thin layer over
// the C++ API.
//
// Reads RTX's flag words under the process personality (S5, S19), keeps
// handles in the handle table, and sets the last error exactly as the spec
// says: 0 on every success but a create that found the object
// (ERROR_ALREADY_EXISTS). No exception crosses this boundary: anything thrown
// (std::bad_alloc) becomes ERROR_NOT_ENOUGH_MEMORY.
#include "handle_table.hpp"
#include "last_error.hpp"
#include "names.hpp"

#include <rtapi.h>
#include <rtshm/rtshm.h>
#include <rtshm/rtshm.hpp>

#include <cstring>
#include <optional>
#include <string>

using rtshm::detail::set_last_error;

namespace {

HANDLE fail(DWORD e) {
    set_last_error(e);
    return nullptr;
}

DWORD code(rtshm::Error e) {
    return static_cast<DWORD>(e);
}

// Shared by every create: sizes, flProtect and the personality.
HANDLE create(DWORD flProtect, std::uint64_t size, std::optional<std::string> name, DWORD mode,
              VOID **location) {
    rtshm::Personality p = rtshm::personality();
    rtshm::CreateOptions o;
    o.name = std::move(name);
    o.size = size;
    o.personality = p;
    o.mode = mode;
    if (p == rtshm::Personality::windows) {
        switch (flProtect) {
        case PAGE_READONLY:
        case SHM_MAP_READ:
            o.protection = rtshm::Protection::read_only;
            break;
        case PAGE_READWRITE:
        case SHM_MAP_ALL_ACCESS:
            o.protection = rtshm::Protection::read_write;
            break;
        default:
            return fail(ERROR_INVALID_PARAMETER);
        }
    } // rtss: flProtect is ignored, every view is read-write (S5)
    auto shm = rtshm::SharedMemory::create(o);
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
    if ((access & 0x7u) == 0)
        return fail(ERROR_INVALID_PARAMETER);
    rtshm::OpenOptions o;
    o.name = std::move(*name);
    bool write = rtshm::personality() == rtshm::Personality::rtss || (access & 0x2u) != 0;
    o.access = write ? rtshm::Protection::read_write : rtshm::Protection::read_only;
    auto shm = rtshm::SharedMemory::open(o);
    if (!shm)
        return fail(code(shm.error()));
    void *addr = shm->data();
    HANDLE h = rtshm::detail::handle_insert(std::move(*shm));
    *location = addr;
    set_last_error(ERROR_SUCCESS);
    return h;
}

} // namespace

extern "C" {

HANDLE RtCreateSharedMemoryA(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                             LPCSTR lpName, VOID **location) {
    try {
        if (location == nullptr || MaximumSizeHigh != 0 || MaximumSizeLow == 0)
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!rtshm::detail::narrow_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return create(flProtect, MaximumSizeLow, std::move(name), 0, location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

HANDLE RtCreateSharedMemoryW(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                             LPCWSTR lpName, VOID **location) {
    try {
        if (location == nullptr || MaximumSizeHigh != 0 || MaximumSizeLow == 0)
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!rtshm::detail::wide_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return create(flProtect, MaximumSizeLow, std::move(name), 0, location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

HANDLE RtShmCreateSharedMemoryExA(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                                  LPCSTR lpName, DWORD mode, VOID **location) {
    try {
        std::uint64_t size = (std::uint64_t{MaximumSizeHigh} << 32) | MaximumSizeLow;
        if (location == nullptr || size == 0 || mode > 0777)
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!rtshm::detail::narrow_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return create(flProtect, size, std::move(name), mode, location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

HANDLE RtShmCreateSharedMemoryExW(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                                  LPCWSTR lpName, DWORD mode, VOID **location) {
    try {
        std::uint64_t size = (std::uint64_t{MaximumSizeHigh} << 32) | MaximumSizeLow;
        if (location == nullptr || size == 0 || mode > 0777)
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!rtshm::detail::wide_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return create(flProtect, size, std::move(name), mode, location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

HANDLE RtOpenSharedMemoryA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName,
                           VOID **location) {
    (void)bInheritHandle; // accepted and ignored: handles never survive exec (S20)
    try {
        if (location == nullptr)
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!rtshm::detail::narrow_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return open(dwDesiredAccess, std::move(name), location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

HANDLE RtOpenSharedMemoryW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName,
                           VOID **location) {
    (void)bInheritHandle;
    try {
        if (location == nullptr)
            return fail(ERROR_INVALID_PARAMETER);
        std::optional<std::string> name;
        if (!rtshm::detail::wide_name(lpName, name))
            return fail(ERROR_INVALID_PARAMETER);
        return open(dwDesiredAccess, std::move(name), location);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

BOOL RtCloseHandle(HANDLE hObject) {
    auto e = rtshm::detail::handle_remove(hObject);
    if (!e) {
        set_last_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    e->shm.close();
    e->sync.reset(); // the object goes once no call of another thread uses it (S55)
    return TRUE;
}

BOOL RtShmSetPersonality(DWORD personality) {
    if (personality != RTSHM_PERSONALITY_RTSS && personality != RTSHM_PERSONALITY_WINDOWS) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    rtshm::set_personality(static_cast<rtshm::Personality>(personality));
    return TRUE;
}

DWORD RtShmGetPersonality(void) {
    return static_cast<DWORD>(rtshm::personality());
}

DWORD RtShmGetBackend(void) {
    return static_cast<DWORD>(rtshm::backend());
}

const char *RtShmGetBackendName(void) {
    return rtshm::backend_name(rtshm::backend()).data();
}

} // extern "C"
