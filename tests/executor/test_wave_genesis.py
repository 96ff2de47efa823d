"""``examples/contracts/genesis-wave.json``: contracts given in the pre-state
(code by path, storage by slot, integers as decimal strings) and the
cross-call refusals seen from a real contract."""

from __future__ import annotations

from paths import CONTRACTS
import io
import json
import os

import pytest

from pyde_ref.abi.constants import (
    ERR_FORBIDDEN,
    ERR_REENTRANCY_BLOCKED,
    ERR_VALUE_TRANSFER_NOT_PAYABLE,
)

WAVE = str(CONTRACTS / "genesis-wave.json")
CALLER = "0x" + "ca" * 32
BOB = "0x" + "b0" * 32
ALICE = "0x" + "a1" * 32


@pytest.fixture(scope="module")
def output(cli_json):
    return cli_json(["wave", WAVE, "--json"])


def status_code(receipt) -> int:
    return int.from_bytes(bytes.fromhex(receipt["return_data"][2:10]), "little", signed=True)


def test_genesis_storage_is_read(output):
    r = output["receipts"][0]
    assert r["status"] == "success"
    assert int.from_bytes(bytes.fromhex(r["return_data"][2:]), "little") == 1000


def test_owner_from_genesis_storage(output):
    assert output["receipts"][1]["status"] == "revert"
    assert bytes.fromhex(output["receipts"][1]["revert_reason"][2:]) == b"not owner"
    assert output["receipts"][2]["status"] == "success"


def test_cross_call_outcomes(output):
    receipts = output["receipts"]
    assert status_code(receipts[3]) == 0
    assert status_code(receipts[4]) == 0
    assert int.from_bytes(bytes.fromhex(receipts[4]["return_data"][10:]), "little") == 105
    assert status_code(receipts[5]) == ERR_VALUE_TRANSFER_NOT_PAYABLE
    assert status_code(receipts[6]) == ERR_FORBIDDEN
    assert status_code(receipts[7]) == ERR_REENTRANCY_BLOCKED


def test_bare_value_without_receive_is_rejected(output):
    r = output["receipts"][8]
    assert (r["status"], r["error_code"]) == ("rejected", ERR_VALUE_TRANSFER_NOT_PAYABLE)


def test_native_transfer_to_a_contract_runs_no_code(output):
    r = output["receipts"][9]
    assert (r["status"], r["gas_used"]) == ("success", 21_000)
    assert output["post_state"]["contracts"][CALLER]["balance"] == "1010"


def test_nonces_and_fees(output):
    accounts = output["post_state"]["accounts"]
    assert accounts[ALICE]["nonce"] == 4  # genesis nonce 3 + one call
    fee_alice = 2 * output["receipts"][2]["gas_used"]
    assert accounts[ALICE]["balance"] == str(5_000_000 - fee_alice)
    bob_gas = sum(r["gas_used"] for i, r in enumerate(output["receipts"]) if i not in (2,))
    assert accounts[BOB]["balance"] == str(5_000_000 - 2 * bob_gas - 10)
    assert accounts[BOB]["nonce"] == 8  # tx 8 was rejected


def test_stdin_input(monkeypatch, output, cli_json):
    with open(WAVE, encoding="utf-8") as f:
        document = json.load(f)
    for contract in document["contracts"].values():  # no base directory on stdin
        with open(os.path.join(os.path.dirname(WAVE), contract["code"]), "rb") as f:
            contract["code"] = "0x" + f.read().hex()
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(document)))
    assert cli_json(["wave", "-", "--json"])["state_digest"] == output["state_digest"]
