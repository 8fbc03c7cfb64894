/* SPDX-License-Identifier: MIT */
/*
 * rtshm/rtshm.h: C extensions of librtshm for what RTX lacks.
 *
 * Exists because a Linux process must be able to choose its RTX personality
 * (S31), the mode of the objects it creates (S32), and ask which backend
 * (kernel module or POSIX fallback) serves it. Plain RTX programs need only
 * <rtapi.h>.
 */
#ifndef RTSHM_RTSHM_H
#define RTSHM_RTSHM_H

#include <rtapi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* librtshm is built with -fvisibility=hidden: the functions declared here
 * are the ones it exports (libuser/librtshm.map, version RTSHM_0). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* Personality (S31): how create/open behave, per process. */
#define RTSHM_PERSONALITY_RTSS 0    /* RTSS / wRTOS process (default) */
#define RTSHM_PERSONALITY_WINDOWS 1 /* Windows process */

/* Sets the calling process's personality; overrides RTSHM_PERSONALITY.
 * FALSE and ERROR_INVALID_PARAMETER for an unknown value. */
int RtShmSetPersonality(uint32_t personality);
/* The calling process's personality (RTSHM_PERSONALITY_*). */
uint32_t RtShmGetPersonality(void);

/* RtCreateSharedMemory with a mode (S32): mode is the permission bits of a
 * new object (<= 0777; 0 means the default 0660; ignored when the object
 * exists), optionally ORed with RTSHM_CREATE_EXCLUSIVE. Unlike
 * RtCreateSharedMemory, MaximumSizeHigh may be non-zero (sizes above
 * 4 GiB). Otherwise identical, last error included. */
/* Only a new object will do: when the name exists (of any type) the call
 * returns NULL with ERROR_ALREADY_EXISTS, so that a daemon never attaches
 * to an object another user created first (S32). */
#define RTSHM_CREATE_EXCLUSIVE 0x10000u
void *RtShmCreateSharedMemoryExA(uint32_t flProtect, uint32_t MaximumSizeHigh,
                                 uint32_t MaximumSizeLow, const char *lpName, uint32_t mode,
                                 void **location);
/* UTF-16 names, as RtCreateSharedMemoryW16; the W form of a -fshort-wchar
 * program. */
void *RtShmCreateSharedMemoryExW16(uint32_t flProtect, uint32_t MaximumSizeHigh,
                                   uint32_t MaximumSizeLow, const RTSHM_UTF16 *lpName,
                                   uint32_t mode, void **location);
#ifdef RTSHM_WCHAR_IS_UTF16
#define RtShmCreateSharedMemoryExW RtShmCreateSharedMemoryExW16
#else
void *RtShmCreateSharedMemoryExW(uint32_t flProtect, uint32_t MaximumSizeHigh,
                                 uint32_t MaximumSizeLow, const wchar_t *lpName, uint32_t mode,
                                 void **location);
#endif
#ifdef UNICODE
#define RtShmCreateSharedMemoryEx RtShmCreateSharedMemoryExW
#else
#define RtShmCreateSharedMemoryEx RtShmCreateSharedMemoryExA
#endif

/* The backend that serves this process (chosen by RTSHM_BACKEND=auto|kernel|
 * posix). NONE: the requested backend cannot work (for example kernel
 * without /dev/rtshm); every create/open then fails. */
#define RTSHM_BACKEND_NONE 0
#define RTSHM_BACKEND_KERNEL 1
#define RTSHM_BACKEND_POSIX 2
uint32_t RtShmGetBackend(void);
/* "kernel", "posix" or "none"; a static string. */
const char *RtShmGetBackendName(void);

/* The state of an event, mutex or semaphore, for tools (S59). A snapshot:
 * it may change as soon as it is read. */
#define RTSHM_OBJECT_SHM 1
#define RTSHM_OBJECT_EVENT 2
#define RTSHM_OBJECT_MUTEX 3
#define RTSHM_OBJECT_SEMAPHORE 4
typedef struct RTSHM_SYNC_STATE {
    DWORD type;      /* RTSHM_OBJECT_EVENT, _MUTEX or _SEMAPHORE */
    DWORD waiters;   /* threads blocked on it, in every process */
    BOOL manual;     /* event: manual-reset */
    BOOL signaled;   /* event: set */
    LONG count;      /* semaphore: current count */
    LONG maximum;    /* semaphore: maximum count */
    DWORD owner_pid; /* mutex: owner's process, 0 when free */
    DWORD owner_tid; /* mutex: owner's thread, 0 when free */
    DWORD recursion; /* mutex: times the owner holds it */
    BOOL abandoned;  /* mutex: its owner ended while holding it */
} RTSHM_SYNC_STATE;
/* FALSE and ERROR_INVALID_HANDLE for a handle that is not an event, mutex
 * or semaphore, or ERROR_INVALID_PARAMETER for a NULL state. */
BOOL RtShmQuerySyncObject(HANDLE hObject, RTSHM_SYNC_STATE *state);

/* ---- The C++ API's entry points ------------------------------------------
 * <rtshm/rtshm.hpp> is inline over these (C only crosses the library's
 * boundary). C programs may use them too: they take what RTX's flag words
 * cannot say, with no personality reading of flProtect. */

/* flags of RtShmCreateSharedMemoryN and RtShmOpenSharedMemoryN. */
#define RTSHM_SHM_READ_ONLY 0x1u /* a new object is read-only; the view is read-only */
#define RTSHM_SHM_EXCLUSIVE 0x2u /* create: only a new object will do (S32) */
/* create: the re-create size rule of RTSS (a smaller size shrinks) or of
 * Windows (the size must match), whatever the process personality (S31). */
#define RTSHM_SHM_SIZE_RTSS 0x4u
#define RTSHM_SHM_SIZE_WINDOWS 0x8u

/* RTSHM_SHM_VIEW.flags */
#define RTSHM_VIEW_WRITABLE 0x1u /* a read-write view */
#define RTSHM_VIEW_LOCKED 0x2u   /* its pages are pinned / locked in memory */
#define RTSHM_VIEW_CREATED 0x4u  /* this call made the object */

/* The view a create or open made, as it was then. */
typedef struct RTSHM_SHM_VIEW {
    void *address;
    uint64_t size;    /* bytes of this mapping */
    uint64_t id;      /* object id (kernel: never reused while loaded) */
    uint32_t backend; /* RTSHM_BACKEND_* */
    uint32_t flags;   /* RTSHM_VIEW_* */
} RTSHM_SHM_VIEW;

/* Creates or opens the object named by name_length bytes of UTF-8 at name
 * (NULL or 0 bytes: unnamed; at most 1024 bytes, no NUL among them) of size
 * bytes (> 0, above 4 GiB allowed) and maps it. mode: the permission bits of
 * a new object (<= 0777, 0 means 0660). Neither SIZE flag: the process
 * personality's rule (S31); both: ERROR_INVALID_PARAMETER, as an unknown
 * flag. The handle, view filled in and last error 0 (new object) or
 * ERROR_ALREADY_EXISTS; NULL and the error otherwise. */
void *RtShmCreateSharedMemoryN(const char *name, size_t name_length, uint64_t size, uint32_t flags,
                               uint32_t mode, RTSHM_SHM_VIEW *view);
/* Opens and maps a named object (name as above, not empty); flags 0 or
 * RTSHM_SHM_READ_ONLY. The handle, view filled in and last error 0; NULL and
 * the error otherwise. */
void *RtShmOpenSharedMemoryN(const char *name, size_t name_length, uint32_t flags,
                             RTSHM_SHM_VIEW *view);

/* Chooses the backend of later creates/opens of this process, overriding
 * RTSHM_BACKEND (for tests and tools); existing objects keep theirs. FALSE
 * and ERROR_INVALID_PARAMETER for NONE or an unknown value, or the error the
 * backend gives when it cannot work here (kernel without /dev/rtshm). */
int RtShmSelectBackend(uint32_t backend);

/* One live object, as `rtshm ls` shows it. */
#define RTSHM_INFO_READ_ONLY 0x1u
typedef struct RTSHM_OBJECT_INFO {
    uint64_t id;
    uint64_t size;            /* current size (may have shrunk, S7) */
    uint64_t allocated_bytes; /* memory held until the object dies */
    const char *name;         /* UTF-8, NUL-terminated; NULL: unnamed */
    size_t name_length;       /* bytes of name before its NUL */
    uint32_t handles;         /* open handles, in every process */
    uint32_t mappings;        /* live mappings, in every process */
    uint32_t uid;             /* owner */
    uint32_t gid;
    uint32_t mode;       /* permission bits */
    int32_t creator_pid; /* 0: not visible from here */
    uint32_t type;       /* RTSHM_OBJECT_* */
    uint32_t flags;      /* RTSHM_INFO_* */
} RTSHM_OBJECT_INFO;
/* Called once per object; info (and its name) lives until it returns.
 * FALSE stops the listing. */
typedef int (*RTSHM_OBJECT_VISITOR)(const RTSHM_OBJECT_INFO *info, void *context);
/* Takes a snapshot of every live object of the backend this process uses
 * (kernel: all objects, in id order; POSIX: the named objects of its
 * broker that this user may read), then calls visit on each with context,
 * holding no lock. TRUE once listed (also when visit stopped
 * it); FALSE and the error (ERROR_INVALID_PARAMETER for a NULL visit). */
int RtShmListObjects(RTSHM_OBJECT_VISITOR visit, void *context);

/* The version of librtshm, "MAJOR.MINOR.PATCH" (the VERSION file); a static
 * string. */
const char *RtShmGetVersion(void);

/* The POSIX backend's broker that serves this process (S34; since 0.2.0,
 * version node RTSHM_0.1). */
#define RTSHM_BROKER_SYSTEM 0x1u /* the system broker, shared by every user */
typedef struct RTSHM_BROKER_INFO {
    char socket[108];     /* where it is: a path, or "@name" (abstract); NUL-terminated */
    int32_t pid;          /* its process; 0 when none answers */
    uint32_t flags;       /* RTSHM_BROKER_* */
    uint32_t objects;     /* live objects */
    uint32_t connections; /* connected processes */
} RTSHM_BROKER_INFO;
/* Asks it, without starting one: TRUE and info filled in; FALSE and
 * ERROR_FILE_NOT_FOUND when none answers (info->socket still says where one
 * was looked for), ERROR_INVALID_PARAMETER for NULL. */
int RtShmQueryBroker(RTSHM_BROKER_INFO *info);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTSHM_RTSHM_H */
