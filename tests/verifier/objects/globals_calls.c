/* Global (BTF_FUNC_GLOBAL) functions: compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

/* global: idx is an unknown scalar inside; the caller's constant does not flow in */
__attribute__((noinline)) int get_val(int idx)
{
	int buf[4] = {1, 2, 3, 4};
	return buf[idx];     /* kernel rejects: idx unbounded */
}

SEC("xdp") int bad_const_arg(struct xdp_md *ctx)
{
	return get_val(2) & 1;
}

__attribute__((noinline)) int sum_ok(int a, int b)
{
	return a + b;
}

SEC("xdp") int good_scalar(struct xdp_md *ctx)
{
	return sum_ok(1, 2) > 3 ? XDP_PASS : XDP_DROP;
}

__attribute__((noinline)) int ctx_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

SEC("xdp") int good_ctx(struct xdp_md *ctx)
{
	return ctx_len(ctx) > 10 ? XDP_PASS : XDP_DROP;
}

__attribute__((noinline)) int read_mem(__u64 *p)
{
	return *p & 1;   /* p may be NULL: rejected */
}

SEC("xdp") int bad_nullable(struct xdp_md *ctx)
{
	__u64 x = 5;
	return read_mem(&x);
}

__attribute__((noinline)) int read_mem_checked(__u64 *p)
{
	if (!p)
		return 0;
	return *p & 1;
}

SEC("xdp") int good_mem(struct xdp_md *ctx)
{
	__u64 x = 5;
	return read_mem_checked(&x);
}

SEC("xdp") int good_mem_mapval(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	return read_mem_checked(v);
}

__attribute__((noinline)) int read_mem_nn(__u64 *p __attribute__((btf_decl_tag("arg:nonnull"))))
{
	return *p & 1;
}

SEC("xdp") int bad_nonnull_maybe_null(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	return read_mem_nn(v);
}

SEC("xdp") int good_nonnull(struct xdp_md *ctx)
{
	__u64 x = 7;
	return read_mem_nn(&x);
}

__attribute__((noinline)) int chain2(int a)
{
	return a & 1;
}
__attribute__((noinline)) int chain1(int a)
{
	return chain2(a + 1) + chain2(a);
}

SEC("xdp") int good_chain(struct xdp_md *ctx)
{
	return chain1(ctx->ingress_ifindex) ? XDP_PASS : XDP_DROP;
}
