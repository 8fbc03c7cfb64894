/* SPDX-License-Identifier: MIT */
/* What <X11/Xmd.h> does to BOOL and BYTE, for machines without X11. */
#ifndef XMD_H
#define XMD_H 1
typedef unsigned char CARD8;
typedef CARD8 BYTE;
typedef CARD8 BOOL;
#endif
