"""Field-by-field differences between two outcomes (issue 5, part 2).

For one module call the fields are those of :class:`CallOutcome`: status,
results (bits), trap kind, instantiation fuel, fuel consumed, final memory
hash, final mutable globals.  ``detail`` is free text (error messages differ
between implementations by design) and is never compared.
"""

from __future__ import annotations

from typing import Any

import attrs

from pyde_ref.diff.outcome import UNINSTANTIABLE, CallOutcome

#: The compared fields of a bare call, in report order.
CALL_FIELDS = ("status", "trap", "results", "instantiate_fuel", "fuel_consumed", "memory_hash", "globals",
               "state_hash")

#: Fields that only mean something when both sides got as far as running the
#: call (a rejected module has no fuel, memory or globals).
_RAN = ("ok", "trap", "host_halt")
#: What is compared when both sides stopped before the call with the same status.
_NOT_RAN_FIELDS = {UNINSTANTIABLE: ("status", "trap", "instantiate_fuel")}


#: Reference trap kinds wasmtime reports under another kind's code.  wasmtime
#: has one trap code, TABLE_OUT_OF_BOUNDS, for both an out-of-range
#: ``call_indirect`` index ("undefined element") and an out-of-bounds
#: ``table.init``/``table.copy`` ("out of bounds table access"); the twin
#: reports it as ``undefined_element``.
TRAP_EQUIVALENT = {("table_out_of_bounds", "undefined_element")}


def same_field(name: str, reference: Any, wasmtime: Any) -> bool:
    if reference == wasmtime:
        return True
    return name == "trap" and (reference, wasmtime) in TRAP_EQUIVALENT


@attrs.frozen
class Difference:
    field: str
    reference: Any
    wasmtime: Any

    def to_json(self) -> dict:
        return {"field": self.field, "reference": _jsonable(self.reference), "wasmtime": _jsonable(self.wasmtime)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def diff_calls(reference: CallOutcome, wasmtime: CallOutcome) -> list[Difference]:
    """Every compared field whose values differ, in :data:`CALL_FIELDS` order."""
    fields = CALL_FIELDS
    if reference.status not in _RAN or wasmtime.status not in _RAN:
        # Only the status (and, for a failed instantiation, the trap and the
        # fuel it consumed) can be compared when a side never ran the call.
        fields = _NOT_RAN_FIELDS.get(reference.status, ("status", "trap")) \
            if reference.status == wasmtime.status else ("status",)
    found = []
    for name in fields:
        a, b = getattr(reference, name), getattr(wasmtime, name)
        if not same_field(name, a, b):
            found.append(Difference(name, a, b))
    return found


def diff_records(reference: dict, wasmtime: dict, prefix: str = "") -> list[Difference]:
    """Differences between two JSON-like records (receipts, wave results):
    every key of either side, recursively, in sorted key order; a ``trap``
    field compares as a call's does (:func:`same_field`)."""
    found = []
    for key in sorted(set(reference) | set(wasmtime)):
        a, b = reference.get(key), wasmtime.get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            found += diff_records(a, b, path + ".")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b) \
                and all(isinstance(x, dict) for x in a + b):
            for i, (x, y) in enumerate(zip(a, b)):
                found += diff_records(x, y, f"{path}[{i}].")
        elif not same_field(key, a, b):  # a receipt's "trap" as a call's (TRAP_EQUIVALENT)
            found.append(Difference(path, a, b))
    return found
