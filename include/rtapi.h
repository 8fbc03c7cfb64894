/* SPDX-License-Identifier: MIT */
/*
 * rtapi.h: the RTX64 / wRTOS shared-memory and synchronisation C API on
 * Linux (librtshm).
 *
 * Exists so that an RTX program using RtCreateSharedMemory,
 * RtOpenSharedMemory, RtCloseHandle and the events, mutexes, semaphores and
 * waits that go with them (S40-S59) builds unchanged: the Windows-style
 * types, the constants with their Windows values, and the A/W functions with
 * the UNICODE mapping, exactly as docs spec/semantics.md "Types and
 * constants" gives them. Compiles as C99 and as C++.
 */
#ifndef RTSHM_RTAPI_H
#define RTSHM_RTAPI_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Windows-style types (guarded so a second Windows-compat header can win). */
#ifndef RTSHM_NO_WIN32_TYPES
typedef void *HANDLE;
typedef uint32_t DWORD;
typedef int BOOL;
#ifndef VOID
#define VOID void
#endif
typedef char CHAR;
typedef wchar_t WCHAR;
typedef void *PVOID;
typedef void *LPVOID;
typedef const char *LPCSTR;
typedef const wchar_t *LPCWSTR;
#ifdef UNICODE
typedef WCHAR TCHAR;
typedef LPCWSTR LPCTSTR;
#else
typedef CHAR TCHAR;
typedef LPCSTR LPCTSTR;
#endif
#endif /* RTSHM_NO_WIN32_TYPES */

/* Types of the synchronisation functions (S40-S59), each guarded on its own
 * so that another Windows-compat header may define it first. */
#ifndef RTSHM_HAVE_LONG
#define RTSHM_HAVE_LONG
typedef int32_t LONG;
typedef LONG *LPLONG;
#endif
#ifndef RTSHM_HAVE_ULARGE_INTEGER
#define RTSHM_HAVE_ULARGE_INTEGER
#if defined(__GNUC__)
#define RTSHM_ANON_STRUCT __extension__ struct /* anonymous members predate C11 */
#else
#define RTSHM_ANON_STRUCT struct
#endif
typedef union _ULARGE_INTEGER {
    RTSHM_ANON_STRUCT {
        DWORD LowPart;
        DWORD HighPart;
    };
    struct {
        DWORD LowPart;
        DWORD HighPart;
    } u;
    uint64_t QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;
#endif
#ifndef RTSHM_HAVE_SECURITY_ATTRIBUTES
#define RTSHM_HAVE_SECURITY_ATTRIBUTES
typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;
#endif

#ifndef TEXT
#ifdef UNICODE
#define TEXT(s) L##s
#else
#define TEXT(s) s
#endif
#endif
#ifndef _T
#define _T(s) TEXT(s)
#endif

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef INVALID_HANDLE_VALUE
#define INVALID_HANDLE_VALUE ((HANDLE)(intptr_t)-1)
#endif
#ifndef WINAPI
#define WINAPI
#endif

/* flProtect of RtCreateSharedMemory. */
#define PAGE_READONLY 0x02
#define PAGE_READWRITE 0x04

/* dwDesiredAccess of RtOpenSharedMemory (RTX values). */
#define SHM_MAP_READ 1
#define SHM_MAP_WRITE 2
#define SHM_MAP_ALL_ACCESS 3

/* The Win32 values that ported code passes as well (S19). */
#ifndef FILE_MAP_WRITE
#define FILE_MAP_WRITE 0x2
#endif
#ifndef FILE_MAP_READ
#define FILE_MAP_READ 0x4
#endif
#ifndef FILE_MAP_ALL_ACCESS
#define FILE_MAP_ALL_ACCESS 0xF001F
#endif

#define RTX_MAX_OBJECT_NAME_LENGTH 256

#ifndef ERROR_SUCCESS
#define ERROR_SUCCESS 0
#endif
#ifndef ERROR_FILE_NOT_FOUND
#define ERROR_FILE_NOT_FOUND 2
#endif
#ifndef ERROR_ACCESS_DENIED
#define ERROR_ACCESS_DENIED 5
#endif
#ifndef ERROR_INVALID_HANDLE
#define ERROR_INVALID_HANDLE 6
#endif
#ifndef ERROR_NOT_ENOUGH_MEMORY
#define ERROR_NOT_ENOUGH_MEMORY 8
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER 87
#endif
#ifndef ERROR_ALREADY_EXISTS
#define ERROR_ALREADY_EXISTS 183
#endif
#ifndef ERROR_NOT_OWNER
#define ERROR_NOT_OWNER 288
#endif
#ifndef ERROR_TOO_MANY_POSTS
#define ERROR_TOO_MANY_POSTS 298
#endif

/* Results and timeouts of the waits (S51-S54). */
#ifndef WAIT_OBJECT_0
#define WAIT_OBJECT_0 0x00000000u
#endif
#ifndef WAIT_ABANDONED
#define WAIT_ABANDONED 0x00000080u
#endif
#ifndef WAIT_ABANDONED_0
#define WAIT_ABANDONED_0 WAIT_ABANDONED
#endif
#ifndef WAIT_TIMEOUT
#define WAIT_TIMEOUT 0x00000102u
#endif
#ifndef WAIT_FAILED
#define WAIT_FAILED 0xFFFFFFFFu
#endif
#ifndef INFINITE
#define INFINITE 0xFFFFFFFFu
#endif
#ifndef MAX_WFMO
#define MAX_WFMO 64
#endif

HANDLE RtCreateSharedMemoryA(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                             LPCSTR lpName, VOID **location);
HANDLE RtCreateSharedMemoryW(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                             LPCWSTR lpName, VOID **location);
HANDLE RtOpenSharedMemoryA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName,
                           VOID **location);
HANDLE RtOpenSharedMemoryW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName,
                           VOID **location);
/* Closes a handle of any type (S21, S55). */
BOOL RtCloseHandle(HANDLE hObject);

/* Events (S43-S45). */
HANDLE RtCreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                      BOOL bInitialState, LPCSTR lpName);
HANDLE RtCreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                      BOOL bInitialState, LPCWSTR lpName);
HANDLE RtOpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
HANDLE RtOpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
BOOL RtSetEvent(HANDLE hEvent);
BOOL RtResetEvent(HANDLE hEvent);
BOOL RtPulseEvent(HANDLE hEvent);

/* Mutexes (S46-S49). */
HANDLE RtCreateMutexA(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCSTR lpName);
HANDLE RtCreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCWSTR lpName);
HANDLE RtOpenMutexA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
HANDLE RtOpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
BOOL RtReleaseMutex(HANDLE hMutex);

/* Semaphores (S42, S50). */
HANDLE RtCreateSemaphoreA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                          LONG lMaximumCount, LPCSTR lpName);
HANDLE RtCreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
                          LONG lMaximumCount, LPCWSTR lpName);
HANDLE RtOpenSemaphoreA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
HANDLE RtOpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
BOOL RtReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount);

/* Waits (S51-S54): milliseconds, or 100 ns units through a pointer (Ex). */
DWORD RtWaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
DWORD RtWaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                               DWORD dwMilliseconds);
DWORD RtWaitForSingleObjectEx(HANDLE hHandle, PULARGE_INTEGER lpTimeout);
DWORD RtWaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                 PULARGE_INTEGER lpTimeout);

DWORD GetLastError(void);
VOID SetLastError(DWORD dwErrCode);
DWORD RtGetLastError(void);
VOID RtSetLastError(DWORD dwErrCode);

#ifdef UNICODE
#define RtCreateSharedMemory RtCreateSharedMemoryW
#define RtOpenSharedMemory RtOpenSharedMemoryW
#define RtCreateEvent RtCreateEventW
#define RtOpenEvent RtOpenEventW
#define RtCreateMutex RtCreateMutexW
#define RtOpenMutex RtOpenMutexW
#define RtCreateSemaphore RtCreateSemaphoreW
#define RtOpenSemaphore RtOpenSemaphoreW
#else
#define RtCreateSharedMemory RtCreateSharedMemoryA
#define RtOpenSharedMemory RtOpenSharedMemoryA
#define RtCreateEvent RtCreateEventA
#define RtOpenEvent RtOpenEventA
#define RtCreateMutex RtCreateMutexA
#define RtOpenMutex RtOpenMutexA
#define RtCreateSemaphore RtCreateSemaphoreA
#define RtOpenSemaphore RtOpenSemaphoreA
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTSHM_RTAPI_H */
