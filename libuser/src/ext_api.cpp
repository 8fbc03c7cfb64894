// SPDX-License-Identifier: MIT
// ext_api.cpp: the RtShm* entry points that <rtshm/rtshm.hpp> is inline
// over: explicit flags instead of RTX's flag words, 64-bit sizes, byte-exact
// names, the view's properties, backend choice, listing and the version.
//
// Exists so that only C crosses the library's boundary (the hourglass): no
// std::string, std::optional or std::expected of this library's libstdc++
// is in the ABI of librtshm.so.0. Same last-error rules as the RTX calls
// (S28): 0 on success but a create that found the object.
#include "core.hpp"
#include "handle_table.hpp"
#include "last_error.hpp"

#include <rtapi.h>
#include <rtshm/rtshm.h>

#include <cstdio>
#include <string>

using rtshm::detail::set_last_error;
namespace core = rtshm::detail;

namespace {

constexpr std::uint32_t kCreateFlags =
    RTSHM_SHM_READ_ONLY | RTSHM_SHM_EXCLUSIVE | RTSHM_SHM_SIZE_RTSS | RTSHM_SHM_SIZE_WINDOWS;

HANDLE fail(DWORD e) {
    set_last_error(e);
    return nullptr;
}

// Copies the view's properties out before the handle table owns it.
RTSHM_SHM_VIEW describe(const core::SharedMemory &shm) {
    RTSHM_SHM_VIEW v{};
    v.address = shm.data();
    v.size = shm.size();
    v.id = shm.id();
    v.backend = static_cast<std::uint32_t>(shm.backend());
    v.flags = (shm.writable() ? RTSHM_VIEW_WRITABLE : 0u) |
              (shm.locked() ? RTSHM_VIEW_LOCKED : 0u) | (shm.created() ? RTSHM_VIEW_CREATED : 0u);
    return v;
}

// An open sets 0; a create 0 or, when it found the object, ERROR_ALREADY_EXISTS.
HANDLE keep(core::SharedMemory &&shm, RTSHM_SHM_VIEW *view, bool is_create) {
    RTSHM_SHM_VIEW v = describe(shm);
    HANDLE h = core::handle_insert(std::move(shm));
    *view = v;
    bool found = is_create && (v.flags & RTSHM_VIEW_CREATED) == 0;
    set_last_error(found ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return h;
}

} // namespace

extern "C" {

HANDLE RtShmCreateSharedMemoryN(const char *name, size_t name_length, uint64_t size, uint32_t flags,
                                uint32_t mode, RTSHM_SHM_VIEW *view) {
    try {
        constexpr std::uint32_t both = RTSHM_SHM_SIZE_RTSS | RTSHM_SHM_SIZE_WINDOWS;
        if (view == nullptr || (flags & ~kCreateFlags) != 0 || (flags & both) == both ||
            (name == nullptr && name_length != 0))
            return fail(ERROR_INVALID_PARAMETER);
        core::CreateOptions o;
        if (name_length != 0)
            o.name = std::string(name, name_length);
        o.size = size;
        if ((flags & RTSHM_SHM_SIZE_RTSS) != 0)
            o.personality = core::Personality::rtss;
        else if ((flags & RTSHM_SHM_SIZE_WINDOWS) != 0)
            o.personality = core::Personality::windows;
        o.protection = (flags & RTSHM_SHM_READ_ONLY) != 0 ? core::Protection::read_only
                                                          : core::Protection::read_write;
        o.mode = mode; // checked (<= 0777, 0: default) by create
        o.exclusive = (flags & RTSHM_SHM_EXCLUSIVE) != 0;
        auto shm = core::SharedMemory::create(o);
        if (!shm)
            return fail(static_cast<DWORD>(shm.error()));
        return keep(std::move(*shm), view, true);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

HANDLE RtShmOpenSharedMemoryN(const char *name, size_t name_length, uint32_t flags,
                              RTSHM_SHM_VIEW *view) {
    try {
        if (view == nullptr || name == nullptr || name_length == 0 ||
            (flags & ~RTSHM_SHM_READ_ONLY) != 0)
            return fail(ERROR_INVALID_PARAMETER);
        core::OpenOptions o;
        o.name = std::string(name, name_length);
        o.access = (flags & RTSHM_SHM_READ_ONLY) != 0 ? core::Protection::read_only
                                                      : core::Protection::read_write;
        auto shm = core::SharedMemory::open(o);
        if (!shm)
            return fail(static_cast<DWORD>(shm.error()));
        return keep(std::move(*shm), view, false);
    } catch (...) {
        return fail(ERROR_NOT_ENOUGH_MEMORY);
    }
}

BOOL RtShmSelectBackend(DWORD backend) {
    if (backend != RTSHM_BACKEND_KERNEL && backend != RTSHM_BACKEND_POSIX) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (auto r = core::select_backend(static_cast<core::Backend>(backend)); !r) {
        set_last_error(static_cast<DWORD>(r.error()));
        return FALSE;
    }
    return TRUE;
}

BOOL RtShmListObjects(RTSHM_OBJECT_VISITOR visit, void *context) {
    if (visit == nullptr) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    // The snapshot is taken whole first: no lock is held while visit runs,
    // so it may call back into the library.
    auto list = core::list_objects();
    if (!list) {
        set_last_error(static_cast<DWORD>(list.error()));
        return FALSE;
    }
    for (const core::ObjectInfo &o : *list) {
        RTSHM_OBJECT_INFO i{};
        i.id = o.id;
        i.size = o.size;
        i.allocated_bytes = o.allocated_bytes;
        i.name = o.name ? o.name->c_str() : nullptr;
        i.name_length = o.name ? o.name->size() : 0;
        i.handles = o.handles;
        i.mappings = o.mappings;
        i.uid = o.uid;
        i.gid = o.gid;
        i.mode = o.mode;
        i.creator_pid = o.creator_pid;
        i.type = o.type;
        i.flags = o.read_only ? RTSHM_INFO_READ_ONLY : 0u;
        if (!visit(&i, context))
            break;
    }
    set_last_error(ERROR_SUCCESS);
    return TRUE;
}

const char *RtShmGetVersion(void) {
    return RTSHM_VERSION_STRING;
}

int RtShmQueryBroker(RTSHM_BROKER_INFO *info) {
    if (info == nullptr) {
        set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    *info = RTSHM_BROKER_INFO{};
    core::BrokerStatus st = core::broker_status();
    std::snprintf(info->socket, sizeof info->socket, "%s", st.where.c_str());
    if (st.pid <= 0) {
        set_last_error(ERROR_FILE_NOT_FOUND);
        return FALSE;
    }
    info->pid = st.pid;
    info->flags = st.system ? RTSHM_BROKER_SYSTEM : 0u;
    info->objects = st.objects;
    info->connections = st.connections;
    set_last_error(ERROR_SUCCESS);
    return TRUE;
}

} // extern "C"
