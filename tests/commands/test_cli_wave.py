"""``pyde-ref wave`` end to end on the example token wave
(``examples/contracts/token-wave.json``): receipts and post-state pinned."""

from __future__ import annotations

import json
import os

import blake3
import jsonschema
import pytest

from paths import CONTRACTS, REPO
from pyde_ref.cli import main
from pyde_ref.state.events import EventRecord, bloom_contains, events_root

EXAMPLES = str(CONTRACTS)
WAVE = os.path.join(EXAMPLES, "token-wave.json")

ALICE, BOB, CAROL = "a1" * 32, "b0" * 32, "c0" * 32
TOKEN = "906cebcd931fc2d66ab613c68d6450af4cae4f69f6c64fd335753207a788c2ab"
PROXY = "c9d1333cfc084719d398c90fc5af17df12459ebea3e314f59e75adb452665f98"
CALLER = "efc8a2828651e390aa1ab94f40d75c5041811e09f07bcb2af8189ee4eda5ff7b"

TRANSFER_TOPIC = blake3.blake3(b"Transfer(address,address,uint128)").hexdigest()


def run_wave(capsys, *extra) -> dict:
    assert main(["wave", WAVE, "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def output(cli_json):
    return cli_json(["wave", WAVE, "--json"])


def token_slot(contract: str, disc: int, key: str) -> str:
    """token.wat's slot layout: contract[..16] || blake3(disc || key)[..16]."""
    inner = blake3.blake3(bytes([disc]) + bytes.fromhex(key)).digest()[:16]
    return "0x" + contract[:32] + inner.hex()


def token_balance(output, contract: str, who: str) -> int:
    storage = output["post_state"]["contracts"]["0x" + contract]["storage"]
    value = storage.get(token_slot(contract, 1, who), "0x" + "00" * 32)
    return int.from_bytes(bytes.fromhex(value[2:])[:16], "little")


# (status, gas_used, return_data, revert_reason, number of events, error_code)
EXPECTED = [
    ("success", 37391, "0x", "0x", 0, None),       # 0 deploy token: 32,000 + constructor 5,391
    ("success", 43791, "0x", "0x", 0, None),       # 1 deploy proxy: 32,000 + 11,791 (delegate_call initialize)
    ("success", 32000, "0x", "0x", 0, None),       # 2 deploy caller: 32,000, no constructor
    ("success", 12653, "0x", "0x", 1, None),       # 3 mint 1000 to bob
    ("success", 12294, "0x", "0x", 1, None),       # 4 bob -> carol 250
    ("success", 14684, "0x", "0x", 1, None),       # 5 proxy mint 500 to bob
    ("success", 14329, "0x", "0x", 1, None),       # 6 proxy bob -> carol 100
    ("success", 12653, "0x", "0x", 1, None),       # 7 mint 300 to caller contract
    ("success", 13828, "0x00000000", "0x", 1, None),  # 8 caller.send: cross_call ok
    ("success", 183, "0x00000000" + (300).to_bytes(16, "little").hex(), "0x", 0, None),  # 9 peek
    ("revert", 440, "0x", "0x" + b"insufficient balance".hex(), 0, None),  # 10
    ("success", 2281, "0x" + (400).to_bytes(16, "little").hex(), "0x", 0, None),  # 11 proxy view
    ("success", 21000, "0x", "0x", 0, None),       # 12 native transfer
    ("success", 1974, "0x" + (-10 & 0xFFFFFFFF).to_bytes(4, "little").hex()
     + b"insufficient balance".hex(), "0x", 0, None),  # 13 failed sub-call, reason forwarded
    ("trap", 617, "0x", "0x", 0, None),            # 14 out of fuel
    ("rejected", 0, "0x", "0x", 0, -13),           # 15 unknown function
]


def test_receipts_pinned(output):
    got = [(r["status"], r["gas_used"], r["return_data"], r["revert_reason"], len(r["events"]),
            r["error_code"]) for r in output["receipts"]]
    assert got == EXPECTED
    assert output["receipts"][14]["trap"] == "out_of_fuel"
    assert [r["contract_address"] for r in output["receipts"][:3]] == [
        "0x" + TOKEN, "0x" + PROXY, "0x" + CALLER]


def test_token_state_pinned(output):
    assert token_balance(output, TOKEN, BOB) == 1000 - 250 - 50 * 0  # bob's direct balance
    assert token_balance(output, TOKEN, CAROL) == 250 + 50
    assert token_balance(output, TOKEN, CALLER) == 300 - 50
    # the proxy's storage holds the token state of the proxied token
    assert token_balance(output, PROXY, BOB) == 400
    assert token_balance(output, PROXY, CAROL) == 100
    owner_slot = token_slot(PROXY, 0, "00" * 32)
    assert output["post_state"]["contracts"]["0x" + PROXY]["storage"][owner_slot] == "0x" + ALICE


def test_balances_and_nonces_pinned(output):
    accounts = output["post_state"]["accounts"]
    gas_alice = sum(output["receipts"][i]["gas_used"] for i in (0, 1, 2, 3, 5, 7, 12))
    assert accounts["0x" + ALICE] == {"balance": str(10**12 - gas_alice - 5000), "nonce": 7}
    gas_bob = sum(r["gas_used"] for i, r in enumerate(output["receipts"])
                  if i in (4, 6, 8, 9, 10, 11, 13, 14))
    assert accounts["0x" + BOB] == {"balance": str(10**12 - gas_bob), "nonce": 8}
    assert accounts["0x" + CAROL] == {"balance": "5000", "nonce": 0}


def test_fees_are_split_70_20_10_and_visible(output):
    """Chapter 10 §10.5: every fee is split; the wave's totals, the
    treasury's and reward pool's balances and TOTAL_BURNED show it."""
    total = sum(r["gas_used"] for r in output["receipts"])  # base_fee 1, all paid by senders
    fees = output["fees"]
    assert int(fees["total"]) == total
    assert int(fees["burned"]) + int(fees["reward_pool"]) + int(fees["treasury"]) == total
    assert int(fees["reward_pool"]) == sum(int(r["fee"]["reward_pool"]) for r in output["receipts"] if r["fee"])
    names = {v: k for k, v in output["system_accounts"].items()}
    accounts = output["post_state"]["accounts"]
    assert accounts[names["treasury"]] == {"balance": fees["treasury"]}
    assert accounts[names["reward_pool"]] == {"balance": fees["reward_pool"]}
    assert output["post_state"]["protocol"]["total_burned"] == fees["burned"]


def test_events_are_transfers_and_commitments_match(output):
    records = []
    for tx_index, r in enumerate(output["receipts"]):
        for event_index, e in enumerate(r["events"]):
            assert e["topic"] == "0x" + TRANSFER_TOPIC
            records.append(EventRecord(42, tx_index, event_index, bytes.fromhex(e["contract"][2:]),
                                       bytes.fromhex(e["topic"][2:]), bytes.fromhex(e["data"][2:])))
    assert len(records) == 6
    assert output["events_root"] == "0x" + events_root(records).hex()
    bloom = bytes.fromhex(output["events_bloom"][2:])
    for contract in (TOKEN, PROXY):
        assert bloom_contains(bloom, bytes.fromhex(contract))
    assert bloom_contains(bloom, bytes.fromhex(TRANSFER_TOPIC))
    # mint to bob: from = zero address, to = bob, amount 1000 (Borsh struct)
    assert output["receipts"][3]["events"][0]["data"] == (
        "0x" + "00" * 32 + BOB + (1000).to_bytes(16, "little").hex())
    # the proxy's events are attributed to the proxy (self_address in delegate_call)
    assert output["receipts"][5]["events"][0]["contract"] == "0x" + PROXY
    # the caller's cross_call emits the token's event
    assert output["receipts"][8]["events"][0]["contract"] == "0x" + TOKEN


def test_digests_pinned(output):
    """Regression pins of the whole wave (any change to gas, layout, events
    or the digest encoding shows here; re-pin only with a reason)."""
    assert output["state_digest"] == PINNED_STATE_DIGEST
    assert output["events_root"] == PINNED_EVENTS_ROOT


PINNED_STATE_DIGEST = "0x00581968da3c79966595a32ff9d795802cafb11e0b99dea3b62c645355f8ebe5"
PINNED_EVENTS_ROOT = "0x5563cefdcb9e0760498e3325c7411bf5d8fe30a9c08eb49cb9564eb1d4057f16"


def test_output_matches_schema(output):
    with open(REPO / "spec" / "wave.schema.json", encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.validate(output, schema)
    with open(WAVE, encoding="utf-8") as f:
        jsonschema.validate(json.load(f), schema)
    assert output["receipts"][15]["code"] == "UnknownFunction"
    assert output["signatures_checked"] is False


def test_post_state_round_trips_as_input(output, tmp_path, cli_json):
    """The post-state is valid input: a wave with no transactions on it
    reproduces the same digest."""
    doc = {"context": {"chain_id": 1, "block_height": 1, "wave_id": 1, "block_timestamp": 0,
                       "base_fee": 0},
           **output["post_state"], "txs": []}
    path = tmp_path / "again.json"
    path.write_text(json.dumps(doc))
    assert cli_json(["wave", str(path), "--json"])["state_digest"] == output["state_digest"]


def test_human_summary(capsys):
    assert main(["wave", WAVE]) == 0
    out = capsys.readouterr().out
    assert "tx 15: rejected" in out and "state_digest" in out


def test_wasmtime_fuel_model_agrees_on_this_wave(capsys, output):
    """No transaction of this wave traps inside wasm code (the out-of-fuel
    of tx 14 is a host charge, exact in both models), so the ``spec`` and
    ``wasmtime-50`` models give the same receipts and post-state.  (The
    contract copies bytes, so ``wasmtime-45`` charges less: ``pyde-ref
    fuel-diff`` shows where.)"""
    out = run_wave(capsys, "--fuel-model", "wasmtime-50")
    assert [(r["status"], r["gas_used"]) for r in out["receipts"]] == [e[:2] for e in EXPECTED]
    assert out["state_digest"] == output["state_digest"]


@pytest.mark.parametrize("wave", sorted((REPO / "examples").rglob("*wave*.json")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_wave_is_byte_identical_on_both_tiers(capsys, wave):
    outputs = []
    for tier in ("fast", "reading"):
        assert main(["wave", str(wave), "--json", "--tier", tier]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("model", ["wasmtime-45", "wasmtime-50"])
def test_reading_tier_with_a_wasmtime_model_is_a_usage_error(capsys, model):
    assert main(["wave", WAVE, "--tier", "reading", "--fuel-model", model]) == 2
    assert "reading tier implements the spec fuel model" in capsys.readouterr().err
