"""``pyde-ref diff MODULE FUNC [ARG ...]``: one call, pyde-ref against wasmtime.

The module is instantiated and FUNC called three times: on the wasmtime twin
(seed §3.2's engine, :mod:`pyde_ref.diff.wasmtime_backend`), on the reference
under the ``spec`` fuel model and under the ``wasmtime-50`` model.  Compared:
status, results (bits), trap kind, instantiation fuel, fuel consumed, a hash of
the exported memory, exported mutable globals (and, with ``--with-host``, the
frame's state writes and events).  The difference, if any, is classified
``explained`` / ``known_hazard`` / ``unexplained`` (:mod:`pyde_ref.diff.classify`).

* MODULE is ``.wasm`` or ``.wat``; ARGs are read by parameter type exactly as
  ``pyde-ref run`` reads them.
* ``--fuel N`` is the call's budget (default 1,000,000); instantiation gets
  its own budget of 1,000,000 on every backend.
* ``--with-host`` binds ``pyde`` imports to the ABI host functions in a fixed
  frame (:mod:`pyde_ref.diff.hostframe`).
* ``--wave``: MODULE is a wave document (``pyde-ref wave`` format) or a
  chain document (``pyde-ref chain``), and the whole document is diffed:
  every receipt field, events, events_root, events_bloom, post-state and
  state digest of every wave (:mod:`pyde_ref.diff.wave_diff`).

Exit status: 0 agree or explained, 1 known hazard, 3 unexplained, 2 usage
error.  ``--json`` prints exactly one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys

from pyde_ref.commands import run as run_command
from pyde_ref.commands.wave import DocumentError, read_document
from pyde_ref.executor.genesis import GenesisError
from pyde_ref.executor.wave_json import WaveFormatError, parse_document
from pyde_ref.wasm.errors import WasmError
from pyde_ref.wasm.text import load_module_bytes

try:  # the differential oracle needs the optional wasmtime extra: its absence is a usage error
    import wasmtime  # noqa: F401 - imported first, so a missing extra is reported as such
    from pyde_ref.diff import classify as cl
    from pyde_ref.diff.fuzz import function_exports
    from pyde_ref.diff.wave_diff import diff_wave
except ImportError as exc:
    BACKEND_MISSING: ImportError | None = exc
else:
    BACKEND_MISSING = None

EXIT_AGREE = 0
EXIT_HAZARD = 1
EXIT_ERROR = 2
EXIT_UNEXPLAINED = 3
DEFAULT_FUEL = 1_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", metavar="MODULE", help="a .wasm file, or a .wat file (needs wasm-tools)")
    parser.add_argument("func", metavar="FUNC", nargs="?", default=None,
                        help="name of the exported function to call (not with --wave)")
    parser.add_argument("args", nargs="*", metavar="ARG", help="arguments, read by parameter type as in 'run'")
    parser.add_argument("--fuel", default=str(DEFAULT_FUEL), metavar="N",
                        help=f"fuel budget of the call (default {DEFAULT_FUEL})")
    parser.add_argument("--with-host", action="store_true", help="provide the pyde host functions")
    parser.add_argument("--wave", action="store_true",
                        help="MODULE is a wave or chain document: diff all of it")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.epilog = ("exit status: 0 agree or explained, 1 known hazard, 3 unexplained, 2 usage error. "
                     "Arguments starting with '-' that are not numbers go after '--'.")
    run_command.accept_negative_arguments(parser)


def _fail(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print(json.dumps({"status": "error", "error": message}))
    else:
        print(f"pyde-ref diff: {message}", file=sys.stderr)
    return EXIT_ERROR


def main(args: argparse.Namespace) -> int:
    if BACKEND_MISSING is not None:
        return _fail(args, f"the wasmtime backend is not available ({BACKEND_MISSING}); "
                           "pip install 'pyde-ref[wasmtime]'")
    if args.wave:
        return _main_wave(args)
    if args.func is None:
        return _fail(args, "FUNC is required (or --wave with a wave document)")
    try:
        fuel = run_command.parse_fuel(args.fuel)
    except run_command.ArgumentError as e:
        return _fail(args, str(e))
    try:
        wasm = load_module_bytes(args.module)
    except OSError as e:
        return _fail(args, f"cannot read {args.module}: {e.strerror or e}")
    except WasmError as e:
        return _fail(args, str(e))
    params = dict(function_exports(wasm) or []).get(args.func)
    if params is None:
        params = []  # rejected module or no such export: every backend reports it
    try:
        values = run_command.parse_call_args(args.func, args.args, params)
    except run_command.ArgumentError as e:
        return _fail(args, str(e))

    result = cl.run_case(wasm, args.func, values, fuel, with_host=args.with_host)
    category = result.verdict.category
    if args.json:
        print(json.dumps(result.to_json(), sort_keys=True))
    else:
        print(_human(result))
    return {cl.AGREE: EXIT_AGREE, cl.EXPLAINED: EXIT_AGREE, cl.KNOWN_HAZARD: EXIT_HAZARD}.get(category,
                                                                                             EXIT_UNEXPLAINED)


def _main_wave(args: argparse.Namespace) -> int:
    if args.func is not None or args.args:
        return _fail(args, "--wave takes only the wave document")
    try:
        document, base_dir = read_document(args.module)
        wave_input = parse_document(document, base_dir)
    except DocumentError as e:
        return _fail(args, str(e))
    except WaveFormatError as e:
        return _fail(args, f"{args.module}: {e}")
    try:
        verdict, outputs = diff_wave(wave_input)
    except GenesisError as e:
        return _fail(args, f"{args.module}: {e}")
    if args.json:
        print(json.dumps({"verdict": verdict.to_json(), "outputs": outputs}, sort_keys=True))
    else:
        print(verdict.category)
        for title, diffs in (("spec vs wasmtime", verdict.spec_differences),
                             ("wasmtime-50 vs wasmtime", verdict.model_differences)):
            for d in diffs:
                print(f"  {title}: {d.field}: {d.reference!r} != {d.wasmtime!r}")
    return EXIT_AGREE if verdict.category in (cl.AGREE, cl.EXPLAINED) else EXIT_UNEXPLAINED


def _human(result) -> str:
    lines = [f"{result.verdict.category}" + (f" ({result.verdict.hazard})" if result.verdict.hazard else "")]
    for label, out in (("wasmtime", result.wasmtime), ("pyde-ref spec", result.spec),
                       ("pyde-ref wasmtime-50", result.model)):
        lines.append(f"  {label:22s} {out.status:14s} trap={out.trap} results={list(out.results)} "
                     f"fuel={out.fuel_consumed} instantiate_fuel={out.instantiate_fuel}")
    for title, diffs in (("spec vs wasmtime", result.verdict.spec_differences),
                         ("wasmtime-50 vs wasmtime", result.verdict.model_differences)):
        for d in diffs:
            lines.append(f"  {title}: {d.field}: {d.reference!r} != {d.wasmtime!r}")
    return "\n".join(lines)
