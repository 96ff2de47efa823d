"""Scaling of module preparation: decoding, validation and instantiation
(the fast tier's pre-decoding, the reading tier's block tables) must cost
time and memory linear in the module's size (issue 10 item 1).

Usage::

    python benchmarks/scaling.py [--families straight,functions,...] [--sizes 1,4,16,64,256,1024,4096]

For each family of ``tests/hostile_modules.py`` (straight-line code, many
functions, deep nesting, big ``br_table``s, many globals, types, exports,
data and element segments, ``if``/``else`` chains) and each size in KiB, a
fresh child process builds the module, then measures the CPU time of each
phase -- ``decode``, ``validate``, ``fast`` (instantiate on the fast tier,
spec fuel model: pre-decoding included), ``w50`` (the same under the
wasmtime-50 fuel model), ``reading`` (instantiate on the reading tier) --
and the peak memory the phases add to the process (Linux ``VmHWM`` after a
reset through ``/proc/self/clear_refs``; ``ru_maxrss`` elsewhere, which
also counts the module's construction).  It prints time and memory per KiB
for every size, and for each family the growth of the per-KiB figures from
the middle size to the largest: a linear cost keeps them flat, a quadratic
one multiplies them by the size ratio.  The check fails (exit status 1)
when a family's time or memory per KiB grows by more than
:data:`SUPERLINEAR_FACTOR` from the reference size to the largest.

Figures are for scale only (CPU time on a shared machine); no test depends on them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

import hostile_modules  # noqa: E402
from pyde_ref.wasm.binary import decode_module  # noqa: E402
from pyde_ref.wasm.exec import instantiate  # noqa: E402
from pyde_ref.wasm.runtime import MachineConfig, Store  # noqa: E402
from pyde_ref.wasm.valid import validate_module  # noqa: E402

DEFAULT_SIZES = (1, 4, 16, 64, 256, 1024, 4096)
"""Module sizes in KiB: 1 KiB to 4 MiB (PARACHAIN_DESIGN's largest module)."""

SUPERLINEAR_FACTOR = 2.5
"""The most the time or memory per KiB may grow from the reference size
(:data:`REFERENCE_KIB`, or the smallest size above it measured) to the
largest size.  Linear costs stay within noise (about 1.0-1.5); a quadratic
cost over 256 KiB -> 4 MiB grows by 16."""

REFERENCE_KIB = 256
"""Below this size fixed costs (imports, interpreter warm-up) dominate the per-KiB figures."""

PHASES = ("decode", "validate", "fast", "w50", "reading")


def _reset_peak() -> bool:
    """Reset the process's peak RSS (Linux >= 4.0); whether that worked."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def measure(family: str, kib: int) -> dict:
    """Build the module, then time each phase; the peak memory they add."""
    data = hostile_modules.of_size(family, kib * 1024)
    gc.collect()
    exact = _reset_peak()
    before = _rss_kib("VmRSS") if exact else 0
    times = {}
    start = time.process_time()
    module = decode_module(data)
    times["decode"] = time.process_time() - start
    start = time.process_time()
    validate_module(module)
    times["validate"] = time.process_time() - start
    for phase, config in (("fast", MachineConfig()), ("w50", MachineConfig(fuel_model="wasmtime-50")),
                          ("reading", MachineConfig(tier="reading"))):
        start = time.process_time()
        instantiate(Store(config), module, [])
        times[phase] = time.process_time() - start
    peak = _rss_kib("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"bytes": len(data), "times": times, "memory_kib": peak - before, "exact_memory": exact}


def run_child(family: str, kib: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", family, str(kib)], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(f"{family} {kib} KiB failed:\n{out.stderr}")
    return json.loads(out.stdout)


def growth(rows: list[tuple[int, dict]], key) -> float:
    """Per-KiB figure at the largest size over that at the reference size."""
    reference = next(((kib, r) for kib, r in rows if kib >= REFERENCE_KIB), rows[0])
    largest = rows[-1]
    ref_value = key(reference[1]) / reference[1]["bytes"]
    big_value = key(largest[1]) / largest[1]["bytes"]
    return big_value / ref_value if ref_value > 0 else 1.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", default=",".join(hostile_modules.FAMILIES))
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="module sizes in KiB")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return 0
    families = [f for f in args.families.split(",") if f]
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(f"# per KiB of module: CPU ms of each phase ({', '.join(PHASES)}) and peak KiB of memory added; "
          f"check: growth of the per-KiB figures from {REFERENCE_KIB} KiB to the largest <= {SUPERLINEAR_FACTOR}")
    print(f"{'family':<14} {'KiB':>6} {'bytes':>9} " + " ".join(f"{p + ' ms':>11}" for p in PHASES)
          + f" {'total ms/KiB':>13} {'mem KiB/KiB':>12}")
    failed = []
    for family in families:
        rows = []
        for kib in sizes:
            r = run_child(family, kib)
            rows.append((kib, r))
            per = r["bytes"] / 1024
            print(f"{family:<14} {kib:>6} {r['bytes']:>9} "
                  + " ".join(f"{r['times'][p] * 1000:>11.1f}" for p in PHASES)
                  + f" {sum(r['times'].values()) * 1000 / per:>13.3f} {r['memory_kib'] / per:>12.1f}", flush=True)
        if len(rows) > 1:
            t = growth(rows, lambda r: sum(r["times"].values()))
            m = growth(rows, lambda r: max(r["memory_kib"], 1))
            verdict = "ok" if t <= SUPERLINEAR_FACTOR and m <= SUPERLINEAR_FACTOR else "SUPERLINEAR"
            print(f"{family:<14} growth per KiB {sizes[-1]} vs >= {REFERENCE_KIB} KiB: time x{t:.2f}, "
                  f"memory x{m:.2f}: {verdict}", flush=True)
            if verdict != "ok":
                failed.append(family)
    if failed:
        print(f"FAILED: superlinear growth in {', '.join(failed)}")
        return 1
    print("all families linear")
    return 0


if __name__ == "__main__":
    sys.exit(main())
