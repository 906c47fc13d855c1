/* Global functions: what may be passed for a pointer-to-memory argument. Compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#define __noinline __attribute__((noinline))

struct foo { __u32 a, b; };
__noinline int takes_foo(struct foo *p) { return p ? p->a & 1 : 0; }
SEC("xdp") int ctx_to_mem(struct xdp_md *ctx) { return takes_foo((void *)ctx); }
SEC("xdp") int scalar_to_mem(struct xdp_md *ctx) { return takes_foo((void *)(long)ctx->rx_queue_index); }
SEC("syscall") int syscall_ctx_to_mem(void *ctx) { return takes_foo(ctx); }
SEC("xdp") int null_to_mem(struct xdp_md *ctx) { return takes_foo(0); }
