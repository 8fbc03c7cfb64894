/* SPDX-License-Identifier: MIT */
/*
 * tchar.h (rtshm compatibility folder, pkg-config rtshm-compat).
 *
 * The generic-text mappings RTX programs use: _TCHAR, _T() and _TEXT()
 * (from <rtapi.h>: wide when UNICODE or _UNICODE is defined) and _tmain,
 * which is wmain in a UNICODE build and main otherwise.
 *
 * wmain: a program that defines wmain(int, wchar_t **) instead of main gets
 * its entry point from librtshm_compat.a (linked by pkg-config --libs
 * rtshm-compat and the CMake target rtshm::compat): a main that converts
 * argv from the locale's encoding (LC_CTYPE of the environment; bytes that
 * do not convert become U+FFFD) and calls wmain. Under -fshort-wchar the
 * arguments are UTF-16. Only the two-argument form is supported.
 */
#ifndef RTSHM_COMPAT_TCHAR_H
#define RTSHM_COMPAT_TCHAR_H

#include <rtapi.h>

#ifndef _TEXT
#define _TEXT(s) _T(s)
#endif

#ifdef RTSHM_TCHAR_IS_WIDE
#define _tmain wmain
#else
#define _tmain main
#endif

/* The entry point librtshm_compat.a calls: wmain, or under -fshort-wchar
 * (UTF-16 wchar_t) a symbol of its own, so one library serves both. */
#ifdef RTSHM_WCHAR_IS_UTF16
#define wmain RtShmWmainUtf16
#endif
#ifdef __cplusplus
extern "C" int wmain(int argc, wchar_t **argv);
#else
int wmain(int argc, wchar_t **argv);
#endif

#endif /* RTSHM_COMPAT_TCHAR_H */
