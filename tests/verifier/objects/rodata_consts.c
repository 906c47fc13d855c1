/* Constants the verifier reads from a frozen read-only map (.rodata): const volatile knobs
 * prune dead branches and make accesses safe or unsafe. Compared with Linux 6.18 by
 * tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 drop_all = 1;
const volatile __u32 mode = 2;
const volatile __u64 limit = 100;
const volatile __u8 small = 7;
const volatile __u16 port = 8080;
const volatile __u32 good_index = 3;
const volatile __u32 bad_index = 9;
const volatile __u32 debug_off = 1;
const volatile __u32 table[4] = { 1, 2, 3, 4 };
volatile __u32 data_knob = 1; /* .data: not frozen, so not a constant */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64[8]);
} values SEC(".maps");

static __always_inline int busy(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	int sum = 0;

	if (data + 4 > end)
		return 1;
	if (*(__u8 *)data > 10)
		sum += 2;
	if (*(__u8 *)(data + 1) > 20)
		sum += 3;
	if (*(__u8 *)(data + 2) > 30)
		sum += 4;
	return sum & 3;
}

/* drop_all is 1: the kernel never walks the busy side */
SEC("xdp")
int knob_prunes(struct xdp_md *ctx)
{
	if (drop_all)
		return XDP_DROP;
	return busy(ctx);
}

/* the same with .data: both sides are walked */
SEC("xdp")
int data_knob_walks_both(struct xdp_md *ctx)
{
	if (data_knob)
		return XDP_DROP;
	return busy(ctx);
}

SEC("xdp")
int knob_switch(struct xdp_md *ctx)
{
	switch (mode) {
	case 0:
		return busy(ctx);
	case 1:
		return XDP_PASS + busy(ctx);
	case 2:
		return XDP_TX;
	default:
		return XDP_ABORTED;
	}
}

/* loads of each size */
SEC("xdp")
int knob_sizes(struct xdp_md *ctx)
{
	__u64 v = limit + small + port;

	if (v != 100 + 7 + 8080)
		return busy(ctx);
	return XDP_PASS;
}

static __always_inline int index_value(__u32 idx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&values, &key);

	if (!v)
		return 0;
	return v[idx] & 1; /* no bounds check: the knob's value decides */
}

SEC("xdp")
int knob_makes_safe(struct xdp_md *ctx)
{
	return index_value(good_index);
}

SEC("xdp")
int knob_makes_unsafe(struct xdp_md *ctx)
{
	return index_value(bad_index);
}

/* a NULL dereference on a side the knob turns off */
SEC("xdp")
int knob_hides_bug(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 *v;

	if (debug_off)
		return XDP_PASS;
	v = bpf_map_lookup_elem(&values, &key);
	return *v & 1;
}

/* a variable offset into .rodata gives an unknown scalar */
SEC("xdp")
int knob_variable_offset(struct xdp_md *ctx)
{
	__u32 i = ctx->rx_queue_index & 3;
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&values, &key);

	if (!v)
		return 0;
	return v[table[i]] & 1;
}

/* a constant offset into a .rodata array is a constant */
SEC("xdp")
int knob_table_entry(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&values, &key);

	if (!v)
		return 0;
	return v[table[3] + 3] & 1;
}

/* a write into .rodata is refused */
SEC("xdp")
int knob_write(struct xdp_md *ctx)
{
	*(volatile __u32 *)&mode = 5;
	return XDP_PASS;
}
