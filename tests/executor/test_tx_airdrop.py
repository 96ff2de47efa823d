"""``ClaimAirdrop`` and ``SweepAirdrop`` (tags 7, 8; chapter 4 §4.4
``AIRDROP_*``): Merkle-proof claims before the deadline, the residue to the
treasury after it."""

from __future__ import annotations

import pytest

from pyde_ref.executor.handlers.airdrop import AIRDROP_KEY, CLAIM_GAS, Claim, airdrop_tree
from pyde_ref.executor.testing import Chain, address, native_tx
from pyde_ref.executor.transactions import TxType
from pyde_ref.state.accounts import AccountType
from pyde_ref.state.records import AirdropConfig
from pyde_ref.state.system import AIRDROP_POOL, TREASURY
from tx_helpers import assert_rejected

SUBMITTER = address(1)
LEAVES = [(i, address(0x100 + i), 1_000 * (i + 1)) for i in range(5)]
ROOT, PROOFS = airdrop_tree(LEAVES)
POOL = sum(amount for _, _, amount in LEAVES)
DEADLINE = 1_000


def chain(wave: int = 10, pool: int = POOL) -> Chain:
    c = Chain().at_wave(wave)
    c.fund(SUBMITTER, 10**12)
    c.state.put_account(AIRDROP_POOL, c.state.account(AIRDROP_POOL).evolve(balance=pool,
                                                                           account_type=AccountType.SYSTEM))
    c.state.put_protocol(AIRDROP_KEY, AirdropConfig(ROOT, DEADLINE, POOL))
    return c


def claim_tx(i: int, **changes) -> bytes:
    index, account, amount = LEAVES[i]
    fields = {"index": index, "account": account, "amount": amount, "proof": PROOFS[i], **changes}
    return native_tx(TxType.CLAIM_AIRDROP, SUBMITTER, Claim(**fields).encode())


def sweep_tx(**fields):
    return native_tx(TxType.SWEEP_AIRDROP, SUBMITTER, **fields)


def test_claims_pay_the_leaf_account():
    c = chain()
    for i, (_, account, amount) in enumerate(LEAVES):
        r = c.apply(claim_tx(i))
        assert (r.status, r.gas_used) == ("success", CLAIM_GAS)
        assert c.balance(account) == amount
    assert c.balance(AIRDROP_POOL) == 0


@pytest.mark.parametrize("changes, code", [
    ({"amount": 999_999}, "AirdropBadProof"),
    ({"account": address(0x999)}, "AirdropBadProof"),
    ({"index": 1}, "AirdropBadProof"),
    ({"index": 8}, "AirdropBadProof"),  # beyond the proof's depth
    ({"proof": PROOFS[0][:-1]}, "AirdropBadProof"),
])
def test_bad_proofs(changes, code):
    assert_rejected(chain(), claim_tx(0, **changes), code)


def test_claim_refusals():
    c = chain()
    c.apply(claim_tx(2))
    assert_rejected(c, claim_tx(2), "AirdropAlreadyClaimed")
    assert_rejected(chain(pool=500), claim_tx(0), "AirdropPoolShort")
    assert_rejected(chain(wave=DEADLINE), claim_tx(0), "AirdropExpired")
    no_airdrop = Chain()
    no_airdrop.fund(SUBMITTER, 10**12)
    assert_rejected(no_airdrop, claim_tx(0), "NoAirdrop")
    assert_rejected(chain(), native_tx(TxType.CLAIM_AIRDROP, SUBMITTER, b"\x00" * 10), "MalformedPayload")
    deep = Claim(0, LEAVES[0][1], 1, (bytes(32),) * 33).encode()
    assert_rejected(chain(), native_tx(TxType.CLAIM_AIRDROP, SUBMITTER, deep), "MalformedPayload")
    assert_rejected(chain(), native_tx(TxType.CLAIM_AIRDROP, SUBMITTER, claim_tx(0).data, value=1),
                    "UnexpectedValue")


def test_a_leaf_at_a_reserved_address_cannot_be_paid():
    leaves = [(0, bytes(32), 5), (1, TREASURY, 5)]
    root, proofs = airdrop_tree(leaves)
    c = chain()
    c.state.put_protocol(AIRDROP_KEY, AirdropConfig(root, DEADLINE, 10))
    for (index, account, amount), proof in zip(leaves, proofs):
        tx = native_tx(TxType.CLAIM_AIRDROP, SUBMITTER, Claim(index, account, amount, proof).encode())
        assert_rejected(c, tx, "InvalidRecipient")


def test_sweep_after_the_deadline():
    c = chain()
    c.apply(claim_tx(0))
    assert_rejected(c, sweep_tx(), "AirdropNotOver")
    c.at_wave(DEADLINE)
    treasury = c.balance(TREASURY)
    r = c.apply(sweep_tx())
    assert r.status == "success" and r.gas_used == 21_000
    assert c.balance(AIRDROP_POOL) == 0
    assert c.balance(TREASURY) == treasury + POOL - 1_000 + r.fee.treasury
    assert_rejected(c, sweep_tx(), "NothingToSweep")


def test_sweep_refusals():
    assert_rejected(chain(wave=DEADLINE), sweep_tx(data=b"\x00"), "MalformedPayload")
    assert_rejected(chain(wave=DEADLINE), sweep_tx(value=1), "UnexpectedValue")
    assert_rejected(chain(wave=DEADLINE), sweep_tx(to=SUBMITTER), "InvalidRecipient")
    no_airdrop = Chain()
    no_airdrop.fund(SUBMITTER, 10**12)
    assert_rejected(no_airdrop, sweep_tx(), "NoAirdrop")
