"""``pyebpf verify``: exit status, reports, JSON, graphs and every error path."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import FIXTURES, ROOT, pyebpf

from pyebpf.asm import R0, R1, R2, R3, U8, U32, Instructions, Label, add, exit_, jgt, ldx, mov

LOADER = FIXTURES / "loader-el.o"

# Reads one packet byte after checking the bounds: accepted as XDP.
CHECKED = Instructions(
    [
        ldx(U32, R2, R1, 0),
        ldx(U32, R3, R1, 4),
        mov(R1, R2),
        add(R1, 1),
        mov(R0, 2),
        jgt(R1, R3, "out"),
        ldx(U8, R0, R2, 0),
        mov(R0, 2),
        Label("out"),
        exit_(),
    ]
)
# The same without the check: rejected at slot 2.
UNCHECKED = Instructions([ldx(U32, R2, R1, 0), mov(R0, 2), ldx(U8, R0, R2, 0), exit_()])


@pytest.fixture
def checked(tmp_path: Path) -> Path:
    path = tmp_path / "checked.s"
    path.write_text(str(CHECKED))
    return path


@pytest.fixture
def unchecked(tmp_path: Path) -> Path:
    path = tmp_path / "unchecked.bin"
    path.write_bytes(UNCHECKED.to_bytes())
    return path


def test_accepted_text_exits_0(checked: Path) -> None:
    result = pyebpf("verify", checked, "--type", "xdp")
    assert result.status == 0, result.stdout + result.stderr
    assert result.stdout.startswith("checked: accepted (xdp, root): ")
    assert result.stderr == ""


def test_rejected_bytecode_exits_1_with_path_and_hint(unchecked: Path) -> None:
    result = pyebpf("verify", unchecked, "--type", "xdp")
    assert result.status == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "unchecked: rejected at insn 2 (xdp, root): invalid access to packet"
    )
    assert "  path to the error (as simulated; branch decisions after '->'):" in lines
    assert "    2: (71) r0 = *(u8 *)(r2 +0)" in lines
    assert any(line.startswith("  hint: ") for line in lines)


def test_json_report(unchecked: Path, checked: Path) -> None:
    rejected = pyebpf("verify", unchecked, "--type", "xdp", "--json", "--log-level", "1")
    assert rejected.status == 1
    [record] = rejected.json()
    assert record["accepted"] is False and record["type"] == "xdp"
    assert record["error"]["insn"] == 2 and record["error"]["errno"] == "EACCES"
    assert record["error"]["message"].startswith("invalid access to packet")
    assert record["path"] == [0, 1, 2]
    assert record["log"].rstrip().splitlines()[-1].startswith("processed 3 insns")
    accepted = pyebpf("verify", checked, "--type", "xdp", "--json").json()
    assert accepted[0]["accepted"] is True and accepted[0]["error"] is None
    assert accepted[0]["insns_processed"] > 0


def test_elf_types_from_sections_and_source_lines() -> None:
    result = pyebpf("verify", LOADER, "--json")
    assert result.status in (0, 1)
    records = {r["program"]: r for r in result.json()}
    assert len(records) == 12
    assert records["xdp_drop"]["type"] == "xdp" and records["xdp_drop"]["section"] == "xdp"
    assert records["tracepoint_prog"]["type"] == "tracepoint"
    assert result.status == (0 if all(r["accepted"] for r in records.values()) else 1)
    one = pyebpf("verify", LOADER, "--program", "xdp_drop")
    assert one.stdout.startswith("xdp_drop: accepted (xdp, root)")


def test_type_override() -> None:
    from_section = pyebpf("verify", LOADER, "--program", "xdp_drop", "--json").json()[0]
    assert from_section["type"] == "xdp"
    forced = pyebpf("verify", LOADER, "--program", "xdp_drop", "--type", "socket_filter", "--json")
    assert forced.json()[0]["type"] == "socket_filter"
    # xdp_md offsets read as __sk_buff fields: the verdict or the processing differs.
    assert forced.json()[0] != from_section


def test_map_option_for_text(tmp_path: Path) -> None:
    source = tmp_path / "lookup.s"
    source.write_text(
        "\tr1 = 0\n\t*(u32 *)(r10 - 4) = r1\n\tr2 = r10\n\tr2 += -4\n"
        "\tr1 = map[counts] ll\n\tcall bpf_map_lookup_elem\n\tr0 = *(u64 *)(r0 + 0)\n"
        "\tr0 = 0\n\texit\n"
    )
    result = pyebpf("verify", source, "--type", "xdp", "--map", "counts:hash:4:8:16", "--json")
    assert result.status == 1
    assert "map_value_or_null" in result.json()[0]["error"]["message"]
    bad = pyebpf("verify", source, "--type", "xdp", "--map", "counts:array:4")
    assert bad.status == 2 and "NAME:TYPE:KEY:VALUE:MAX_ENTRIES" in bad.error_line
    bad_type = pyebpf("verify", source, "--type", "xdp", "--map", "counts:frob:4:8:1")
    assert bad_type.status == 2 and "unknown map type" in bad_type.error_line


def test_privilege_flag(checked: Path) -> None:
    result = pyebpf("verify", checked, "--type", "xdp", "--privilege", "cap_bpf", "--json")
    assert result.json()[0]["privilege"] == "cap_bpf"
    bad = pyebpf("verify", checked, "--type", "xdp", "--privilege", "user")
    assert bad.status == 2 and "invalid choice" in bad.error_line


def test_graph_dot(unchecked: Path, tmp_path: Path) -> None:
    out = tmp_path / "cfg.dot"
    result = pyebpf("verify", unchecked, "--type", "xdp", "--graph", out)
    assert result.status == 1
    dot = out.read_text()
    assert dot.startswith("digraph cfg {") and ">>   2:" in dot and "color=red" in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_graph_svg_of_an_elf_program(tmp_path: Path) -> None:
    out = tmp_path / "cfg.svg"
    result = pyebpf("verify", LOADER, "--program", "xdp_drop", "--graph", out)
    assert result.status == 0
    assert "<svg" in out.read_text()


def test_usage_and_input_errors(checked: Path, tmp_path: Path) -> None:
    no_type = pyebpf("verify", checked)
    assert no_type.status == 2 and "give --type" in no_type.error_line
    bad_type = pyebpf("verify", checked, "--type", "frobnicator")
    assert bad_type.status == 2 and "unknown program type 'frobnicator'" in bad_type.error_line
    program_on_text = pyebpf("verify", checked, "--type", "xdp", "--program", "x")
    assert (
        program_on_text.status == 2
        and "--program needs an ELF object" in program_on_text.error_line
    )
    missing = pyebpf("verify", tmp_path / "none.o")
    assert missing.status == 2 and "cannot read" in missing.error_line
    torn = tmp_path / "torn.bin"
    torn.write_bytes(b"\x18\x01" + bytes(6))
    garbage = pyebpf("verify", torn, "--type", "xdp")
    assert garbage.status == 2 and "truncated" in garbage.error_line
    no_prog = pyebpf("verify", LOADER, "--program", "nope")
    assert no_prog.status == 2 and "no program 'nope'" in no_prog.error_line
    several = pyebpf("verify", LOADER, "--graph", tmp_path / "x.dot")
    assert several.status == 2 and "--graph draws one program" in several.error_line
    bad_graph = pyebpf("verify", checked, "--type", "xdp", "--graph", tmp_path / "x.jpeg")
    assert bad_graph.status == 2 and "unknown graph format" in bad_graph.error_line
    bad_level = pyebpf("verify", checked, "--type", "xdp", "--log-level", "7")
    assert bad_level.status == 2


def _run_on_tty(args: list[str], stream: str = "stderr", **env_vars: str) -> tuple[int, bytes]:
    """Run pyebpf with ``stream`` on a pseudo-terminal; return (status, what the terminal saw)."""
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYEBPF_PROGRESS_DELAY="0", **env_vars)
    env.pop("NO_COLOR", None)
    env.update(env_vars)
    outputs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: slave}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyebpf", *args],
        stdout=outputs["stdout"],
        stderr=outputs["stderr"],
        env=env,
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.communicate(timeout=120)
    os.close(master)
    return proc.returncode, seen


def test_progress_only_on_a_terminal(checked: Path) -> None:
    status, terminal = _run_on_tty(["verify", str(checked), "--type", "xdp"])
    assert status == 0
    assert b"verifying checked" in terminal
    piped = pyebpf("verify", checked, "--type", "xdp")
    assert piped.stderr == ""


def test_colour_only_on_a_terminal(checked: Path) -> None:
    status, terminal = _run_on_tty(["verify", str(checked), "--type", "xdp"], "stdout")
    assert status == 0 and b"\x1b[32maccepted\x1b[0m" in terminal
    _, plain = _run_on_tty(["verify", str(checked), "--type", "xdp"], "stdout", NO_COLOR="1")
    assert b"\x1b[" not in plain and b"accepted" in plain
    piped = pyebpf("verify", checked, "--type", "xdp")
    assert "\x1b[" not in piped.stdout


def test_internal_errors_are_one_line_with_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], checked: Path
) -> None:
    # A bug inside a command (here: a verifier that crashes) is reported, not dumped.
    import pyebpf.verifier
    from pyebpf.cli.main import main

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(pyebpf.verifier, "verify", broken)
    assert main(["verify", str(checked), "--type", "xdp"]) == 3
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "pyebpf: error: internal error: RuntimeError: simulated bug "
        "(run with --debug for the traceback)"
    ]
    assert main(["--debug", "verify", str(checked), "--type", "xdp"]) == 3
    assert "Traceback (most recent call last)" in capsys.readouterr().err
