/* Loops and index checks inside callbacks. Compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct acc { __u32 v[8]; };
static int inner_loop(__u32 i, void *c)
{
	struct acc *a = c;
	for (int j = 0; j < 8; j++)
		a->v[j] += j * i;
	return 0;
}
SEC("xdp") int loop_in_callback(struct xdp_md *ctx)
{
	struct acc a = {};
	bpf_loop(4, inner_loop, &a, 0);
	return a.v[3] & 1;
}

static int idx_cb(__u32 i, void *c)
{
	struct acc *a = c;
	if (i < 8)
		a->v[i] = 1;
	return 0;
}
SEC("xdp") int index_checked(struct xdp_md *ctx)
{
	struct acc a = {};
	bpf_loop(ctx->rx_queue_index, idx_cb, &a, 0);
	return a.v[0] & 1;
}

static int idx_bad(__u32 i, void *c)
{
	struct acc *a = c;
	a->v[i & 15] = 1;
	return 0;
}
SEC("xdp") int index_unchecked(struct xdp_md *ctx)
{
	struct acc a = {};
	bpf_loop(4, idx_bad, &a, 0);
	return a.v[0] & 1;
}
