"""The C declarations pyebpf passes to ``bpf()``, pinned to Linux 6.18.

Copied from the kernel's own BTF (``bpftool btf dump file /sys/kernel/btf/vmlinux format c``
on 6.18.44), not from the machine's UAPI headers, which are older. cffi runs in ABI mode, so
no compiler is needed: the layouts below follow the C ABI of the running platform, which is
what the kernel expects (``__aligned_u64`` fields are naturally 8-aligned on every 64-bit ABI).

Bitfields are declared as their whole storage unit (``gpl_flags``, ``perf_flags``) and set with
masks, because cffi's ABI mode cannot promise the compiler's bitfield layout.
"""

from __future__ import annotations

CDEF = r"""
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef int32_t __s32;
typedef uint64_t __u64;

union bpf_attr {
    struct { /* BPF_MAP_CREATE */
        __u32 map_type;
        __u32 key_size;
        __u32 value_size;
        __u32 max_entries;
        __u32 map_flags;
        __u32 inner_map_fd;
        __u32 numa_node;
        char map_name[16];
        __u32 map_ifindex;
        __u32 btf_fd;
        __u32 btf_key_type_id;
        __u32 btf_value_type_id;
        __u32 btf_vmlinux_value_type_id;
        __u64 map_extra;
        __s32 value_type_btf_obj_fd;
        __s32 map_token_fd;
        __u64 excl_prog_hash;
        __u32 excl_prog_hash_size;
    };
    struct { /* BPF_MAP_*_ELEM */
        __u32 map_fd;
        __u64 key;
        union {
            __u64 value;
            __u64 next_key;
        };
        __u64 flags;
    };
    struct { /* BPF_MAP_*_BATCH */
        __u64 in_batch;
        __u64 out_batch;
        __u64 keys;
        __u64 values;
        __u32 count;
        __u32 map_fd;
        __u64 elem_flags;
        __u64 flags;
    } batch;
    struct { /* BPF_PROG_LOAD */
        __u32 prog_type;
        __u32 insn_cnt;
        __u64 insns;
        __u64 license;
        __u32 log_level;
        __u32 log_size;
        __u64 log_buf;
        __u32 kern_version;
        __u32 prog_flags;
        char prog_name[16];
        __u32 prog_ifindex;
        __u32 expected_attach_type;
        __u32 prog_btf_fd;
        __u32 func_info_rec_size;
        __u64 func_info;
        __u32 func_info_cnt;
        __u32 line_info_rec_size;
        __u64 line_info;
        __u32 line_info_cnt;
        __u32 attach_btf_id;
        union {
            __u32 attach_prog_fd;
            __u32 attach_btf_obj_fd;
        };
        __u32 core_relo_cnt;
        __u64 fd_array;
        __u64 core_relos;
        __u32 core_relo_rec_size;
        __u32 log_true_size;
        __s32 prog_token_fd;
        __u32 fd_array_cnt;
        __u64 signature;
        __u32 signature_size;
        __s32 keyring_id;
    };
    struct { /* BPF_OBJ_PIN, BPF_OBJ_GET */
        __u64 pathname;
        __u32 bpf_fd;
        __u32 file_flags;
        __s32 path_fd;
    };
    struct { /* BPF_PROG_ATTACH, BPF_PROG_DETACH */
        union {
            __u32 target_fd;
            __u32 target_ifindex;
        };
        __u32 attach_bpf_fd;
        __u32 attach_type;
        __u32 attach_flags;
        __u32 replace_bpf_fd;
        union {
            __u32 relative_fd;
            __u32 relative_id;
        };
        __u64 expected_revision;
    };
    struct { /* BPF_PROG_TEST_RUN */
        __u32 prog_fd;
        __u32 retval;
        __u32 data_size_in;
        __u32 data_size_out;
        __u64 data_in;
        __u64 data_out;
        __u32 repeat;
        __u32 duration;
        __u32 ctx_size_in;
        __u32 ctx_size_out;
        __u64 ctx_in;
        __u64 ctx_out;
        __u32 flags;
        __u32 cpu;
        __u32 batch_size;
    } test;
    struct { /* BPF_*_GET_NEXT_ID, BPF_*_GET_FD_BY_ID */
        union {
            __u32 start_id;
            __u32 prog_id;
            __u32 map_id;
            __u32 btf_id;
            __u32 link_id;
        };
        __u32 next_id;
        __u32 open_flags;
        __s32 fd_by_id_token_fd;
    };
    struct { /* BPF_OBJ_GET_INFO_BY_FD */
        __u32 bpf_fd;
        __u32 info_len;
        __u64 info;
    } info;
    struct { /* BPF_PROG_QUERY */
        union {
            __u32 target_fd;
            __u32 target_ifindex;
        };
        __u32 attach_type;
        __u32 query_flags;
        __u32 attach_flags;
        __u64 prog_ids;
        union {
            __u32 prog_cnt;
            __u32 count;
        };
        __u64 prog_attach_flags;
        __u64 link_ids;
        __u64 link_attach_flags;
        __u64 revision;
    } query;
    struct { /* BPF_RAW_TRACEPOINT_OPEN */
        __u64 name;
        __u32 prog_fd;
        __u64 cookie;
    } raw_tracepoint;
    struct { /* BPF_BTF_LOAD */
        __u64 btf;
        __u64 btf_log_buf;
        __u32 btf_size;
        __u32 btf_log_size;
        __u32 btf_log_level;
        __u32 btf_log_true_size;
        __u32 btf_flags;
        __s32 btf_token_fd;
    };
    struct {
        __u32 pid;
        __u32 fd;
        __u32 flags;
        __u32 buf_len;
        __u64 buf;
        __u32 prog_id;
        __u32 fd_type;
        __u64 probe_offset;
        __u64 probe_addr;
    } task_fd_query;
    struct { /* BPF_LINK_CREATE */
        union {
            __u32 prog_fd;
            __u32 map_fd;
        };
        union {
            __u32 target_fd;
            __u32 target_ifindex;
        };
        __u32 attach_type;
        __u32 flags;
        union {
            __u32 target_btf_id;
            struct {
                __u64 iter_info;
                __u32 iter_info_len;
            };
            struct {
                __u64 bpf_cookie;
            } perf_event;
            struct {
                __u32 flags;
                __u32 cnt;
                __u64 syms;
                __u64 addrs;
                __u64 cookies;
            } kprobe_multi;
            struct {
                __u32 target_btf_id;
                __u64 cookie;
            } tracing;
            struct {
                __u32 pf;
                __u32 hooknum;
                __s32 priority;
                __u32 flags;
            } netfilter;
            struct {
                union {
                    __u32 relative_fd;
                    __u32 relative_id;
                };
                __u64 expected_revision;
            } tcx;
            struct {
                __u64 path;
                __u64 offsets;
                __u64 ref_ctr_offsets;
                __u64 cookies;
                __u32 cnt;
                __u32 flags;
                __u32 pid;
            } uprobe_multi;
            struct {
                union {
                    __u32 relative_fd;
                    __u32 relative_id;
                };
                __u64 expected_revision;
            } netkit;
            struct {
                union {
                    __u32 relative_fd;
                    __u32 relative_id;
                };
                __u64 expected_revision;
            } cgroup;
        };
    } link_create;
    struct { /* BPF_LINK_UPDATE */
        __u32 link_fd;
        union {
            __u32 new_prog_fd;
            __u32 new_map_fd;
        };
        __u32 flags;
        union {
            __u32 old_prog_fd;
            __u32 old_map_fd;
        };
    } link_update;
    struct {
        __u32 link_fd;
    } link_detach;
    struct {
        __u32 type;
    } enable_stats;
    struct {
        __u32 link_fd;
        __u32 flags;
    } iter_create;
    struct {
        __u32 prog_fd;
        __u32 map_fd;
        __u32 flags;
    } prog_bind_map;
    struct {
        __u32 flags;
        __u32 bpffs_fd;
    } token_create;
    struct {
        __u64 stream_buf;
        __u32 stream_buf_len;
        __u32 stream_id;
        __u32 prog_fd;
    } prog_stream_read;
};

struct bpf_map_info {
    __u32 type;
    __u32 id;
    __u32 key_size;
    __u32 value_size;
    __u32 max_entries;
    __u32 map_flags;
    char name[16];
    __u32 ifindex;
    __u32 btf_vmlinux_value_type_id;
    __u64 netns_dev;
    __u64 netns_ino;
    __u32 btf_id;
    __u32 btf_key_type_id;
    __u32 btf_value_type_id;
    __u32 btf_vmlinux_id;
    __u64 map_extra;
    __u64 hash;
    __u32 hash_size;
};

struct bpf_prog_info {
    __u32 type;
    __u32 id;
    __u8 tag[8];
    __u32 jited_prog_len;
    __u32 xlated_prog_len;
    __u64 jited_prog_insns;
    __u64 xlated_prog_insns;
    __u64 load_time;
    __u32 created_by_uid;
    __u32 nr_map_ids;
    __u64 map_ids;
    char name[16];
    __u32 ifindex;
    __u32 gpl_flags;            /* bit 0: gpl_compatible */
    __u64 netns_dev;
    __u64 netns_ino;
    __u32 nr_jited_ksyms;
    __u32 nr_jited_func_lens;
    __u64 jited_ksyms;
    __u64 jited_func_lens;
    __u32 btf_id;
    __u32 func_info_rec_size;
    __u64 func_info;
    __u32 nr_func_info;
    __u32 nr_line_info;
    __u64 line_info;
    __u64 jited_line_info;
    __u32 nr_jited_line_info;
    __u32 line_info_rec_size;
    __u32 jited_line_info_rec_size;
    __u32 nr_prog_tags;
    __u64 prog_tags;
    __u64 run_time_ns;
    __u64 run_cnt;
    __u64 recursion_misses;
    __u32 verified_insns;
    __u32 attach_btf_obj_id;
    __u32 attach_btf_id;
};

struct bpf_btf_info {
    __u64 btf;
    __u32 btf_size;
    __u32 id;
    __u64 name;
    __u32 name_len;
    __u32 kernel_btf;
};

struct bpf_link_info {
    __u32 type;
    __u32 id;
    __u32 prog_id;
    union {
        struct {
            __u64 tp_name;
            __u32 tp_name_len;
            __u64 cookie;
        } raw_tracepoint;
        struct {
            __u32 attach_type;
            __u32 target_obj_id;
            __u32 target_btf_id;
            __u64 cookie;
        } tracing;
        struct {
            __u64 cgroup_id;
            __u32 attach_type;
        } cgroup;
        struct {
            __u64 target_name;
            __u32 target_name_len;
            union {
                struct {
                    __u32 map_id;
                } map;
            };
            union {
                struct {
                    __u64 cgroup_id;
                    __u32 order;
                } cgroup;
                struct {
                    __u32 tid;
                    __u32 pid;
                } task;
            };
        } iter;
        struct {
            __u32 netns_ino;
            __u32 attach_type;
        } netns;
        struct {
            __u32 ifindex;
        } xdp;
        struct {
            __u32 map_id;
        } struct_ops;
        struct {
            __u32 pf;
            __u32 hooknum;
            __s32 priority;
            __u32 flags;
        } netfilter;
        struct {
            __u64 addrs;
            __u32 count;
            __u32 flags;
            __u64 missed;
            __u64 cookies;
        } kprobe_multi;
        struct {
            __u64 path;
            __u64 offsets;
            __u64 ref_ctr_offsets;
            __u64 cookies;
            __u32 path_size;
            __u32 count;
            __u32 flags;
            __u32 pid;
        } uprobe_multi;
        struct {
            __u32 type;
            union {
                struct {
                    __u64 file_name;
                    __u32 name_len;
                    __u32 offset;
                    __u64 cookie;
                    __u64 ref_ctr_offset;
                } uprobe;
                struct {
                    __u64 func_name;
                    __u32 name_len;
                    __u32 offset;
                    __u64 addr;
                    __u64 missed;
                    __u64 cookie;
                } kprobe;
                struct {
                    __u64 tp_name;
                    __u32 name_len;
                    __u64 cookie;
                } tracepoint;
                struct {
                    __u64 config;
                    __u32 type;
                    __u64 cookie;
                } event;
            };
        } perf_event;
        struct {
            __u32 ifindex;
            __u32 attach_type;
        } tcx;
        struct {
            __u32 ifindex;
            __u32 attach_type;
        } netkit;
        struct {
            __u32 map_id;
            __u32 attach_type;
        } sockmap;
    };
};

struct perf_event_attr {
    __u32 type;
    __u32 size;
    __u64 config;
    union {
        __u64 sample_period;
        __u64 sample_freq;
    };
    __u64 sample_type;
    __u64 read_format;
    __u64 perf_flags;           /* the disabled:1 ... __reserved_1:26 bitfield word */
    union {
        __u32 wakeup_events;
        __u32 wakeup_watermark;
    };
    __u32 bp_type;
    union {
        __u64 bp_addr;
        __u64 kprobe_func;
        __u64 uprobe_path;
        __u64 config1;
    };
    union {
        __u64 bp_len;
        __u64 kprobe_addr;
        __u64 probe_offset;
        __u64 config2;
    };
    __u64 branch_sample_type;
    __u64 sample_regs_user;
    __u32 sample_stack_user;
    __s32 clockid;
    __u64 sample_regs_intr;
    __u32 aux_watermark;
    __u16 sample_max_stack;
    __u16 __reserved_2;
    __u32 aux_sample_size;
    __u32 aux_action;
    __u64 sig_data;
    __u64 config3;
};

struct statfs_buf {             /* only f_type is read; the rest is room for struct statfs */
    long f_type;
    char rest[256];
};

long syscall(long number, ...);
int statfs(const char *path, struct statfs_buf *buf);
"""

# Sizes the kernel has for these structs on 6.18 (x86_64 and aarch64 agree); checked at import.
EXPECTED_SIZES = {
    "union bpf_attr": 168,
    "struct bpf_map_info": 104,
    "struct bpf_prog_info": 232,
    "struct bpf_btf_info": 32,
    "struct bpf_link_info": 64,
    "struct perf_event_attr": 136,
}
