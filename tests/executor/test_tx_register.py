"""``RegisterPubkey`` (tag 13, chapter 11 §11.8): first-time registration of
a funded account's key -- no signature, no gas, no value; the key must hash
to the address."""

from __future__ import annotations

import pytest

from pyde_ref.executor.testing import Chain, native_tx, signed, transfer_tx
from pyde_ref.executor.transactions import FeePayer, FeePayerKind, TxType
from pyde_ref.state.accounts import single_key
from tx_helpers import ALICE, BOB, CAROL, assert_rejected


def register(key=ALICE, sender=None, **fields):
    return native_tx(TxType.REGISTER_PUBKEY, (sender or key).address, key.public_key, gas_limit=0, **fields)


def funded(balance=1) -> Chain:
    chain = Chain(signed=True)
    chain.fund(ALICE.address, balance)
    return chain


def test_registration_then_signing():
    chain = funded(10**12)
    r = chain.apply(register())
    assert (r.status, r.gas_used, r.fee, r.nonce) == ("success", 0, None, 0)
    account = chain.state.account(ALICE.address)
    assert account.auth_keys == single_key(ALICE.public_key)
    assert (account.balance, account.nonce) == (10**12, 0)  # no fee, no nonce used
    pay = signed(transfer_tx(ALICE.address, BOB.address, 5, nonce=0), ALICE)
    assert chain.apply(pay).status == "success"


def test_anyone_may_submit_it_without_a_signature():
    chain = funded()
    assert chain.apply(register()).status == "success"


@pytest.mark.parametrize("make, code", [
    (lambda: register(sender=BOB), "PubkeyMismatch"),
    (lambda: native_tx(TxType.REGISTER_PUBKEY, ALICE.address, ALICE.public_key[:-1]), "InvalidPublicKey"),
    (lambda: register(value=1), "UnexpectedValue"),
    (lambda: register(to=BOB.address), "InvalidRecipient"),
    (lambda: register(fee_payer=FeePayer(FeePayerKind.GAS_TANK)), "FeePayerNotApplicable"),
])
def test_refusals(make, code):
    assert_rejected(funded(), make(), code)


def test_only_once_and_only_funded():
    chain = funded()
    chain.apply(register())
    assert_rejected(chain, register(), "AlreadyRegistered")
    assert_rejected(funded(0), register(), "UnfundedAccount")
    assert_rejected(Chain(signed=True), register(CAROL), "UnfundedAccount")
