"""The parachain lifecycle (PARACHAIN_DESIGN §4, §6.1, §6.3, §6.4):
registration and every refusal of it, pause, unpause and kill with their
effect on new transactions, and ``ParachainCall``.  Every refusal is a
rejected receipt with its named code that changed nothing: no write, and
the wave's state digest is the digest of the same wave without it."""

from __future__ import annotations

import pytest

from parachain_helpers import (
    FAST_CONFIG,
    KEYS,
    OWNER,
    PROBE_FUNCTIONS,
    USER,
    VALIDATOR_IDS,
    VALIDATOR_KEYS,
    ChainDoc,
    assert_rejected_in,
    call,
    h,
    op,
    probe_calldata,
    probe_module,
    probe_result,
    receipts,
    validators_section,
)
import json

from pyde_ref.executor.context import WaveEnv
from pyde_ref.executor.genesis import build_state
from pyde_ref.executor.handlers.parachains import id_collision
from pyde_ref.executor.transactions import encode_call
from pyde_ref.executor.wave import apply_wave
from pyde_ref.executor.wave_json import parse_chain
from pyde_ref.executor.params import (
    DEPLOY_BASE_GAS,
    NATIVE_BASE_GAS,
    PARACHAIN_CLEANUP_FEE,
    PARACHAIN_OWNER_DEPOSIT,
    PARACHAIN_REGISTRATION_FEE,
)
from pyde_ref.executor.testing import build_contract, build_parachain, import_lines, wat_string
from pyde_ref.state.parachains import (
    DEFAULT_CONFIG,
    ParachainRecord,
    ParachainStatus,
    ParachainVersion,
    parachain_id,
)
from pyde_ref.state.system import PARACHAINS, TREASURY

PROBE = probe_module()
ALPHA = parachain_id("alpha")
IDS = [h(v) for v in VALIDATOR_IDS]


def register(name="alpha", code=PROBE, validators=None, config=None, sender=OWNER, **fields) -> dict:
    return op("parachain_register", sender=sender, name=name, code=code,
              validators=IDS if validators is None else validators,
              config=FAST_CONFIG if config is None else config, **fields)


def run_alone(*txs, doc_factory=ChainDoc) -> tuple[list, dict]:
    """The receipts of one wave of ``txs``, and the output."""
    doc = doc_factory()
    doc.wave(*txs)
    output = doc.run()
    return receipts(output, 0), output


def assert_refused(tx, code: str, doc_factory=ChainDoc, reason_has: str = "") -> dict:
    """``tx``, alone in a wave, is refused with ``code`` and changes nothing
    (:func:`parachain_helpers.assert_rejected_in`); its reason names
    ``reason_has``."""
    doc = doc_factory()
    doc.wave(tx)
    receipt = assert_rejected_in(doc, 0, 0, code)
    assert reason_has in receipt["reason"]
    return receipt


# --------------------------------------------------------------------------
# register (§6.1)
# --------------------------------------------------------------------------


def test_register_creates_version_0_owned_by_the_sender():
    got, output = run_alone(register())
    receipt = got[0]
    assert receipt["status"] == "success" and receipt["gas_used"] == DEPLOY_BASE_GAS
    assert receipt["parachain"]["id"] == h(ALPHA) and receipt["parachain"]["version"] == 0
    entry = output["post_state"]["parachains"][h(ALPHA)]
    assert (entry["name"], entry["owner"], entry["status"], entry["current_version"]) == \
        ("alpha", h(OWNER.address), "active", 0)
    assert entry["deposit"] == str(PARACHAIN_OWNER_DEPOSIT) and entry["validators"] == IDS
    assert entry["versions"][0]["code_hash"] == receipt["parachain"]["wasm_hash"]
    assert output["post_state"]["code"][entry["versions"][0]["code_hash"]] == h(PROBE)
    treasury = output["post_state"]["accounts"][h(TREASURY)]["balance"]
    assert int(treasury) == PARACHAIN_REGISTRATION_FEE + int(receipt["fee"]["treasury"])
    owner = int(output["post_state"]["accounts"][h(OWNER.address)]["balance"])
    assert owner == 10**24 - PARACHAIN_REGISTRATION_FEE - PARACHAIN_OWNER_DEPOSIT - int(receipt["fee"]["total"])


def test_parachain_id_is_poseidon2_of_the_prefixed_name():
    from pyde_ref.crypto.poseidon2 import poseidon2_hash
    assert ALPHA == poseidon2_hash(b"pyde-parachain:alpha") != poseidon2_hash(b"alpha")


@pytest.mark.parametrize("name", ["", "A", "Alpha", "alpha_1", "-alpha", "alpha-", "x" * 33, "al pha", "é"])
def test_invalid_names_are_refused(name):
    assert_refused(register(name=name), "InvalidParachainName")


def test_a_long_invalid_name_is_not_echoed_in_full():
    """The reason repeats 40 characters of the name and its length, not the
    name: a receipt line stays short whatever the transaction carries."""
    name = "x" * 100_000
    receipt = assert_refused(register(name=name), "InvalidParachainName", reason_has="got 100000")
    assert "'" + "x" * 40 + "'... (100000 characters)" in receipt["reason"] and len(receipt["reason"]) < 200


@pytest.mark.parametrize("name", ["a", "x" * 32, "uni-swap-2", "0"])
def test_valid_names(name):
    got, _output = run_alone(register(name=name))
    assert got[0]["status"] == "success"


def test_a_taken_name_is_refused_even_after_kill():
    def existing():
        doc = ChainDoc()
        doc.parachain("alpha", PROBE)
        return doc
    assert_refused(register(), "ParachainNameTaken", existing)

    def killed():
        doc = ChainDoc()
        doc.parachain("alpha", PROBE, status="killed")
        return doc
    assert_refused(register(sender=USER), "ParachainNameTaken", killed)


def test_a_clustering_prefix_collision_is_refused():
    """§4/§5: two parachains may not share the 16-byte prefix of their
    subtree.  No name pair is known to collide, so the rule is shown on a
    state that holds a record under a made-up id with alpha's prefix."""
    doc = ChainDoc()
    doc.wave(register())
    parsed = parse_chain(json.loads(json.dumps(doc.doc)))
    state = build_state(parsed.prestate)
    twin = ALPHA[:16] + bytes(16)
    state.put_parachain(twin, ParachainRecord("twin", bytes(32), 0, 0,
                                              (ParachainVersion(0, bytes(32), DEFAULT_CONFIG, 0),), ()))
    assert id_collision(state, ALPHA) == twin and id_collision(state, parachain_id("beta")) is None
    result = apply_wave(state, WaveEnv(parsed.waves[0].context, signatures_checked=False), parsed.waves[0].txs)
    receipt = result.receipts[0]
    assert (receipt.status, receipt.code) == ("rejected", "ParachainIdCollision") and receipt.writes == ()
    assert result.state_digest == state.digest()


FORBIDDEN = {
    "env import": '(import "env" "abort" (func))',
    "WASI": '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
    "unknown pyde name": '(import "pyde" "parachain_get_caller" (func (param i32) (result i32)))',
    "core storage": '(import "pyde" "sstore" (func (param i32 i32) (result i32)))',
    "delegate_call": '(import "pyde" "delegate_call" (func (param i32 i32 i32 i32 i32 i64 i32 i32) (result i32)))',
}


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_a_forbidden_import_is_refused(what):
    """§6.1 step 4 / ABI §9.1-§9.2: only ``pyde`` functions of the ABI,
    and not the contract-storage ones (``ContractOnly``)."""
    module = build_parachain(f'(module {FORBIDDEN[what]} (memory (export "memory") 1) (func (export "f")))', ["f"])
    reason = "ContractOnly" if what in ("core storage", "delegate_call") else "ForbiddenImport"
    assert_refused(register(code=module), "DeployRejected", reason_has=f"DeployRejected: {reason}(")


def test_a_contract_module_is_not_a_parachain():
    module = build_contract('(module (memory (export "memory") 1) (func (export "f")))', ["f"])
    assert_refused(register(code=module), "DeployRejected", reason_has="NotAParachainModule")
    assert_refused(register(code=b"\x00asm\x01"), "DeployRejected", reason_has="Malformed")


def test_validator_set_outside_the_committee_is_refused():
    """§6.1 step 5: every member is a validator active in the main
    committee at this wave: not unknown, not pending, not jailed."""
    stranger = h(bytes([9]) * 32)
    assert_refused(register(validators=IDS[:6] + [stranger]), "ValidatorNotInCommittee", reason_has="not registered")

    def pending():
        doc = ChainDoc()
        doc.doc["validators"] = validators_section(activation_epoch=10**6)
        return doc
    assert_refused(register(), "ValidatorNotInCommittee", pending, reason_has="pending")

    def jailed():
        doc = ChainDoc()
        doc.doc["validators"][IDS[3]]["jailed_until"] = 10**9
        return doc
    assert_refused(register(), "ValidatorNotInCommittee", jailed, reason_has="jailed")


def test_validator_set_size_and_duplicates():
    """§6.1 step 5: at least ``min_validators`` (itself at least 7, §3),
    at most the committee's 128, no validator twice."""
    assert_refused(register(validators=IDS[:6]), "ValidatorSetTooSmall", reason_has="6 validators, min_validators 7")
    assert_refused(register(validators=IDS[:6], config={**FAST_CONFIG, "min_validators": 6}),
                   "InvalidParachainConfig", reason_has="min_validators 6 outside")
    assert_refused(register(validators=IDS + IDS[:1]), "ValidatorSetDuplicate")
    assert_refused(register(validators=[h(bytes([i % 256, i // 256]) * 16) for i in range(129)]),
                   "ValidatorSetTooLarge")


@pytest.mark.parametrize("config, reason", [
    ({"quorum": "0/3"}, "quorum 0/3"), ({"quorum": "4/3"}, "quorum 4/3"), ({"threshold": "1/0"}, "threshold 1/0"),
    ({"grace_period_waves": 0}, "grace_period_waves"), ({"voting_waves": 0}, "voting_waves"),
    ({"min_validators": 129}, "min_validators 129"),
])
def test_inconsistent_configs_are_refused(config, reason):
    assert_refused(register(config={**FAST_CONFIG, **config}), "InvalidParachainConfig", reason_has=reason)


def test_the_sender_must_afford_fee_and_deposit():
    poor = KEYS["carol"]

    def doc_factory():
        doc = ChainDoc()
        doc.doc["accounts"][h(poor.address)] = {"balance": str(PARACHAIN_REGISTRATION_FEE),
                                                "auth_keys": {"single": h(poor.public_key)}}
        return doc
    assert_refused(register(sender=poor), "InsufficientBalance", doc_factory)


def test_register_checks_run_in_order():
    """Name, uniqueness, the module, the config, the validator set: a
    registration breaking several gets the first code."""
    bad_module = build_contract('(module (memory (export "memory") 1))', [])
    assert_refused(register(name="BAD", code=bad_module, validators=[]), "InvalidParachainName")
    assert_refused(register(code=bad_module, validators=[]), "DeployRejected")
    assert_refused(register(validators=[], config={**FAST_CONFIG, "quorum": "0/1"}), "InvalidParachainConfig")
    assert_refused(register(validators=[h(bytes(32))]), "ValidatorNotInCommittee")


def test_a_payload_that_does_not_decode_is_malformed():
    raw = {"type": "raw", "from": h(OWNER.address), "gas_limit": 100_000, "tx_type": 0, "to": h(PARACHAINS),
           "data": h(encode_call("register", b"\x01"))}
    assert_refused(raw, "MalformedPayload")


# --------------------------------------------------------------------------
# ParachainCall and pause, unpause, kill (§6.3, §6.4)
# --------------------------------------------------------------------------


def with_alpha(**fields):
    def factory():
        doc = ChainDoc()
        doc.parachain("alpha", PROBE, **fields)
        return doc
    return factory


def test_parachain_call_routes_to_the_current_version():
    got, _output = run_alone(call(ALPHA, "marker"), doc_factory=with_alpha())
    assert got[0]["status"] == "success" and bytes.fromhex(got[0]["return_data"][2:]) == b"v0"
    assert got[0]["parachain"]["version"] == 0 and got[0]["tx_type"] == "Standard"


def test_parachain_call_dispatch_refusals():
    assert_refused(call(ALPHA, "no_such"), "UnknownFunction", with_alpha())
    assert_refused(call(ALPHA, "marker", value="5"), "NotPayable", with_alpha())
    assert_refused(call(ALPHA, "marker", fee_payer="gas_tank"), "FeePayerNotApplicable", with_alpha())


def test_a_sponsored_parachain_function_has_no_tank_to_pay():
    module = probe_module(functions=[f for f in PROBE_FUNCTIONS if f != "marker"] + ["marker:entry,sponsored"])
    assert_refused(call(ALPHA, "marker"), "FeePayerNotApplicable", lambda: _doc_with(module))


def _doc_with(module):
    doc = ChainDoc()
    doc.parachain("alpha", module)
    return doc


def test_a_transfer_to_a_parachain_credits_its_account():
    transfer = {"type": "transfer", "from": h(USER.address), "to": h(ALPHA), "value": "77", "gas_limit": 21_000}
    got, output = run_alone(transfer, doc_factory=with_alpha())
    assert got[0]["status"] == "success" and got[0]["parachain"]["id"] == h(ALPHA)
    assert output["post_state"]["accounts"][h(ALPHA)]["balance"] == "77"


@pytest.mark.parametrize("status, code", [("paused", "ParachainPaused"), ("killed", "ParachainKilled")])
def test_a_paused_or_killed_parachain_refuses_new_transactions(status, code):
    """§6.3 "New transactions targeting the parachain are rejected at
    ingress"; §6.4 after kill.  Transfers to it too."""
    assert_refused(call(ALPHA, "marker"), code, with_alpha(status=status), reason_has="'alpha'")
    transfer = {"type": "transfer", "from": h(USER.address), "to": h(ALPHA), "value": "1", "gas_limit": 21_000}
    assert_refused(transfer, code, with_alpha(status=status))


def test_pause_unpause_kill_flow():
    doc = with_alpha()()
    doc.wave(op("parachain_pause", parachain=ALPHA), call(ALPHA, "marker"))
    doc.wave(op("parachain_unpause", parachain=ALPHA), call(ALPHA, "marker"))
    doc.wave(op("parachain_kill", parachain=ALPHA), call(ALPHA, "marker"),
             op("parachain_unpause", parachain=ALPHA), op("parachain_kill", parachain=ALPHA))
    output = doc.run()
    w0, w1, w2 = (receipts(output, i) for i in range(3))
    assert [r["status"] for r in w0] == ["success", "rejected"] and w0[1]["code"] == "ParachainPaused"
    assert w0[0]["gas_used"] == NATIVE_BASE_GAS
    assert [r["status"] for r in w1] == ["success", "success"]
    assert w2[0]["status"] == "success"
    assert [r["code"] for r in w2[1:]] == ["ParachainKilled", "ParachainNotPaused", "ParachainKilled"]
    entry = output["post_state"]["parachains"][h(ALPHA)]
    assert entry["status"] == "killed" and entry["deposit"] == "0"
    assert entry["versions"][0]["code_hash"] in output["post_state"]["code"]  # state and history stay


def test_kill_returns_the_deposit_minus_the_cleanup_fee():
    doc = with_alpha()()
    doc.wave(op("parachain_kill", parachain=ALPHA))
    output = doc.run()
    receipt = receipts(output, 0)[0]
    owner_before = 10**24
    owner_after = int(output["post_state"]["accounts"][h(OWNER.address)]["balance"])
    assert owner_after == owner_before - int(receipt["fee"]["total"]) + PARACHAIN_OWNER_DEPOSIT - PARACHAIN_CLEANUP_FEE


@pytest.mark.parametrize("kind", ["parachain_pause", "parachain_unpause", "parachain_kill"])
def test_only_the_owner_may_pause_unpause_or_kill(kind):
    assert_refused(op(kind, sender=USER, parachain=ALPHA), "NotOwner", with_alpha(status="paused"
                                                                                  if kind == "parachain_unpause"
                                                                                  else "active"))


def test_lifecycle_refusals():
    assert_refused(op("parachain_pause", parachain=ALPHA), "ParachainNotActive", with_alpha(status="paused"))
    assert_refused(op("parachain_unpause", parachain=ALPHA), "ParachainNotPaused", with_alpha())
    assert_refused(op("parachain_kill", parachain=ALPHA), "ParachainKilled", with_alpha(status="killed"))
    assert_refused(op("parachain_pause", parachain=parachain_id("nobody")), "UnknownParachain", with_alpha())
    assert_refused(op("parachain_pause", parachain=ALPHA), "UnknownParachain")


def test_a_parachain_registered_in_a_wave_is_callable_in_the_same_wave():
    doc = ChainDoc()
    doc.wave(register(), call(ALPHA, "probe_parachain_id", probe_calldata(0x2000, window=32)))
    got = receipts(doc.run(), 0)
    assert got[1]["status"] == "success"
    assert probe_result(bytes.fromhex(got[1]["return_data"][2:]))[1] == ALPHA


def test_the_example_validators_are_seven_distinct_keys():
    assert len({k.public_key for k in VALIDATOR_KEYS}) == 7 == len(set(VALIDATOR_IDS))
    assert ParachainStatus.runs_calls(ParachainStatus.UPGRADING) and not ParachainStatus.runs_calls(
        ParachainStatus.PAUSED)


def test_a_parachain_is_not_a_cross_call_target():
    """Chapter 13 §13.4's "smart contract → parachain" asynchronous call has
    no ABI function (``send_xparachain_message`` is parachain-only): a
    contract's synchronous ``cross_call`` to a parachain's id finds no
    contract code there, ``ERR_CROSS_CALL_FAILED``
    (``spec/findings/parachain-transactions.md``)."""
    wat = f"""(module {import_lines(["cross_call", "return"])} (memory (export "memory") 1)
      (data (i32.const 0) "{wat_string(ALPHA)}marker")
      (func (export "go")
        (i32.store (i32.const 200) (call $cross_call (i32.const 0) (i32.const 32) (i32.const 6) (i32.const 0)
                                                     (i32.const 0) (i32.const 100) (i64.const 50000)
                                                     (i32.const 300) (i32.const 296)))
        (call $return (i32.const 200) (i32.const 4))))"""
    contract = h(bytes([0xCC]) * 32)
    doc = with_alpha()()
    doc.doc["contracts"] = {contract: {"code": h(build_contract(wat, ["go"]))}}
    doc.wave(call(bytes.fromhex(contract[2:]), "go"))
    receipt = receipts(doc.run(), 0)[0]
    assert receipt["status"] == "success"
    assert int.from_bytes(bytes.fromhex(receipt["return_data"][2:]), "little", signed=True) == -10
