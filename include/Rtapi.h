/* SPDX-License-Identifier: MIT */
/* Rtapi.h: <rtapi.h> as the RTX64 SDK spells it, for case-sensitive file
 * systems (S60). */
#include "rtapi.h"
