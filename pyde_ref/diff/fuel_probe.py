"""A wasmtime version's fuel, measured: one tiny module per pyde-v1 operator.

Nothing here trusts a model: every figure comes from running a probe module on
a twin (:func:`pyde_ref.diff.twin.get_twin`, any version) and reading
``budget - remaining``.  The tests in ``tests/diff/test_wasmtime_fuel.py``
pin what is measured here for wasmtime 50 and 45, and
``spec/findings/wasmtime-fuel-*.md`` and ``wasmtime-45-vs-50.md`` write it up.

A probe's export ``probe`` pushes the operator's operands with ``*.const``,
executes the operator once and drops its results.  Its cost is::

    measured - entry - operands * cost(const) - results * cost(drop)

where ``entry``, ``cost(const)`` and ``cost(drop)`` are themselves measured
first (:meth:`FuelProbe.baseline`).  A :class:`FuelProbe` runs on anything
with a twin's ``call`` (:class:`~pyde_ref.diff.reference_backend.ReferenceMachine`
too), so the same probes compare a fuel model with the engine it models.

``python -m pyde_ref.diff.fuel_probe [--wasmtime VERSION]`` prints the table.
"""

from __future__ import annotations

import argparse
from typing import Optional

import attrs
import wasmtime

from pyde_ref.diff.outcome import INSTANTIATE_FUEL, CallOutcome
from pyde_ref.diff.twin import add_wasmtime_argument, get_twin

#: Ample budget for probes that should not run out.
AMPLE = 1_000_000

#: Declarations every probe module has: one page of memory with a passive data
#: segment ``$d`` of 26 bytes, a 4-entry funcref table with a passive element
#: segment ``$e`` of 3 functions, a mutable global of each type, an empty
#: function ``$nop`` and its type ``$v``.
PRELUDE = """
  (type $v (func))
  (memory (export "memory") 1)
  (data $d "abcdefghijklmnopqrstuvwxyz")
  (table 4 funcref)
  (elem $e func $nop $nop $nop)
  (elem (i32.const 0) func $nop)
  (global $gi32 (mut i32) (i32.const 0))
  (global $gi64 (mut i64) (i64.const 0))
  (global $gf32 (mut f32) (f32.const 0))
  (global $gf64 (mut f64) (f64.const 0))
  (func $nop)
"""

#: A value of each type that makes no operator trap (a divisor of 3, a float
#: that truncates to 1, an address inside the page).
OPERAND = {"i32": "(i32.const 3)", "i64": "(i64.const 3)", "f32": "(f32.const 1.5)", "f64": "(f64.const 1.5)"}


def module_wat(body: str, *, results: str = "", locals_: str = "", extra: str = "") -> str:
    return f'(module {PRELUDE} {extra}\n  (func (export "probe") {results} {locals_}\n    {body}))'


# --------------------------------------------------------------------------
# The operator catalogue (pyde-v1 = WebAssembly 2.0 minus SIMD and reference
# types; multi-value, sign extension, saturating truncation, bulk memory in)
# --------------------------------------------------------------------------


@attrs.frozen
class OpProbe:
    """How to execute one operator once.

    ``body`` is the complete probe body; ``operands`` and ``results`` count the
    ``const`` pushes and ``drop`` pops around the operator, which are
    subtracted from the measurement.  ``group`` names what the figure measures
    when the operator cannot be executed alone (e.g. ``block`` with its
    ``end``), ``others`` counts other operators of cost 1 in the body (the
    ``if`` of the ``else`` probe)."""

    name: str
    body: str
    operands: int
    results: int
    group: Optional[str] = None
    #: other operators in ``body`` whose (already measured) cost of 1 is subtracted
    others: int = 0
    locals_: str = ""
    fn_results: str = ""


def _numeric(name: str, params: tuple[str, ...], results: int) -> OpProbe:
    push = " ".join(OPERAND[p] for p in params)
    return OpProbe(name, f"{push} {name}" + " drop" * results, len(params), results)


def _numeric_catalogue() -> list[OpProbe]:
    ops: list[OpProbe] = []
    for t in ("i32", "i64"):
        ops.append(OpProbe(f"{t}.const", f"{t}.const 0 drop", 0, 1))
        for u in ("clz", "ctz", "popcnt", "eqz", "extend8_s", "extend16_s") + (("extend32_s",) if t == "i64" else ()):
            ops.append(_numeric(f"{t}.{u}", (t,), 1))
        for b in ("add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor",
                  "shl", "shr_s", "shr_u", "rotl", "rotr",
                  "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"):
            ops.append(_numeric(f"{t}.{b}", (t, t), 1))
    for t in ("f32", "f64"):
        ops.append(OpProbe(f"{t}.const", f"{t}.const 0 drop", 0, 1))
        for u in ("abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"):
            ops.append(_numeric(f"{t}.{u}", (t,), 1))
        for b in ("add", "sub", "mul", "div", "min", "max", "copysign", "eq", "ne", "lt", "gt", "le", "ge"):
            ops.append(_numeric(f"{t}.{b}", (t, t), 1))
    conversions = [
        ("i32.wrap_i64", "i64"), ("i32.trunc_f32_s", "f32"), ("i32.trunc_f32_u", "f32"),
        ("i32.trunc_f64_s", "f64"), ("i32.trunc_f64_u", "f64"), ("i64.extend_i32_s", "i32"),
        ("i64.extend_i32_u", "i32"), ("i64.trunc_f32_s", "f32"), ("i64.trunc_f32_u", "f32"),
        ("i64.trunc_f64_s", "f64"), ("i64.trunc_f64_u", "f64"), ("f32.convert_i32_s", "i32"),
        ("f32.convert_i32_u", "i32"), ("f32.convert_i64_s", "i64"), ("f32.convert_i64_u", "i64"),
        ("f32.demote_f64", "f64"), ("f64.convert_i32_s", "i32"), ("f64.convert_i32_u", "i32"),
        ("f64.convert_i64_s", "i64"), ("f64.convert_i64_u", "i64"), ("f64.promote_f32", "f32"),
        ("i32.reinterpret_f32", "f32"), ("i64.reinterpret_f64", "f64"),
        ("f32.reinterpret_i32", "i32"), ("f64.reinterpret_i64", "i64"),
        ("i32.trunc_sat_f32_s", "f32"), ("i32.trunc_sat_f32_u", "f32"), ("i32.trunc_sat_f64_s", "f64"),
        ("i32.trunc_sat_f64_u", "f64"), ("i64.trunc_sat_f32_s", "f32"), ("i64.trunc_sat_f32_u", "f32"),
        ("i64.trunc_sat_f64_s", "f64"), ("i64.trunc_sat_f64_u", "f64"),
    ]
    ops += [_numeric(name, (src,), 1) for name, src in conversions]
    return ops


def _memory_catalogue() -> list[OpProbe]:
    ops = []
    for name in ("i32.load", "i64.load", "f32.load", "f64.load", "i32.load8_s", "i32.load8_u",
                 "i32.load16_s", "i32.load16_u", "i64.load8_s", "i64.load8_u", "i64.load16_s",
                 "i64.load16_u", "i64.load32_s", "i64.load32_u"):
        ops.append(_numeric(name, ("i32",), 1))
    for name in ("i32.store", "i64.store", "f32.store", "f64.store", "i32.store8", "i32.store16",
                 "i64.store8", "i64.store16", "i64.store32"):
        ops.append(_numeric(name, ("i32", name.split(".")[0]), 0))
    ops += [
        OpProbe("memory.size", "memory.size drop", 0, 1),
        OpProbe("memory.grow", "i32.const 0 memory.grow drop", 1, 1, group="memory.grow by 0 pages"),
        OpProbe("memory.fill", "i32.const 0 i32.const 0 i32.const 0 memory.fill", 3, 0, group="memory.fill of 0 bytes"),
        OpProbe("memory.copy", "i32.const 0 i32.const 0 i32.const 0 memory.copy", 3, 0, group="memory.copy of 0 bytes"),
        OpProbe("memory.init", "i32.const 0 i32.const 0 i32.const 0 memory.init $d", 3, 0, group="memory.init of 0 bytes"),
        OpProbe("data.drop", "data.drop $d", 0, 0),
        OpProbe("table.init", "i32.const 0 i32.const 0 i32.const 0 table.init $e", 3, 0, group="table.init of 0 elements"),
        OpProbe("table.copy", "i32.const 0 i32.const 0 i32.const 0 table.copy", 3, 0, group="table.copy of 0 elements"),
        OpProbe("elem.drop", "elem.drop $e", 0, 0),
    ]
    return ops


def _other_catalogue() -> list[OpProbe]:
    return [
        OpProbe("drop", "i32.const 0 drop", 1, 0),
        OpProbe("select", "i32.const 1 i32.const 2 i32.const 0 select drop", 3, 1),
        OpProbe("local.get", "local.get 0 drop", 0, 1, locals_="(local i32)"),
        OpProbe("local.set", "i32.const 0 local.set 0", 1, 0, locals_="(local i32)"),
        OpProbe("local.tee", "i32.const 0 local.tee 0 drop", 1, 1, locals_="(local i32)"),
        OpProbe("global.get", "global.get $gi32 drop", 0, 1),
        OpProbe("global.set", "i32.const 0 global.set $gi32", 1, 0),
        OpProbe("nop", "nop", 0, 0),
        OpProbe("block", "block end", 0, 0, group="block ... end"),
        OpProbe("loop", "loop end", 0, 0, group="loop ... end (one pass)"),
        OpProbe("if", "i32.const 1 if end", 1, 0, group="if ... end (taken)"),
        OpProbe("else", "i32.const 0 if else end", 1, 0, group="if ... else ... end (else taken) minus if", others=1),
        OpProbe("br", "block br 0 end", 0, 0, group="block br 0 end"),
        OpProbe("br_if", "block i32.const 0 br_if 0 end", 1, 0, group="block br_if 0 (not taken) end"),
        OpProbe("br_table", "block i32.const 0 br_table 0 0 end", 1, 0, group="block br_table end"),
        OpProbe("return", "return", 0, 0),
        OpProbe("call", "call $nop", 0, 0, group="call of an empty function (includes its entry)"),
        OpProbe("call_indirect", "i32.const 0 call_indirect (type $v)", 1, 0,
                group="call_indirect of an empty function (includes its entry)"),
    ]


def catalogue() -> list[OpProbe]:
    """Every pyde-v1 operator, in a stable order (``unreachable`` is measured
    by :func:`write_back_table`: it traps)."""
    return _numeric_catalogue() + _memory_catalogue() + _other_catalogue()


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------


@attrs.frozen
class Baseline:
    entry: int  # an empty function's cost
    const: int  # i32.const
    drop: int


class FuelProbe:
    """Fuel measurements on ``backend``: a twin (default: the default
    version's) or a :class:`~pyde_ref.diff.reference_backend.ReferenceMachine`."""

    def __init__(self, backend=None):
        if backend is None:
            backend = get_twin()
        self.backend = backend
        self._baseline: Optional[Baseline] = None

    def run_wat(self, wat: str, fuel: int = AMPLE, func: str = "probe", args=(), *, host: Optional[str] = None,
                instantiate_fuel: int = INSTANTIATE_FUEL) -> CallOutcome:
        return self.backend.call(wasmtime.wat2wasm(wat), func, list(args), fuel, host=host,
                                 instantiate_fuel=instantiate_fuel)

    def measure(self, body: str, fuel: int = AMPLE, **kw) -> CallOutcome:
        return self.run_wat(module_wat(body, **kw), fuel)

    def baseline(self) -> Baseline:
        if self._baseline is None:
            entry = self.measure("").fuel_consumed
            with_const = self.measure("i32.const 0", results="(result i32)").fuel_consumed
            with_drop = self.measure("i32.const 0 drop").fuel_consumed
            self._baseline = Baseline(entry, with_const - entry, with_drop - with_const)
        return self._baseline

    def operator_cost(self, op: OpProbe) -> int:
        """Measured cost of ``op`` (see module docstring).  The probe must
        return normally: a trap would report the last written-back fuel."""
        base = self.baseline()
        out = self.measure(op.body, locals_=op.locals_, results=op.fn_results)
        if out.status != "ok":
            raise AssertionError(f"probe for {op.name} did not return: {out}")
        return out.fuel_consumed - base.entry - op.operands * base.const - op.results * base.drop - op.others

    def cost_table(self) -> dict[str, int]:
        """``{operator: cost}`` for the whole catalogue."""
        return {op.name: self.operator_cost(op) for op in catalogue()}

    def bulk_charge(self, op: str, lengths=(0, 1, 2, 10, 100)) -> dict[int, int]:
        """Fuel of ``op`` (memory.fill/copy/init, table.init/copy) by constant
        length, the three ``i32.const`` operands and the entry excluded."""
        base = self.baseline()
        immediate = {"memory.init": " $d", "table.init": " $e"}.get(op, "")
        found = {}
        for n in lengths:
            out = self.measure(f"i32.const 0 i32.const 0 i32.const {n} {op}{immediate}")
            found[n] = out.fuel_consumed - base.entry - 3 * base.const
        return found

    def grow_charge(self, deltas=(0, 1, 2, 5, 100, 1023, 1024, 2000, 65536)) -> dict[int, tuple[int, int]]:
        """``{pages requested: (memory.grow result, fuel)}``; the memory starts
        at 1 page, the cap is 1024 pages, so requests above 1023 fail (-1)."""
        base = self.baseline()
        found = {}
        for n in deltas:
            out = self.measure(f"i32.const {n} memory.grow", results="(result i32)")
            found[n] = (out.results[0], out.fuel_consumed - base.entry - base.const)
        return found

    def minimal_budget(self, wat: str, func: str = "probe", limit: int = 100_000, args=()) -> int:
        """The smallest budget with which ``func`` returns normally
        (bisection; success is monotone in the budget)."""
        wasm = wasmtime.wat2wasm(wat)

        def ok(budget: int) -> bool:
            return self.backend.call(wasm, func, list(args), budget).status == "ok"

        lo, hi = 0, limit  # lo fails, hi succeeds
        if not ok(hi):
            raise AssertionError("does not succeed within the limit")
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ok(mid):
                hi = mid
            else:
                lo = mid
        return hi


def main(argv=None) -> int:
    """Print the measured table of one wasmtime version (the source of
    spec/findings/wasmtime-fuel-costs.md and wasmtime-45-vs-50.md)."""
    parser = argparse.ArgumentParser(prog="python -m pyde_ref.diff.fuel_probe")
    add_wasmtime_argument(parser)
    args = parser.parse_args(argv)
    probe = FuelProbe(get_twin(args.wasmtime))
    base = probe.baseline()
    print(f"wasmtime {probe.backend.wasmtime_release}")
    print(f"entry {base.entry}, i32.const {base.const}, drop {base.drop}")
    by_cost: dict[int, list[str]] = {}
    for name, cost in probe.cost_table().items():
        by_cost.setdefault(cost, []).append(name)
    for cost in sorted(by_cost):
        print(f"cost {cost} ({len(by_cost[cost])} operators): {' '.join(by_cost[cost])}")
    for op in ("memory.fill", "memory.copy", "memory.init", "table.init", "table.copy"):
        lengths = (0, 1, 2, 3) if op.startswith("table") else (0, 1, 2, 10, 26)
        print(f"{op}: {probe.bulk_charge(op, lengths)}")
    print(f"memory.grow from 1 page (result, fuel): {probe.grow_charge()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
