/* SPDX-License-Identifier: MIT */
/*
 * MotionShm.h: the layout the RTSS motion task and its Windows monitor
 * share, as an RTX project keeps it in a header of its own.
 */
#pragma once

#define MOTION_SHM_NAME _T("RtxMotionState")
#define MOTION_MAGIC 0x4D4F5449L
#define MOTION_CYCLES 200

typedef struct _MOTION_STATE {
    volatile LONG Magic;
    volatile ULONG Sequence; /* written by the RTSS task every cycle */
    volatile ULONG Ack;      /* written by the Windows monitor */
    volatile LONG Command;   /* written by the Windows monitor */
    LARGE_INTEGER Stamp;     /* RtGetClockTime of the last cycle */
    UCHAR Axis[16];
} MOTION_STATE, *PMOTION_STATE;
