/* rtshm_kmod_holder MODE NAME READYFILE
 *   MODE handle: create NAME (1 MiB) and keep the handle open;
 *   MODE map:    create NAME, mmap it, close the handle, keep the mapping.
 * Writes READYFILE when set up, then sleeps until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/rtshm.h>

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "handle") && strcmp(argv[1], "map"))) {
		fprintf(stderr, "usage: %s handle|map NAME READYFILE\n", argv[0]);
		return 2;
	}
	int dev = open(RTSHM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("open " RTSHM_DEVICE_PATH);
		return 1;
	}
	struct rtshm_create c;
	memset(&c, 0, sizeof(c));
	c.name = (unsigned long)argv[2];
	c.name_len = (unsigned)strlen(argv[2]);
	c.size = 1 << 20;
	c.type = RTSHM_TYPE_SHM;
	if (ioctl(dev, RTSHM_IOC_CREATE, &c) < 0) {
		perror("RTSHM_IOC_CREATE");
		return 1;
	}
	close(dev); /* only the handle or the mapping keeps the module busy */
	if (!strcmp(argv[1], "map")) {
		volatile char *p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		close(c.fd);
		p[0] = 1;
	}
	FILE *f = fopen(argv[3], "w");
	if (!f) {
		perror(argv[3]);
		return 1;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	for (;;)
		pause();
}
