"""``pyde-ref consume``: fixtures against an engine, a verdict per fixture.

A fixture *passes* when the engine's output document equals the fixture's
``expected`` in every normative field (:func:`pyde_ref.conformance.fixture.normative`);
otherwise the verdict names the *first difference* in document order: its
JSON path, the expected value and the engine's, and the label of the
transaction it belongs to.  On the ``wasmtime`` engine the fixture is
first held to its own ``expected``: the reference's run of its input must
equal it, else the fixture fails with that first difference (exactly as on
the ``pyde-ref`` engine) -- a tampered or stale fixture never passes.  Then
a difference of the twin goes to the oracle's classifier: what it explains
(wasmtime's fuel check and write-back placement, a recorded hazard) is
*classified*, with its category and reason; only the rest fails.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional, Sequence

import attrs

from pyde_ref.conformance.engines import Engine, EngineFailure, WasmtimeEngine
from pyde_ref.conformance.fixture import Difference, Fixture, first_difference, normative, receipt_of
from pyde_ref.diff import classify

PASS = "pass"
FAIL = "fail"
ERROR = "error"
CLASSIFIED = "classified"


@attrs.frozen
class Verdict:
    path: str
    name: str
    status: str
    difference: Optional[Difference] = None
    case: Optional[str] = None
    """The label of the transaction the difference lies in, if any."""
    message: Optional[str] = None
    category: Optional[str] = None
    hazard: Optional[str] = None

    def to_json(self) -> dict:
        out = {"fixture": self.name, "path": self.path, "status": self.status}
        if self.difference is not None:
            out["first_difference"] = self.difference.to_json()
        for key in ("case", "message", "category", "hazard"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    def line(self) -> str:
        text = f"{self.status.upper():10} {self.name}"
        if self.difference is not None:
            d = self.difference
            text += f"\n           at {d.path}: expected {_short(d.expected)}, got {_short(d.got)}"
            if self.case:
                text += f"\n           transaction: {self.case}"
        if self.category is not None:
            text += f"\n           {self.category}" + (f": {self.hazard}" if self.hazard else "")
        if self.message is not None:
            text += f"\n           {self.message}"
        return text


def _short(value, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def compare(fixture: Fixture, got: dict) -> Optional[Difference]:
    return first_difference(normative(fixture.expected), normative(got))


def case_of(fixture: Fixture, difference: Difference) -> Optional[str]:
    where = receipt_of(difference.path)
    return None if where is None else fixture.case(*where)


EXPLAINED_REASON = ("how wasmtime meters fuel (its check and write-back points, instantiation): the reference's "
                    "wasmtime fuel model reproduces the twin exactly (spec/findings/fuel-models.md)")
AGREE_REASON = "equal up to trap kinds wasmtime reports under one code (diff/compare.py TRAP_EQUIVALENT)"


def judge(fixture: Fixture, engine: Engine) -> Verdict:
    if isinstance(engine, WasmtimeEngine):
        verdict = judge(fixture, engine.reference)
        if verdict.status != PASS:
            return verdict
    try:
        got = engine.run(fixture)
    except EngineFailure as exc:
        return Verdict(fixture.path, fixture.name, ERROR, message=str(exc))
    difference = compare(fixture, got)
    if difference is None:
        return Verdict(fixture.path, fixture.name, PASS)
    case = case_of(fixture, difference)
    if isinstance(engine, WasmtimeEngine):
        verdict = engine.classify(fixture, got)
        if verdict.category != classify.UNEXPLAINED:
            reason = {classify.EXPLAINED: EXPLAINED_REASON, classify.AGREE: AGREE_REASON}.get(
                verdict.category, verdict.hazard)
            return Verdict(fixture.path, fixture.name, CLASSIFIED, difference, case,
                           category=verdict.category, hazard=reason)
        return Verdict(fixture.path, fixture.name, FAIL, difference, case, category=classify.UNEXPLAINED,
                       message=verdict.crash)
    return Verdict(fixture.path, fixture.name, FAIL, difference, case)


def consume(fixtures: Sequence[Fixture], engine: Engine, jobs: int = 1,
            progress: Optional[Callable[[Verdict], None]] = None) -> list[Verdict]:
    """Every fixture on ``engine``, in order (``jobs`` at a time for an
    external engine, whose work is in other processes)."""
    if jobs <= 1:
        verdicts = []
        for f in fixtures:
            verdicts.append(judge(f, engine))
            if progress is not None:
                progress(verdicts[-1])
        return verdicts
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        verdicts = list(pool.map(lambda f: judge(f, engine), fixtures))
    if progress is not None:
        for v in verdicts:
            progress(v)
    return verdicts


def summary(verdicts: Sequence[Verdict]) -> dict:
    counts = {s: 0 for s in (PASS, CLASSIFIED, FAIL, ERROR)}
    for v in verdicts:
        counts[v.status] += 1
    categories: dict[str, int] = {}
    for v in verdicts:
        if v.status == CLASSIFIED:
            key = f"{v.category}: {v.hazard}"
            categories[key] = categories.get(key, 0) + 1
    return {"fixtures": len(verdicts), **counts, "classified_by_reason": categories}
