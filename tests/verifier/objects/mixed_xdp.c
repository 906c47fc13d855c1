/* A packet program using a global function, a spin lock, bpf_for_each_map_elem and bpf_loop together. Compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";
#define __noinline __attribute__((noinline))

struct stats { struct bpf_spin_lock lock; __u64 pkts; __u64 bytes; __u64 hist[8]; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct stats);
} st SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

__noinline int parse_l4(struct xdp_md *ctx, __u32 off)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (off > 60)
		return -1;
	struct tcphdr *th = data + sizeof(struct ethhdr) + off;
	if ((void *)(th + 1) > end)
		return -1;
	return bpf_ntohs(th->dest);
}

__noinline int account(__u32 slot, __u32 len)
{
	struct stats *s = bpf_map_lookup_elem(&st, &slot);
	if (!s)
		return 0;
	bpf_spin_lock(&s->lock);
	s->pkts++;
	s->bytes += len;
	s->hist[len >> 8 & 7]++;
	bpf_spin_unlock(&s->lock);
	return 1;
}

struct walk { __u64 sum; __u32 n; };
static long visit(void *map, __u32 *key, __u64 *val, void *c)
{
	struct walk *w = c;
	w->sum += *val;
	w->n++;
	return 0;
}

static int spin(__u32 i, void *c)
{
	struct walk *w = c;
	w->sum ^= i;
	return 0;
}

SEC("xdp") int realistic(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	__u32 ihl = ip->ihl * 4;
	int port = -1;
	if (ip->protocol == IPPROTO_TCP)
		port = parse_l4(ctx, ihl);
	account(port > 0 ? port & 3 : 0, (__u32)(end - data));
	__u32 key = ip->saddr;
	__u64 one = 1, *cnt = bpf_map_lookup_elem(&flows, &key);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&flows, &key, &one, BPF_ANY);
	struct walk w = {};
	bpf_for_each_map_elem(&flows, visit, &w, 0);
	bpf_loop(16, spin, &w, 0);
	return w.sum & 1 ? XDP_DROP : XDP_PASS;
}
