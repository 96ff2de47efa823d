"""Interpreter speed: pyde-ref's two tiers (fuel metering on) against pywasm 2.2.3 and wasmtime 50.

Usage::

    python benchmarks/run.py [--quick] [--repeat N] [--engines pyde-ref,pyde-ref-reading,pywasm,wasmtime]

``pyde-ref`` is the fast tier (what runs by default), ``pyde-ref-reading`` the
reading tier (the spec-literal interpreter, ``MachineConfig(tier="reading")``).

Three workloads: a counting loop, recursive fib, and two hash functions
compiled from C (``benchmarks/hash.c``, built by ``benchmarks/build.sh`` into
``benchmarks/hash.wasm``, checked in).  For each engine the script prints the
best CPU time (``time.process_time``, robust against other load on the machine) of ``--repeat`` runs and the speed in instructions per second,
where "instructions" is the fuel pyde-ref consumed for the same call (fuel
counts every executed instruction except the free ones; see
``pyde_ref/wasm/fuel.py``), then the ratios to pyde-ref.

The script installs nothing.  pywasm 2.2.3 needs Python >= 3.12; run the
script with a 3.12 interpreter that has pyde-ref, pywasm and wasmtime::

    python3.12 -m pip install pywasm==2.2.3 wasmtime==50.0.1 -e .

Results are for scale only: timings are machine-dependent, and
no test depends on them.
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pyde_ref.wasm.binary import decode_module  # noqa: E402
from pyde_ref.wasm.exec import instantiate, invoke  # noqa: E402
from pyde_ref.wasm.fuel import FuelMeter  # noqa: E402
from pyde_ref.wasm.runtime import MachineConfig, Store  # noqa: E402
from pyde_ref.wasm.text import WasmToolsNotFound, wat_to_wasm  # noqa: E402

LOOP_WAT = '''(module
  (func (export "count") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    (local.get $acc)))'''

FIB_WAT = '''(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))'''

BUDGET = 10 ** 12
"""Fuel budget of the pyde-ref runs: metering is on, the budget never binds."""


def workloads(quick: bool):
    """(name, wasm bytes, setup calls, measured call, args)."""
    hash_wasm = (HERE / "hash.wasm").read_bytes()
    n_loop, n_fib, n_hash = (20_000, 16, 2_048) if quick else (200_000, 22, 16_384)
    return [
        ("loop", wat_to_wasm(LOOP_WAT), [], "count", [n_loop]),
        ("fib", wat_to_wasm(FIB_WAT), [], "fib", [n_fib]),
        ("fnv1a", hash_wasm, [("fill", [n_hash, 7])], "fnv1a", [n_hash]),
        ("mix64", hash_wasm, [("fill", [n_hash, 7])], "mix64", [n_hash]),
    ]


# ---------------------------------------------------------------------------
# Engines: each returns (result, seconds) for the measured call
# ---------------------------------------------------------------------------


def run_pyde_ref(wasm: bytes, setup, func: str, args, tier: str = "fast"):
    module = decode_module(wasm)
    store = Store(MachineConfig(tier=tier))
    inst = instantiate(store, module, [])
    for name, a in setup:
        invoke(store, inst.export(name).addr, a, FuelMeter(BUDGET))
    meter = FuelMeter(BUDGET)
    start = time.process_time()
    result = invoke(store, inst.export(func).addr, args, meter)
    elapsed = time.process_time() - start
    return result[0], elapsed, meter.consumed


def run_pywasm(wasm: bytes, setup, func: str, args):
    import pywasm

    runtime = pywasm.core.Runtime()
    inst = runtime.instance(pywasm.core.ModuleDesc.from_reader(io.BytesIO(wasm)))
    for name, a in setup:
        runtime.invocate(inst, name, a)
    start = time.process_time()
    result = runtime.invocate(inst, func, args)
    elapsed = time.process_time() - start
    return result[0] % (1 << 64), elapsed, None


def run_wasmtime(wasm: bytes, setup, func: str, args):
    import wasmtime

    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    store.set_fuel(BUDGET)
    instance = wasmtime.Instance(store, wasmtime.Module(engine, wasm), [])
    exports = instance.exports(store)
    for name, a in setup:
        exports[name](store, *a)
    before = store.get_fuel()
    start = time.process_time()
    result = exports[func](store, *args)
    elapsed = time.process_time() - start
    return result % (1 << 64), elapsed, before - store.get_fuel()


def run_pyde_ref_reading(wasm: bytes, setup, func: str, args):
    return run_pyde_ref(wasm, setup, func, args, tier="reading")


ENGINES = {"pyde-ref": run_pyde_ref, "pyde-ref-reading": run_pyde_ref_reading, "pywasm": run_pywasm,
           "wasmtime": run_wasmtime}
INSTALL_HINTS = {
    "pywasm": "pip install pywasm==2.2.3 (needs Python >= 3.12)",
    "wasmtime": "pip install wasmtime==50.0.1",
}


def available(engine: str) -> str | None:
    """``None`` if the engine can run, else why not."""
    module = {"pywasm": "pywasm", "wasmtime": "wasmtime"}.get(engine)
    if module is None:
        return None
    try:
        __import__(module)
    except ImportError:
        return f"not installed: {INSTALL_HINTS[engine]}"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs (a few seconds in all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine and workload; the best counts")
    parser.add_argument("--engines", default="pyde-ref,pyde-ref-reading,pywasm,wasmtime")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    skipped = {e: why for e in engines if (why := available(e))}
    for engine, why in skipped.items():
        print(f"# {engine} skipped: {why}", file=sys.stderr)
    engines = [e for e in engines if e not in skipped]
    try:
        loads = workloads(args.quick)
    except WasmToolsNotFound as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    print(f"# Python {platform.python_version()} ({platform.python_implementation()}), "
          f"{platform.machine()}, best of {args.repeat}")
    header = f"{'workload':<8} {'instructions':>12} " + " ".join(f"{e + ' s':>12} {e + ' Minstr/s':>18}" for e in engines)
    if "pyde-ref" in engines:
        header += " " + " ".join(f"{'speedup vs ' + e:>20}" for e in engines if e != "pyde-ref")
    print(header)
    for name, wasm, setup, func, fargs in loads:
        best: dict[str, float] = {}
        results = {}
        instructions = None
        for engine in engines:
            for _ in range(args.repeat):
                result, elapsed, fuel = ENGINES[engine](wasm, setup, func, fargs)
                best[engine] = min(best.get(engine, elapsed), elapsed)
                results[engine] = result
                if engine == "pyde-ref":
                    instructions = fuel
        if instructions is None:  # pyde-ref not run: count with it anyway
            instructions = run_pyde_ref(wasm, setup, func, fargs)[2]
        # engines disagree on signedness of an i32 result: compare bit patterns of the result's width
        mask = (1 << 64) - 1 if func == "mix64" else (1 << 32) - 1
        agree = len({r & mask for r in results.values()}) == 1
        row = f"{name:<8} {instructions:>12} " + " ".join(
            f"{best[e]:>12.4f} {instructions / best[e] / 1e6:>18.2f}" for e in engines)
        if "pyde-ref" in engines:
            row += " " + " ".join(f"{best[e] / best['pyde-ref']:>20.3g}" for e in engines if e != "pyde-ref")
        print(row + ("" if agree else f"   RESULTS DIFFER: {results}"))
    print("# speedup vs X = X's time / pyde-ref's time (> 1: pyde-ref is faster than X)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
