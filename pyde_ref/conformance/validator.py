"""One simulated validator: ``python -m pyde_ref.conformance.validator``.

Reads one JSON request on standard input::

    {"fixtures": [path, ...], "tier": "fast" | "reading", "cache": "cold" | "warm"}

runs every fixture's input document in that order with pyde-ref, and writes
one JSON reply on standard output::

    {"python": "3.12.1", "hash_seed": "17", "cache_hits": n,
     "results": [{"path", "digest", "difference"?, "error"?}, ...]}

``digest`` is Blake3 of the canonical text of the whole output document
(:func:`pyde_ref.conformance.fixture.digest`), to be bit-identical with the
fixture's ``expected``; when it is not, ``difference`` is the first one.
A *cold* module cache is a fresh executor per fixture caching nothing (every
frame decodes and validates its module again); a *warm* one is one executor
for the whole run, so later fixtures find modules earlier ones prepared.
The parent is :mod:`.validators`.
"""

from __future__ import annotations

import json
import os
import platform
import sys

from pyde_ref.conformance import fixture as fx
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import document_output, parse_document

COLD = "cold"
WARM = "warm"


def run(request: dict) -> dict:
    tier = request["tier"]
    warm = request["cache"] == WARM
    shared = WasmExecutor(ExecutorConfig(fuel_model=fx.FUEL_MODEL, tier=tier)) if warm else None
    results = []
    for path in request["fixtures"]:
        entry: dict = {"path": path}
        try:
            f = fx.load(path)
            parsed = parse_document(f.input, None)
            executor = shared or WasmExecutor(ExecutorConfig(fuel_model=fx.FUEL_MODEL, tier=tier, cache_capacity=0))
            output = document_output(parsed, run_document(parsed, executor=executor))
            entry["digest"] = fx.digest(output)
            if entry["digest"] != fx.digest(f.expected):
                difference = fx.first_difference(f.expected, output)
                entry["difference"] = None if difference is None else difference.to_json()
        except Exception as exc:  # noqa: BLE001 - reported per fixture, the run goes on
            entry["error"] = f"{type(exc).__name__}: {exc}"
        results.append(entry)
    return {"python": platform.python_version(), "hash_seed": os.environ.get("PYTHONHASHSEED"),
            "cache_hits": shared.cache.hits if shared is not None else 0, "results": results}


def main() -> int:
    request = json.loads(sys.stdin.read())
    sys.stdout.write(json.dumps(run(request)))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
