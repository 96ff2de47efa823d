"""Who may send a transaction (chapter 11 §11.4-§11.6): FALCON-512
signatures over the hash against ``auth_keys`` (``Single``, ``MultiSig``),
key rotation and ``key_nonce``, the 16-slot nonce window, ``deadline``,
``chain_id``, unsigned documents, and the checks on the sender."""

from __future__ import annotations

import attrs
import pytest

from pyde_ref.abi.constants import ERR_INVALID_ADDRESS, ERR_SIGNATURE_INVALID
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.testing import Chain, signed, system_tx, transfer_tx
from pyde_ref.executor.transactions import Signature
from pyde_ref.state.accounts import AuthKeys, AuthScheme, single_key
from pyde_ref.state.system import ACCOUNTS, TREASURY
from tx_helpers import ALICE, BOB, CAROL, DAVE, KEYS, RICH, assert_rejected, keyed_chain


def pay(sender, nonce, value=1, **fields):
    return transfer_tx(sender.address, CAROL.address, value, nonce=nonce, **fields)


def test_single_key_signature():
    chain = keyed_chain(ALICE)
    r = chain.apply(signed(pay(ALICE, 0), ALICE))
    assert r.status == "success" and r.nonce == 0
    assert chain.balance(CAROL.address) == 1


@pytest.mark.parametrize("make, code", [
    (lambda: pay(ALICE, 0), "MissingSignature"),
    (lambda: signed(pay(ALICE, 0), BOB), "BadSignature"),
    (lambda: signed(pay(ALICE, 0), ALICE, indices=[1]), "BadSignerIndex"),
    (lambda: signed(pay(ALICE, 0), ALICE, ALICE, indices=[0, 0]), "DuplicateSigner"),
    (lambda: attrs.evolve(signed(pay(ALICE, 0), ALICE), value=2), "BadSignature"),  # tampered after signing
    (lambda: attrs.evolve(signed(pay(ALICE, 0), ALICE), signatures=(Signature(0, b""),)), "BadSignature"),
])
def test_single_key_refusals(make, code):
    chain = keyed_chain(ALICE)
    receipt = assert_rejected(chain, make(), code)
    assert receipt.error_code == ERR_SIGNATURE_INVALID


def test_no_auth_keys_cannot_sign():
    chain = Chain(signed=True)
    chain.fund(DAVE.address, RICH)
    assert_rejected(chain, signed(pay(DAVE, 0), DAVE), "NoAuthKeys")


def test_programmable_is_reserved():
    chain = Chain(signed=True)
    chain.set_account(DAVE.address, balance=RICH, auth_keys=AuthKeys(AuthScheme.PROGRAMMABLE))
    assert_rejected(chain, signed(pay(DAVE, 0), DAVE), "AuthSchemeReserved")


def multisig_chain() -> Chain:
    """Dave's account is 2-of-3 of Alice, Bob and Carol's keys."""
    chain = Chain(signed=True)
    keys = AuthKeys(AuthScheme.MULTISIG, (ALICE.public_key, BOB.public_key, CAROL.public_key), 2)
    chain.set_account(DAVE.address, balance=RICH, auth_keys=keys)
    return chain


def test_multisig_account_two_of_three():
    chain = multisig_chain()
    assert chain.apply(signed(pay(DAVE, 0), ALICE, CAROL, indices=[0, 2])).status == "success"
    assert chain.apply(signed(pay(DAVE, 1), CAROL, BOB, indices=[2, 1])).status == "success"


@pytest.mark.parametrize("keys, indices, code", [
    ((ALICE,), [0], "ThresholdNotMet"),
    ((ALICE, ALICE), [0, 0], "DuplicateSigner"),
    ((ALICE, BOB), [0, 3], "BadSignerIndex"),
    ((ALICE, BOB), [0, 2], "BadSignature"),  # Bob's signature under Carol's key
    ((ALICE, BOB, DAVE), [0, 1, 2], "BadSignature"),  # a third, invalid signature is not ignored
])
def test_multisig_refusals(keys, indices, code):
    assert_rejected(multisig_chain(), signed(pay(DAVE, 0), *keys, indices=indices), code)


def test_key_rotation_increments_key_nonce_and_old_key_stops_signing():
    """§11.5: "A key rotation transaction signed by the current auth_keys
    updates the field and increments key_nonce by 1"; in-flight transactions
    signed under the old key fail; the address stays."""
    chain = keyed_chain(ALICE)
    in_flight = signed(pay(ALICE, 1), ALICE)
    rotate = system_tx(ALICE.address, ACCOUNTS, "rotate_auth_keys", single_key(BOB.public_key).encode(), nonce=0)
    r = chain.apply(signed(rotate, ALICE))
    assert r.status == "success" and r.gas_used == 21_000
    account = chain.state.account(ALICE.address)
    assert account.auth_keys == single_key(BOB.public_key) and account.key_nonce == 1
    assert_rejected(chain, in_flight, "BadSignature")
    assert chain.apply(signed(pay(ALICE, 1), BOB)).status == "success"


@pytest.mark.parametrize("new_keys", [
    AuthKeys(),  # None: the account would be locked out
    AuthKeys(AuthScheme.PROGRAMMABLE),
    AuthKeys(AuthScheme.SINGLE, (b"\x09" + bytes(10),)),  # not a key
    AuthKeys(AuthScheme.MULTISIG, (ALICE.public_key, BOB.public_key), 3),  # threshold above n
    AuthKeys(AuthScheme.MULTISIG, (ALICE.public_key, ALICE.public_key), 1),  # duplicate key
])
def test_key_rotation_refusals(new_keys):
    chain = keyed_chain(ALICE)
    tx = system_tx(ALICE.address, ACCOUNTS, "rotate_auth_keys", new_keys.encode(), nonce=0)
    assert_rejected(chain, signed(tx, ALICE), "InvalidAuthKeys")


def test_key_rotation_at_key_nonce_maximum():
    chain = keyed_chain(ALICE)
    chain.set_account(ALICE.address, key_nonce=2**32 - 1)
    tx = system_tx(ALICE.address, ACCOUNTS, "rotate_auth_keys", single_key(BOB.public_key).encode(), nonce=0)
    assert_rejected(chain, signed(tx, ALICE), "InvalidAuthKeys")


# --------------------------------------------------------------------------
# §11.4 nonce window
# --------------------------------------------------------------------------


def window(chain, who=ALICE):
    account = chain.state.account(who.address)
    return account.nonce, account.nonce_bitmap


def test_worked_example_of_section_11_4():
    """base=100: submit 103, then 100, 101, 102."""
    chain = keyed_chain(ALICE)
    chain.set_account(ALICE.address, nonce=100)
    steps = [(103, (100, 0b1000)), (100, (101, 0b100)), (101, (102, 0b10)), (102, (104, 0))]
    for nonce, expected in steps:
        assert chain.apply(signed(pay(ALICE, nonce), ALICE)).status == "success"
        assert window(chain) == expected


@pytest.mark.parametrize("nonce, code", [(99, "NonceOutOfWindow"), (116, "NonceOutOfWindow"),
                                         (103, "NonceAlreadyUsed")])
def test_nonce_refusals(nonce, code):
    chain = keyed_chain(ALICE)
    chain.set_account(ALICE.address, nonce=100, nonce_bitmap=0b1000)
    assert_rejected(chain, signed(pay(ALICE, nonce), ALICE), code)


def test_last_slot_of_the_window_and_cancellation():
    """Nonce base + 15 is usable; a second transaction with a used nonce
    (a cancellation attempt after inclusion) is refused."""
    chain = keyed_chain(ALICE)
    assert chain.apply(signed(pay(ALICE, 15), ALICE)).status == "success"
    assert window(chain) == (0, 1 << 15)
    assert_rejected(chain, signed(pay(ALICE, 15, value=2), ALICE), "NonceAlreadyUsed")


def test_a_rejected_transaction_does_not_use_its_nonce():
    chain = keyed_chain(ALICE)
    assert_rejected(chain, signed(pay(ALICE, 0, value=RICH), ALICE), "InsufficientBalance")
    assert window(chain) == (0, 0)


def test_unsigned_document_leaves_nonces_to_the_window():
    chain = keyed_chain(ALICE, signed=False)
    chain.set_account(ALICE.address, nonce=7, nonce_bitmap=0b110)
    r = chain.apply(transfer_tx(ALICE.address, CAROL.address, 1))
    assert r.nonce == 7 and window(chain) == (10, 0)
    assert chain.last.signatures_checked is False


def test_deadline_and_chain_id():
    chain = keyed_chain(ALICE)
    chain.at_wave(50)
    assert_rejected(chain, signed(pay(ALICE, 0, deadline=50), ALICE), "DeadlineExpired")
    assert_rejected(chain, signed(pay(ALICE, 0, deadline=10), ALICE), "DeadlineExpired")
    assert_rejected(chain, signed(pay(ALICE, 0, chain_id=1), ALICE), "WrongChainId")
    assert chain.apply(signed(pay(ALICE, 0, deadline=51), ALICE)).status == "success"


@pytest.mark.parametrize("sender, code", [(bytes(32), "InvalidSender"), (TREASURY, "InvalidSender")])
def test_reserved_senders(sender, code):
    chain = Chain()
    receipt = assert_rejected(chain, transfer_tx(sender, CAROL.address, 0), code)
    assert receipt.error_code == ERR_INVALID_ADDRESS


def test_signature_checks_happen_before_the_nonce_window():
    """The order of the pipeline: a bad signature is reported even when the
    nonce is also wrong."""
    chain = keyed_chain(ALICE)
    assert_rejected(chain, signed(pay(ALICE, 99), BOB), "BadSignature")


def test_every_test_key_derives_its_address():
    for key in KEYS.values():
        assert key.address == poseidon2_hash(key.public_key)
