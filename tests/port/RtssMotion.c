/* SPDX-License-Identifier: MIT */
/*
 * RtssMotion.c: the RTSS side of an RTX64 motion project, as the RTX64
 * project template lays it out. Creates the state object with
 * PAGE_READWRITE, runs MOTION_CYCLES cycles of 1 ms (RtSleepFt), stamps
 * each with RtGetClockTime, then waits for the Windows monitor's Ack.
 *
 *   RtssMotion [object name]
 */
#include <SDKDDKVer.h>
#include <windows.h>
#include <tchar.h>
#include <stdio.h>
#include <Rtapi.h>
#ifdef UNDER_RTSS
#include <rtssapi.h>
#endif

#include "MotionShm.h"

int _tmain(int argc, _TCHAR *argv[]) {
    HANDLE hShm;
    PVOID location = NULL;
    PMOTION_STATE pState;
    LARGE_INTEGER period, start, now;
    LPCTSTR name = argc > 1 ? argv[1] : MOTION_SHM_NAME;
    ULONG i;

    hShm = RtCreateSharedMemory(PAGE_READWRITE, 0, sizeof(MOTION_STATE), name, &location);
    if (hShm == NULL) {
        RtPrintf("RtssMotion: RtCreateSharedMemory failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    if (GetLastError() == ERROR_ALREADY_EXISTS) {
        RtPrintf("RtssMotion: the state object already exists\n");
        RtCloseHandle(hShm);
        return 1;
    }
    pState = (PMOTION_STATE)location;
    pState->Magic = MOTION_MAGIC;

    period.QuadPart = 10000; /* 1 ms in 100 ns units */
    for (i = 1; i <= MOTION_CYCLES; i++) {
        RtGetClockTime(CLOCK_FASTEST, &now);
        pState->Stamp = now;
        pState->Axis[i % 16] = (UCHAR)i;
        pState->Sequence = i;
        RtSleepFt(&period);
    }

    /* Wait up to 20 s for the monitor to acknowledge the last cycle. */
    RtGetClockTime(CLOCK_FASTEST, &start);
    do {
        RtSleep(1);
        RtGetClockTime(CLOCK_FASTEST, &now);
    } while (pState->Ack != MOTION_CYCLES && now.QuadPart - start.QuadPart < 200000000);

    if (pState->Ack != MOTION_CYCLES || pState->Command != 42) {
        RtPrintf("RtssMotion: no acknowledgement (Ack %u, Command %d)\n", (unsigned)pState->Ack,
                 (int)pState->Command);
        RtCloseHandle(hShm);
        return 2;
    }
    RtPrintf("RtssMotion: %u cycles acknowledged\n", (unsigned)pState->Ack);
    RtCloseHandle(hShm);
    ExitProcess(0);
}
