"""``pyde-ref fuel-diff DOCUMENT [--from 45] [--to 50] [--json]``: what an
engine upgrade would change.

Runs a wave or chain document (``pyde-ref wave`` / ``pyde-ref chain``
format) under the fuel model of wasmtime ``--from`` and of wasmtime ``--to``
and lists every transaction whose receipt differs -- its gas, status, result
(return data, revert reason, events) or the state it wrote -- with the rule
that causes it, and every wave whose fees, commitments or state digest
differ (:mod:`pyde_ref.diff.fuel_diff` says how causes are found).  No
wasmtime is needed: the versions are the reference's models of them.

Exit status: 0 nothing changes, 1 some transaction or wave changes, 2 usage
error (an unknown version, a document that cannot be read or is malformed:
the message names the field), 3 internal error (reported in one line).
``--json`` prints exactly one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys

from pyde_ref.commands.wave import DocumentError, read_document
from pyde_ref.diff.fuel_diff import fuel_diff, report_lines
from pyde_ref.diff.twin import WASMTIME_VERSIONS, reference_fuel_model
from pyde_ref.executor.genesis import GenesisError
from pyde_ref.executor.jsonfields import WaveFormatError

EXIT_SAME = 0
EXIT_CHANGED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    versions = sorted(WASMTIME_VERSIONS)
    parser.add_argument("document", metavar="DOCUMENT", help="a wave or chain document (JSON), or - for stdin")
    parser.add_argument("--from", dest="from_version", default="45", choices=versions, metavar="VERSION",
                        help=f"the wasmtime version the chain runs now: {' or '.join(versions)} (default 45)")
    parser.add_argument("--to", dest="to_version", default="50", choices=versions, metavar="VERSION",
                        help="the wasmtime version it would upgrade to (default 50)")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.epilog = "exit status: 0 nothing changes, 1 something changes, 2 usage error, 3 internal error"


def main(args: argparse.Namespace) -> int:
    def fail(message: str, status: int) -> int:
        if args.json:
            print(json.dumps({"status": "error", "error": message}))
        else:
            print(f"pyde-ref fuel-diff: {message}", file=sys.stderr)
        return status

    try:
        document, base_dir = read_document(args.document)
    except DocumentError as exc:
        return fail(str(exc), EXIT_USAGE)
    from_model, to_model = reference_fuel_model(args.from_version), reference_fuel_model(args.to_version)
    try:
        report = fuel_diff(document, base_dir, from_model, to_model)
    except (WaveFormatError, GenesisError) as exc:
        return fail(f"{args.document}: {exc}", EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - a bug in pyde-ref, reported, not a traceback
        return fail(f"internal error (a bug in pyde-ref, please report): {type(exc).__name__}: {exc}", EXIT_INTERNAL)
    if args.json:
        print(json.dumps(dict(report.to_json(), status="ok"), sort_keys=True))
    else:
        print("\n".join([f"{args.document}: wasmtime {args.from_version} -> {args.to_version}"]
                        + report_lines(report)))
    return EXIT_CHANGED if report.changed else EXIT_SAME
