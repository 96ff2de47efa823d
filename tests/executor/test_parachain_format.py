"""Parachains in the documents (``spec/wave-format.md`` "Parachains"): a
post-state with parachains, proposals, versions and messages in flight
reads back as a pre-state with the same digest; a malformed or
contradictory parachain section is refused naming its field; no bad value
of any field ends in anything but a named refusal or receipts."""

from __future__ import annotations

import copy
import json

import pytest

from paths import EXAMPLES
from tx_helpers import BAD_VALUES, DELETE, leaves, mutated
from pyde_ref.crypto import threshold
from pyde_ref.executor.genesis import GenesisError, build_state
from pyde_ref.executor.jsonfields import WaveFormatError
from pyde_ref.executor.prestate_json import state_json
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import parse_chain, parse_document
from pyde_ref.executor.testing import build_contract
from pyde_ref.state.code import code_hash
from pyde_ref.state.parachains import parachain_id

EXAMPLE = EXAMPLES / "parachains" / "message-and-upgrade.json"
ALPHA, BETA = "0x" + parachain_id("alpha").hex(), "0x" + parachain_id("beta").hex()
PK, _SK = threshold.committee_keypair(bytes(range(64)))
CONTEXT = {"chain_id": 9, "block_height": 108, "wave_id": 108, "block_timestamp": 0, "base_fee": 1}


@pytest.fixture(scope="module")
def mid_example() -> dict:
    """The example's state after wave 107: both parachains, beta's v1
    enacted but pending, proposal 1 enacted, message 2 queued; plus the
    threshold records."""
    document = parse_chain(json.loads(EXAMPLE.read_text(encoding="utf-8")), str(EXAMPLE.parent))
    result = run_document(document)
    state = state_json(result.waves[4].state)
    assert state["parachains"][BETA]["status"] == "upgrading" and "xcalls" in state
    state["protocol"]["threshold_key"] = "0x" + PK.hex()
    state["protocol"]["threshold_combined"] = [{"envelope_id": "0x" + "11" * 32, "shared_secret": "0x" + "22" * 32,
                                                "from_wave": 5}]
    return state


def chain(state: dict, *waves: dict) -> dict:
    return {"unsigned": True, **copy.deepcopy(state),
            "waves": list(waves) or [{"context": dict(CONTEXT), "txs": []}]}


def test_a_mid_chain_post_state_reads_back_with_its_digest(mid_example):
    document = parse_chain(chain(mid_example))
    assert build_state(document.prestate).digest() == build_state(
        parse_chain(chain(json.loads(json.dumps(state_json(build_state(document.prestate)))))).prestate).digest()
    # and it resumes: message 2 is delivered at 108
    result = run_document(document)
    assert [r.xcall.kind for r in result.waves[0].receipts] == ["XCallDelivery"]


def test_the_example_post_state_reads_back(cli_json):
    out = cli_json(["chain", str(EXAMPLE), "--json"])
    doc = {"unsigned": True, "context": {**CONTEXT, "wave_id": 113, "block_height": 113}, "txs": [],
           **out["post_state"]}
    result = run_document(parse_document(doc))
    assert "0x" + result.state_digest.hex() == out["state_digest"]


def set_path(*path, value):
    """A change: the value at ``path`` replaced (``DELETE``: removed)."""
    return lambda state: mutated(state, path, value)


def edit(state: dict, change) -> dict:
    return change(state)


P = "parachains"

REFUSALS = [
    (set_path(P, ALPHA, "name", value="beta"), f"parachains[{ALPHA}]", "the id of 'beta'"),
    (set_path(P, ALPHA, "name", value="Alpha"), f"parachains[{ALPHA}].name", "not allowed"),
    (set_path(P, ALPHA, "code", value="0x00"), f"parachains[{ALPHA}]", "not both"),
    (set_path(P, ALPHA, "versions", value=DELETE), f"parachains[{ALPHA}]", "neither"),
    (set_path(P, ALPHA, "versions", 0, "code_hash", value="0x" + "ab" * 32), f"parachains[{ALPHA}].versions[0]",
     "no module"),
    (set_path(P, ALPHA, "storage", value={"0x01": "0x"}), f"parachains[{ALPHA}].storage[0x01]", "empty value"),
    (set_path(P, ALPHA, "storage", value={"0xab": "0x01", "0xAB": "0x02"}), f"parachains[{ALPHA}].storage[0xAB]",
     "the same key twice"),
    (set_path(P, BETA, "current_version", value=2), f"parachains[{BETA}].current_version", "outside"),
    (set_path(P, BETA, "versions", 0, "config", "quorum", value="3/2"), f"parachains[{BETA}].config", "quorum"),
    (set_path(P, BETA, "versions", 0, "config", "quorum", value="2:3"), f"parachains[{BETA}].versions[0].config.quorum",
     "fraction"),
    (set_path(P, BETA, "proposals", "1", "decided_wave", value=None), f"parachains[{BETA}].proposals[1].decided_wave",
     "decided"),
    (set_path(P, BETA, "last_proposal_id", value=0), f"parachains[{BETA}].proposals", "from 1"),
    (set_path(P, BETA, "validators", 1, value=None), f"parachains[{BETA}].validators[1]", "hex"),
    (set_path("xcalls", "2", "status", value="responded"), "xcalls[2].responded_at_wave", "responded"),
    (set_path("protocol", "xcall_last_id", value=1), "protocol.xcall_last_id", "below message 2"),
    (set_path("protocol", "threshold_key", value="0x01"), "protocol.threshold_key", "1184 bytes"),
    (set_path("xcalls", "0", value={}), "xcalls[0]", "missing"),
    # ABI §15.8: parachains and contracts share the address space (a contract at a parachain's id)
    (lambda state: {**state, "contracts": {**state.get("contracts", {}),
                                           "0x" + ALPHA[2:].upper(): {"code": str(EXAMPLES / "contracts" / "token.wasm")}}},
     f"parachains[{ALPHA}]", "the same address as contracts["),
]


@pytest.mark.parametrize("change, field, message", REFUSALS, ids=[r[1] + ":" + r[2] for r in REFUSALS])
def test_a_bad_parachain_prestate_is_refused_naming_its_field(mid_example, change, field, message):
    with pytest.raises((WaveFormatError, GenesisError)) as info:
        document = parse_chain(chain(edit(mid_example, change)))
        build_state(document.prestate)
    assert info.value.field.startswith(field), str(info.value)
    assert message in str(info.value)


def test_a_module_that_is_no_parachain_is_refused_in_a_prestate(mid_example):
    """Inline, a contract's module fails the parachain checks (the token
    imports ``sload``: ``ContractOnly``); by hash, a contract module of the
    ``code`` section is ``NotAParachainModule``."""
    token = (EXAMPLES / "contracts" / "token.wasm").read_bytes()
    state = edit(mid_example, set_path(P, ALPHA, "versions", 0, "code", value="0x" + token.hex()))
    state = mutated(state, (P, ALPHA, "versions", 0, "code_hash"), DELETE)
    with pytest.raises(GenesisError) as info:
        build_state(parse_chain(chain(state)).prestate)
    assert info.value.field == f"parachains[{ALPHA}].versions[0].code" and "ContractOnly" in str(info.value)
    plain = build_contract('(module (memory (export "memory") 1) (func (export "f")))', ["f"])
    state = edit(mid_example, set_path("code", "0x" + code_hash(plain).hex(), value="0x" + plain.hex()))
    state[P][ALPHA]["versions"][0]["code_hash"] = "0x" + code_hash(plain).hex()
    with pytest.raises(GenesisError) as info:
        build_state(parse_chain(chain(state)).prestate)
    assert info.value.field == f"parachains[{ALPHA}].versions[0]" and "NotAParachainModule" in str(info.value)


@pytest.mark.slow
def test_every_parachain_field_survives_every_bad_value(mid_example):
    """Each leaf of the ``parachains`` and ``xcalls`` sections and the
    threshold records, replaced by each bad value: a named refusal whose
    field leads to the mutated one, or a document that runs -- never any
    other exception."""
    sections = {P: mid_example[P], "xcalls": mid_example["xcalls"],
                "protocol": {k: mid_example["protocol"][k] for k in ("threshold_key", "threshold_combined",
                                                                     "xcall_last_id")}}
    paths = [p for p in leaves(sections) if len(p) > 1 and "signature" not in str(p[-1]) and p[-1] != "vote_certs"]
    assert len(paths) > 100
    for path in paths:
        for bad in BAD_VALUES:
            state = edit(mid_example, set_path(*path, value=bad))
            try:
                parsed = parse_chain(chain(state))
                build_state(parsed.prestate)
            except (WaveFormatError, GenesisError) as exc:
                head = f"{path[0]}[{path[1]}]" if path[0] != "protocol" else f"protocol.{path[1]}"
                assert exc.field.startswith(head) or exc.field == "protocol.xcall_last_id", (path, str(exc))
            else:
                run_document(parsed)
