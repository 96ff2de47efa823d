"""The ``pyde-ref`` command line.

Each subcommand lives in its own module under :mod:`pyde_ref.commands`, which
defines ``add_arguments(parser)`` and ``main(args) -> int``.  Only the chosen
subcommand's module is imported, so a missing optional dependency of one
command never breaks another.

Whatever a command does, :func:`main` never lets a Python traceback out:

* output piped into a reader that stops early (``pyde-ref fuzz ... | head -1``)
  ends the command quietly with :data:`EXIT_BROKEN_PIPE`, as a program killed
  by ``SIGPIPE`` would;
* an exception no command handled is a bug of pyde-ref: one line on standard
  error names it, exit :data:`EXIT_INTERNAL_ERROR` (``PYDE_REF_TRACEBACK=1``
  shows the traceback instead, for debugging).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

#: Exit status when standard output (or error) was closed by its reader.
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a SIGPIPE death
#: Exit status of an exception no command handled (a bug in pyde-ref).
EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE of sysexits.h

COMMANDS = {
    "run": ("pyde_ref.commands.run", "run one exported function of a module"),
    "spectest": ("pyde_ref.commands.spectest", "run the official WebAssembly spec tests"),
    "hash": ("pyde_ref.commands.hash", "hash bytes with blake3, keccak256 or poseidon2"),
    "wave": ("pyde_ref.commands.wave", "apply a wave of transactions described in JSON"),
    "chain": ("pyde_ref.commands.chain", "apply a chain of waves described in JSON"),
    "abi": ("pyde_ref.commands.abi", "work with the pyde.abi custom section"),
    "diff": ("pyde_ref.commands.diff", "diff a call, a contract call or a wave between pyde-ref and wasmtime"),
    "fuzz": ("pyde_ref.commands.fuzz", "differential fuzz campaign against wasmtime"),
    "tracediff": ("pyde_ref.commands.tracediff", "the first record where two instruction traces differ"),
    "fuel-diff": ("pyde_ref.commands.fuel_diff", "what a wasmtime upgrade changes in a wave or chain document"),
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


def dispatch(argv: list[str]) -> int:
    """Parse ``argv`` and run the chosen command."""
    if not argv or argv[0] not in COMMANDS:
        top_level_parser().parse_args(argv)  # prints help or a usage error, then exits
        return 2
    name, rest = argv[0], argv[1:]
    module = importlib.import_module(COMMANDS[name][0])
    return module.main(command_parser(name, module).parse_args(rest))


def _silence_closed_streams() -> None:
    """Point standard output and error at ``/dev/null`` so the interpreter's
    final flush of a closed pipe raises nothing more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
            pass
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        code = dispatch(argv)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
        return code
    except BrokenPipeError:
        _silence_closed_streams()
        return EXIT_BROKEN_PIPE
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # a bug in pyde-ref: one line, never a traceback
        if os.environ.get("PYDE_REF_TRACEBACK"):
            raise
        try:
            print(f"pyde-ref: internal error (a bug in pyde-ref, please report): {type(exc).__name__}: {exc}"[:2000],
                  file=sys.stderr)
        except BrokenPipeError:
            _silence_closed_streams()
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
