/* SPDX-License-Identifier: MIT */
/*
 * windows.h (rtshm compatibility folder, pkg-config rtshm-compat).
 *
 * Not Windows: just what RTX programs use next to the shared-memory API,
 * so that a project template's includes resolve and such programs build
 * unchanged. The types and constants of <rtapi.h>; LONGLONG, ULONGLONG,
 * _cdecl/__cdecl; the Win32 timing and placement calls RTX samples use
 * (Sleep, QueryPerformanceCounter/Frequency on CLOCK_MONOTONIC,
 * GetCurrentProcessorNumber, GetCurrentProcessId/ThreadId, ExitProcess);
 * and, as on RTX, the run-time calls of <rtssapi.h> and the mappings of
 * <tchar.h>. Anything else stays undefined, so the build names what is
 * missing. The Win32 calls are static inline wrappers of librtshm's
 * RtShm* functions: librtshm exports no Win32 name but GetLastError and
 * SetLastError.
 */
#ifndef RTSHM_COMPAT_WINDOWS_H
#define RTSHM_COMPAT_WINDOWS_H

#include <rtapi.h>
#include <stdlib.h>

#include "rtssapi.h"
#include "tchar.h"

#ifdef __cplusplus
extern "C" {
#endif

/* librtshm is built with -fvisibility=hidden: the functions declared here
 * are the ones it exports (libuser/librtshm.map, version RTSHM_0). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#if !defined(LONGLONG) && !defined(RTSHM_NO_LONGLONG)
typedef int64_t LONGLONG;
#endif
#if !defined(ULONGLONG) && !defined(RTSHM_NO_ULONGLONG)
typedef uint64_t ULONGLONG;
#endif
#ifndef _cdecl
#define _cdecl
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef INFINITE
#define INFINITE 0xFFFFFFFFu
#endif

/* librtshm: CLOCK_MONOTONIC in ns, its frequency (1e9), sched_getcpu(),
 * getpid(), gettid(). */
void RtShmQueryPerformanceCounter(int64_t *count);
int64_t RtShmQueryPerformanceFrequency(void);
uint32_t RtShmGetCurrentProcessorNumber(void);
uint32_t RtShmGetCurrentProcessId(void);
uint32_t RtShmGetCurrentThreadId(void);

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define RTSHM_COMPAT_INLINE static inline
#else
#define RTSHM_COMPAT_INLINE static __inline__
#endif

/* Sleeps at least dwMilliseconds; INFINITE: for ever. */
RTSHM_COMPAT_INLINE void Sleep(uint32_t dwMilliseconds) {
    do
        RtSleep(dwMilliseconds);
    while (dwMilliseconds == INFINITE);
}
RTSHM_COMPAT_INLINE int QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount) {
    if (lpPerformanceCount == NULL)
        return 0;
    RtShmQueryPerformanceCounter(&lpPerformanceCount->QuadPart);
    return 1;
}
RTSHM_COMPAT_INLINE int QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency) {
    if (lpFrequency == NULL)
        return 0;
    lpFrequency->QuadPart = RtShmQueryPerformanceFrequency();
    return 1;
}
RTSHM_COMPAT_INLINE uint32_t GetCurrentProcessorNumber(void) {
    return RtShmGetCurrentProcessorNumber();
}
RTSHM_COMPAT_INLINE uint32_t GetCurrentProcessId(void) {
    return RtShmGetCurrentProcessId();
}
RTSHM_COMPAT_INLINE uint32_t GetCurrentThreadId(void) {
    return RtShmGetCurrentThreadId();
}
/* exit(): atexit handlers run, stdio is flushed; RtCloseHandle of every
 * handle happens as the process ends (S24). */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
RTSHM_COMPAT_INLINE void
ExitProcess(unsigned int uExitCode) {
    exit((int)uExitCode);
}

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTSHM_COMPAT_WINDOWS_H */
