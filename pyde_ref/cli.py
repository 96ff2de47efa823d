"""The ``pyde-ref`` command line.

Each subcommand lives in its own module under :mod:`pyde_ref.commands`, which
defines ``add_arguments(parser)`` and ``main(args) -> int``.  Only the chosen
subcommand's module is imported, so a missing optional dependency of one
command never breaks another.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "run": ("pyde_ref.commands.run", "run one exported function of a module"),
    "spectest": ("pyde_ref.commands.spectest", "run the official WebAssembly spec tests"),
    "hash": ("pyde_ref.commands.hash", "hash bytes with blake3, keccak256 or poseidon2"),
    "wave": ("pyde_ref.commands.wave", "apply a wave of transactions described in JSON"),
    "abi": ("pyde_ref.commands.abi", "work with the pyde.abi custom section"),
    "diff": ("pyde_ref.commands.diff", "diff one call between pyde-ref and wasmtime"),
    "fuzz": ("pyde_ref.commands.fuzz", "differential fuzz campaign against wasmtime"),
}


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(
        prog="pyde-ref",
        description="Executable specification of Pyde's WebAssembly execution layer.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parsers = {}
    for name, (_module, help_text) in COMMANDS.items():
        parsers[name] = sub.add_parser(name, help=help_text, description=help_text)
    return parser, parsers


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser, parsers = build_parser()
    # Parse the command name first, then let that command's module add its arguments.
    name = next((a for a in argv if not a.startswith("-")), None)
    if name in COMMANDS:
        module = importlib.import_module(COMMANDS[name][0])
        module.add_arguments(parsers[name])
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    return module.main(args)


if __name__ == "__main__":
    sys.exit(main())
