/*
 * (Copied from the shared lab, ../shared/lab/src/, which our own lab wrote.)
 * memhog.c - create memory pressure so that reclaim (kswapd / direct reclaim)
 * runs shrink_slab() and the vmscan:mm_shrink_slab_* tracepoints fire.
 * Allocates MB megabytes in 8 MiB anonymous chunks, touching every page,
 * holds them HOLD seconds, then exits.  Stops early if mmap fails.
 * Build: gcc -static -O2 -o memhog memhog.c
 * Usage: memhog MB [HOLD=1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mb = argc > 1 ? atol(argv[1]) : 256;
	int hold = argc > 2 ? atoi(argv[2]) : 1;
	const size_t chunk = 8UL << 20;
	long done = 0;
	while (done < mb) {
		char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) { perror("memhog: mmap"); break; }
		for (size_t off = 0; off < chunk; off += 4096)
			p[off] = (char)off;
		done += 8;
	}
	printf("memhog[%d]: touched %ld MB\n", getpid(), done);
	fflush(stdout);
	sleep(hold);
	return 0;
}
