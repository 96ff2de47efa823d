"""``pyde-ref consume FIXTURES... [--engine pyde-ref|wasmtime|exec:CMD] [--json]``.

Runs conformance fixtures (files, or directories searched for ``*.json``;
``spec/conformance.md``) against an engine and reports each: ``pass``, or
``fail`` with the first difference (its JSON path, the expected value and
the engine's, the transaction's label), or ``error`` when the engine gave no
output document.  ``--engine wasmtime`` runs the oracle's twin
(``--wasmtime 45|50``, built once; exit 2 when it cannot run here): the
fixture must first equal the reference's own run of its input (else it
fails, as on ``pyde-ref``), then a difference of the twin the oracle
explains is ``classified`` (its category and reason) instead of a failure.
``--engine exec:CMD`` runs ``/bin/sh -c CMD`` per fixture through the
protocol of ``spec/conformance.md``.

``--validators N`` runs every fixture on N simulated validators instead
(separate processes varying PYTHONHASHSEED, tier, module cache, order and
Python version) and requires bit-identical output documents.

Exit status: 0 every fixture passed (or was classified), 1 a failure, an
error or a validator mismatch, 2 a usage error, an unreadable fixture or an
engine that cannot run here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from pyde_ref.commands.run import add_tier_argument
from pyde_ref.conformance import consume as consuming
from pyde_ref.conformance import fixture as fx
from pyde_ref.conformance import validators
from pyde_ref.conformance.engines import EXEC_TIMEOUT_SECONDS, make_engine
from pyde_ref.conformance.authoring import selected
from pyde_ref.diff.twin import add_wasmtime_argument
from pyde_ref.diff.twin_env import TwinUnavailable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fixtures", nargs="+", help="fixture files or directories (searched for *.json)")
    parser.add_argument("--engine", default="pyde-ref", metavar="ENGINE",
                        help="pyde-ref (default), wasmtime, or exec:CMD (an external program, spec/conformance.md)")
    add_wasmtime_argument(parser)
    add_tier_argument(parser)
    parser.add_argument("-k", dest="select", action="append", default=[], metavar="TEXT",
                        help="only fixtures whose name contains TEXT (repeatable)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="parallel processes for exec: engines and validators (default: the CPU count)")
    parser.add_argument("--validators", type=int, default=None, metavar="N",
                        help="run N >= 1 simulated validators (pyde-ref only) and require bit-identical outputs")
    parser.add_argument("--python", action="append", default=[], metavar="INTERPRETER",
                        help="with --validators: also run validators on this interpreter (repeatable)")
    parser.add_argument("--no-discover", action="store_true",
                        help="with --validators: only this interpreter and those given with --python")
    parser.add_argument("--timeout", type=float, default=EXEC_TIMEOUT_SECONDS, metavar="SECONDS",
                        help=f"exec: engines: the longest one fixture may take before the engine (and what it "
                             f"started) is killed and the fixture is an error (default {EXEC_TIMEOUT_SECONDS:g})")
    parser.add_argument("--json", action="store_true", help="one JSON document on standard output")
    parser.add_argument("--quiet", action="store_true", help="list only the fixtures that did not pass")


def load_fixtures(args) -> list[fx.Fixture]:
    found = []
    for path in fx.find(args.fixtures):
        f = fx.load(path)
        if selected(f.name, args.select):
            found.append(f)
    return found


def main(args) -> int:
    def fail(message: str, status: int = 2) -> int:
        print(f"pyde-ref consume: {message}", file=sys.stderr)
        return status

    if args.validators is not None and args.validators < 1:
        return fail(f"--validators must be at least 1, got {args.validators}")
    if args.jobs < 1:
        return fail(f"--jobs must be at least 1, got {args.jobs}")
    try:
        fixtures = load_fixtures(args)
    except fx.FixtureError as exc:
        return fail(str(exc))
    if not fixtures:
        return fail("no fixtures found")
    if args.validators is not None:
        return main_validators(args, fixtures, fail)
    if not args.timeout > 0:
        return fail(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    try:
        engine = make_engine(args.engine, tier=args.tier, wasmtime=args.wasmtime, timeout=args.timeout)
    except ValueError as exc:
        return fail(str(exc))
    except (TwinUnavailable, ImportError) as exc:
        what = f"wasmtime {args.wasmtime} twin" if args.engine == "wasmtime" else f"{args.engine} engine"
        return fail(f"the {what} cannot run here: {exc}")

    def progress(verdict):
        if not args.json and not (args.quiet and verdict.status == consuming.PASS):
            print(verdict.line(), flush=True)

    jobs = args.jobs if args.engine.startswith("exec:") else 1
    verdicts = consuming.consume(fixtures, engine, jobs, progress)
    summary = consuming.summary(verdicts)
    if args.json:
        print(json.dumps({"engine": engine.describe(), "summary": summary,
                          "fixtures": [v.to_json() for v in verdicts]}, indent=1))
    else:
        print(f"{summary['fixtures']} fixtures on {engine.name}: {summary['pass']} passed, "
              f"{summary['classified']} classified, {summary['fail']} failed, {summary['error']} errors")
        for reason, count in summary["classified_by_reason"].items():
            print(f"  classified {count}: {reason}")
    return 1 if summary["fail"] or summary["error"] else 0


def main_validators(args, fixtures, fail) -> int:
    if args.engine != "pyde-ref":
        return fail("--validators runs pyde-ref itself; --engine must be pyde-ref")
    runtimes, skipped = validators.pythons(args.python, discover=not args.no_discover)

    def progress(plan, reply):
        if not args.json and "error" in reply:
            print(f"{plan.describe()}: {reply['error']}", file=sys.stderr)

    report = validators.run([f.path for f in fixtures], args.validators, args.jobs, runtimes, progress)
    report["skipped_pythons"] = skipped
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        v = report["varied"]
        print(f"{report['validators']} validators x {report['fixtures']} fixtures = {report['runs']} runs in "
              f"{report['seconds']} s: {report['mismatches']} mismatches")
        print(f"  varied: Python {', '.join(v['python'])}; {v['hash_seeds']} PYTHONHASHSEED values; tiers "
              f"{', '.join(v['tiers'])}; module cache {', '.join(v['module_cache'])}; {v['orders']} fixture orders")
        for reason in skipped:
            print(f"  skipped: {reason}")
        for m in report["mismatch_details"]:
            print(f"MISMATCH {m['fixture']} on {m['validator']}: {m['detail']}")
    return 1 if report["mismatches"] else 0
