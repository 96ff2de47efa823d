"""``pyde-ref fuzz (--cases N | --waves N) --seed S [--wasmtime 45|50]
[--tier fast|reading] [--tier-check]``: the differential campaigns against wasmtime.

``--cases N`` (:mod:`pyde_ref.diff.fuzz`): N modules from ``wasm-tools smith``
restricted to pyde-v1 (:mod:`pyde_ref.diff.smith`); each is called on the
twin and on the reference under ``spec`` and the version's fuel model.
Unexplained calls are shrunk with ``wasm-tools shrink`` and saved under
``--save`` (default ``tests/diff/regressions``).

``--waves N`` (:mod:`pyde_ref.diff.wave_fuzz`): N generated waves (contracts
importing the host ABI, random pre-states and transaction sequences), each
diffed whole; unexplained waves are saved (modules + wave document) under
``--save``.

``--tier`` is the execution tier of the reference's ``spec`` runs;
``--tier-check`` (module campaign) also runs every call on both tiers and
fails on any difference between them (:mod:`pyde_ref.diff.tiers`; the
differing modules are saved under ``--save`` too).

Exit status: 0 no unexplained difference (and, with ``--tier-check``, no
difference between the tiers), 3 some, 2 usage error or a twin
that cannot run here.  ``--json`` prints exactly one JSON object, the summary
(``cases``/``waves``, ``agree``, ``explained``, ``known_hazard``,
``unexplained``, ...); progress goes to stderr with
``--progress``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time

from pyde_ref.commands.run import add_tier_argument
from pyde_ref.diff import fuzz, wave_fuzz
from pyde_ref.diff.twin import TwinError, add_wasmtime_argument, get_twin
from pyde_ref.diff.twin_env import TwinUnavailable

EXIT_CLEAN = 0
EXIT_ERROR = 2
EXIT_UNEXPLAINED = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--cases", type=int, metavar="N", help="modules to generate (call campaign)")
    what.add_argument("--waves", type=int, metavar="N", help="waves to generate (wave campaign)")
    parser.add_argument("--seed", type=int, required=True, metavar="S", help="campaign seed")
    parser.add_argument("--with-host", action="store_true",
                        help="call campaign: let a share of the modules import the pyde host functions")
    add_wasmtime_argument(parser)
    parser.add_argument("--jobs", type=int, default=1, metavar="J", help="worker processes (default 1)")
    parser.add_argument("--save", default=None, metavar="DIR",
                        help="where unexplained cases are saved (default tests/diff/regressions)")
    parser.add_argument("--no-shrink", action="store_true", help="save unexplained cases unshrunk")
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--tier-check", action="store_true",
                        help="call campaign: run every call on both execution tiers too; any difference fails")
    add_tier_argument(parser)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    count = args.cases if args.cases is not None else args.waves
    if count < 0 or args.jobs < 1:
        print("pyde-ref fuzz: --cases/--waves must be >= 0 and --jobs >= 1", file=sys.stderr)
        return EXIT_ERROR
    if args.tier_check and args.cases is None:
        print("pyde-ref fuzz: --tier-check checks the call campaign (--cases)", file=sys.stderr)
        return EXIT_ERROR
    try:
        get_twin(args.wasmtime).describe()  # the twin can run here (its environment is built)
    except (ImportError, TwinUnavailable, TwinError) as e:  # ImportError: wasmtime is not installed here
        print(f"pyde-ref fuzz: the wasmtime {args.wasmtime} twin cannot run here ({e})", file=sys.stderr)
        return EXIT_ERROR
    started = time.monotonic()  # progress display only; never in the summary
    unit = "cases" if args.cases is not None else "waves"

    def progress(report, summary):
        if args.progress and (report.index + 1) % 50 == 0:
            rate = summary[unit] / max(time.monotonic() - started, 1e-9)
            print(f"[fuzz] {unit[:-1]} {report.index + 1}/{count}: " + ", ".join(
                f"{summary[k]} {k.replace('_', ' ')}" for k in ("agree", "explained", "known_hazard",
                                                             "unexplained")) + f"; {rate:.2f} {unit}/s",
                  file=sys.stderr, flush=True)


    # SIGTERM (a time limit) ends the campaign early with a summary of the
    # cases run so far, marked "interrupted".
    signal.signal(signal.SIGTERM, _interrupt)
    save_dir = args.save or fuzz.REGRESSION_DIR
    if args.cases is not None:
        summary = fuzz.campaign(args.seed, args.cases, args.with_host, jobs=args.jobs, save_dir=save_dir,
                                do_shrink=not args.no_shrink, progress=progress, wasmtime=args.wasmtime,
                                tier=args.tier, tier_check=args.tier_check)
        keys = ("seed", "wasmtime", "fuel_model", "cases", "calls", "agree", "explained", "known_hazard",
                "unexplained", "host_cases", "smith_declined")
    else:
        summary = wave_fuzz.campaign(args.seed, args.waves, jobs=args.jobs, save_dir=save_dir,
                                     progress=progress, wasmtime=args.wasmtime, tier=args.tier)
        keys = ("seed", "wasmtime", "fuel_model", "waves", "txs", "agree", "explained", "known_hazard",
                "unexplained")
    if args.progress:
        elapsed = time.monotonic() - started
        print(f"[fuzz] done: {summary[unit]} {unit} in {elapsed:.1f} s "
              f"({summary[unit] / max(elapsed, 1e-9):.2f} {unit}/s)", file=sys.stderr)
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        for key in keys:
            print(f"{key:15s} {summary[key]}")
        for name, number in summary["hazards"].items():
            print(f"hazard {name:8s} {number}")
        for entry in summary["regressions"]:
            what = f"case {entry['case']} {entry['func']!r}" if "func" in entry else f"wave {entry['wave']}"
            print(f"unexplained: {what} -> {entry.get('saved', '(not saved)')}")
        if args.tier_check:
            print(f"{'tier_checked':15s} {summary['tier_checked']}")
            print(f"{'tier_differences':15s} {len(summary['tier_differences'])}")
            for entry in summary["tier_differences"]:
                print(f"tier difference: case {entry['case']} {entry['func']!r} {entry['differences']} "
                      f"-> {entry.get('saved', '(not saved)')}")
    return EXIT_UNEXPLAINED if summary["unexplained"] or summary.get("tier_differences") else EXIT_CLEAN
