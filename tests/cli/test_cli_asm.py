"""``pyebpf asm`` / ``pyebpf disasm`` and the conventions every command shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import pyebpf

from pyebpf.asm import R0, R1, Instructions, Label, call, exit_, jeq, mov

PROGRAM = Instructions([mov(R0, 0), jeq(R1, 0, "out"), call("ktime_get_ns"), Label("out"), exit_()])


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "prog.s"
    path.write_text(str(PROGRAM))
    return path


def test_asm_raw_round_trips_through_disasm(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "prog.bin"
    assert pyebpf("asm", source, "-o", out).status == 0
    assert out.read_bytes() == PROGRAM.to_bytes()
    result = pyebpf("disasm", out, "--no-helper-names")
    assert result.status == 0 and result.stderr == ""
    assert Instructions.from_bytes(PROGRAM.to_bytes()) == Instructions.from_bytes(
        pyebpf_asm_bytes(result.stdout, tmp_path)
    )


def pyebpf_asm_bytes(text: str, tmp_path: Path) -> bytes:
    path = tmp_path / "again.s"
    path.write_text(text)
    result = pyebpf("asm", path, "-o", tmp_path / "again.bin")
    assert result.status == 0, result.stderr
    return (tmp_path / "again.bin").read_bytes()


def test_asm_hex_and_c_array_formats(source: Path) -> None:
    hex_out = pyebpf("asm", source, "--format", "hex")
    assert hex_out.status == 0
    assert bytes.fromhex(hex_out.stdout.replace("\n", "")) == PROGRAM.to_bytes()
    assert all(len(line) == 16 for line in hex_out.stdout.splitlines())
    c_out = pyebpf("asm", source, "--format", "c-array")
    assert c_out.status == 0
    assert c_out.stdout.startswith("static const unsigned char prog[] = {")
    values = [
        int(tok, 16) for tok in c_out.stdout.split("{")[1].split("}")[0].replace(",", " ").split()
    ]
    assert bytes(values) == PROGRAM.to_bytes()


def test_asm_big_endian(source: Path) -> None:
    out = pyebpf("asm", source, "--format", "hex", "--big-endian")
    assert bytes.fromhex(out.stdout.replace("\n", "")) == PROGRAM.to_bytes("big")


def test_asm_reads_stdin() -> None:
    out = pyebpf("asm", "-", "--format", "hex", stdin=b"r0 = 0\nexit\n")
    assert out.status == 0
    assert out.stdout == "b700000000000000\n9500000000000000\n"


def test_disasm_listing_hex_and_helper_names(tmp_path: Path) -> None:
    raw = tmp_path / "p.bin"
    raw.write_bytes(Instructions([mov(R0, 255), call("ktime_get_ns"), exit_()]).to_bytes())
    out = pyebpf("disasm", raw, "--listing", "--hex")
    assert out.status == 0
    lines = out.stdout.splitlines()
    assert lines[0].split("\t") == ["       0:", "b7 00 00 00 ff 00 00 00", "r0 = 0xff"]
    assert "# bpf_ktime_get_ns" in lines[1]
    plain = pyebpf("disasm", raw, "--no-helper-names")
    assert plain.stdout == "\tr0 = 255\n\tcall 5\n\texit\n"


def test_disasm_big_endian_and_stdin() -> None:
    data = Instructions([mov(R0, 7), exit_()]).to_bytes("big")
    out = pyebpf("disasm", "-", "--big-endian", stdin=data)
    assert out.status == 0 and out.stdout == "\tr0 = 7\n\texit\n"


# --- error paths: one line on stderr, exit status 2, no traceback ------------------------------


def test_asm_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.s"
    bad.write_text("r0 = 0\nr0 = frobnicate r1\nexit\n")
    result = pyebpf("asm", bad, "--format", "hex")
    assert result.status == 2
    assert f"{bad}: line 2" in result.error_line
    assert result.stdout == ""


def test_asm_unresolved_label(tmp_path: Path) -> None:
    bad = tmp_path / "bad.s"
    bad.write_text("goto nowhere\nexit\n")
    result = pyebpf("asm", bad, "--format", "hex")
    assert result.status == 2
    assert "nowhere" in result.error_line


def test_missing_file() -> None:
    result = pyebpf("disasm", "/nonexistent/prog.bin")
    assert result.status == 2
    assert "cannot read /nonexistent/prog.bin: No such file or directory" in result.error_line


def test_disasm_truncated_bytecode(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x18\x01\x00\x00\x00\x00\x00\x00")  # ld_imm64 without its second slot
    result = pyebpf("disasm", bad)
    assert result.status == 2
    assert "slot 0" in result.error_line and "truncated" in result.error_line


def test_disasm_length_not_multiple_of_eight(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x95\x00\x00\x00\x00\x00\x00\x00\xff\x01\x02")
    result = pyebpf("disasm", bad)
    assert result.status == 2
    assert str(bad) in result.error_line


def test_disasm_section_needs_elf(tmp_path: Path) -> None:
    raw = tmp_path / "p.bin"
    raw.write_bytes(PROGRAM.to_bytes())
    result = pyebpf("disasm", raw, "--program", "x")
    assert result.status == 2 and "need an ELF object" in result.error_line


def test_asm_unwritable_output(source: Path) -> None:
    result = pyebpf("asm", source, "-o", "/nonexistent/dir/out.bin")
    assert result.status == 2 and "cannot write /nonexistent/dir/out.bin" in result.error_line


def test_usage_errors_are_one_line() -> None:
    missing = pyebpf("asm")
    assert missing.status == 2
    assert "the following arguments are required: file" in missing.error_line
    bad_choice = pyebpf("asm", "x.s", "--format", "elf")
    assert bad_choice.status == 2 and "invalid choice" in bad_choice.error_line
    unknown = pyebpf("frobnicate")
    assert unknown.status == 2 and "invalid choice" in unknown.error_line


def test_no_command_prints_help_and_fails() -> None:
    result = pyebpf()
    assert result.status == 2
    assert "usage: pyebpf" in result.stderr and result.stdout == ""


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.s"
    bad.write_text("r0 = frobnicate\n")
    for args in (("--debug", "asm", bad), ("asm", bad, "--debug")):
        result = pyebpf(*args)
        assert result.status == 2
        assert "Traceback (most recent call last)" in result.stderr
        assert result.stderr.splitlines()[-1].startswith("pyebpf: error: ")


def test_version() -> None:
    result = pyebpf("--version")
    assert result.status == 0 and result.stdout.startswith("pyebpf ")


def _all_commands() -> list[tuple[str, ...]]:
    """Every command and verb the parser knows, e.g. ("asm",), ("prog", "show")."""
    import argparse

    from pyebpf.cli.main import build_parser

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found.append((*prefix, name))
                    found.extend(walk(child, (*prefix, name)))
        return found

    return walk(build_parser(), ())


COMMANDS = _all_commands()


def test_every_issue_command_exists() -> None:
    for command in [
        ("asm",),
        ("disasm",),
        ("verify",),
        ("inspect",),
        ("btf", "dump"),
        ("load",),
        ("run",),
        ("prog", "list"),
        ("prog", "show"),
        ("map", "list"),
        ("map", "dump"),
    ]:
        assert command in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_help_has_examples(command: tuple[str, ...]) -> None:
    result = pyebpf(*command, "--help")
    assert result.status == 0
    assert "examples:" in result.stdout
    assert f"pyebpf {command[0]}" in result.stdout.split("examples:")[1]


def test_top_level_help_lists_every_command() -> None:
    result = pyebpf("--help")
    assert result.status == 0
    for command in {c[0] for c in COMMANDS}:
        assert f"    {command}" in result.stdout
