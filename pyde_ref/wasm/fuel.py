"""Fuel: what every instruction costs, and the two models of *when* it is charged.

Costs are wasmtime's (``shared/reference/wasmtime-50-observed.md``, "Fuel: what
is charged"); seed §3.4 makes fuel the gas meter of a Pyde transaction.

=====================================================  =========================
what                                                   fuel
=====================================================  =========================
entering a wasm function                               :data:`FUNCTION_ENTRY_COST`
``nop drop block loop else end return unreachable``    0 (:data:`FREE_OPS`)
every other instruction                                1 (:data:`BASE_COST`)
``memory.copy`` / ``memory.fill`` / ``memory.init``    1 + 1 per byte (length)
``memory.grow``                                        1 + 1 per page requested
``table.copy`` / ``table.init``                        1 + 1 per element
calling a host function                                1 (the ``call``); the host
                                                       charges its own gas
=====================================================  =========================

The two models (``MachineConfig.fuel_model``) differ only in when the budget is
*checked* and when the consumed fuel becomes *visible* in the :class:`FuelMeter`:

``spec`` (:data:`SPEC`, the default)
    Every instruction is charged before it runs.  If its cost exceeds what is
    left, it traps ``out_of_fuel`` right there and nothing more is charged.
    After any trap, the consumed fuel is everything charged up to and including
    the trapping instruction.  This is "the sender pays gas up to the trap
    point" of the seed, made exact.

``wasmtime-50`` (:data:`WASMTIME_50`)
    What wasmtime 50 observably does: the same costs, but the budget is only
    checked at :data:`WASMTIME_CHECK_POINTS` (a check traps when consumed fuel
    has *reached* the budget), so execution may overdraw between checks (the
    meter then reads 0 remaining), and the consumed fuel is only written back to
    the meter at :data:`WASMTIME_WRITE_BACK_POINTS`: after a trap other than
    ``out_of_fuel`` the meter shows what was last written back.

See ``spec/findings/fuel-models.md`` for the evidence and the consequences.
"""

from __future__ import annotations

from typing import Optional

from .errors import Trap, TrapKind

# ---------------------------------------------------------------------------
# Costs
# ---------------------------------------------------------------------------

FUNCTION_ENTRY_COST = 1
"""Fuel charged on entering any wasm function (wasmtime's prologue charge)."""

BASE_COST = 1
"""Fuel of every instruction not in :data:`FREE_OPS`."""

FREE_OPS = frozenset({"nop", "drop", "block", "loop", "else", "end", "return", "unreachable"})
"""Instructions wasmtime charges nothing for."""

PER_BYTE_OPS = frozenset({"memory.copy", "memory.fill", "memory.init"})
"""Instructions that additionally cost 1 per byte of their length operand."""

PER_PAGE_OPS = frozenset({"memory.grow"})
"""Instructions that additionally cost 1 per page requested (the delta operand)."""

PER_ELEMENT_OPS = frozenset({"table.copy", "table.init"})
"""Instructions that additionally cost 1 per element of their length operand."""

DYNAMIC_COST_OPS = PER_BYTE_OPS | PER_PAGE_OPS | PER_ELEMENT_OPS
"""Instructions whose cost depends on an operand: ``BASE_COST + operand``."""


def static_cost(op: str) -> int:
    """The fixed part of the cost of instruction ``op`` (its whole cost unless
    ``op`` is in :data:`DYNAMIC_COST_OPS`)."""
    return 0 if op in FREE_OPS else BASE_COST


def dynamic_cost(op: str, amount: int) -> int:
    """The whole cost of a :data:`DYNAMIC_COST_OPS` instruction whose length
    (bytes, pages or elements) operand is ``amount``."""
    return BASE_COST + amount


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

SPEC = "spec"
WASMTIME_50 = "wasmtime-50"
FUEL_MODELS = (SPEC, WASMTIME_50)
DEFAULT_FUEL_MODEL = SPEC

WASMTIME_CHECK_POINTS = ("function entry", "loop header")
"""Where the ``wasmtime-50`` model compares consumed fuel with the budget.  A
check traps ``out_of_fuel`` when ``consumed >= budget`` (the entry cost already
included), so an empty function needs a budget of 2."""

WASMTIME_WRITE_BACK_POINTS = ("call", "call_indirect", "function exit", "unreachable", "out_of_fuel",
                              "load/store beyond the memory's maximum")
"""Where the ``wasmtime-50`` model writes consumed fuel back to the meter
(``call``/``call_indirect`` after charging the call itself, before the callee
runs; a function's exit by ``return``, its final ``end`` or a branch to its
outermost label; ``unreachable`` before trapping; a failing check; and a load
or store whose static offset + size exceeds memory 0's declared maximum (or
4 GiB), which wasmtime compiles like ``unreachable``)."""


WASMTIME_STATIC_LENGTH_MAX = 128
"""``wasmtime-50``: a dynamic-cost instruction whose length operand is a
translation-time constant no greater than this is charged on the *static
path* (with the instruction, unchecked, even if it fails); any other length
takes the *runtime path*: charged after the instruction succeeds and checked
on the spot (nothing added if it fails).  See
``spec/findings/wasmtime-fuel-charges.md``."""


def wasmtime_length_is_static(constant_length: int) -> bool:
    """The static-path rule for a length given by an ``i32.const`` right
    before the instruction (the only constness the model recognises; the
    finding lists the other, Cranelift-dependent, cases)."""
    return constant_length <= WASMTIME_STATIC_LENGTH_MAX


WASMTIME_PASSIVE_ELEM_INSTANTIATION_COST = 1
"""``wasmtime-50``: instantiating a module with one or more passive element
segments costs 1 (``spec/findings/wasmtime-fuel-instantiation.md``)."""

WASMTIME_START_INSTANTIATION_COST = 2
"""``wasmtime-50``: instantiating a module with a start function costs 2 on top
of the start function's own cost (and then nothing for passive segments)."""


def wasmtime_instantiation_cost(has_passive_elem: bool, has_start: bool) -> int:
    """What wasmtime 50 charges for instantiation itself (not the start function's body).
    The ``spec`` model charges nothing for instantiation but the start function."""
    if has_start:
        return WASMTIME_START_INSTANTIATION_COST
    return WASMTIME_PASSIVE_ELEM_INSTANTIATION_COST if has_passive_elem else 0


def check_model(name: str) -> str:
    """Return ``name`` if it names a fuel model, else raise ``ValueError``."""
    if name not in FUEL_MODELS:
        raise ValueError(f"unknown fuel model {name!r}; expected one of {', '.join(FUEL_MODELS)}")
    return name


def wasmtime_check_fails(used: int, budget: Optional[int]) -> bool:
    """The ``wasmtime-50`` check: trap when consumed fuel has reached the budget."""
    return budget is not None and used >= budget


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
            raise Trap(TrapKind.OUT_OF_FUEL, f"charging {amount} with {self.remaining} left")
        self.used += amount

    def __repr__(self) -> str:
        return f"FuelMeter(budget={self.budget}, consumed={self.consumed})"
