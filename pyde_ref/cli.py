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
    "chain": ("pyde_ref.commands.chain", "apply a chain of waves described in JSON"),
    "abi": ("pyde_ref.commands.abi", "work with the pyde.abi custom section"),
    "diff": ("pyde_ref.commands.diff", "diff one call between pyde-ref and wasmtime"),
    "fuzz": ("pyde_ref.commands.fuzz", "differential fuzz campaign against wasmtime"),
}


def top_level_parser() -> argparse.ArgumentParser:
    """The parser that only lists the commands (``pyde-ref --help``)."""
    parser = argparse.ArgumentParser(
        prog="pyde-ref",
        description="Executable specification of Pyde's WebAssembly execution layer.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, description=help_text)
    return parser


def command_parser(name: str, module) -> argparse.ArgumentParser:
    """The chosen command's own parser, so that every usage error of a command
    (an unknown option included) is reported by that command, in its format:
    a module may set ``PARSER_CLASS`` (e.g. one that reports errors as JSON)."""
    parser_class = getattr(module, "PARSER_CLASS", argparse.ArgumentParser)
    parser = parser_class(prog=f"pyde-ref {name}", description=COMMANDS[name][1])
    module.add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:
        top_level_parser().parse_args(argv)  # prints help or a usage error, then exits
        return 2
    name, rest = argv[0], argv[1:]
    module = importlib.import_module(COMMANDS[name][0])
    return module.main(command_parser(name, module).parse_args(rest))


if __name__ == "__main__":
    sys.exit(main())
