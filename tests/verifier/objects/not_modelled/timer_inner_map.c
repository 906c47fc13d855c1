/* A timer in an inner map: the kernel tells inner maps apart by map_uid, pyebpf reports it as not modelled. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct elem { __u64 cnt; struct bpf_timer t; };
struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct elem);
} inner SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = { .values = { [0] = &inner } };
SEC("tc") int timer_in_inner(struct __sk_buff *skb)
{
	__u32 k = 0;
	void *m = bpf_map_lookup_elem(&outer, &k);
	if (!m) return 0;
	struct elem *e = bpf_map_lookup_elem(m, &k);
	if (!e) return 0;
	bpf_timer_init(&e->t, m, 1);
	return 0;
}
