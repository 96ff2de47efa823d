"""Fuel: costs and the models (``spec``, ``wasmtime-50``, ``wasmtime-45``).

Every figure of ``shared/reference/wasmtime-50-observed.md`` is a test of the
``wasmtime-50`` model here, and the model is also diffed against wasmtime 50
itself over whole ranges of budgets.  ``wasmtime-45`` is the ``wasmtime-50``
timing with flat bulk costs and no initialization code: its own figures are
here, its diff against wasmtime 45 (which runs in another environment) is
``tests/diff/test_diff_fuel_model.py``.
"""

from __future__ import annotations

from paths import BENCHMARKS
import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import Trap, TrapKind, Uninstantiable
from pyde_ref.wasm.exec import instantiate, invoke
from pyde_ref.wasm.fuel import FuelMeter
from pyde_ref.wasm.runtime import ExternVal, HostFunc, MachineConfig, Store
from pyde_ref.wasm.syntax import FuncType
from pyde_ref.wasm.text import wat_to_wasm

@functools.lru_cache(maxsize=None)
def module_of(wat: str):
    return decode_module(wat_to_wasm(wat))


SPEC = "spec"
WASMTIME = "wasmtime-50"
WASMTIME_45 = "wasmtime-45"


MODEL_TIERS = [(SPEC, "fast"), (SPEC, "reading"), (WASMTIME, "fast")]
"""The fuel models and the tiers that implement them (the reading tier: ``spec`` only)."""


def run(wat: str, name: str = "f", args=(), budget=None, model=SPEC, imports=(), tier="fast"):
    """Run export ``name``; returns (outcome, consumed) where outcome is the
    results list or the trap kind, and the store's globals for inspection."""
    store = Store(MachineConfig(fuel_model=model, tier=tier))
    resolved = [ExternVal("func", store.alloc_host_func(h)) for h in imports]
    meter = FuelMeter(budget)
    try:
        inst = instantiate(store, module_of(wat), resolved, meter)
    except Uninstantiable as e:
        return f"uninstantiable: {e.trap.kind}", meter.consumed, meter
    try:
        outcome = invoke(store, inst.export(name).addr, list(args), meter)
    except Trap as trap:
        outcome = trap.kind
    return outcome, meter.consumed, meter


def func(body: str, sig: str = "") -> str:
    return f'(module (memory 1) (global $g (mut i32) (i32.const 0)) (func (export "f") {sig} {body}))'


EMPTY = func("")
CHAIN = func("i32.const 1 i32.const 2 i32.add i32.const 3 i32.add i32.const 4 i32.add drop")  # 1 + 7
LOOP = '''(module (func (export "f") (param $n i32) (local $i i32) (local $acc i32)
  (block (loop
    (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
    local.get $i i32.const 1 i32.add local.tee $i local.get $acc i32.add local.set $acc
    br 0))))'''
PAD = "i32.const 1 drop " * 10

TRAP_ROWS = [  # (body, trap, wasmtime-50 reported fuel, spec-model fuel)
    (PAD + "i32.const 1 i32.const 0 i32.div_s drop", TrapKind.INTEGER_DIVIDE_BY_ZERO, 0, 14),
    (PAD + "unreachable", TrapKind.UNREACHABLE, 11, 11),
    (PAD + "i32.const 70000 i32.load drop", TrapKind.MEMORY_OUT_OF_BOUNDS, 0, 13),
    (PAD + "call $g", TrapKind.INTEGER_DIVIDE_BY_ZERO, 12, 16),
    ("(local $i i32) (loop (br_if 0 (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) "
     "(i32.const 3)))) i32.const 1 i32.const 0 i32.div_s drop",
     TrapKind.INTEGER_DIVIDE_BY_ZERO, 0, 1 + 3 * 7 + 3),
    (PAD + "(memory.copy (i32.const 65530) (i32.const 0) (i32.const 10))", TrapKind.MEMORY_OUT_OF_BOUNDS, 0,
     1 + 10 + 3 + 11),
]


def trap_module(body: str) -> str:
    return ('(module (memory 1) (func $g i32.const 1 i32.const 0 i32.div_s drop) '
            f'(func (export "f") {body}))')


# ---------------------------------------------------------------------------
# Costs (both models agree on them when the budget is ample)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("model,tier", MODEL_TIERS)
def test_costs_of_simple_functions(model, tier):
    assert run(EMPTY, model=model, tier=tier, budget=100)[:2] == ([], 1)
    assert run(CHAIN, model=model, tier=tier, budget=100)[:2] == ([], 8)
    for n in (0, 1, 3, 10):
        assert run(LOOP, args=[n], model=model, tier=tier, budget=1000)[:2] == ([], 12 * n + 5)
    assert run(func("nop nop (block (loop)) i32.const 0 (if (then nop) (else nop)) return"),
               model=model, tier=tier)[1] == 3


@pytest.mark.parametrize("model,tier", MODEL_TIERS)
@pytest.mark.parametrize("op,length,cost", [
    ("memory.copy", 10, 11), ("memory.copy", 100, 101), ("memory.fill", 10, 11), ("memory.fill", 0, 1),
    ("memory.init", 3, 4),
])
def test_bulk_memory_costs_one_per_byte(model, tier, op, length, cost):
    wat = ('(module (memory 1) (data $d "abcdefgh") '
           f'(func (export "f") (param i32) ({op} {"$d " if op == "memory.init" else ""}'
           '(i32.const 0) (i32.const 0) (local.get 0))))')
    # entry 1 + local.get, two consts: 3, then the bulk instruction
    assert run(wat, args=[length], model=model, tier=tier, budget=1000)[:2] == ([], 4 + cost)


@pytest.mark.parametrize("model,tier", MODEL_TIERS)
def test_memory_grow_costs_one_per_page_requested(model, tier):
    wat = '(module (memory 1) (func (export "f") (param i32) (result i32) (memory.grow (local.get 0))))'
    assert run(wat, args=[0], model=model, tier=tier)[:2] == ([1], 1 + 1 + 1)
    assert run(wat, args=[5], model=model, tier=tier)[:2] == ([1], 1 + 1 + 6)
    # spec: a failing grow still pays for the pages it asked for; wasmtime charges the pages of a
    # length computed at run time only when the grow succeeds (its "runtime path")
    failing = 1 + 1 + (5001 if model == SPEC else 1)
    assert run(wat, args=[5000], model=model, tier=tier)[:2] == ([0xFFFFFFFF], failing)
    constant = '(module (memory 1 2) (func (export "f") (result i32) (memory.grow (i32.const 100))))'
    assert run(constant, model=model, tier=tier)[:2] == ([0xFFFFFFFF], 1 + 1 + 101)  # static path: charged anyway


@pytest.mark.parametrize("model,tier", MODEL_TIERS)
def test_table_costs_one_per_element(model, tier):
    wat = '''(module (table 4 funcref) (elem $e func $h $h $h) (func $h)
      (func (export "copy") (param i32) (table.copy (i32.const 0) (i32.const 1) (local.get 0)))
      (func (export "init") (param i32) (table.init $e (i32.const 0) (i32.const 0) (local.get 0))))'''
    # (the meter also pays for instantiation: wasmtime charges 1 for a passive element segment)
    instantiation = 1 if model == WASMTIME else 0
    assert run(wat, "copy", [2], model=model, tier=tier)[:2] == ([], instantiation + 4 + 3)
    assert run(wat, "init", [3], model=model, tier=tier)[:2] == ([], instantiation + 4 + 4)


@pytest.mark.parametrize("op", [
    "(memory.copy (i32.const 0) (i32.const 0) (local.get 0))", "(memory.fill (i32.const 0) (i32.const 0) (local.get 0))",
    "(memory.init $d (i32.const 0) (i32.const 0) (local.get 0))", "(drop (memory.grow (local.get 0)))",
    "(table.copy (i32.const 0) (i32.const 0) (local.get 0))", "(table.init $e (i32.const 0) (i32.const 0) (local.get 0))",
])
@pytest.mark.parametrize("length", [0, 1, 4, 1000])
def test_wasmtime_45_charges_no_length(op, length):
    """wasmtime 45: every length-dependent instruction costs 1, whatever its
    length or result (entry 1 + its operands + 1); no check after it, so an
    overdraft is bounded by the operator's 1."""
    wat = ('(module (memory 1) (table 4 funcref) (func $h) (elem $e func $h $h $h $h) (data $d "abcd") '
           f'(func (export "f") (param i32) {op}))')
    outcome, consumed, _ = run(wat, args=[length], model=WASMTIME_45, budget=1000)
    operands = 1 if "grow" in op else 3
    if outcome == []:
        assert consumed == 1 + operands + 1
        assert run(wat, args=[length], model=WASMTIME_45, budget=2)[:2] == ([], 2)  # unchecked past the entry
    else:  # out of bounds: a trap that writes nothing back
        assert (outcome, consumed) in {("memory_out_of_bounds", 0), ("table_out_of_bounds", 0)}


def test_wasmtime_45_instantiation_runs_no_code():
    """wasmtime 45: passive element segments are free, a start function is an
    ordinary call under the instantiation budget (its entry check, its cost)."""
    def instantiation(wat, model, budget):
        meter = FuelMeter(budget)
        try:
            instantiate(Store(MachineConfig(fuel_model=model)), module_of(wat), [], meter)
        except Uninstantiable as e:
            return e.trap.kind, meter.consumed
        return "ok", meter.consumed

    passive = '(module (table 1 funcref) (func $h) (elem func $h))'
    assert instantiation(passive, WASMTIME_45, 0) == ("ok", 0)
    assert instantiation(passive, WASMTIME, 1) == ("out_of_fuel", 1)  # wasmtime 50: 1, checked
    start = '(module (func $s i32.const 1 drop i32.const 1 drop) (start $s))'
    assert instantiation(start, WASMTIME_45, 100) == ("ok", 3)
    assert instantiation(start, WASMTIME_45, 2) == ("ok", 2)  # the entry check passes, the 3 overdraw, clamped
    assert instantiation(start, WASMTIME_45, 1) == ("out_of_fuel", 1)
    assert instantiation(start, WASMTIME, 100) == ("ok", 5)  # wasmtime 50: + 2 before the entry check
    assert instantiation(start, WASMTIME, 3) == ("out_of_fuel", 3)


@pytest.mark.parametrize("model", [SPEC, WASMTIME_45, WASMTIME])
@pytest.mark.parametrize("decls,code_cost", [
    ('(memory 0) (data (i32.const 0) "a")', 1),
    ('(memory 1) (data (i32.const 10) "") (data (i32.const 20) "xyz") (data "p") (data (i32.const -1) "b")', 1 + 1 + 4),
    ('(memory 1) (table 1 funcref) (func $h) (elem (i32.const 1) func $h) (data (i32.const 10) "abc")', 1),
])
def test_segment_that_does_not_fit(model, decls, code_cost):
    """``wasmtime-50`` charges the initialization code up to the failing
    segment, checked like a function entry: ``out_of_fuel`` (the budget
    consumed) when the budget does not exceed it, else the segment's trap with
    nothing consumed; the other models trap the segment's way whatever the budget."""
    wat = f'(module {decls} (func (export "f")))'
    trap = "table_out_of_bounds" if "elem" in decls else "memory_out_of_bounds"
    for budget in range(0, code_cost + 3):
        starved = model == WASMTIME and budget <= code_cost
        expected = ("uninstantiable: out_of_fuel", budget) if starved else (f"uninstantiable: {trap}", 0)
        assert run(wat, model=model, budget=budget)[:2] == expected, budget


@pytest.mark.parametrize("tier", ["fast", "reading"])
def test_unlimited_meter_still_counts(tier):
    _, consumed, meter = run(LOOP, args=[7], tier=tier)
    assert consumed == 12 * 7 + 5 and meter.remaining is None


# ---------------------------------------------------------------------------
# The spec model: exact, per instruction
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("tier", ["fast", "reading"])
def test_spec_budget_thresholds(tier):
    assert run(EMPTY, budget=0, tier=tier)[:2] == (TrapKind.OUT_OF_FUEL, 0)
    assert run(EMPTY, budget=1, tier=tier)[:2] == ([], 1)
    for budget in range(0, 8):
        assert run(CHAIN, budget=budget, tier=tier)[:2] == (TrapKind.OUT_OF_FUEL, budget)
    assert run(CHAIN, budget=8, tier=tier)[:2] == ([], 8)
    assert run(LOOP, args=[10], budget=124, tier=tier)[:2] == (TrapKind.OUT_OF_FUEL, 124)
    assert run(LOOP, args=[10], budget=125, tier=tier)[:2] == ([], 125)


@pytest.mark.parametrize("body,trap,_wasmtime,spec_fuel", TRAP_ROWS)
@pytest.mark.parametrize("tier", ["fast", "reading"])
def test_spec_fuel_after_a_trap_includes_the_trapping_instruction(tier, body, trap, _wasmtime, spec_fuel):
    assert run(trap_module(body), budget=1000, tier=tier)[:2] == (trap, spec_fuel)
    # with exactly that budget the same trap happens; one less and fuel runs out first
    assert run(trap_module(body), budget=spec_fuel, tier=tier)[:2] == (trap, spec_fuel)
    # (an instruction with a dynamic cost is charged whole or not at all: memory.copy costs 11 here)
    short = spec_fuel - 11 if "memory.copy" in body else spec_fuel - 1
    assert run(trap_module(body), budget=spec_fuel - 1, tier=tier)[:2] == (TrapKind.OUT_OF_FUEL, short)


COUNTER = '''(module (global $g (export "g") (mut i32) (i32.const 0))
  (func (export "f") (param $n i32)
    (loop
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (br_if 0 (i32.lt_u (global.get $g) (local.get $n))))))'''


@pytest.mark.parametrize("tier", ["fast", "reading"])
@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 30), budget=st.integers(0, 400))
def test_spec_out_of_fuel_stops_at_exactly_the_right_instruction(tier, n, budget):
    """Per-instruction charging: the k-th global.set (k = 1, 2, ...) completes
    iff the fuel up to and including it fits the budget.  Each iteration costs
    4 up to its global.set (get, const, add, set) then 4 (get, get, lt_u, br_if);
    the entry costs 1."""
    store = Store(MachineConfig(tier=tier))
    inst = instantiate(store, module_of(COUNTER), [])
    meter = FuelMeter(budget)
    total = 1 + 8 * n
    try:
        invoke(store, inst.export("f").addr, [n], meter)
        assert budget >= total and meter.consumed == total
    except Trap as trap:
        assert trap.kind == TrapKind.OUT_OF_FUEL and budget < total
        assert meter.consumed == budget
    completed_sets = sum(1 for k in range(1, n + 1) if 1 + 8 * (k - 1) + 4 <= budget)
    assert store.globals[inst.export("g").addr].value == completed_sets


@pytest.mark.parametrize("tier", ["fast", "reading"])
def test_spec_dynamic_cost_that_does_not_fit_charges_nothing_and_writes_nothing(tier):
    wat = '(module (memory (export "m") 1) (func (export "f") (memory.fill (i32.const 0) (i32.const 7) (i32.const 100))))'
    outcome, consumed, _ = run(wat, budget=4 + 100, tier=tier)  # the fill needs 101 after 4
    assert (outcome, consumed) == (TrapKind.OUT_OF_FUEL, 4)
    assert run(wat, budget=4 + 101, tier=tier)[:2] == ([], 105)


# ---------------------------------------------------------------------------
# The wasmtime-50 model: checks at entries and loop headers only
# ---------------------------------------------------------------------------


def test_wasmtime_budget_thresholds():
    assert run(EMPTY, model=WASMTIME, budget=1)[:2] == (TrapKind.OUT_OF_FUEL, 1)
    assert run(EMPTY, model=WASMTIME, budget=2)[:2] == ([], 1)
    # straight-line code overdraws between checks and the meter reads 0 left
    outcome, consumed, meter = run(CHAIN, model=WASMTIME, budget=2)
    assert (outcome, consumed, meter.remaining) == ([], 2, 0)
    assert run(LOOP, args=[10], model=WASMTIME, budget=122)[:2] == ([], 122)
    assert run(LOOP, args=[10], model=WASMTIME, budget=125)[:2] == ([], 125)
    assert run(LOOP, args=[10], model=WASMTIME, budget=121)[:2] == (TrapKind.OUT_OF_FUEL, 121)


@pytest.mark.parametrize("body,trap,wasmtime_fuel,_spec", TRAP_ROWS)
def test_wasmtime_fuel_reported_after_a_trap(body, trap, wasmtime_fuel, _spec):
    assert run(trap_module(body), model=WASMTIME, budget=1000)[:2] == (trap, wasmtime_fuel)


def test_wasmtime_after_an_overdraft_hosts_see_zero_and_wasm_traps_at_entry():
    seen = []

    def host(caller, args):
        seen.append(caller.fuel.remaining)
        return []

    wat = f'''(module (import "e" "h" (func $h)) (func $w)
      (func (export "host") {"i32.const 1 drop " * 5} call $h)
      (func (export "wasm") {"i32.const 1 drop " * 5} call $w))'''
    h = HostFunc(FuncType((), ()), host, "h")
    assert run(wat, "host", model=WASMTIME, budget=3, imports=[h])[:2] == ([], 3)
    assert seen == [0]
    assert run(wat, "wasm", model=WASMTIME, budget=3, imports=[h])[:2] == (TrapKind.OUT_OF_FUEL, 3)


# ---------------------------------------------------------------------------
# Host functions: the meter is synchronised before and read back after
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("model,tier", MODEL_TIERS)
def test_host_sees_exact_fuel_and_may_charge(model, tier):
    seen = []

    def host(caller, args):
        seen.append(caller.fuel.consumed)
        caller.fuel.charge(50)
        return [args[0] + 1]

    wat = '''(module (import "e" "h" (func $h (param i32) (result i32)))
      (func (export "f") (result i32) i32.const 1 drop (call $h (i32.const 41)) i32.const 1 i32.add))'''
    h = HostFunc(FuncType(("i32",), ("i32",)), host, "h")
    # entry 1, const 1 (drop free), const 1, call 1 = 4 when the host runs; +50; then const, add
    assert run(wat, model=model, tier=tier, budget=1000, imports=[h])[:2] == ([43], 4 + 50 + 2)
    assert seen == [4]
    outcome, consumed, _ = run(wat, model=model, tier=tier, budget=40, imports=[h])
    assert (outcome, consumed) == (TrapKind.OUT_OF_FUEL, 4)  # charge(50) failed, charged nothing


def test_fuel_meter_rules():
    meter = FuelMeter(10)
    meter.charge(4)
    assert (meter.consumed, meter.remaining) == (4, 6)
    with pytest.raises(Trap) as info:
        meter.charge(7)
    assert info.value.kind == TrapKind.OUT_OF_FUEL and meter.consumed == 4
    meter.charge(6)
    assert meter.remaining == 0
    with pytest.raises(ValueError):
        FuelMeter(-1)
    with pytest.raises(ValueError):
        meter.charge(-1)


# ---------------------------------------------------------------------------
# The wasmtime-50 model against wasmtime 50 itself
# ---------------------------------------------------------------------------

wasmtime = pytest.importorskip("wasmtime")


@functools.lru_cache(maxsize=None)
def wasmtime_module(wat: str):
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    return engine, wasmtime.Module(engine, wat_to_wasm(wat))


def wasmtime_run(wat: str, args, budget: int):
    engine, module = wasmtime_module(wat)
    store = wasmtime.Store(engine)
    store.set_fuel(budget)
    try:
        instance = wasmtime.Instance(store, module, [])
    except wasmtime.Trap as trap:
        assert trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL
        return f"uninstantiable: {TrapKind.OUT_OF_FUEL}", budget - store.get_fuel()
    try:
        result = instance.exports(store)["f"](store, *args)
        outcome = [] if result is None else [result]
    except wasmtime.Trap as trap:
        outcome = {wasmtime.TrapCode.OUT_OF_FUEL: TrapKind.OUT_OF_FUEL,
                   wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO: TrapKind.INTEGER_DIVIDE_BY_ZERO,
                   wasmtime.TrapCode.UNREACHABLE: TrapKind.UNREACHABLE,
                   wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: TrapKind.MEMORY_OUT_OF_BOUNDS,
                   wasmtime.TrapCode.TABLE_OUT_OF_BOUNDS: TrapKind.UNDEFINED_ELEMENT,
                   wasmtime.TrapCode.INDIRECT_CALL_TO_NULL: TrapKind.UNINITIALIZED_ELEMENT,
                   wasmtime.TrapCode.BAD_SIGNATURE: TrapKind.INDIRECT_CALL_TYPE_MISMATCH}[trap.trap_code]
    return outcome, budget - store.get_fuel()


DIFF_PROGRAMS = [
    (EMPTY, []), (CHAIN, []), (LOOP, [4]),
    ('(module (func $g i32.const 1 drop) (func (export "f") i32.const 1 drop call $g call $g))', []),
    ('''(module (func $fib (export "f") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2))))))))''', [5]),
    *[(trap_module(body), []) for body, *_ in TRAP_ROWS],
    # call_indirect writes back before its checks trap
    *[(f'''(module (type $v (func)) (table 2 funcref) (elem (i32.const 0) $g) (func $g (param i32))
        (func (export "f") {PAD} (call_indirect (type $v) (i32.const {i}))))''', []) for i in (0, 1, 2)],
    # dynamic costs: a small constant length is charged unchecked, any other length after success
    *[(f'''(module (memory 1 2) (func (export "f") (param i32) {PAD}
        (memory.fill (i32.const 0) (i32.const 7) {length}) (drop (memory.grow {pages}))))''', [n])
      for length, pages, n in (("(i32.const 100)", "(i32.const 1)", 0), ("(i32.const 200)", "(local.get 0)", 1),
                               ("(local.get 0)", "(i32.const 3)", 50), ("(local.get 0)", "(local.get 0)", 1))],
    ('(module (memory 1) (func (export "f") (param i32) (memory.fill (i32.const 65500) (i32.const 1) '
     '(local.get 0))))', [100]),
    # a load/store that can never be in bounds (offset + size > the declared maximum) writes back
    *[(f'(module (memory 5 986) (func (export "f") {PAD} (drop (i64.load offset={offset} (i32.const 0)))))', [])
      for offset in (986 * 65536 - 7, 986 * 65536 - 8)],
    (f'(module (memory 1) (func (export "f") {PAD} (i32.store8 offset=4294967295 (i32.const 0) (i32.const 1))))', []),
    # instantiation: passive element segments and start functions cost fuel in wasmtime
    ('(module (func $h) (elem func $h) (func (export "f")))', []),
    ('(module (global $g (mut i32) (i32.const 0)) (func $s (global.set $g (i32.const 1))) (start $s) '
     '(func (export "f")))', []),
    ('(module (func $s) (elem func $s) (start $s) (func (export "f")))', []),
    ('(module (func $h) (elem declare func $h) (table 1 funcref) (elem (i32.const 0) $h) '
     '(data "abc") (func (export "f")))', []),
]


@pytest.mark.parametrize("wat,args", DIFF_PROGRAMS)
def test_wasmtime_model_matches_wasmtime_for_every_budget(wat, args):
    _, full, _ = run(wat, args=args, model=WASMTIME)
    for budget in range(0, full + 3):
        assert run(wat, args=args, model=WASMTIME, budget=budget)[:2] == wasmtime_run(wat, args, budget), budget


# ---------------------------------------------------------------------------
# Charging per run is indistinguishable from charging per instruction:
# ``spec`` model: the fast tier equals the reading tier (which charges before
# every instruction, exactly as the model says); ``wasmtime-50`` (fast tier
# only): charging per run equals the careful code's charge per instruction.
# ---------------------------------------------------------------------------

HASH_WASM = (BENCHMARKS / "hash.wasm").read_bytes()

SCAN = '''(module (memory (export "mem") 1) (global $sum (export "sum") (mut i32) (i32.const 0))
  (func (export "f") (param $addr i32) (param $step i32)
    (loop
      (global.set $sum (i32.add (global.get $sum)
        (i32.div_u (i32.load (local.get $addr)) (i32.add (i32.const 1) (i32.load8_u (local.get $addr))))))
      (i32.store8 (local.get $addr) (i32.add (i32.const 1) (local.get $step)))
      (local.set $addr (i32.add (local.get $addr) (local.get $step)))
      (br_if 0 (i32.lt_u (local.get $addr) (i32.const 65600))))))'''
"""Loads, a division, stores and a global.set per iteration; the loop walks
off the end of memory and traps there, unless fuel runs out first."""


def _state_after(module, model, per_instruction, func, args, budget, setup=()):
    """The outcome of a call.  ``per_instruction``: under ``spec``, on the
    reading tier; under ``wasmtime-50``, on the fast tier with every function
    pre-decoded with a charge before every instruction."""
    from pyde_ref.wasm import numerics
    from pyde_ref.wasm.predecode import translate_function

    tier = "reading" if per_instruction and model == SPEC else "fast"
    store = Store(MachineConfig(fuel_model=model, tier=tier))
    inst = instantiate(store, module, [])
    if per_instruction and model != SPEC:
        ops = numerics.operators(True)
        for i in range(len(inst.funcs)):
            inst.function(i).code = translate_function(module, i, model, ops, per_instruction=True)
    for name, a in setup:
        invoke(store, inst.export(name).addr, a)
    meter = FuelMeter(budget)
    try:
        outcome = invoke(store, inst.export(func).addr, args, meter)
    except Trap as trap:
        outcome = trap.kind
    memory = bytes(store.mems[0].data) if store.mems else b""
    return outcome, meter.consumed, meter.remaining, memory, [g.value for g in store.globals]


PER_INSTRUCTION_PROGRAMS = [  # (module source, function, argument strategies, setup calls)
    ("hash", "fnv1a", [st.integers(0, 40)], [("fill", [64, 7])]),
    ("hash", "mix64", [st.integers(0, 80)], [("fill", [96, 3])]),
    ("hash", "fill", [st.integers(0, 40), st.just(5)], []),
    (SCAN, "f", [st.sampled_from([0, 65500, 65528, 65532]), st.sampled_from([4, 7, 13])], []),
    (COUNTER, "f", [st.integers(1, 20)], []),
    *[(trap_module(body), "f", [], []) for body, *_ in TRAP_ROWS],
]


@pytest.mark.parametrize("source,func,arg_strategies,setup", PER_INSTRUCTION_PROGRAMS,
                         ids=[f"{i}-{p[1]}" for i, p in enumerate(PER_INSTRUCTION_PROGRAMS)])
@pytest.mark.parametrize("model", [SPEC, WASMTIME, WASMTIME_45])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_run_charging_equals_per_instruction_charging(model, source, func, arg_strategies, setup, data):
    """Same outcome, fuel, memory and globals for every budget, whether fuel
    is charged per run (with superinstructions) or before every instruction
    (``spec``: the fast tier equals the reading tier)."""
    module = decode_module(HASH_WASM) if source == "hash" else module_of(source)
    args = [data.draw(strategy) for strategy in arg_strategies]
    full = _state_after(module, model, False, func, args, None, setup)[1]
    budget = data.draw(st.one_of(st.integers(0, full + 2), st.sampled_from([full - 1, full, None])))
    budget = None if budget is None else max(0, budget)
    assert _state_after(module, model, False, func, args, budget, setup) == \
        _state_after(module, model, True, func, args, budget, setup)
