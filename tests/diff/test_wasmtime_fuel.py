"""wasmtime's fuel, characterized and pinned for every version the oracle
knows (issue 5, part 4; issue 14, item 1): each test runs once per twin
(``twin``/``fuel_probe`` fixtures, tests/diff/conftest.py).

Every figure is measured from wasmtime through :mod:`pyde_ref.diff.fuel_probe`;
nothing here runs the reference machine.  The write-up is
``spec/findings/wasmtime-fuel-*.md`` (wasmtime 50) and
``spec/findings/wasmtime-45-vs-50.md`` (every difference of wasmtime 45, one
row per test that shows it: the tests below that branch on
:data:`LENGTH_CHARGED` or :data:`INSTANTIATION_WRAPPED`); if wasmtime changes,
these tests say exactly which line of those tables no longer holds.
"""

from __future__ import annotations

import pytest

pytest.importorskip("wasmtime")

import wasmtime  # noqa: E402

from pyde_ref.diff import fuel_probe as fp  # noqa: E402
from pyde_ref.wasm.runtime import PYDE_MAX_MEMORY_PAGES as CAP_PAGES  # noqa: E402

#: The characterization: operators wasmtime 50 charges nothing for.  ``block``
#: and ``loop`` are measured with their ``end``, so ``end`` is free too.
FREE = {"nop", "drop", "block", "loop", "else", "return"}
#: Calls: 1 for the call plus the callee's entry charge.
CALLS = {"call", "call_indirect"}

#: Whether bulk operators and ``memory.grow`` charge their length (bytes,
#: elements, pages).  wasmtime 45 charges 1 for the operator whatever the
#: length, and so never checks fuel after one.
LENGTH_CHARGED = {"50": True, "45": False}
#: Whether instantiation runs as a wrapped initialization (wasmtime 50: 1 for
#: passive element segments, 2 + the start function, data segments as code
#: when sparse) or just calls the start function (wasmtime 45: its cost only,
#: data and element segments free).
INSTANTIATION_WRAPPED = {"50": True, "45": False}


def test_baseline_entry_const_drop(fuel_probe):
    base = fuel_probe.baseline()
    assert (base.entry, base.const, base.drop) == (1, 1, 0)


def test_catalogue_covers_every_pyde_v1_operator():
    from pyde_ref.wasm import instructions

    names = set(instructions.BY_NAME)
    pyde_v1 = {n for n in names if not n.startswith("ref.")}  # ref.* only in constant expressions
    measured_elsewhere = {"unreachable", "end"}  # traps / measured with block and loop
    assert pyde_v1 - measured_elsewhere == {op.name for op in fp.catalogue()}


@pytest.mark.parametrize("op", fp.catalogue(), ids=lambda op: op.name)
def test_operator_cost(op, fuel_probe):
    expected = 0 if op.name in FREE else 2 if op.name in CALLS else 1
    assert fuel_probe.operator_cost(op) == expected


def test_unreachable_is_free_and_writes_back(fuel_probe):
    out = fuel_probe.measure("i32.const 1 drop " * 10 + "unreachable")
    assert (out.status, out.trap, out.fuel_consumed) == ("trap", "unreachable", 11)


@pytest.mark.parametrize("op", ["memory.fill", "memory.copy", "memory.init", "table.init", "table.copy"])
def test_bulk_operators_cost_one_plus_length(op, fuel_probe, twin):
    lengths = (0, 1, 2, 3) if op.startswith("table") else (0, 1, 2, 10, 26)
    per_unit = 1 if LENGTH_CHARGED[twin.version] else 0
    assert fuel_probe.bulk_charge(op, lengths) == {n: 1 + per_unit * n for n in lengths}


@pytest.mark.parametrize("op", ["memory.fill", "memory.copy"])
def test_a_thousand_bytes(op, twin, fuel_probe):
    # the figure: the whole call (entry, 3 operands, the operator)
    out = fuel_probe.measure(f"i32.const 0 i32.const 0 i32.const 1000 {op}")
    assert out.fuel_consumed == {"50": 1005, "45": 5}[twin.version]


def test_sixty_four_mebibytes(twin):
    wat = '(module (memory 1024) (func (export "f") i32.const 0 i32.const 7 i32.const 67108864 memory.fill))'
    out = twin.call(wasmtime.wat2wasm(wat), "f", [], 10**9)
    assert out.fuel_consumed == {"50": 5 + 64 * 1024 * 1024, "45": 5}[twin.version]


def test_memory_grow_from_one_page(fuel_probe, twin):
    found = fuel_probe.grow_charge((0, 1, 3, 5, 100, CAP_PAGES - 1, CAP_PAGES, 2000, 65536))
    per_page = 1 if LENGTH_CHARGED[twin.version] else 0
    for delta, (result, fuel) in found.items():
        if 1 + delta <= CAP_PAGES:
            assert (result, fuel) == (1, 1 + per_page * delta), delta
        else:
            assert (result, fuel) == (0xFFFF_FFFF, 1), delta


#: spec/findings/wasmtime-fuel-charges.md: the per-page charge of a
#: memory.grow is taken iff delta <= max(cap - current, 128) pages, whether
#: or not the grow succeeds.
GROW_FREE_WINDOW = 128


def grow_fuel(twin, pages: int, delta: int) -> tuple[bool, int]:
    wat = f'(module (memory {pages}) (func (export "f") (result i32) i32.const {delta} memory.grow))'
    out = twin.call(wasmtime.wat2wasm(wat), "f", [], 10**7)
    return out.results[0] != 0xFFFF_FFFF, out.fuel_consumed - 2  # minus entry and const


@pytest.mark.parametrize("pages", [0, 1, 500, 1000, 1023, 1024])
def test_memory_grow_per_page_charge_rule(pages, twin):
    threshold = max(CAP_PAGES - pages, GROW_FREE_WINDOW)
    for delta in sorted({1, 24, 25, 100, GROW_FREE_WINDOW, GROW_FREE_WINDOW + 1,
                         threshold - 1, threshold, threshold + 1, 2000, 65536}):
        grew, fuel = grow_fuel(twin, pages, delta)
        assert grew == (pages + delta <= CAP_PAGES), (pages, delta)
        charged = LENGTH_CHARGED[twin.version] and delta <= threshold
        assert fuel == (1 + delta if charged else 1), (pages, delta)


# --------------------------------------------------------------------------
# Check points: function entry and loop headers, trap when consumed >= budget
# --------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 8, 50])
def test_straight_line_needs_only_the_entry_check(k, fuel_probe):
    wat = fp.module_wat("i32.const 1 drop " * k)
    assert fuel_probe.run_wat(wat).fuel_consumed == 1 + k
    assert fuel_probe.minimal_budget(wat) == 2


def _counting_loop(n: int, tail: int = 0) -> str:
    body = f"i32.const {n} local.set 0 loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end"
    return fp.module_wat(body + " i32.const 1 drop" * tail, locals_="(local i32)")


@pytest.mark.parametrize("n", [1, 2, 3, 10])
@pytest.mark.parametrize("tail", [0, 20])
def test_loop_header_check(n, tail, fuel_probe):
    # entry 1 + 2 before the loop, 5 per iteration, `tail` after it.
    wat = _counting_loop(n, tail)
    assert fuel_probe.run_wat(wat).fuel_consumed == 3 + 5 * n + tail
    # The last check is the header of iteration n: 3 + 5 (n - 1) consumed.
    assert fuel_probe.minimal_budget(wat) == 3 + 5 * (n - 1) + 1


@pytest.mark.parametrize("k", [0, 5, 20])
def test_callee_entry_check(k, fuel_probe):
    wat = fp.module_wat("i32.const 1 drop " * k + "call $nop" + " i32.const 1 drop" * 30)
    assert fuel_probe.run_wat(wat).fuel_consumed == 1 + k + 2 + 30
    assert fuel_probe.minimal_budget(wat) == (1 + k + 2) + 1


@pytest.mark.parametrize("pre", [
    "i32.const 0 i32.const 0 i32.const 100 memory.fill",
    "i32.const 100 memory.grow drop",
    "i32.const 0 i32.const 0 i32.const 3 table.init $e",
])
def test_dynamic_charges_count_at_the_next_check(pre, fuel_probe):
    wat = fp.module_wat(pre + " loop end")
    consumed = fuel_probe.run_wat(wat).fuel_consumed
    assert fuel_probe.minimal_budget(wat) == consumed + 1


# --------------------------------------------------------------------------
# Overdraft and out-of-fuel reporting
# --------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [2, 10, 51])
def test_overdraft_between_checks_completes_and_clamps(budget, fuel_probe):
    out = fuel_probe.measure("i32.const 1 drop " * 50, fuel=budget)  # costs 51
    assert (out.status, out.fuel_consumed) == ("ok", budget)


def test_bulk_operator_overdraft_is_not_checked(fuel_probe, twin):
    # costs 105 on wasmtime 50, 5 on 45
    out = fuel_probe.measure("i32.const 0 i32.const 0 i32.const 100 memory.fill", fuel=4)
    assert (out.status, out.fuel_consumed) == ("ok", 4)
    assert fuel_probe.measure("i32.const 0 i32.const 0 i32.const 100 memory.fill").fuel_consumed == (
        105 if LENGTH_CHARGED[twin.version] else 5)


@pytest.mark.parametrize("budget", [2, 10, 51, 53])
def test_overdraft_then_call_traps_at_callee_entry(budget, fuel_probe):
    out = fuel_probe.measure("i32.const 1 drop " * 50 + "call $nop", fuel=budget)  # costs 53
    assert (out.status, out.trap, out.fuel_consumed) == ("trap", "out_of_fuel", budget)
    assert fuel_probe.measure("i32.const 1 drop " * 50 + "call $nop", fuel=54).status == "ok"


def test_out_of_fuel_in_a_loop_reports_the_whole_budget(fuel_probe):
    for budget in (4, 9, 20):
        out = fuel_probe.run_wat(_counting_loop(10), fuel=budget)
        assert (out.trap, out.fuel_consumed) == ("out_of_fuel", budget)


# --------------------------------------------------------------------------
# Write-back points: what get_fuel() reports after a trap
# --------------------------------------------------------------------------

TEN = "i32.const 1 drop " * 10
DIV0 = " i32.const 1 i32.const 0 i32.div_s drop"

WRITE_BACK = [
    # (body, trap, reported consumed fuel)
    (TEN + DIV0, "integer_divide_by_zero", 0),
    (TEN + "unreachable", "unreachable", 11),
    (TEN + "i32.const 70000 i32.load drop", "memory_out_of_bounds", 0),
    (TEN + "f32.const nan i32.trunc_f32_s drop", "invalid_conversion_to_integer", 0),
    (TEN + "i32.const 0x80000000 i32.const -1 i32.div_s drop", "integer_overflow", 0),
    (TEN + "i32.const 0 i32.const 0 i32.const 100000 memory.fill", "memory_out_of_bounds", 0),
    # a call writes back (caller: entry + 10 + call = 12; callee's exit: + 1)
    (TEN + "call $nop" + DIV0, "integer_divide_by_zero", 13),
    (TEN + "i32.const 0 call_indirect (type $v)" + DIV0, "integer_divide_by_zero", 14),
    # call_indirect writes back before its own table checks
    (TEN + "i32.const 1 call_indirect (type $v)", "uninitialized_element", 13),
    (TEN + "i32.const 9 call_indirect (type $v)", "undefined_element", 13),
    # none of these write back
    (TEN + "i32.const 1 memory.grow drop" + DIV0, "integer_divide_by_zero", 0),
    (TEN + "memory.size drop" + DIV0, "integer_divide_by_zero", 0),
    (TEN + "i32.const 0 i32.const 0 i32.const 10 memory.fill" + DIV0, "integer_divide_by_zero", 0),
    (TEN + "i32.const 0 i32.const 0 i32.const 10 memory.copy" + DIV0, "integer_divide_by_zero", 0),
    (TEN + "i32.const 0 i32.const 0 i32.const 10 memory.init $d" + DIV0, "integer_divide_by_zero", 0),
    (TEN + "i32.const 0 i32.const 0 i32.const 2 table.init $e" + DIV0, "integer_divide_by_zero", 0),
    (TEN + "i32.const 0 i32.const 0 i32.const 2 table.copy" + DIV0, "integer_divide_by_zero", 0),
    (TEN + "data.drop $d elem.drop $e" + DIV0, "integer_divide_by_zero", 0),
    (TEN + "block br 0 end i32.const 1 if nop end" + DIV0, "integer_divide_by_zero", 0),
]


@pytest.mark.parametrize("body,trap,reported", WRITE_BACK)
def test_fuel_reported_after_a_trap(body, trap, reported, fuel_probe):
    out = fuel_probe.measure(body)
    assert (out.status, out.trap, out.fuel_consumed) == ("trap", trap, reported)


def test_loop_then_trap_reports_nothing(fuel_probe):
    # spec/findings/fuel-after-trap.md: the loop runs (cost 3 + 5 * 1000) and
    # the receipt, reading wasmtime's counter, would charge 0.
    body = ("i32.const 1000 local.set 0 loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end" + DIV0)
    out = fuel_probe.measure(body, locals_="(local i32)")
    assert (out.trap, out.fuel_consumed) == ("integer_divide_by_zero", 0)


# --------------------------------------------------------------------------
# What a host function sees
# --------------------------------------------------------------------------


def _host_probe(twin, k: int, budget: int, after: int = 5):
    """``k`` operators, a host call that reads the fuel it sees into the
    exported global ``seen`` (through ``probe.remaining``), ``after`` more."""
    wat = (f'(module (import "probe" "remaining" (func $remaining (result i64))) '
           f'(global $seen (export "seen") (mut i64) (i64.const -1)) (func (export "p") '
           f'{"i32.const 1 drop " * k} call $remaining global.set $seen {"i32.const 1 drop " * after}))')
    out = twin.call(wasmtime.wat2wasm(wat), "p", [], budget, host="probe")
    return out, [bits for name, _t, bits in out.globals if name == "seen"]


@pytest.mark.parametrize("k,budget", [(0, 100), (10, 100), (50, 100), (50, 54)])
def test_host_sees_fuel_written_back_at_the_call(k, budget, twin):
    out, seen = _host_probe(twin, k, budget)
    assert seen == [budget - (1 + k + 1)]  # entry, k consts, the call
    # global.set and the 5 operators after the call run unchecked: overdraft
    # clamps at the budget
    assert (out.status, out.fuel_consumed) == ("ok", min(budget, 1 + k + 1 + 1 + 5))


@pytest.mark.parametrize("budget", [2, 20, 52])
def test_host_after_overdraft_sees_zero_and_does_not_trap(budget, twin):
    out, seen = _host_probe(twin, 50, budget)  # consumed 52 at the call
    assert seen == [0]
    assert (out.status, out.fuel_consumed) == ("ok", budget)


def test_host_charge_is_seen_by_wasm_checks(twin):
    wat = ('(module (import "probe" "charge" (func $c (param i64))) (func $n) '
           '(func (export "p") i64.const 97 call $c call $n))')
    wasm = wasmtime.wat2wasm(wat)
    results = {}
    for budget in (101, 102, 103):
        out = twin.call(wasm, "p", [], budget, host="probe")
        results[budget] = (out.status, out.fuel_consumed)
    # 3 (entry, const, call) + 97 (host) + 1 (call $n) + 1 (its entry) = 102
    assert results == {101: ("trap", 101), 102: ("trap", 102), 103: ("ok", 102)}


def test_host_charge_over_what_is_left_is_refused(twin):
    wat = ('(module (import "probe" "charge" (func $c (param i64))) '
           '(func (export "p") i64.const 500 call $c))')
    out = twin.call(wasmtime.wat2wasm(wat), "p", [], 100, host="probe")
    # entry, const, call written back = 3; the refused charge takes nothing
    assert (out.status, out.trap, out.fuel_consumed) == ("trap", "out_of_fuel", 3)


# --------------------------------------------------------------------------
# Instantiation fuel
# --------------------------------------------------------------------------


def _instantiate(twin, decls: str, fuel: int = 1000):
    wat = f'(module (memory 1) (table 10 funcref) (func $n) {decls} (func (export "p")))'
    return twin.call(wasmtime.wat2wasm(wat), "p", [], 10, instantiate_fuel=fuel)


# (declarations, wasmtime 50's fuel, wasmtime 45's fuel)
@pytest.mark.parametrize("decls,wrapped,start_only", [
    ("", 0, 0),
    ("(elem (i32.const 0) func $n)", 0, 0),
    ("(elem (i32.const 0) func $n $n $n $n $n)", 0, 0),
    ('(data (i32.const 0) "' + "a" * 100 + '")', 0, 0),
    ('(data "abc")', 0, 0),
    ("(elem declare func $n)", 0, 0),
    ("(global i32 (i32.const 5))", 0, 0),
    # passive element segments: 1 per module, however many segments/elements (45: free)
    ("(elem $e func $n)", 1, 0),
    ("(elem $e func $n $n $n $n $n $n $n $n $n $n)", 1, 0),
    ("(elem $e func $n) (elem $f func $n $n) (elem $g func $n)", 1, 0),
    # a start function: 2 + its own cost (entry 1 + body) (45: its own cost)
    ("(start $n)", 3, 1),
    ("(func $s i32.const 1 drop i32.const 1 drop) (start $s)", 5, 3),
    ("(func $s call $n) (start $s)", 5, 3),
    # both: not additive
    ("(elem $e func $n) (start $n)", 3, 1),
])
def test_instantiation_fuel(decls, wrapped, start_only, twin):
    out = _instantiate(twin, decls)
    assert (out.status, out.instantiate_fuel) == ("ok", wrapped if INSTANTIATION_WRAPPED[twin.version] else start_only)


# (declarations, smallest budget on wasmtime 50, on wasmtime 45)
@pytest.mark.parametrize("decls,wrapped,start_only", [
    ("(elem $e func $n)", 2, 0),
    ("(start $n)", 4, 2),
    ("(func $s call $n) (start $s)", 6, 4),
    ("(func $s i32.const 1 drop i32.const 1 drop) (start $s)", 4, 2),  # the start function overdraws
])
def test_instantiation_fuel_is_checked(decls, wrapped, start_only, twin):
    minimum = wrapped if INSTANTIATION_WRAPPED[twin.version] else start_only
    assert _instantiate(twin, decls, fuel=minimum).status == "ok"
    if minimum:
        failed = _instantiate(twin, decls, fuel=minimum - 1)
        assert (failed.status, failed.trap) == ("uninstantiable", "out_of_fuel")


# --------------------------------------------------------------------------
# Static and runtime paths of the length charge (wasmtime-fuel-charges.md)
# --------------------------------------------------------------------------


def _with_param(twin, body: str, arg: int, fuel: int, extra: str = "", pages: int = 1):
    wat = fp.module_wat(body, extra=extra).replace('(func (export "probe")', '(func (export "probe") (param i32)')
    wat = wat.replace('(memory (export "memory") 1)', f'(memory (export "memory") {pages})')
    return twin.call(wasmtime.wat2wasm(wat), "probe", [arg], fuel)


FILL = "i32.const 0 i32.const 0 {} memory.fill"


@pytest.mark.parametrize("length_code,static", [
    ("i32.const 100", True),
    ("i32.const 128", True),
    ("i32.const 129", False),
    ("i32.const 1000", False),
    ("local.get 1", True),  # a local never set: constant 0
    ("i32.const 100 local.set 1 local.get 1", True),
    ("i32.const 100 i32.const 1 i32.add", False),  # no folding at translation
    ("global.get $c", True),  # immutable global, constant initializer
    ("local.get 0", False),  # a parameter
])
def test_length_constness(length_code, static, twin):
    # budget 3: the static path never checks, the runtime path traps right
    # after the fill; wasmtime 45 has neither (no length charge, no check)
    wat = fp.module_wat(FILL.format(length_code), locals_="(local i32)", extra="(global $c i32 (i32.const 100))")
    wat = wat.replace('(func (export "probe")', '(func (export "probe") (param i32)')
    out = twin.call(wasmtime.wat2wasm(wat), "probe", [7], 3)
    assert (out.status == "ok") is (static or not LENGTH_CHARGED[twin.version]), out


@pytest.mark.parametrize("op", ["memory.fill", "memory.copy", "memory.init $d", "table.init $e", "table.copy"])
def test_runtime_length_is_checked_right_after_the_operation(op, twin):
    n = 2
    body = "i32.const 1 drop " * 10 + f"i32.const 0 i32.const 0 local.get 0 {op}" + " i32.const 1 drop" * 20
    through_op = 1 + 10 + 3 + 1 + n  # entry, the ten, three operands, the op, its length
    if LENGTH_CHARGED[twin.version]:
        assert _with_param(twin, body, n, through_op).trap == "out_of_fuel"
    else:  # nothing charged, nothing checked: the body overdraws and returns
        assert _with_param(twin, body, n, 2).status == "ok"
    assert _with_param(twin, body, n, through_op + 1).status == "ok"


def test_runtime_check_comes_after_the_effect(twin):
    untouched = _with_param(twin, "nop", 0, 500)
    filled = _with_param(twin, "i32.const 0 i32.const 7 local.get 0 memory.fill", 1000, 500)
    if LENGTH_CHARGED[twin.version]:
        assert (filled.trap, filled.fuel_consumed) == ("out_of_fuel", 500)
    else:
        assert (filled.status, filled.fuel_consumed) == ("ok", 5)
    assert filled.memory_hash != untouched.memory_hash


def test_runtime_out_of_bounds_traps_before_the_fuel_check(twin):
    out = _with_param(twin, "i32.const 65000 i32.const 7 local.get 0 memory.fill", 1000, 500)
    assert out.trap == "memory_out_of_bounds"


@pytest.mark.parametrize("pages,delta,charged", [(1000, 24, 24), (1000, 100, 0), (1, 1023, 1023), (1, 1024, 0)])
def test_runtime_grow_is_charged_only_when_it_succeeds(pages, delta, charged, twin):
    out = _with_param(twin, "local.get 0 memory.grow drop", delta, 10**6, pages=pages)
    # entry, local.get, memory.grow (+ the pages on wasmtime 50)
    assert out.fuel_consumed == 3 + (charged if LENGTH_CHARGED[twin.version] else 0)


def test_runtime_grow_failure_is_not_checked(twin):
    assert _with_param(twin, "local.get 0 memory.grow drop", 5000, 3).status == "ok"
    grown = _with_param(twin, "local.get 0 memory.grow drop", 5, 3)
    assert (grown.trap == "out_of_fuel") is LENGTH_CHARGED[twin.version]


# --------------------------------------------------------------------------
# Instantiation: data segments initialized by code when they are sparse
# --------------------------------------------------------------------------

SIXTEEN_MIB = 16 * 1024 * 1024


def _data_instantiation(twin, segments, extra: str = "") -> int:
    data = "".join(f'(data (i32.const {o}) "{"x" * n}")' for o, n in segments)
    wat = f'(module (memory 623) (table 2 funcref) (func $n) {data} {extra} (func (export "f")))'
    return twin.call(wasmtime.wat2wasm(wat), "f", [], 10).instantiate_fuel


@pytest.mark.parametrize("segments,fuel", [
    ([(0, 1), (4 << 20, 1)], 0),  # a memory image: free
    ([(655360, 1), (655360 + SIXTEEN_MIB - 2, 1)], 0),  # extent just under 16 MiB
    ([(655360, 1), (655360 + SIXTEEN_MIB - 1, 1)], 1 + 2 + 2),  # extent 16 MiB: run as code
    ([(0, 3), (20 << 20, 4)], 1 + 4 + 5),
    ([(0, 3), (20 << 20, 4), (100, 0)], 1 + 4 + 5 + 1),
    ([(20 << 20, 1)], 0),  # one segment is never sparse
])
def test_sparse_data_segments_cost_fuel(segments, fuel, twin):
    assert _data_instantiation(twin, segments) == (fuel if INSTANTIATION_WRAPPED[twin.version] else 0)


@pytest.mark.parametrize("extra,wrapped,start_only", [
    ("(elem $e func $n)", 5, 0),  # the 1 of passive elements is the same 1
    ("(start $n)", 7, 1),  # 1 + 4 (data) + 1 + start's entry 1 (45: start's entry)
])
def test_sparse_data_with_other_initialization(extra, wrapped, start_only, twin):
    expected = wrapped if INSTANTIATION_WRAPPED[twin.version] else start_only
    assert _data_instantiation(twin, [(0, 1), (20 << 20, 1)], extra) == expected


# --------------------------------------------------------------------------
# A load or store that can never be in bounds is a write-back point
# --------------------------------------------------------------------------

MAX_BYTES = 986 * 65536  # a memory declared (memory 5 986)


def _static_oob(twin, body: str, memory: str = "5 986"):
    wat = f'(module (memory {memory}) (func (export "f") {body}))'
    out = twin.call(wasmtime.wat2wasm(wat), "f", [], 1000)
    return out.trap, out.fuel_consumed


@pytest.mark.parametrize("op,size,operands", [
    ("i64.load", 8, "i32.const 0"), ("i32.load8_u", 1, "i32.const 0"), ("f32.load", 4, "i32.const 0"),
    ("i64.store", 8, "i32.const 0 i64.const 1"), ("i32.store16", 2, "i32.const 0 i32.const 1"),
])
def test_load_store_beyond_the_maximum_writes_back(op, size, operands, twin):
    pushes = len(operands.split()) // 2
    drop = " drop" if "load" in op else ""
    # offset + size <= maximum: an ordinary out-of-bounds trap, nothing written back
    assert _static_oob(twin, f"{operands} {op} offset={MAX_BYTES - size}{drop}") == ("memory_out_of_bounds", 0)
    # offset + size > maximum: compiled as a trap that writes back entry + operands + itself
    assert _static_oob(twin, f"{operands} {op} offset={MAX_BYTES - size + 1}{drop}") == (
        "memory_out_of_bounds", 1 + pushes + 1)


def test_static_out_of_bounds_without_a_declared_maximum_uses_4_gib(twin):
    assert _static_oob(twin, "i32.const 0 i64.load offset=4294967288 drop", "5") == ("memory_out_of_bounds", 0)
    assert _static_oob(twin, "i32.const 0 i64.load offset=4294967289 drop", "5") == ("memory_out_of_bounds", 3)


def test_static_out_of_bounds_ignores_the_dynamic_address(twin):
    body = f"i32.const 7 i32.const 1 i32.add i64.load offset={MAX_BYTES + 100} drop"
    assert _static_oob(twin, body) == ("memory_out_of_bounds", 5)


# --------------------------------------------------------------------------
# Instantiation: data that does not fit (found by the first wave campaign)
# --------------------------------------------------------------------------


# (data segments, smallest budget with which instantiation gets as far as the
# out-of-bounds trap on wasmtime 50: 1 + Σ(1 + length) of the segments before
# the failing one + 1 for it)
@pytest.mark.parametrize("decls,reaches_the_trap", [
    ('(memory 0) (data (i32.const 0) "a")', 2),
    ('(memory 1) (data (i32.const 65535) "ab")', 2),
    ('(memory 1) (data (i32.const 65537) "")', 2),
    ('(memory 1) (data (i32.const 10) "a") (data (i32.const 65536) "b")', 4),
    ('(memory 1) (data (i32.const 10) "") (data (i32.const 20) "xyz") (data (i32.const -1) "b")', 7),
    # passive segments are not copied; the entry is the passive element segments' 1
    ('(memory 1) (data "passive") (data (i32.const 10) "ab") (data (i32.const 65536) "b")', 5),
    ('(memory 1) (table 2 funcref) (func $n) (elem $e func $n) (data (i32.const 10) "ab") '
     '(data (i32.const 65536) "b")', 5),
    # active element segments that fit cost nothing; the start function is never reached
    ('(memory 1) (table 2 funcref) (func $n) (elem (i32.const 0) func $n) (start $n) (data (i32.const 10) "ab") '
     '(data (i32.const 65536) "b")', 5),
])
def test_data_that_does_not_fit_is_initialized_by_code(decls, reaches_the_trap, twin):
    """wasmtime 50 cannot build a memory image, so it runs initialization
    code that costs fuel before it finds the segment out of bounds: 1 (its
    entry) + Σ(1 + length) over the active data segments before the failing
    one, checked as at a function entry, so with a budget no greater than
    that it traps out_of_fuel (having consumed the budget); else
    memory_out_of_bounds, with nothing written back (0 consumed).  wasmtime
    45 reports memory_out_of_bounds whatever the budget, 0 consumed."""
    wasm = wasmtime.wat2wasm(f'(module {decls} (func (export "f")))')
    for budget in range(0, reaches_the_trap + 2):
        out = twin.call(wasm, "f", [], 10, instantiate_fuel=budget)
        starved = INSTANTIATION_WRAPPED[twin.version] and budget < reaches_the_trap
        expected = ("out_of_fuel", budget) if starved else ("memory_out_of_bounds", 0)
        assert (out.status, out.trap, out.instantiate_fuel) == ("uninstantiable", *expected), budget


@pytest.mark.parametrize("decls", [
    "(table 2 funcref) (func $n) (elem (i32.const 5) func $n)",
    "(table 20 funcref) (func $n) (elem (i32.const 0) func $n $n $n $n $n) (elem (i32.const 19) func $n $n)",
    "(table 20 funcref) (func $n) (elem $p func $n) (elem (i32.const 21) func) (data (i32.const 0) \"a\")",
])
def test_element_segment_that_does_not_fit_is_initialized_by_code(decls, twin):
    """The same for an active element segment that does not fit its table:
    wasmtime 50 runs initialization code, whose entry (1) alone is charged
    before the trap (elements that fit cost nothing, data comes after), so a
    budget of 0 or 1 traps out_of_fuel; wasmtime 45 never does.  (wasmtime
    reports the trap as TABLE_OUT_OF_BOUNDS, the twin's undefined_element.)"""
    wasm = wasmtime.wat2wasm(f'(module (memory 1) {decls} (func (export "f")))')
    for budget in range(0, 4):
        out = twin.call(wasm, "f", [], 10, instantiate_fuel=budget)
        starved = INSTANTIATION_WRAPPED[twin.version] and budget < 2
        expected = ("out_of_fuel", budget) if starved else ("undefined_element", 0)
        assert (out.status, out.trap, out.instantiate_fuel) == ("uninstantiable", *expected), budget


def test_data_that_fits_exactly_is_an_image(twin):
    wasm = wasmtime.wat2wasm('(module (memory 1) (data (i32.const 65536) "") (func (export "f")))')
    assert twin.call(wasm, "f", [], 10, instantiate_fuel=0).status == "ok"
