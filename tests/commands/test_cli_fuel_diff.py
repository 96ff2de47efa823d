"""``pyde-ref fuel-diff``: what a wasmtime upgrade changes in the example
documents, pinned (issue 14, item 2; the engine is ``tests/diff/test_fuel_diff.py``)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from paths import EXAMPLES, REPO
from pyde_ref.cli import main

HEADER = """\
wasmtime-45 -> wasmtime-50: rules that differ: bulk-memory-length, memory-grow-pages, table-length, instantiation
  bulk-memory-length: memory.fill/copy/init charged per byte
  memory-grow-pages: memory.grow charged per page; no module of the document has it
  table-length: table.copy/init charged per element; no module of the document has it
  instantiation: instantiation runs initialization code: passive elements, a start function, a segment that \
does not fit; no module of the document has it
"""
"""The header of a document whose modules use bulk memory operators only."""
INHERITED = "same gas, status and result; differs only in writes; cause: an earlier transaction's difference " \
            "(the state it left)"

PINNED = {
    # built for MVP (-mcpu=mvp): memcpy/memset are loops, no bulk operator, nothing changes
    "c/compute-wave.json": (0, "0 of 7 transactions change (gas 0, status 0, result 0, state only 0)\n"),
    "contracts/token-wave.json": (1, f"""\
wave 42 tx 0: gas 37327 -> 37391 (+64); cause: bulk-memory-length +64
wave 42 tx 1: gas 43663 -> 43791 (+128); cause: bulk-memory-length +128
wave 42 tx 2: {INHERITED}
wave 42 tx 3 [mint]: gas 12189 -> 12653 (+464); cause: bulk-memory-length +464
wave 42 tx 4 [transfer]: gas 11894 -> 12294 (+400); cause: bulk-memory-length +400
wave 42 tx 5 [forward]: gas 14156 -> 14684 (+528); cause: bulk-memory-length +528
wave 42 tx 6 [forward]: gas 13865 -> 14329 (+464); cause: bulk-memory-length +464
wave 42 tx 7 [mint]: gas 12189 -> 12653 (+464); cause: bulk-memory-length +464
wave 42 tx 8 [send]: gas 13428 -> 13828 (+400); cause: bulk-memory-length +400
wave 42 tx 9 [peek]: {INHERITED}
wave 42 tx 10 [transfer]: gas 376 -> 440 (+64); cause: bulk-memory-length +64
wave 42 tx 11 [forward_view]: gas 2153 -> 2281 (+128); cause: bulk-memory-length +128
wave 42 tx 12: {INHERITED}
wave 42 tx 13 [send]: gas 1910 -> 1974 (+64); cause: bulk-memory-length +64
wave 42 tx 14 [transfer]: gas 457 -> 617 (+160); cause: bulk-memory-length +160
wave 42: fees, state_digest differ
15 of 16 transactions change (gas 12, status 0, result 0, state only 3)
"""),
    "assemblyscript/counter-wave.json": (1, f"""\
wave 100 tx 0: gas 42067 -> 42163 (+96); cause: bulk-memory-length +96
wave 100 tx 1 [increment]: gas 6116 -> 6212 (+96); cause: bulk-memory-length +96
wave 100 tx 2 [add]: gas 6132 -> 6228 (+96); cause: bulk-memory-length +96
wave 100 tx 3 [add]: gas 490 -> 522 (+32); cause: bulk-memory-length +32
wave 100 tx 4 [reset]: gas 544 -> 576 (+32); cause: bulk-memory-length +32
wave 100 tx 5 [get]: gas 236 -> 268 (+32); cause: bulk-memory-length +32
wave 100 tx 6 [reset]: gas 5372 -> 5468 (+96); cause: bulk-memory-length +96
wave 100 tx 7 [get]: gas 236 -> 268 (+32); cause: bulk-memory-length +32
wave 100 tx 8 [add]: {INHERITED}
wave 100: fees, state_digest differ
9 of 9 transactions change (gas 8, status 0, result 0, state only 1)
"""),
    # a chain: an owner upgrade of contracts without bulk operators
    "transactions/owner-upgrade.json": (0, "0 of 11 transactions change (gas 0, status 0, result 0, state only 0)\n"),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_example(capsys, monkeypatch, name):
    monkeypatch.chdir(REPO)
    path = f"examples/{name}"
    status, body = PINNED[name]
    assert main(["fuel-diff", path]) == status
    lines = capsys.readouterr().out.splitlines(keepends=True)
    assert lines[0] == f"{path}: wasmtime 45 -> 50\n"
    if "bulk-memory-length" in body:
        assert "".join(lines[1:6]) == HEADER
    assert "".join(lines[6:]) == body


DOCUMENTS = sorted([*EXAMPLES.rglob("*wave*.json"), *(EXAMPLES / "transactions").glob("*.json")])
DOCUMENTS = [p for p in DOCUMENTS if not p.name.endswith(".abi.json")]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_document(capsys, path):
    """Every example wave and chain: a report, exit 1 exactly when something changes."""
    code = main(["fuel-diff", str(path), "--json"])
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "ok" and record["transactions"] > 0
    assert code == (1 if record["changes"] or record["wave_differences"] else 0)
    for change in record["changes"]:  # a cause for every change
        assert change["inherited"] or change["causes"], change


def test_downgrade_and_json(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["fuel-diff", "examples/contracts/token-wave.json", "--from", "50", "--to", "45", "--json"]) == 1
    record = json.loads(capsys.readouterr().out)
    assert (record["from"], record["to"], record["changed"]) == ("wasmtime-50", "wasmtime-45", 15)
    mint = next(c for c in record["changes"] if c["tx"] == 3)
    assert (mint["gas_delta"], mint["function"], mint["kinds"]) == (-464, "mint", ["gas", "state"])
    assert [(c["rule"], c["gas_delta"], c["alone"]) for c in mint["causes"]] == [("bulk-memory-length", -464, True)]


def test_same_version(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["fuel-diff", "examples/contracts/token-wave.json", "--from", "50", "--to", "50"]) == 0
    out = capsys.readouterr().out
    assert "rules that differ: none" in out and "0 of 16 transactions change" in out


@pytest.mark.parametrize("document,fragment", [
    ("missing.json", "cannot read"),
    ("-", "not a JSON document"),
])
def test_unreadable_documents_are_usage_errors(capsys, monkeypatch, tmp_path, document, fragment):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("def f(): pass"))  # Python, not JSON
    assert main(["fuel-diff", document]) == 2
    assert fragment in capsys.readouterr().err


def test_malformed_document_names_the_field(capsys, tmp_path):
    path = tmp_path / "wave.json"
    path.write_text(json.dumps({"unsigned": True, "accounts": {}, "contracts": {}, "txs": []}))
    assert main(["fuel-diff", str(path), "--json"]) == 2
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "error" and "context" in record["error"]


def test_unknown_version_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["fuel-diff", "x.json", "--to", "44"])
    assert exit.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_works_without_wasmtime():
    """The versions are the reference's models: no wasmtime is needed."""
    from test_cli_without_wasmtime import WITHOUT_WASMTIME

    result = subprocess.run([sys.executable, "-c", WITHOUT_WASMTIME, "fuel-diff",
                             str(EXAMPLES / "c" / "compute-wave.json")], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert "0 of 7 transactions change" in result.stdout
