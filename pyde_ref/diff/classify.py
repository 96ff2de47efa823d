"""Every difference classified: explained, known hazard, or unexplained (issue 5, part 2).

One call is run three times: by wasmtime (the twin of the chosen version,
:mod:`.twin`), by the reference under the ``spec`` fuel model and by the
reference under that version's own fuel model (``wasmtime-45``,
``wasmtime-50``; :func:`pyde_ref.diff.twin.reference_fuel_model`).  Then:

``agree``
    both reference runs match wasmtime on every compared field.
``explained``
    the ``spec`` run differs, the version's model matches wasmtime exactly:
    the difference is wasmtime's fuel check and write-back placement (and,
    for 45, its flat bulk costs), nothing else (spec/findings/fuel-models.md).
``known_hazard``
    the model run differs too, and the case is one of the findings listed in
    :data:`HAZARDS` (e.g. native stack depth).
``unexplained``
    anything else, including a backend crashing: a bug on one side or in the
    model, to be fixed or explained.

A whole wave is classified the same way, receipt by receipt
(:func:`pyde_ref.diff.wave_diff.classify_wave`).
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import attrs

from pyde_ref.diff.compare import Difference, diff_calls
from pyde_ref.diff.outcome import CRASH, CallOutcome
from pyde_ref.diff.reference_backend import ReferenceMachine
from pyde_ref.diff.twin import DEFAULT_WASMTIME, get_twin, reference_fuel_model
from pyde_ref.wasm.binary import decode_module

AGREE = "agree"
EXPLAINED = "explained"
KNOWN_HAZARD = "known_hazard"
UNEXPLAINED = "unexplained"


# --------------------------------------------------------------------------
# What a module contains (read with the reference decoder)
# --------------------------------------------------------------------------


def _decoded(wasm: bytes):
    try:
        return decode_module(wasm)
    except Exception:
        return None


def _bodies(module):
    """Every function body's instruction names, in order."""
    for func in module.funcs:
        yield [instr.op for instr in func.body]


def const_offset(expr) -> Optional[int]:
    """The value of an ``i32.const`` offset expression, else ``None``."""
    if expr is None or len(expr) < 1 or expr[0].op != "i32.const":
        return None
    return expr[0].value & 0xFFFF_FFFF


#: Operators whose last operand is a length wasmtime 50 charges per unit.
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
    module = _decoded(wasm)
    if module is None:
        return False
    for ops in _bodies(module):
        for i, op in enumerate(ops):
            if op not in LENGTH_OPS or i == 0:
                continue
            before = ops[i - 1]
            certain = before in _NOT_AMBIGUOUS or (before.startswith(_NOT_AMBIGUOUS_PREFIXES)
                                                    and not before.endswith(".const") or before == "i32.const")
            if not certain:
                return True
    return False


#: Extent (bytes, from the start of the lowest active data segment to the end
#: of the highest) from which wasmtime 50 stops building a memory image and
#: initializes the data segments by running code that consumes fuel
#: (spec/findings/wasmtime-fuel-instantiation.md).
SPARSE_IMAGE_EXTENT = 16 * 1024 * 1024


def active_data_extent(wasm: bytes) -> int:
    """The span of the active data segments with constant offsets (0 if none)."""
    module = _decoded(wasm)
    if module is None:
        return 0
    spans = []
    for data in module.datas:
        start = const_offset(data.offset)
        if start is not None:
            spans.append((start, start + len(data.init)))
    if not spans:
        return 0
    return max(e for _, e in spans) - min(s for s, _ in spans)


# --------------------------------------------------------------------------
# Hazards
# --------------------------------------------------------------------------

#: Fields a fuel difference can touch: the fuel, and through an out-of-fuel
#: trap that one side takes and the other not, the outcome.
_FUEL_FIELDS = frozenset({"status", "trap", "results", "fuel_consumed", "instantiate_fuel", "memory_hash",
                          "globals", "state_hash"})


def fuel_only(wasmtime: CallOutcome, model: CallOutcome) -> bool:
    """The two runs differ only in fuel, or in what an out-of-fuel trap on
    one side (a call or an instantiation) changed."""
    fields = {d.field for d in diff_calls(model, wasmtime)}
    if fields <= {"fuel_consumed", "instantiate_fuel"}:
        return True
    return fields <= _FUEL_FIELDS and "out_of_fuel" in (wasmtime.trap, model.trap)


def _call_depth(_wasm: bytes, wasmtime: CallOutcome, model: CallOutcome) -> bool:
    """wasmtime overflows a native stack whose depth depends on frame sizes;
    the reference counts frames.  Either side running out of stack makes the
    two disagree on where the trap is, and so on fuel."""
    return "call_stack_exhausted" in (wasmtime.trap, model.trap)


def _bulk_length(wasm: bytes, wasmtime: CallOutcome, model: CallOutcome) -> bool:
    return fuel_only(wasmtime, model) and "instantiate_fuel" not in {
        d.field for d in diff_calls(model, wasmtime)} and has_ambiguous_length(wasm)


def _memory_image(wasm: bytes, wasmtime: CallOutcome, model: CallOutcome) -> bool:
    fields = {d.field for d in diff_calls(model, wasmtime)}
    return fields == {"instantiate_fuel"} and active_data_extent(wasm) >= SPARSE_IMAGE_EXTENT


@attrs.frozen
class Hazard:
    """A recorded finding that explains a class of differences: ``applies``
    is a predicate on (module, wasmtime outcome, model outcome), checked only
    for the wasmtime versions in ``versions``.  ``in_wave`` is the predicate
    on a module alone for a hazard whose effect a wave cannot show directly
    (it happens in a sub-call: the caller sees only another status code)."""

    name: str
    finding: str
    versions: frozenset
    applies: Callable[[bytes, CallOutcome, CallOutcome], bool]
    in_wave: Optional[Callable[[bytes], bool]] = None


ALL_VERSIONS = frozenset({"45", "50"})

HAZARDS: tuple[Hazard, ...] = (
    Hazard("call-depth", "spec/findings/call-depth.md", ALL_VERSIONS, _call_depth),
    # wasmtime 45 charges no length and runs no initialization code, so neither 50-only charge can differ there
    Hazard("bulk-length-constness", "spec/findings/wasmtime-fuel-charges.md", frozenset({"50"}), _bulk_length),
    # in a wave, a frame's instantiation fuel shows only in its gas (or a caller's status code)
    Hazard("sparse-memory-image", "spec/findings/wasmtime-fuel-instantiation.md", frozenset({"50"}),
           _memory_image, in_wave=lambda wasm: active_data_extent(wasm) >= SPARSE_IMAGE_EXTENT),
)


@attrs.frozen
class Verdict:
    category: str
    spec_differences: tuple[Difference, ...] = ()
    model_differences: tuple[Difference, ...] = ()
    #: the hazard's name (known_hazard)
    hazard: Optional[str] = None

    def to_json(self) -> dict:
        return {
            "category": self.category,
            "hazard": self.hazard,
            "spec_differences": [d.to_json() for d in self.spec_differences],
            "model_differences": [d.to_json() for d in self.model_differences],
        }


def explain(wasm: bytes, wasmtime: CallOutcome, model: CallOutcome, version: str,
            in_wave: bool = False) -> tuple[Optional[str], Optional[str]]:
    """``(category, reason)`` for a model difference: a known hazard, or
    ``(None, None)``.  ``in_wave``: the outcomes are a wave's receipts, so
    hazards with a module predicate for waves (:attr:`Hazard.in_wave`) may
    apply on the module alone."""
    for hazard in HAZARDS:
        if version not in hazard.versions:
            continue
        if hazard.applies(wasm, wasmtime, model) or (in_wave and hazard.in_wave is not None and hazard.in_wave(wasm)):
            return KNOWN_HAZARD, hazard.name
    return None, None


def classify(wasmtime: CallOutcome, spec: CallOutcome, model: CallOutcome, wasm: bytes = b"",
             version: str = DEFAULT_WASMTIME) -> Verdict:
    """Classify one call from its three outcomes (see module docstring);
    ``wasm`` lets hazards that depend on the module's code look at it."""
    spec_diffs = tuple(diff_calls(spec, wasmtime))
    model_diffs = tuple(diff_calls(model, wasmtime))
    if CRASH in (wasmtime.status, spec.status, model.status):
        return Verdict(UNEXPLAINED, spec_diffs, model_diffs)
    if not model_diffs:
        return Verdict(EXPLAINED if spec_diffs else AGREE, spec_diffs, model_diffs)
    category, reason = explain(wasm, wasmtime, model, version)
    return Verdict(category or UNEXPLAINED, spec_diffs, model_diffs, hazard=reason)


@attrs.frozen
class CaseResult:
    func: str
    args: tuple[int, ...]
    fuel: int
    wasmtime: CallOutcome
    spec: CallOutcome
    model: CallOutcome
    verdict: Verdict
    version: str = DEFAULT_WASMTIME
    model_name: str = f"wasmtime-{DEFAULT_WASMTIME}"

    def to_json(self) -> dict:
        return {
            "func": self.func,
            "args": list(self.args),
            "fuel": self.fuel,
            "wasmtime_version": self.version,
            "fuel_model": self.model_name,
            "verdict": self.verdict.to_json(),
            "wasmtime": self.wasmtime.to_json(),
            "spec": self.spec.to_json(),
            "model": self.model.to_json(),
        }


def guarded(call: Callable[[], CallOutcome]) -> CallOutcome:
    """``call()``, or a :data:`CRASH` outcome naming the exception it raised
    (a backend's bug, a twin's process dying): reported, never hidden."""
    try:
        return call()
    except Exception as e:
        return CallOutcome(CRASH, detail=f"{type(e).__name__}: {e}")


def run_case(wasm: bytes, func: str, args: Sequence[int], fuel: int, *, with_host: bool = False,
             wasmtime: str = DEFAULT_WASMTIME, tier: str = "fast") -> CaseResult:
    """Run one call on the three backends and classify it.  ``with_host``
    binds the module's ``pyde`` imports to the host functions in a fresh,
    identical frame for each run (:mod:`.hostframe`); ``wasmtime`` is the
    twin's version; ``tier`` the execution tier of the reference's ``spec``
    run (its wasmtime models exist on the fast tier only)."""
    host = "pyde" if with_host else None
    model_name = reference_fuel_model(wasmtime)
    wt = guarded(lambda: get_twin(wasmtime).call(wasm, func, args, fuel, host=host))
    spec = guarded(lambda: ReferenceMachine("spec", tier).call(wasm, func, args, fuel, host=host))
    model = guarded(lambda: ReferenceMachine(model_name).call(wasm, func, args, fuel, host=host))
    verdict = classify(wt, spec, model, wasm, wasmtime)
    return CaseResult(func, tuple(args), fuel, wt, spec, model, verdict, wasmtime, model_name)
