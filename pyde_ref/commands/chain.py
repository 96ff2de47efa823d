"""``pyde-ref chain CHAIN.json [--fuel-model spec|wasmtime-45|wasmtime-50] [--tier fast|reading] [--trace FILE] [--json]``.

Reads a chain document (``spec/wave-format.md`` "Chains"): a pre-state and
a list of waves, each a block context and its transactions, wave ids
increasing.  Applies the waves in order, each on the state the previous
left, and prints per wave the engine's steps at its start (upgrades
activated, epoch rewards), the receipts, the fees, ``events_root``,
``events_bloom``, ``state_digest`` and the validators' lifecycle states,
then the final ``state_digest`` and (``--json``) ``post_state``.

``--trace FILE`` as for ``pyde-ref wave``: an instruction trace of every wave
(``spec/trace-format.md``).

Exit status as for ``pyde-ref wave``: 0 applied, 2 malformed (the message
names the field) or options that do not go together, 1 unreadable (or the
trace cannot be written), 3 internal error.
"""

from __future__ import annotations

import argparse

from pyde_ref.commands.wave import add_common_arguments, run, signature_line, wave_lines
from pyde_ref.executor.wave_json import chain_output, parse_chain


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("chain", help="the chain document (JSON), or - for standard input")
    add_common_arguments(parser)


def summary(output: dict) -> list[str]:
    lines = signature_line(output["signatures_checked"])
    for wave in output["waves"]:
        lines.append(f"== wave {wave['wave_id']}")
        lines += wave_lines(wave)
    lines.append(f"== final state_digest {output['state_digest']}")
    return lines


def main(args) -> int:
    args.document = args.chain
    return run(args, parse_chain, chain_output, summary, "chain")
