"""Every difference classified: explained, known hazard, or unexplained (issue 5, part 2).

One call is run three times: by wasmtime (the twin of the chosen version,
:mod:`.twin`), by the reference under the ``spec`` fuel model and by the
reference under that version's fuel model (``wasmtime-50``;
:func:`pyde_ref.diff.twin.reference_fuel_model`).  Then:

``agree``
    both reference runs match wasmtime on every compared field.
``explained``
    the ``spec`` run differs, the version's model matches wasmtime exactly:
    the difference is wasmtime's fuel check and write-back placement, nothing
    else (spec/findings/fuel-models.md).
``known_hazard``
    the model run differs too, and the case is one of the findings listed in
    :data:`HAZARDS` (e.g. native stack depth).
``no_model``
    the version has no fuel model of its own yet (wasmtime 45): another
    version's model stood in, and the differences are only fuel and what fuel
    decides, in a module using something the two versions charge differently
    (:data:`VERSION_GAPS`; spec/findings/wasmtime-45-vs-50.md).  Once the
    reference has ``wasmtime-45`` this category disappears by itself.
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
from pyde_ref.diff.twin import DEFAULT_WASMTIME

AGREE = "agree"
EXPLAINED = "explained"
KNOWN_HAZARD = "known_hazard"
NO_MODEL = "no_model"
UNEXPLAINED = "unexplained"


# --------------------------------------------------------------------------
# What a module contains (read with the reference decoder)
# --------------------------------------------------------------------------


def _decoded(wasm: bytes):
    from pyde_ref.wasm.binary import decode_module

    try:
        return decode_module(wasm)
    except Exception:
        return None


def _bodies(module):
    """Every function body's instruction names, in order."""
    for func in module.funcs:
        yield [instr.op for instr in func.body]


def _const_offset(expr) -> Optional[int]:
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
        start = _const_offset(data.offset)
        if start is not None:
            spans.append((start, start + len(data.init)))
    if not spans:
        return 0
    return max(e for _, e in spans) - min(s for s, _ in spans)


def data_out_of_bounds(wasm: bytes) -> bool:
    """Whether an active data segment of ``wasm`` does not fit its memory's
    initial size (instantiation then always fails; wasmtime 50 finds out by
    running initialization code that costs fuel,
    spec/findings/wasmtime-fuel-instantiation.md)."""
    from pyde_ref.wasm.runtime import PAGE_SIZE

    module = _decoded(wasm)
    if module is None:
        return False
    size = module.mems[0].limits.min * PAGE_SIZE if module.mems else 0
    for data in module.datas:
        start = _const_offset(data.offset)
        if start is not None and start + len(data.init) > size:
            return True
    return False


def charged_differently_by_45(wasm: bytes) -> bool:
    """Whether ``wasm`` uses something wasmtime 45 and 50 charge differently
    (spec/findings/wasmtime-45-vs-50.md): a length operator (45: 1 whatever
    the length), a start function or a passive element segment (50 wraps
    instantiation: +2 / +1), or sparse data segments (50: initialized by code)."""
    module = _decoded(wasm)
    if module is None:
        return False
    if module.start is not None or any(elem.mode == "passive" for elem in module.elems):
        return True
    if any(LENGTH_OPS.intersection(ops) for ops in _bodies(module)):
        return True
    return active_data_extent(wasm) >= SPARSE_IMAGE_EXTENT


# --------------------------------------------------------------------------
# Hazards and version gaps
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


_DATA_TRAPS = frozenset({"out_of_fuel", "memory_out_of_bounds"})


def _data_out_of_bounds(wasm: bytes, wasmtime: CallOutcome, model: CallOutcome) -> bool:
    """Too little fuel to instantiate a module whose data does not fit: wasmtime
    50 traps ``out_of_fuel`` while initializing, the model ``memory_out_of_bounds``."""
    fields = {d.field for d in diff_calls(model, wasmtime)}
    return (fields <= {"trap", "instantiate_fuel", "fuel_consumed"} and {wasmtime.trap, model.trap} == _DATA_TRAPS
            and data_out_of_bounds(wasm))


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
    # wasmtime 45 charges no length, so neither 50-only charge can differ there
    Hazard("bulk-length-constness", "spec/findings/wasmtime-fuel-charges.md", frozenset({"50"}), _bulk_length),
    Hazard("sparse-memory-image", "spec/findings/wasmtime-fuel-instantiation.md", frozenset({"50"}),
           _memory_image),
    Hazard("data-out-of-bounds", "spec/findings/wasmtime-fuel-instantiation.md", frozenset({"50"}),
           _data_out_of_bounds, in_wave=data_out_of_bounds),
)

#: Version -> predicate on a module: it uses something that version charges
#: differently from the model standing in for it (only consulted while the
#: version has no fuel model of its own).
VERSION_GAPS: dict[str, Callable[[bytes], bool]] = {"45": charged_differently_by_45}


def no_model_reason(version: str) -> str:
    return f"fuel model not implemented for wasmtime {version}"


@attrs.frozen
class Verdict:
    category: str
    spec_differences: tuple[Difference, ...] = ()
    model_differences: tuple[Difference, ...] = ()
    #: the hazard's name (known_hazard) or why no model applied (no_model)
    hazard: Optional[str] = None

    def to_json(self) -> dict:
        return {
            "category": self.category,
            "hazard": self.hazard,
            "spec_differences": [d.to_json() for d in self.spec_differences],
            "model_differences": [d.to_json() for d in self.model_differences],
        }


def explain(wasm: bytes, wasmtime: CallOutcome, model: CallOutcome, version: str,
            exact_model: bool, in_wave: bool = False) -> tuple[Optional[str], Optional[str]]:
    """``(category, reason)`` for a model difference: a known hazard, a
    version without a model, or ``(None, None)``.  ``in_wave``: the outcomes
    are a wave's receipts, so hazards with a module predicate for waves
    (:attr:`Hazard.in_wave`) may apply on the module alone."""
    if not exact_model:
        # Only the version-independent hazards mean anything against a
        # stand-in model; the model's own charges are the gap itself.
        if _call_depth(wasm, wasmtime, model):
            return KNOWN_HAZARD, "call-depth"
        gap = VERSION_GAPS.get(version)
        # In a wave the fuel is observable (tx_gas_remaining, a sub-call's
        # budget): a module of the wave using the gap explains the receipt.
        if gap is not None and (in_wave or fuel_only(wasmtime, model)) and gap(wasm):
            return NO_MODEL, no_model_reason(version)
        return None, None
    for hazard in HAZARDS:
        if version in hazard.versions and hazard.applies(wasm, wasmtime, model):
            return KNOWN_HAZARD, hazard.name
        if in_wave and version in hazard.versions and hazard.in_wave is not None and hazard.in_wave(wasm):
            return KNOWN_HAZARD, hazard.name
    return None, None


def classify(wasmtime: CallOutcome, spec: CallOutcome, model: CallOutcome, wasm: bytes = b"",
             version: str = DEFAULT_WASMTIME, exact_model: bool = True) -> Verdict:
    """Classify one call from its three outcomes (see module docstring);
    ``wasm`` lets hazards that depend on the module's code look at it."""
    spec_diffs = tuple(diff_calls(spec, wasmtime))
    model_diffs = tuple(diff_calls(model, wasmtime))
    if CRASH in (wasmtime.status, spec.status, model.status):
        return Verdict(UNEXPLAINED, spec_diffs, model_diffs)
    if not model_diffs:
        return Verdict(EXPLAINED if spec_diffs else AGREE, spec_diffs, model_diffs)
    category, reason = explain(wasm, wasmtime, model, version, exact_model)
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
    from pyde_ref.diff.reference_backend import ReferenceMachine
    from pyde_ref.diff.twin import get_twin, reference_fuel_model

    host = "pyde" if with_host else None
    model_name, exact = reference_fuel_model(wasmtime)
    wt = guarded(lambda: get_twin(wasmtime).call(wasm, func, args, fuel, host=host))
    spec = guarded(lambda: ReferenceMachine("spec", tier).call(wasm, func, args, fuel, host=host))
    model = guarded(lambda: ReferenceMachine(model_name).call(wasm, func, args, fuel, host=host))
    verdict = classify(wt, spec, model, wasm, wasmtime, exact)
    return CaseResult(func, tuple(args), fuel, wt, spec, model, verdict, wasmtime, model_name)
