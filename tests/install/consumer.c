/* SPDX-License-Identifier: MIT */
/*
 * An out-of-tree C program built against an installed rtshm, as a user's
 * would be: create, open, share a value, close, and check the error codes.
 */
#include <rtapi.h>

#include <stdio.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "consumer.c:%d: %s failed (last error %lu)\n", __LINE__, #cond,        \
                    (unsigned long)GetLastError());                                                \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void) {
    VOID *a = NULL, *b = NULL;
    HANDLE ha, hb;

    ha = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, "rtshm-install-c", &a);
    CHECK(ha != NULL && a != NULL && GetLastError() == ERROR_SUCCESS);
    strcpy((char *)a, "hello from C");

    hb = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, "rtshm-install-c", &b);
    CHECK(hb != NULL && b != NULL && b != a);
    CHECK(strcmp((const char *)b, "hello from C") == 0);

    CHECK(RtCloseHandle(hb) && RtCloseHandle(ha));
    CHECK(!RtCloseHandle(ha) && GetLastError() == ERROR_INVALID_HANDLE);
    CHECK(RtOpenSharedMemoryA(SHM_MAP_READ, FALSE, "rtshm-install-c", &b) == NULL);
    CHECK(GetLastError() == ERROR_FILE_NOT_FOUND);
    puts("C consumer: OK");
    return 0;
}
