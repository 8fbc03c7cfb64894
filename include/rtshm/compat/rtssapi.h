/* SPDX-License-Identifier: MIT */
/*
 * rtssapi.h (rtshm compatibility folder, pkg-config rtshm-compat).
 *
 * The RTX run-time calls that RTX programs use around shared memory, in
 * librtshm: console output, sleeping and the clock. Times are in 100 ns
 * units, as RTX gives them, on CLOCK_MONOTONIC. Anything else RTSS offers
 * is not declared, so a program that needs it fails to build, naming it.
 * <windows.h> of this folder includes this header too (on RTX these calls
 * are also available to Windows-side programs).
 */
#ifndef RTSHM_COMPAT_RTSSAPI_H
#define RTSHM_COMPAT_RTSSAPI_H

#include <rtapi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* librtshm is built with -fvisibility=hidden: the functions declared here
 * are the ones it exports (libuser/librtshm.map, version RTSHM_0). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* The clocks of RtGetClockTime / RtGetClockResolution: both read
 * CLOCK_MONOTONIC here (the values are rtshm's own). */
#if !defined(CLOCK) && !defined(RTSHM_NO_CLOCK)
typedef uint32_t CLOCK, *PCLOCK;
#endif
#ifndef CLOCK_FASTEST
#define CLOCK_FASTEST 0xFFFFFFFFu
#endif
#ifndef CLOCK_SYSTEM
#define CLOCK_SYSTEM 0u
#endif

/* printf to stdout; the number of bytes written or a negative value. */
int RtPrintf(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
#ifndef RTSHM_WCHAR_IS_UTF16
/* wprintf to stdout as UTF-8 (stdout stays byte-oriented, so RtPrintf and
 * RtWprintf mix). Not declared under -fshort-wchar: the C library's wide
 * formatting takes 32-bit wchar_t. */
int RtWprintf(const wchar_t *format, ...);
#endif

/* Sleeps at least Milliseconds (0: yields). */
void RtSleep(uint32_t Milliseconds);
/* Sleeps at least pDuration->QuadPart * 100 ns (<= 0: yields). */
void RtSleepFt(LARGE_INTEGER *pDuration);
/* The time of a clock in 100 ns units: TRUE; FALSE and
 * ERROR_INVALID_PARAMETER for another clock or a NULL pointer. */
int RtGetClockTime(uint32_t Clock, LARGE_INTEGER *pTime);
/* Its resolution in 100 ns units (at least 1): TRUE, or as above. */
int RtGetClockResolution(uint32_t Clock, LARGE_INTEGER *pResolution);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTSHM_COMPAT_RTSSAPI_H */
