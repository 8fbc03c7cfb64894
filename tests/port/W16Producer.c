/* SPDX-License-Identifier: MIT */
/*
 * W16Producer.c: a UNICODE program built with -fshort-wchar, so WCHAR and
 * L"..." are UTF-16 as on Windows. Its entry point is wmain, whose argv
 * librtshm_compat.a converts from the locale to UTF-16.
 *
 *   W16Producer NAME     create NAME (from the command line, converted) and
 *                        the built-in name with characters outside the
 *                        BMP, write both, wait for A8Consumer's answers
 *   W16Producer errors   the UTF-16 error cases only
 *
 * Also checks the errors of malformed UTF-16: an unpaired or reversed
 * surrogate, and a name over 256 code units (a heap block of exactly that
 * size, so an overread shows under ASan); and that RtCreateEvent & co.
 * (UNICODE: their W forms) read UTF-16 names too.
 */
#include <SDKDDKVer.h>
#include <windows.h>
#include <tchar.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <Rtapi.h>

/* "Achse-" U+1F916 U+00C4 U+1D11E: two surrogate pairs, one BMP letter. */
#define BUILTIN_NAME L"Achse-\U0001F916\u00C4\U0001D11E"

static int failures;

/* wcscmp is the C library's, for 32-bit wchar_t: not for UTF-16. */
static int SameText(const WCHAR *a, const WCHAR *b) {
    while (*a != 0 && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void Expect(int cond, const char *what) {
    if (!cond) {
        printf("W16Producer: FAIL %s (last error %lu)\n", what, (unsigned long)GetLastError());
        failures++;
    }
}

static void ExpectInvalidName(const WCHAR *name, const char *what) {
    PVOID p = &p;
    Expect(RtCreateSharedMemory(PAGE_READWRITE, 0, 4096, name, &p) == NULL &&
               GetLastError() == ERROR_INVALID_PARAMETER,
           what);
    Expect(RtOpenSharedMemory(SHM_MAP_ALL_ACCESS, FALSE, name, &p) == NULL &&
               GetLastError() == ERROR_INVALID_PARAMETER,
           what);
    Expect(p == &p, "no *location on failure");
}

static void Errors(void) {
    static const WCHAR lone_high[] = {'x', 0xD83E, 0};
    static const WCHAR high_then_ascii[] = {0xD83E, 'x', 0};
    static const WCHAR lone_low[] = {0xDD16, 'x', 0};
    static const WCHAR reversed[] = {0xDD16, 0xD83E, 0};
    WCHAR *longest, *over;
    PVOID p = NULL;
    HANDLE h;
    int i;

    Expect(sizeof(WCHAR) == 2 && sizeof(L"\U0001F916") == 3 * sizeof(WCHAR),
           "-fshort-wchar: WCHAR is UTF-16");
    ExpectInvalidName(lone_high, "a high surrogate at the end is ERROR_INVALID_PARAMETER");
    ExpectInvalidName(high_then_ascii, "a high surrogate before 'x' is ERROR_INVALID_PARAMETER");
    ExpectInvalidName(lone_low, "a lone low surrogate is ERROR_INVALID_PARAMETER");
    ExpectInvalidName(reversed, "a reversed pair is ERROR_INVALID_PARAMETER");

    /* 256 code units (128 pairs) + NUL, in a block of exactly that size. */
    longest = (WCHAR *)malloc(257 * sizeof(WCHAR));
    for (i = 0; i < 256; i += 2) {
        longest[i] = 0xD83E;
        longest[i + 1] = 0xDD16;
    }
    longest[256] = 0;
    h = RtCreateSharedMemory(PAGE_READWRITE, 0, 4096, longest, &p);
    Expect(h != NULL, "a name of 256 UTF-16 code units is accepted");
    if (h != NULL)
        RtCloseHandle(h);
    free(longest);
    /* 257 units + NUL: refused. */
    over = (WCHAR *)malloc(258 * sizeof(WCHAR));
    for (i = 0; i < 257; i++)
        over[i] = 'a';
    over[257] = 0;
    ExpectInvalidName(over, "a name of 257 UTF-16 code units is ERROR_INVALID_PARAMETER");
    free(over);
}

/* An event, a mutex and a semaphore by UTF-16 name, found again by the
 * same name in UTF-8 through the A forms. */
static void SyncNames(void) {
    static const char utf8[] = "Achse-\xF0\x9F\xA4\x96\xC3\x84\xF0\x9D\x84\x9E";
    HANDLE ev = RtCreateEvent(NULL, TRUE, FALSE, BUILTIN_NAME);
    HANDLE mu, sem, ev_a, mu_a, sem_a;

    Expect(ev != NULL && GetLastError() == ERROR_SUCCESS, "RtCreateEvent by UTF-16 name");
    ev_a = RtOpenEventA(0, FALSE, utf8);
    Expect(ev_a != NULL, "the event by its UTF-8 name");
    Expect(ev_a != NULL && RtSetEvent(ev_a), "set through the A handle");
    Expect(RtWaitForSingleObject(ev, 0) == WAIT_OBJECT_0, "seen through the W handle");
    /* Another type under the same name: ERROR_INVALID_HANDLE (S29). */
    Expect(RtCreateMutex(NULL, FALSE, BUILTIN_NAME) == NULL &&
               GetLastError() == ERROR_INVALID_HANDLE,
           "a mutex under the event's UTF-16 name is ERROR_INVALID_HANDLE");
    RtCloseHandle(ev_a);
    RtCloseHandle(ev);
    mu = RtCreateMutex(NULL, FALSE, BUILTIN_NAME);
    mu_a = RtOpenMutexA(0, FALSE, utf8);
    Expect(mu != NULL && mu_a != NULL, "RtCreateMutex by UTF-16 name, opened by UTF-8 name");
    RtCloseHandle(mu_a);
    RtCloseHandle(mu);
    sem = RtCreateSemaphore(NULL, 1, 1, BUILTIN_NAME);
    sem_a = RtOpenSemaphoreA(0, FALSE, utf8);
    Expect(sem != NULL && sem_a != NULL && RtWaitForSingleObject(sem_a, 0) == WAIT_OBJECT_0,
           "RtCreateSemaphore by UTF-16 name, its count taken through the UTF-8 name");
    Expect(RtOpenSemaphore(0, FALSE, L"no-such-\U0001F916") == NULL &&
               GetLastError() == ERROR_FILE_NOT_FOUND,
           "RtOpenSemaphore of a missing UTF-16 name is ERROR_FILE_NOT_FOUND");
    RtCloseHandle(sem_a);
    RtCloseHandle(sem);
}

static HANDLE CreateAndFill(const WCHAR *name, const char *text, char **view) {
    PVOID p = NULL;
    HANDLE h = RtCreateSharedMemory(PAGE_READWRITE, 0, 4096, name, &p);
    Expect(h != NULL && GetLastError() == ERROR_SUCCESS, "create a new object by UTF-16 name");
    if (h == NULL)
        return NULL;
    *view = (char *)p;
    strcpy(*view + 1, text);
    (*view)[0] = 1;
    return h;
}

int wmain(int argc, wchar_t *argv[]) {
    HANDLE h1 = NULL, h2 = NULL;
    char *v1 = NULL, *v2 = NULL;
    int i;

    Errors();
    if (argc >= 2 && SameText(argv[1], L"errors"))
        SyncNames();
    if (argc < 2 || !SameText(argv[1], L"errors")) {
        if (argc < 2) {
            printf("usage: W16Producer NAME | errors\n");
            return 64;
        }
        h1 = CreateAndFill(BUILTIN_NAME, "from the built-in name", &v1);
        h2 = CreateAndFill(argv[1], "from the command line", &v2);
        for (i = 0; h1 && h2 && (v1[0] != 2 || v2[0] != 2) && i < 4000; i++)
            Sleep(5);
        Expect(v1 && v1[0] == 2 && strcmp(v1 + 64, "seen") == 0, "consumer answered (built-in)");
        Expect(v2 && v2[0] == 2 && strcmp(v2 + 64, "seen") == 0, "consumer answered (argv)");
        if (h1)
            RtCloseHandle(h1);
        if (h2)
            RtCloseHandle(h2);
    }
    printf("W16Producer: %s\n", failures ? "FAILED" : "OK");
    return failures ? 1 : 0;
}
