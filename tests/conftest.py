"""Shared fixtures.

* ``wasm_tools``: the path of the wasm-tools binary pyde-ref uses;
  ``wat2wasm``: a function turning text-format source into a binary module
  (through ``wasm-tools parse``).  Both skip the test when wasm-tools is absent
  (it is a test dependency: ``pip install -e '.[test]'`` installs it).
* ``cli_json``: a function running ``pyde-ref ARGV`` in-process that asserts
  exit status 0 and returns the JSON object it printed (stdout captured
  without ``capsys``, so module-scoped fixtures can use it too).
* ``testsuite_dir``: the official spec-test snapshot: ``$PYDE_WASM_TESTSUITE``,
  else ``wasm-testsuite`` in the shared documents (``$PYDE_SHARED`` or
  ``../shared`` beside the repository); the test is skipped when it is missing.

Paths (the repository's folders, the shared documents) come from
:mod:`paths`; tests mirror the packages (``tests/wasm/`` for
:mod:`pyde_ref.wasm`, ...).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

import paths
from pyde_ref.cli import main
from pyde_ref.wasm.text import WasmToolsNotFound, find_wasm_tools, wat_to_wasm


@pytest.fixture(scope="session")
def wasm_tools() -> str:
    """Path of the wasm-tools binary (the same one pyde-ref itself uses)."""
    try:
        return find_wasm_tools("run this test")
    except WasmToolsNotFound as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def wat2wasm(wasm_tools):
    return wat_to_wasm


def run_cli_json(argv: list[str]) -> dict:
    """``pyde-ref ARGV``: must exit 0; the JSON object it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="session")
def cli_json():
    return run_cli_json


@pytest.fixture(scope="session")
def testsuite_dir() -> Path:
    path = paths.testsuite_dir()
    if not path.is_dir():
        pytest.skip(f"needs the spec-test snapshot at {path} (../shared beside the repository, "
                    "or set PYDE_WASM_TESTSUITE)")
    return path
