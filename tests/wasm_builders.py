"""Helpers to build WebAssembly test modules: from WAT through ``wasm-tools
parse``, or by hand from sections; and the official spec-test modules,
extracted with ``wasm-tools json-from-wast`` and cached under /tmp."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from paths import testsuite_dir
from pyde_ref.wasm.features import WASM_TOOLS_FEATURES
from pyde_ref.wasm.text import WasmToolsNotFound, find_wasm_tools, wat_to_wasm
from wasm_sections import (  # noqa: F401  (the hand assembly, re-exported for the tests)
    FUNC_TYPE_VOID, HEADER, code_entry, code_section, func_section, module, name, one_func_module, section, sleb,
    type_section, uleb, vec,
)

CACHE = Path(tempfile.gettempdir()) / "pyde-ref-wast-cache"


def _wasm_tools_or_none() -> str | None:
    """The wasm-tools binary pyde-ref itself uses (``$PYDE_WASM_TOOLS``, the
    bundled one, or ``PATH``); ``None`` when absent."""
    try:
        return find_wasm_tools("build test modules")
    except WasmToolsNotFound:
        return None


WASM_TOOLS = _wasm_tools_or_none()


# ---------------------------------------------------------------------------
# WAT
# ---------------------------------------------------------------------------


def wat(text: str) -> bytes:
    """Assemble WAT text with ``wasm-tools parse`` (all proposals on, no
    validation, so invalid modules can be written too): pyde-ref's own
    :func:`~pyde_ref.wasm.text.wat_to_wasm`."""
    return wat_to_wasm(text)


def strip_custom_sections(data: bytes) -> bytes:
    """Remove custom sections (``wasm-tools parse`` adds a name section)."""
    result = subprocess.run(
        [WASM_TOOLS, "strip", "--all", "-", "-o", "/dev/stdout"],
        input=data, capture_output=True, check=True,
    )
    return result.stdout


def wasm_tools_accepts(data: bytes) -> bool:
    """The scope oracle: ``wasm-tools validate --features <pyde-v1>``."""
    result = subprocess.run(
        [WASM_TOOLS, "validate", "--features", WASM_TOOLS_FEATURES, "-"],
        input=data,
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


# ---------------------------------------------------------------------------
# The official spec tests
# ---------------------------------------------------------------------------


def wast_files() -> list[Path]:
    """The snapshot's ``.wast`` scripts (skips the calling test without the snapshot)."""
    suite = testsuite_dir()
    if not suite.is_dir():
        pytest.skip(f"needs the spec-test snapshot at {suite} (../shared beside the repository, "
                    "or set PYDE_WASM_TESTSUITE)")
    return sorted(suite.glob("*.wast"))


def spec_modules(wast: Path) -> list[tuple[str, dict, bytes]]:
    """``(file name, command, bytes)`` for every binary module of a .wast
    file (module, assert_invalid, assert_malformed, ...), extracted once
    into :data:`CACHE`."""
    out_dir = CACHE / wast.stem
    manifest = out_dir / f"{wast.stem}.json"
    if not manifest.exists():
        tmp = Path(tempfile.mkdtemp(dir=CACHE.parent if CACHE.exists() else None))
        subprocess.run(
            [WASM_TOOLS, "json-from-wast", str(wast), "-o", str(tmp / manifest.name),
             "--wasm-dir", str(tmp) + "/"],
            check=True,
            capture_output=True,
        )
        CACHE.mkdir(exist_ok=True)
        try:
            os.rename(tmp, out_dir)
        except OSError:  # another process cached it first
            shutil.rmtree(tmp, ignore_errors=True)
    commands = json.loads(manifest.read_text())["commands"]
    modules = []
    for command in commands:
        filename = command.get("filename")
        if filename and command.get("module_type", "binary") == "binary" and filename.endswith(".wasm"):
            modules.append((filename, command, (out_dir / filename).read_bytes()))
    return modules


def oracle_verdicts(wast: Path) -> dict[str, bool]:
    """wasm-tools' pyde-v1 verdict for every binary module of ``wast``,
    cached next to the extracted modules (keyed by content hash)."""
    modules = spec_modules(wast)
    cache_file = CACHE / wast.stem / "pyde-v1-verdicts.json"
    cached = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    changed = False
    verdicts = {}
    for filename, _command, data in modules:
        key = hashlib.sha256(data).hexdigest()
        if key not in cached:
            cached[key] = wasm_tools_accepts(data)
            changed = True
        verdicts[filename] = cached[key]
    if changed:
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(cached, sort_keys=True))
        os.replace(tmp, cache_file)
    return verdicts
