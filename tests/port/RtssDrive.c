/* SPDX-License-Identifier: MIT */
/*
 * RtssDrive.c: the RTSS drive task. Opens the GUI's setpoints and status
 * objects with SHM_MAP_ALL_ACCESS, waits for valid setpoints, "moves" to
 * them and reports through the status object.
 */
#include <SDKDDKVer.h>
#include <windows.h>
#include <tchar.h>
#include <Rtapi.h>
#ifdef UNDER_RTSS
#include <rtssapi.h>
#endif

#include "DriveShm.h"

static HANDLE OpenRetry(LPCTSTR name, PVOID *location) {
    int tries;
    for (tries = 0; tries < 2000; tries++) {
        HANDLE h = RtOpenSharedMemory(SHM_MAP_ALL_ACCESS, FALSE, name, location);
        if (h != NULL || GetLastError() != ERROR_FILE_NOT_FOUND)
            return h;
        RtSleep(5);
    }
    return NULL;
}

int _tmain(int argc, _TCHAR *argv[]) {
    PVOID pSet = NULL, pStat = NULL;
    HANDLE hSet, hStat;
    DRIVE_SETPOINTS *set;
    DRIVE_STATUS *stat;
    int i;

    (void)argc;
    (void)argv;
    hSet = OpenRetry(DRIVE_SETPOINTS_NAME, &pSet);
    hStat = hSet ? OpenRetry(DRIVE_STATUS_NAME, &pStat) : NULL;
    if (hSet == NULL || hStat == NULL) {
        RtPrintf("RtssDrive: open failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    set = (DRIVE_SETPOINTS *)pSet;
    stat = (DRIVE_STATUS *)pStat;
    for (i = 0; set->Valid == 0 && i < 4000; i++)
        RtSleep(5);
    for (i = 0; i < 4; i++)
        stat->Reached[i] = set->Position[i];
    stat->Done = 1;
    RtPrintf("RtssDrive: moved to %d %d %d %d\n", (int)stat->Reached[0], (int)stat->Reached[1],
             (int)stat->Reached[2], (int)stat->Reached[3]);
    /* Keep the objects until the GUI has read the status. */
    RtSleep(200);
    RtCloseHandle(hStat);
    RtCloseHandle(hSet);
    return 0;
}
