"""The differential fuzz campaign (issue 5, part 3; issue 14, item 1).

Case ``i`` of a campaign with seed ``S`` is a pure function of ``(S, i)``: a
generator seeded with ``"pyde-fuzz:S:i"`` draws the smith seed bytes, whether
the module may import ``pyde`` host functions (``--with-host``: a share of
:data:`HOST_SHARE`), which exports to call, their arguments and their fuel
budgets.  Each call is run on the twin of the chosen wasmtime version and on
the reference under ``spec`` and that version's fuel model, and classified
(:mod:`.classify`).  An ``unexplained`` call is shrunk with
``wasm-tools shrink`` and saved as a regression case.  Whole waves are
fuzzed by :mod:`.wave_fuzz`.

The summary (``--json``) is one JSON object: ``cases``, ``calls``, ``agree``,
``explained``, ``known_hazard``, ``unexplained``, plus
``seed``, ``wasmtime``, ``fuel_model``, ``host_cases``, ``smith_declined``,
``hazards`` (counts by hazard) and ``regressions``.  With
the tier check (``tier_check``, :mod:`.tiers`) every call also runs on both
execution tiers, and the summary adds ``tier_checked`` and ``tier_differences``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
from typing import Iterator, Optional

import attrs

from pyde_ref.diff import classify as cl
from pyde_ref.diff import tiers
from pyde_ref.diff.smith import Smith, wasm_tools
from pyde_ref.diff.twin import DEFAULT_WASMTIME, get_twin, reference_fuel_model

#: Share of cases whose module may import host functions, with ``--with-host``.
HOST_SHARE = 0.3
#: At most this many export calls per module (chosen at random).
MAX_CALLS_PER_MODULE = 4
#: Smith seed length range (bytes): longer seeds make larger modules.
SEED_BYTES = (64, 3000)

#: Interesting bit patterns per type, drawn with random ones.
SPECIAL_VALUES = {
    "i32": (0, 1, 2, 7, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFE, 65536, 65535),
    "i64": (0, 1, 2, 7, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF),
    "f32": (0, 0x8000_0000, 0x3F80_0000, 0xBF80_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000,
            0x7FA0_0001, 0x0000_0001, 0x4F00_0000, 0x3F00_0000),
    "f64": (0, 0x8000_0000_0000_0000, 0x3FF0_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000,
            0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0001, 0x7FF4_0000_0000_0001, 0x0000_0000_0000_0001,
            0x43E0_0000_0000_0000, 0x3FE0_0000_0000_0000),
}
WIDTH = {"i32": 32, "i64": 64, "f32": 32, "f64": 64}


def case_rng(seed: int, index: int) -> random.Random:
    """The generator of case ``index`` (string seeding is stable across runs
    and Python processes: it does not use ``hash()``)."""
    return random.Random(f"pyde-fuzz:{seed}:{index}")


def random_value(rng: random.Random, valtype: str) -> int:
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(SPECIAL_VALUES[valtype])
    if roll < 0.7:
        return rng.randint(0, 100)
    return rng.getrandbits(WIDTH[valtype])


def random_fuel(rng: random.Random) -> int:
    """Budgets: a third tiny (fuel runs out at the first checks), a third
    small, a third ample for smith's terminating code."""
    roll = rng.random()
    if roll < 0.35:
        return rng.randint(0, 40)
    if roll < 0.7:
        return rng.randint(0, 2_000)
    return rng.randint(2_000, 300_000)


@attrs.frozen
class CaseReport:
    index: int
    generated: bool
    with_host: bool
    results: tuple[cl.CaseResult, ...] = ()
    wasm: bytes = b""
    tier_checks: tuple[tiers.TierCheck, ...] = ()


def function_exports(wasm: bytes, wasmtime: str = DEFAULT_WASMTIME) -> Optional[list[tuple[str, list[str]]]]:
    """``[(name, param types)]`` of the function exports, or ``None`` when
    the twin of ``wasmtime`` rejects the module."""
    return get_twin(wasmtime).function_exports(wasm)


_SMITHS: dict = {}


def _smith(with_host: bool):
    key = (os.getpid(), with_host)  # a forked worker must not share its parent's output file
    if key not in _SMITHS:
        _SMITHS[key] = Smith(with_host=with_host)
    return _SMITHS[key]


def run_one(seed: int, index: int, host_enabled: bool, wasmtime: str = DEFAULT_WASMTIME, tier: str = "fast",
            tier_check: bool = False) -> CaseReport:
    """Generate and run case ``index`` (see module docstring); the reference's
    ``spec`` runs are on ``tier``, and with ``tier_check`` every call on both tiers."""
    rng = case_rng(seed, index)
    with_host = host_enabled and rng.random() < HOST_SHARE
    smith_seed = rng.randbytes(rng.randint(*SEED_BYTES))
    wasm = _smith(with_host).generate(smith_seed)
    if wasm is None:
        return CaseReport(index, False, with_host)
    exports = function_exports(wasm, wasmtime)
    if exports is None:
        # wasmtime rejects a module smith made for pyde-v1: the reference must
        # reject it too (one call to an arbitrary name compares the statuses).
        calls = [("", [])]
    else:
        calls = exports if len(exports) <= MAX_CALLS_PER_MODULE else rng.sample(exports, MAX_CALLS_PER_MODULE)
    results, checks = [], []
    for name, params in calls:
        args = [random_value(rng, t) for t in params]
        fuel = random_fuel(rng)
        results.append(cl.run_case(wasm, name, args, fuel, with_host=with_host, wasmtime=wasmtime, tier=tier))
        if tier_check:
            checks.append(tiers.check_call(wasm, name, args, fuel, with_host))
    return CaseReport(index, True, with_host, tuple(results), wasm, tuple(checks))


WORKER_START_METHOD = "forkserver"
"""How campaign workers start: forked from a fork server, a fresh
single-threaded process, never from the campaign's own process (which runs
threads: the executor's deep-stack thread, a twin's pipes; forking such a
process can deadlock the child, and Python 3.12+ warns about it).  A worker
needs nothing of its parent's state: every case is a pure function of
``(seed, index)``, and each worker makes its own twin and smith."""


def _run_one_job(job: tuple) -> CaseReport:
    return run_one(*job)


def _worker_init() -> None:
    """Workers die quietly when the pool is terminated (the parent reports)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def in_workers(function, work: list, jobs: int) -> Iterator:
    """``function(job)`` for each job, in order, on ``jobs`` worker processes
    (in this process when ``jobs`` is 1)."""
    if jobs <= 1:
        for job in work:
            yield function(job)
        return

    context = multiprocessing.get_context(WORKER_START_METHOD)
    if WORKER_START_METHOD == "forkserver":
        context.set_forkserver_preload([function.__module__])  # imported once, by the server
    with context.Pool(jobs, initializer=_worker_init) as pool:
        yield from pool.imap(function, work, chunksize=2)


def run_cases(seed: int, cases: int, host_enabled: bool, jobs: int = 1, start: int = 0,
              wasmtime: str = DEFAULT_WASMTIME, tier: str = "fast", tier_check: bool = False) -> Iterator[CaseReport]:
    """Case reports in index order (``jobs`` worker processes)."""
    work = [(seed, i, host_enabled, wasmtime, tier, tier_check) for i in range(start, start + cases)]
    yield from in_workers(_run_one_job, work, jobs)


# --------------------------------------------------------------------------
# Shrinking and regression cases
# --------------------------------------------------------------------------

REGRESSION_DIR = os.path.join("tests", "diff", "regressions")


def still_unexplained(wasm: bytes, func: str, args: list[int], fuel: int, with_host: bool,
                      wasmtime: str = DEFAULT_WASMTIME) -> bool:
    result = cl.run_case(wasm, func, args, fuel, with_host=with_host, wasmtime=wasmtime)
    return result.verdict.category == cl.UNEXPLAINED


def shrink(wasm: bytes, func: str, args: list[int], fuel: int, with_host: bool, attempts: int = 100,
           wasmtime: str = DEFAULT_WASMTIME) -> bytes:
    """The smallest module ``wasm-tools shrink`` finds on which the same call
    is still unexplained (the original if shrinking fails)."""
    with tempfile.TemporaryDirectory(prefix="pyde-shrink-") as tmp:
        src, out, script = (os.path.join(tmp, n) for n in ("in.wasm", "out.wasm", "predicate.sh"))
        with open(src, "wb") as f:
            f.write(wasm)
        params = dict(function_exports(wasm, wasmtime) or []).get(func)
        if params is None:
            return wasm  # nothing to shrink towards: wasmtime rejects the module
        spec = json.dumps({"func": func, "params": params, "args": args, "fuel": fuel, "with_host": with_host,
                           "wasmtime": wasmtime})
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\nexec {sys.executable} -m pyde_ref.diff.fuzz --predicate '{spec}' \"$1\"\n")
        os.chmod(script, 0o755)
        done = subprocess.run([wasm_tools(), "shrink", "--attempts", str(attempts), script, src, "-o", out],
                              capture_output=True, timeout=1800)
        if done.returncode == 0 and os.path.exists(out):
            with open(out, "rb") as f:
                return f.read()
    return wasm


def save_regression(directory: str, name: str, wasm: bytes, result: cl.CaseResult, with_host: bool) -> str:
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path + ".wasm", "wb") as f:
        f.write(wasm)
    record = {"func": result.func, "args": list(result.args), "fuel": result.fuel, "with_host": with_host,
              "wasmtime": result.version, "found": result.to_json()}
    with open(path + ".json", "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")
    return path


# --------------------------------------------------------------------------
# The campaign
# --------------------------------------------------------------------------


#: Regression cases saved per campaign at most (one per difference signature).
MAX_SAVED = 5


def signature(result: cl.CaseResult) -> tuple:
    """What kind of difference a call shows: the differing fields and the
    two trap kinds.  One regression case is kept per signature."""
    return (tuple(d.field for d in result.verdict.model_differences), result.wasmtime.status,
            result.wasmtime.trap, result.model.status, result.model.trap)


def new_summary(seed: int, wasmtime: str) -> dict:
    """An empty campaign summary (the counts of every category at 0)."""
    return {"seed": seed, "wasmtime": wasmtime, "fuel_model": reference_fuel_model(wasmtime),
            cl.AGREE: 0, cl.EXPLAINED: 0, cl.KNOWN_HAZARD: 0, cl.UNEXPLAINED: 0,
            "hazards": {}, "regressions": []}


def count_verdict(summary: dict, category: str, reason: Optional[str]) -> None:
    summary[category] += 1
    if reason:
        summary["hazards"][reason] = summary["hazards"].get(reason, 0) + 1


def campaign(seed: int, cases: int, host_enabled: bool, *, jobs: int = 1, save_dir: Optional[str] = None,
             do_shrink: bool = True, progress=None, wasmtime: str = DEFAULT_WASMTIME, tier: str = "fast",
             tier_check: bool = False) -> dict:
    """Run a campaign and return its summary (see module docstring).  Every
    unexplained call is listed; the first of each :func:`signature` (at most
    :data:`MAX_SAVED`) is shrunk and saved under ``save_dir``.  A
    ``KeyboardInterrupt`` ends the campaign early: the summary then covers the
    cases run so far and says ``"interrupted": true``."""
    to_save: dict = {}
    summary = dict(new_summary(seed, wasmtime), cases=0, calls=0, host_cases=0, smith_declined=0)
    tier_saves: list = []
    if tier_check:
        tiers.start_summary(summary)
    reports = run_cases(seed, cases, host_enabled, jobs, wasmtime=wasmtime, tier=tier, tier_check=tier_check)
    try:
        for report in reports:
            _count(report, summary, to_save)
            if tier_check:
                tier_saves += [(report, check) for check in tiers.count(summary, report.index, report.tier_checks)]
            if progress is not None:
                progress(report, summary)
    except KeyboardInterrupt:
        summary["interrupted"] = True
        reports.close()
    # Shrinking runs the three backends hundreds of times per case: done once
    # the campaign's counts are final, for the first case of each signature.
    if save_dir is not None:
        for entry, index, wasm, result, with_host in to_save.values():
            if do_shrink:
                wasm = shrink(wasm, result.func, list(result.args), result.fuel, with_host, wasmtime=wasmtime)
            name = f"fuzz-{seed}-{index}-{_safe(result.func) or 'module'}"
            entry["saved"] = save_regression(save_dir, name, wasm, result, with_host)
        for (report, check), entry in zip(tier_saves[:MAX_SAVED], summary.get("tier_differences", [])):
            entry["saved"] = tiers.save(save_dir, seed, report.index, report.wasm, check, report.with_host)
    summary["hazards"] = dict(sorted(summary["hazards"].items()))
    return summary


def _count(report: CaseReport, summary: dict, to_save: dict) -> None:
    """Add one case to the summary, noting the first unexplained call of each
    signature for saving."""
    if not report.generated:
        summary["smith_declined"] += 1
        return
    summary["cases"] += 1
    summary["host_cases"] += report.with_host
    for result in report.results:
        summary["calls"] += 1
        verdict = result.verdict
        count_verdict(summary, verdict.category, verdict.hazard)
        if verdict.category == cl.UNEXPLAINED:
            entry = {"case": report.index, "func": result.func, "with_host": report.with_host,
                     "differences": [d.to_json() for d in verdict.model_differences]}
            summary["regressions"].append(entry)
            sig = signature(result)
            if sig not in to_save and len(to_save) < MAX_SAVED:
                to_save[sig] = (entry, report.index, report.wasm, result, report.with_host)


def _safe(name: str) -> str:
    """An export name as a file-name fragment (smith names are arbitrary bytes)."""
    return "".join(c if c.isalnum() else f"x{ord(c):02x}" for c in name)[:40]


def _predicate(spec_json: str, path: str) -> int:
    """``wasm-tools shrink`` predicate: exit 0 while the call is unexplained."""
    spec = json.loads(spec_json)
    with open(path, "rb") as f:
        wasm = f.read()
    # The shrunk module must still export the function with the same
    # parameters, or the call (and any difference) would be a different one.
    version = spec.get("wasmtime", DEFAULT_WASMTIME)
    exports = function_exports(wasm, version)
    if exports is None or (spec["func"], spec["params"]) not in [(n, p) for n, p in exports]:
        return 1
    try:
        interesting = still_unexplained(wasm, spec["func"], spec["args"], spec["fuel"], spec["with_host"], version)
    except Exception:
        return 1
    return 0 if interesting else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--predicate":
        sys.exit(_predicate(sys.argv[2], sys.argv[3]))
    sys.exit("usage: python -m pyde_ref.diff.fuzz --predicate SPEC_JSON MODULE.wasm")
