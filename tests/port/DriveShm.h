/* SPDX-License-Identifier: MIT */
/* DriveShm.h: the objects a drive controller's Windows GUI and its RTSS
 * task share. */
#pragma once

#define DRIVE_SETPOINTS_NAME TEXT("DriveSetpoints")
#define DRIVE_STATUS_NAME TEXT("DriveStatus")

typedef struct _DRIVE_SETPOINTS {
    volatile LONG Valid;
    LONG Position[4];
    LONG Velocity[4];
} DRIVE_SETPOINTS;

typedef struct _DRIVE_STATUS {
    volatile LONG Done;
    LONG Reached[4];
} DRIVE_STATUS;
