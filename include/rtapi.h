/* SPDX-License-Identifier: MIT */
/*
 * rtapi.h: the RTX64 / wRTOS shared-memory C API on Linux (librtshm).
 *
 * Exists so that an RTX program using RtCreateSharedMemory,
 * RtOpenSharedMemory and RtCloseHandle, and the events, mutexes, semaphores
 * and waits that go with them (S40-S59), builds unchanged (S60): the
 * Windows-style types, the constants with their Windows values, and the A/W
 * functions with the UNICODE mapping, as docs/semantics.md "Types and
 * constants" gives them. <Rtapi.h> and <RtApi.h>, the spellings of the
 * vendor's SDK, include this file. Compiles as C89 and later and as C++.
 *
 * Types. Each Windows type is defined on its own, and only if
 *  - it is not already a macro (some headers #define BOOL int),
 *  - the program did not define RTSHM_NO_<TYPE> (for example RTSHM_NO_BOOL)
 *    to keep a definition of its own,
 *  - and, for BOOL and BYTE, <X11/Xmd.h> has not defined them (XMD_H).
 * RTSHM_NO_WIN32_TYPES leaves out all of them. The functions below are
 * declared with the plain C types (int, uint32_t, void *), so they keep
 * their ABI whatever another header made BOOL or DWORD. Windows' LONG and
 * ULONG are 32 bits (int32_t, uint32_t), also on LP64 Linux.
 *
 * UNICODE or _UNICODE (either; Visual Studio defines both) selects the W
 * functions and makes TCHAR, _TCHAR, TEXT() and _T() wide.
 *
 * wchar_t of 16 bits (-fshort-wchar, __SIZEOF_WCHAR_T__ == 2): WCHAR and
 * L"..." are UTF-16, and the W functions are routed to the UTF-16 entry
 * points (RtCreateSharedMemoryW16, ...), so one librtshm serves programs
 * built either way.
 */
#ifndef RTSHM_RTAPI_H
#define RTSHM_RTAPI_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* librtshm is built with -fvisibility=hidden: the functions declared here
 * are the ones it exports (libuser/librtshm.map, version RTSHM_0). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#if defined(UNICODE) || defined(_UNICODE)
#define RTSHM_TCHAR_IS_WIDE 1
#endif

#if defined(__SIZEOF_WCHAR_T__) && __SIZEOF_WCHAR_T__ == 2
#define RTSHM_WCHAR_IS_UTF16 1
#endif

/* A UTF-16 code unit, as the W16 entry points take it: wchar_t itself when
 * it has 16 bits, so that L"..." passes without a cast. */
#ifdef RTSHM_WCHAR_IS_UTF16
typedef wchar_t RTSHM_UTF16;
#else
typedef uint16_t RTSHM_UTF16;
#endif

/* ---- Windows-style types (S60), each guarded on its own ---------------- */
#ifndef RTSHM_NO_WIN32_TYPES

#if !defined(HANDLE) && !defined(RTSHM_NO_HANDLE)
typedef void *HANDLE;
#endif
#if !defined(DWORD) && !defined(RTSHM_NO_DWORD)
typedef uint32_t DWORD;
#endif
#if !defined(BOOL) && !defined(RTSHM_NO_BOOL) && !defined(XMD_H)
typedef int BOOL;
#endif
#if !defined(BYTE) && !defined(RTSHM_NO_BYTE) && !defined(XMD_H)
typedef unsigned char BYTE;
#endif
#ifndef VOID
#define VOID void
#endif
#if !defined(CHAR) && !defined(RTSHM_NO_CHAR)
typedef char CHAR;
#endif
#if !defined(UCHAR) && !defined(RTSHM_NO_UCHAR)
typedef unsigned char UCHAR;
#endif
#if !defined(PUCHAR) && !defined(RTSHM_NO_PUCHAR)
typedef unsigned char *PUCHAR;
#endif
#if !defined(WORD) && !defined(RTSHM_NO_WORD)
typedef uint16_t WORD;
#endif
#if !defined(LONG) && !defined(RTSHM_NO_LONG)
typedef int32_t LONG;
#endif
#if !defined(ULONG) && !defined(RTSHM_NO_ULONG)
typedef uint32_t ULONG;
#endif
#if !defined(PLONG) && !defined(RTSHM_NO_PLONG)
typedef int32_t *PLONG;
#endif
#if !defined(LPLONG) && !defined(RTSHM_NO_LPLONG)
typedef int32_t *LPLONG;
#endif
#if !defined(PULONG) && !defined(RTSHM_NO_PULONG)
typedef uint32_t *PULONG;
#endif
#if !defined(LPDWORD) && !defined(RTSHM_NO_LPDWORD)
typedef uint32_t *LPDWORD;
#endif
#if !defined(WCHAR) && !defined(RTSHM_NO_WCHAR)
typedef wchar_t WCHAR;
#endif
#if !defined(PVOID) && !defined(RTSHM_NO_PVOID)
typedef void *PVOID;
#endif
#if !defined(LPVOID) && !defined(RTSHM_NO_LPVOID)
typedef void *LPVOID;
#endif
#if !defined(LPSTR) && !defined(RTSHM_NO_LPSTR)
typedef char *LPSTR;
#endif
#if !defined(LPCSTR) && !defined(RTSHM_NO_LPCSTR)
typedef const char *LPCSTR;
#endif
#if !defined(LPWSTR) && !defined(RTSHM_NO_LPWSTR)
typedef wchar_t *LPWSTR;
#endif
#if !defined(LPCWSTR) && !defined(RTSHM_NO_LPCWSTR)
typedef const wchar_t *LPCWSTR;
#endif
#ifdef RTSHM_TCHAR_IS_WIDE
#if !defined(TCHAR) && !defined(RTSHM_NO_TCHAR)
typedef wchar_t TCHAR;
#endif
#if !defined(_TCHAR) && !defined(RTSHM_NO__TCHAR)
typedef wchar_t _TCHAR;
#endif
#if !defined(LPTSTR) && !defined(RTSHM_NO_LPTSTR)
typedef wchar_t *LPTSTR;
#endif
#if !defined(LPCTSTR) && !defined(RTSHM_NO_LPCTSTR)
typedef const wchar_t *LPCTSTR;
#endif
#else
#if !defined(TCHAR) && !defined(RTSHM_NO_TCHAR)
typedef char TCHAR;
#endif
#if !defined(_TCHAR) && !defined(RTSHM_NO__TCHAR)
typedef char _TCHAR;
#endif
#if !defined(LPTSTR) && !defined(RTSHM_NO_LPTSTR)
typedef char *LPTSTR;
#endif
#if !defined(LPCTSTR) && !defined(RTSHM_NO_LPCTSTR)
typedef const char *LPCTSTR;
#endif
#endif /* RTSHM_TCHAR_IS_WIDE */

/* 64-bit values as two 32-bit halves or one QuadPart, as in Win32. */
#if !defined(LARGE_INTEGER) && !defined(RTSHM_NO_LARGE_INTEGER)
typedef union _LARGE_INTEGER {
    __extension__ struct {
        uint32_t LowPart;
        int32_t HighPart;
    };
    struct {
        uint32_t LowPart;
        int32_t HighPart;
    } u;
    int64_t QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
#endif
#if !defined(ULARGE_INTEGER) && !defined(RTSHM_NO_ULARGE_INTEGER)
typedef union _ULARGE_INTEGER {
    __extension__ struct {
        uint32_t LowPart;
        uint32_t HighPart;
    };
    struct {
        uint32_t LowPart;
        uint32_t HighPart;
    } u;
    uint64_t QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;
#endif

/* Accepted and ignored wherever RTX takes one (S40). */
#if !defined(SECURITY_ATTRIBUTES) && !defined(RTSHM_NO_SECURITY_ATTRIBUTES)
typedef struct _SECURITY_ATTRIBUTES {
    uint32_t nLength;
    void *lpSecurityDescriptor;
    int bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;
#endif

#endif /* RTSHM_NO_WIN32_TYPES */

/* Calling-convention and linkage decorations of the vendor's headers. */
#ifndef WINAPI
#define WINAPI
#endif
#ifndef RTAPI
#define RTAPI
#endif
#ifndef RTFCNDCL
#define RTFCNDCL
#endif

#ifdef RTSHM_TCHAR_IS_WIDE
#ifndef TEXT
#define TEXT(s) L##s
#endif
#ifndef _T
#define _T(s) L##s
#endif
#else
#ifndef TEXT
#define TEXT(s) s
#endif
#ifndef _T
#define _T(s) s
#endif
#endif

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef INVALID_HANDLE_VALUE
#define INVALID_HANDLE_VALUE ((void *)(intptr_t)-1)
#endif

/* flProtect of RtCreateSharedMemory (S5). 2 is SHM_MAP_WRITE, read-write:
 * Win32's PAGE_READONLY has the same number and is read-write too. */
#define PAGE_READONLY 0x02
#define PAGE_READWRITE 0x04

/* flProtect (S5) and dwDesiredAccess (S19), RTX values. */
#define SHM_MAP_READ 1
#define SHM_MAP_WRITE 2
#define SHM_MAP_ALL_ACCESS 3

/* The Win32 values that ported code passes as well (S19): all read-write;
 * FILE_MAP_READ has the number of PAGE_READWRITE. */
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

/*
 * The functions, with the plain C types behind the Windows names:
 * HANDLE = void *, DWORD = uint32_t, BOOL = int, LPCSTR = const char *,
 * LPCWSTR = const wchar_t *.
 */
void *RtCreateSharedMemoryA(uint32_t flProtect, uint32_t MaximumSizeHigh, uint32_t MaximumSizeLow,
                            const char *lpName, void **location);
void *RtOpenSharedMemoryA(uint32_t dwDesiredAccess, int bInheritHandle, const char *lpName,
                          void **location);
int RtCloseHandle(void *hObject);

/* Unmaps the view that a create or open of this process put at
 * lpBaseAddress. The handle stays open (and keeps the object) until
 * RtCloseHandle, which then has no view left to unmap. TRUE; FALSE and
 * ERROR_INVALID_PARAMETER if no live view starts there. */
int RtUnmapSharedMemory(void *lpBaseAddress);

/* UTF-16 names (surrogate pairs included; an unpaired surrogate is
 * ERROR_INVALID_PARAMETER), at most RTX_MAX_OBJECT_NAME_LENGTH code units.
 * The W functions of a -fshort-wchar program are these. */
void *RtCreateSharedMemoryW16(uint32_t flProtect, uint32_t MaximumSizeHigh, uint32_t MaximumSizeLow,
                              const RTSHM_UTF16 *lpName, void **location);
void *RtOpenSharedMemoryW16(uint32_t dwDesiredAccess, int bInheritHandle, const RTSHM_UTF16 *lpName,
                            void **location);

#ifdef RTSHM_WCHAR_IS_UTF16
#define RtCreateSharedMemoryW RtCreateSharedMemoryW16
#define RtOpenSharedMemoryW RtOpenSharedMemoryW16
#else
/* wchar_t of 32 bits: UTF-32 names. */
void *RtCreateSharedMemoryW(uint32_t flProtect, uint32_t MaximumSizeHigh, uint32_t MaximumSizeLow,
                            const wchar_t *lpName, void **location);
void *RtOpenSharedMemoryW(uint32_t dwDesiredAccess, int bInheritHandle, const wchar_t *lpName,
                          void **location);
#endif

/*
 * Events (S43-S45), mutexes (S46-S49), semaphores (S42, S50) and waits
 * (S51-S54), in the same namespace as shared memory (S29). Plain C types:
 * LPSECURITY_ATTRIBUTES = struct _SECURITY_ATTRIBUTES *, LONG = int32_t,
 * PULARGE_INTEGER = union _ULARGE_INTEGER *. The W forms take wchar_t
 * names: UTF-32, or under -fshort-wchar UTF-16 through the W16 entry
 * points, as for shared memory.
 */
struct _SECURITY_ATTRIBUTES;
union _ULARGE_INTEGER;
void *RtCreateEventA(struct _SECURITY_ATTRIBUTES *lpEventAttributes, int bManualReset,
                     int bInitialState, const char *lpName);
void *RtOpenEventA(uint32_t dwDesiredAccess, int bInheritHandle, const char *lpName);
int RtSetEvent(void *hEvent);
int RtResetEvent(void *hEvent);
int RtPulseEvent(void *hEvent);
void *RtCreateMutexA(struct _SECURITY_ATTRIBUTES *lpMutexAttributes, int bInitialOwner,
                     const char *lpName);
void *RtOpenMutexA(uint32_t dwDesiredAccess, int bInheritHandle, const char *lpName);
int RtReleaseMutex(void *hMutex);
void *RtCreateSemaphoreA(struct _SECURITY_ATTRIBUTES *lpSemaphoreAttributes, int32_t lInitialCount,
                         int32_t lMaximumCount, const char *lpName);
void *RtOpenSemaphoreA(uint32_t dwDesiredAccess, int bInheritHandle, const char *lpName);
int RtReleaseSemaphore(void *hSemaphore, int32_t lReleaseCount, int32_t *lpPreviousCount);
uint32_t RtWaitForSingleObject(void *hHandle, uint32_t dwMilliseconds);
uint32_t RtWaitForMultipleObjects(uint32_t nCount, void *const *lpHandles, int bWaitAll,
                                  uint32_t dwMilliseconds);
uint32_t RtWaitForSingleObjectEx(void *hHandle, union _ULARGE_INTEGER *lpTimeout);
uint32_t RtWaitForMultipleObjectsEx(uint32_t nCount, void *const *lpHandles, int bWaitAll,
                                    union _ULARGE_INTEGER *lpTimeout);
void *RtCreateEventW16(struct _SECURITY_ATTRIBUTES *lpEventAttributes, int bManualReset,
                       int bInitialState, const RTSHM_UTF16 *lpName);
void *RtOpenEventW16(uint32_t dwDesiredAccess, int bInheritHandle, const RTSHM_UTF16 *lpName);
void *RtCreateMutexW16(struct _SECURITY_ATTRIBUTES *lpMutexAttributes, int bInitialOwner,
                       const RTSHM_UTF16 *lpName);
void *RtOpenMutexW16(uint32_t dwDesiredAccess, int bInheritHandle, const RTSHM_UTF16 *lpName);
void *RtCreateSemaphoreW16(struct _SECURITY_ATTRIBUTES *lpSemaphoreAttributes,
                           int32_t lInitialCount, int32_t lMaximumCount, const RTSHM_UTF16 *lpName);
void *RtOpenSemaphoreW16(uint32_t dwDesiredAccess, int bInheritHandle, const RTSHM_UTF16 *lpName);
#ifdef RTSHM_WCHAR_IS_UTF16
#define RtCreateEventW RtCreateEventW16
#define RtOpenEventW RtOpenEventW16
#define RtCreateMutexW RtCreateMutexW16
#define RtOpenMutexW RtOpenMutexW16
#define RtCreateSemaphoreW RtCreateSemaphoreW16
#define RtOpenSemaphoreW RtOpenSemaphoreW16
#else
void *RtCreateEventW(struct _SECURITY_ATTRIBUTES *lpEventAttributes, int bManualReset,
                     int bInitialState, const wchar_t *lpName);
void *RtOpenEventW(uint32_t dwDesiredAccess, int bInheritHandle, const wchar_t *lpName);
void *RtCreateMutexW(struct _SECURITY_ATTRIBUTES *lpMutexAttributes, int bInitialOwner,
                     const wchar_t *lpName);
void *RtOpenMutexW(uint32_t dwDesiredAccess, int bInheritHandle, const wchar_t *lpName);
void *RtCreateSemaphoreW(struct _SECURITY_ATTRIBUTES *lpSemaphoreAttributes, int32_t lInitialCount,
                         int32_t lMaximumCount, const wchar_t *lpName);
void *RtOpenSemaphoreW(uint32_t dwDesiredAccess, int bInheritHandle, const wchar_t *lpName);
#endif

uint32_t GetLastError(void);
void SetLastError(uint32_t dwErrCode);
uint32_t RtGetLastError(void);
void RtSetLastError(uint32_t dwErrCode);

#ifdef RTSHM_TCHAR_IS_WIDE
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

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTSHM_RTAPI_H */
