/* SPDX-License-Identifier: MIT */
/*
 * An out-of-tree UNICODE RTX-style program built against an installed
 * rtshm through the CMake target rtshm::compat: the template's includes,
 * _tmain (so the entry point comes from librtshm_compat.a), _T() names.
 */
#include <SDKDDKVer.h>
#include <windows.h>
#include <tchar.h>
#include <Rtapi.h>

int _tmain(int argc, _TCHAR *argv[]) {
    PVOID p = NULL;
    HANDLE h = RtCreateSharedMemory(SHM_MAP_WRITE, 0, 4096, _T("rtshm-install-compat"), &p);
    LARGE_INTEGER t;

    (void)argv;
    if (h == NULL || argc < 1 || !RtGetClockTime(CLOCK_FASTEST, &t)) {
        RtPrintf("compat consumer: failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    ((char *)p)[0] = 'x';
    RtCloseHandle(h);
    RtWprintf(L"compat consumer: %ls\n", L"OK");
    return 0;
}
