/* A callback's frame counts in the combined stack size. Compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static int big_cb(__u32 i, void *c)
{
	volatile char b[200];
	b[i & 127] = 1;
	return b[7] & 1;
}
SEC("xdp") int stack_with_callback(struct xdp_md *ctx)
{
	volatile char big[400];
	big[ctx->rx_queue_index & 255] = 1;
	bpf_loop(2, big_cb, 0, 0);
	return big[3] & 1;
}

static int small_cb(__u32 i, void *c)
{
	volatile char b[64];
	b[i & 63] = 1;
	return b[7] & 1;
}
SEC("xdp") int stack_with_small_callback(struct xdp_md *ctx)
{
	volatile char big[400];
	big[ctx->rx_queue_index & 255] = 1;
	bpf_loop(2, small_cb, 0, 0);
	return big[3] & 1;
}
