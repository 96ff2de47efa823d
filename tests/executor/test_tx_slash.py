"""``Slash`` (tag 5; SLASHING, VALIDATOR_LIFECYCLE): double-sign evidence
verified with the offender's consensus key, the slash math, the
distribution, jail and forced unbonding."""

from __future__ import annotations

import pytest

from pyde_ref.executor.fees import total_burned
from pyde_ref.executor.handlers.slash import SLASH_GAS, Evidence, signed_message
from pyde_ref.executor.handlers.staking import lifecycle, validator_id
from pyde_ref.executor.params import (
    EPOCH_WAVES,
    EVIDENCE_FRESHNESS_WAVES,
    JAIL_FIRST_WAVES,
    JAIL_SECOND_WAVES,
    MIN_VALIDATOR_STAKE,
    SLASHING_ESCROW_WAVES,
    UNBONDING_WAVES,
)
from pyde_ref.executor.testing import Chain, address, native_tx
from pyde_ref.executor.transactions import TxType
from pyde_ref.state.records import Phase, Validator, ValidatorKey
from pyde_ref.state.system import TREASURY
from tx_helpers import ALICE, BOB, V1, V2, assert_rejected

OPERATOR, REPORTER = address(1), address(2)
ID1, ID2 = validator_id(V1.public_key), validator_id(V2.public_key)
STAKE = 20 * MIN_VALIDATOR_STAKE
NOW = 300 * EPOCH_WAVES + 50  # epoch 300
CHAIN_ID = 31337


def chain() -> Chain:
    c = Chain().at_wave(NOW)
    c.fund(REPORTER, 10**15)
    for vid, key in ((ID1, V1), (ID2, V2)):
        c.state.put_validator(vid, Validator(stake_account=OPERATOR, operator=OPERATOR, stake=STAKE,
                                             keys=(ValidatorKey(0, key.public_key),), registered_wave=0,
                                             activation_epoch=1))
    return c


def evidence(key=V1, vid=ID1, wave=NOW - 10, offense=1, digests=(b"\xaa" * 32, b"\xbb" * 32), signer=None):
    signer = signer or key
    a, b = digests
    sig_a = signer.sign(signed_message(offense if offense in (1, 2) else 1, CHAIN_ID, wave, vid, a))
    sig_b = signer.sign(signed_message(offense if offense in (1, 2) else 1, CHAIN_ID, wave, vid, b))
    return Evidence(offense, vid, wave, a, sig_a, b, sig_b)


def slash(e: Evidence, sender=REPORTER, **fields):
    return native_tx(TxType.SLASH, sender, e.encode(), gas_limit=200_000, **fields)


def test_equivocation_slash_distribution_and_jail():
    """10% of the stake: 50% burned, 30% to the treasury, 20% to the
    reporter; jailed for 24 hours; 24-hour escrow."""
    c = chain()
    burned = total_burned(c.state)
    r = c.apply(slash(evidence()))
    assert (r.status, r.gas_used) == ("success", SLASH_GAS)
    amount = STAKE // 10
    v = c.state.validator(ID1)
    assert v.stake == STAKE - amount and v.slash_count == 1
    assert total_burned(c.state) == burned + amount // 2 + r.fee.burned
    assert c.balance(TREASURY) == amount * 30 // 100 + r.fee.treasury
    assert c.balance(REPORTER) == 10**15 + amount - amount // 2 - amount * 30 // 100 - r.fee.total
    assert v.jailed_until == NOW + JAIL_FIRST_WAVES and v.escrow_until == NOW + SLASHING_ESCROW_WAVES
    assert lifecycle(v, NOW) == "jailed"


def test_state_root_equivocation_is_offense_2():
    c = chain()
    assert c.apply(slash(evidence(offense=2))).status == "success"


def test_correlation_and_repeat():
    """SLASHING: ``× (1 + k/42)`` for k other offenders this epoch, ``× 2``
    per earlier slash, capped at 50%."""
    c = chain()
    c.apply(slash(evidence(V2, ID2)))  # another offender this epoch: k = 1 for V1
    c.apply(slash(evidence()))
    assert c.state.validator(ID1).stake == STAKE - STAKE * (1000 * 43 // 42) // 10_000
    stake = c.state.validator(ID1).stake
    c.apply(slash(evidence(wave=NOW - 9)))  # a second offense: repeat ×2
    assert c.state.validator(ID1).stake == stake - stake * (2000 * 43 // 42) // 10_000


def test_new_validator_grace_halves_the_slash():
    c = chain()
    c.state.put_validator(ID1, c.state.validator(ID1).evolve(activation_epoch=300, registered_wave=NOW - 20))
    c.apply(slash(evidence()))
    assert c.state.validator(ID1).stake == STAKE - STAKE * 500 // 10_000


def test_second_jail_within_30_days_is_7_days_third_is_permanent():
    c = chain()
    c.apply(slash(evidence(wave=NOW - 3)))
    c.apply(slash(evidence(wave=NOW - 2)))
    v = c.state.validator(ID1)
    assert v.jail_count == 2 and v.jailed_until == NOW + JAIL_SECOND_WAVES
    c.apply(slash(evidence(wave=NOW - 1)))
    v = c.state.validator(ID1)
    assert v.permanently_jailed and v.phase == Phase.UNBONDING
    assert v.withdrawable_at == NOW + UNBONDING_WAVES


def test_slash_below_minimum_forces_unbonding():
    c = chain()
    c.state.put_validator(ID1, c.state.validator(ID1).evolve(stake=MIN_VALIDATOR_STAKE))
    c.apply(slash(evidence()))
    v = c.state.validator(ID1)
    assert v.stake < MIN_VALIDATOR_STAKE and v.phase == Phase.UNBONDING
    assert lifecycle(v, NOW) == "unbonding"


def test_unbonding_validator_can_still_be_slashed():
    c = chain()
    c.state.put_validator(ID1, c.state.validator(ID1).evolve(phase=Phase.UNBONDING, withdrawable_at=NOW + 5))
    assert c.apply(slash(evidence())).status == "success"


def test_a_rotated_out_key_still_counts_for_one_epoch():
    """VALIDATOR_LIFECYCLE: "Old pubkey kept for VERIFY ONLY during 1-epoch
    grace"; evidence for an epoch is checked against the keys valid then."""
    c = chain()
    v = c.state.validator(ID1)
    c.state.put_validator(ID1, v.evolve(keys=v.keys + (ValidatorKey(300, ALICE.public_key),)))
    assert c.apply(slash(evidence(wave=NOW - 5))).status == "success"  # epoch 300: old key in grace
    assert c.apply(slash(evidence(signer=ALICE, wave=NOW - 4))).status == "success"  # the new key


@pytest.mark.parametrize("make, code", [
    (lambda: evidence(offense=3), "UnsupportedOffense"),
    (lambda: evidence(vid=bytes(32)), "UnknownValidator"),
    (lambda: evidence(digests=(b"\xaa" * 32, b"\xaa" * 32)), "NotEquivocation"),
    (lambda: evidence(wave=NOW + 1), "EvidenceStale"),
    (lambda: evidence(wave=NOW - EVIDENCE_FRESHNESS_WAVES - 1), "EvidenceStale"),
    (lambda: evidence(signer=BOB), "EvidenceBadSignature"),
    (lambda: evidence(key=V2), "EvidenceBadSignature"),  # V2's key, ID1's evidence
])
def test_evidence_refusals(make, code):
    assert_rejected(chain(), slash(make()), code)


def test_evidence_is_used_once_and_reporters_cool_down():
    c = chain()
    e = evidence()
    c.apply(slash(e))
    assert_rejected(c, slash(e), "EvidenceAlreadyUsed")
    assert_rejected(c, slash(evidence(offense=1, digests=(b"\x01" * 32, b"\x02" * 32))), "EvidenceAlreadyUsed")
    for i in range(4):
        assert c.apply(slash(evidence(V2, ID2, wave=NOW - 20 - i))).status == "success"
    assert_rejected(c, slash(evidence(V2, ID2, wave=NOW - 30)), "ReporterCooldown")
    c.at_wave(NOW + EPOCH_WAVES)  # the next epoch
    assert c.apply(slash(evidence(V2, ID2, wave=NOW - 30))).status == "success"


@pytest.mark.parametrize("make, code", [
    (lambda: native_tx(TxType.SLASH, REPORTER, b"\x01" + bytes(10)), "MalformedPayload"),
    (lambda: slash(evidence(), value=1), "UnexpectedValue"),
    (lambda: slash(evidence(), to=REPORTER), "InvalidRecipient"),
    (lambda: native_tx(TxType.SLASH, REPORTER, evidence().encode(), gas_limit=SLASH_GAS - 1),
     "IntrinsicGasTooLow"),
])
def test_slash_transaction_refusals(make, code):
    assert_rejected(chain(), make(), code)


def test_evidence_from_before_registration_is_stale():
    c = chain()
    c.state.put_validator(ID1, c.state.validator(ID1).evolve(registered_wave=NOW - 5))
    assert_rejected(c, slash(evidence(wave=NOW - 6)), "EvidenceStale")
