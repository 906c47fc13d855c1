/* Per-operation cost of BPF_MAP_LOOKUP_ELEM / BPF_MAP_UPDATE_ELEM from C, the baseline for
 * benchmarks/bench_syscall.py. Usage: map_ops <iterations> <entries>; prints JSON. */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? atol(argv[1]) : 1000000;
	uint32_t entries = argc > 2 ? (uint32_t)atol(argv[2]) : 1024;
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = entries;
	int fd = bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0) {
		perror("BPF_MAP_CREATE");
		return 1;
	}
	uint32_t key;
	uint64_t value;
	double t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		key = (uint32_t)(i % entries);
		value = (uint64_t)i;
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		attr.key = (uint64_t)(uintptr_t)&key;
		attr.value = (uint64_t)(uintptr_t)&value;
		attr.flags = BPF_ANY;
		if (bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0) {
			perror("BPF_MAP_UPDATE_ELEM");
			return 1;
		}
	}
	double t1 = now_ns();
	for (long i = 0; i < iterations; i++) {
		key = (uint32_t)(i % entries);
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		attr.key = (uint64_t)(uintptr_t)&key;
		attr.value = (uint64_t)(uintptr_t)&value;
		if (bpf(BPF_MAP_LOOKUP_ELEM, &attr) < 0) {
			perror("BPF_MAP_LOOKUP_ELEM");
			return 1;
		}
	}
	double t2 = now_ns();
	printf("{\"update_ns\": %.1f, \"lookup_ns\": %.1f}\n", (t1 - t0) / iterations,
	       (t2 - t1) / iterations);
	close(fd);
	return 0;
}
