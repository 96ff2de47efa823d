"""Every test file (and test function) the documents and the code name exists.

The spec pages, the README and the package's docstrings point readers at the
tests that show a rule: ``tests/wasm/test_tiers.py`` or
``tests/state/test_state_digest.py::test_parachain_tables_are_committed_only_when_they_hold_something``.
A test that is renamed or moved leaves such a pointer dangling, and nothing
else notices; this test does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paths import REPO

TEST_REFERENCE = re.compile(r"tests/[A-Za-z0-9_/]+\.py(?:::(?P<name>[A-Za-z_][A-Za-z0-9_]*))?")
"""A repository path to a test file, optionally followed by ``::test_name``."""


def documents() -> list[Path]:
    """The files whose pointers are checked: spec pages, the README, the package."""
    return sorted([*REPO.glob("spec/**/*.md"), REPO / "README.md", *REPO.glob("pyde_ref/**/*.py")])


def dangling(text: str) -> list[str]:
    """The references in ``text`` naming a file, or a function in it, that does not exist."""
    missing = []
    for match in TEST_REFERENCE.finditer(text):
        path = REPO / match.group(0).split("::")[0]
        name = match.group("name")
        if not path.is_file():
            missing.append(match.group(0))
        elif name and not re.search(rf"^\s*(?:async\s+)?def {re.escape(name)}\b",
                                    path.read_text(encoding="utf-8"), re.MULTILINE):
            missing.append(match.group(0))
    return missing


def test_every_named_test_exists():
    problems = [f"{doc.relative_to(REPO)}: {ref}"
                for doc in documents() for ref in dangling(doc.read_text(encoding="utf-8"))]
    assert problems == []


@pytest.mark.parametrize("text", [
    "see tests/wasm/no_such_file.py",
    "see tests/wasm/test_tiers.py::test_no_such_function",
])
def test_a_dangling_reference_is_reported(text):
    assert dangling(text) == [text.removeprefix("see ")]


def test_an_existing_reference_passes():
    assert dangling("tests/test_doc_references.py::test_an_existing_reference_passes and tests/paths.py") == []
