"""Validators (VALIDATOR_LIFECYCLE; chapter 11 §11.8 tags 3, 4, 6):
``StakeDeposit``, ``StakeWithdraw``, ``ClaimReward``, and the system
operations ``STAKING.unjail`` and ``STAKING.rotate_keys``.

The lifecycle state of VALIDATOR_LIFECYCLE is a function of the stored
record and the wave (:func:`lifecycle`): *pending* until the epoch after
registration, then *active* (committee selection is outside the execution
layer: ACTIVE-WAITING and COMMITTEE-ACTIVE are one state here), *jailed*
from a slash until an ``Unjail``, *unbonding* for 30 days after a
``StakeWithdraw`` (or a slash below the minimum stake), then
*withdrawable*, until a second ``StakeWithdraw`` pays the stake out and
removes the validator.  ``spec/findings/validator-lifecycle.md`` lists the
readings.

=================  =============================================  =========
transaction        data                                           gas
=================  =============================================  =========
``StakeDeposit``   the 897-byte FALCON-512 consensus key (§11.8);  21,000
                   ``value`` is the stake
``StakeWithdraw``  validator id ``[u8; 32]``: begins unbonding      21,000
                   (active) or withdraws (withdrawable)
``ClaimReward``    validator id: pays the accrued reward            21,000
``unjail``         validator id; the sender pays ``UNJAIL_FEE``     21,000
``rotate_keys``    validator id, new key ``Vec<u8>``                21,000
=================  =============================================  =========

The validator id is ``Poseidon2(first consensus key)``, the address its
key would have as an account (chapter 11 §11.2); it does not change when the
key rotates.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.context import Handler, Outcome, Plan, TxContext, sender_pays
from pyde_ref.executor.fees import burn, credit_balance, debit_balance, debit_fund
from pyde_ref.executor.handlers.base import SystemOp
from pyde_ref.executor.handlers.common import decode_public_key, require_no_value, require_zero_to
from pyde_ref.executor.params import (
    BONDING_EPOCHS,
    EPOCH_WAVES,
    KEY_ROTATION_INTERVAL_EPOCHS,
    MAX_VALIDATORS_PER_OPERATOR,
    MIN_VALIDATOR_STAKE,
    NATIVE_BASE_GAS,
    UNBONDING_WAVES,
    UNJAIL_FEE,
    epoch_of,
)
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Status, Transaction, decode_payload
from pyde_ref.state.accounts import check_public_key
from pyde_ref.state.borsh import Reader
from pyde_ref.state.overlay import VALIDATOR
from pyde_ref.state.records import Disc, Phase, Scalar, Validator, ValidatorKey, protocol_key
from pyde_ref.state.system import REWARD_POOL, STAKING


class Lifecycle:
    PENDING = "pending"
    ACTIVE = "active"
    JAILED = "jailed"
    UNBONDING = "unbonding"
    WITHDRAWABLE = "withdrawable"


def lifecycle(v: Validator, wave_id: int) -> str:
    """VALIDATOR_LIFECYCLE's state of ``v`` at wave ``wave_id``."""
    if v.phase == Phase.UNBONDING:
        return Lifecycle.WITHDRAWABLE if wave_id >= v.withdrawable_at else Lifecycle.UNBONDING
    if v.jailed_until is not None or v.permanently_jailed:
        return Lifecycle.JAILED
    if epoch_of(wave_id) < v.activation_epoch:
        return Lifecycle.PENDING
    return Lifecycle.ACTIVE


def validator_id(public_key: bytes) -> bytes:
    return poseidon2_hash(public_key)


def keys_valid_at(v: Validator, epoch: int) -> list[bytes]:
    """The consensus keys whose signatures count for ``epoch``: the current
    one, and a rotated-out key during the epoch after its successor took
    over (VALIDATOR_LIFECYCLE ``rotate_keys``: "Old pubkey kept for VERIFY
    ONLY during 1-epoch grace")."""
    valid = []
    for i, key in enumerate(v.keys):
        until = v.keys[i + 1].from_epoch + 1 if i + 1 < len(v.keys) else None
        if key.from_epoch <= epoch and (until is None or epoch < until):
            valid.append(key.public_key)
    return valid or [v.keys[0].public_key]


REWARD_ACCRUED_KEY = protocol_key(Disc.REWARD_ACCRUED)
LAST_EPOCH_KEY = protocol_key(Disc.LAST_EPOCH)


def reward_accrued(layer) -> int:
    found = layer.protocol(REWARD_ACCRUED_KEY)
    return 0 if found is None else found.value


def set_reward_accrued(layer, value: int) -> None:
    layer.put_protocol(REWARD_ACCRUED_KEY, Scalar(value))


def pay_rewards(layer, v: Validator) -> Validator:
    """Move ``v``'s accrued reward from the reward pool to its stake account."""
    if v.rewards:
        debit_fund(layer, REWARD_POOL, v.rewards)
        set_reward_accrued(layer, reward_accrued(layer) - v.rewards)
        credit_balance(layer, v.stake_account, v.rewards)
    return v.evolve(rewards=0)


def read_validator_id(reader: Reader) -> bytes:
    return reader.take(32, "validator id")


def owned_validator(ctx: TxContext, vid: bytes) -> Validator:
    """The validator ``vid``, which the sender must own (its stake account)."""
    v = ctx.layer.validator(vid)
    if v is None:
        raise Rejection(rj.UNKNOWN_VALIDATOR, f"no validator 0x{vid.hex()}")
    if v.stake_account != ctx.sender:
        raise Rejection(rj.NOT_STAKE_ACCOUNT, "the sender is not the validator's stake account")
    return v


# --------------------------------------------------------------------------
# StakeDeposit (tag 3)
# --------------------------------------------------------------------------


def plan_deposit(ctx: TxContext, public_key: bytes) -> Plan:
    require_zero_to(ctx)
    if ctx.tx.value < MIN_VALIDATOR_STAKE:
        raise Rejection(rj.STAKE_BELOW_MINIMUM, f"stake {ctx.tx.value} < {MIN_VALIDATOR_STAKE}")
    if ctx.layer.validator(validator_id(public_key)) is not None:
        raise Rejection(rj.VALIDATOR_EXISTS, "this consensus key is registered")
    operated = sum(1 for _, v in ctx.layer.items(VALIDATOR) if v.operator == ctx.sender)
    if operated >= MAX_VALIDATORS_PER_OPERATOR:
        raise Rejection(rj.OPERATOR_CAP_REACHED, f"the operator runs {operated} validators")
    return sender_pays(ctx, NATIVE_BASE_GAS)


def execute_deposit(ctx: TxContext, public_key: bytes, plan_: Plan) -> Outcome:
    """VALIDATOR_LIFECYCLE ``register_validator``: the stake leaves the
    balance into the validator record; PENDING until the next epoch."""
    debit_balance(ctx.layer, ctx.sender, ctx.tx.value)
    ctx.layer.put_validator(validator_id(public_key), Validator(
        stake_account=ctx.sender,
        operator=ctx.sender,
        stake=ctx.tx.value,
        keys=(ValidatorKey(ctx.epoch, public_key),),
        registered_wave=ctx.wave_id,
        activation_epoch=ctx.epoch + BONDING_EPOCHS,
    ))
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS)


# --------------------------------------------------------------------------
# StakeWithdraw (tag 4)
# --------------------------------------------------------------------------


def decode_validator_id(tx: Transaction) -> bytes:
    return decode_payload(tx.data, read_validator_id)


def plan_withdraw(ctx: TxContext, vid: bytes) -> Plan:
    """``request_unbond`` from ACTIVE; ``withdraw`` from WITHDRAWABLE with
    no slash escrow open."""
    require_zero_to(ctx)
    require_no_value(ctx)
    v = owned_validator(ctx, vid)
    state = lifecycle(v, ctx.wave_id)
    if state == Lifecycle.PENDING:
        raise Rejection(rj.NOT_ACTIVE, "a pending validator cannot unbond")
    if state == Lifecycle.JAILED:
        raise Rejection(rj.VALIDATOR_JAILED)
    if state == Lifecycle.UNBONDING:
        raise Rejection(rj.STILL_UNBONDING, f"withdrawable at wave {v.withdrawable_at}")
    if state == Lifecycle.WITHDRAWABLE and ctx.wave_id < v.escrow_until:
        raise Rejection(rj.ESCROW_PENDING, f"slash escrow open until wave {v.escrow_until}")
    return sender_pays(ctx, NATIVE_BASE_GAS, details=state)


def execute_withdraw(ctx: TxContext, vid: bytes, plan_: Plan) -> Outcome:
    v = ctx.layer.validator(vid)
    if plan_.details == Lifecycle.ACTIVE:
        ctx.layer.put_validator(vid, v.evolve(phase=Phase.UNBONDING, withdrawable_at=ctx.wave_id + UNBONDING_WAVES))
    else:
        v = pay_rewards(ctx.layer, v)
        credit_balance(ctx.layer, v.stake_account, v.stake)
        ctx.layer.put_validator(vid, None)
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS)


# --------------------------------------------------------------------------
# ClaimReward (tag 6)
# --------------------------------------------------------------------------


def plan_claim(ctx: TxContext, vid: bytes) -> Plan:
    require_zero_to(ctx)
    require_no_value(ctx)
    if owned_validator(ctx, vid).rewards == 0:
        raise Rejection(rj.NO_REWARDS)
    return sender_pays(ctx, NATIVE_BASE_GAS)


def execute_claim(ctx: TxContext, vid: bytes, plan_: Plan) -> Outcome:
    ctx.layer.put_validator(vid, pay_rewards(ctx.layer, ctx.layer.validator(vid)))
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS)


# --------------------------------------------------------------------------
# STAKING.unjail, STAKING.rotate_keys
# --------------------------------------------------------------------------


def plan_unjail(ctx: TxContext, vid: bytes) -> Plan:
    """VALIDATOR_LIFECYCLE ``unjail``: jailed, the jail period over, not a
    third jail, stake at least the minimum; the sender pays ``UNJAIL_FEE``."""
    v = owned_validator(ctx, vid)
    if v.permanently_jailed:
        raise Rejection(rj.PERMANENTLY_JAILED)
    if v.jailed_until is None:
        raise Rejection(rj.NOT_JAILED)
    if ctx.wave_id < v.jailed_until:
        raise Rejection(rj.JAIL_PERIOD_NOT_OVER, f"jailed until wave {v.jailed_until}")
    if v.stake < MIN_VALIDATOR_STAKE:
        raise Rejection(rj.STAKE_BELOW_MINIMUM, f"stake {v.stake} < {MIN_VALIDATOR_STAKE}")
    return sender_pays(ctx, NATIVE_BASE_GAS, sender_debit=UNJAIL_FEE)


def execute_unjail(ctx: TxContext, vid: bytes, plan_: Plan) -> Outcome:
    debit_balance(ctx.layer, ctx.sender, UNJAIL_FEE)
    burn(ctx.layer, UNJAIL_FEE)
    ctx.layer.put_validator(vid, ctx.layer.validator(vid).evolve(jailed_until=None))
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS)


@attrs.frozen
class KeyRotation:
    validator: bytes
    public_key: bytes


def read_rotation(reader: Reader) -> KeyRotation:
    return KeyRotation(reader.take(32, "validator id"), reader.bytes_vec("public key"))


def plan_rotate(ctx: TxContext, r: KeyRotation) -> Plan:
    """VALIDATOR_LIFECYCLE ``rotate_keys``: ACTIVE, at most once per epoch;
    the new key signs from the next epoch."""
    v = owned_validator(ctx, r.validator)
    state = lifecycle(v, ctx.wave_id)
    if state == Lifecycle.JAILED:
        raise Rejection(rj.VALIDATOR_JAILED)
    if state != Lifecycle.ACTIVE:
        raise Rejection(rj.NOT_ACTIVE, f"the validator is {state}")
    if v.last_rotation_epoch is not None and ctx.epoch < v.last_rotation_epoch + KEY_ROTATION_INTERVAL_EPOCHS:
        raise Rejection(rj.ROTATION_TOO_SOON, f"rotated in epoch {v.last_rotation_epoch}")
    problem = check_public_key(r.public_key)
    if problem is not None:
        raise Rejection(rj.INVALID_PUBLIC_KEY, problem)
    return sender_pays(ctx, NATIVE_BASE_GAS)


def execute_rotate(ctx: TxContext, r: KeyRotation, plan_: Plan) -> Outcome:
    v = ctx.layer.validator(r.validator)
    keys = v.keys + (ValidatorKey(ctx.epoch + 1, bytes(r.public_key)),)
    ctx.layer.put_validator(r.validator, v.evolve(keys=keys, last_rotation_epoch=ctx.epoch))
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS)


STAKE_DEPOSIT = Handler("StakeDeposit", decode_public_key, plan_deposit, execute_deposit)
STAKE_WITHDRAW = Handler("StakeWithdraw", decode_validator_id, plan_withdraw, execute_withdraw)
CLAIM_REWARD = Handler("ClaimReward", decode_validator_id, plan_claim, execute_claim)
SYSTEM_OPS = (
    SystemOp(STAKING, "unjail", read_validator_id, plan_unjail, execute_unjail),
    SystemOp(STAKING, "rotate_keys", read_rotation, plan_rotate, execute_rotate),
)


# --------------------------------------------------------------------------
# rewards at the epoch boundary (chapter 10 §10.5, chapter 4 §4.4)
# --------------------------------------------------------------------------


@attrs.frozen
class RewardDistribution:
    """What an epoch boundary paid: ``amount`` of the pool's undistributed
    balance credited to ``shares`` (validator id -> quanta)."""

    epoch: int
    amount: int
    shares: tuple[tuple[bytes, int], ...]


def last_epoch(layer) -> Optional[int]:
    found = layer.protocol(LAST_EPOCH_KEY)
    return None if found is None else found.value


def begin_epoch(layer, wave_id: int) -> Optional[RewardDistribution]:
    """Chapter 10 §10.5: the reward pool is "distributed each epoch by stake
    × uptime via lazy accrual".  When a wave opens an epoch after the one of
    the last wave applied, the pool's undistributed quanta (its balance
    minus what validators have accrued and not claimed) are credited to the
    validators that were ACTIVE at the end of that last epoch, in proportion
    to stake (uptime is not observable here: 1 for all), rounding down; the
    dust stays in the pool.  Returns the distribution, if any."""
    epoch = epoch_of(wave_id)
    previous = last_epoch(layer)
    if previous is not None and epoch <= previous:
        return None
    layer.put_protocol(LAST_EPOCH_KEY, Scalar(epoch, 8))
    if previous is None:
        return None
    end_of_previous = (previous + 1) * EPOCH_WAVES - 1
    eligible = [(vid, v) for vid, v in layer.items(VALIDATOR)
                if lifecycle(v, end_of_previous) == Lifecycle.ACTIVE]
    available = layer.balance(REWARD_POOL) - reward_accrued(layer)
    total_stake = sum(v.stake for _, v in eligible)
    if available <= 0 or total_stake == 0:
        return None
    shares = []
    for vid, v in eligible:
        share = available * v.stake // total_stake
        if share:
            layer.put_validator(vid, v.evolve(rewards=v.rewards + share))
            shares.append((vid, share))
    paid = sum(share for _, share in shares)
    set_reward_accrued(layer, reward_accrued(layer) + paid)
    return RewardDistribution(previous, paid, tuple(shares))
