"""A wave diffed between pyde-ref and the wasmtime twin (issue 5, part 2).

The same wave document (``pyde-ref wave`` format) is applied by the executor
on the reference machine under both fuel models and by the executor on
:class:`~pyde_ref.diff.wasmtime_machine.WasmtimeMachine`.  Compared: the whole
``pyde-ref wave`` output — every receipt field (status, gas_used, trap,
error codes, return data, writes, events), the event records, events_root,
events_bloom, the post-state and its digest.  Classified as for one call: the
``spec`` run may differ only where the ``wasmtime-50`` run matches exactly.
"""

from __future__ import annotations

import attrs

from pyde_ref.diff import classify as cl
from pyde_ref.diff.compare import Difference, diff_records


@attrs.frozen
class WaveVerdict:
    category: str
    spec_differences: tuple[Difference, ...]
    model_differences: tuple[Difference, ...]

    def to_json(self) -> dict:
        return {"category": self.category,
                "spec_differences": [d.to_json() for d in self.spec_differences],
                "model_differences": [d.to_json() for d in self.model_differences]}


def run_wave(wave_input, backend: str) -> dict:
    """The ``pyde-ref wave`` (or ``pyde-ref chain``) JSON output of the
    parsed document ``wave_input`` on ``backend``: ``"spec"``,
    ``"wasmtime-50"`` (reference machine) or ``"wasmtime"``."""
    from pyde_ref.diff.wasmtime_machine import wasmtime_executor
    from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
    from pyde_ref.executor.wave import run_document
    from pyde_ref.executor.wave_json import chain_output, wave_output

    if backend == "wasmtime":
        executor = wasmtime_executor(ExecutorConfig(fuel_model="wasmtime-50"))
    else:
        executor = WasmExecutor(ExecutorConfig(fuel_model=backend))
    result = run_document(wave_input, executor=executor)
    if wave_input.single:
        return wave_output(result.waves[0])
    return chain_output(result, wave_input.signatures_checked)


def diff_wave(wave_input) -> tuple[WaveVerdict, dict]:
    """Run the wave three ways; the verdict and the three outputs."""
    outputs = {backend: run_wave(wave_input, backend) for backend in ("wasmtime", "spec", "wasmtime-50")}
    spec = tuple(diff_records(outputs["spec"], outputs["wasmtime"]))
    model = tuple(diff_records(outputs["wasmtime-50"], outputs["wasmtime"]))
    if not model:
        category = cl.EXPLAINED if spec else cl.AGREE
    else:
        category = cl.UNEXPLAINED
    return WaveVerdict(category, spec, model), outputs
