"""The layers of pyde-ref hold (``[tool.importlinter]`` in ``pyproject.toml``).

``cache_dir < wasm < crypto < state < abi < executor < trace < diff < conformance < spectest < commands < cli``:
a package imports only the ones below it; no package has an import cycle
among its modules; only the differential oracle uses wasmtime; Blake3 is
reached through ``pyde_ref.crypto.hashes`` alone; wasm-tob stays a test
dependency.  ``lint-imports`` checks all of it; these tests run it, and show
on a copy of the package that each contract does catch a violation.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paths import REPO

LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the package and ``pyproject.toml`` in ``project``
    (the working directory comes first on ``sys.path``, so a copy is
    analysed, not the installed package)."""
    return subprocess.run([sys.executable, "-c", LINT], cwd=project, capture_output=True, text=True,
                          timeout=300)


def test_the_contracts_are_kept():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.fixture
def project_copy(tmp_path) -> Path:
    shutil.copytree(REPO / "pyde_ref", tmp_path / "pyde_ref", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize("module,line,contract", [
    ("wasm/errors.py", "from pyde_ref.executor import deploy", "Layers"),
    ("state/events.py", "from pyde_ref.abi import constants", "Layers"),
    ("abi/constants.py", "from pyde_ref.abi import registry", "No import cycle inside a package"),
    ("abi/gas.py", "import wasmtime", "Only the differential oracle uses wasmtime"),
    ("state/code.py", "import blake3", "One way to Blake3"),
    ("executor/cache.py", "import wasm_tob", "wasm-tob is a test dependency"),
])
def test_a_violation_is_caught(project_copy, module, line, contract):
    path = project_copy / "pyde_ref" / module
    path.write_text(path.read_text() + f"\n{line}  # injected by the test\n")
    result = lint_imports(project_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [text for text in result.stdout.splitlines() if text.endswith("BROKEN") or " BROKEN (" in text]
    assert any(text.startswith(contract) for text in broken), result.stdout
    assert line.split()[-1] in result.stdout  # the report names the offending import
