"""A wave diffed between pyde-ref and the wasmtime twin (issue 5, part 2;
issue 14, item 3).

The same wave document (``pyde-ref wave`` format) is applied by the executor
on the reference machine under the ``spec`` model and under the twin's
version's model, and by the executor on the twin
(:meth:`pyde_ref.diff.twin.Twin.run_wave`).  Compared: the whole
``pyde-ref wave`` output — every receipt field (status, gas_used, trap,
error codes, return data, writes, events), events_root, events_bloom, the
post-state and its digest.

Classified as one call is (:mod:`.classify`), receipt by receipt:

* no model difference: ``agree``, or ``explained`` when only ``spec`` differs;
* otherwise every receipt that differs must be explained by one reason of
  :func:`pyde_ref.diff.classify.explain`, applied to the receipt (status,
  trap, ``gas_used`` as the fuel, everything else as one state hash) and to
  every module the wave can run (its contracts' code and deployed code).  A
  receipt's fuel may change any of its fields (contracts read their gas and
  pass it to sub-calls; a sub-call's out-of-gas changes its caller's path),
  so for a fuel reason its ``gas_used`` must differ (or one side trapped
  ``out_of_fuel``) and the rest follows; a hazard whose effect happens in a
  frame's instantiation (:attr:`pyde_ref.diff.classify.Hazard.in_wave`)
  explains the receipt when a module of the wave has what it needs;
* once an explained receipt's gas or writes differ, the later transactions
  run on a state that differs (fees are ``gas_used × base_fee``; a sub-call
  that ran out of gas wrote nothing): a later receipt that differs without
  a reason of its own is that divergence's consequence, not a new
  difference.  Differences outside the receipts (events_root, bloom,
  post-state, digest) are accepted only when some receipt differs;
* the wave is ``known_hazard`` if all differing receipts are, else
  ``unexplained``.  A backend that raised is ``unexplained``.
"""

from __future__ import annotations

import re
from typing import Any, Optional

import attrs

from pyde_ref.crypto.hashes import blake3_hasher
from pyde_ref.diff import classify as cl
from pyde_ref.diff.compare import Difference, diff_records
from pyde_ref.diff.outcome import CRASH, OK, CallOutcome
from pyde_ref.diff.twin import DEFAULT_WASMTIME, get_twin, reference_fuel_model
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.genesis import build_state
from pyde_ref.executor.handlers.contracts import decode_deploy
from pyde_ref.executor.handlers.parachains import read_proposal, read_registration
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import TxType, decode_call, decode_payload
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import document_output, parse_document
from pyde_ref.state.system import PARACHAINS


@attrs.frozen
class WaveVerdict:
    category: str
    spec_differences: tuple[Difference, ...]
    model_differences: tuple[Difference, ...]
    #: the hazards that explain the model differences
    hazard: Optional[str] = None
    #: a backend's exception, when one raised
    crash: Optional[str] = None

    def to_json(self) -> dict:
        return {"category": self.category,
                "hazard": self.hazard,
                "crash": self.crash,
                "spec_differences": [d.to_json() for d in self.spec_differences],
                "model_differences": [d.to_json() for d in self.model_differences]}


def reference_wave_output(document, fuel_model: str, tier: str = "fast") -> dict:
    """The ``pyde-ref wave --json`` (or ``chain --json``) output of a parsed
    document on the reference (on the execution tier ``tier``)."""
    executor = WasmExecutor(ExecutorConfig(fuel_model=fuel_model, tier=tier))
    return document_output(document, run_document(document, executor=executor))


def wave_modules(document) -> list[bytes]:
    """Every module the document can run: its contracts' and its deploys'
    code, its parachains' and the modules parachain registrations and
    upgrade proposals carry (a payload that does not decode runs nothing)."""
    readers = {"register": read_registration, "propose_upgrade": read_proposal}
    codes = [contract.code for contract in document.prestate.contracts]
    codes += [wasm for p in document.prestate.parachains for _path, wasm in p.modules]
    for wave in document.waves:
        for tx in wave.txs:
            try:
                if tx.tx_type == TxType.DEPLOY:
                    codes.append(bytes(decode_deploy(tx).code))
                elif tx.tx_type == TxType.STANDARD and tx.to == PARACHAINS:
                    operation, args = decode_call(tx.data)
                    if operation in readers:
                        codes.append(bytes(decode_payload(args, readers[operation]).code))
            except (ValueError, Rejection):
                pass
    return list(dict.fromkeys(codes))


_RECEIPT = re.compile(r"^receipts\[(\d+)\]\.")


def receipt_outcome(receipt: dict) -> CallOutcome:
    """A receipt seen as a call that ran (so every field is compared): its
    trap kind, or its status when it did not trap, as ``trap``; ``gas_used``
    as the fuel; every other field folded into ``state_hash``."""
    rest = {k: v for k, v in receipt.items() if k not in ("status", "trap", "gas_used")}
    digest = blake3_hasher(repr(sorted(rest.items())).encode()).hexdigest()
    trap = receipt["trap"] if receipt["status"] == "trap" else receipt["status"]
    return CallOutcome(OK, trap=trap, fuel_consumed=receipt["gas_used"], state_hash=digest)


def explain_receipt(modules: list[bytes], wasmtime: dict, model: dict,
                    version: str) -> tuple[Optional[str], Optional[str]]:
    """``(category, reason)`` for one differing receipt (module docstring)."""
    wt, mo = receipt_outcome(wasmtime), receipt_outcome(model)
    candidates = [mo]
    if wt.fuel_consumed != mo.fuel_consumed:
        # the fuel differs: a fuel reason explains the receipt's other fields too
        candidates.append(attrs.evolve(wt, fuel_consumed=mo.fuel_consumed))
    for candidate in candidates:
        for wasm in modules or [b""]:
            category, reason = cl.explain(wasm, wt, candidate, version, in_wave=True)
            if category is not None:
                return category, reason
    return None, None


def classify_wave(outputs: dict, modules: list[bytes], version: str = DEFAULT_WASMTIME) -> WaveVerdict:
    """Classify the three outputs (``"wasmtime"``, ``"spec"``, ``"model"``)."""
    crashed = {name: out for name, out in outputs.items() if CRASH in out}
    if crashed:
        detail = "; ".join(f"{name}: {out[CRASH]}" for name, out in sorted(crashed.items()))
        return WaveVerdict(cl.UNEXPLAINED, (), (), crash=detail)
    wt, spec, model = outputs["wasmtime"], outputs["spec"], outputs["model"]
    spec_diffs = tuple(diff_records(spec, wt))
    model_diffs = tuple(diff_records(model, wt))
    if not model_diffs:
        return WaveVerdict(cl.EXPLAINED if spec_diffs else cl.AGREE, spec_diffs, model_diffs)
    unexplained = WaveVerdict(cl.UNEXPLAINED, spec_diffs, model_diffs)
    if len(wt["receipts"]) != len(model["receipts"]):
        return unexplained
    differing = sorted({int(m.group(1)) for d in model_diffs if (m := _RECEIPT.match(d.field))})
    if not differing:
        return unexplained  # the state or the commitments differ with every receipt equal
    reasons: set[str] = set()
    diverged = False
    for index in differing:
        receipt_wt, receipt_model = wt["receipts"][index], model["receipts"][index]
        category, reason = explain_receipt(modules, receipt_wt, receipt_model, version)
        if category is None:
            if not diverged:
                return unexplained
            continue  # runs on a state an earlier difference changed
        reasons.add(reason)
        diverged = diverged or receipt_wt["gas_used"] != receipt_model["gas_used"] or \
            receipt_wt["writes"] != receipt_model["writes"]
    return WaveVerdict(cl.KNOWN_HAZARD, spec_diffs, model_diffs, hazard=", ".join(sorted(reasons)))


def _guarded(run) -> dict:
    try:
        return run()
    except Exception as e:  # reported as a crash, never hidden
        return {CRASH: f"{type(e).__name__}: {e}"}


def diff_wave(document: Any, base_dir: Optional[str] = None,
              wasmtime: str = DEFAULT_WASMTIME, tier: str = "fast") -> tuple[WaveVerdict, dict]:
    """Run a wave document three ways (the reference's ``spec`` run on the
    execution tier ``tier``); the verdict and the three outputs.
    The document (a wave or a chain) must parse
    (:func:`pyde_ref.executor.wave_json.parse_document` raises
    :class:`~pyde_ref.executor.jsonfields.WaveFormatError` and
    :class:`~pyde_ref.executor.genesis.GenesisError` before anything runs)."""
    wave_input = parse_document(document, base_dir)
    build_state(wave_input.prestate)  # refuses a bad pre-state up front
    model_name = reference_fuel_model(wasmtime)
    outputs = {
        "wasmtime": _guarded(lambda: get_twin(wasmtime).run_wave(document, base_dir)),
        "spec": _guarded(lambda: reference_wave_output(wave_input, "spec", tier)),
        "model": _guarded(lambda: reference_wave_output(wave_input, model_name)),
    }
    return classify_wave(outputs, wave_modules(wave_input), wasmtime), outputs
