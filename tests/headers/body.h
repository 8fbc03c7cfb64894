/* SPDX-License-Identifier: MIT */
/*
 * body.h: what tests/headers/run compiles after the headers under test:
 * every type of S60 used once, their sizes checked (C89-compatible), and
 * the functions taken by address with the types a program would use.
 */
#define RTSHM_CHECK(name, cond) typedef char rtshm_check_##name[(cond) ? 1 : -1]
RTSHM_CHECK(dword, sizeof(DWORD) == 4);
RTSHM_CHECK(handle, sizeof(HANDLE) == sizeof(void *));
#ifdef RTSHM_EXPECT_RTAPI_TYPES
RTSHM_CHECK(long32, sizeof(LONG) == 4 && sizeof(ULONG) == 4 && sizeof(LPLONG) == sizeof(void *));
RTSHM_CHECK(word, sizeof(WORD) == 2 && sizeof(UCHAR) == 1 && sizeof(PUCHAR) == sizeof(void *));
RTSHM_CHECK(large, sizeof(LARGE_INTEGER) == 8 && sizeof(ULARGE_INTEGER) == 8);
RTSHM_CHECK(wchar, sizeof(WCHAR) == sizeof(wchar_t) && sizeof(_TCHAR) == sizeof(TCHAR));
RTSHM_CHECK(byte, sizeof(BYTE) == 1);
#endif

int rtshm_header_test(void);
int rtshm_header_test(void) {
    void *(*create)(DWORD, DWORD, DWORD, LPCTSTR, VOID **) = RtCreateSharedMemory;
    void *(*open)(DWORD, int, LPCTSTR, VOID **) = RtOpenSharedMemory; /* BOOL may be X11's */
    int (*close)(HANDLE) = RtCloseHandle;
    int (*unmap)(PVOID) = RtUnmapSharedMemory;
    DWORD e = GetLastError();
    int r = (create != 0) + (open != 0) + (close != 0) + (unmap != 0) + (int)e;
#ifdef RTSHM_EXPECT_RTAPI_TYPES
    {
        LONG l = -1;
        ULONG u = 1;
        UCHAR c = 2;
        PUCHAR pc = &c;
        BYTE b = 3;
        WORD w = 4;
        LPVOID v = &l;
        LPLONG pl = &l;
        TCHAR t[2] = {0, 0};
        LPTSTR pt = t;
        LARGE_INTEGER li;
        ULARGE_INTEGER uli;
        PULARGE_INTEGER puli = &uli;
        LPSECURITY_ATTRIBUTES sa = 0;
        li.QuadPart = 5;
        li.LowPart = 1;
        li.u.HighPart = 0;
        uli.QuadPart = 6;
        r += (int)l + (int)u + *pc + b + w + (v != 0) + (int)*pl + pt[0] + (int)li.QuadPart +
             (int)puli->LowPart + (sa == 0);
    }
#endif
#ifdef RTSHM_EXPECT_COMPAT
    {
        LARGE_INTEGER f, q, d;
        LONGLONG ll = 0;
        ULONGLONG ull = 0;
        if (QueryPerformanceFrequency(&f) && QueryPerformanceCounter(&q))
            r += (int)(q.QuadPart / f.QuadPart);
        d.QuadPart = 0;
        RtSleepFt(&d);
        RtSleep(0);
        Sleep(0);
        r += RtGetClockTime(CLOCK_FASTEST, &q) + RtGetClockResolution(CLOCK_SYSTEM, &q);
        r += (int)GetCurrentProcessorNumber() + (int)GetCurrentProcessId() +
             (int)GetCurrentThreadId() + (int)ll + (int)ull;
        r += RtPrintf("%s", "");
#ifndef RTSHM_WCHAR_IS_UTF16
        r += RtWprintf(L"%ls", L"");
#endif
        if (r == 12345)
            ExitProcess(0);
    }
#endif
    return r;
}
