"""Shared pieces of the transaction-type tests (``tests/executor/test_tx_*.py``):
the committed test keys, small contracts, and the check every rejection
test makes -- the receipt names the code and nothing of the state changed."""

from __future__ import annotations

import copy

from paths import EXAMPLES, VECTORS
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.testing import Chain, build_contract, import_lines, load_keys
from pyde_ref.state.accounts import single_key

KEYS = load_keys(VECTORS / "test-keys.json")
ALICE, BOB, CAROL, DAVE, EVE = (KEYS[n] for n in ("alice", "bob", "carol", "dave", "eve"))
V1, V2 = KEYS["validator-1"], KEYS["validator-2"]
SIGNERS = [KEYS[f"signer-{i}"] for i in (1, 2, 3)]
EMERGENCY = [KEYS[f"emergency-{i}"] for i in (1, 2)]

RICH = 10**18


def keyed_chain(*keys, balance: int = RICH, signed: bool = True) -> Chain:
    """A chain whose ``keys`` hold ``balance`` and sign with their own key."""
    chain = Chain(signed=signed)
    for key in keys:
        chain.set_account(key.address, balance=balance, auth_keys=single_key(key.public_key))
    return chain


def assert_rejected(chain: Chain, tx, code: str, error_code=None):
    """``tx`` is rejected with ``code`` (and ``error_code`` when given) and
    the state is exactly what it was.  (An empty wave first lets the
    engine's own steps at the wave's start -- epoch bookkeeping, upgrade
    activation -- happen, so that the digest compares the transaction alone.)"""
    chain.wave([])
    before = chain.state.digest()
    receipt = chain.apply(tx)
    assert (receipt.status, receipt.code) == ("rejected", code), (receipt.code, receipt.reason)
    if error_code is not None:
        assert receipt.error_code == error_code
    assert receipt.gas_used == 0 and receipt.fee is None and receipt.writes == () and receipt.events == ()
    assert chain.state.digest() == before
    return receipt


COUNTER_WAT = f"""(module
{import_lines(["sload", "sstore", "return", "tx_hash", "calldata_size"])}
  (memory (export "memory") 1)
  (func $bump
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (i64.store (i32.const 32) (i64.add (i64.load (i32.const 32)) (i64.const 1)))
    (drop (call $sstore (i32.const 0) (i32.const 32))))
  (func (export "bump") (call $bump))
  (func (export "sponsored_bump") (call $bump))
  (func (export "get")
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (call $return (i32.const 32) (i32.const 8)))
  (func (export "hash")
    (drop (call $tx_hash (i32.const 64)))
    (call $return (i32.const 64) (i32.const 32))))"""

COUNTER = build_contract(COUNTER_WAT, ["bump", "sponsored_bump:entry,sponsored", "get:view", "hash"])


def version_contract(version: int) -> bytes:
    """A contract whose ``version`` returns one byte, ``version``."""
    wat = f"""(module {import_lines(["return"])}
      (memory (export "memory") 1)
      (data (i32.const 0) "\\{version:02x}")
      (func (export "version") (call $return (i32.const 0) (i32.const 1))))"""
    return build_contract(wat, ["version:view"])


def paymaster(behaviour: str) -> bytes:
    """A paymaster whose ``validate_sponsorship`` counts its calls in slot 0
    and then: ``yes`` returns 0x01, ``no`` returns 0x00, ``trap`` traps,
    ``spin`` loops until out of gas."""
    body = {
        "yes": '(call $return (i32.const 100) (i32.const 1))',
        "no": '(call $return (i32.const 101) (i32.const 1))',
        "trap": "unreachable",
        "spin": "(loop $l (br $l))",
    }[behaviour]
    wat = f"""(module {import_lines(["sload", "sstore", "return"])}
      (memory (export "memory") 1)
      (data (i32.const 100) "\\01\\00")
      (func (export "validate_sponsorship")
        (drop (call $sload (i32.const 0) (i32.const 32)))
        (i64.store (i32.const 32) (i64.add (i64.load (i32.const 32)) (i64.const 1)))
        (drop (call $sstore (i32.const 0) (i32.const 32)))
        {body}))"""
    return build_contract(wat, ["validate_sponsorship"])


# A small JSON wave document and one transaction of every kind, for the
# format tests (tests/executor/test_chain_format.py, tests/commands/test_wave_schema.py).
A = "0x" + "a1" * 32
B = "0x" + "b0" * 32
C = "0x" + "c0" * 32
TOKEN = str(EXAMPLES / "contracts" / "token.wasm")
CONTEXT = {"chain_id": 1, "block_height": 5, "wave_id": 5, "block_timestamp": 0, "base_fee": 1}
PK_ALICE = "0x" + ALICE.public_key.hex()
PK_V1 = "0x" + V1.public_key.hex()
VID1 = "0x" + poseidon2_hash(V1.public_key).hex()


def wave_doc(**changes) -> dict:
    doc = {"unsigned": True, "context": dict(CONTEXT), "accounts": {A: {"balance": "1000000000"}}, "txs": []}
    doc.update(changes)
    return doc

ALL_KINDS = [
    {"type": "transfer", "to": B, "value": 1},
    {"type": "call", "to": B, "function": "f", "calldata": "0x01"},
    {"type": "deploy", "code": TOKEN, "salt": "0x" + "55" * 32},
    {"type": "stake_deposit", "public_key": PK_V1, "value": "10000000000000"},
    {"type": "stake_withdraw", "validator": VID1},
    {"type": "claim_reward", "validator": VID1},
    {"type": "slash", "evidence": {"offense": 1, "validator": VID1, "wave": 1, "digest_a": B,
                                   "signature_a": "0x39", "digest_b": C, "signature_b": "0x39"}},
    {"type": "claim_airdrop", "index": 0, "account": B, "amount": 5, "proof": [C]},
    {"type": "sweep_airdrop"},
    {"type": "multisig_tx", "target": B, "amount": 5, "data_digest": C, "multisig_nonce": 0,
     "approvals": [{"index": 0}]},
    {"type": "rotate_multisig", "new_signers": [PK_ALICE], "new_threshold": 1, "multisig_nonce": 0,
     "approvals": [{"index": 0, "signature": "0x"}]},
    {"type": "emergency_pause", "duration_waves": 10, "multisig_nonce": 0, "approvals": []},
    {"type": "emergency_resume", "multisig_nonce": 0, "approvals": []},
    {"type": "register_pubkey", "public_key": PK_ALICE},
    {"type": "gas_tank_deposit", "target": B, "value": 5},
    {"type": "gas_tank_withdraw", "target": B, "amount": 5, "recipient": A},
    {"type": "upgrade", "contract": B, "code": TOKEN},
    {"type": "unjail", "validator": VID1},
    {"type": "rotate_validator_key", "validator": VID1, "public_key": PK_ALICE},
    {"type": "rotate_auth_keys", "auth_keys": {"multisig": {"keys": [PK_ALICE], "threshold": 1}}},
    {"type": "parachain_register", "name": "p", "code": TOKEN, "validators": [VID1], "config": {"quorum": "1/2"}},
    {"type": "parachain_pause", "parachain": B},
    {"type": "parachain_unpause", "parachain": B},
    {"type": "parachain_kill", "parachain": B},
    {"type": "parachain_propose_upgrade", "parachain": B, "code": TOKEN},
    {"type": "parachain_vote", "parachain": B, "proposal": 1, "validator": VID1, "choice": "abstain",
     "vote_signature": "0x39"},
    {"type": "parachain_upgrade", "parachain": B, "proposal": 1,
     "committee_signatures": [{"validator": VID1, "signature": "0x39"}]},
    {"type": "raw", "tx_type": 2, "data": "0x"},
]


# Every field of a document against bad values (tests/executor/test_chain_format.py,
# tests/executor/test_parachain_format.py).

BAD_VALUES = (True, None, {}, [], -1, 1.5, "0xZZ", "x", 2**70, "9" * 50)
DELETE = object()
"""As a value of :func:`mutated`: remove the key."""


def leaves(value, path=()):
    """Every path of a JSON value, leaves and the objects and lists above them."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from leaves(sub, path + (key,))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from leaves(sub, path + (i,))
    yield path


def mutated(doc, path, value):
    """A copy of ``doc`` with the value at ``path`` replaced (or removed,
    :data:`DELETE`)."""
    doc = copy.deepcopy(doc)
    target = doc
    for part in path[:-1]:
        target = target[part]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc
