/* bpf_spin_lock on BTF map values and other special fields: compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#define __noinline __attribute__((noinline))

struct inner { __u32 pad; struct bpf_spin_lock lock; };
struct nested_val { __u64 cnt; struct inner in; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct nested_val);
} nested SEC(".maps");

struct tval { __u64 cnt; struct bpf_timer t; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct tval);
} timers SEC(".maps");

struct val { __u64 cnt; struct bpf_spin_lock lock; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct val);
} arr SEC(".maps");

SEC("tc") int nested_lock(struct __sk_buff *skb)
{
	__u32 k = skb->len & 1;
	struct nested_val *v = bpf_map_lookup_elem(&nested, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->in.lock);
	v->cnt++;
	bpf_spin_unlock(&v->in.lock);
	return 0;
}

SEC("tc") int timer_direct_write(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct tval *v = bpf_map_lookup_elem(&timers, &k);
	if (!v)
		return 0;
	*(__u64 *)&v->t = 0;
	return 0;
}

SEC("tc") int timer_neighbour_ok(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct tval *v = bpf_map_lookup_elem(&timers, &k);
	if (!v)
		return 0;
	v->cnt = 1;
	return 0;
}

static __noinline int unlock_in_static(struct val *v) { bpf_spin_unlock(&v->lock); return 0; }
SEC("tc") int static_unlocks(struct __sk_buff *skb)
{
	__u32 k = skb->len & 1;
	struct val *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	unlock_in_static(v);
	return 0;
}

static int cb(__u32 i, void *c) { return 0; }
SEC("tc") int loop_while_locked(struct __sk_buff *skb)
{
	__u32 k = skb->len & 1;
	struct val *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_loop(2, cb, 0, 0);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_var_offset(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	void *p = (void *)&v->lock;
	p += skb->len & 8;
	bpf_spin_lock(p);
	bpf_spin_unlock(p);
	return 0;
}

SEC("tc") int helper_reads_lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	return bpf_map_update_elem(&arr, &k, v, 0) & 1;
}

SEC("tc") int lock_cond_paths(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	if (skb->mark)
		bpf_spin_lock(&v->lock);
	v->cnt++;
	if (skb->mark)
		bpf_spin_unlock(&v->lock);
	return 0;
}
