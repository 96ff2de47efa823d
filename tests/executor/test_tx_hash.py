"""The transaction hash (chapter 11 §11.6), computed here by hand from the
formula for the worked transaction of §11.12, and the value ``pyde::tx_hash``
returns for it; the encodings of each field (``spec/findings/tx-hash.md``)."""

from __future__ import annotations

import attrs
import pytest

from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.testing import Chain, call_tx
from pyde_ref.executor.transactions import (
    AccessEntry,
    AccessType,
    FeePayer,
    FeePayerKind,
    Signature,
    Transaction,
    TxType,
    encode_transaction,
    hash_preimage,
    tx_hash,
)
from tx_helpers import ALICE, COUNTER

DEX = bytes.fromhex("de" * 32)
SWAP_CALLDATA = b"USDC" + b"PYDE" + (1000).to_bytes(16, "little")


def worked_example() -> Transaction:
    """Chapter 11 §11.12 step 1: from Alice to the DEX contract, value 0,
    ``swap(USDC, PYDE, 1000)``, gas_limit 150,000, nonce 42, fee_payer
    GasTank, deadline 2,000,025, chain_id 1, Standard."""
    return call_tx(ALICE.address, DEX, "hash", SWAP_CALLDATA, value=0, gas_limit=150_000, nonce=42,
                   fee_payer=FeePayer(FeePayerKind.GAS_TANK), deadline=2_000_025, chain_id=1)


def by_hand(tx: Transaction) -> bytes:
    """§11.6 ``tx_hash``, field by field, without the implementation's
    encoders: integers little-endian at their declared width; ``data`` (the
    function name as a u32-length-prefixed string, then the calldata) and the
    access list (a u32 count of entries) pre-hashed; ``fee_payer_tag`` the
    tag byte (GasTank = 1); ``deadline`` an ``Option<u64>`` (1, then 8
    bytes); ``tx_type`` one byte."""
    function = b"hash"
    data = len(function).to_bytes(4, "little") + function + SWAP_CALLDATA
    assert data == tx.data
    preimage = (
        (1).to_bytes(8, "little")                    # chain_id
        + ALICE.address                              # from
        + DEX                                        # to
        + (0).to_bytes(16, "little")                 # value
        + poseidon2_hash(data)                       # Poseidon2(data)
        + (150_000).to_bytes(8, "little")            # gas_limit
        + (42).to_bytes(8, "little")                 # nonce
        + bytes([1])                                 # fee_payer_tag: GasTank
        + poseidon2_hash((0).to_bytes(4, "little"))  # Poseidon2(access_list): empty
        + bytes([1]) + (2_000_025).to_bytes(8, "little")  # deadline: Some(2,000,025)
        + bytes([0])                                 # tx_type: Standard
    )
    return poseidon2_hash(preimage)


def test_worked_example_hash_by_hand_matches_the_implementation():
    tx = worked_example()
    assert len(hash_preimage(tx)) == 8 + 32 + 32 + 16 + 32 + 8 + 8 + 1 + 32 + 9 + 1
    assert tx_hash(tx) == by_hand(tx)


def test_the_tx_hash_host_function_returns_it():
    """The contract behind ``to`` calls ``pyde::tx_hash``: the value is the
    hand-computed hash.  (The wave is unsigned -- signatures are not part of
    the hash -- and on chain 1 at wave 2,000,000, before the deadline; the
    DEX's gas tank pays, as ``fee_payer = GasTank`` says.)"""
    tx = worked_example()
    chain = Chain()
    chain.at_wave(2_000_000)
    chain.block = attrs.evolve(chain.block, chain_id=1)
    chain.install(DEX, COUNTER, gas_tank=150_000 * chain.block.base_fee)
    chain.set_account(ALICE.address, nonce=40, nonce_bitmap=0b10)  # window [40, 55], 41 used
    receipt = chain.apply(tx)
    assert receipt.status == "success", receipt
    assert receipt.return_data == by_hand(tx) == receipt.tx_hash
    assert receipt.fee.payer_kind == "gas_tank" and receipt.fee.payer == DEX
    # §11.12 step 9: "nonce 42 marked used; window slides if 40, 41 also used"
    account = chain.state.account(ALICE.address)
    assert (account.nonce, account.nonce_bitmap) == (40, 0b110)


def test_every_field_is_in_the_hash():
    tx = worked_example()
    variants = [
        attrs.evolve(tx, chain_id=2),
        attrs.evolve(tx, sender=bytes(31) + b"\x01"),
        attrs.evolve(tx, to=bytes(32)),
        attrs.evolve(tx, value=1),
        attrs.evolve(tx, data=tx.data + b"\x00"),
        attrs.evolve(tx, gas_limit=150_001),
        attrs.evolve(tx, nonce=43),
        attrs.evolve(tx, fee_payer=FeePayer()),
        attrs.evolve(tx, fee_payer=FeePayer(FeePayerKind.PAYMASTER, DEX)),
        attrs.evolve(tx, access_list=(AccessEntry(DEX, (), AccessType.READ),)),
        attrs.evolve(tx, access_list=(AccessEntry(DEX, (), AccessType.READ_WRITE),)),
        attrs.evolve(tx, deadline=None),
        attrs.evolve(tx, deadline=0),
        attrs.evolve(tx, tx_type=TxType.DEPLOY),
    ]
    hashes = {tx_hash(v) for v in variants} | {tx_hash(tx)}
    assert len(hashes) == len(variants) + 1


def test_the_paymaster_address_is_signed():
    """``fee_payer_tag`` read as the whole Borsh ``FeePayer`` (tag +
    address): two paymasters give two hashes, so a relayer cannot swap the
    paymaster under a user's signature (``spec/findings/tx-hash.md``)."""
    tx = worked_example()
    a = attrs.evolve(tx, fee_payer=FeePayer(FeePayerKind.PAYMASTER, b"\x01" * 32))
    b = attrs.evolve(tx, fee_payer=FeePayer(FeePayerKind.PAYMASTER, b"\x02" * 32))
    assert tx_hash(a) != tx_hash(b)
    assert hash_preimage(a)[136:138] == bytes([2, 1])  # after 136 bytes: tag 2, then the address


def test_signatures_are_not_in_the_hash_but_in_the_encoding():
    tx = worked_example()
    with_sig = attrs.evolve(tx, signatures=(Signature(0, b"\x39" * 40),))
    assert tx_hash(with_sig) == tx_hash(tx)
    assert len(encode_transaction(with_sig)) == len(encode_transaction(tx)) + 1 + 4 + 40


def test_the_hash_needs_the_nonce():
    with pytest.raises(ValueError):
        tx_hash(attrs.evolve(worked_example(), nonce=None))


def test_contract_deploy_is_hashed_with_its_whole_module():
    a = call_tx(ALICE.address, DEX, "f", nonce=0)
    b = attrs.evolve(a, tx_type=TxType.DEPLOY, to=bytes(32), data=COUNTER)
    assert tx_hash(b) != tx_hash(attrs.evolve(b, data=COUNTER + b"\x00"))
