"""``pyde-ref run``: argument reading, result display, outcomes and exit codes."""

from __future__ import annotations

import json
import re
import shlex
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paths import REPO
from pyde_ref import cli
from pyde_ref.commands import run as run_cmd

FIB = REPO / "examples" / "fib.wasm"
FACTORIAL = REPO / "examples" / "factorial.wasm"


def run_json(capsys, *argv) -> tuple[int, dict]:
    """Run ``pyde-ref run ... --json`` in-process; exit code and the one JSON object."""
    code = cli.main(["run", "--json", *map(str, argv)])
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 1, f"expected exactly one JSON line, got {out!r}"
    return code, json.loads(lines[0])


@pytest.fixture
def module_file(tmp_path, wat2wasm):
    """Write a text-format module as a .wasm file; its path."""
    counter = iter(range(1000))

    def make(wat: str) -> Path:
        path = tmp_path / f"m{next(counter)}.wasm"
        path.write_bytes(wat2wasm(wat))
        return path

    return make


# -- the examples -------------------------------------------------------------


def test_readme_first_command_output(capsys):
    assert cli.main(["run", str(FIB), "fib", "20"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "i64 6765 (0x0000000000001a6d)"
    assert out.splitlines()[1].startswith("fuel consumed: ")


def test_fib_json_shape(capsys):
    code, obj = run_json(capsys, FIB, "fib", 20)
    assert code == 0
    assert set(obj) == {"status", "results", "fuel_consumed"}
    assert obj["status"] == "ok"
    assert obj["results"] == [{"type": "i64", "bits": "0x0000000000001a6d"}]
    assert isinstance(obj["fuel_consumed"], int) and obj["fuel_consumed"] > 0


def test_recursive_and_iterative_agree(capsys):
    for n in (0, 1, 2, 10, 15):
        _, a = run_json(capsys, FIB, "fib", n)
        _, b = run_json(capsys, FIB, "fib_recursive", n)
        assert a["results"] == b["results"]


def test_factorial_wraps_modulo_2_64(capsys):
    _, obj = run_json(capsys, FACTORIAL, "fac", 25)
    expected = 1
    for k in range(2, 26):
        expected = expected * k % (1 << 64)
    assert obj["results"] == [{"type": "i64", "bits": f"0x{expected:016x}"}]


def test_fuel_grows_with_work(capsys):
    _, small = run_json(capsys, FACTORIAL, "count", 10)
    _, large = run_json(capsys, FACTORIAL, "count", 100)
    assert large["fuel_consumed"] > small["fuel_consumed"] > 0


def test_out_of_fuel_trap_and_exit_code(capsys):
    code, obj = run_json(capsys, FACTORIAL, "count", 1000, "--fuel", 100)
    assert code == 1
    assert obj["status"] == "trap" and obj["trap"] == "out_of_fuel"
    assert set(obj) == {"status", "trap", "fuel_consumed"}
    assert obj["fuel_consumed"] <= 100


def test_enough_fuel_changes_nothing(capsys):
    _, free = run_json(capsys, FACTORIAL, "count", 50)
    _, budgeted = run_json(capsys, FACTORIAL, "count", 50, "--fuel", free["fuel_consumed"] + 10)
    assert budgeted == free


def test_divide_by_zero_trap(capsys):
    code, obj = run_json(capsys, FACTORIAL, "div", 1, 0)
    assert (code, obj["status"], obj["trap"]) == (1, "trap", "integer_divide_by_zero")
    code, obj = run_json(capsys, FACTORIAL, "div", "-2147483648", "-1")
    assert (code, obj["trap"]) == (1, "integer_overflow")


def test_trap_human_form(capsys):
    assert cli.main(["run", str(FACTORIAL), "div", "7", "0"]) == 1
    assert capsys.readouterr().out.startswith("trap: integer_divide_by_zero")


def test_every_fuel_model_runs(capsys):
    for model in ("spec", "wasmtime-45", "wasmtime-50"):
        code, obj = run_json(capsys, FIB, "fib", 10, "--fuel-model", model)
        assert code == 0 and obj["results"] == [{"type": "i64", "bits": "0x0000000000000037"}]


def test_console_script_entry_point():
    """The installed ``pyde-ref`` command (as a fresh process), not just cli.main."""
    done = subprocess.run([sys.executable, "-m", "pyde_ref.cli", "run", str(FIB), "fib", "20"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("i64 6765 ")
    assert done.stderr == ""


# -- arguments -----------------------------------------------------------------

IDENTITY = """(module
  (func (export "i32") (param i32) (result i32) local.get 0)
  (func (export "i64") (param i64) (result i64) local.get 0)
  (func (export "f32") (param f32) (result f32) local.get 0)
  (func (export "f64") (param f64) (result f64) local.get 0)
  (func (export "f32add") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
  (func (export "") (result i32) i32.const 42)
  (func (export "名前 ✓") (result i32) i32.const 7)
  (memory (export "mem") 1)
  (global (export "g") i32 (i32.const 1)))"""


@pytest.mark.parametrize("arg, bits", [
    ("-1", "0xffffffff"), ("0xffffffff", "0xffffffff"), ("0xFFFFFFFF", "0xffffffff"),
    ("-2147483648", "0x80000000"), ("4294967295", "0xffffffff"), ("0", "0x00000000"),
    ("-0x1", "0xffffffff"), ("+5", "0x00000005"),
])
def test_i32_arguments_are_twos_complement(capsys, module_file, arg, bits):
    code, obj = run_json(capsys, module_file(IDENTITY), "i32", arg)
    assert code == 0 and obj["results"] == [{"type": "i32", "bits": bits}]


@pytest.mark.parametrize("type_, arg", [
    ("i32", "4294967296"), ("i32", "-2147483649"), ("i64", "18446744073709551616"),
    ("i32", "1.5"), ("i32", "abc"), ("i32", "0x"), ("f32", "1e39"), ("f32", "bits:0x100000000"),
    ("f64", "one"), ("f32", "nan:0x0"), ("f32", "nan:0x800000"),
])
def test_bad_arguments_are_errors(capsys, module_file, type_, arg):
    code, obj = run_json(capsys, module_file(IDENTITY), type_, "--", arg)
    assert code == 2
    assert obj["status"] == "error" and arg.split(":")[0].lstrip("-") in obj["error"]


@pytest.mark.parametrize("type_, arg, bits", [
    ("f32", "1.5", "0x3fc00000"), ("f32", "-0", "0x80000000"), ("f32", "0", "0x00000000"),
    ("f32", "inf", "0x7f800000"), ("f32", "-inf", "0xff800000"), ("f32", "nan", "0x7fc00000"),
    ("f32", "-nan", "0xffc00000"), ("f32", "nan:0x1", "0x7f800001"), ("f32", "0.1", "0x3dcccccd"),
    ("f32", "bits:0x7fa00001", "0x7fa00001"), ("f32", "1e-46", "0x00000000"),
    ("f64", "0.1", "0x3fb999999999999a"), ("f64", "-1.5e300", "0xfe41eb2d66005835"),
    ("f64", "bits:0x1", "0x0000000000000001"), ("f64", "-0", "0x8000000000000000"),
])
def test_float_arguments(capsys, module_file, type_, arg, bits):
    code, obj = run_json(capsys, module_file(IDENTITY), type_, arg)
    assert code == 0 and obj["results"] == [{"type": type_, "bits": bits}]


def test_float_display(capsys, module_file):
    path = module_file(IDENTITY)
    cli.main(["run", str(path), "f32", "0.1"])
    assert capsys.readouterr().out.splitlines()[0] == "f32 0.1 (0x3dcccccd)"
    cli.main(["run", str(path), "f64", "-inf"])
    assert capsys.readouterr().out.splitlines()[0] == "f64 -inf (0xfff0000000000000)"
    cli.main(["run", str(path), "i32", "0xffffffff"])
    assert capsys.readouterr().out.splitlines()[0] == "i32 -1 (0xffffffff)"
    cli.main(["run", str(path), "f32", "bits:0x7fa00001"])
    assert capsys.readouterr().out.splitlines()[0] == "f32 nan:0x200001 (0x7fa00001)"


def test_nan_canonicalization_flag(capsys, module_file):
    path = module_file(IDENTITY)
    _, on = run_json(capsys, path, "f32add", "bits:0x7fa00001", "1")
    _, off = run_json(capsys, path, "f32add", "bits:0x7fa00001", "1", "--no-nan-canonicalization")
    assert on["results"] == [{"type": "f32", "bits": "0x7fc00000"}]
    off_bits = int(off["results"][0]["bits"], 16)
    assert off_bits & 0x7FC00000 == 0x7FC00000  # an arithmetic NaN (quiet bit set)


def test_arbitrary_export_names(capsys, module_file):
    path = module_file(IDENTITY)
    code, obj = run_json(capsys, path, "")
    assert code == 0 and obj["results"] == [{"type": "i32", "bits": "0x0000002a"}]
    code, obj = run_json(capsys, path, "名前 ✓")
    assert code == 0 and obj["results"] == [{"type": "i32", "bits": "0x00000007"}]


# -- errors and rejected modules -------------------------------------------------


@pytest.mark.parametrize("argv, fragment", [
    (["i32"], "1 argument(s), 0 given"),
    (["i32", "1", "2"], "1 argument(s), 2 given"),
    (["nope"], "no function named 'nope'"),
    (["mem"], "is a memory, not a function"),
    (["g"], "is a global, not a function"),
    (["i32", "1", "--fuel", "-3"], "--fuel"),
    (["i32", "1", "--fuel", "ten"], "--fuel"),
    (["i32", "1", "--fuel-model", "gas"], "--fuel-model"),
    (["i32", "1", "--tier", "reading", "--fuel-model", "wasmtime-50"], "reading tier implements the spec fuel model"),
    (["i32", "1", "--tier", "reading", "--fuel-model", "wasmtime-45"], "reading tier implements the spec fuel model"),
])
def test_usage_errors(capsys, module_file, argv, fragment):
    code, obj = run_json(capsys, module_file(IDENTITY), *argv)
    assert code == 2 and obj["status"] == "error" and fragment in obj["error"]


def test_usage_error_human_form_goes_to_stderr(capsys, module_file):
    assert cli.main(["run", str(module_file(IDENTITY)), "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: ")


def test_missing_file(capsys, tmp_path):
    code, obj = run_json(capsys, tmp_path / "absent.wasm", "f")
    assert code == 2 and obj["status"] == "error" and "absent.wasm" in obj["error"]


def test_malformed_module(capsys, tmp_path):
    path = tmp_path / "junk.wasm"
    path.write_bytes(b"\0asm\x02\0\0\0")
    code, obj = run_json(capsys, path, "f")
    assert code == 2 and obj["status"] == "malformed" and obj["error"]


@pytest.mark.parametrize("wat, status", [
    ('(module (func (export "f") (result i32) i64.const 1))', "invalid"),
    ('(module (import "env" "f" (func)) (func (export "g")))', "unlinkable"),
    ('(module (memory 1) (data (i32.const 65536) "x") (func (export "f")))', "uninstantiable"),
    ('(module (func $s unreachable) (start $s) (func (export "f")))', "uninstantiable"),
    ('(module (memory 1025) (func (export "f")))', "uninstantiable"),
    ('(module (func (export "f") (param v128)))', "invalid"),
])
def test_rejected_modules(capsys, module_file, wat, status):
    code, obj = run_json(capsys, module_file(wat), "f")
    assert code == 2 and obj["status"] == status and set(obj) == {"status", "error"}


def test_fuel_counts_the_call_only(capsys, module_file):
    body = "(func (export \"f\") (result i32) i32.const 1)"
    plain = module_file(f"(module {body})")
    busy_start = module_file(
        "(module (global $g (mut i32) (i32.const 0))"
        " (func $s (local i32) (loop (global.set $g (i32.add (global.get $g) (i32.const 1)))"
        "  (br_if 0 (i32.lt_u (global.get $g) (i32.const 100)))))"
        f" (start $s) {body})")
    _, a = run_json(capsys, plain, "f", "--fuel", "50")
    _, b = run_json(capsys, busy_start, "f", "--fuel", "50", "--start-fuel", "10000")
    assert a["status"] == b["status"] == "ok"
    assert a["fuel_consumed"] == b["fuel_consumed"]


def test_fuel_bounds_the_start_function(capsys, module_file):
    """Issue 10 item 5: a looping start function ends when --fuel (or its
    own --start-fuel) runs out: the module is uninstantiable, never a hang."""
    looping = module_file('(module (func $s (loop (br 0))) (start $s) (func (export "f")))')
    code, obj = run_json(capsys, looping, "f", "--fuel", "1000")
    assert code == 2 and obj["status"] == "uninstantiable" and "out_of_fuel" in obj["error"]
    code, obj = run_json(capsys, looping, "f", "--start-fuel", "5")
    assert code == 2 and obj["status"] == "uninstantiable" and "out_of_fuel" in obj["error"]
    busy_start = module_file(
        "(module (global $g (mut i32) (i32.const 0))"
        " (func $s (loop (global.set $g (i32.add (global.get $g) (i32.const 1)))"
        "  (br_if 0 (i32.lt_u (global.get $g) (i32.const 100)))))"
        ' (start $s) (func (export "f")))')
    assert run_json(capsys, busy_start, "f", "--fuel", "10")[1]["status"] == "uninstantiable"
    assert run_json(capsys, busy_start, "f", "--fuel", "10", "--start-fuel", "100000")[1]["status"] == "ok"


@pytest.mark.parametrize("option", ["--fuel", "--start-fuel"])
def test_fuel_options_refuse_huge_numbers_without_converting_them(capsys, module_file, option):
    plain = module_file('(module (func (export "f")))')
    code, obj = run_json(capsys, plain, "f", option, "9" * 5000)
    assert code == 2 and obj["status"] == "error" and "at most" in obj["error"]
    assert run_json(capsys, plain, "f", option, str(2**64 - 1))[1]["status"] == "ok"
    assert run_json(capsys, plain, "f", option, str(2**64))[1]["status"] == "error"


def test_wat_input(capsys, tmp_path, wat2wasm):
    path = tmp_path / "m.wat"
    path.write_text('(module (func (export "f") (result i32) i32.const 5))')
    code, obj = run_json(capsys, path, "f")
    assert code == 0 and obj["results"] == [{"type": "i32", "bits": "0x00000005"}]


def test_wat_syntax_error_is_malformed(capsys, tmp_path, wat2wasm):
    path = tmp_path / "m.wat"
    path.write_text("(module (func i32.cnst 5))")
    code, obj = run_json(capsys, path, "f")
    assert code == 2 and obj["status"] == "malformed" and "i32.cnst" in obj["error"]


def test_wat_without_wasm_tools(capsys, tmp_path, monkeypatch):
    path = tmp_path / "m.wat"
    path.write_text('(module (func (export "f")))')
    monkeypatch.setenv("PYDE_WASM_TOOLS", str(tmp_path / "no-such-binary"))
    code, obj = run_json(capsys, path, "f")
    assert code == 2 and obj["status"] == "error" and "wasm-tools" in obj["error"]


# -- properties of the argument reader ---------------------------------------------


@given(st.integers(min_value=-(1 << 31), max_value=(1 << 32) - 1))
def test_i32_reading_is_modular(value):
    assert run_cmd.parse_int(str(value), "i32") == value % (1 << 32)
    assert run_cmd.parse_int(hex(value), "i32") == value % (1 << 32)


@given(st.integers(min_value=-(1 << 63), max_value=(1 << 64) - 1))
def test_i64_reading_is_modular(value):
    assert run_cmd.parse_int(str(value), "i64") == value % (1 << 64)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_f64_decimal_reading_matches_python(x):
    """Python's float() is correctly rounded; ours must agree on every repr."""
    expected = struct.unpack("<Q", struct.pack("<d", x))[0]
    assert run_cmd.parse_float(repr(x), "f64") == expected
    assert run_cmd.parse_float(f"{x:.25e}", "f64") == struct.unpack("<Q", struct.pack("<d", float(f"{x:.25e}")))[0]


@given(st.integers(min_value=0, max_value=(1 << 32) - 1))
@settings(max_examples=300)
def test_f32_display_reads_back(bits):
    assert run_cmd.parse_float(run_cmd.float_text("f32", bits), "f32") == bits


@given(st.integers(min_value=0, max_value=(1 << 64) - 1))
@settings(max_examples=300)
def test_f64_display_reads_back(bits):
    assert run_cmd.parse_float(run_cmd.float_text("f64", bits), "f64") == bits


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_f32_reading_of_exact_values(x):
    """A float32 written with enough digits reads back to itself (no double rounding)."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    assert run_cmd.parse_float(f"{x:.60g}", "f32") == bits


def test_usage_error_with_json_is_one_json_object(capsys, module_file):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--json", str(module_file(IDENTITY))])
    assert exit_info.value.code == 2
    obj = json.loads(capsys.readouterr().out)
    assert obj["status"] == "error" and "FUNC" in obj["error"]


def test_negative_looking_arguments_need_no_separator(capsys, module_file):
    path = module_file(IDENTITY)
    for arg, bits in (("-inf", "0xff800000"), ("-nan", "0xffc00000"), ("-1e-3", "0xba83126f")):
        code, obj = run_json(capsys, path, "f32", arg)
        assert code == 0 and obj["results"] == [{"type": "f32", "bits": bits}], arg


@pytest.mark.parametrize("name", ["fib", "factorial"])
def test_example_binaries_are_built_from_their_text(wat2wasm, name):
    """examples/*.wasm ship pre-built (the README's first command needs no
    wasm-tools); they must be exactly what their .wat gives."""
    source = (REPO / "examples" / f"{name}.wat").read_text()
    assert (REPO / "examples" / f"{name}.wasm").read_bytes() == wat2wasm(source)


def test_readme_run_examples_work(capsys):
    """Every ``pyde-ref run`` command the README shows runs (returns or traps,
    never a usage error), and says what its comment says."""
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"pyde-ref run ((?:--json )?examples/[^\n#`]*?)\s*(?:#\s*([^\n`]*))?(?:\n|`)", readme)
    assert len(commands) >= 4, commands
    for argv_text, comment in commands:
        argv = shlex.split(argv_text)
        code = cli.main(["run", *argv])
        out = capsys.readouterr().out
        assert code in (0, 1), (argv_text, out)
        comment = (comment or "").strip()
        # "i64 2432902008176640000", "trap: out_of_fuel, exit 1", or a JSON prefix "{...,  ...}"
        expected = comment[1:].split(", ...")[0] if comment.startswith("{") else comment.split(",")[0]
        assert expected in out, (argv_text, expected, out)


@pytest.mark.parametrize("argv", [
    ["fib", "20"], ["fib", "20", "--fuel", "100"], ["fib", "20", "--no-nan-canonicalization"],
])
def test_both_tiers_print_the_same(capsys, argv):
    """``--tier reading`` runs the spec-literal interpreter: same output."""
    outputs = []
    for tier in ("fast", "reading"):
        for json_flag in ([], ["--json"]):
            code = cli.main(["run", str(FIB), *argv, "--tier", tier, *json_flag])
            outputs.append((tier, json_flag, code, capsys.readouterr().out))
    assert [o[2:] for o in outputs[:2]] == [o[2:] for o in outputs[2:]]
