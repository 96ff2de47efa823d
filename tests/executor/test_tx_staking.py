"""Validators (VALIDATOR_LIFECYCLE; chapter 11 §11.8 tags 3, 4, 6):
``StakeDeposit``, ``StakeWithdraw``, ``ClaimReward``, ``STAKING.unjail``,
``STAKING.rotate_keys``, the lifecycle states and the epoch's reward
distribution (chapter 10 §10.5)."""

from __future__ import annotations

import pytest

from pyde_ref.executor.fees import total_burned
from pyde_ref.executor.handlers.staking import lifecycle, set_reward_accrued, validator_id
from pyde_ref.executor.params import (
    EPOCH_WAVES,
    MIN_VALIDATOR_STAKE,
    UNBONDING_WAVES,
    UNJAIL_FEE,
)
from pyde_ref.executor.testing import Chain, address, native_tx, system_tx
from pyde_ref.executor.transactions import FeePayer, FeePayerKind, TxType
from pyde_ref.state.borsh import Writer
from pyde_ref.state.records import Phase, Validator, ValidatorKey
from pyde_ref.state.system import REWARD_POOL, STAKING
from tx_helpers import ALICE, BOB, CAROL, DAVE, V1, V2, assert_rejected

OPERATOR, OTHER = address(1), address(2)
STAKE = MIN_VALIDATOR_STAKE
ID1, ID2 = validator_id(V1.public_key), validator_id(V2.public_key)
START = 10 * EPOCH_WAVES + 5  # a wave inside epoch 10


def chain(wave: int = START) -> Chain:
    c = Chain().at_wave(wave)
    c.fund(OPERATOR, 10 * STAKE)
    c.fund(OTHER, 10 * STAKE)
    return c


def deposit(sender=OPERATOR, key=V1, value=STAKE, **fields):
    return native_tx(TxType.STAKE_DEPOSIT, sender, key.public_key, value=value, **fields)


def withdraw(vid=ID1, sender=OPERATOR, **fields):
    return native_tx(TxType.STAKE_WITHDRAW, sender, vid, **fields)


def claim(vid=ID1, sender=OPERATOR):
    return native_tx(TxType.CLAIM_REWARD, sender, vid)


def unjail(vid=ID1, sender=OPERATOR):
    return system_tx(sender, STAKING, "unjail", vid)


def rotate(key, vid=ID1, sender=OPERATOR):
    return system_tx(sender, STAKING, "rotate_keys", Writer().fixed(vid, 32).bytes_vec(key.public_key).out())


def put(c: Chain, vid=ID1, key=V1, **fields) -> Validator:
    """A validator registered long ago, active now, unless ``fields`` say otherwise."""
    v = Validator(stake_account=OPERATOR, operator=OPERATOR, stake=STAKE, keys=(ValidatorKey(0, key.public_key),),
                  registered_wave=0, activation_epoch=1)
    v = v.evolve(**fields)
    c.state.put_validator(vid, v)
    return v


def state_of(c: Chain, vid=ID1) -> str:
    return lifecycle(c.state.validator(vid), c.block.wave_id)


def test_deposit_registers_a_pending_validator_active_next_epoch():
    c = chain()
    r = c.apply(deposit())
    assert (r.status, r.gas_used) == ("success", 21_000)
    v = c.state.validator(ID1)
    assert (v.stake, v.stake_account, v.operator, v.activation_epoch) == (STAKE, OPERATOR, OPERATOR, 11)
    assert c.balance(OPERATOR) == 10 * STAKE - STAKE - 21_000
    assert state_of(c) == "pending"
    c.at_wave(11 * EPOCH_WAVES)
    assert state_of(c) == "active"


@pytest.mark.parametrize("make, code", [
    (lambda: deposit(value=STAKE - 1), "StakeBelowMinimum"),
    (lambda: native_tx(TxType.STAKE_DEPOSIT, OPERATOR, V1.public_key[:-1], value=STAKE), "InvalidPublicKey"),
    (lambda: native_tx(TxType.STAKE_DEPOSIT, OPERATOR, b"\x00" + V1.public_key[1:], value=STAKE),
     "InvalidPublicKey"),
    (lambda: deposit(value=10 * STAKE + 1), "InsufficientBalance"),
    (lambda: deposit(to=OTHER), "InvalidRecipient"),
    (lambda: deposit(gas_limit=20_999), "IntrinsicGasTooLow"),
    (lambda: deposit(fee_payer=FeePayer(FeePayerKind.GAS_TANK)), "FeePayerNotApplicable"),
])
def test_deposit_refusals(make, code):
    assert_rejected(chain(), make(), code)


def test_deposit_refusals_from_state():
    c = chain()
    c.apply(deposit())
    assert_rejected(c, deposit(sender=OTHER), "ValidatorExists")
    c.apply(deposit(key=V2))
    c.apply(deposit(key=ALICE))
    assert_rejected(c, deposit(key=BOB), "OperatorCapReached")  # MAX_VALIDATORS_PER_OPERATOR = 3
    assert c.apply(deposit(sender=OTHER, key=BOB)).status == "success"


def test_unbond_then_withdraw_after_30_days():
    c = chain()
    put(c, rewards=0)
    r = c.apply(withdraw())
    assert r.status == "success" and state_of(c) == "unbonding"
    assert c.state.validator(ID1).withdrawable_at == START + UNBONDING_WAVES
    c.at_wave(START + UNBONDING_WAVES - 1)
    assert_rejected(c, withdraw(), "StillUnbonding")
    c.at_wave(START + UNBONDING_WAVES)
    assert state_of(c) == "withdrawable"
    before = c.balance(OPERATOR)
    assert c.apply(withdraw()).status == "success"
    assert c.balance(OPERATOR) == before + STAKE - 21_000
    assert c.state.validator(ID1) is None


def test_withdrawal_pays_accrued_rewards_too():
    c = chain()
    c.state.put_account(REWARD_POOL, c.state.account(REWARD_POOL).evolve(balance=500, account_type=2))
    set_reward_accrued(c.state, 300)
    put(c, phase=Phase.UNBONDING, withdrawable_at=0, rewards=300)
    before = c.balance(OPERATOR)
    c.apply(withdraw())
    assert c.balance(OPERATOR) == before + STAKE + 300 - 21_000
    assert c.balance(REWARD_POOL) == 200 + 4_200  # what is left, plus this transaction's pool share


@pytest.mark.parametrize("fields, code", [
    ({"activation_epoch": 11}, "NotActive"),  # pending
    ({"jailed_until": START + 100}, "ValidatorJailed"),
    ({"phase": Phase.UNBONDING, "withdrawable_at": START + 1}, "StillUnbonding"),
    ({"phase": Phase.UNBONDING, "withdrawable_at": 0, "escrow_until": START + 1}, "EscrowPending"),
])
def test_withdraw_refusals_by_state(fields, code):
    c = chain()
    put(c, **fields)
    assert_rejected(c, withdraw(), code)


@pytest.mark.parametrize("make, code", [
    (lambda: withdraw(vid=ID2), "UnknownValidator"),
    (lambda: withdraw(sender=OTHER), "NotStakeAccount"),
    (lambda: withdraw(value=1), "UnexpectedValue"),
    (lambda: native_tx(TxType.STAKE_WITHDRAW, OPERATOR, ID1[:31]), "MalformedPayload"),
    (lambda: native_tx(TxType.STAKE_WITHDRAW, OPERATOR, ID1 + b"\x00"), "MalformedPayload"),
    (lambda: withdraw(to=OTHER), "InvalidRecipient"),
])
def test_withdraw_refusals(make, code):
    c = chain()
    put(c)
    assert_rejected(c, make(), code)


# --------------------------------------------------------------------------
# rewards
# --------------------------------------------------------------------------


def test_epoch_boundary_credits_the_pool_to_active_validators_by_stake():
    """Fees of epoch 10 reach the reward pool; the first wave of epoch 11
    credits them to the validators active at the end of epoch 10, by stake;
    the dust stays in the pool."""
    c = chain()
    put(c, ID1, V1, stake=STAKE)
    put(c, ID2, V2, stake=2 * STAKE)
    c.state.put_validator(validator_id(CAROL.public_key), Validator(
        stake_account=OTHER, operator=OTHER, stake=STAKE, keys=(ValidatorKey(10, CAROL.public_key),),
        registered_wave=START, activation_epoch=11))  # pending in epoch 10: no share
    c.wave([])  # epoch 10 recorded
    c.apply(native_tx(TxType.STANDARD, OTHER, b"", to=OPERATOR, value=1, gas_limit=21_000))
    pool = c.balance(REWARD_POOL)
    assert pool == 4_200
    c.at_wave(11 * EPOCH_WAVES + 3)
    c.wave([])
    rewards = c.last.start.rewards
    assert rewards.epoch == 10 and rewards.amount == 4_200 - 4_200 % 3
    assert dict(rewards.shares) == {ID1: 1_400, ID2: 2_800}
    assert c.state.validator(ID1).rewards == 1_400
    r = c.apply(claim())
    assert r.status == "success" and c.state.validator(ID1).rewards == 0
    assert c.balance(REWARD_POOL) == 4_200 - 1_400 + r.fee.reward_pool
    assert_rejected(c, claim(), "NoRewards")


@pytest.mark.parametrize("make, code", [
    (lambda: claim(vid=ID2), "UnknownValidator"),
    (lambda: claim(sender=OTHER), "NotStakeAccount"),
    (lambda: claim(), "NoRewards"),
    (lambda: native_tx(TxType.CLAIM_REWARD, OPERATOR, b""), "MalformedPayload"),
    (lambda: native_tx(TxType.CLAIM_REWARD, OPERATOR, ID1, value=1), "UnexpectedValue"),
])
def test_claim_refusals(make, code):
    c = chain()
    put(c)
    assert_rejected(c, make(), code)


# --------------------------------------------------------------------------
# unjail
# --------------------------------------------------------------------------


def test_unjail_after_the_period_pays_the_fee():
    c = chain()
    put(c, jailed_until=START, jail_count=1, last_jail_wave=START - 10)
    assert state_of(c) == "jailed"
    burned = total_burned(c.state)
    r = c.apply(unjail())
    assert r.status == "success" and state_of(c) == "active"
    assert c.balance(OPERATOR) == 10 * STAKE - UNJAIL_FEE - 21_000
    assert total_burned(c.state) == burned + UNJAIL_FEE + r.fee.burned


@pytest.mark.parametrize("fields, code", [
    ({}, "NotJailed"),
    ({"jailed_until": START + 1}, "JailPeriodNotOver"),
    ({"permanently_jailed": True, "jail_count": 3}, "PermanentlyJailed"),
    ({"jailed_until": START, "stake": STAKE - 1}, "StakeBelowMinimum"),
])
def test_unjail_refusals_by_state(fields, code):
    c = chain()
    put(c, **fields)
    assert_rejected(c, unjail(), code)


def test_unjail_refusals():
    c = chain()
    put(c, jailed_until=START)
    assert_rejected(c, unjail(sender=OTHER), "NotStakeAccount")
    assert_rejected(c, unjail(vid=ID2), "UnknownValidator")
    c.fund(OPERATOR, UNJAIL_FEE)  # not enough for the fee too
    assert_rejected(c, unjail(), "InsufficientBalance")


# --------------------------------------------------------------------------
# rotate_keys
# --------------------------------------------------------------------------


def test_rotate_keys_takes_effect_next_epoch_once_per_epoch():
    c = chain()
    put(c)
    r = c.apply(rotate(DAVE))
    assert r.status == "success"
    v = c.state.validator(ID1)
    assert v.key_at(10) == V1.public_key and v.key_at(11) == DAVE.public_key
    assert_rejected(c, rotate(ALICE), "RotationTooSoon")
    c.at_wave(11 * EPOCH_WAVES)
    assert c.apply(rotate(ALICE)).status == "success"


@pytest.mark.parametrize("fields, code", [
    ({"activation_epoch": 11}, "NotActive"),
    ({"jailed_until": START + 5}, "ValidatorJailed"),
    ({"phase": Phase.UNBONDING, "withdrawable_at": START + 5}, "NotActive"),
])
def test_rotate_keys_refusals_by_state(fields, code):
    c = chain()
    put(c, **fields)
    assert_rejected(c, rotate(DAVE), code)


def test_rotate_keys_refusals():
    c = chain()
    put(c)
    bad_key = system_tx(OPERATOR, STAKING, "rotate_keys", Writer().fixed(ID1, 32).bytes_vec(b"\x09\x00").out())
    assert_rejected(c, bad_key, "InvalidPublicKey")
    assert_rejected(c, rotate(DAVE, sender=OTHER), "NotStakeAccount")
    assert_rejected(c, rotate(DAVE, vid=ID2), "UnknownValidator")
    assert_rejected(c, system_tx(OPERATOR, STAKING, "rotate_keys", ID1), "MalformedPayload")
