/* SPDX-License-Identifier: MIT */
/*
 * Holds rtshm objects for the rtshm tool's test: creates each name given
 * (100000 bytes), opens the first a second time, then an event, a mutex
 * it owns and a semaphore (tool/event, tool/mutex, tool/semaphore), says
 * "ready+sync" ("ready" where the backend cannot carry those, rtshm.ko
 * without futex-capable memory), then waits to be killed.
 */
#include <rtapi.h>

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    VOID *p;
    int i, ok;

    for (i = 1; i < argc; i++) {
        if (!RtCreateSharedMemoryA(PAGE_READWRITE, 0, 100000, argv[i], &p)) {
            fprintf(stderr, "tool_holder: create %s: error %lu\n", argv[i],
                    (unsigned long)GetLastError());
            return 1;
        }
    }
    if (argc > 1 && !RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, argv[1], &p)) {
        fprintf(stderr, "tool_holder: open %s failed\n", argv[1]);
        return 1;
    }
    ok = RtCreateEventA(NULL, TRUE, TRUE, "tool/event") != NULL &&
         RtCreateMutexA(NULL, TRUE, "tool/mutex") != NULL &&
         RtCreateSemaphoreA(NULL, 2, 5, "tool/semaphore") != NULL;
    puts(ok ? "ready+sync" : "ready");
    fflush(stdout);
    for (;;)
        pause();
}
