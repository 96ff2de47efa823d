"""``pyde-ref diff``: pyde-ref against its wasmtime twin, three ways.

``diff MODULE FUNC [ARG ...]``
    One bare call: the module is instantiated and FUNC called on the twin
    (seed §3.2's engine of the chosen wasmtime version), on the reference
    under the ``spec`` fuel model and under that version's model.  Compared:
    status, results (bits), trap kind, instantiation fuel, fuel consumed, a
    hash of the exported memory, exported mutable globals (and, with
    ``--with-host``, the fixed frame's state writes and events,
    :mod:`pyde_ref.diff.hostframe`).  ARGs are read by parameter type exactly
    as ``pyde-ref run`` reads them; ``--fuel N`` is the call's budget
    (default 1,000,000); instantiation has its own 1,000,000.

``diff --wave DOCUMENT``
    A wave document (``pyde-ref wave``) or a chain document (``pyde-ref
    chain``), diffed whole: every receipt field, events, events_root,
    events_bloom, post-state and state digest of every wave
    (:mod:`pyde_ref.diff.wave_diff`).

``diff --contract MODULE.wasm --function NAME [--calldata 0x...]``
    One contract call with the host functions, for a contract author: the
    module is installed as a contract (deploy validation, ``pyde.abi``
    section), optionally with ``--balance``, ``--storage 0xSLOT=0xVALUE`` and
    other accounts and contracts from ``--state STATE.json``; ``--before
    NAME[:0xCALLDATA]`` calls run first (e.g. ``initialize``, a ``mint``);
    then NAME is called with ``--calldata``, ``--value`` and ``--gas`` from
    ``--from``.  The whole wave is diffed (:mod:`pyde_ref.diff.contract_call`).

``--wasmtime 45|50`` picks the twin (default 50; another version than the
installed one runs in a managed environment built on first use).  ``--tier``
is the execution tier of the reference's ``spec`` run (default fast; the
version's fuel model runs on the fast tier, the only one that implements it).  A
difference is classified ``explained`` / ``known_hazard`` /
``unexplained`` (:mod:`pyde_ref.diff.classify`).

Exit status: 0 agree or explained, 1 known hazard (classified, not equal),
3 unexplained, 2 usage error or a twin that cannot run here.  ``--json`` prints exactly one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys

from pyde_ref.commands import run as run_command
from pyde_ref.commands.wave import DocumentError, read_document, receipt_line
from pyde_ref.diff import classify as cl
from pyde_ref.diff import contract_call as cc
from pyde_ref.diff.contract_call import DEFAULT_ADDRESS, DEFAULT_GAS, DEFAULT_SENDER
from pyde_ref.diff.fuel_diff import tx_functions
from pyde_ref.diff.outcome import CRASH
from pyde_ref.diff.twin import TwinError, add_wasmtime_argument, get_twin
from pyde_ref.diff.twin_env import TwinUnavailable
from pyde_ref.diff.wave_diff import diff_wave
from pyde_ref.executor.genesis import GenesisError
from pyde_ref.executor.jsonfields import WaveFormatError, read_int
from pyde_ref.executor.params import MAX_MODULE_SIZE
from pyde_ref.state.accounts import U64_MAX, U128_MAX
from pyde_ref.wasm.errors import WasmError
from pyde_ref.wasm.text import load_module_bytes

EXIT_AGREE = 0
EXIT_CLASSIFIED = 1
EXIT_ERROR = 2
EXIT_UNEXPLAINED = 3
DEFAULT_FUEL = 1_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", metavar="MODULE", nargs="?", default=None,
                        help="a .wasm file, or a .wat file (needs wasm-tools); with --wave, the wave or chain document")
    parser.add_argument("func", metavar="FUNC", nargs="?", default=None,
                        help="name of the exported function to call (bare call)")
    parser.add_argument("args", nargs="*", metavar="ARG", help="arguments, read by parameter type as in 'run'")
    parser.add_argument("--fuel", default=str(DEFAULT_FUEL), metavar="N",
                        help=f"bare call: fuel budget of the call (default {DEFAULT_FUEL})")
    parser.add_argument("--with-host", action="store_true", help="bare call: provide the pyde host functions")
    parser.add_argument("--wave", action="store_true",
                        help="MODULE is a wave or chain document (spec/wave-format.md): diff the whole document")
    contract = parser.add_argument_group("one contract call (--contract)")
    contract.add_argument("--contract", metavar="MODULE.wasm", help="the contract's module (with its pyde.abi section)")
    contract.add_argument("--function", metavar="NAME", help="the entry to call (empty: fallback / receive)")
    contract.add_argument("--calldata", default="0x", metavar="0xHEX", help="the call's calldata (default none)")
    contract.add_argument("--value", default="0", metavar="N", help="value sent with the call (default 0)")
    contract.add_argument("--gas", default=str(DEFAULT_GAS), metavar="N",
                          help=f"gas limit of each call (default {DEFAULT_GAS})")
    contract.add_argument("--from", dest="sender", default=DEFAULT_SENDER, metavar="0xADDR",
                          help="the sender (default 0xa1...a1; funded unless --state lists it)")
    contract.add_argument("--address", default=DEFAULT_ADDRESS, metavar="0xADDR",
                          help="where the contract is installed (default 0xc0...c0)")
    contract.add_argument("--balance", default="0", metavar="N", help="the contract's balance (default 0)")
    contract.add_argument("--storage", action="append", default=[], metavar="0xSLOT=0xVALUE",
                          help="a storage slot of the contract (repeatable)")
    contract.add_argument("--before", action="append", default=[], metavar="NAME[:0xHEX]",
                          help="a call made first, same sender and gas (repeatable, in order)")
    contract.add_argument("--state", metavar="STATE.json",
                          help="more pre-state: a wave document's context, accounts and contracts")
    add_wasmtime_argument(parser)
    run_command.add_tier_argument(parser)
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.epilog = ("exit status: 0 agree or explained, 1 known hazard, "
                     "3 unexplained, 2 usage error. Arguments starting with '-' that are not numbers go after '--'.")
    run_command.accept_negative_arguments(parser)


class UsageError(ValueError):
    """A command-line problem, reported with exit status 2."""


def _fail(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print(json.dumps({"status": "error", "error": message}))
    else:
        print(f"pyde-ref diff: {message}", file=sys.stderr)
    return EXIT_ERROR


def _exit_status(category: str) -> int:
    return {cl.AGREE: EXIT_AGREE, cl.EXPLAINED: EXIT_AGREE,
            cl.KNOWN_HAZARD: EXIT_CLASSIFIED}.get(category, EXIT_UNEXPLAINED)


def main(args: argparse.Namespace) -> int:
    try:
        if args.contract is not None:
            return _main_contract(args)
        if args.wave:
            return _main_wave(args)
        return _main_call(args)
    except UsageError as e:
        return _fail(args, str(e))
    except (TwinUnavailable, ImportError) as e:  # ImportError: wasmtime is not installed here
        return _fail(args, f"the wasmtime {args.wasmtime} twin cannot run here: {e}")
    except TwinError as e:
        return _fail(args, f"the wasmtime {args.wasmtime} twin failed: {e}")


# --------------------------------------------------------------------------
# A bare call
# --------------------------------------------------------------------------


def _main_call(args: argparse.Namespace) -> int:
    if args.module is None or args.func is None:
        raise UsageError("MODULE and FUNC are required (or --wave WAVE.json, or --contract MODULE.wasm)")
    if args.calldata != "0x" or args.function is not None:
        raise UsageError("--calldata and --function describe a contract call: use --contract MODULE.wasm")
    try:
        fuel = run_command.parse_fuel(args.fuel)
    except run_command.ArgumentError as e:
        raise UsageError(str(e)) from None
    wasm = _read_module(args.module)
    params = dict(get_twin(args.wasmtime).function_exports(wasm) or []).get(args.func)
    if params is None:
        params = []  # rejected module or no such export: every backend reports it
    try:
        values = run_command.parse_call_args(args.func, args.args, params)
    except run_command.ArgumentError as e:
        raise UsageError(str(e)) from None

    result = cl.run_case(wasm, args.func, values, fuel, with_host=args.with_host, wasmtime=args.wasmtime,
                         tier=args.tier)
    if args.json:
        print(json.dumps(result.to_json(), sort_keys=True))
    else:
        print(_call_human(result))
    return _exit_status(result.verdict.category)


def _read_module(path: str) -> bytes:
    try:
        return load_module_bytes(path, MAX_MODULE_SIZE)
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None
    except WasmError as e:
        raise UsageError(str(e)) from None


def _verdict_line(category: str, hazard) -> str:
    return category + (f" ({hazard})" if hazard else "")


def _call_human(result) -> str:
    lines = [_verdict_line(result.verdict.category, result.verdict.hazard)]
    for label, out in ((f"wasmtime {result.version}", result.wasmtime), ("pyde-ref spec", result.spec),
                       (f"pyde-ref {result.model_name}", result.model)):
        lines.append(f"  {label:22s} {out.status:14s} trap={out.trap} results={list(out.results)} "
                     f"fuel={out.fuel_consumed} instantiate_fuel={out.instantiate_fuel}")
    lines += _difference_lines(result.verdict.spec_differences, result.verdict.model_differences,
                               result.model_name)
    return "\n".join(lines)


def _difference_lines(spec_diffs, model_diffs, model_name: str) -> list[str]:
    lines = []
    for title, diffs in (("spec vs wasmtime", spec_diffs), (f"{model_name} vs wasmtime", model_diffs)):
        for d in diffs:
            lines.append(f"  {title}: {d.field}: {d.reference!r} != {d.wasmtime!r}")
    return lines


# --------------------------------------------------------------------------
# A wave (a document, or one contract call written as one)
# --------------------------------------------------------------------------


def _main_wave(args: argparse.Namespace) -> int:
    if args.module is None:
        raise UsageError("--wave needs the wave or chain document")
    if args.func is not None or args.args:
        raise UsageError("--wave takes only the wave or chain document")
    try:
        document, base_dir = read_document(args.module)
    except DocumentError as e:
        raise UsageError(str(e)) from None
    return _diff_document(args, document, base_dir, args.module)


CALL_NUMBER_MAXIMA = {"value": U128_MAX, "gas": U64_MAX, "balance": U128_MAX}
"""``--value``, ``--gas``, ``--balance``: a u128 amount, a u64 gas limit, a u128 balance."""


def _main_contract(args: argparse.Namespace) -> int:
    if args.module is not None or args.wave:
        raise UsageError("--contract takes no MODULE/FUNC positional arguments and no --wave")
    if args.function is None:
        raise UsageError("--contract needs --function NAME (an empty name calls the fallback or receive)")
    try:
        call = cc.Call(args.function, cc.parse_hex(args.calldata, "--calldata"))
        before = [cc.parse_call(text, "--before") for text in args.before]
        storage = [cc.parse_storage(text) for text in args.storage]
        numbers = {}
        for option, maximum in CALL_NUMBER_MAXIMA.items():
            try:  # the one reader of decimal integers (at most MAX_INTEGER_DIGITS digits)
                numbers[option] = read_int(getattr(args, option), f"--{option}", maximum)
            except WaveFormatError as e:
                raise cc.ContractCallError(str(e)) from None
        state = None
        if args.state is not None:
            from pyde_ref.commands.wave import DocumentError, read_document

            try:
                state, _ = read_document(args.state)
            except DocumentError as e:
                raise cc.ContractCallError(str(e)) from None
            if not isinstance(state, dict):
                raise cc.ContractCallError(f"{args.state}: a state document is a JSON object")
        code = _read_module(args.contract)
        document = cc.contract_call_wave(code, call, value=numbers["value"], gas=numbers["gas"],
                                         sender=args.sender, address=args.address, balance=numbers["balance"],
                                         storage=storage, before=before, state=state)
    except cc.ContractCallError as e:
        raise UsageError(str(e)) from None
    return _diff_document(args, document, None, args.contract)


def _diff_document(args: argparse.Namespace, document, base_dir, source: str) -> int:
    try:
        verdict, outputs = diff_wave(document, base_dir, args.wasmtime, args.tier)
    except (WaveFormatError, GenesisError) as e:
        raise UsageError(f"{source}: {e}") from None
    if args.json:
        print(json.dumps({"verdict": verdict.to_json(), "wasmtime_version": args.wasmtime, "outputs": outputs},
                         sort_keys=True))
    else:
        print(_wave_human(verdict, outputs, document))
    return _exit_status(verdict.category)


def _wave_human(verdict, outputs: dict, document) -> str:
    lines = [_verdict_line(verdict.category, verdict.hazard)]
    if verdict.crash:
        lines.append(f"  crash: {verdict.crash}")
    twin = outputs.get("wasmtime", {})
    if CRASH not in twin:
        waves = twin["waves"] if "waves" in twin else [twin]
        labels = tx_functions(document)
        for w, wave in enumerate(waves):
            if len(waves) > 1:
                lines.append(f"  wave {w}:")
            names = labels[w] if w < len(labels) else []
            engine = sum(1 for r in wave["receipts"] if "xcall" in r)  # the wave's engine transactions come first
            for i, receipt in enumerate(wave["receipts"]):
                t = i - engine
                name = names[t] if 0 <= t < len(names) else None
                lines.append("  wasmtime " + receipt_line(i, receipt) + (f" [{name}]" if name else ""))
    lines += _difference_lines(verdict.spec_differences, verdict.model_differences, "model")
    return "\n".join(lines)
