/* SPDX-License-Identifier: MIT */
/*
 * rtapi.h: the RTX64 / wRTOS shared-memory C API on Linux (librtshm).
 *
 * Exists so that an RTX program using RtCreateSharedMemory,
 * RtOpenSharedMemory and RtCloseHandle builds unchanged: the Windows-style
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

HANDLE RtCreateSharedMemoryA(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                             LPCSTR lpName, VOID **location);
HANDLE RtCreateSharedMemoryW(DWORD flProtect, DWORD MaximumSizeHigh, DWORD MaximumSizeLow,
                             LPCWSTR lpName, VOID **location);
HANDLE RtOpenSharedMemoryA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName,
                           VOID **location);
HANDLE RtOpenSharedMemoryW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName,
                           VOID **location);
BOOL RtCloseHandle(HANDLE hObject);

DWORD GetLastError(void);
VOID SetLastError(DWORD dwErrCode);
DWORD RtGetLastError(void);
VOID RtSetLastError(DWORD dwErrCode);

#ifdef UNICODE
#define RtCreateSharedMemory RtCreateSharedMemoryW
#define RtOpenSharedMemory RtOpenSharedMemoryW
#else
#define RtCreateSharedMemory RtCreateSharedMemoryA
#define RtOpenSharedMemory RtOpenSharedMemoryA
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTSHM_RTAPI_H */
