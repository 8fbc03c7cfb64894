/* SPDX-License-Identifier: MIT */
/*
 * WinMonitor.c: the Windows side of the motion project. Opens the RTSS
 * task's state object with PAGE_READWRITE (4) as dwDesiredAccess, as
 * several real programs do, and writes through the view: a Command, and
 * an Ack of each Sequence it sees. Times itself with
 * QueryPerformanceCounter and polls with Sleep.
 *
 *   WinMonitor [object name]
 */
#include <SDKDDKVer.h>
#include <windows.h>
#include <tchar.h>
#include <stdio.h>
#include <RtApi.h>

#include "MotionShm.h"

static double Seconds(LARGE_INTEGER from, LARGE_INTEGER to, LARGE_INTEGER freq) {
    return (double)(to.QuadPart - from.QuadPart) / (double)freq.QuadPart;
}

int _tmain(int argc, _TCHAR *argv[]) {
    HANDLE hShm = NULL;
    LPVOID location = NULL;
    PMOTION_STATE pState;
    LARGE_INTEGER freq, t0, t;
    LPCTSTR name = argc > 1 ? argv[1] : MOTION_SHM_NAME;

    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
    /* The RTSS task may not have started yet: retry for 10 s. */
    for (;;) {
        hShm = RtOpenSharedMemory(PAGE_READWRITE, FALSE, name, &location);
        QueryPerformanceCounter(&t);
        if (hShm != NULL || GetLastError() != ERROR_FILE_NOT_FOUND || Seconds(t0, t, freq) > 10)
            break;
        Sleep(5);
    }
    if (hShm == NULL) {
        printf("WinMonitor: RtOpenSharedMemory failed, error %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    pState = (PMOTION_STATE)location;
    while (pState->Magic != MOTION_MAGIC)
        Sleep(1);

    pState->Command = 42; /* a write through the PAGE_READWRITE view */
    while (pState->Ack != MOTION_CYCLES) {
        ULONG seq = pState->Sequence;
        if (seq != pState->Ack)
            pState->Ack = seq;
        QueryPerformanceCounter(&t);
        if (Seconds(t0, t, freq) > 20) {
            printf("WinMonitor: timed out at sequence %lu\n", (unsigned long)seq);
            RtCloseHandle(hShm);
            return 2;
        }
        Sleep(1);
    }
    printf("WinMonitor: acknowledged %lu cycles (process %lu, thread %lu, cpu %lu)\n",
           (unsigned long)pState->Ack, (unsigned long)GetCurrentProcessId(),
           (unsigned long)GetCurrentThreadId(), (unsigned long)GetCurrentProcessorNumber());
    RtCloseHandle(hShm);
    return 0;
}
