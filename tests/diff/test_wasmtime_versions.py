"""What differs between the wasmtime versions beyond fuel (issue 14, item 1):
the engine switches each version's API has, what the seed's configuration
alone lets through, the pyde-v1 feature set of the twin, native stack depth.
The fuel differences are pinned in ``test_wasmtime_fuel.py``; every row of
``spec/findings/wasmtime-45-vs-50.md`` names its test.
"""

from __future__ import annotations

from paths import TESTS
import subprocess

import pytest

pytest.importorskip("wasmtime")

import wasmtime  # noqa: E402

from pyde_ref.wasm.text import find_wasm_tools  # noqa: E402

PROBES = sorted((TESTS / "wasm" / "feature_probes").glob("*.wat"))

#: Engine switches of ENGINE_FLAGS that a version's C API does not have.
ABSENT_FLAGS = {"50": [], "45": ["wasm_branch_hinting", "wasm_compact_imports"]}

#: Proposals outside pyde-v1 that the seed's engine flags alone leave on.
SEED_LEAVES_ON = {
    "50": {"tail_call", "extended_const", "exceptions", "wide_arithmetic"},
    "45": {"tail_call", "extended_const"},
}

#: Frames of a one-call self-recursion before wasmtime's native stack
#: (max_wasm_stack, 512 KiB) overflows, on x86-64; the reference counts
#: 10,000 (spec/findings/call-depth.md).
NATIVE_DEPTH = {"50": 10_919, "45": 10_920}


def _wasm(path) -> bytes:
    done = subprocess.run([find_wasm_tools("parse feature probes"), "parse", str(path)], capture_output=True,
                          check=True, timeout=60)
    return done.stdout


def _expectation(path) -> str:
    return path.read_text().splitlines()[0].split(":", 1)[1].strip()


def test_absent_engine_switches(twin):
    assert twin.describe()["absent_engine_flags"] == ABSENT_FLAGS[twin.version]


@pytest.mark.parametrize("path", PROBES, ids=lambda p: p.stem)
def test_the_twin_accepts_exactly_pyde_v1(path, twin):
    verdict = "accept" if twin.compile_error(_wasm(path)) is None else "reject"
    assert verdict == _expectation(path)


def test_what_the_seeds_flags_alone_let_through(twin):
    through = {p.stem for p in PROBES
               if _expectation(p) == "reject" and twin.compile_error(_wasm(p), seed_only=True) is None}
    assert through == SEED_LEAVES_ON[twin.version]


def test_native_call_depth(twin):
    wat = ('(module (global $d (export "d") (mut i32) (i32.const 0)) '
           '(func $f global.get $d i32.const 1 i32.add global.set $d call $f) (func (export "f") call $f))')
    out = twin.call(wasmtime.wat2wasm(wat), "f", [], 10**9)
    assert (out.status, out.trap) == ("trap", "call_stack_exhausted")
    assert out.globals == (("d", "i32", NATIVE_DEPTH[twin.version]),)
