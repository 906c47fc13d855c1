/* Global (BTF_FUNC_GLOBAL) functions: compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
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

__noinline int g_add(int a) { return a + 1; }

SEC("xdp") int precise_across(struct xdp_md *ctx)
{
	__u32 k = ctx->ingress_ifindex & 7;
	int r = g_add(k);
	char buf[8] = {};
	if (k < 8)
		return buf[k] + r;
	return 0;
}

SEC("xdp") int loop_calls(struct xdp_md *ctx)
{
	int s = 0;
	for (int i = 0; i < 20; i++)
		s += g_add(i);
	return s & 1;
}

static __noinline int st_calls_global(int x) { return g_add(x) * 2; }
SEC("xdp") int static_to_global(struct xdp_md *ctx) { return st_calls_global(ctx->rx_queue_index) & 1; }

__noinline int g_lookup(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	return *v & 0xff;
}
__noinline int g_two(__u32 a, __u32 b) { return g_lookup(a) + g_lookup(b); }
SEC("xdp") int nested_globals(struct xdp_md *ctx) { return g_two(1, ctx->rx_queue_index) & 1; }

__noinline int g_ptr_ret(__u64 *p) { if (!p) return 0; return (long)p; }
SEC("xdp") int returns_pointer(struct xdp_md *ctx) { __u64 x = 0; return g_ptr_ret(&x) & 1; }

__noinline int g_noret(int x) { asm volatile("if %[x] > 3 goto +1; r0 = 1; exit" : : [x]"r"(x) : "r0"); return 0; }
SEC("xdp") int uninit_r0(struct xdp_md *ctx) { return g_noret(ctx->rx_queue_index); }

__noinline int g_six(int a, int b, int c, int d, int e) { return a + b + c + d + e; }
SEC("xdp") int five_args(struct xdp_md *ctx) { return g_six(1, 2, 3, 4, ctx->rx_queue_index) & 1; }

__noinline int g_stack(int x) { volatile char big[400]; big[x & 255] = 1; return big[3]; }
static __noinline int st_stack(int x) { volatile char b2[200]; b2[x & 127] = 1; return g_stack(x) + b2[5]; }
SEC("xdp") int stack_combined(struct xdp_md *ctx) { return st_stack(ctx->rx_queue_index) & 1; }

__noinline int g_dead(int x) { char b[4]; return b[x]; }
SEC("xdp") int dead_call(struct xdp_md *ctx) { if (0 * ctx->rx_queue_index) return g_dead(5); return 2; }
