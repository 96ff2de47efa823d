"""The spec-test runner: values, trap texts, scope, outcomes, the report, and
the pinned counts of the official snapshot (SOURCE.md)."""

from __future__ import annotations

import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyde_ref import cli
from pyde_ref.commands.run import parse_float
from pyde_ref.spectest import convert, host
from pyde_ref.spectest.script import FAILED, PASSED, ModuleRejected, check_module, count_scope, run_script
from pyde_ref.spectest.suite import run_suite, summarize
from pyde_ref.spectest.values import (
    TRAP_TEXT_TO_KIND,
    check_result,
    parse_arg,
    parse_number,
    trap_kind_of_text,
)
from pyde_ref.wasm.errors import TrapKind

PYDE_V1_FEATURES = "mvp,mutable-global,sign-extension,saturating-float-to-int,multi-value,bulk-memory"


# -- values -----------------------------------------------------------------------


@given(st.integers(min_value=-(1 << 63), max_value=(1 << 64) - 1))
def test_script_integers_are_bit_patterns(value):
    assert parse_number("i64", str(value)) == value % (1 << 64)
    expected = {"type": "i64", "value": str(value)}
    assert check_result(expected, value % (1 << 64), "i64")
    assert not check_result(expected, (value + 1) % (1 << 64), "i64")


def test_numbers_signed_or_unsigned():
    assert parse_number("i32", "-1") == parse_number("i32", "4294967295") == 0xFFFFFFFF
    assert parse_number("i64", "-9223372036854775808") == 1 << 63
    assert parse_number("f32", "2143289344") == 0x7FC00000
    with pytest.raises(ValueError):
        parse_number("i32", "4294967296")


def test_nan_patterns_compare_by_class():
    canonical = {"type": "f32", "value": "nan:canonical"}
    arithmetic = {"type": "f32", "value": "nan:arithmetic"}
    assert check_result(canonical, 0x7FC00000, "f32") and check_result(canonical, 0xFFC00000, "f32")
    assert not check_result(canonical, 0x7FC00001, "f32")
    assert check_result(arithmetic, 0x7FC00001, "f32")
    assert not check_result(arithmetic, 0x7F800001, "f32")  # signalling: quiet bit clear
    assert not check_result(arithmetic, 0x7F800000, "f32")  # infinity is no NaN
    assert check_result({"type": "f64", "value": "nan:canonical"}, 0x7FF8000000000000, "f64")


def test_results_compare_by_bits_and_type():
    zero = {"type": "f32", "value": "0"}
    assert check_result(zero, 0, "f32")
    assert not check_result(zero, 0x80000000, "f32")  # -0 is not +0
    assert not check_result({"type": "i32", "value": "0"}, 0, "f32")
    either = {"type": "either", "values": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "2"}]}
    assert check_result(either, 2, "i32") and not check_result(either, 3, "i32")
    assert check_result({"type": "funcref", "value": "null"}, None, "funcref")
    assert parse_arg({"type": "externref", "value": "null"}) is None


def test_trap_texts_map_by_prefix():
    assert trap_kind_of_text("uninitialized element 2") == TrapKind.UNINITIALIZED_ELEMENT
    assert trap_kind_of_text("out of bounds memory access") == TrapKind.MEMORY_OUT_OF_BOUNDS
    assert trap_kind_of_text("call stack exhausted") == TrapKind.CALL_STACK_EXHAUSTED
    assert trap_kind_of_text("cast failure") is None
    assert trap_kind_of_text("out of bounds table access") == TrapKind.TABLE_OUT_OF_BOUNDS
    kinds = {v for k, v in vars(TrapKind).items() if k.isupper()}
    assert set(TRAP_TEXT_TO_KIND.values()) <= kinds


def test_spectest_float_globals_are_666_6_rounded_once():
    for name, type_ in (("global_f32", "f32"), ("global_f64", "f64")):
        assert host.SPECTEST_GLOBALS[name][1] == parse_float("666.6", type_)
    # Independent of our reader: the f64 is Python's correctly rounded 666.6,
    # and the f32 is the binary32 nearest to the exact decimal.
    assert host.SPECTEST_GLOBALS["global_f64"][1] == 0x4084D4CCCCCCCCCD
    candidates = [0x4426A666, 0x4426A667, 0x4426A665]

    def value(bits):
        mantissa = (bits & 0x7FFFFF) | 0x800000
        return Fraction(mantissa) * Fraction(2) ** (((bits >> 23) & 0xFF) - 150)

    nearest = min(candidates, key=lambda b: abs(value(b) - Fraction("666.6")))
    assert host.SPECTEST_GLOBALS["global_f32"][1] == nearest


# -- a synthetic script through the whole runner ---------------------------------

SCRIPT = r"""
(module $M
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "memory" (memory 1 2))
  (func (export "add") (param i32 i32) (result i32) (call $print (local.get 0)) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "g") (result i32) (global.get $g))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const -1))
  (func $loop (export "loop") (call $loop))
  (global (export "glob") i64 (i64.const -5)))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const -1) (i32.const 0)) (i32.const 0xffffffff))
(assert_return (invoke "g") (i32.const 666))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_return (invoke "two") (i32.const 1) (i64.const -1))
(assert_return (get "glob") (i64.const -5))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(invoke "add" (i32.const 0) (i32.const 0))
(register "m" $M)
(module (import "m" "add" (func (param i32 i32) (result i32))) (func (export "x") (result i32) (i32.const 9)))
(assert_return (invoke "x") (i32.const 9))
(assert_return (invoke $M "add" (i32.const 2) (i32.const 2)) (i32.const 4))
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module quote "(func") "unexpected end")
(assert_unlinkable (module (import "spectest" "nothing" (func))) "unknown import")
(assert_unlinkable (module (import "m" "add" (func (param i64)))) "incompatible import type")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_trap (module (memory 1) (data (i32.const 70000) "x")) "out of bounds memory access")
(module (func (export "v") (result v128) (v128.const i32x4 0 0 0 0)))
(assert_return (invoke "v") (v128.const i32x4 0 0 0 0))
(assert_trap (invoke "v") "unreachable")
(module (func (export "ok") (result i32) (i32.const 1)))
(assert_return (invoke "ok") (i32.const 2))
(assert_trap (invoke "ok") "unreachable")
(module $Shared (table (export "tab") 10 funcref)
  (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))
(register "shared" $Shared)
(assert_trap (invoke $Shared "call" (i32.const 7)) "uninitialized element")
(assert_trap (module (table (import "shared" "tab") 10 funcref) (func $f (result i32) (i32.const 0))
  (elem (i32.const 7) $f) (memory 0) (memory $m 1) (data $m (i32.const 0x10000) "d")) "out of bounds memory access")
(assert_return (invoke $Shared "call" (i32.const 7)) (i32.const 0))
(module $Out (memory 0) (memory 0) (func (export "f")))
(register "out")
(module $Needs (import "out" "f" (func)) (func (export "g") (result i32) (i32.const 1)))
(assert_return (invoke "g") (i32.const 1))
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, wat2wasm):
    directory = tmp_path_factory.mktemp("suite")
    (directory / "synthetic.wast").write_text(SCRIPT)
    cache = tmp_path_factory.mktemp("cache")
    script, wasm_dir = convert.convert_script(directory / "synthetic.wast", cache)
    return directory, cache, script, wasm_dir


def test_synthetic_script_outcomes(synthetic):
    _directory, _cache, script, wasm_dir = synthetic
    result = run_script("synthetic.wast", script, wasm_dir)
    failures = [f"{f.line}: {f.message}" for f in result.failures]
    # Exactly the two wrong expectations on the "ok" module fail, with expected vs got.
    assert len(failures) == 2, failures
    assert "expected [i32:0x00000002], got [i32:0x00000001]" in failures[0]
    assert "expected trap unreachable" in failures[1] and "got [i32:0x00000001]" in failures[1]
    assert result.outcomes[PASSED] == 22
    assert result.outcomes["rejected_as_expected"] == 5  # invalid, malformed, 3 modules outside pyde-v1
    assert result.outcomes["skipped"] == 1  # the text-format assert_malformed
    assert result.outcomes["out_of_scope"] == 3  # two commands on the v128 module, register "out"
    # $Needs imports from the out-of-scope $Out; $Shared's table was shared with
    # an out-of-scope module that would have written element 7.
    assert result.outcomes["dependency_out_of_scope"] == 3
    assert [d.line for d in result.dependencies] == [45, 48, 49]
    assert "'out' was registered from the module at synthetic.wast:46" in result.dependencies[1].message
    assert "shared with the module at synthetic.wast:43" in result.dependencies[0].message
    assert result.in_scope["module"] == 5 and result.out_of_scope["module"] == 2
    assert result.in_scope["assert_return"] == 11 and result.out_of_scope["assert_return"] == 1
    assert result.in_scope["assert_trap"] == 3 and result.in_scope["assert_exhaustion"] == 1
    assert sum(result.outcomes.values()) == sum(result.commands.values()) == len(script["commands"])


def test_scope_count_without_running_matches_the_runner(synthetic):
    _directory, _cache, script, wasm_dir = synthetic
    result = run_script("synthetic.wast", script, wasm_dir)
    in_scope, out_of_scope = count_scope(script, wasm_dir)
    for kind in ("module", "assert_return", "assert_trap", "action", "assert_exhaustion"):
        assert in_scope[kind] == result.in_scope[kind]
        assert out_of_scope[kind] == result.out_of_scope[kind]


def test_unknown_command_type_counts_as_failed(tmp_path):
    script = {"commands": [{"type": "assert_suspension", "line": 7}, "garbage"]}
    result = run_script("weird.wast", script, tmp_path)
    assert result.outcomes[FAILED] == 2
    assert "unknown command type 'assert_suspension'" in result.failures[0].message
    assert result.failures[0].line == 7


def test_conversion_is_cached(synthetic, monkeypatch):
    directory, cache, script, _wasm_dir = synthetic

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again despite the cache")

    monkeypatch.setattr(convert, "_convert_into", no_conversion)
    again, _ = convert.convert_script(directory / "synthetic.wast", cache)
    assert again == script


def test_conversion_key_follows_content(tmp_path):
    assert convert.cache_key(b"(module)", "v1") != convert.cache_key(b"(module) ", "v1")
    assert convert.cache_key(b"(module)", "v1") != convert.cache_key(b"(module)", "v2")


def test_conversion_failure_is_a_failed_command(tmp_path, wat2wasm):
    (tmp_path / "broken.wast").write_text("(module (func i32.cnst))")
    results = run_suite([tmp_path / "broken.wast"], workers=1, cache_dir=tmp_path / "cache")
    assert results[0].outcomes[FAILED] == 1 and results[0].failures[0].command == "convert"


def test_cli_json_report(synthetic, capsys):
    directory, cache, _script, _wasm_dir = synthetic
    code = cli.main(["spectest", str(directory), "--json", "--cache-dir", str(cache), "--no-progress"])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    summary = json.loads(out[0])
    assert code == 1  # the two deliberate failures
    assert summary["totals"]["failed"] == 2 and summary["totals"]["passed"] == 22
    assert set(summary["in_scope"]) >= {"module", "assert_return", "assert_trap", "action", "assert_exhaustion"}
    assert [f["file"] for f in summary["files"]] == ["synthetic.wast"]
    assert summary["files"][0]["failures"][0]["line"] > 0


def test_cli_table_report(synthetic, capsys):
    directory, cache, _script, _wasm_dir = synthetic
    code = cli.main(["spectest", str(directory), "--only", "synthetic", "--cache-dir", str(cache)])
    captured = capsys.readouterr()
    assert code == 1
    assert re.search(r"^synthetic\.wast\s+22\s+2\s+5\s+1\s+3\s+3$", captured.out, re.M)
    assert "synthetic.wast:" in captured.out and "expected [i32:0x00000002]" in captured.out
    assert captured.out.rstrip().endswith(
        "22 passed, 2 failed, 5 rejected as expected, 1 skipped, 3 out of scope, 3 dependency out of scope")
    assert "[1/1] synthetic.wast" in captured.err


def test_cli_without_directory(capsys, monkeypatch):
    monkeypatch.delenv("PYDE_WASM_TESTSUITE", raising=False)
    assert cli.main(["spectest", "--json"]) == 2
    obj = json.loads(capsys.readouterr().out)
    assert obj["status"] == "error" and "PYDE_WASM_TESTSUITE" in obj["error"]


def test_cli_unknown_only_file(synthetic, capsys):
    directory, cache, _script, _wasm_dir = synthetic
    assert cli.main(["spectest", str(directory), "--only", "nope.wast", "--cache-dir", str(cache)]) == 2
    assert "nope.wast" in capsys.readouterr().err


# -- the official snapshot ----------------------------------------------------------

SOURCE_MD_IN_SCOPE = {"module": 1145, "assert_return": 24503, "assert_trap": 1426, "action": 104,
                      "assert_exhaustion": 15}


def _read_source_md_counts(testsuite_dir: Path) -> dict:
    """The in-scope column of SOURCE.md's table (so a new snapshot re-pins itself)."""
    counts = {}
    for line in (testsuite_dir / "SOURCE.md").read_text().splitlines():
        m = re.match(r"\|\s*(module \(binary\)|assert_\w+|action)\s*\|\s*([\d,]+)\s*\|", line)
        if m:
            counts[m.group(1).split()[0]] = int(m.group(2).replace(",", ""))
    return counts


def _converted_snapshot(testsuite_dir: Path):
    scripts = sorted(testsuite_dir.glob("*.wast"))
    with ThreadPoolExecutor(max_workers=4) as pool:  # wasm-tools runs outside the GIL
        return list(pool.map(lambda p: (p, *convert.convert_script(p)), scripts))


def test_in_scope_counts_match_source_md(testsuite_dir, wasm_tools):
    """Our decoder+validator+gate decide scope; the counts must be SOURCE.md's."""
    assert _read_source_md_counts(testsuite_dir) == SOURCE_MD_IN_SCOPE
    total = {k: 0 for k in SOURCE_MD_IN_SCOPE}
    for _path, script, wasm_dir in _converted_snapshot(testsuite_dir):
        in_scope, _ = count_scope(script, wasm_dir)
        for k in total:
            total[k] += in_scope[k]
    assert total == SOURCE_MD_IN_SCOPE


@pytest.mark.slow
def test_scope_agrees_with_wasm_tools_on_every_module(testsuite_dir, wasm_tools):
    """Module by module: our gate accepts exactly what ``wasm-tools validate
    --features <pyde-v1>`` accepts (binary ``module`` commands)."""
    jobs = []
    for path, script, wasm_dir in _converted_snapshot(testsuite_dir):
        for command in script["commands"]:
            if command["type"] == "module" and command.get("module_type") == "binary":
                jobs.append((path.name, command["line"], wasm_dir / command["filename"]))

    def wasm_tools_accepts(job):
        return subprocess.run([wasm_tools, "validate", "--features", PYDE_V1_FEATURES, str(job[2])],
                              capture_output=True, timeout=60).returncode == 0

    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = list(pool.map(wasm_tools_accepts, jobs))
    disagreements = []
    for job, accepted in zip(jobs, theirs):
        try:
            check_module(job[2].read_bytes())
            ours = True
        except ModuleRejected:
            ours = False
        if ours != accepted:
            disagreements.append(f"{job[0]}:{job[1]} wasm-tools {'accepts' if accepted else 'rejects'}")
    assert not disagreements, disagreements[:50]


REPRESENTATIVE_SCRIPTS = ("i32", "f32", "conversions", "call_indirect", "memory_copy", "table_copy",
                          "linking", "names")


@pytest.mark.parametrize("tier", ["fast", "reading"])
def test_representative_snapshot_files_pass(testsuite_dir, wat2wasm, tier):
    """A fast slice of the official suite: integer and float numerics, NaN
    patterns, traps, tables, bulk memory, linking and UTF-8 export names, on
    both execution tiers."""
    scripts = [testsuite_dir / f"{name}.wast" for name in REPRESENTATIVE_SCRIPTS]
    summary = summarize(run_suite(scripts, workers=2, tier=tier))
    failures = [f"{f['file']}:{f['line']}: {f['command']}: {f['message']}"
                for entry in summary["files"] for f in entry["failures"]]
    assert not failures, failures[:20]
    assert summary["in_scope"]["assert_return"] > 3000 and summary["in_scope"]["assert_trap"] > 500
    assert summary["totals"]["passed"] >= summary["in_scope"]["assert_return"]
    # The count-only scope pass agrees with the runner on real scripts too.
    counted = {k: 0 for k in SOURCE_MD_IN_SCOPE}
    for path in scripts:
        in_scope, _ = count_scope(*convert.convert_script(path))
        for k in counted:
            counted[k] += in_scope[k]
    assert counted == {k: summary["in_scope"][k] for k in SOURCE_MD_IN_SCOPE}


@pytest.mark.slow
def test_whole_suite_passes_on_both_tiers_with_identical_reports(testsuite_dir, wat2wasm):
    scripts = sorted(testsuite_dir.glob("*.wast"))
    fast, reading = (summarize(run_suite(scripts, workers=2, tier=tier)) for tier in ("fast", "reading"))
    assert fast["totals"]["failed"] == 0
    assert {k: fast["in_scope"][k] for k in SOURCE_MD_IN_SCOPE} == SOURCE_MD_IN_SCOPE
    assert fast == reading
