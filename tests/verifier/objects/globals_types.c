/* Global functions: argument and return types. Compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#define __noinline __attribute__((noinline))

__noinline int takes_void(void *p) { return p != 0; }
SEC("xdp") int void_ptr_arg(struct xdp_md *ctx) { return takes_void(ctx); }

__noinline int takes_skb(struct __sk_buff *skb) { return skb ? skb->len & 1 : 0; }
SEC("xdp") int foreign_ctx_arg(struct xdp_md *ctx) { __u64 buf[32] = {}; return takes_skb((void *)buf); }

enum color { RED, GREEN };
__noinline int takes_enum(enum color c, const volatile int x) { return c == GREEN ? x : 0; }
SEC("xdp") int enum_arg(struct xdp_md *ctx) { return takes_enum(GREEN, 1) & 1; }

__noinline int takes_pp(__u64 **pp) { return pp != 0; }
SEC("xdp") int ptr_ptr_arg(struct xdp_md *ctx) { __u64 *p = 0; return takes_pp(&p); }

static int cb(__u32 i, void *c) { return 0; }
__noinline int global_loops(int n) { return bpf_loop(n & 7, cb, 0, 0); }
SEC("xdp") int global_with_callback(struct xdp_md *ctx) { return global_loops(ctx->rx_queue_index) & 1; }

__noinline int g_in_cb(int x) { return x & 1; }
static int cb2(__u32 i, void *c) { return g_in_cb(i); }
SEC("xdp") int callback_calls_global(struct xdp_md *ctx) { return bpf_loop(3, cb2, 0, 0) & 1; }

SEC("tp/syscalls/sys_enter_nanosleep") int tp_void_ctx(void *ctx) { return takes_void(ctx); }

__noinline int arr_arg(char buf[16]) { return buf ? buf[3] : 0; }
SEC("xdp") int array_param(struct xdp_md *ctx) { char b[16] = {}; return arr_arg(b) & 1; }

__noinline int ctx_and_scalar(struct xdp_md *c, int off) { return (c->data_end - c->data) > off; }
SEC("xdp") int ctx_plus_scalar(struct xdp_md *ctx) { return ctx_and_scalar(ctx, 14); }

__noinline long ret_long(int x) { return x; }
SEC("xdp") int long_return(struct xdp_md *ctx) { return ret_long(4) > 3 ? 1 : 2; }

struct fwd_only;
__noinline int takes_fwd(struct fwd_only *p) { return p != 0; }
SEC("xdp") int fwd_ptr_arg(struct xdp_md *ctx) { return takes_fwd((void *)0); }

typedef int (*fn_t)(int);
__noinline int takes_fn(fn_t f) { return f != 0; }
SEC("xdp") int fn_ptr_arg(struct xdp_md *ctx) { return takes_fn(0); }
