"""``pyde-ref wave WAVE.json [--fuel-model spec|wasmtime-45|wasmtime-50] [--tier fast|reading] [--trace FILE] [--json]``.

Reads one wave document (``spec/wave-format.md``, ``spec/wave.schema.json``),
builds the pre-state from its state sections, applies its transactions in
order and prints the receipts, the fees, ``events_root``, ``events_bloom``,
``state_digest`` and ``post_state`` -- as one JSON document with ``--json``,
else as a short human-readable summary.

``--trace FILE`` writes an instruction trace of the wave on the reading tier
(``spec/trace-format.md``): each transaction, each contract frame, every
instruction and host call, and a summary; ``--trace -`` writes it to
standard output and the wave's own output to standard error.

Exit status: 0 when the wave was applied (whatever the receipts say), 2 when
the document is malformed (the message names the field) or the options do
not go together, 1 when the file cannot be read or the trace cannot be
written, 3 for an internal error of pyde-ref itself (reported in one line,
never as a traceback).  ``-`` reads the document from standard input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from pyde_ref.abi.constants import error_name
from pyde_ref.commands.run import add_tier_argument, add_trace_argument, execution_tier
from pyde_ref.executor.genesis import GenesisError
from pyde_ref.executor.jsonfields import JsonDocumentError, WaveFormatError, load_json, read_error
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import parse_wave, wave_output
from pyde_ref.trace.records import hex_bytes
from pyde_ref.trace.writer import STDOUT, TraceWriteError, TraceWriter
from pyde_ref.wasm import FUEL_MODELS, SPEC


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("wave", help="the wave document (JSON), or - for standard input")
    add_common_arguments(parser)


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fuel-model",
        choices=FUEL_MODELS,
        default=SPEC,
        help="how fuel is checked and reported (default: spec)",
    )
    parser.add_argument("--json", action="store_true", help="print the output document as JSON")
    add_tier_argument(parser, default=None)
    add_trace_argument(parser)


class DocumentError(Exception):
    """The document could not be read (``status`` 1) or is not JSON (2)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def read_document(path: str) -> tuple[object, str | None]:
    """The JSON document at ``path`` (``-``: standard input) and the
    directory its relative code paths are resolved against (none for
    stdin), read by :func:`~pyde_ref.executor.jsonfields.load_json` (at most
    ``MAX_DOCUMENT_SIZE`` bytes of UTF-8 JSON, nested at most
    ``MAX_JSON_DEPTH`` deep, integers of at most ``MAX_INTEGER_DIGITS``
    digits).  Every object keeps its duplicate keys for the reader to refuse."""
    try:
        if path == "-":
            return load_json(getattr(sys.stdin, "buffer", sys.stdin)), None
        return load_json(path), os.path.dirname(os.path.abspath(path))
    except OSError as exc:
        raise DocumentError(read_error(path, exc), 1) from None
    except JsonDocumentError as exc:
        raise DocumentError(read_error(path, exc), 2) from None


def receipt_line(index: int, r: dict) -> str:
    """One receipt of an output document in one line (``wave`` and ``diff``)."""
    detail = ""
    if r["status"] == "trap":
        detail = f" trap={r['trap']}"
    elif r["status"] == "rejected":
        detail = f" code={r['code']}"
        if r["error_code"] is not None:
            detail += f" error_code={r['error_code']} ({error_name(r['error_code'])})"
        detail += f" reason={r['reason']}"
    elif r["status"] == "revert":
        detail = f" revert_reason={r['revert_reason']}"
    elif r["return_data"] != "0x":
        detail = f" return_data={r['return_data']}"
    if r["contract_address"]:
        detail += f" contract={r['contract_address']}"
    if "xcall" in r:
        x = r["xcall"]
        detail += f" xcall={x['id']} {x['source'][:10]}->{x['target'][:10]} outcome={x['outcome']}"
    if "parachain" in r:
        detail += f" parachain={r['parachain']['id'][:10]}@v{r['parachain']['version']}"
    fee = f" fee={r['fee']['total']}({r['fee']['payer_kind']})" if r["fee"] else ""
    return f"tx {index}: {r['status']:8} {r['tx_type']} gas_used={r['gas_used']}{fee}{detail} events={len(r['events'])}"


def wave_lines(wave: dict) -> list[str]:
    lines = []
    start = wave["wave_start"]
    for u in start["upgrades"]:
        lines.append(f"upgrade activated: {u['contract']} {u['old_code_hash']} -> {u['new_code_hash']}")
    for u in start.get("parachain_upgrades", []):
        lines.append(f"parachain {u['parachain']} version {u['old_version']} -> {u['new_version']} "
                     f"({u['old_wasm_hash']} -> {u['new_wasm_hash']})")
    for t in start.get("tallies", []):
        lines.append(f"tally: parachain {t['parachain']} proposal {t['proposal']} {t['status']} ({t['yes']} yes, "
                     f"{t['no']} no, {t['abstain']} abstain of {t['validators']}"
                     + (f"; {t['rejection']} not met)" if t["rejection"] != "none" else ")"))
    if start["rewards"] is not None:
        lines.append(f"rewards of epoch {start['rewards']['epoch']}: {start['rewards']['amount']} to "
                     f"{len(start['rewards']['shares'])} validator(s)")
    lines += [receipt_line(i, r) for i, r in enumerate(wave["receipts"])]
    fees = wave["fees"]
    lines.append(f"fees         total={fees['total']} burned={fees['burned']} "
                 f"reward_pool={fees['reward_pool']} treasury={fees['treasury']}")
    for vid, state in wave["validators"].items():
        lines.append(f"validator    {vid} {state}")
    lines.append(f"events_root  {wave['events_root']}")
    lines.append(f"state_digest {wave['state_digest']}")
    return lines


def signature_line(checked: bool) -> list[str]:
    return [] if checked else ["signatures   not checked (the document is unsigned)"]


def run(args, parse, render, summarize, command: str) -> int:
    """Read, parse, run, print: the body of ``wave`` and ``chain``."""
    def fail(message: str, status: int) -> int:
        print(f"pyde-ref {command}: {message}", file=sys.stderr)
        return status

    tier, problem = execution_tier(args)
    if problem:
        return fail(problem, 2)
    try:
        document, base_dir = read_document(args.document)
    except DocumentError as exc:
        return fail(str(exc), exc.status)
    trace = None
    try:
        parsed = parse(document, base_dir)
        if args.trace is not None:
            trace = TraceWriter.open(args.trace, command)
        result = run_document(parsed, fuel_model=args.fuel_model, tier=tier, observer=trace)
        if trace is not None:
            trace.finish(sum(r.gas_used for wave in result.waves for r in wave.receipts), trace_outcome(result))
    except TraceWriteError as exc:
        if trace is not None:
            trace.abandon()
        if exc.broken_pipe:
            raise BrokenPipeError(str(exc)) from None
        return fail(str(exc), 1)
    except (WaveFormatError, GenesisError) as exc:
        finish_failed(trace, exc)
        return fail(str(exc), 2)
    except Exception as exc:  # noqa: BLE001 - a bug in pyde-ref, reported, not a traceback
        message = f"internal error (a bug in pyde-ref, please report): {type(exc).__name__}: {exc}"
        finish_failed(trace, exc)
        return fail(message, 3)
    output = render(result, parsed.signatures_checked)
    # With --trace -, standard output carries the trace alone.
    out = sys.stderr if args.trace == STDOUT else sys.stdout
    print(json.dumps(output, indent=2) if args.json else "\n".join(summarize(output)), file=out)
    return 0


def trace_outcome(result) -> dict:
    """The summary record's ``outcome`` of applied waves (``spec/trace-format.md``)."""
    return {"status": "applied", "waves": len(result.waves),
            "transactions": sum(len(wave.receipts) for wave in result.waves),
            "stateDigest": hex_bytes(result.state_digest)}


def finish_failed(trace, exc: Exception) -> None:
    """End the trace of a run that failed with ``exc`` with an ``error``
    summary, if it can still be written (the run's error is what is reported)."""
    if trace is None:
        return
    try:
        trace.finish(None, {"status": "error", "error": f"{type(exc).__name__}: {exc}"})
    except TraceWriteError:
        trace.abandon()


def main(args) -> int:
    args.document = args.wave

    def parse(document, base_dir):
        if isinstance(document, dict) and "waves" in document:
            raise WaveFormatError("waves", "a chain document: run it with pyde-ref chain")
        return parse_wave(document, base_dir)

    return run(args, parse, lambda result, _signed: wave_output(result.waves[0]),
               lambda out: signature_line(out["signatures_checked"]) + wave_lines(out), "wave")

