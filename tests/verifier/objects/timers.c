/* bpf_timer: the timer field, bpf_timer_init's map, async callbacks verified on their own. Compared with Linux 6.18 by tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#define CLOCK_MONOTONIC 1

struct elem { __u64 cnt; struct bpf_timer t; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct elem);
} timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct elem);
} other SEC(".maps");

static int fire(void *map, __u32 *key, struct elem *val)
{
	val->cnt++;
	return 0;
}

SEC("tc") int timer_ok(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (!e)
		return 0;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, fire);
	bpf_timer_start(&e->t, 1000, 0);
	return 0;
}

static int fire_bad(void *map, __u32 *key, struct elem *val) { return 1; }
SEC("tc") int timer_cb_returns_1(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (!e)
		return 0;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, fire_bad);
	return 0;
}

SEC("tc") int timer_wrong_map(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (!e)
		return 0;
	bpf_timer_init(&e->t, &other, CLOCK_MONOTONIC);
	return 0;
}

SEC("tc") int timer_wrong_offset(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (!e)
		return 0;
	bpf_timer_init((void *)&e->cnt, &timers, CLOCK_MONOTONIC);
	return 0;
}

static int fire_oob(void *map, __u32 *key, struct elem *val)
{
	return ((char *)val)[40] & 0;
}
SEC("tc") int timer_cb_oob(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, fire_oob);
	return 0;
}

SEC("tc") int timer_cancel(struct __sk_buff *skb)
{
	__u32 k = 1;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (!e)
		return 0;
	return bpf_timer_cancel(&e->t) & 1;
}

static int fire_big(void *map, __u32 *key, struct elem *val)
{
	volatile char b[300];
	b[val->cnt & 255] = 1;
	return b[5] & 0;
}
SEC("tc") int timer_stacks_separate(struct __sk_buff *skb)
{
	volatile char big[400];
	__u32 k = 0;
	big[skb->len & 255] = 1;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (!e)
		return big[1] & 1;
	bpf_timer_set_callback(&e->t, fire_big);
	return big[1] & 1;
}

static int cb_loop(__u32 i, void *c) { return 0; }
static int fire_loops(void *map, __u32 *key, struct elem *val)
{
	bpf_loop(3, cb_loop, 0, 0);
	return 0;
}
SEC("tc") int timer_cb_with_loop(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, fire_loops);
	return 0;
}

SEC("kprobe/do_nanosleep") int timer_map_in_kprobe(void *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&timers, &k) != 0;
}
