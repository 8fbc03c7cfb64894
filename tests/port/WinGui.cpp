// SPDX-License-Identifier: MIT
// WinGui.cpp: the Windows GUI of a drive controller (C++), reduced to what
// it does with shared memory. Creates its setpoints object with
// SHM_MAP_WRITE (2, read-write in RTX64 4.1+ and wRTOS) and writes it, and
// the status object with SHM_MAP_ALL_ACCESS (3, as RTX64 4.5 code does);
// then waits for the RTSS drive task to report through the status.
#include <SDKDDKVer.h>
#include <windows.h>
#include <tchar.h>
#include <Rtapi.h>

#include <cstdio>

#include "DriveShm.h"

int _tmain(int argc, _TCHAR *argv[]) {
    (void)argc;
    (void)argv;
    PVOID pSet = nullptr, pStat = nullptr;
    HANDLE hSet = RtCreateSharedMemory(SHM_MAP_WRITE, 0, sizeof(DRIVE_SETPOINTS),
                                       DRIVE_SETPOINTS_NAME, &pSet);
    if (hSet == nullptr) {
        std::printf("WinGui: setpoints: error %lu\n", static_cast<unsigned long>(GetLastError()));
        return 1;
    }
    HANDLE hStat = RtCreateSharedMemory(SHM_MAP_ALL_ACCESS, 0, sizeof(DRIVE_STATUS),
                                        DRIVE_STATUS_NAME, &pStat);
    if (hStat == nullptr) {
        std::printf("WinGui: status: error %lu\n", static_cast<unsigned long>(GetLastError()));
        return 1;
    }
    auto *set = static_cast<DRIVE_SETPOINTS *>(pSet);
    auto *stat = static_cast<DRIVE_STATUS *>(pStat);
    for (int i = 0; i < 4; ++i) {
        set->Position[i] = 1000 * (i + 1);
        set->Velocity[i] = 10 * (i + 1);
    }
    set->Valid = 1;

    LARGE_INTEGER freq, t0, t;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
    while (stat->Done == 0) {
        QueryPerformanceCounter(&t);
        if (t.QuadPart - t0.QuadPart > 20 * freq.QuadPart) {
            std::printf("WinGui: the drive did not report\n");
            return 2;
        }
        Sleep(2);
    }
    int bad = 0;
    for (int i = 0; i < 4; ++i)
        bad += stat->Reached[i] != set->Position[i];
    std::printf("WinGui: drive reached %ld %ld %ld %ld%s\n", static_cast<long>(stat->Reached[0]),
                static_cast<long>(stat->Reached[1]), static_cast<long>(stat->Reached[2]),
                static_cast<long>(stat->Reached[3]), bad ? " (WRONG)" : "");
    RtCloseHandle(hStat);
    RtCloseHandle(hSet);
    return bad ? 3 : 0;
}
