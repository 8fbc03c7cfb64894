/* SPDX-License-Identifier: MIT */
/*
 * ZeroShm.c: a program that passes 0 as flProtect and as dwDesiredAccess,
 * on both sides, as one real program does. "ZeroShm create" makes the
 * object and writes a greeting, then waits for the answer; "ZeroShm open"
 * opens it and writes the answer through its view.
 */
#include <SDKDDKVer.h>
#include <windows.h>
#include <tchar.h>
#include <stdio.h>
#include <string.h>
#include <Rtapi.h>

#define ZERO_NAME TEXT("ZeroProtectBuffer")
#define ZERO_SIZE 4096

int _tmain(int argc, _TCHAR *argv[]) {
    PVOID p = NULL;
    HANDLE h;
    char *buf;
    int i, create = argc > 1 && argv[1][0] == 'c';

    if (create)
        h = RtCreateSharedMemory(0, 0, ZERO_SIZE, ZERO_NAME, &p);
    else
        for (i = 0, h = NULL; h == NULL && i < 2000; i++) {
            h = RtOpenSharedMemory(0, FALSE, ZERO_NAME, &p);
            if (h == NULL && GetLastError() != ERROR_FILE_NOT_FOUND)
                break;
            if (h == NULL)
                Sleep(5);
        }
    if (h == NULL) {
        printf("ZeroShm: %s failed, error %lu\n", create ? "create" : "open",
               (unsigned long)GetLastError());
        return 1;
    }
    buf = (char *)p;
    if (create) {
        strcpy(buf + 1, "hello");
        buf[0] = 1;
        for (i = 0; buf[0] != 2 && i < 4000; i++)
            Sleep(5);
        printf("ZeroShm create: answer \"%s\"\n", buf + 64);
        i = buf[0] == 2 && strcmp(buf + 64, "hello yourself") == 0 ? 0 : 2;
    } else {
        for (i = 0; buf[0] != 1 && i < 4000; i++)
            Sleep(5);
        printf("ZeroShm open: greeting \"%s\"\n", buf + 1);
        strcpy(buf + 64, "hello yourself");
        buf[0] = 2;
        i = 0;
    }
    RtCloseHandle(h);
    return i;
}
