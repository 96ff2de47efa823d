"""Running a whole test-suite checkout: every ``.wast`` file, in worker
processes, with per-file results gathered in file-name order so the report
never depends on which worker finished first."""

from __future__ import annotations

import collections
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Optional, Sequence

import attrs

from pyde_ref.wasm import FAST

from .convert import ConversionError, convert_script
from .script import (
    FAILED,
    OUTCOMES,
    SCOPED_COMMANDS,
    SPECTEST_CONFIG,
    Failure,
    FileResult,
    _counts,
    run_script,
)

TESTSUITE_ENV = "PYDE_WASM_TESTSUITE"
"""Environment variable naming the test-suite checkout (a directory of ``.wast`` files)."""

DEFAULT_WORKERS = 2

WORKER_START_METHOD = "spawn"
"""Workers start as fresh interpreters: forking a process that runs threads
(a test runner, an executor thread) can deadlock the child, and Python 3.12+
warns about it."""


def find_scripts(directory: Path, only: Optional[Sequence[str]] = None) -> list[Path]:
    """The ``.wast`` files of ``directory`` (sorted), or just the ``only`` ones
    (given as file names, with or without ``.wast``, or as paths)."""
    if only:
        found = []
        for name in only:
            candidate = Path(name)
            if not candidate.is_file():
                candidate = directory / name
            if not candidate.is_file() and not name.endswith(".wast"):
                candidate = directory / (name + ".wast")
            if not candidate.is_file():
                raise FileNotFoundError(f"no such .wast file: {name}")
            found.append(candidate)
        return found
    return sorted(directory.glob("*.wast"), key=lambda p: p.name)


def run_file(path: str, cache_dir: Optional[str] = None, tier: str = FAST) -> FileResult:
    """Convert and run one script on the execution tier ``tier``; a
    conversion failure is one failed command."""
    script_path = Path(path)
    try:
        script, wasm_dir = convert_script(script_path, Path(cache_dir) if cache_dir else None)
    except (ConversionError, OSError) as exc:
        result = FileResult(script_path.name)
        result.failures.append(Failure(script_path.name, 0, "convert", str(exc)))
        result.outcomes[FAILED] += 1
        return result
    return run_script(script_path.name, script, wasm_dir, attrs.evolve(SPECTEST_CONFIG, tier=tier))


def run_suite(
    scripts: Sequence[Path],
    workers: int = DEFAULT_WORKERS,
    cache_dir: Optional[Path] = None,
    progress: Optional[Callable[[int, int, FileResult], None]] = None,
    tier: str = FAST,
) -> list[FileResult]:
    """Run ``scripts`` on the execution tier ``tier``; results in the order
    given.  ``progress(done, total, result)`` is called as each file finishes."""
    cache = str(cache_dir) if cache_dir is not None else None
    results: dict[int, FileResult] = {}
    total = len(scripts)
    if workers <= 1 or total <= 1:
        for index, path in enumerate(scripts):
            results[index] = run_file(str(path), cache, tier)
            if progress:
                progress(index + 1, total, results[index])
    else:
        # Largest scripts first, so the last file to finish is a small one.
        order = sorted(range(total), key=lambda i: (-os.path.getsize(scripts[i]), scripts[i].name))
        context = multiprocessing.get_context(WORKER_START_METHOD)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(run_file, str(scripts[i]), cache, tier): i for i in order}
            for done, future in enumerate(as_completed(futures), start=1):
                index = futures[future]
                try:
                    results[index] = future.result()
                except Exception as exc:  # a worker died: the file fails, the run goes on
                    result = FileResult(scripts[index].name)
                    result.failures.append(Failure(scripts[index].name, 0, "worker", f"{type(exc).__name__}: {exc}"))
                    result.outcomes[FAILED] += 1
                    results[index] = result
                if progress:
                    progress(done, total, results[index])
    return [results[i] for i in range(total)]


def summarize(results: Sequence[FileResult]) -> dict:
    """The run as one JSON-ready object: totals, scope counts, per-file results."""
    outcomes: collections.Counter = collections.Counter()
    in_scope: collections.Counter = collections.Counter()
    out_of_scope: collections.Counter = collections.Counter()
    commands: collections.Counter = collections.Counter()
    for result in results:
        outcomes.update(result.outcomes)
        in_scope.update(result.in_scope)
        out_of_scope.update(result.out_of_scope)
        commands.update(result.commands)
    return {
        "totals": {name: outcomes[name] for name in OUTCOMES},
        "in_scope": _counts(in_scope, SCOPED_COMMANDS),
        "out_of_scope": _counts(out_of_scope, SCOPED_COMMANDS),
        "commands": dict(sorted(commands.items())),
        "files": [result.to_json() for result in results],
    }


def _command_list(title: str, entries: list[dict], max_shown: int) -> list[str]:
    """A titled block of ``file:line: command: message`` lines, at most
    ``max_shown`` of them; nothing when ``entries`` is empty."""
    if not entries:
        return []
    lines = ["", f"{title} ({len(entries)}):"]
    lines += [f"  {f['file']}:{f['line']}: {f['command']}: {f['message']}" for f in entries[:max_shown]]
    if len(entries) > max_shown:
        lines.append(f"  ... and {len(entries) - max_shown} more (use --json for all)")
    return lines


def format_table(summary: dict, max_failures: int = 200) -> str:
    """The human report: one row per file, totals, scope counts, failures."""
    header = ("file", "passed", "failed", "rejected", "skipped", "out-of-scope", "dependency")
    keys = OUTCOMES
    rows = [header]
    for entry in summary["files"]:
        rows.append((entry["file"], *(entry["totals"][k] for k in keys)))
    t = summary["totals"]
    rows.append(("TOTAL", *(t[k] for k in keys)))
    width = max(len(str(row[0])) for row in rows)
    lines = []
    for n, row in enumerate(rows):
        if n == len(rows) - 1:
            lines.append("-" * (width + (len(header) - 1) * 13))
        lines.append(f"{row[0]:<{width}}" + "".join(f"{str(cell):>13}" for cell in row[1:]))
    lines.append("")
    lines.append("in scope:     " + ", ".join(f"{k} {v}" for k, v in summary["in_scope"].items()))
    lines.append("out of scope: " + ", ".join(f"{k} {v}" for k, v in summary["out_of_scope"].items()))
    dependencies = [f for entry in summary["files"] for f in entry["dependency_out_of_scope"]]
    lines += _command_list("in scope, but depending on a module outside pyde-v1", dependencies, max_failures)
    failures = [f for entry in summary["files"] for f in entry["failures"]]
    lines += _command_list("failures", failures, max_failures)
    lines.append("")
    lines.append(f"{t['passed']} passed, {t['failed']} failed, {t['rejected_as_expected']} rejected as expected, "
                 f"{t['skipped']} skipped, {t['out_of_scope']} out of scope, "
                 f"{t['dependency_out_of_scope']} dependency out of scope")
    return "\n".join(lines)


def stderr_progress(done: int, total: int, result: FileResult) -> None:
    """Progress on stderr, one line per finished file."""
    failed = result.outcomes[FAILED]
    mark = f"  {failed} FAILED" if failed else ""
    print(f"[{done}/{total}] {result.file}{mark}", file=sys.stderr, flush=True)
