"""The tier check of the fuzz campaign (``pyde-ref fuzz --tier-check``).

Every generated module and call runs on both execution tiers of the
reference machine (:data:`pyde_ref.wasm.TIERS`) under the ``spec`` fuel model,
with the same host frame when the module imports ``pyde`` host functions.
The two tiers are one machine (the fast tier is an optimisation of the
reading tier), so *any* difference in a compared field -- status, results,
trap kind, instantiation fuel, fuel consumed, the final memory's digest, the
exported mutable globals, the host frame's state writes and events -- is a
failure: the campaign counts it, exits 3 and saves the module with a record
of the call (:func:`save`).
"""

from __future__ import annotations

import json
import os
from typing import Sequence

import attrs

from pyde_ref.diff import classify as cl
from pyde_ref.diff.compare import CALL_FIELDS
from pyde_ref.diff.outcome import CallOutcome
from pyde_ref.diff.reference_backend import ReferenceMachine

#: The summary keys a campaign with the tier check adds.
SUMMARY_KEYS = ("tier_checked", "tier_differences")


@attrs.frozen
class TierCheck:
    """One call on both tiers: their outcomes and the fields that differ."""

    func: str
    args: tuple[int, ...]
    fuel: int
    fast: CallOutcome
    reading: CallOutcome
    differences: tuple[str, ...]

    def to_json(self) -> dict:
        return {"func": self.func, "args": list(self.args), "fuel": self.fuel,
                "differences": list(self.differences), "fast": self.fast.to_json(),
                "reading": self.reading.to_json()}


def check_call(wasm: bytes, func: str, args: Sequence[int], fuel: int, with_host: bool) -> TierCheck:
    """Run one call on both tiers and compare every field (a crash of either
    tier is a difference too: its status is ``crash``)."""
    host = "pyde" if with_host else None
    fast = cl.guarded(lambda: ReferenceMachine("spec", "fast").call(wasm, func, args, fuel, host=host))
    reading = cl.guarded(lambda: ReferenceMachine("spec", "reading").call(wasm, func, args, fuel, host=host))
    differences = tuple(name for name in CALL_FIELDS if getattr(fast, name) != getattr(reading, name))
    if cl.CRASH in (fast.status, reading.status) and "status" not in differences:
        differences = ("status",) + differences
    return TierCheck(func, tuple(args), fuel, fast, reading, differences)


def start_summary(summary: dict) -> None:
    """Add the tier check's counters to a campaign summary."""
    summary["tier_checked"] = 0
    summary["tier_differences"] = []


def count(summary: dict, case: int, checks: Sequence[TierCheck]) -> list[TierCheck]:
    """Count one case's checks; the ones that differ."""
    summary["tier_checked"] += len(checks)
    differing = [check for check in checks if check.differences]
    for check in differing:
        summary["tier_differences"].append({"case": case, "func": check.func,
                                            "differences": list(check.differences)})
    return differing


def save(directory: str, seed: int, case: int, wasm: bytes, check: TierCheck, with_host: bool) -> str:
    """Save the module and a JSON record of the differing call; the path
    (without extension)."""
    os.makedirs(directory, exist_ok=True)
    safe = "".join(c if c.isalnum() else f"x{ord(c):02x}" for c in check.func)[:40] or "module"
    path = os.path.join(directory, f"tiers-{seed}-{case}-{safe}")
    with open(path + ".wasm", "wb") as f:
        f.write(wasm)
    with open(path + ".json", "w") as f:
        json.dump({"with_host": with_host, **check.to_json()}, f, indent=1, sort_keys=True)
        f.write("\n")
    return path
