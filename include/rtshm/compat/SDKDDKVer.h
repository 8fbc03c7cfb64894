/* SPDX-License-Identifier: MIT */
/*
 * SDKDDKVer.h (rtshm compatibility folder, pkg-config rtshm-compat).
 *
 * RTX project templates include it first (directly or from targetver.h) to
 * pick a Windows SDK version. On Linux there is none to pick, so it defines
 * nothing: what a program then uses from Windows must come from the other
 * headers of this folder, or the build says it is missing.
 */
#ifndef RTSHM_COMPAT_SDKDDKVER_H
#define RTSHM_COMPAT_SDKDDKVER_H
#endif /* RTSHM_COMPAT_SDKDDKVER_H */
