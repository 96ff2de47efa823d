"""The signed transaction examples (``examples/transactions/``), as the
README's tour runs them: summaries pinned under both fuel models, the
documents what ``make_examples.py`` writes (signatures reused), every
document and output valid against the JSON Schema, and what each example is
there to show read out of its JSON output."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re

import jsonschema
import pytest

from paths import EXAMPLES, REPO
from pyde_ref.cli import main

TRANSACTIONS = EXAMPLES / "transactions"
COMMAND = {"sponsored-transfer.json": "wave", "multisig-treasury.json": "wave",
           "validator-life.json": "chain", "owner-upgrade.json": "chain"}

PINNED = {
    "sponsored-transfer.json": """\
tx 0: success  Deploy gas_used=37391 fee=1869550000000000(sender) contract=0x2b6fc87a9a7112e54b87c92a5c67b288fed56808e8f042ab7c20cdbbcc22f892 events=0
tx 1: success  Standard gas_used=12653 fee=632650000000000(sender) events=1
tx 2: success  Standard gas_used=21000 fee=1050000000000000(sender) events=0
tx 3: success  Standard gas_used=12294 fee=614700000000000(gas_tank) events=1
tx 4: success  Standard gas_used=12294 fee=614700000000000(gas_tank) events=1
tx 5: rejected Standard gas_used=0 code=NonceOutOfWindow reason=nonce 42, window [43, 58] events=0
tx 6: rejected Standard gas_used=0 code=InsufficientBalance error_code=-3 (ERR_INSUFFICIENT_BALANCE) reason=sender balance 0 below 7500000000000000 (gas_limit × base_fee + value + fees) events=0
tx 7: success  Standard gas_used=21000 fee=1050000000000000(sender) events=0
tx 8: rejected Standard gas_used=0 code=GasTankInsufficient error_code=-3 (ERR_INSUFFICIENT_BALANCE) reason=gas tank of 0x2b6fc87a9a7112e54b87c92a5c67b288fed56808e8f042ab7c20cdbbcc22f892 holds 13770600000000000 < gas_limit × base_fee = 30000000000000000 events=0
tx 9: rejected Standard gas_used=0 code=DeadlineExpired reason=deadline 2000000, wave 2000000 events=0
tx 10: success  Standard gas_used=388 fee=19400000000000(gas_tank) return_data=0x2c010000000000000000000000000000 events=0
fees         total=5851000000000000 burned=4095700000000000 reward_pool=1170200000000000 treasury=585100000000000
events_root  0x5c0490739d043e85d05ee41a2c053d421a0f4b6de2d4c13bbf695a7442593223
state_digest 0x5fe88831205d688423e87487570c0ffa58b5e10e7907585b4bffac5752c9ce66""",
    "validator-life.json": """\
== wave 2160010
tx 0: success  StakeDeposit gas_used=21000 fee=21000000(sender) events=0
tx 1: success  Standard gas_used=21000 fee=21000000(sender) events=0
tx 2: success  Standard gas_used=21000 fee=21000000(sender) events=0
fees         total=63000000 burned=44100000 reward_pool=12600000 treasury=6300000
validator    0x4a7b9e2bddc69343a77d4ebab0dfa5a42f6049e6e996f3f980af461a65846aae pending
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x4e96c26e2e93ab1a499103a7b3a19ff85a3282c3597bafee74ff00dd0c5e7856
== wave 2181605
tx 0: success  Standard gas_used=21000 fee=21000000(sender) events=0
tx 1: success  Standard gas_used=21000 fee=21000000(sender) events=0
tx 2: success  Standard gas_used=21000 fee=21000000(sender) events=0
fees         total=63000000 burned=44100000 reward_pool=12600000 treasury=6300000
validator    0x4a7b9e2bddc69343a77d4ebab0dfa5a42f6049e6e996f3f980af461a65846aae active
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0xea616ad493c5d8319245ca2976f4662822f7c74f5d26e4cab78048e3896e8329
== wave 2203300
rewards of epoch 101: 25200000 to 1 validator(s)
tx 0: success  Slash gas_used=121000 fee=121000000(sender) events=0
tx 1: rejected StakeWithdraw gas_used=0 code=ValidatorJailed reason=the validator is jailed events=0
tx 2: rejected Standard gas_used=0 code=JailPeriodNotOver reason=jailed until wave 2376100 events=0
fees         total=121000000 burned=84700000 reward_pool=24200000 treasury=12100000
validator    0x4a7b9e2bddc69343a77d4ebab0dfa5a42f6049e6e996f3f980af461a65846aae jailed
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x43d78d9286b4c427f641d92c658359174737f91118b94be6528b8297928d5362
== wave 2376100
tx 0: success  Standard gas_used=21000 fee=21000000(sender) events=0
tx 1: success  ClaimReward gas_used=21000 fee=21000000(sender) events=0
fees         total=42000000 burned=29400000 reward_pool=8400000 treasury=4200000
validator    0x4a7b9e2bddc69343a77d4ebab0dfa5a42f6049e6e996f3f980af461a65846aae active
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0xd851383be7883d1179c1461b07a503e66547463daf7f64bfa908d045778fd7eb
== wave 2376110
tx 0: success  StakeWithdraw gas_used=21000 fee=21000000(sender) events=0
fees         total=21000000 burned=14700000 reward_pool=4200000 treasury=2100000
validator    0x4a7b9e2bddc69343a77d4ebab0dfa5a42f6049e6e996f3f980af461a65846aae unbonding
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x1b28368c56787a426426559b8c789562ced420c5528e2c939d3846ce15e20a76
== wave 7560109
tx 0: rejected StakeWithdraw gas_used=0 code=StillUnbonding reason=withdrawable at wave 7560110 events=0
fees         total=0 burned=0 reward_pool=0 treasury=0
validator    0x4a7b9e2bddc69343a77d4ebab0dfa5a42f6049e6e996f3f980af461a65846aae unbonding
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x0f3cdce8d91c9e9a62c13f36b6b028d48e07ab23833c77d72a1799c8dccacf3c
== wave 7560110
tx 0: success  StakeWithdraw gas_used=21000 fee=21000000(sender) events=0
fees         total=21000000 burned=14700000 reward_pool=4200000 treasury=2100000
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0xdd7114fa9af14132728c98d58c7f4044f75aa454d6837c2466c3380898781ea0
== final state_digest 0xdd7114fa9af14132728c98d58c7f4044f75aa454d6837c2466c3380898781ea0""",
    "multisig-treasury.json": """\
tx 0: success  MultisigTx gas_used=150000 fee=150000000(sender) events=0
tx 1: rejected MultisigTx gas_used=0 code=MultisigNonceMismatch reason=payload nonce 0, MULTISIG_NONCE 1 events=0
tx 2: rejected MultisigTx gas_used=0 code=ApprovalThresholdNotMet error_code=-17 (ERR_SIGNATURE_INVALID) reason=1 signature(s), threshold 2 events=0
tx 3: success  RotateMultisig gas_used=190000 fee=190000000(sender) events=0
tx 4: rejected MultisigTx gas_used=0 code=ApprovalBadSignature error_code=-17 (ERR_SIGNATURE_INVALID) reason=signature of key 0 does not verify events=0
tx 5: success  MultisigTx gas_used=150000 fee=150000000(sender) events=0
tx 6: success  EmergencyPause gas_used=100000 fee=100000000(sender) events=0
tx 7: rejected Standard gas_used=0 code=ChainPaused reason=an emergency pause is active events=0
tx 8: success  EmergencyResume gas_used=100000 fee=100000000(sender) events=0
tx 9: success  Standard gas_used=21000 fee=21000000(sender) events=0
fees         total=711000000 burned=497700000 reward_pool=142200000 treasury=71100000
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x1bda5192967f771ce4459713c4cafa036274fd60e96a40896f7901cc6326d27e""",
    "owner-upgrade.json": """\
== wave 10000
tx 0: success  Deploy gas_used=32000 fee=32000000(sender) contract=0xc94c9cef399b1cc8b9678fe40ed65ba138a36bed936ef40fdfead7ee5414a9fe events=0
tx 1: success  Standard gas_used=5213 fee=5213000(sender) events=0
tx 2: success  Standard gas_used=4 fee=4000(sender) return_data=0x01 events=0
tx 3: success  Standard gas_used=32000 fee=32000000(sender) events=0
tx 4: rejected Standard gas_used=0 code=NotOwner error_code=-5 (ERR_FORBIDDEN) reason=only the contract's owner may upgrade it events=0
fees         total=69217000 burned=48451900 reward_pool=13843400 treasury=6921700
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x32adf9be49b7b5184dd0573c2338a27e3912a30b23c49593a23168acb04c2c2a
== wave 182799
tx 0: success  Standard gas_used=5213 fee=5213000(sender) events=0
tx 1: success  Standard gas_used=4 fee=4000(sender) return_data=0x01 events=0
tx 2: rejected Standard gas_used=0 code=UpgradePending reason=an upgrade activates at wave 182800 events=0
fees         total=5217000 burned=3651900 reward_pool=1043400 treasury=521700
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x6d038d47496cd8b7fe287ceb4e3c6f01bd2dcb513a58b207e4a0fe7c403852e3
== wave 182800
upgrade activated: 0xc94c9cef399b1cc8b9678fe40ed65ba138a36bed936ef40fdfead7ee5414a9fe 0x9cb614410bf618ea472d575931623d223cd641c0ce254ce40d088288da74770e -> 0x8d80dc8b01eb99ee7022e973e49607e364824bd0edcd6002ea5bae661f83a620
tx 0: success  Standard gas_used=4 fee=4000(sender) return_data=0x02 events=0
tx 1: success  Standard gas_used=5213 fee=5213000(sender) events=0
tx 2: success  Standard gas_used=207 fee=207000(sender) return_data=0x0400000000000000 events=0
fees         total=5424000 burned=3796800 reward_pool=1084800 treasury=542400
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0xc71095f2e33a59a34be3411a7839a0710dc7c4686e4fd0e83e0059a505df4895
== final state_digest 0xc71095f2e33a59a34be3411a7839a0710dc7c4686e4fd0e83e0059a505df4895""",
}


def run(name: str, *extra: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([COMMAND[name], str(TRANSACTIONS / name), *extra]) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def outputs() -> dict:
    return {name: json.loads(run(name, "--json")) for name in COMMAND}


@pytest.mark.parametrize("fuel_model", ["spec", "wasmtime-50"])
@pytest.mark.parametrize("name", sorted(PINNED))
def test_summary_pinned(name, fuel_model):
    assert run(name, "--fuel-model", fuel_model).rstrip("\n") == PINNED[name]


def test_the_readme_tour_runs_every_example():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    toured = set(re.findall(r"pyde-ref (?:wave|chain) examples/transactions/([\w-]+\.json)", readme))
    assert toured == set(COMMAND) == {p.name for p in TRANSACTIONS.glob("*.json") if not p.name.endswith(".abi.json")}


def test_documents_and_outputs_match_the_schema(outputs):
    schema = json.loads((REPO / "spec" / "wave.schema.json").read_text(encoding="utf-8"))
    for name, output in outputs.items():
        jsonschema.validate(json.loads((TRANSACTIONS / name).read_text(encoding="utf-8")), schema)
        jsonschema.validate(output, schema)
        assert output["signatures_checked"] is True


def test_documents_are_what_the_generator_writes(wat2wasm):
    """``make_examples.py`` reproduces every document byte for byte (it
    keeps the committed signatures, which still verify) and both modules."""
    spec = importlib.util.spec_from_file_location("make_transactions", TRANSACTIONS / "make_examples.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    for build in make.DOCUMENTS:
        doc, document = build()
        assert doc.render(document) == open(doc.path, encoding="utf-8").read(), doc.path
    for version in (1, 2):
        assert make.app_module(version) == (TRANSACTIONS / f"app-v{version}.wasm").read_bytes()


def receipts(output: dict, wave: int = None) -> list:
    return output["receipts"] if wave is None else output["waves"][wave]["receipts"]


def test_the_sponsored_transfer_is_chapter_11_12(outputs):
    """§11.12: the tank pays gas × base_fee, Alice (no PYDE) pays nothing,
    the fee is split 70/20/10; nonce 42 in the window [40, 55] with 41 used;
    nonce 40 then slides the window to 43; the replay is refused; a tank
    that cannot cover gas_limit × base_fee refuses the transaction."""
    out = outputs["sponsored-transfer.json"]
    r = receipts(out)
    token = r[0]["contract_address"]
    base_fee = 50_000_000_000
    assert (r[3]["status"], r[3]["nonce"], r[3]["fee"]["payer_kind"], r[3]["fee"]["payer"]) == (
        "success", 42, "gas_tank", token)
    assert int(r[3]["fee"]["total"]) == r[3]["gas_used"] * base_fee
    fee = r[3]["fee"]
    assert (int(fee["burned"]), int(fee["reward_pool"]), int(fee["treasury"])) == (
        int(fee["total"]) * 70 // 100, int(fee["total"]) * 20 // 100,
        int(fee["total"]) - int(fee["total"]) * 70 // 100 - int(fee["total"]) * 20 // 100)
    [(address, entry)] = [(a, e) for a, e in out["post_state"]["accounts"].items()
                          if e.get("nonce") == 44]  # 40, 41, 42, 43 used
    assert entry["balance"] == "0" and "nonce_bitmap" not in entry
    assert [x["code"] for x in r[5:10]] == ["NonceOutOfWindow", "InsufficientBalance", None,
                                          "GasTankInsufficient", "DeadlineExpired"]
    assert r[10]["status"] == "success" and r[10]["fee"]["payer_kind"] == "gas_tank"


def test_the_validators_life(outputs):
    out = outputs["validator-life.json"]
    states = [next(iter(w["validators"].values()), None) for w in out["waves"]]
    assert states == ["pending", "active", "jailed", "active", "unbonding", "unbonding", None]
    slash = receipts(out, 2)[0]
    assert (slash["tx_type"], slash["status"]) == ("Slash", "success")
    assert out["waves"][2]["wave_start"]["rewards"]["amount"] == "25200000"
    assert [r["code"] for r in receipts(out, 2)[1:]] == ["ValidatorJailed", "JailPeriodNotOver"]
    assert receipts(out, 5)[0]["code"] == "StillUnbonding"
    assert "validators" not in out["post_state"]  # withdrawn: the record is gone
    writes = {w["table"] for w in receipts(out, 6)[0]["writes"]}
    assert writes == {"account", "protocol", "validator"}


def test_the_multisig_treasury(outputs):
    r = receipts(outputs["multisig-treasury.json"])
    assert [x["code"] for x in r] == [None, "MultisigNonceMismatch", "ApprovalThresholdNotMet", None,
                                      "ApprovalBadSignature", None, None, "ChainPaused", None, None]
    protocol = outputs["multisig-treasury.json"]["post_state"]["protocol"]
    assert protocol["treasury_multisig"]["nonce"] == 3 and protocol["emergency_multisig"]["nonce"] == 2
    assert "emergency_pause_end_wave" not in protocol


def test_the_owner_upgrade(outputs):
    out = outputs["owner-upgrade.json"]
    versions = [r["return_data"] for w in out["waves"] for r in w["receipts"] if r["return_data"] in ("0x01", "0x02")]
    assert versions == ["0x01", "0x01", "0x02"]
    (upgrade,) = out["waves"][2]["wave_start"]["upgrades"]
    assert upgrade["wave"] == out["waves"][2]["wave_id"] == out["waves"][0]["wave_id"] + 172_800
    assert receipts(out, 2)[2]["return_data"] == "0x" + (4).to_bytes(8, "little").hex()  # 1 + 1 + 2
    contract = out["post_state"]["contracts"][upgrade["contract"]]
    assert contract["upgrade_history"] == [{k: upgrade[k] for k in ("wave", "old_code_hash", "new_code_hash")}]
    assert contract["code_hash"] == upgrade["new_code_hash"]
    assert list(out["post_state"]["code"]) == [upgrade["old_code_hash"]]  # the old module stays stored
