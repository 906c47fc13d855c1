/* An exception callback: verified by the kernel even if nothing throws; pyebpf reports it as not modelled. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
__attribute__((noinline)) int my_cb(__u64 cookie) { return 1; }
__attribute__((btf_decl_tag("exception_callback:my_cb")))
SEC("tc") int with_exc_cb(struct __sk_buff *skb) { return 0; }
