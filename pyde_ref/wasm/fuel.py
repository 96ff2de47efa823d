"""Fuel: the one cost table, and the models of *when* fuel is charged.

Costs are wasmtime's (``shared/reference/wasmtime-50-observed.md``, "Fuel: what
is charged"); seed §3.4 makes fuel the gas meter of a Pyde transaction.  The
instruction table (:mod:`.instructions`) gives every instruction a fuel class;
:data:`CLASS_COSTS` says what each class costs, and :data:`COSTS` is the
resulting table, by instruction.  Nothing else charges fuel: the reading tier
(:mod:`.eval`) charges from :data:`COSTS` and :data:`FUNCTION_ENTRY_COST`, the
fast tier (:mod:`.predecode`) derives its run costs from the same table
(``tests/wasm/test_instructions.py`` and ``tests/wasm/test_tiers.py`` check it).

=====================================================  =========================
what                                                   fuel
=====================================================  =========================
entering a wasm function                               :data:`FUNCTION_ENTRY_COST`
``nop drop block loop else end return unreachable``    0 (class ``free``)
every other instruction                                1 (class ``base``)
``memory.copy`` / ``memory.fill`` / ``memory.init``    1 + 1 per byte (length)
``memory.grow``                                        1 + 1 per page requested
``table.copy`` / ``table.init``                        1 + 1 per element
calling a host function                                1 (the ``call``); the host
                                                       charges its own gas
=====================================================  =========================

The *length* of the dynamic-cost instructions is always their last operand,
the top of the stack when they start (``n`` of ``memory.fill d val n``, the
delta of ``memory.grow``).

The models (``MachineConfig.fuel_model``, :class:`FuelModel`) charge these
costs and differ in when the budget is *checked* and when the consumed fuel
becomes *visible* in the :class:`FuelMeter`:

``spec`` (:data:`SPEC_MODEL`, the default)
    Every instruction is charged before it runs.  If its cost exceeds what is
    left, it traps ``out_of_fuel`` right there and nothing more is charged.
    After any trap, the consumed fuel is everything charged up to and including
    the trapping instruction.  This is "the sender pays gas up to the trap
    point" of the seed, made exact.  Both execution tiers implement it.

``wasmtime-50`` (:data:`WASMTIME_50_MODEL`)
    What wasmtime 50 observably does: the same costs, but the budget is only
    checked at :data:`WASMTIME_CHECK_POINTS` (a check traps when consumed fuel
    has *reached* the budget), so execution may overdraw between checks (the
    meter then reads 0 remaining), and the consumed fuel is only written back to
    the meter at :data:`WASMTIME_WRITE_BACK_POINTS`: after a trap other than
    ``out_of_fuel`` the meter shows what was last written back.  Instantiation
    costs what wasmtime 50's initialization code costs (:meth:`FuelModel.instantiation_cost`,
    :meth:`FuelModel.failed_segment_cost`).  Only the fast tier implements it,
    with opcodes of its own (``predecode.OP_W*``).

``wasmtime-45`` (:data:`WASMTIME_45_MODEL`)
    What wasmtime 45 observably does: the ``wasmtime-50`` timing, with every
    length-dependent instruction costing its static part only (1, whatever
    its length or result: :data:`FLAT_COSTS`), and an instantiation that runs
    no initialization code (segments are free; a start function is an
    ordinary call under the instantiation budget).  Fast tier only.

See ``spec/findings/fuel-models.md`` and ``spec/findings/wasmtime-45-vs-50.md``
for the evidence and the consequences.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import attrs

from . import instructions
from .errors import Trap, TrapKind

# ---------------------------------------------------------------------------
# Costs: the one table
# ---------------------------------------------------------------------------

FUNCTION_ENTRY_COST = 1
"""Fuel charged on entering any wasm function (wasmtime's prologue charge)."""


@attrs.frozen
class Cost:
    """What one execution of an instruction costs: ``static``, plus
    ``per_unit`` for each unit (byte, page, element) of its length operand."""

    static: int
    per_unit: int = 0

    def of(self, length: int) -> int:
        """The whole cost when the length operand is ``length``."""
        return self.static + self.per_unit * length


CLASS_COSTS: dict[str, Cost] = {
    instructions.FREE: Cost(0),
    instructions.BASE: Cost(1),
    instructions.PER_BYTE: Cost(1, 1),
    instructions.PER_PAGE: Cost(1, 1),
    instructions.PER_ELEMENT: Cost(1, 1),
}
"""The cost of each fuel class of the instruction table."""

COSTS: dict[str, Cost] = {info.name: CLASS_COSTS[info.fuel] for info in instructions.INSTRUCTIONS}
"""The cost of every instruction, by mnemonic."""

DYNAMIC_COST_OPS = frozenset(name for name, cost in COSTS.items() if cost.per_unit)
"""Instructions whose cost depends on their length operand."""


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

SPEC = "spec"
WASMTIME_50 = "wasmtime-50"
WASMTIME_45 = "wasmtime-45"
DEFAULT_FUEL_MODEL = SPEC

PER_INSTRUCTION = "per-instruction"
"""Timing of the ``spec`` model: charge and check before every instruction."""

WASMTIME_TIMING = "wasmtime"
"""Timing of the wasmtime models: checks and write-backs where wasmtime has them."""

FLAT_COSTS: dict[str, Cost] = {name: Cost(cost.static) for name, cost in COSTS.items()}
""":data:`COSTS` without any per-unit part: every length-dependent
instruction costs its static part whatever its length (wasmtime 45)."""


@attrs.frozen
class FuelModel:
    """A fuel model: which costs it charges and when.

    ``costs`` and ``entry_cost`` are what is charged; ``timing`` says when
    (:data:`PER_INSTRUCTION` or :data:`WASMTIME_TIMING`).  The wasmtime timing
    has two more parameters: ``static_length_max`` (a length given by an
    ``i32.const`` no greater than this is charged with its instruction,
    unchecked; any other length after the instruction succeeded, checked;
    only meaningful for costs with a per-unit part), and
    ``initialization_code``: whether an instance that cannot be initialized
    from precomputed images is initialized by running code that costs fuel
    (:meth:`instantiation_cost`, :meth:`failed_segment_cost`,
    ``spec/findings/wasmtime-fuel-instantiation.md``).  Another wasmtime
    version is one more instance with its own parameters."""

    name: str
    timing: str
    costs: Mapping[str, Cost] = COSTS
    entry_cost: int = FUNCTION_ENTRY_COST
    static_length_max: int = 0
    initialization_code: bool = False

    def instantiation_cost(self, has_passive_elem: bool, has_start: bool) -> int:
        """What instantiating a module whose segments all fit costs besides
        its start function's own cost.  With ``initialization_code``, a
        passive element segment or a start function makes the instance run
        initialization code: its entry (``entry_cost``) once, and a ``call``
        of the start function; else nothing."""
        if not self.initialization_code or not (has_passive_elem or has_start):
            return 0
        return self.entry_cost + (self.costs["call"].static if has_start else 0)

    def failed_segment_cost(self, data_lengths_before: Sequence[int]) -> Optional[int]:
        """An active segment does not fit: the fuel the initialization code
        consumes before it finds out, or ``None`` when the model runs no such
        code (the trap is then the segment's, whatever the budget).  The code's
        entry, then a ``memory.init`` for each active data segment before the
        failing one (``data_lengths_before``, their lengths; an element
        segment fails before any data segment is copied).  The caller checks
        it like a function entry (:func:`wasmtime_check_fails`)."""
        if not self.initialization_code:
            return None
        return self.entry_cost + sum(self.costs["memory.init"].of(length) for length in data_lengths_before)

    def length_is_static(self, constant_length: int) -> bool:
        """The static-path rule for a length given by an ``i32.const`` right
        before the instruction (the only constness the wasmtime models
        recognise; ``spec/findings/wasmtime-fuel-charges.md`` lists the other,
        Cranelift-dependent, cases)."""
        return constant_length <= self.static_length_max


SPEC_MODEL = FuelModel(SPEC, PER_INSTRUCTION)

WASMTIME_50_MODEL = FuelModel(WASMTIME_50, WASMTIME_TIMING, static_length_max=128, initialization_code=True)
"""wasmtime 50: static lengths up to 128 (``spec/findings/wasmtime-fuel-charges.md``);
initialization code: 1 with a passive element segment, 2 with a start
function, 1 + Σ(1 + length) before a segment that does not fit
(``spec/findings/wasmtime-fuel-instantiation.md``)."""

WASMTIME_45_MODEL = FuelModel(WASMTIME_45, WASMTIME_TIMING, costs=FLAT_COSTS)
"""wasmtime 45: no length charges, no initialization code
(``spec/findings/wasmtime-45-vs-50.md``)."""

MODELS: dict[str, FuelModel] = {model.name: model for model in (SPEC_MODEL, WASMTIME_45_MODEL, WASMTIME_50_MODEL)}
FUEL_MODELS = tuple(MODELS)

WASMTIME_CHECK_POINTS = ("function entry", "loop header")
"""Where the wasmtime timing compares consumed fuel with the budget.  A
check traps ``out_of_fuel`` when ``consumed >= budget`` (the entry cost already
included), so an empty function needs a budget of 2."""

WASMTIME_WRITE_BACK_POINTS = ("call", "call_indirect", "function exit", "unreachable", "out_of_fuel",
                              "load/store beyond the memory's maximum")
"""Where the wasmtime timing writes consumed fuel back to the meter
(``call``/``call_indirect`` after charging the call itself, before the callee
runs; a function's exit by ``return``, its final ``end`` or a branch to its
outermost label; ``unreachable`` before trapping; a failing check; and a load
or store whose static offset + size exceeds memory 0's declared maximum (or
4 GiB), which wasmtime compiles like ``unreachable``)."""


def model(name: str) -> FuelModel:
    """The model called ``name`` (one of :data:`MODELS`, or a :func:`variant`
    made in this process); ``ValueError`` naming the choices otherwise."""
    found = MODELS.get(name) or _VARIANTS.get(name)
    if found is None:
        raise ValueError(f"unknown fuel model {name!r}; expected one of {', '.join(FUEL_MODELS)}")
    return found


# ---------------------------------------------------------------------------
# Rules: what two models may differ in, one at a time
# ---------------------------------------------------------------------------

INSTANTIATION_RULE = "instantiation"

RULES: dict[str, Optional[str]] = {
    "bulk-memory-length": instructions.PER_BYTE,
    "memory-grow-pages": instructions.PER_PAGE,
    "table-length": instructions.PER_ELEMENT,
    INSTANTIATION_RULE: None,
}
"""The rules in which two models of the same timing can differ, each with the
fuel class whose costs it sets: the costs of each length-dependent class
(``memory.fill``/``copy``/``init`` per byte, ``memory.grow`` per page,
``table.copy``/``init`` per element; a class's rule carries the static-length
rule with it), and instantiation (``initialization_code``).  ``pyde-ref
fuel-diff`` attributes a difference between two models to these rules
(:func:`variant`)."""


def rule_instructions(rule: str) -> list[str]:
    """The instructions whose costs ``rule`` sets (none for instantiation)."""
    return [info.name for info in instructions.INSTRUCTIONS if RULES[rule] and info.fuel == RULES[rule]]


def differing_rules(a: FuelModel, b: FuelModel) -> list[str]:
    """The :data:`RULES` in which models ``a`` and ``b`` differ (in
    :data:`RULES` order); ``ValueError`` when they differ in anything else
    (timing, entry cost, the cost of an operator without a length)."""
    if (a.timing, a.entry_cost) != (b.timing, b.entry_cost):
        raise ValueError(f"{a.name} and {b.name} differ in more than their rules (timing or entry cost)")
    ruled = {op for rule in RULES for op in rule_instructions(rule)}
    if any(a.costs[op] != b.costs[op] for op in a.costs if op not in ruled):
        raise ValueError(f"{a.name} and {b.name} differ in the cost of an operator without a length")
    return [rule for rule in RULES
            if (a.initialization_code != b.initialization_code if rule == INSTANTIATION_RULE
                else any(a.costs[op] != b.costs[op] for op in rule_instructions(rule)))]


_VARIANTS: dict[str, FuelModel] = {}


def variant(base: str, donor: str, rules) -> str:
    """The name of the model that is ``base`` except for ``rules`` (names of
    :data:`RULES`), which it takes from ``donor``: the model that differs from
    ``base`` by those rules alone.  Made on first use and known to
    :func:`model` (so a :class:`~.runtime.MachineConfig` can name it) for the
    life of the process; the same arguments always make the same model."""
    wanted = set(rules)
    unknown = sorted(wanted - set(RULES))
    if unknown:
        raise ValueError(f"unknown fuel rule(s) {unknown}; expected some of {', '.join(RULES)}")
    rules = [rule for rule in RULES if rule in wanted]
    if not rules:
        return base
    name = f"{base}+{','.join(rules)}@{donor}"
    if name not in _VARIANTS:
        mine, theirs = model(base), model(donor)
        costs = dict(mine.costs)
        static_length_max = mine.static_length_max
        for rule in rules:
            costs.update({op: theirs.costs[op] for op in rule_instructions(rule)})
            if any(theirs.costs[op].per_unit for op in rule_instructions(rule)):
                static_length_max = theirs.static_length_max
        if any(cost.per_unit for cost in mine.costs.values()) and static_length_max != mine.static_length_max:
            raise ValueError(f"{base} and {donor} have different static-length rules: no single variant")
        initialization_code = (theirs if INSTANTIATION_RULE in rules else mine).initialization_code
        _VARIANTS[name] = attrs.evolve(mine, name=name, costs=costs, static_length_max=static_length_max,
                                       initialization_code=initialization_code)
    return name


def wasmtime_check_fails(used: int, budget: Optional[int]) -> bool:
    """The wasmtime check: trap when consumed fuel has reached the budget."""
    return budget is not None and used >= budget


def out_of_fuel(amount: int, left: int) -> Trap:
    """The trap of a charge that does not fit (the same words wherever it happens)."""
    return Trap(TrapKind.OUT_OF_FUEL, f"charging {amount} with {left} left")


# ---------------------------------------------------------------------------
# The meter
# ---------------------------------------------------------------------------


class FuelMeter:
    """The fuel budget of one computation (a transaction, a spec-test call).

    ``FuelMeter(None)`` is unlimited but still counts.  Under the ``wasmtime-50``
    model the machine may overdraw the meter between checks; the meter then
    reports ``remaining == 0`` and ``consumed == budget``, as wasmtime's
    ``Store.get_fuel()`` does (the overdraft itself is kept in :attr:`used`).
    """

    __slots__ = ("budget", "used")

    def __init__(self, budget: Optional[int] = None):
        if budget is not None and (not isinstance(budget, int) or budget < 0):
            raise ValueError(f"fuel budget must be a non-negative integer or None, not {budget!r}")
        self.budget = budget
        self.used = 0

    @property
    def consumed(self) -> int:
        """Fuel consumed so far, clamped to the budget."""
        if self.budget is None:
            return self.used
        return min(self.used, self.budget)

    @property
    def remaining(self) -> Optional[int]:
        """Fuel left (``None`` when unlimited), never negative."""
        if self.budget is None:
            return None
        return max(0, self.budget - self.used)

    def charge(self, amount: int) -> None:
        """Charge ``amount``; if it exceeds what is left, trap ``out_of_fuel``
        and charge nothing (host functions charge their gas this way)."""
        if amount < 0:
            raise ValueError(f"cannot charge a negative amount of fuel ({amount})")
        if self.budget is not None and amount > self.budget - self.used:
            raise out_of_fuel(amount, self.remaining)
        self.used += amount

    def __repr__(self) -> str:
        return f"FuelMeter(budget={self.budget}, consumed={self.consumed})"
