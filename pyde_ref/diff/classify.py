"""Every difference classified: explained, known hazard, or unexplained (issue 5, part 2).

One call is run three times: by wasmtime, by the reference under the ``spec``
fuel model and by the reference under the ``wasmtime-50`` fuel model
(:mod:`pyde_ref.wasm.fuel`).  Then:

``agree``
    both reference runs match wasmtime on every compared field.
``explained``
    the ``spec`` run differs, the ``wasmtime-50`` run matches wasmtime
    exactly: the difference is wasmtime's fuel check and write-back placement,
    nothing else (spec/findings/fuel-models.md).
``known_hazard``
    the ``wasmtime-50`` run differs too, and the case is one of the findings
    listed in :data:`HAZARDS` (e.g. native stack depth).
``unexplained``
    anything else, including the reference crashing: a bug on one side or
    in the model, to be fixed or explained.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import attrs

from pyde_ref.diff.compare import Difference, diff_calls
from pyde_ref.diff.outcome import CallOutcome

#: Status of an outcome whose backend raised an unexpected Python exception.
CRASH = "crash"

AGREE = "agree"
EXPLAINED = "explained"
KNOWN_HAZARD = "known_hazard"
UNEXPLAINED = "unexplained"
CATEGORIES = (AGREE, EXPLAINED, KNOWN_HAZARD, UNEXPLAINED)


def _call_depth(wasmtime: CallOutcome, model: CallOutcome) -> bool:
    """wasmtime overflows a native stack whose depth depends on frame sizes;
    the reference counts frames.  Either side running out of stack makes the
    two disagree on where the trap is, and so on fuel."""
    return "call_stack_exhausted" in (wasmtime.trap, model.trap)


#: Operators whose last operand is a length wasmtime charges per unit.
LENGTH_OPS = frozenset({"memory.fill", "memory.copy", "memory.init", "table.init", "table.copy", "memory.grow"})
#: Instructions after which the length is certainly not a compile-time
#: constant... or certainly one (``i32.const``): everything else before a
#: length operator (``local.get``, ``global.get``, ``local.tee``, a block
#: end, a branch...) leaves it to Cranelift's SSA construction.
_NOT_AMBIGUOUS_PREFIXES = ("i32.", "i64.", "f32.", "f64.")
_NOT_AMBIGUOUS = frozenset({"call", "call_indirect", "select", "memory.size", "memory.grow"})


def has_ambiguous_length(wasm: bytes) -> bool:
    """Whether some length operator of ``wasm`` takes its length from an
    instruction whose compile-time constness only Cranelift's SSA
    construction decides (spec/findings/wasmtime-fuel-charges.md)."""
    from pyde_ref.wasm.binary import decode_module

    try:
        module = decode_module(wasm)
    except Exception:
        return False
    for func in module.funcs:
        body = func.body
        for i, instr in enumerate(body):
            if instr.op not in LENGTH_OPS or i == 0:
                continue
            before = body[i - 1].op
            certain = before in _NOT_AMBIGUOUS or (before.startswith(_NOT_AMBIGUOUS_PREFIXES)
                                                    and not before.endswith(".const") or before == "i32.const")
            if not certain:
                return True
    return False


#: Fields a bulk-length constness difference can touch: the fuel, and through
#: an out-of-fuel trap that one side takes and the other not, the outcome.
_FUEL_FIELDS = frozenset({"status", "trap", "results", "fuel_consumed", "memory_hash", "globals", "state_hash"})


def _bulk_length(wasm: bytes, wasmtime: CallOutcome, model: CallOutcome) -> bool:
    fields = {d.field for d in diff_calls(model, wasmtime)}
    fuel_only = fields == {"fuel_consumed"} or (
        fields <= _FUEL_FIELDS and "out_of_fuel" in (wasmtime.trap, model.trap))
    return fuel_only and has_ambiguous_length(wasm)


#: Extent (bytes, from the start of the lowest active data segment to the end
#: of the highest) from which wasmtime 50 stops building a memory image and
#: initializes the data segments by running code that consumes fuel
#: (spec/findings/wasmtime-fuel-instantiation.md).
SPARSE_IMAGE_EXTENT = 16 * 1024 * 1024


def active_data_extent(wasm: bytes) -> int:
    """The span of the active data segments with constant offsets (0 if none)."""
    from pyde_ref.wasm.binary import decode_module

    try:
        module = decode_module(wasm)
    except Exception:
        return 0
    spans = []
    for data in module.datas:
        offset = data.offset
        if offset is None or len(offset) < 1 or offset[0].op != "i32.const":
            continue
        start = offset[0].value & 0xFFFF_FFFF
        spans.append((start, start + len(data.init)))
    if not spans:
        return 0
    return max(e for _, e in spans) - min(s for s, _ in spans)


def _memory_image(wasm: bytes, wasmtime: CallOutcome, model: CallOutcome) -> bool:
    fields = {d.field for d in diff_calls(model, wasmtime)}
    return fields == {"instantiate_fuel"} and active_data_extent(wasm) >= SPARSE_IMAGE_EXTENT


#: (name, finding, predicate(wasm, wasmtime outcome, wasmtime-50 reference outcome)).
HAZARDS: tuple[tuple[str, str, Callable[[bytes, CallOutcome, CallOutcome], bool]], ...] = (
    ("call-depth", "spec/findings/call-depth.md", lambda _wasm, wt, model: _call_depth(wt, model)),
    ("bulk-length-constness", "spec/findings/wasmtime-fuel-charges.md", _bulk_length),
    ("sparse-memory-image", "spec/findings/wasmtime-fuel-instantiation.md", _memory_image),
)


@attrs.frozen
class Verdict:
    category: str
    spec_differences: tuple[Difference, ...] = ()
    model_differences: tuple[Difference, ...] = ()
    hazard: Optional[str] = None

    def to_json(self) -> dict:
        return {
            "category": self.category,
            "hazard": self.hazard,
            "spec_differences": [d.to_json() for d in self.spec_differences],
            "model_differences": [d.to_json() for d in self.model_differences],
        }


def classify(wasmtime: CallOutcome, spec: CallOutcome, model: CallOutcome, wasm: bytes = b"") -> Verdict:
    """Classify one call from its three outcomes (see module docstring);
    ``wasm`` lets hazards that depend on the module's code look at it."""
    spec_diffs = tuple(diff_calls(spec, wasmtime))
    model_diffs = tuple(diff_calls(model, wasmtime))
    if CRASH in (wasmtime.status, spec.status, model.status):
        return Verdict(UNEXPLAINED, spec_diffs, model_diffs)
    if not model_diffs:
        return Verdict(EXPLAINED if spec_diffs else AGREE, spec_diffs, model_diffs)
    for name, _finding, applies in HAZARDS:
        if applies(wasm, wasmtime, model):
            return Verdict(KNOWN_HAZARD, spec_diffs, model_diffs, hazard=name)
    return Verdict(UNEXPLAINED, spec_diffs, model_diffs)


@attrs.frozen
class CaseResult:
    func: str
    args: tuple[int, ...]
    fuel: int
    wasmtime: CallOutcome
    spec: CallOutcome
    model: CallOutcome
    verdict: Verdict

    def to_json(self) -> dict:
        return {
            "func": self.func,
            "args": list(self.args),
            "fuel": self.fuel,
            "verdict": self.verdict.to_json(),
            "wasmtime": self.wasmtime.to_json(),
            "spec": self.spec.to_json(),
            "wasmtime-50": self.model.to_json(),
        }


def _reference(wasm: bytes, func: str, args: Sequence[int], fuel: int, model: str, with_host: bool,
               tier: str = "fast") -> CallOutcome:
    from pyde_ref.diff import hostframe
    from pyde_ref.diff.reference_backend import run_bare

    ctx = hostframe.make_context() if with_host else None
    try:
        out = run_bare(wasm, func, args, fuel, fuel_model=model,
                       imports=hostframe.reference_imports(ctx) if with_host else None, tier=tier)
    except Exception as e:  # a reference bug: reported, never hidden
        return CallOutcome(CRASH, detail=f"{type(e).__name__}: {e}")
    return hostframe.with_state(out, ctx)


def _wasmtime(wasm: bytes, func: str, args: Sequence[int], fuel: int, with_host: bool) -> CallOutcome:
    from pyde_ref.diff import hostframe
    from pyde_ref.diff.wasmtime_backend import run_bare

    ctx = hostframe.make_context() if with_host else None
    try:
        out = run_bare(wasm, func, args, fuel, imports=hostframe.wasmtime_imports(ctx) if with_host else None)
    except Exception as e:  # e.g. a host function failing outside the ABI's errors
        return CallOutcome(CRASH, detail=f"{type(e).__name__}: {e}")
    return hostframe.with_state(out, ctx)


def run_case(wasm: bytes, func: str, args: Sequence[int], fuel: int, *, with_host: bool = False,
             tier: str = "fast") -> CaseResult:
    """Run one call on the three backends and classify it.  ``with_host``
    binds the module's ``pyde`` imports to the host functions in a fresh,
    identical frame for each run (:mod:`.hostframe`).  ``tier`` is the
    execution tier of the ``spec`` run (the ``wasmtime-50`` model exists on
    the fast tier only)."""
    wt = _wasmtime(wasm, func, args, fuel, with_host)
    spec = _reference(wasm, func, args, fuel, "spec", with_host, tier)
    model = _reference(wasm, func, args, fuel, "wasmtime-50", with_host)
    return CaseResult(func, tuple(args), fuel, wt, spec, model, classify(wt, spec, model, wasm))
