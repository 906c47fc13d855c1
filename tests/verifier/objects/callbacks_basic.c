/* Callbacks (bpf_loop, bpf_for_each_map_elem): compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} hm SEC(".maps");

static int add_idx(__u32 index, void *ctx)
{
	__u64 *sum = ctx;
	*sum += index;
	return 0;
}

SEC("xdp") int loop_sum(struct xdp_md *ctx)
{
	__u64 sum = 0;
	bpf_loop(10, add_idx, &sum, 0);
	return sum & 1;
}

static int bad_ret(__u32 index, void *ctx) { return 2; }
SEC("xdp") int loop_bad_ret(struct xdp_md *ctx)
{
	bpf_loop(4, bad_ret, 0, 0);
	return 0;
}

struct cctx { int i; char buf[8]; };
static int oob(__u32 index, void *c)
{
	struct cctx *x = c;
	x->buf[x->i] = 1;
	x->i++;
	return 0;
}
SEC("xdp") int loop_counter_oob(struct xdp_md *ctx)
{
	struct cctx c = {};
	bpf_loop(100, oob, &c, 0);
	return 0;
}

static int inbounds(__u32 index, void *c)
{
	struct cctx *x = c;
	if (x->i < 8 && x->i >= 0)
		x->buf[x->i] = 1;
	x->i++;
	return 0;
}
SEC("xdp") int loop_counter_ok(struct xdp_md *ctx)
{
	struct cctx c = {};
	bpf_loop(100, inbounds, &c, 0);
	return 0;
}

static long each(void *map, __u32 *key, __u64 *val, void *ctx)
{
	*(__u64 *)ctx += *val + *key;
	return 0;
}
SEC("xdp") int for_each(struct xdp_md *ctx)
{
	__u64 total = 0;
	bpf_for_each_map_elem(&arr, each, &total, 0);
	bpf_for_each_map_elem(&hm, each, &total, 0);
	return total & 1;
}

static long each_write_key(void *map, __u32 *key, __u64 *val, void *ctx)
{
	*key = 1;
	return 0;
}
SEC("xdp") int for_each_write_key(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&arr, each_write_key, 0, 0);
	return 0;
}

static int stop_early(__u32 index, void *ctx) { return index > 3; }
SEC("xdp") int loop_unknown_count(struct xdp_md *ctx)
{
	return bpf_loop(ctx->rx_queue_index, stop_early, 0, 0) & 1;
}
