"""``pyde-ref fuzz --cases N --seed S [--with-host] [--json]``: the
differential campaign against wasmtime (:mod:`pyde_ref.diff.fuzz`).

Modules come from ``wasm-tools smith`` restricted to pyde-v1
(:mod:`pyde_ref.diff.smith`); each is called on wasmtime and on the reference
under both fuel models.  Unexplained differences are shrunk with
``wasm-tools shrink`` and saved under ``--save`` (default ``tests/diff/regressions``).

Exit status: 0 no unexplained difference, 3 some, 2 usage error.  ``--json``
prints exactly one JSON object, the summary (``cases``, ``calls``, ``agree``,
``explained``, ``known_hazard``, ``unexplained``, ...); progress goes to
stderr with ``--progress``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time

try:  # the differential oracle needs the optional wasmtime extra: its absence is a usage error
    import wasmtime  # noqa: F401 - imported first, so a missing extra is reported as such
    from pyde_ref.diff import fuzz
except ImportError as exc:
    BACKEND_MISSING: ImportError | None = exc
else:
    BACKEND_MISSING = None

EXIT_CLEAN = 0
EXIT_ERROR = 2
EXIT_UNEXPLAINED = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, required=True, metavar="N", help="modules to generate")
    parser.add_argument("--seed", type=int, required=True, metavar="S", help="campaign seed")
    parser.add_argument("--with-host", action="store_true",
                        help="let a share of the modules import the pyde host functions")
    parser.add_argument("--jobs", type=int, default=1, metavar="J", help="worker processes (default 1)")
    parser.add_argument("--save", default=None, metavar="DIR",
                        help="where unexplained cases are saved (default tests/diff/regressions)")
    parser.add_argument("--no-shrink", action="store_true", help="save unexplained cases unshrunk")
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    if args.cases < 0 or args.jobs < 1:
        print("pyde-ref fuzz: --cases must be >= 0 and --jobs >= 1", file=sys.stderr)
        return EXIT_ERROR
    if BACKEND_MISSING is not None:
        print(f"pyde-ref fuzz: the wasmtime backend is not available ({BACKEND_MISSING})", file=sys.stderr)
        return EXIT_ERROR
    started = time.monotonic()  # progress display only; never in the summary

    def progress(report, summary):
        if args.progress and (report.index + 1) % 50 == 0:
            rate = summary["cases"] / max(time.monotonic() - started, 1e-9)
            print(f"[fuzz] case {report.index + 1}/{args.cases}: {summary['cases']} modules "
                  f"({summary['host_cases']} with host), {summary['calls']} calls: {summary['agree']} agree, "
                  f"{summary['explained']} explained, {summary['known_hazard']} known hazard, "
                  f"{summary['unexplained']} unexplained; {rate:.2f} cases/s", file=sys.stderr, flush=True)

    # SIGTERM (a time limit) ends the campaign early with a summary of the
    # cases run so far, marked "interrupted".
    signal.signal(signal.SIGTERM, _interrupt)
    summary = fuzz.campaign(args.seed, args.cases, args.with_host, jobs=args.jobs,
                            save_dir=args.save or fuzz.REGRESSION_DIR, do_shrink=not args.no_shrink,
                            progress=progress)
    if args.progress:
        elapsed = time.monotonic() - started
        print(f"[fuzz] done: {summary['cases']} cases in {elapsed:.1f} s "
              f"({summary['cases'] / max(elapsed, 1e-9):.2f} cases/s)", file=sys.stderr)
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        for key in ("seed", "cases", "calls", "agree", "explained", "known_hazard", "unexplained",
                    "host_cases", "smith_declined"):
            print(f"{key:15s} {summary[key]}")
        for name, count in summary["hazards"].items():
            print(f"hazard {name:8s} {count}")
        for entry in summary["regressions"]:
            print(f"unexplained: case {entry['case']} {entry['func']!r} -> {entry.get('saved', '(not saved)')}")
    return EXIT_UNEXPLAINED if summary["unexplained"] else EXIT_CLEAN
