"""Write the signed transaction examples (wave and chain documents).

    python examples/transactions/make_examples.py

* ``sponsored-transfer.json``: chapter 11 §11.12 worked through -- a token
  transfer whose gas the token contract's gas tank pays;
* ``validator-life.json``: a validator's life -- deposit, active, slashed,
  jailed, unjail, unbonding, withdraw -- over seven waves;
* ``multisig-treasury.json``: a 2-of-3 treasury spend, its replay, a
  rotation of the signer set, an emergency pause and resume;
* ``owner-upgrade.json``: an owner upgrade proposed, waiting for its grace
  period, activating at the start of the first wave past it;
* ``app-v1.wasm``, ``app-v2.wasm``: the two versions of the upgraded app
  (``app-v1.wat``/``app-v2.wat`` + ``app-v1.abi.json``/``app-v2.abi.json``).

Every transaction is signed with the committed test keys
(``vectors/test-keys.json``).  FALCON-512 signing is randomized, so a
signature already in the existing document is kept when it still verifies
for the same key and message: running this again leaves the documents
byte-identical (``tests/examples/test_transaction_examples.py`` checks it).
"""

from __future__ import annotations

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, REPO)

from pyde_ref.abi.section import embed_abi  # noqa: E402
from pyde_ref.commands.abi import abi_from_json  # noqa: E402
from pyde_ref.crypto.falcon import falcon512_verify  # noqa: E402
from pyde_ref.executor.handlers.contracts import create_address  # noqa: E402
from pyde_ref.executor.handlers.multisig import Pause, Resume, Rotate, Spend, approval_message  # noqa: E402
from pyde_ref.executor.handlers.slash import signed_message  # noqa: E402
from pyde_ref.executor.handlers.staking import validator_id  # noqa: E402
from pyde_ref.executor.params import (  # noqa: E402
    EPOCH_WAVES,
    QUANTA_PER_PYDE,
    UNBONDING_WAVES,
    UPGRADE_GRACE_WAVES,
    WAVES_PER_DAY,
)
from pyde_ref.executor.testing import load_keys  # noqa: E402
from pyde_ref.executor.transactions import TxType, tx_hash  # noqa: E402
from pyde_ref.executor.tx_json import parse_tx  # noqa: E402
from pyde_ref.state.system import TREASURY  # noqa: E402
from pyde_ref.wasm.text import wat_to_wasm  # noqa: E402

KEYS = load_keys(os.path.join(REPO, "vectors", "test-keys.json"))
GENESIS_BASE_FEE = 50_000_000_000
"""Chapter 10 §10.2 ``GENESIS_BASE_FEE``, in quanta per gas."""


def h(data: bytes) -> str:
    return "0x" + data.hex()


def amount(n: int) -> bytes:
    return n.to_bytes(16, "little")


def context(chain_id: int, wave_id: int, base_fee: int = GENESIS_BASE_FEE) -> dict:
    return {"chain_id": chain_id, "block_height": wave_id, "wave_id": wave_id,
            "block_timestamp": 1_750_000_000 + wave_id // 2, "base_fee": base_fee}


class SignatureBook:
    """Signatures of the existing document, reused when they verify."""

    def __init__(self, path: str):
        self.known: list[bytes] = []
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for value in re.findall(r'"(?:vote_)?signature(?:_a|_b)?": "0x([0-9a-f]+)"', text):
                self.known.append(bytes.fromhex(value))

    def sign(self, key, message: bytes) -> bytes:
        for signature in self.known:
            if falcon512_verify(key.public_key, message, signature):
                return signature
        return key.sign(message)


class Document:
    """Builds one document: keeps each sender's next nonce and signs every
    transaction over its §11.6 hash."""

    def __init__(self, name: str, chain_id: int, here: str = HERE):
        self.here = here
        self.path = os.path.join(here, name)
        self.book = SignatureBook(self.path)
        self.chain_id = chain_id
        self.nonces: dict[str, int] = {}

    def tx(self, kind: str, sender, nonce=None, **fields) -> dict:
        """A transaction of ``sender`` (a test key) with its next nonce
        (or ``nonce``), signed."""
        tx = {"type": kind, "from": h(sender.address)}
        if nonce is None:
            nonce = self.nonces.get(sender.name, 0)
            self.nonces[sender.name] = nonce + 1
        tx["nonce"] = nonce
        tx.update(fields)
        if kind != "register_pubkey":
            tx.setdefault("gas_limit", 200_000)
            parsed = parse_tx(tx, "tx", self.chain_id, True, self.here)
            tx["signature"] = h(self.book.sign(sender, tx_hash(parsed)))
        return tx

    def approvals(self, tx_type: int, nonce: int, action, signers) -> list:
        message = approval_message(self.chain_id, tx_type, nonce, action)
        return [{"index": i, "signature": h(self.book.sign(key, message))} for i, key in signers]

    @staticmethod
    def render(document: dict) -> str:
        return json.dumps(document, indent=2) + "\n"

    def write(self, document: dict) -> None:
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(self.render(document))


def account(key, balance: int, **fields) -> dict:
    return {"balance": str(balance), "auth_keys": {"single": h(key.public_key)}, **fields}


# --------------------------------------------------------------------------
# §11.12: a sponsored token transfer
# --------------------------------------------------------------------------


def sponsored_transfer() -> tuple[Document, dict]:
    """Chapter 11 §11.12: Alice, with no PYDE at all, transfers tokens; the
    token contract's gas tank pays (``fee_payer = GasTank``)."""
    alice, bob, carol = KEYS["alice"], KEYS["bob"], KEYS["carol"]
    doc = Document("sponsored-transfer.json", chain_id=1)
    wave = 2_000_000
    doc.nonces["alice"] = 42
    token = create_address(bob.address, 0)
    gas = 150_000
    tank = 3 * gas * GENESIS_BASE_FEE
    txs = [
        doc.tx("deploy", bob, code="../contracts/token.wasm", gas_limit=2_000_000),       # 0 owner bob
        doc.tx("call", bob, to=h(token), function="mint", calldata=h(alice.address + amount(1000))),  # 1
        doc.tx("gas_tank_deposit", bob, target=h(token), value=str(tank)),               # 2 the dApp funds its tank
        doc.tx("call", alice, to=h(token), function="transfer",                           # 3 §11.12: nonce 42,
               calldata=h(carol.address + amount(250)), gas_limit=gas,                     #   GasTank, deadline
               fee_payer="gas_tank", deadline=wave + 25),
        doc.tx("call", alice, nonce=40, to=h(token), function="transfer",                # 4 nonce 40: the window
               calldata=h(carol.address + amount(50)), gas_limit=gas, fee_payer="gas_tank"),  # slides to 43
    ]
    txs.append(dict(txs[3]))                                                              # 5 replay: refused
    txs += [
        doc.tx("call", alice, nonce=43, to=h(token), function="transfer",                # 6 Alice pays herself:
               calldata=h(carol.address + amount(1)), gas_limit=gas),                     #   she has no PYDE
        doc.tx("gas_tank_withdraw", bob, target=h(token), amount=str(tank - 2 * gas * GENESIS_BASE_FEE),  # 7
               recipient=h(bob.address)),
        doc.tx("call", alice, nonce=43, to=h(token), function="transfer",                # 8 the tank cannot
               calldata=h(carol.address + amount(1)), gas_limit=4 * gas, fee_payer="gas_tank"),  # cover 600,000 gas
        doc.tx("call", alice, nonce=43, to=h(token), function="transfer",                # 9 expired deadline
               calldata=h(carol.address + amount(1)), gas_limit=50_000, fee_payer="gas_tank", deadline=wave),
        doc.tx("call", alice, nonce=43, to=h(token), function="balance_of",              # 10 within the tank
               calldata=h(carol.address), gas_limit=50_000, fee_payer="gas_tank"),
    ]
    return doc, {
        "context": context(1, wave),
        "accounts": {
            h(alice.address): account(alice, 0, nonce=40, nonce_bitmap=0b10),  # window [40, 55], 41 used
            h(bob.address): account(bob, 10**18),
        },
        "txs": txs,
    }


# --------------------------------------------------------------------------
# a validator's life
# --------------------------------------------------------------------------


def validator_life() -> tuple[Document, dict]:
    """Deposit (epoch 100) -> pending -> active (epoch 101) -> rewards ->
    slashed for equivocation and jailed (epoch 102) -> unjail after 24 hours
    -> unbond -> withdraw after 30 days."""
    dave, eve, validator = KEYS["dave"], KEYS["eve"], KEYS["validator-1"]
    vid = validator_id(validator.public_key)
    doc = Document("validator-life.json", chain_id=7)
    stake = 12_000 * QUANTA_PER_PYDE
    fee = 1_000  # quanta per gas: small, so the reward pool's numbers read easily

    def activity(n):  # fee-paying traffic that fills the reward pool
        return [doc.tx("transfer", eve, to=h(KEYS["carol"].address), value=1, gas_limit=21_000) for _ in range(n)]

    w0 = 100 * EPOCH_WAVES + 10
    w_slash = 102 * EPOCH_WAVES + 100
    offense_wave = w_slash - 40
    digest_a, digest_b = b"\x0a" * 32, b"\x0b" * 32
    evidence = {
        "offense": 1, "validator": h(vid), "wave": offense_wave,
        "digest_a": h(digest_a),
        "signature_a": h(doc.book.sign(validator, signed_message(1, 7, offense_wave, vid, digest_a))),
        "digest_b": h(digest_b),
        "signature_b": h(doc.book.sign(validator, signed_message(1, 7, offense_wave, vid, digest_b))),
    }
    w_unjail = w_slash + WAVES_PER_DAY
    w_unbond = w_unjail + 10
    waves = [
        {"context": context(7, w0, fee), "txs": [
            doc.tx("stake_deposit", dave, public_key=h(validator.public_key), value=str(stake)),  # pending
            *activity(2)]},
        {"context": context(7, 101 * EPOCH_WAVES + 5, fee), "txs": activity(3)},  # active; fees of epoch 101
        {"context": context(7, w_slash, fee), "txs": [                             # epoch 102: rewards credited
            doc.tx("slash", eve, evidence=evidence, gas_limit=121_000),            # 10% slashed, jailed 24 h
            doc.tx("stake_withdraw", dave, validator=h(vid)),                      # refused: jailed
            doc.tx("unjail", dave, validator=h(vid)),                              # refused: jail period
        ]},
        {"context": context(7, w_unjail, fee), "txs": [
            doc.tx("unjail", dave, validator=h(vid)),                              # pays 10 PYDE: active again
            doc.tx("claim_reward", dave, validator=h(vid)),
        ]},
        {"context": context(7, w_unbond, fee), "txs": [doc.tx("stake_withdraw", dave, validator=h(vid))]},
        {"context": context(7, w_unbond + UNBONDING_WAVES - 1, fee), "txs": [
            doc.tx("stake_withdraw", dave, validator=h(vid))]},                    # refused: still unbonding
        {"context": context(7, w_unbond + UNBONDING_WAVES, fee), "txs": [
            doc.tx("stake_withdraw", dave, validator=h(vid))]},                    # paid out, removed
    ]
    return doc, {
        "accounts": {h(dave.address): account(dave, stake + 100 * QUANTA_PER_PYDE),
                     h(eve.address): account(eve, 10**15)},
        "waves": waves,
    }


# --------------------------------------------------------------------------
# the treasury multisig and the emergency pause
# --------------------------------------------------------------------------


def multisig_treasury() -> tuple[Document, dict]:
    alice, bob = KEYS["alice"], KEYS["bob"]
    signers = [KEYS[f"signer-{i}"] for i in (1, 2, 3)]
    emergency = [KEYS[f"emergency-{i}"] for i in (1, 2)]
    doc = Document("multisig-treasury.json", chain_id=3)
    grantee = KEYS["carol"].address
    digest = bytes.fromhex("d1" * 32)  # hash of the PIP the spend funds
    spend = Spend(grantee, 250_000 * QUANTA_PER_PYDE, digest)
    rotate = Rotate((signers[1].public_key, signers[2].public_key, alice.public_key), 2)
    spend2 = Spend(grantee, 1_000 * QUANTA_PER_PYDE, digest)

    def multisig(kind, tx_type, action, nonce, approvers, **fields):
        return doc.tx(kind, alice, multisig_nonce=nonce,
                      approvals=doc.approvals(tx_type, nonce, action, approvers), **fields)

    spend_tx = multisig("multisig_tx", TxType.MULTISIG_TX, spend, 0, [(0, signers[0]), (2, signers[2])],
                        target=h(grantee), amount=str(spend.value), data_digest=h(digest))
    txs = [
        spend_tx,                                                                        # 0 2 of 3
        multisig("multisig_tx", TxType.MULTISIG_TX, spend, 0, [(0, signers[0]), (2, signers[2])],  # 1 the same
                 target=h(grantee), amount=str(spend.value), data_digest=h(digest)),     #   approvals: replay
        multisig("multisig_tx", TxType.MULTISIG_TX, spend2, 1, [(1, signers[1])],        # 2 one approval
                 target=h(grantee), amount=str(spend2.value), data_digest=h(digest)),
        multisig("rotate_multisig", TxType.ROTATE_MULTISIG, rotate, 1,                   # 3 new set
                 [(0, signers[0]), (1, signers[1])],
                 new_signers=[h(k) for k in rotate.new_signer_pks], new_threshold=2),
        multisig("multisig_tx", TxType.MULTISIG_TX, spend2, 2,                           # 4 old set: refused
                 [(0, signers[0]), (1, signers[1])],
                 target=h(grantee), amount=str(spend2.value), data_digest=h(digest)),
        multisig("multisig_tx", TxType.MULTISIG_TX, spend2, 2,                           # 5 new set: spends
                 [(0, signers[1]), (2, alice)],
                 target=h(grantee), amount=str(spend2.value), data_digest=h(digest)),
        doc.tx("emergency_pause", alice, duration_waves=7_200, multisig_nonce=0,         # 6 pause one hour
               approvals=doc.approvals(TxType.EMERGENCY_PAUSE, 0, Pause(7_200), [(1, emergency[1])])),
        doc.tx("transfer", bob, to=h(grantee), value=1, gas_limit=21_000),               # 7 refused: paused
        doc.tx("emergency_resume", alice, multisig_nonce=1,                              # 8 resume
               approvals=doc.approvals(TxType.EMERGENCY_RESUME, 1, Resume(), [(0, emergency[0])])),
    ]
    txs.append(dict(txs[7]))                                                             # 9 the transfer now runs
    doc.nonces["bob"] = 0
    return doc, {
        "context": context(3, 50_000, 1_000),
        "accounts": {
            h(alice.address): account(alice, 10**15),
            h(bob.address): account(bob, 10**15),
            h(TREASURY): {"balance": str(1_000_000 * QUANTA_PER_PYDE)},
        },
        "protocol": {
            "treasury_multisig": {"signers": [h(k.public_key) for k in signers], "threshold": 2},
            "emergency_multisig": {"signers": [h(k.public_key) for k in emergency], "threshold": 1},
        },
        "txs": txs,
    }


# --------------------------------------------------------------------------
# an owner upgrade and its grace period
# --------------------------------------------------------------------------


def app_module(version: int) -> bytes:
    """``app-v<version>.wat`` with the ``pyde.abi`` section of
    ``app-v<version>.abi.json`` (``pyde-ref abi embed app-v1.wat
    app-v1.abi.json -o app-v1.wasm``; both versions declare the same
    functions)."""
    with open(os.path.join(HERE, f"app-v{version}.wat"), encoding="utf-8") as f:
        wasm = wat_to_wasm(f.read())
    with open(os.path.join(HERE, f"app-v{version}.abi.json"), encoding="utf-8") as f:
        abi = abi_from_json(json.load(f))
    return embed_abi(wasm, abi)


def owner_upgrade() -> tuple[Document, dict]:
    alice, bob = KEYS["alice"], KEYS["bob"]
    doc = Document("owner-upgrade.json", chain_id=5)
    app = create_address(alice.address, 0)
    start = 10_000
    fee = 1_000

    def call(sender, function):
        return doc.tx("call", sender, to=h(app), function=function, gas_limit=100_000)

    waves = [
        {"context": context(5, start, fee), "txs": [
            doc.tx("deploy", alice, code="app-v1.wasm"),                   # 0 owner alice
            call(bob, "bump"), call(bob, "version"),                       # 1-2 counter 1, version 1
            doc.tx("upgrade", alice, contract=h(app), code="app-v2.wasm"),  # 3 proposed
            doc.tx("upgrade", bob, contract=h(app), code="app-v2.wasm"),    # 4 refused: not the owner
        ]},
        {"context": context(5, start + UPGRADE_GRACE_WAVES - 1, fee), "txs": [
            call(bob, "bump"), call(bob, "version"),                       # still version 1: counter 2
            doc.tx("upgrade", alice, contract=h(app), code="app-v1.wasm"),  # refused: one is pending
        ]},
        {"context": context(5, start + UPGRADE_GRACE_WAVES, fee), "txs": [  # activated at this wave's start
            call(bob, "version"), call(bob, "bump"), call(bob, "get"),     # version 2; 2 + 2 = 4
        ]},
    ]
    return doc, {
        "accounts": {h(alice.address): account(alice, 10**15), h(bob.address): account(bob, 10**15)},
        "waves": waves,
    }


DOCUMENTS = (sponsored_transfer, validator_life, multisig_treasury, owner_upgrade)


def main() -> None:
    for version in (1, 2):
        with open(os.path.join(HERE, f"app-v{version}.wasm"), "wb") as f:
            f.write(app_module(version))
    for make in DOCUMENTS:
        doc, document = make()
        doc.write(document)


if __name__ == "__main__":
    main()
