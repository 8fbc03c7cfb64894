/* SPDX-License-Identifier: MIT */
/*
 * A8Consumer.c: an ANSI program (UTF-8 names) that meets W16Producer's
 * objects: the built-in name, spelled in UTF-8 here, and the name given on
 * its command line (bytes, as the shell passes them).
 *
 *   A8Consumer NAME
 */
#include <SDKDDKVer.h>
#include <windows.h>
#include <tchar.h>
#include <stdio.h>
#include <string.h>
#include <Rtapi.h>

/* "Achse-" U+1F916 U+00C4 U+1D11E in UTF-8. */
#define BUILTIN_NAME "Achse-\xF0\x9F\xA4\x96\xC3\x84\xF0\x9D\x84\x9E"

static int Answer(const char *name, const char *want) {
    PVOID p = NULL;
    HANDLE h = NULL;
    char *v;
    int i;

    for (i = 0; h == NULL && i < 2000; i++) {
        h = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, name, &p);
        if (h == NULL)
            Sleep(5);
    }
    if (h == NULL) {
        printf("A8Consumer: cannot open %s, error %lu\n", name, (unsigned long)GetLastError());
        return 1;
    }
    v = (char *)p;
    for (i = 0; v[0] != 1 && i < 2000; i++)
        Sleep(5);
    printf("A8Consumer: %s says \"%s\"\n", name, v + 1);
    if (strcmp(v + 1, want) != 0) {
        RtCloseHandle(h);
        return 2;
    }
    strcpy(v + 64, "seen");
    v[0] = 2;
    RtCloseHandle(h);
    return 0;
}

int main(int argc, char *argv[]) {
    if (argc < 2)
        return 64;
    return Answer(BUILTIN_NAME, "from the built-in name") |
           Answer(argv[1], "from the command line");
}
