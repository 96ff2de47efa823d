"""``pyde-ref spectest [DIR] [--only FILE ...] [--tier fast|reading] [--json]``:
run the official WebAssembly spec tests (a checkout of
github.com/WebAssembly/testsuite) under the pyde-v1 scope of ``SOURCE.md``, on
the fast execution tier (default) or the reading tier.

Exit status: 0 when no command failed, 1 when any failed, 2 when the run could
not start (no test-suite directory, no wasm-tools).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pyde_ref.commands.run import add_tier_argument
from pyde_ref.spectest.suite import (
    DEFAULT_WORKERS,
    TESTSUITE_ENV,
    find_scripts,
    format_table,
    run_suite,
    stderr_progress,
    summarize,
)
from pyde_ref.wasm.text import WasmToolsNotFound, find_wasm_tools

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_ERROR = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", metavar="DIR",
                        help="test-suite directory of .wast files (default: $PYDE_WASM_TESTSUITE)")
    parser.add_argument("--only", nargs="+", metavar="FILE", default=None,
                        help="run only these .wast files (names in DIR, with or without .wast)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="worker processes (default 2)")
    parser.add_argument("--cache-dir", default=None, metavar="DIR",
                        help="where converted scripts are cached (default $PYDE_REF_CACHE or ~/.cache/pyde-ref)")
    parser.add_argument("--no-progress", action="store_true", help="do not print progress to stderr")
    add_tier_argument(parser)


def _error(args: argparse.Namespace, message: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"status": "error", "error": message}))
    else:
        print(f"pyde-ref spectest: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def main(args: argparse.Namespace) -> int:
    directory = args.dir or os.environ.get(TESTSUITE_ENV)
    if not directory:
        return _error(args, f"no test-suite directory: pass DIR or set ${TESTSUITE_ENV}")
    directory = Path(directory)
    if not directory.is_dir():
        return _error(args, f"{directory} is not a test-suite directory ("
                            + ("a file" if directory.exists() else "no such directory") + ")")
    workers = args.workers if args.workers is not None else DEFAULT_WORKERS
    if workers < 1:
        return _error(args, "--workers must be at least 1")
    try:
        find_wasm_tools("convert .wast scripts")
        scripts = find_scripts(directory, args.only)
    except (WasmToolsNotFound, FileNotFoundError) as exc:
        return _error(args, str(exc))
    if not scripts:
        return _error(args, f"no .wast files in {directory}")
    progress = None if args.no_progress else stderr_progress
    results = run_suite(scripts, workers=workers,
                        cache_dir=Path(args.cache_dir) if args.cache_dir else None, progress=progress,
                        tier=args.tier)
    summary = summarize(results)
    if args.json:
        print(json.dumps(summary, sort_keys=False))
    else:
        print(format_table(summary))
    return EXIT_FAILURES if summary["totals"]["failed"] else EXIT_OK
