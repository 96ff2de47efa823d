"""The wave document: malformed input gets a message naming the field
(``spec/wave-format.md``), never a traceback."""

from __future__ import annotations

from paths import CONTRACTS
import importlib.util
import json
import os

import pytest

from pyde_ref.cli import main
from pyde_ref.commands import wave as wave_command
from pyde_ref.executor.jsonfields import WaveFormatError, read_bytes, read_int
from pyde_ref.executor.wave_json import parse_wave
from tx_helpers import DELETE, mutated

A = "0x" + "a1" * 32
B = "0x" + "b0" * 32
C = "0x" + "c0" * 32

GOOD = {
    "unsigned": True,
    "context": {"chain_id": 1, "block_height": 2, "wave_id": 2, "block_timestamp": 3,
                "beacon": "0x" + "00" * 32, "base_fee": "1"},
    "accounts": {A: {"balance": "1000000", "nonce": 0}},
    "contracts": {},
    "txs": [{"type": "transfer", "from": A, "to": B, "value": 5, "gas_limit": 21000}],
}


def mutate(path, value):
    """``GOOD`` with the value at ``path`` replaced (``KeyError``: removed)."""
    return mutated(GOOD, path, DELETE if value is KeyError else value)


CASES = [
    (mutate(("context",), KeyError), "context"),
    (mutate(("context", "chain_id"), KeyError), "context.chain_id"),
    (mutate(("context", "wave_id"), -1), "context.wave_id"),
    (mutate(("context", "base_fee"), True), "context.base_fee"),
    (mutate(("context", "beacon"), "0x00"), "context.beacon"),
    (mutate(("context", "extra"), 1), "context.extra"),
    (mutate(("txs",), {}), "txs"),
    (mutate(("txs", 0, "type"), "mint"), "txs[0].type"),
    (mutate(("txs", 0, "from"), "0x1234"), "txs[0].from"),
    (mutate(("txs", 0, "to"), "a1" * 32), "txs[0].to"),
    (mutate(("txs", 0, "gas_limit"), 1.5), "txs[0].gas_limit"),
    (mutate(("txs", 0, "gas_limit"), 2**64), "txs[0].gas_limit"),
    (mutate(("txs", 0, "value"), "12abc"), "txs[0].value"),
    (mutate(("txs", 0, "value"), str(2**128)), "txs[0].value"),
    (mutate(("txs", 0, "calldata"), "0x"), "txs[0].calldata"),  # not a transfer field
    (mutate(("accounts", A, "balance"), None), f"accounts[{A}].balance"),
    (mutate(("accounts",), {"0xzz": {}}), "accounts[0xzz]"),
    (mutate(("contracts",), {C: {}}), f"contracts[{C}].code"),
    (mutate(("contracts",), {C: {"code": "0x0061736d", "storage": {"0x01": "0x" + "00" * 32}}}),
     f"contracts[{C}].storage[0x01]"),
    (mutate(("contracts",), {C: {"code": "missing-file.wasm"}}), f"contracts[{C}].code"),
    (mutate(("contracts",), {C: {"code": "0x0061736d01000000"}}), f"contracts[{C}].code"),
    (mutate(("unsigned",), "yes"), "unsigned"),
]


@pytest.mark.parametrize("doc, field", CASES, ids=[c[1] for c in CASES])
def test_malformed_field_is_named(doc, field, tmp_path, capsys):
    path = tmp_path / "wave.json"
    path.write_text(json.dumps(doc))
    assert main(["wave", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert f"pyde-ref wave: {field}" in err, err


def test_good_document_parses():
    doc = parse_wave(GOOD)
    (wave,) = doc.waves
    assert wave.context.base_fee == 1
    assert len(wave.txs) == 1
    assert not doc.signatures_checked


def test_not_json(tmp_path, capsys):
    path = tmp_path / "wave.json"
    path.write_text("{not json")
    assert main(["wave", str(path)]) == 2
    assert "not a JSON document" in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    assert main(["wave", str(tmp_path / "nope.json")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_code_hash_must_match(tmp_path):
    doc = mutate(("contracts",), {C: {"code": "0x0061736d01000000", "code_hash": "0x" + "00" * 32}})
    with pytest.raises(WaveFormatError) as info:
        parse_wave(doc)
    assert info.value.field == f"contracts[{C}].code_hash"


@pytest.mark.parametrize("value, expected", [(0, 0), ("0", 0), ("340282366920938463463374607431768211455", 2**128 - 1), (7.0, 7)])
def test_integers(value, expected):
    assert read_int(value, "f", 2**128 - 1) == expected


@pytest.mark.parametrize("value", ["0x0", "00", "0xgg", "0x 0", 5, None])
def test_bad_hex(value):
    with pytest.raises(WaveFormatError):
        read_bytes(value, "f")


def test_internal_error_is_one_line_not_a_traceback(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(wave_command, "run_document", broken)
    path = tmp_path / "wave.json"
    path.write_text(json.dumps(GOOD))
    assert main(["wave", str(path)]) == 3
    err = capsys.readouterr().err
    assert "internal error" in err and "RuntimeError: boom" in err
    assert "Traceback" not in err


def test_example_documents_are_up_to_date():
    """The checked-in example waves are what make_examples.py generates."""
    here = str(CONTRACTS)
    spec = importlib.util.spec_from_file_location("make_examples", os.path.join(here, "make_examples.py"))
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    for name, build in (("token-wave.json", make.token_wave), ("genesis-wave.json", make.genesis_wave)):
        with open(os.path.join(here, name), encoding="utf-8") as f:
            assert json.load(f) == build(), name
