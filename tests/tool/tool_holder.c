/* SPDX-License-Identifier: MIT */
/*
 * Holds rtshm objects for the rtshm tool's test: creates each name given
 * (100000 bytes), opens the first a second time, says "ready", then waits
 * to be killed.
 */
#include <rtapi.h>

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	VOID *p;
	int i;

	for (i = 1; i < argc; i++) {
		if (!RtCreateSharedMemoryA(PAGE_READWRITE, 0, 100000, argv[i], &p)) {
			fprintf(stderr, "tool_holder: create %s: error %lu\n",
				argv[i], (unsigned long)GetLastError());
			return 1;
		}
	}
	if (argc > 1 && !RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, argv[1], &p)) {
		fprintf(stderr, "tool_holder: open %s failed\n", argv[1]);
		return 1;
	}
	puts("ready");
	fflush(stdout);
	for (;;)
		pause();
}
