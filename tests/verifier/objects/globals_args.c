/* Global (BTF_FUNC_GLOBAL) functions: compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#define __noinline __attribute__((noinline))
#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))
#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} h SEC(".maps");

__noinline void vfunc(int x) { bpf_printk("%d", x); }
SEC("xdp") int void_global(struct xdp_md *ctx) { vfunc(1); return XDP_PASS; }

struct pair { int a, b; };
__noinline int byval(struct pair p) { return p.a; }
SEC("xdp") int struct_arg(struct xdp_md *ctx) { struct pair p = {1, 2}; return byval(p) & 1; }

__noinline int takes_int(long x) { return x & 1; }
SEC("xdp") int ptr_for_scalar(struct xdp_md *ctx) {
	long v;
	asm volatile("r1 = r10; r1 += -8; call takes_int; %[v] = r0" : [v]"=r"(v) :: "r0","r1","r2","r3","r4","r5");
	return v & 1;
}

__noinline int takes_ctx(struct xdp_md *c) { return c->ingress_ifindex & 1; }
SEC("xdp") int scalar_for_ctx(struct xdp_md *ctx) {
	long v;
	asm volatile("r1 = 0; call takes_ctx; %[v] = r0" : [v]"=r"(v) :: "r0","r1","r2","r3","r4","r5");
	return v & 1;
}
SEC("xdp") int modified_ctx(struct xdp_md *ctx) {
	long v;
	asm volatile("r1 = %[c]; r1 += 4; call takes_ctx; %[v] = r0" : [v]"=r"(v) : [c]"r"(ctx) : "r0","r1","r2","r3","r4","r5");
	return v & 1;
}

__noinline int bad_tag(__u64 *p __arg_nullable) { return p ? *p & 1 : 0; }
SEC("xdp") int nullable_tag(struct xdp_md *ctx) { __u64 x = 1; return bad_tag(&x); }

__noinline int nn(__u64 *p __arg_nonnull) { return *p & 1; }
SEC("xdp") int maybe_null_to_nonnull(struct xdp_md *ctx) {
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&h, &k);
	return nn(v);
}

struct big { __u64 a[4]; };
__noinline int rd_big(struct big *b) { return b ? b->a[3] & 1 : 0; }
SEC("xdp") int small_buffer(struct xdp_md *ctx) {
	__u64 x[2] = {1, 2};
	return rd_big((struct big *)x);
}
SEC("xdp") int uninit_buffer(struct xdp_md *ctx) {
	struct big b;
	b.a[0] = 1;
	return rd_big(&b);
}

__noinline int wr(__u64 *p) { if (p) *p = 1000; return 0; }
SEC("xdp") int clobbered_stack(struct xdp_md *ctx) {
	__u64 x = 1;
	char buf[4] = {};
	wr(&x);
	/* x is unknown after the call: an index > 3 is possible */
	return buf[x & 7];
}

__noinline int ctx_tagged(void *c __arg_ctx) { return 0; }
SEC("xdp") int ctx_tag(struct xdp_md *ctx) { return ctx_tagged(ctx); }

SEC("xdp") int pkt_to_mem(struct xdp_md *ctx) {
	void *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
	if (d + 8 > e) return 0;
	return wr(d);
}
SEC("xdp") int mapval_to_mem(struct xdp_md *ctx) {
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&h, &k);
	return wr(v);
}
SEC("xdp") int null_to_mem(struct xdp_md *ctx) { return wr(0); }
__noinline int adj(struct xdp_md *c) { return bpf_xdp_adjust_head(c, 0); }
SEC("xdp") int pkt_after_global_adjust(struct xdp_md *ctx) {
	void *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
	if (d + 8 > e) return 0;
	adj(ctx);
	return *(char *)d;
}
