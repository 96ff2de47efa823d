"""``pyde-ref wave WAVE.json [--fuel-model spec|wasmtime-50] [--tier fast|reading] [--json]``.

Reads one wave document (``spec/wave-format.md``, ``spec/wave.schema.json``),
builds the pre-state from its ``accounts`` and ``contracts``, applies its
transactions in order and prints the receipts, ``events_root``,
``events_bloom``, ``state_digest`` and ``post_state`` -- as one JSON document
with ``--json``, else as a short human-readable summary.

Exit status: 0 when the wave was applied (whatever the receipts say), 2 when
the document is malformed (the message names the field), 1 when the file
cannot be read, 3 for an internal error of pyde-ref itself (reported in one
line, never as a traceback).  ``-`` reads the document from standard input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from pyde_ref.commands.run import add_tier_argument, tier_usage_error
from pyde_ref.executor.wave import GenesisError, run_wave_input
from pyde_ref.executor.wave_json import WaveFormatError, parse_wave, wave_output
from pyde_ref.wasm import FUEL_MODELS, SPEC


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("wave", help="the wave document (JSON), or - for standard input")
    parser.add_argument(
        "--fuel-model",
        choices=FUEL_MODELS,
        default=SPEC,
        help="how fuel is checked and reported (default: spec)",
    )
    parser.add_argument("--json", action="store_true", help="print the output document as JSON")
    add_tier_argument(parser)


def _fail(message: str, status: int) -> int:
    print(f"pyde-ref wave: {message}", file=sys.stderr)
    return status


def read_wave_document(path: str) -> tuple[object, str | None]:
    """The JSON wave document at ``path`` (``-``: standard input) and the
    directory its relative code paths are resolved against (none for stdin)."""
    if path == "-":
        return json.load(sys.stdin), None
    with open(path, encoding="utf-8") as f:
        return json.load(f), os.path.dirname(os.path.abspath(path))


def receipt_line(index: int, r: dict) -> str:
    """One receipt of an output document in one line (``wave`` and ``diff``)."""
    detail = ""
    if r["status"] == "trap":
        detail = f" trap={r['trap']}"
    elif r["status"] == "rejected":
        detail = f" error_code={r['error_code']} reason={r['reason']}"
    elif r["status"] == "revert":
        detail = f" revert_reason={r['revert_reason']}"
    elif r["return_data"] != "0x":
        detail = f" return_data={r['return_data']}"
    if r["contract_address"]:
        detail += f" contract={r['contract_address']}"
    return f"tx {index}: {r['status']:8} gas_used={r['gas_used']}{detail} events={len(r['events'])}"


def _summary(output: dict) -> str:
    lines = [receipt_line(i, r) for i, r in enumerate(output["receipts"])]
    lines.append(f"events_root  {output['events_root']}")
    lines.append(f"state_digest {output['state_digest']}")
    return "\n".join(lines)


def main(args) -> int:
    problem = tier_usage_error(args.fuel_model, args.tier)
    if problem:
        return _fail(problem, 2)
    try:
        document, base_dir = read_wave_document(args.wave)
    except OSError as exc:
        return _fail(f"cannot read {args.wave}: {exc.strerror or exc}", 1)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _fail(f"{args.wave}: not a JSON document ({exc})", 2)
    try:
        wave_input = parse_wave(document, base_dir)
        result = run_wave_input(wave_input, fuel_model=args.fuel_model, tier=args.tier)
    except (WaveFormatError, GenesisError) as exc:
        return _fail(str(exc), 2)
    except Exception as exc:  # noqa: BLE001 - a bug in pyde-ref, reported, not a traceback
        return _fail(f"internal error (a bug in pyde-ref, please report): {type(exc).__name__}: {exc}", 3)
    output = wave_output(result)
    if args.json:
        print(json.dumps(output, indent=2))
    else:
        print(_summary(output))
    return 0
