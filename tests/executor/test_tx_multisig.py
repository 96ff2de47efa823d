"""The multisig transactions (chapter 11 §11.7, chapter 15 §15.4-§15.5,
chapter 18 §18.5): ``MultisigTx``, ``RotateMultisig`` under the treasury
signer set, ``EmergencyPause``/``EmergencyResume`` under the emergency set."""

from __future__ import annotations

import pytest

from pyde_ref.executor.handlers.multisig import (
    EMERGENCY_MULTISIG_KEY,
    PAUSE_END_KEY,
    TREASURY_MULTISIG_KEY,
    MultisigAction,
    Pause,
    Resume,
    Rotate,
    Spend,
    approval_message,
)
from pyde_ref.executor.params import MAX_PAUSE_DURATION_WAVES
from pyde_ref.executor.testing import address, native_tx, signed, transfer_tx
from pyde_ref.executor.transactions import Signature, TxType
from pyde_ref.state.accounts import AccountType
from pyde_ref.state.records import MultisigConfig
from pyde_ref.state.system import REWARD_POOL, TREASURY
from tx_helpers import ALICE, BOB, EMERGENCY, SIGNERS, assert_rejected, keyed_chain

RELAYER = ALICE  # signs and pays for the multisig transactions
TARGET = address(0x7A)
CHAIN_ID = 31337
TREASURY_FUNDS = 10**12
DIGEST = b"\xd1" * 32


def chain(threshold: int = 2):
    c = keyed_chain(ALICE, BOB, signed=True)
    c.state.put_account(TREASURY, c.state.account(TREASURY).evolve(balance=TREASURY_FUNDS,
                                                                   account_type=AccountType.SYSTEM))
    c.state.put_protocol(TREASURY_MULTISIG_KEY, MultisigConfig(tuple(k.public_key for k in SIGNERS), threshold))
    c.state.put_protocol(EMERGENCY_MULTISIG_KEY, MultisigConfig(tuple(k.public_key for k in EMERGENCY), 1))
    return c


def approvals(tx_type, nonce, action, signers, indices=None):
    message = approval_message(CHAIN_ID, tx_type, nonce, action)
    indices = range(len(signers)) if indices is None else indices
    return tuple(Signature(i, k.sign(message)) for i, k in zip(indices, signers))


def multisig_tx(c, tx_type, action, signers, indices=None, nonce=0, sender=RELAYER, **fields):
    """A signed transaction of ``sender`` carrying ``action`` approved by ``signers``."""
    body = MultisigAction(action, nonce, approvals(tx_type, nonce, action, signers, indices)).encode()
    account = c.state.account(sender.address)
    fields.setdefault("gas_limit", 500_000)
    tx = native_tx(tx_type, sender.address, body, nonce=account.nonce, **fields)
    return signed(tx, sender)


def spend(c, value=5_000, target=TARGET, signers=SIGNERS[:2], indices=None, nonce=0, **fields):
    return multisig_tx(c, TxType.MULTISIG_TX, Spend(target, value, DIGEST), signers, indices, nonce, **fields)


def test_treasury_spend():
    c = chain()
    r = c.apply(spend(c, signers=[SIGNERS[0], SIGNERS[2]], indices=[0, 2]))
    assert r.status == "success" and r.gas_used == 50_000 + 2 * 50_000
    assert c.balance(TARGET) == 5_000
    assert c.balance(TREASURY) == TREASURY_FUNDS - 5_000 + r.fee.treasury
    assert c.state.protocol(TREASURY_MULTISIG_KEY).nonce == 1


def test_a_spend_cannot_be_replayed():
    c = chain()
    tx = spend(c)
    assert c.apply(tx).status == "success"
    replay = multisig_tx(c, TxType.MULTISIG_TX, Spend(TARGET, 5_000, DIGEST), SIGNERS[:2])  # nonce 0 again
    assert_rejected(c, replay, "MultisigNonceMismatch")
    assert c.apply(spend(c, nonce=1)).status == "success"


@pytest.mark.parametrize("make, code", [
    (lambda c: spend(c, value=0), "ZeroSpend"),
    (lambda c: spend(c, target=bytes(32)), "InvalidSpendTarget"),
    (lambda c: spend(c, target=TREASURY), "InvalidSpendTarget"),
    (lambda c: spend(c, target=REWARD_POOL), "InvalidSpendTarget"),
    (lambda c: spend(c, target=RELAYER.address), "InvalidSpendTarget"),  # target != tx.from
    (lambda c: spend(c, value=TREASURY_FUNDS + 1), "TreasuryInsufficient"),
    (lambda c: spend(c, nonce=1), "MultisigNonceMismatch"),
    (lambda c: spend(c, signers=SIGNERS[:1]), "ApprovalThresholdNotMet"),
    (lambda c: spend(c, signers=[SIGNERS[0], SIGNERS[0]], indices=[0, 0]), "ApprovalDuplicate"),
    (lambda c: spend(c, signers=[SIGNERS[0], SIGNERS[1]], indices=[0, 3]), "ApprovalIndexInvalid"),
    (lambda c: spend(c, signers=[SIGNERS[0], BOB], indices=[0, 1]), "ApprovalBadSignature"),
    (lambda c: spend(c, to=TARGET), "InvalidRecipient"),  # tx.to must be Address::ZERO
    (lambda c: spend(c, value=1, gas_limit=149_999), "IntrinsicGasTooLow"),
])
def test_spend_refusals(make, code):
    c = chain()
    assert_rejected(c, make(c), code)


def test_an_approval_for_another_action_does_not_verify():
    c = chain()
    other = approvals(TxType.MULTISIG_TX, 0, Spend(TARGET, 1, DIGEST), SIGNERS[:2])
    body = MultisigAction(Spend(TARGET, 5_000, DIGEST), 0, other).encode()
    tx = signed(native_tx(TxType.MULTISIG_TX, RELAYER.address, body, gas_limit=500_000, nonce=0), RELAYER)
    assert_rejected(c, tx, "ApprovalBadSignature")


def test_no_signer_set():
    c = chain()
    c.state.put_protocol(TREASURY_MULTISIG_KEY, None)
    assert_rejected(c, spend(c), "NoMultisig")


def test_rotate_multisig():
    c = chain()
    new = (ALICE.public_key, BOB.public_key)
    r = c.apply(multisig_tx(c, TxType.ROTATE_MULTISIG, Rotate(new, 1), SIGNERS[:2]))
    assert r.status == "success" and r.gas_used == 60_000 + 2 * 50_000 + 2 * 10_000
    cfg = c.state.protocol(TREASURY_MULTISIG_KEY)
    assert (cfg.signers, cfg.threshold, cfg.nonce) == (new, 1, 1)
    # the new set spends, the old one cannot
    assert_rejected(c, spend(c, nonce=1), "ApprovalBadSignature")
    assert c.apply(spend(c, signers=[BOB], indices=[1], nonce=1)).status == "success"


@pytest.mark.parametrize("rotate", [
    Rotate((), 1),
    Rotate((ALICE.public_key,), 0),
    Rotate((ALICE.public_key,), 2),
    Rotate((ALICE.public_key, ALICE.public_key), 1),
    Rotate((b"\x08" + bytes(896),), 1),  # not a FALCON-512 key
])
def test_rotate_refusals(rotate):
    c = chain()
    assert_rejected(c, multisig_tx(c, TxType.ROTATE_MULTISIG, rotate, SIGNERS[:2]), "InvalidSignerSet")


def test_rotate_refusals_common_to_multisig():
    c = chain()
    rotate = Rotate((ALICE.public_key,), 1)
    assert_rejected(c, multisig_tx(c, TxType.ROTATE_MULTISIG, rotate, SIGNERS[:1]), "ApprovalThresholdNotMet")
    assert_rejected(c, multisig_tx(c, TxType.ROTATE_MULTISIG, rotate, SIGNERS[:2], nonce=5), "MultisigNonceMismatch")
    assert_rejected(c, multisig_tx(c, TxType.ROTATE_MULTISIG, rotate, SIGNERS[:2], value=1), "UnexpectedValue")


# --------------------------------------------------------------------------
# emergency pause and resume
# --------------------------------------------------------------------------


def pause(c, duration=100, nonce=0, signers=EMERGENCY[:1]):
    return multisig_tx(c, TxType.EMERGENCY_PAUSE, Pause(duration), signers, nonce=nonce)


def resume(c, nonce=1, signers=EMERGENCY[:1]):
    return multisig_tx(c, TxType.EMERGENCY_RESUME, Resume(), signers, nonce=nonce)


def test_pause_halts_everything_but_resume():
    c = chain()
    c.at_wave(1_000)
    r = c.apply(pause(c, duration=100))
    assert r.status == "success" and c.state.protocol(PAUSE_END_KEY).value == 1_100
    bob_pays = transfer_tx(BOB.address, TARGET, 1, nonce=0)
    assert_rejected(c, signed(bob_pays, BOB), "ChainPaused")
    assert_rejected(c, spend(c), "ChainPaused")
    r = c.apply(resume(c))
    assert r.status == "success" and c.state.protocol(PAUSE_END_KEY) is None
    assert c.apply(signed(bob_pays, BOB)).status == "success"


def test_a_pause_expires_by_itself():
    c = chain()
    c.at_wave(1_000)
    c.apply(pause(c, duration=100))
    c.at_wave(1_100)
    assert c.apply(signed(transfer_tx(BOB.address, TARGET, 1, nonce=0), BOB)).status == "success"
    assert_rejected(c, resume(c), "NotPaused")


@pytest.mark.parametrize("duration", [0, MAX_PAUSE_DURATION_WAVES + 1])
def test_pause_duration_bounds(duration):
    c = chain()
    assert_rejected(c, pause(c, duration=duration), "InvalidPauseDuration")


def test_pause_refusals():
    c = chain()
    c.at_wave(10)
    assert_rejected(c, pause(c, signers=[SIGNERS[0]]), "ApprovalBadSignature")  # not an emergency signer
    assert_rejected(c, pause(c, signers=[]), "ApprovalThresholdNotMet")
    assert_rejected(c, resume(c, nonce=0), "NotPaused")
    c.apply(pause(c))
    # chapter 18 §18.5: no extension: nothing but a resume runs, not even a pause
    assert_rejected(c, pause(c, nonce=1), "ChainPaused")
    assert_rejected(c, resume(c, nonce=0), "MultisigNonceMismatch")
    c.state.put_protocol(EMERGENCY_MULTISIG_KEY, None)
    assert_rejected(c, resume(c), "NoMultisig")


def test_unsigned_documents_do_not_verify_approvals():
    c = chain()
    c.signed = False
    body = MultisigAction(Spend(TARGET, 5, DIGEST), 0, (Signature(0, b""), Signature(1, b""))).encode()
    tx = native_tx(TxType.MULTISIG_TX, RELAYER.address, body, gas_limit=500_000)
    assert c.apply(tx).status == "success"
    body = MultisigAction(Spend(TARGET, 5, DIGEST), 1, (Signature(0, b""),)).encode()
    assert_rejected(c, native_tx(TxType.MULTISIG_TX, RELAYER.address, body, gas_limit=500_000),
                    "ApprovalThresholdNotMet")


def test_malformed_multisig_payloads():
    c = chain()
    for tag in (TxType.MULTISIG_TX, TxType.ROTATE_MULTISIG, TxType.EMERGENCY_PAUSE, TxType.EMERGENCY_RESUME):
        assert_rejected(c, native_tx(tag, RELAYER.address, b"\x01\x02", nonce=0), "MalformedPayload")
