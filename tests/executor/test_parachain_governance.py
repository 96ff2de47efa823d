"""Parachain upgrades through equal-power governance (PARACHAIN_DESIGN §6.2,
§7): proposal, FALCON-signed votes, the tally at the close of the voting
window, the committee's signature enacting it, activation at ``wave +
grace_period`` with the module cache switching exactly then, the version
history kept -- and every refusal on the way."""

from __future__ import annotations

import json

import pytest

from parachain_helpers import (
    FAST_CONFIG,
    KEYS,
    OWNER,
    USER,
    VALIDATOR_IDS,
    ChainDoc,
    assert_rejected_in,
    call,
    committee,
    h,
    op,
    probe_calldata,
    probe_module,
    probe_result,
    receipts,
    validators_section,
    vote,
)
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.context import WaveEnv
from pyde_ref.executor.executor import WasmExecutor
from pyde_ref.executor.genesis import build_state
from pyde_ref.executor.parachain_json import read_config_json
from pyde_ref.executor.params import NATIVE_BASE_GAS, PROPOSAL_COOLDOWN_WAVES, SIGNATURE_VERIFY_GAS
from pyde_ref.executor.testing import build_contract
from pyde_ref.executor.wave import apply_wave
from pyde_ref.executor.wave_json import parse_chain
from pyde_ref.state.code import code_hash
from pyde_ref.state.parachains import parachain_id

ALPHA = parachain_id("alpha")
V0, V1 = probe_module(), probe_module("v1")
NEW_CONFIG_JSON = {**FAST_CONFIG, "xcall_rate_limit": 5}
NEW_CONFIG = read_config_json(NEW_CONFIG_JSON, "config")
FIRST = 100  # propose; voting open 101..102; tallied at the start of 103; active from 106


def with_alpha(**fields) -> ChainDoc:
    doc = ChainDoc(first_wave=FIRST)
    doc.parachain("alpha", V0, **fields)
    return doc


def propose(code=V1, config=NEW_CONFIG_JSON, sender=USER) -> dict:
    return op("parachain_propose_upgrade", sender=sender, parachain=ALPHA, code=code, config=config)


def votes(choices, proposal=1, code=V1, config=NEW_CONFIG) -> list[dict]:
    """One vote per validator, ``choices[i]`` for validator ``i`` (``None``: no vote)."""
    return [vote(ALPHA, proposal, code_hash(code), config, i, choice)
            for i, choice in enumerate(choices) if choice is not None]


def enact(signers=range(5), proposal=1, code=V1, config=NEW_CONFIG) -> dict:
    return op("parachain_upgrade", parachain=ALPHA, proposal=proposal,
              committee_signatures=committee(ALPHA, proposal, code_hash(code), config, signers))


def marker(output, wave) -> bytes:
    receipt = [r for r in receipts(output, wave) if r["tx_type"] == "Standard"][-1]
    return bytes.fromhex(receipt["return_data"][2:])


def approved_doc() -> ChainDoc:
    """Proposal 1 at wave 100, five yes votes at 101, tallied at 103."""
    doc = with_alpha()
    doc.wave(propose())
    doc.wave(*votes(["yes"] * 5))
    doc.wave()
    return doc


def test_the_whole_flow_and_the_switch_at_the_activation_wave():
    doc = approved_doc()
    doc.wave(enact(), call(ALPHA, "marker"))                     # 103: tallied, enacted; active at 106
    doc.wave(call(ALPHA, "marker"), wave_id=105)                 # one wave before
    doc.wave(call(ALPHA, "marker"), call(ALPHA, "probe_parachain_version", probe_calldata()))  # 106
    output = doc.run()
    w_propose, w_votes, _w102, w_enact, w_before, w_after = range(6)
    proposal = receipts(output, w_propose)[0]
    assert proposal["status"] == "success" and proposal["gas_used"] == 32_000
    assert all(r["status"] == "success" and r["gas_used"] == NATIVE_BASE_GAS + SIGNATURE_VERIFY_GAS
               for r in receipts(output, w_votes))
    start = output["waves"][w_enact]["wave_start"]
    assert start["tallies"] == [{"parachain": h(ALPHA), "proposal": 1, "status": "approved", "yes": 5, "no": 0,
                                 "abstain": 0, "validators": 7, "rejection": "none"}]
    enacted = receipts(output, w_enact)[0]
    assert enacted["status"] == "success" and enacted["gas_used"] == NATIVE_BASE_GAS + 5 * SIGNATURE_VERIFY_GAS
    assert enacted["parachain"]["version"] == 1 and enacted["parachain"]["wasm_hash"] == h(code_hash(V1))
    assert marker(output, w_enact) == b"v0" and marker(output, w_before) == b"v0"
    switch = output["waves"][w_after]["wave_start"]["parachain_upgrades"]
    assert switch == [{"parachain": h(ALPHA), "wave": 106, "old_version": 0, "new_version": 1,
                       "old_wasm_hash": h(code_hash(V0)), "new_wasm_hash": h(code_hash(V1))}]
    after = receipts(output, w_after)
    assert bytes.fromhex(after[0]["return_data"][2:]) == b"v1" and after[0]["parachain"]["version"] == 1
    assert probe_result(bytes.fromhex(receipts(output, w_after)[1]["return_data"][2:]))[0] == 1
    assert "parachain_upgrades" not in output["waves"][w_before]["wave_start"]
    entry = output["post_state"]["parachains"][h(ALPHA)]
    assert entry["status"] == "active" and entry["current_version"] == 1
    v0, v1 = entry["versions"]  # the history is kept
    assert (v0["code_hash"], v0["deactivated_at_wave"]) == (h(code_hash(V0)), 106)
    assert (v1["code_hash"], v1["activated_at_wave"], v1["proposal_id"]) == (h(code_hash(V1)), 106, 1)
    assert v1["config"]["xcall_rate_limit"] == 5 and len(v1["vote_certs"]) == 5
    assert len(v1["committee_signatures"]) == 5
    assert entry["proposals"]["1"]["status"] == "enacted"
    assert h(code_hash(V0)) in output["post_state"]["code"]  # the old module stays


def test_status_is_upgrading_until_the_switch():
    doc = approved_doc()
    doc.wave(enact())
    output = doc.run()
    assert output["post_state"]["parachains"][h(ALPHA)]["status"] == "upgrading"


def test_the_module_cache_swaps_exactly_at_activation():
    """§6.2 step 4: one wave before, the cache still holds version 0's
    module; at the activation wave's start the entry is dropped, and the
    next call loads version 1."""
    doc = approved_doc()
    doc.wave(enact())
    doc.wave(call(ALPHA, "marker"), wave_id=105)
    doc.wave(wave_id=106)
    doc.wave(call(ALPHA, "marker"))
    parsed = parse_chain(json.loads(json.dumps(doc.doc)))
    state, executor = build_state(parsed.prestate), WasmExecutor()
    seen = []
    for wave in parsed.waves:
        result = apply_wave(state, WaveEnv(wave.context, False), wave.txs, executor)
        state = result.state
        cached = executor.cache.peek(ALPHA)
        seen.append((wave.context.wave_id, None if cached is None else cached.code_hash))
    assert seen[-3:] == [(105, code_hash(V0)), (106, None), (107, code_hash(V1))]


def test_a_paused_parachain_stays_paused_after_the_switch():
    doc = approved_doc()
    doc.wave(enact(), op("parachain_pause", parachain=ALPHA))
    doc.wave(op("parachain_unpause", parachain=ALPHA), wave_id=104)
    doc.wave(op("parachain_pause", parachain=ALPHA), wave_id=105)
    doc.wave(wave_id=106)
    output = doc.run()
    assert output["waves"][-1]["wave_start"]["parachain_upgrades"][0]["new_version"] == 1
    entry = output["post_state"]["parachains"][h(ALPHA)]
    assert (entry["status"], entry["current_version"]) == ("paused", 1)


# --------------------------------------------------------------------------
# votes
# --------------------------------------------------------------------------


def vote_refused(tx, code: str, wave: int = FIRST + 1, prepare=()):
    doc = with_alpha()
    doc.wave(propose(), *prepare)
    doc.wave(tx, wave_id=wave)
    return assert_rejected_in(doc, 1, len(doc.doc["waves"][1]["txs"]) - 1, code)


def test_vote_refusals():
    same_wave = with_alpha()
    same_wave.wave(propose(), votes(["yes"])[0])  # the discussion period is one wave
    assert_rejected_in(same_wave, 0, 1, "VotingNotOpen")
    vote_refused(votes(["yes"])[0], "VotingClosed", wave=FIRST + 3)
    vote_refused(vote(ALPHA, 2, code_hash(V1), NEW_CONFIG, 0), "UnknownProposal")
    wrong_choice = votes(["yes"])[0] | {"choice": "no"}  # signed over "yes"
    vote_refused(wrong_choice, "VoteBadSignature")
    other_payload = vote(ALPHA, 1, code_hash(V0), NEW_CONFIG, 0)  # signed over another proposal
    vote_refused(other_payload, "VoteBadSignature")


def test_a_vote_by_a_validator_outside_the_set_is_refused():
    """``NotParachainValidator``: a main-committee validator that is not in
    the parachain's set (its own valid signature notwithstanding)."""
    outsider = KEYS["validator-1"]
    doc = with_alpha()
    doc.doc["validators"].update(validators_section([outsider]))
    doc.wave(propose())
    doc.wave(vote(ALPHA, 1, code_hash(V1), NEW_CONFIG, 0, validator=poseidon2_hash(outsider.public_key)))
    assert_rejected_in(doc, 1, 0, "NotParachainValidator")


def test_one_validator_one_vote():
    doc = with_alpha()
    doc.wave(propose())
    doc.wave(*votes(["yes"]), *votes(["no"]))
    output = doc.run()
    assert receipts(output, 1)[0]["status"] == "success"
    assert_rejected_in(doc, 1, 1, "AlreadyVoted", output)


def test_the_rejection_check_sees_a_change():
    """``assert_rejected_in`` fails on a transaction that changed the state,
    even when the receipt is made to look like a rejection."""
    doc = with_alpha()
    doc.wave(propose())
    output = doc.run()
    receipt = receipts(output, 0)[0]
    assert receipt["status"] == "success"
    receipt.update(status="rejected", code="X", gas_used=0, fee=None, writes=[], events=[])
    with pytest.raises(AssertionError):
        assert_rejected_in(doc, 0, 0, "X", output)


def test_votes_are_verified_even_in_an_unsigned_document():
    """Votes are governance, like slashing evidence: ``"unsigned": true``
    does not skip them (``spec/findings/parachain-committee-signature.md``)."""
    doc = with_alpha()
    assert doc.doc["unsigned"] is True
    doc.wave(propose())
    doc.wave(votes(["yes"])[0] | {"vote_signature": "0x00"})
    assert_rejected_in(doc, 1, 0, "VoteBadSignature")


# --------------------------------------------------------------------------
# the tally and the upgrade
# --------------------------------------------------------------------------


@pytest.mark.parametrize("choices, status, rejection, code", [
    (["yes"] * 4, "rejected", "quorum", "UpgradeQuorumNotMet"),           # 4 of 7 voted: 4/7 < 2/3
    (["yes"] * 3 + ["no"] * 2, "rejected", "threshold", "UpgradeThresholdNotMet"),   # 3/5 yes < 2/3
    (["yes"] * 4 + ["abstain"] * 3, "rejected", "threshold", "UpgradeThresholdNotMet"),  # 4/7: abstain is a voter
    (["yes"] * 4 + ["no"] * 1 + [None] * 2, "approved", "none", None),   # 5 voted, 4/5 yes
    (["yes"] * 7, "approved", "none", None),
])
def test_quorum_and_threshold(choices, status, rejection, code):
    """§7: quorum = 2/3 of the validators voted; threshold = 2/3 of the
    voters said yes (abstentions are voters).  An upgrade of a rejected
    proposal names which rule failed."""
    doc = with_alpha()
    doc.wave(propose())
    doc.wave(*votes(choices))
    doc.wave()
    doc.wave(enact())
    output = doc.run()
    tally = output["waves"][3]["wave_start"]["tallies"][0]
    assert (tally["status"], tally["rejection"]) == (status, rejection)
    receipt = receipts(output, 3)[0]
    if code is None:
        assert receipt["status"] == "success"
    else:
        assert_rejected_in(doc, 3, 0, code, output)
        assert f"{rejection} not met" in receipt["reason"]


def test_upgrade_refusals():
    early = with_alpha()
    early.wave(propose())
    early.wave(enact())
    assert_rejected_in(early, 1, 0, "ProposalNotDecided")
    for tx, code in ((enact(signers=range(4)), "CommitteeQuorumNotMet"),          # 4 of 7 < 2/3
                     (enact(signers=[0, 1, 2, 3, 3]), "CommitteeSignatureDuplicate"),
                     (enact(proposal=2), "UnknownProposal")):
        doc = approved_doc()
        doc.wave(tx)
        assert_rejected_in(doc, 3, 0, code)
    forged = enact()
    forged["committee_signatures"][2]["signature"] = forged["committee_signatures"][1]["signature"]
    doc = approved_doc()
    doc.wave(forged)
    assert_rejected_in(doc, 3, 0, "CommitteeBadSignature")
    outsider = enact()
    outsider["committee_signatures"][0]["validator"] = h(bytes(32))
    doc = approved_doc()
    doc.wave(outsider)
    assert_rejected_in(doc, 3, 0, "NotParachainValidator")


def test_an_enacted_proposal_cannot_be_enacted_again_and_one_upgrade_waits_at_a_time():
    doc = with_alpha()
    doc.wave(propose(), propose(code=probe_module("v2")))
    doc.wave(*votes(["yes"] * 5), *votes(["yes"] * 5, proposal=2, code=probe_module("v2")))
    doc.wave()
    doc.wave(enact(), enact(), enact(proposal=2, code=probe_module("v2")))
    output = doc.run()
    assert [r["code"] for r in receipts(output, 3)] == [None, "ProposalEnacted", "UpgradePending"]
    assert_rejected_in(doc, 3, 1, "ProposalEnacted", output)
    assert_rejected_in(doc, 3, 2, "UpgradePending", output)


def test_proposal_refusals():
    doc = with_alpha()
    doc.wave(propose(code=V0, config=FAST_CONFIG),                              # nothing changes
             propose(config={**FAST_CONFIG, "quorum": "3/2"}),
             propose(config={**FAST_CONFIG, "min_validators": 8}),              # the set has 7
             propose(code=build_contract('(module (memory (export "memory") 1))', [])),
             op("parachain_propose_upgrade", parachain=parachain_id("nobody"), code=V1))
    output = doc.run()
    codes = ["ProposalNoChange", "InvalidParachainConfig", "InvalidParachainConfig", "DeployRejected",
             "UnknownParachain"]
    for index, code in enumerate(codes):
        assert_rejected_in(doc, 0, index, code, output)
    killed = with_alpha(status="killed")
    killed.wave(propose())
    assert_rejected_in(killed, 0, 0, "ParachainKilled")


def test_a_rejected_proposal_cools_down_for_30_days():
    """§7 ``PROPOSAL_COOLDOWN``: the same module and config cannot be
    proposed again for 30 days after the tally rejected them; a changed
    proposal can."""
    doc = with_alpha()
    doc.wave(propose())
    doc.wave(*votes(["yes"] * 2))
    doc.wave()
    doc.wave(propose(), propose(config={**NEW_CONFIG_JSON, "xcall_rate_limit": 6}))   # 103: rejected at its start
    doc.wave(propose(), wave_id=103 + PROPOSAL_COOLDOWN_WAVES - 1)
    doc.wave(propose(), wave_id=103 + PROPOSAL_COOLDOWN_WAVES)
    output = doc.run()
    assert [r["code"] for r in receipts(output, 3)] == ["ProposalCooldown", None]
    assert_rejected_in(doc, 3, 0, "ProposalCooldown", output)
    assert_rejected_in(doc, 4, 0, "ProposalCooldown", output)
    assert receipts(output, 5)[0]["status"] == "success"
    assert output["post_state"]["parachains"][h(ALPHA)]["last_proposal_id"] == 3


def test_anyone_may_propose_and_enact():
    doc = with_alpha()
    doc.wave(propose(sender=OWNER))
    doc.wave(*votes(["yes"] * 5))
    doc.wave()
    doc.wave(enact() | {"from": h(KEYS["carol"].address)})
    doc.doc["accounts"][h(KEYS["carol"].address)] = {"balance": str(10**18)}
    assert receipts(doc.run(), 3)[0]["status"] == "success"
    assert VALIDATOR_IDS  # the committee signs; the sender only pays
