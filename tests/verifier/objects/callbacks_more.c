/* Callbacks (bpf_loop, bpf_for_each_map_elem): compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#define __noinline __attribute__((noinline))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 8);
	__type(key, struct { __u32 prefixlen; __u32 addr; });
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lpm SEC(".maps");

static int inner(__u32 i, void *ctx) { *(__u64 *)ctx += 1; return 0; }
static int outer(__u32 i, void *ctx)
{
	bpf_loop(3, inner, ctx, 0);
	return 0;
}
SEC("xdp") int nested_loops(struct xdp_md *ctx)
{
	__u64 n = 0;
	bpf_loop(5, outer, &n, 0);
	return n & 1;
}

static __noinline int helper_static(__u64 *p) { return *p > 5; }
static int calls_static(__u32 i, void *ctx) { return helper_static(ctx); }
SEC("xdp") int cb_calls_static(struct xdp_md *ctx)
{
	__u64 n = 3;
	bpf_loop(5, calls_static, &n, 0);
	return 0;
}

static int lookup_cb(__u32 i, void *ctx)
{
	__u32 k = i & 7;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (v)
		*v += 1;
	return 0;
}
SEC("xdp") int cb_lookup(struct xdp_md *ctx)
{
	bpf_loop(1000, lookup_cb, 0, 0);
	return 0;
}

static long noop_each(void *map, void *key, void *val, void *ctx) { return 0; }
SEC("xdp") int for_each_lpm(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&lpm, noop_each, 0, 0);
	return 0;
}

__noinline int global_cb(__u32 i, void *ctx) { return 0; }
SEC("xdp") int global_callback(struct xdp_md *ctx)
{
	bpf_loop(3, global_cb, 0, 0);
	return 0;
}

static int unknown_ret(__u32 i, void *ctx) { return *(__u32 *)ctx; }
SEC("xdp") int cb_unknown_ret(struct xdp_md *ctx)
{
	__u32 v = 1;
	bpf_loop(3, unknown_ret, &v, 0);
	return 0;
}

static int stack_oob(__u32 i, void *ctx) { return ((char *)ctx)[8 + (i & 1)] & 1; }
SEC("xdp") int cb_stack_oob(struct xdp_md *ctx)
{
	__u64 v = 1;
	bpf_loop(3, stack_oob, &v, 0);
	return 0;
}

static int flags_cb(__u32 i, void *ctx) { return 0; }
SEC("xdp") int loop_flags(struct xdp_md *ctx)
{
	return bpf_loop(3, flags_cb, 0, ctx->rx_queue_index) & 1;
}

static int ctx_pkt(__u32 i, void *c) { return 0; }
SEC("xdp") int loop_map_value_ctx(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	return bpf_loop(3, ctx_pkt, v, 0) & 1;
}

struct st { int i; int arr[4]; };
static int step(__u32 i, void *c)
{
	struct st *s = c;
	if (s->i >= 4)
		return 1;
	s->arr[s->i] = i;
	s->i++;
	return 0;
}
SEC("xdp") int loop_bounded_state(struct xdp_md *ctx)
{
	struct st s = {};
	bpf_loop(10, step, &s, 0);
	return s.arr[0] & 1;
}
