"""The wasmtime twin: engine configuration, bare calls, host adapters (issue 5, part 1)."""

from __future__ import annotations

import pytest

pytest.importorskip("wasmtime")

import wasmtime  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from pyde_ref.diff import outcome as oc  # noqa: E402
from pyde_ref.diff import wasmtime_backend as wb  # noqa: E402


def run(wat: str, func: str = "f", args=(), fuel: int = 10_000, **kw) -> oc.CallOutcome:
    """On the wasmtime installed here (the engine and adapter tests)."""
    return wb.run_bare(wasmtime.wat2wasm(wat), func, list(args), fuel, **kw)


def run_on(twin, wat: str, func: str = "f", args=(), fuel: int = 10_000) -> oc.CallOutcome:
    """On ``twin`` (every wasmtime version: values, NaNs, the cap, traps)."""
    return twin.call(wasmtime.wat2wasm(wat), func, list(args), fuel)


# --------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------


def test_every_engine_flag_is_documented_and_applied_once():
    flags = [flag for _how, flag, _value, _why in wb.ENGINE_FLAGS]
    assert len(flags) == len(set(flags))
    assert all(why for *_rest, why in wb.ENGINE_FLAGS)
    for required in ("consume_fuel", "cranelift_nan_canonicalization", "wasm_reference_types",
                     "wasm_component_model_async", "wasm_tail_call", "wasm_exceptions", "wasm_wide_arithmetic"):
        assert required in flags
    # component-model-async must be off before reference types go off, or
    # building the engine aborts the process.
    assert flags.index("wasm_component_model_async") < flags.index("wasm_reference_types")


def test_engine_builds_once():
    assert wb.build_engine() is wb.build_engine()


def test_fuel_is_on():
    out = run('(module (func (export "f")))', fuel=1)
    assert (out.status, out.trap) == ("trap", "out_of_fuel")


def test_epoch_deadline_is_never_reached():
    wat = ('(module (func (export "f") (local i32) i32.const 100000 local.set 0 '
           'loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end))')
    assert run(wat, fuel=10**7).status == "ok"


# --------------------------------------------------------------------------
# Values are bit patterns, both ways
# --------------------------------------------------------------------------

F32_SNAN = 0x7FA0_0001
F64_SNAN = 0x7FF4_0000_0000_0001


@pytest.mark.parametrize("t,bits", [("f32", F32_SNAN), ("f32", 0xFFA0_0001), ("f32", 0x8000_0000),
                                    ("f64", F64_SNAN), ("f64", 0x8000_0000_0000_0000)])
def test_float_bits_pass_through_unchanged(t, bits, twin):
    out = run_on(twin, f'(module (func (export "f") (param {t}) (result {t}) local.get 0))', args=[bits])
    assert out.results == (bits,)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**64 - 1))
def test_integer_bits_round_trip(twin, a, b):
    wat = '(module (func (export "f") (param i32 i64) (result i64 i32) local.get 1 local.get 0))'
    assert run_on(twin, wat, args=[a, b]).results == (b, a)


def test_mutable_globals_are_reported_as_bits(twin):
    wat = ('(module (global (export "g") (mut f32) (f32.const 0)) (global (export "c") f32 (f32.const 1)) '
           '(func (export "f") (param f32) local.get 0 global.set 0))')
    assert run_on(twin, wat, args=[F32_SNAN]).globals == (("g", "f32", F32_SNAN),)


# --------------------------------------------------------------------------
# NaN canonicalization (seed §3.2)
# --------------------------------------------------------------------------

CANONICAL = {"f32": 0x7FC0_0000, "f64": 0x7FF8_0000_0000_0000}
SNAN = {"f32": F32_SNAN | 1 << 31, "f64": F64_SNAN | 1 << 63}


@pytest.mark.parametrize("t", ["f32", "f64"])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "min", "max"])
def test_binary_nan_results_are_canonical(t, op, twin):
    wat = f'(module (func (export "f") (param {t} {t}) (result {t}) local.get 0 local.get 1 {t}.{op}))'
    assert run_on(twin, wat, args=[SNAN[t], 0]).results == (CANONICAL[t],)


@pytest.mark.parametrize("t", ["f32", "f64"])
@pytest.mark.parametrize("op", ["sqrt", "ceil", "floor", "trunc", "nearest"])
def test_unary_nan_results_are_canonical(t, op, twin):
    wat = f'(module (func (export "f") (param {t}) (result {t}) local.get 0 {t}.{op}))'
    assert run_on(twin, wat, args=[SNAN[t]]).results == (CANONICAL[t],)


@pytest.mark.parametrize("t", ["f32", "f64"])
@pytest.mark.parametrize("op,flip", [("neg", True), ("abs", False)])
def test_sign_operators_keep_the_payload(t, op, flip, twin):
    width = 32 if t == "f32" else 64
    wat = f'(module (func (export "f") (param {t}) (result {t}) local.get 0 {t}.{op}))'
    bits = SNAN[t]
    expected = bits ^ (1 << (width - 1)) if flip else bits & ~(1 << (width - 1))
    assert run_on(twin, wat, args=[bits]).results == (expected,)


def test_promote_and_demote_canonicalize(twin):
    assert run_on(twin, '(module (func (export "f") (param f32) (result f64) local.get 0 f64.promote_f32))',
               args=[SNAN["f32"]]).results == (CANONICAL["f64"],)
    assert run_on(twin, '(module (func (export "f") (param f64) (result f32) local.get 0 f32.demote_f64))',
               args=[SNAN["f64"]]).results == (CANONICAL["f32"],)


# --------------------------------------------------------------------------
# The 64 MB memory cap
# --------------------------------------------------------------------------


def test_initial_memory_over_the_cap_is_uninstantiable(twin):
    assert run_on(twin, '(module (memory 1025))').status == "uninstantiable"
    assert run_on(twin, '(module (memory 1024) (func (export "f")))').status == "ok"


@pytest.mark.parametrize("pages,delta,result", [(1024, 1, 0xFFFF_FFFF), (1000, 24, 1000), (1000, 25, 0xFFFF_FFFF)])
def test_memory_grow_stops_at_the_cap(pages, delta, result, twin):
    wat = f'(module (memory {pages}) (func (export "f") (result i32) i32.const {delta} memory.grow))'
    assert run_on(twin, wat).results == (result,)


# --------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------

TRAPS = [
    ("unreachable", "unreachable"),
    ("i32.const 1 i32.const 0 i32.div_u drop", "integer_divide_by_zero"),
    ("i32.const 0x80000000 i32.const -1 i32.div_s drop", "integer_overflow"),
    ("f64.const nan i64.trunc_f64_u drop", "invalid_conversion_to_integer"),
    ("i32.const 65536 i32.load drop", "memory_out_of_bounds"),
    ("i32.const 1 call_indirect (type $v)", "uninitialized_element"),
    ("i32.const 5 call_indirect (type $v)", "undefined_element"),
    ("i32.const 7 i32.const 0 call_indirect (type $i)", "indirect_call_type_mismatch"),
    ("call $loop", "call_stack_exhausted"),
]


@pytest.mark.parametrize("body,kind", TRAPS)
def test_trap_kinds(body, kind, twin):
    wat = ('(module (type $v (func)) (type $i (func (param i32))) (memory 1) (table 2 funcref) '
           '(elem (i32.const 0) $nop) (func $nop) (func $loop call $loop) '
           f'(func (export "f") {body}))')
    out = run_on(twin, wat, fuel=10**8)
    assert (out.status, out.trap) == ("trap", kind)


def test_rejected_module():
    assert wb.run_bare(b"\0asm\2\0\0\0", "f", [], 10).status == "rejected"
    assert wb.run_bare(wasmtime.wat2wasm('(module (func (result i32)))'), "f", [], 10).status == "rejected"


def test_missing_import_is_unlinkable():
    assert run('(module (import "pyde" "x" (func)))').status == "unlinkable"


def test_missing_export():
    assert run('(module (func (export "g")))').status == "no_such_export"


def test_start_trap_is_uninstantiable():
    out = run('(module (func $s unreachable) (start $s) (func (export "f")))')
    assert (out.status, out.trap) == ("uninstantiable", "unreachable")


def test_memory_hash_covers_contents_and_size():
    wat = '(module (memory (export "m") {}) (func (export "f") (param i32) i32.const 8 local.get 0 i32.store8))'
    a, b, c = (run(wat.format(1), args=[1]), run(wat.format(1), args=[2]), run(wat.format(2), args=[1]))
    assert len({a.memory_hash, b.memory_hash, c.memory_hash}) == 3
    assert a.memory_hash == run(wat.format(1), args=[1]).memory_hash


# --------------------------------------------------------------------------
# Host adapters
# --------------------------------------------------------------------------


def _host_module(imports: str, body: str) -> bytes:
    return wasmtime.wat2wasm(f'(module {imports} (memory (export "memory") 1) (func (export "f") (result i32) {body}))')


def test_host_function_reads_and_writes_caller_memory_and_charges():
    def copy_up(env, src, n):
        data = env.memory.read(src, n)
        env.memory.write(src + 100, data[::-1])
        env.gas.charge(10 * n)
        return n

    wasm = _host_module('(import "pyde" "copy" (func $c (param i32 i32) (result i32)))',
                        "i32.const 0 i32.const 0x04030201 i32.store i32.const 0 i32.const 4 call $c drop "
                        "i32.const 100 i32.load")
    out = wb.run_bare(wasm, "f", [], 1000,
                      imports=lambda s, _m: [wb.wrap_host_function(s, ["i32", "i32"], ["i32"], copy_up)])
    assert out.results == (0x01020304,)
    # entry 1, 3 for the store, 3 for the call's operands and call, 40 host, 2 for the load, 1 drop-free
    assert out.fuel_consumed == 1 + 3 + 3 + 40 + 2


def test_host_out_of_bounds_traps_the_caller():
    wasm = _host_module('(import "pyde" "r" (func $r (param i32)))', "i32.const 65535 call $r i32.const 0")
    out = wb.run_bare(wasm, "f", [], 1000,
                      imports=lambda s, _m: [wb.wrap_host_function(s, ["i32"], [], lambda env, p: env.memory.read(p, 2))])
    assert (out.status, out.trap) == ("trap", "memory_out_of_bounds")


def test_host_charge_over_budget_traps_and_charges_nothing():
    wasm = _host_module('(import "pyde" "c" (func $c (param i32)))', "i32.const 500 call $c i32.const 0")
    out = wb.run_bare(wasm, "f", [], 100,
                      imports=lambda s, _m: [wb.wrap_host_function(s, ["i32"], [], lambda env, n: env.gas.charge(n))])
    # entry, const, call written back = 3; the refused charge takes nothing
    assert (out.status, out.trap, out.fuel_consumed) == ("trap", "out_of_fuel", 3)


def test_host_exception_propagates_unchanged():
    class Halt(Exception):
        pass

    def halt(env):
        raise Halt("return")

    wasm = _host_module('(import "pyde" "h" (func $h))', "call $h i32.const 0")
    with pytest.raises(Halt):
        wb.run_bare(wasm, "f", [], 100, imports=lambda s, _m: [wb.wrap_host_function(s, [], [], halt)])


def test_host_arguments_and_results_are_bit_patterns():
    seen = []

    def echo(env, a, b):
        seen.append((a, b))
        return [b, a]

    wasm = wasmtime.wat2wasm('(module (import "pyde" "e" (func $e (param i32 i64) (result i64 i32))) '
                             '(func (export "f") (result i64 i32) i32.const -1 i64.const -2 call $e))')
    out = wb.run_bare(wasm, "f", [], 100,
                      imports=lambda s, _m: [wb.wrap_host_function(s, ["i32", "i64"], ["i64", "i32"], echo)])
    assert seen == [(2**32 - 1, 2**64 - 2)]
    assert out.results == (2**64 - 2, 2**32 - 1)
