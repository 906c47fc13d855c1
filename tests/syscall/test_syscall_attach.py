"""Attach programs for real: XDP and TCX on a veth pair in a network namespace we create,
socket filters on loopback, cgroup v2 programs on our own sub-cgroup, tracepoints, raw
tracepoints and kprobes triggered by a syscall and counted into a map."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from syscall_programs import (
    GETPPID_NR,
    count_and_return,
    counter_map,
    pid_counter,
    raw_syscall_counter,
    udp_port_counter,
)

from pyebpf import Link, Program, ProgramSpec
from pyebpf.errors import BPFError, NotSupportedError, SpecError
from pyebpf.kernel_tables import AttachType, LinkType
from pyebpf.syscall import (
    attach_cgroup,
    attach_kprobe,
    attach_raw_tracepoint,
    attach_socket_filter,
    attach_tcx,
    attach_tracepoint,
    attach_uprobe,
    attach_xdp,
    query_cgroup,
)

pytestmark = pytest.mark.kernel

CGROUP2_ROOT = "/sys/fs/cgroup/unified"
PORT = 9999


def run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True)


@dataclass
class VethPair:
    namespace: str
    host_if: str
    host_ip: str
    peer_ip: str

    def send_udp(self, count: int, port: int = PORT) -> None:
        """Send ``count`` UDP datagrams from inside the namespace to the host side."""
        code = (
            "import socket,sys\n"
            "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"[s.sendto(b'pyebpf', ({self.host_ip!r}, {port})) for _ in range({count})]\n"
        )
        run("ip", "netns", "exec", self.namespace, sys.executable, "-c", code)


@pytest.fixture
def veth() -> Iterator[VethPair]:
    if shutil.which("ip") is None:
        pytest.skip("iproute2 (ip) is not installed")
    tag = f"{os.getpid() % 100000}"
    ns, host, peer = f"pyebpf{tag}", f"pyv{tag}a", f"pyv{tag}b"
    try:
        run("ip", "netns", "add", ns)
        run("ip", "link", "add", host, "type", "veth", "peer", "name", peer)
        run("ip", "link", "set", peer, "netns", ns)
        run("ip", "addr", "add", "10.211.0.1/30", "dev", host)
        run("ip", "link", "set", host, "up")
        run("ip", "-n", ns, "addr", "add", "10.211.0.2/30", "dev", peer)
        run("ip", "-n", ns, "link", "set", peer, "up")
        yield VethPair(ns, host, "10.211.0.1", "10.211.0.2")
    finally:
        subprocess.run(["ip", "link", "del", host], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def wait_for(predicate: object, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.01)


def test_xdp_link_counts_packets_update_and_pin(veth: VethPair, bpffs: str) -> None:
    with counter_map() as counts, counter_map() as counts2:
        spec = ProgramSpec(
            name="xdp_udp",
            type="xdp",
            instructions=udp_port_counter(PORT, data_off=0, end_off=4, ret=2),
        )
        with Program(spec, maps={"counts": counts}) as prog:
            with attach_xdp(prog, veth.host_if) as link:
                info = link.info()
                assert info.type == LinkType.XDP
                assert info.details["ifindex"] == socket.if_nametoindex(veth.host_if)
                veth.send_udp(5)
                wait_for(lambda: counts[0] >= 5)
                assert counts[0] == 5
                # Swap in a program that counts into another map.
                with Program(spec, maps={"counts": counts2}) as prog2:
                    link.update(prog2)
                    veth.send_udp(3)
                    wait_for(lambda: counts2[0] >= 3)
                    assert counts2[0] == 3 and counts[0] == 5
                    # A conditional swap fails unless the expected program is attached.
                    with pytest.raises(BPFError):
                        link.update(prog, old_program=prog)
                    link.update(prog2, old_program=prog2)
                    path = os.path.join(bpffs, "xdp_link")
                    link.pin(path)
            # Closed, but pinned: still attached.
            veth.send_udp(2)
            wait_for(lambda: counts2[0] >= 5)
            assert counts2[0] == 5
            with Link.from_pin(path) as pinned:
                pinned.unpin(path)
                pinned.detach()
            veth.send_udp(2)
            time.sleep(0.05)
            assert counts2[0] == 5


def test_xdp_on_missing_interface_is_explained() -> None:
    spec = ProgramSpec(name="pass", type="xdp", instructions=[*_ret(2)])
    with Program(spec) as prog, pytest.raises(BPFError, match="no interface"):
        attach_xdp(prog, "pyebpf-nope0")


def _ret(value: int) -> list[object]:
    from pyebpf.asm import R0, exit_, mov

    return [mov(R0, value), exit_()]


def test_tcx_ingress_counts_packets(veth: VethPair) -> None:
    with counter_map() as counts:
        spec = ProgramSpec(
            name="tcx_udp",
            type="sched_cls",
            instructions=udp_port_counter(PORT, data_off=76, end_off=80, ret=0),
        )
        with Program(spec, maps={"counts": counts}) as prog:
            link = attach_tcx(prog, veth.host_if, "ingress")
            try:
                info = link.info()
                assert info.type == LinkType.TCX
                assert info.details["attach_type"] == AttachType.TCX_INGRESS
                veth.send_udp(4)
                wait_for(lambda: counts[0] >= 4)
                assert counts[0] == 4
            finally:
                link.close()
            veth.send_udp(2)
            time.sleep(0.05)
            assert counts[0] == 4
            with pytest.raises(SpecError):
                attach_tcx(prog, veth.host_if, "sideways")


def test_socket_filter_on_loopback_udp_pair() -> None:
    with counter_map() as counts:
        spec = ProgramSpec(name="drop_all", type="socket_filter", instructions=count_and_return(0))
        with (
            Program(spec, maps={"counts": counts}) as prog,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx,
        ):
            rx.bind(("127.0.0.1", 0))
            rx.settimeout(0.2)
            link = attach_socket_filter(prog, rx)
            for _ in range(3):
                tx.sendto(b"hello", rx.getsockname())
            with pytest.raises(TimeoutError):
                rx.recv(64)
            assert counts[0] == 3
            link.close()  # detaches the filter
            tx.sendto(b"after", rx.getsockname())
            assert rx.recv(64) == b"after"
            assert counts[0] == 3
            with pytest.raises(NotSupportedError):
                link.pin("/sys/fs/bpf/x")


def test_socket_filter_update_replaces_program() -> None:
    with counter_map() as counts:
        drop = ProgramSpec(name="drop", type="socket_filter", instructions=count_and_return(0))
        keep = ProgramSpec(name="keep", type="socket_filter", instructions=count_and_return(-1))
        with (
            Program(drop, maps={"counts": counts}) as p_drop,
            Program(keep, maps={"counts": counts}) as p_keep,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx,
        ):
            rx.bind(("127.0.0.1", 0))
            rx.settimeout(1.0)
            with attach_socket_filter(p_drop, rx) as link:
                link.update(p_keep)
                tx.sendto(b"kept", rx.getsockname())
                assert rx.recv(64) == b"kept"
                assert counts[0] == 1


@pytest.fixture
def cgroup() -> Iterator[str]:
    if not os.path.isdir(CGROUP2_ROOT):
        pytest.skip(f"no cgroup v2 hierarchy at {CGROUP2_ROOT}")
    path = tempfile.mkdtemp(prefix="pyebpf-", dir=CGROUP2_ROOT)
    try:
        yield path
    finally:
        os.rmdir(path)


def _send_from_cgroup(cgroup: str, port: int, count: int) -> None:
    code = (
        "import os,socket,sys\n"
        f"open({cgroup!r} + '/cgroup.procs','w').write(str(os.getpid()))\n"
        "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        f"[s.sendto(b'x', ('127.0.0.1', {port})) for _ in range({count})]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("use_link", [True, False], ids=["bpf_link", "prog_attach"])
def test_cgroup_skb_egress_counts_packets(cgroup: str, use_link: bool) -> None:
    with (
        counter_map() as counts,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx,
    ):
        rx.bind(("127.0.0.1", 0))
        port = rx.getsockname()[1]
        spec = ProgramSpec(
            name="cg_egress",
            type="cgroup_skb",
            attach_type="cgroup_inet_egress",
            instructions=count_and_return(1),
        )
        with Program(spec, maps={"counts": counts}) as prog:
            link = attach_cgroup(prog, cgroup, "cgroup_inet_egress", link=use_link)
            try:
                assert query_cgroup(cgroup, AttachType.CGROUP_INET_EGRESS) == [prog.id]
                _send_from_cgroup(cgroup, port, 6)
                assert counts[0] == 6
            finally:
                link.close()
            assert query_cgroup(cgroup, AttachType.CGROUP_INET_EGRESS) == []


def test_cgroup_path_errors(tmp_path: object) -> None:
    spec = ProgramSpec(name="cg", type="cgroup_skb", instructions=count_and_return(1))
    with counter_map() as counts, Program(spec, maps={"counts": counts}) as prog:
        with pytest.raises(BPFError, match="cgroup v2"):
            attach_cgroup(prog, str(tmp_path), "cgroup_inet_egress")
        with pytest.raises(BPFError, match="not a directory"):
            attach_cgroup(prog, "/nonexistent/cg", "cgroup_inet_egress")


@pytest.fixture
def tracefs() -> Iterator[str]:
    from pyebpf.syscall.attach_trace import find_tracefs

    found = find_tracefs()
    if found is not None:
        yield found
        return
    path = tempfile.mkdtemp(prefix="pyebpf-tracefs-")
    result = subprocess.run(["mount", "-t", "tracefs", "nodev", path], capture_output=True)
    if result.returncode != 0:
        os.rmdir(path)
        pytest.skip("cannot mount tracefs")
    try:
        yield path
    finally:
        subprocess.run(["umount", path], check=False)
        os.rmdir(path)


def test_tracepoint_counts_our_syscalls(tracefs: str) -> None:
    with counter_map() as counts:
        spec = ProgramSpec(
            name="tp_getppid", type="tracepoint", instructions=pid_counter(os.getpid())
        )
        with Program(spec, maps={"counts": counts}) as prog:
            with attach_tracepoint(prog, "syscalls", "sys_enter_getppid", tracefs=tracefs) as link:
                assert link.info().type == LinkType.PERF_EVENT
                for _ in range(7):
                    os.getppid()
            os.getppid()  # after close: not counted
            assert counts[0] == 7
        with pytest.raises(BPFError, match="no tracepoint"):
            attach_tracepoint(prog, "syscalls", "no_such_event", tracefs=tracefs)
        with pytest.raises(SpecError):
            attach_tracepoint(prog, "../etc", "passwd", tracefs=tracefs)


def test_raw_tracepoint_counts_our_syscalls() -> None:
    if GETPPID_NR < 0:
        pytest.skip("no getppid syscall number for this architecture")
    with counter_map() as counts:
        spec = ProgramSpec(
            name="raw_enter",
            type="raw_tracepoint",
            instructions=raw_syscall_counter(os.getpid(), GETPPID_NR),
        )
        with Program(spec, maps={"counts": counts}) as prog:
            with attach_raw_tracepoint(prog, "sys_enter") as link:
                info = link.info()
                assert info.type == LinkType.RAW_TRACEPOINT
                assert info.details["tp_name"] == "sys_enter"
                for _ in range(5):
                    os.getppid()
            os.getppid()
            assert counts[0] == 5
            with pytest.raises(BPFError):
                attach_raw_tracepoint(prog, "no_such_tracepoint")


def test_kprobe_counts_or_reports_missing_support() -> None:
    symbol = {"x86_64": "__x64_sys_getppid", "aarch64": "__arm64_sys_getppid"}.get(
        os.uname().machine
    )
    if symbol is None:
        pytest.skip("no getppid symbol name for this architecture")
    with counter_map() as counts:
        spec = ProgramSpec(name="kp_getppid", type="kprobe", instructions=pid_counter(os.getpid()))
        with Program(spec, maps={"counts": counts}) as prog:
            if not os.path.exists("/sys/bus/event_source/devices/kprobe"):
                # This kernel is built without CONFIG_KPROBES: the error must say so.
                with pytest.raises(NotSupportedError, match="CONFIG_KPROBES"):
                    attach_kprobe(prog, symbol)
                pytest.skip("kernel built without CONFIG_KPROBES (checked the error instead)")
            with attach_kprobe(prog, symbol):
                for _ in range(4):
                    os.getppid()
            assert counts[0] == 4


def test_tcx_ordering_before_and_after(veth: VethPair) -> None:
    from pyebpf.syscall import commands

    pass_spec = ProgramSpec(name="tcx_pass", type="sched_cls", instructions=[*_ret(-1)])
    index = socket.if_nametoindex(veth.host_if)
    with Program(pass_spec) as a, Program(pass_spec) as b, Program(pass_spec) as c:
        with (
            attach_tcx(a, veth.host_if, "egress"),
            attach_tcx(b, index, "egress", before=a),
            attach_tcx(c, veth.host_if, "egress", after=a),
        ):
            order = commands.prog_query(index, AttachType.TCX_EGRESS)
            assert order == [b.id, a.id, c.id]
        assert commands.prog_query(index, AttachType.TCX_EGRESS) == []
        with pytest.raises(SpecError):
            attach_tcx(a, index, "egress", before=b, after=c)


def _libc_path() -> str:
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "/libc.so" in path or "/libc-" in path:
                return path
    pytest.skip("cannot find the libc this process uses")


@pytest.mark.parametrize("ret", [False, True], ids=["uprobe", "uretprobe"])
def test_uprobe_counts_calls_into_libc(ret: bool) -> None:
    """The perf-event PMU path (shared with kprobes): probe libc's getppid() in this process."""
    if not os.path.exists("/sys/bus/event_source/devices/uprobe"):
        pytest.skip("kernel built without uprobe events")
    libc = _libc_path()
    with counter_map() as counts:
        spec = ProgramSpec(name="up_getppid", type="kprobe", instructions=pid_counter(os.getpid()))
        with Program(spec, maps={"counts": counts}) as prog:
            with attach_uprobe(prog, libc, "getppid", ret=ret, pid=os.getpid()) as link:
                assert link.info().type == LinkType.PERF_EVENT
                for _ in range(6):
                    os.getppid()
            os.getppid()
            assert counts[0] == 6
            with pytest.raises(BPFError, match="no function"):
                attach_uprobe(prog, libc, "no_such_function_here")
            with pytest.raises(SpecError):
                attach_uprobe(prog, "/nonexistent/lib.so", "f")


def test_socket_filter_errors() -> None:
    xdp = ProgramSpec(name="xdp", type="xdp", instructions=[*_ret(2)])
    with Program(xdp) as prog, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(BPFError, match="SOCKET_FILTER"):
            attach_socket_filter(prog, sock)
        with pytest.raises(SpecError):
            attach_socket_filter(prog, "not a socket")
