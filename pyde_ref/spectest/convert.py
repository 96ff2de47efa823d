"""Turning a ``.wast`` script into commands and module binaries.

The text format is not part of what pyde-ref specifies (Pyde only ever sees
binaries), so a script is converted by ``wasm-tools json-from-wast``: a JSON
list of commands plus one ``.wasm`` file per module.  Conversion is the
slowest step of a cold run, so its output is cached in a directory keyed by
the SHA-256 of the script's bytes and the wasm-tools version: a changed
script or tool gets a fresh conversion, an unchanged one is never redone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pyde_ref.cache_dir import default_cache_dir
from pyde_ref.wasm.text import find_wasm_tools

CONVERSION_TIMEOUT_SECONDS = 300
"""The longest one conversion may take before it counts as failed."""

SCRIPT_JSON = "script.json"


class ConversionError(Exception):
    """``wasm-tools json-from-wast`` could not convert a script."""


@lru_cache(maxsize=None)
def wasm_tools_version(tool: str) -> str:
    """The ``wasm-tools --version`` line (part of the cache key)."""
    done = subprocess.run([tool, "--version"], capture_output=True, timeout=60, check=False)
    return done.stdout.decode("utf-8", "replace").strip()


def cache_key(script: bytes, tool_version: str) -> str:
    """The cache entry name of a script converted by a given wasm-tools."""
    digest = hashlib.sha256()
    digest.update(tool_version.encode("utf-8") + b"\0")
    digest.update(script)
    return digest.hexdigest()


def convert_script(path: Path, cache_dir: Optional[Path] = None) -> tuple[dict, Path]:
    """The converted script of the ``.wast`` file at ``path``: its JSON object
    and the directory holding its module binaries.  Raises
    :class:`ConversionError` (or ``WasmToolsNotFound``)."""
    tool = find_wasm_tools("convert .wast scripts")
    script = path.read_bytes()
    cache_root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    entry = cache_root / "wast" / cache_key(script, wasm_tools_version(tool))
    if not (entry / SCRIPT_JSON).is_file():
        _convert_into(tool, path, entry)
    with open(entry / SCRIPT_JSON, encoding="utf-8") as handle:
        return json.load(handle), entry


def _convert_into(tool: str, path: Path, entry: Path) -> None:
    """Convert into a fresh temporary directory, then rename it into place, so
    a concurrent or interrupted conversion never leaves a half-written entry."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
    try:
        done = subprocess.run(
            [tool, "json-from-wast", str(path), "-o", str(staging / SCRIPT_JSON),
             "--wasm-dir", str(staging) + os.sep],
            capture_output=True,
            timeout=CONVERSION_TIMEOUT_SECONDS,
            check=False,
        )
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise ConversionError(f"wasm-tools json-from-wast failed on {path.name}: {detail}")
        try:
            os.rename(staging, entry)
        except OSError:
            if not (entry / SCRIPT_JSON).is_file():  # not a concurrent winner: a real failure
                raise
    except subprocess.TimeoutExpired:
        raise ConversionError(f"converting {path.name} took over {CONVERSION_TIMEOUT_SECONDS} s") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
