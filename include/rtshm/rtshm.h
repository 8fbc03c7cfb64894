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

#ifdef __cplusplus
}
#endif

#endif /* RTSHM_RTSHM_H */
