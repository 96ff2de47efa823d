"""The pyde-v1 feature gate: one small module per refused proposal, rejected
with that proposal's name; modules of every enabled proposal accepted.  Each
verdict is also checked against the scope oracle (wasm-tools with the pyde-v1
feature list)."""

from __future__ import annotations

import pytest

from pyde_ref.wasm import features
from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import UnsupportedFeature
from pyde_ref.wasm.valid import validate_module
from wasm_builders import (
    module,
    one_func_module,
    section,
    vec,
    wasm_tools_accepts,
    wat,
)

MEMORY_1 = section(5, vec([b"\x00\x01"]))

REFUSED_WAT = [
    ("simd", "(module (func (result v128) v128.const i64x2 0 0))"),
    ("simd", "(module (func i32.const 0 i8x16.splat drop))"),
    ("relaxed-simd", "(module (func unreachable i8x16.relaxed_swizzle drop))"),
    ("threads", "(module (memory 1 1 shared))"),
    ("threads", "(module (memory 1) (func (result i32) i32.const 0 i32.atomic.load))"),
    ("reference-types", "(module (func (param externref)))"),
    ("reference-types", "(module (func (local funcref)))"),
    ("reference-types", "(module (table 1 externref))"),
    ("reference-types", "(module (table 1 funcref) (table 1 funcref))"),
    ("reference-types", "(module (table 1 funcref) (func (result i32) table.size))"),
    ("reference-types", "(module (table 1 funcref) (func (param i32) local.get 0 table.get drop))"),
    ("reference-types", "(module (func ref.null func drop))"),
    ("reference-types", "(module (func ref.null func ref.is_null drop))"),
    ("reference-types", "(module (func $f ref.func $f drop) (elem declare func $f))"),
    ("reference-types",
     "(module (func (result i32) i32.const 1 i32.const 2 i32.const 0 select (result i32)))"),
    ("reference-types", "(module (global funcref (ref.null func)))"),
    ("reference-types", "(module (table 1 funcref) (elem funcref (ref.null func)))"),
    ("reference-types", "(module (table 1 funcref) (func $f) (elem (i32.const 0) funcref (ref.func $f)))"),
    ("tail-call", "(module (func return_call 0))"),
    ("tail-call", "(module (type $t (func)) (table 1 funcref) (func i32.const 0 return_call_indirect (type $t)))"),
    ("extended-const", "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"),
    ("extended-const", "(module (global i64 (i64.mul (i64.const 1) (i64.const 2))))"),
    ("exceptions", "(module (tag $e))"),
    ("exceptions", "(module (func try_table end))"),
    ("exceptions", "(module (func try catch_all end))"),
    ("exceptions", "(module (import \"m\" \"t\" (tag)))"),
    ("wide-arithmetic",
     "(module (func (param i64 i64 i64 i64) (result i64 i64) local.get 0 local.get 1 "
     "local.get 2 local.get 3 i64.add128))"),
    ("wide-arithmetic",
     "(module (func (param i64 i64) (result i64 i64) local.get 0 local.get 1 i64.mul_wide_s))"),
    ("memory64", "(module (memory i64 1))"),
    ("memory64", "(module (table i64 1 funcref))"),
    ("multi-memory", "(module (memory 1) (memory 1))"),
    ("multi-memory", "(module (import \"m\" \"m\" (memory 1)) (memory 1))"),
    ("custom-page-sizes", "(module (memory 1 (pagesize 1)))"),
    ("gc", "(module (type (struct)))"),
    ("gc", "(module (rec (type (func))))"),
    ("gc", "(module (func (param anyref)))"),
    ("gc", "(module (func (result i32) i32.const 1 ref.i31 drop i32.const 0))"),
    ("function-references", "(module (func (param (ref func))))"),
    ("function-references", "(module (type $t (func)) (func (param (ref null $t)) local.get 0 call_ref $t))"),
    ("function-references", "(module (func unreachable ref.as_non_null drop))"),
    ("function-references", "(module (func unreachable br_on_null 0 drop))"),
    ("stack-switching", "(module (type $f (func)) (type $c (cont $f)))"),
]


def gate_verdict(data: bytes) -> UnsupportedFeature:
    with pytest.raises(UnsupportedFeature) as info:
        validate_module(decode_module(data))
    return info.value


@pytest.mark.parametrize("feature,text", REFUSED_WAT, ids=[f"{f}-{i}" for i, (f, _) in enumerate(REFUSED_WAT)])
def test_refused_proposal_is_named(feature, text):
    data = wat(text)
    err = gate_verdict(data)
    assert err.feature == feature, str(err)
    assert feature in str(err)
    assert not wasm_tools_accepts(data)


# Encodings the text format cannot write against a one-memory module.
REFUSED_BYTES = [
    ("multi-memory", "memarg with a memory index",
     one_func_module(b"\x41\x00\x28\x42\x01\x00\x1a", extra=(MEMORY_1,))),
    ("multi-memory", "memory.size 1",
     one_func_module(b"\x3f\x01\x1a", extra=(MEMORY_1,))),
    ("multi-memory", "memory.fill 1",
     one_func_module(b"\x41\x00\x41\x00\x41\x00\xfc\x0b\x01", extra=(MEMORY_1,))),
    ("multi-memory", "data segment for memory 1",
     module(MEMORY_1, section(11, vec([b"\x02\x01\x41\x00\x0b\x00"])))),
    ("exceptions", "tag export",
     module(section(7, vec([b"\x01t\x04\x00"])))),
    ("threads", "0xFE prefix",
     one_func_module(b"\xfe\x03\x00", extra=(MEMORY_1,))),
    ("gc", "0xFB prefix", one_func_module(b"\xfb\x1c\x1a")),
    ("reference-types", "table.fill",
     one_func_module(b"\xfc\x11\x00", extra=(section(4, vec([b"\x70\x00\x01"])),))),
    ("function-references", "table with an initializer",
     module(section(4, vec([b"\x40\x00\x70\x00\x01\xd0\x70\x0b"])))),
    ("stack-switching", "cont.new", one_func_module(b"\xe0\x00\x1a")),
]


@pytest.mark.parametrize("feature,what,data", REFUSED_BYTES, ids=[w for _, w, _ in REFUSED_BYTES])
def test_refused_encodings(feature, what, data):
    assert gate_verdict(data).feature == feature
    assert not wasm_tools_accepts(data)


ACCEPTED_WAT = {
    "mvp": """(module (memory 1) (table 2 funcref) (global $g i32 (i32.const 3))
              (func $f (param i32) (result i32)
                local.get 0 i32.const 1 i32.add global.get $g i32.mul)
              (func (result i32) i32.const 5 i32.const 0 call_indirect (param i32) (result i32))
              (elem (i32.const 0) $f))""",
    "mutable-global": """(module (import "env" "g" (global (mut i32)))
                         (global $h (mut i64) (i64.const 0))
                         (export "g" (global 0)) (export "h" (global $h)))""",
    "sign-extension": """(module (func (param i64) (result i64)
                          local.get 0 i64.extend32_s i64.extend8_s))""",
    "saturating-float-to-int": """(module (func (param f64) (result i64)
                                   local.get 0 i64.trunc_sat_f64_u))""",
    "multi-value": """(module (func $swap (param i32 i64) (result i64 i32)
                        local.get 1 local.get 0)
                       (func (result i64 i32) i32.const 1 i64.const 2 call $swap drop drop
                        i32.const 1 i64.const 2
                        block (param i32 i64) (result i64 i32) call $swap end))""",
    "bulk-memory": """(module (memory 1) (table 2 funcref) (func $f)
                       (data $d "abc") (elem $e func $f)
                       (func i32.const 0 i32.const 0 i32.const 3 memory.init $d
                             data.drop $d
                             i32.const 0 i32.const 1 i32.const 1 memory.copy
                             i32.const 0 i32.const 0 i32.const 1 memory.fill
                             i32.const 0 i32.const 0 i32.const 1 table.init $e
                             elem.drop $e
                             i32.const 0 i32.const 1 i32.const 1 table.copy)
                       (elem declare func $f))""",
}


@pytest.mark.parametrize("proposal", features.ENABLED_PROPOSALS)
def test_enabled_proposals_accepted(proposal):
    data = wat(ACCEPTED_WAT[proposal])
    assert wasm_tools_accepts(data)
    validate_module(decode_module(data))


def test_every_refused_proposal_has_a_test():
    tested = {f for f, _ in REFUSED_WAT} | {f for f, _, _ in REFUSED_BYTES}
    assert tested == set(features.PROPOSALS)


def test_gate_tables_only_name_known_proposals():
    named = set()
    for table in (features.OPCODE_FEATURES, features.FC_FEATURES, features.VALTYPE_FEATURES,
                  features.TYPE_FORM_FEATURES, features.SECTION_FEATURES,
                  features.EXTERN_KIND_FEATURES):
        named |= {feature for feature, _ in table.values()}
    named |= set(features.PREFIX_FEATURES.values())
    named |= {feature for _, feature, _ in features.LIMITS_FLAG_FEATURES}
    assert named <= set(features.PROPOSALS)
    assert not set(features.ENABLED_PROPOSALS) & set(features.PROPOSALS)


def test_wasm_tools_feature_string():
    assert features.WASM_TOOLS_FEATURES == (
        "mvp,mutable-global,sign-extension,saturating-float-to-int,multi-value,bulk-memory"
    )


# ---------------------------------------------------------------------------
# wasmtime 50 with the seed's configuration accepts four refused proposals
# (spec/findings/wasmtime-50-feature-set.md).  Run in a subprocess: a wrong
# engine configuration aborts the process instead of raising.
# ---------------------------------------------------------------------------

SEED_ENGINE_PROBE = r"""
import ctypes, json, sys, wasmtime
c = wasmtime.Config()
c.consume_fuel = True
c.epoch_interruption = True
c.cranelift_nan_canonicalization = True
c.wasm_threads = False
c.wasm_simd = False
c.wasm_relaxed_simd = False
set_async = wasmtime._ffi.dll.wasmtime_config_wasm_component_model_async_set
set_async.argtypes = [ctypes.c_void_p, ctypes.c_bool]
set_async.restype = None
set_async(c.ptr(), False)
c.wasm_reference_types = False
c.wasm_bulk_memory = True
c.wasm_multi_memory = False
c.wasm_memory64 = False
c.wasm_function_references = False
c.wasm_gc = False
c.wasm_component_model = False
engine = wasmtime.Engine(c)
verdicts = []
for hexed in json.load(sys.stdin):
    try:
        wasmtime.Module(engine, bytes.fromhex(hexed))
        verdicts.append(True)
    except Exception:
        verdicts.append(False)
print(json.dumps(verdicts))
"""

SEED_ENGINE_ACCEPTS = {
    "tail-call": "(module (func $f return_call $f))",
    "extended-const": "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
    "exceptions": "(module (tag $e) (func throw $e))",
    "wide-arithmetic": next(t for f, t in REFUSED_WAT if f == "wide-arithmetic"),
}
SEED_ENGINE_REJECTS = {
    "reference-types (element expressions)":
        "(module (table 1 funcref) (func $f) (elem (i32.const 0) funcref (ref.func $f)))",
    "multi-memory": "(module (memory 1) (memory 1))",
    "gc": "(module (type (struct)))",
}


def test_seed_engine_accepts_tail_call_extended_const_exceptions_wide_arithmetic():
    pytest.importorskip("wasmtime")
    import json
    import subprocess
    import sys

    texts = [*SEED_ENGINE_ACCEPTS.values(), *SEED_ENGINE_REJECTS.values()]
    modules = [wat(t) for t in texts]
    result = subprocess.run(
        [sys.executable, "-c", SEED_ENGINE_PROBE],
        input=json.dumps([m.hex() for m in modules]),
        capture_output=True, text=True, check=True, timeout=120,
    )
    verdicts = json.loads(result.stdout)
    assert verdicts == [True] * len(SEED_ENGINE_ACCEPTS) + [False] * len(SEED_ENGINE_REJECTS)
    # ... and pyde-v1 refuses all of them, naming the proposal.
    for feature, data in zip(list(SEED_ENGINE_ACCEPTS), modules):
        assert gate_verdict(data).feature == feature
