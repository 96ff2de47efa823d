"""Where the tests find the repository's files and the shared documents.

Tests import these names instead of computing paths from ``__file__``, so a
test file can move between the package folders without breaking.

``../shared`` (the Pyde documents, the Poseidon2 reference data and the
WebAssembly spec-test snapshot) sits beside the repository in every
developer checkout and CI run; ``$PYDE_SHARED`` points elsewhere.  A test
that needs it asks :func:`shared_path`, which skips the test with the missing
path as the reason, so a bare clone still runs (and passes) everything else.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
VECTORS = REPO / "vectors"
EXAMPLES = REPO / "examples"
CONTRACTS = EXAMPLES / "contracts"
BENCHMARKS = REPO / "benchmarks"
CONFORMANCE = VECTORS / "conformance"
"""The committed conformance corpus (``pyde-ref fill``)."""
FIXTURE_SOURCES = REPO / "fixtures" / "src"


def shared_dir() -> Path:
    """``$PYDE_SHARED``, else ``../shared`` beside the repository."""
    return Path(os.environ.get("PYDE_SHARED") or REPO.parent / "shared")


def testsuite_dir() -> Path:
    """The spec-test snapshot: ``$PYDE_WASM_TESTSUITE``, else ``wasm-testsuite`` in :func:`shared_dir`."""
    return Path(os.environ.get("PYDE_WASM_TESTSUITE") or shared_dir() / "wasm-testsuite")


def shared_path(*parts: str) -> Path:
    """A path inside :func:`shared_dir`; skips the calling test when it is missing."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared documents beside the repository, or set PYDE_SHARED)")
    return path
