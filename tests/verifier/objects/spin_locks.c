/* bpf_spin_lock on BTF map values and other special fields: compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#define __noinline __attribute__((noinline))

struct val { __u64 cnt; struct bpf_spin_lock lock; __u64 other; };
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct val);
} locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct val);
} locked_arr SEC(".maps");

struct plain { __u64 a, b; };
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct plain);
} nolock SEC(".maps");

SEC("tc") int lock_ok(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_missing_unlock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	return 0;
}

SEC("tc") int lock_helper_inside(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt = bpf_ktime_get_ns();
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_direct_read(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	if (!v)
		return 0;
	return *(__u32 *)&v->lock;
}

SEC("tc") int lock_wrong_offset(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	if (!v)
		return 0;
	bpf_spin_lock((void *)&v->other);
	bpf_spin_unlock((void *)&v->other);
	return 0;
}

SEC("tc") int lock_no_lock_in_value(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct plain *v = bpf_map_lookup_elem(&nolock, &k);
	if (!v)
		return 0;
	bpf_spin_lock((void *)v);
	bpf_spin_unlock((void *)v);
	return 0;
}

SEC("tc") int unlock_different(struct __sk_buff *skb)
{
	__u32 k = 0, k2 = 1;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	struct val *w = bpf_map_lookup_elem(&locked, &k2);
	if (!v || !w)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_spin_unlock(&w->lock);
	return 0;
}

SEC("tc") int unlock_without_lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	if (!v)
		return 0;
	bpf_spin_unlock(&v->lock);
	return 0;
}

static __noinline int bump(struct val *v) { v->cnt++; return 0; }
SEC("tc") int lock_static_call(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked_arr, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bump(v);
	bpf_spin_unlock(&v->lock);
	return 0;
}

__noinline int gbump(struct val *v) { if (v) v->cnt++; return 0; }
SEC("tc") int lock_global_call(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked_arr, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	gbump(v);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("socket") int lock_map_in_socket(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	return v ? 1 : 0;
}

SEC("kprobe/do_nanosleep") int lock_map_in_kprobe(void *ctx)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	return v ? 1 : 0;
}

SEC("tc") int lock_two_paths(struct __sk_buff *skb)
{
	__u32 k = skb->len & 1;
	struct val *v = bpf_map_lookup_elem(&locked_arr, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	if (skb->mark)
		v->cnt += 2;
	else
		v->other = 3;
	bpf_spin_unlock(&v->lock);
	return 0;
}
