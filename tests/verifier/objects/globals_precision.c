/* Global functions between branches, in loops and on packets (precision across the call). Compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#define __noinline __attribute__((noinline))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

__noinline int g_bump(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (v) { *v += 1; return 1; }
	return 0;
}

SEC("xdp") int branches_around_calls(struct xdp_md *ctx)
{
	__u32 a = ctx->rx_queue_index & 15, b = ctx->ingress_ifindex & 3;
	int n = 0;
	if (a > 4)
		n += g_bump(a);
	else
		n += g_bump(b);
	if (b == 2)
		n += g_bump(a + b);
	__u64 *v = bpf_map_lookup_elem(&arr, &a);
	if (v && b < 3)
		*v = n;
	return n > 1 ? XDP_DROP : XDP_PASS;
}

static __noinline int st_sq(int x) { return x * x; }
__noinline int g_uses_static(int x)
{
	int r = 0;
	for (int i = 0; i < 4; i++)
		r += st_sq(x + i) & 7;
	return r;
}
SEC("xdp") int global_calls_static_in_loop(struct xdp_md *ctx) { return g_uses_static(ctx->rx_queue_index) & 1; }

__noinline int g_pkt(struct xdp_md *ctx, __u32 n)
{
	void *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
	if (n > 64) return 0;
	if (d + n + 1 > e) return 0;
	return ((unsigned char *)d)[n];
}
SEC("xdp") int packet_in_global(struct xdp_md *ctx)
{
	int s = 0;
	for (__u32 i = 0; i < 8; i++)
		s += g_pkt(ctx, i * 8);
	return s & 1;
}
