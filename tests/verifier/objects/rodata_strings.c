/* ARG_PTR_TO_CONST_STR: bpf_strncmp and bpf_snprintf with strings from frozen read-only maps
 * and bpf_snprintf's format check. Compared with Linux 6.18 by
 * tests/verifier/test_model_objects.py. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const char name[] = "hello";
SEC(".rodata.raw") const char raw[4] = { 'a', 'b', 'c', 'd' }; /* no NUL in its map */
char writable[] = "hello";                                    /* .data: not read-only */

static __always_inline int fill(char *buf, struct xdp_md *ctx)
{
	__builtin_memset(buf, 0, 8);
	buf[0] = 'h';
	buf[1] = (char)ctx->rx_queue_index;
	return 0;
}

SEC("xdp")
int strncmp_rodata(struct xdp_md *ctx)
{
	char buf[8];

	fill(buf, ctx);
	return bpf_strncmp(buf, sizeof(buf), name) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int strncmp_offset(struct xdp_md *ctx)
{
	char buf[8];

	fill(buf, ctx);
	return bpf_strncmp(buf, sizeof(buf), name + 2) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int strncmp_not_terminated(struct xdp_md *ctx)
{
	char buf[8];

	fill(buf, ctx);
	return bpf_strncmp(buf, sizeof(buf), raw) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int strncmp_data(struct xdp_md *ctx)
{
	char buf[8];

	fill(buf, ctx);
	return bpf_strncmp(buf, sizeof(buf), writable) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int strncmp_stack(struct xdp_md *ctx)
{
	char buf[8], other[8];

	fill(buf, ctx);
	fill(other, ctx);
	return bpf_strncmp(buf, sizeof(buf), other) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int strncmp_variable(struct xdp_md *ctx)
{
	char buf[8];

	fill(buf, ctx);
	return bpf_strncmp(buf, sizeof(buf), name + (ctx->rx_queue_index & 3)) ? XDP_DROP : XDP_PASS;
}

#define SNPRINTF(out, fmt, n, ...)                                                          \
	({                                                                                  \
		static const char ___fmt[] = fmt;                                           \
		unsigned long long ___args[] = { __VA_ARGS__ };                             \
		bpf_snprintf(out, sizeof(out), ___fmt, ___args, n);                         \
	})

SEC("xdp")
int snprintf_good(struct xdp_md *ctx)
{
	char out[64];

	SNPRINTF(out, "q=%u len=%-08llx %% %5d %c", sizeof(unsigned long long) * 4,
		 ctx->rx_queue_index, 7, 8, 'x');
	return XDP_PASS;
}

SEC("xdp")
int snprintf_pointers(struct xdp_md *ctx)
{
	char out[64];

	SNPRINTF(out, "%p %pK %pI4 %pi6 %ps, %pks.", sizeof(unsigned long long) * 6, 0, 0, 0, 0,
		 0, 0);
	return XDP_PASS;
}

SEC("xdp")
int snprintf_bad_conversion(struct xdp_md *ctx)
{
	char out[32];

	SNPRINTF(out, "%n", sizeof(unsigned long long), 1);
	return XDP_PASS;
}

SEC("xdp")
int snprintf_too_few_args(struct xdp_md *ctx)
{
	char out[32];

	SNPRINTF(out, "%d %d", sizeof(unsigned long long), 1);
	return XDP_PASS;
}

SEC("xdp")
int snprintf_string_suffix(struct xdp_md *ctx)
{
	char out[32];

	SNPRINTF(out, "%sx", sizeof(unsigned long long), 0);
	return XDP_PASS;
}

SEC("xdp")
int snprintf_bad_pointer(struct xdp_md *ctx)
{
	char out[32];

	SNPRINTF(out, "%pI5", sizeof(unsigned long long), 0);
	return XDP_PASS;
}

SEC("xdp")
int snprintf_utf8_text(struct xdp_md *ctx)
{
	char out[32];

	SNPRINTF(out, "\xc3\xa9t\xc3\xa9 %d", sizeof(unsigned long long), 1);
	return XDP_PASS;
}

SEC("xdp")
int snprintf_control_char(struct xdp_md *ctx)
{
	char out[32];

	SNPRINTF(out, "a\x01%d", sizeof(unsigned long long), 1);
	return XDP_PASS;
}

SEC("xdp")
int snprintf_odd_data_len(struct xdp_md *ctx)
{
	char out[32];

	SNPRINTF(out, "%d", 12, 1, 2);
	return XDP_PASS;
}

SEC("xdp")
int snprintf_fmt_on_stack(struct xdp_md *ctx)
{
	char out[32];
	char fmt[8] = "%d";
	unsigned long long args[1] = { 1 };

	bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	return XDP_PASS;
}
