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

#ifdef __cplusplus
}
#endif

#endif /* RTSHM_RTSHM_H */
