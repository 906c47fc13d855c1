/* Callbacks reading and writing the caller's stack: compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct two { __u64 idx; char buf[8]; };
static int use_idx(__u32 i, void *c)
{
	struct two *t = c;
	t->buf[t->idx & 15] = 1;   /* idx & 15 can exceed 7 */
	return 1;
}
SEC("xdp") int cb_reads_stack_index(struct xdp_md *ctx)
{
	struct two t = {};
	if (ctx->rx_queue_index)
		t.idx = 3;
	else
		t.idx = 12;
	bpf_loop(1, use_idx, &t, 0);
	return 0;
}

static int bump(__u32 i, void *c) { (*(__u32 *)c)++; return 0; }
SEC("xdp") int counter_after_loop(struct xdp_md *ctx)
{
	__u32 n = 0;
	char buf[4] = {};
	bpf_loop(3, bump, &n, 0);
	return buf[n];   /* kernel: n is unknown after the loop */
}

SEC("xdp") int counter_after_loop_checked(struct xdp_md *ctx)
{
	__u32 n = 0;
	char buf[4] = {};
	bpf_loop(3, bump, &n, 0);
	if (n < 4)
		return buf[n];
	return 0;
}

static long sum_vals(void *map, __u32 *key, __u64 *val, void *ctx)
{
	__u64 *acc = ctx;
	*acc += *val;
	if (*key > 5)
		return 1;
	return 0;
}
SEC("tc") int for_each_sum(struct __sk_buff *skb)
{
	__u64 acc = 0;
	long n = bpf_for_each_map_elem(&arr, sum_vals, &acc, 0);
	return (acc + n) & 1;
}

static int deep(__u32 i, void *c) { return 0; }
static int mid(__u32 i, void *c) { return bpf_loop(2, deep, 0, 0) & 0; }
SEC("xdp") int loop_ret_used(struct xdp_md *ctx)
{
	long r = bpf_loop(4, mid, 0, 0);
	return r > 4 ? 1 : 2;
}
