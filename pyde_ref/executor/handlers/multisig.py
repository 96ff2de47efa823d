"""The multisig transactions (chapter 11 §11.7; chapter 15 §15.4, §15.5;
chapter 18 §18.5): ``MultisigTx`` (9) and ``RotateMultisig`` (10) under
the treasury signer set, ``EmergencyPause`` (11) and ``EmergencyResume`` (12)
under the separate emergency signer set.

Each carries, in ``data``, its action, the signer set's current nonce
(``MULTISIG_NONCE``, replay protection) and *approvals*: ``(signer index
u8, FALCON-512 signature)`` pairs over :func:`approval_message`.  The
approvals must name distinct signers of the set, at least ``threshold`` of
them, each verifying.  A successful action bumps the set's nonce.  The
transaction itself is an ordinary signed transaction of any account (the
relayer, which pays the gas); ``to`` is ``Address::ZERO`` and no value is
attached.

================  ==================================================  ==========================
type              action (Borsh, then nonce u64, approvals)           gas
================  ==================================================  ==========================
MultisigTx        target [u8;32], value u128, data_digest [u8;32]     50,000 + 50,000 / approval
RotateMultisig    new_signer_pks Vec<Vec<u8>>, new_threshold u8       60,000 + 50,000 / approval
                                                                      + 10,000 / new signer
EmergencyPause    duration_waves u64                                  50,000 + 50,000 / approval
EmergencyResume   (nothing)                                           50,000 + 50,000 / approval
================  ==================================================  ==========================

A pause halts every transaction but ``EmergencyResume`` from the next one
on, until the resume or ``duration_waves`` waves later (at most
``MAX_PAUSE_DURATION_WAVES``); a pause cannot be extended (another
``EmergencyPause`` during one is ``ChainPaused`` like any other type).
"""

from __future__ import annotations

from typing import Any, Callable

import attrs

from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.auth import check_signatures
from pyde_ref.executor.context import Handler, Outcome, Plan, TxContext, sender_pays
from pyde_ref.executor.fees import credit_balance, debit_fund
from pyde_ref.executor.handlers.common import require_no_value, require_zero_to
from pyde_ref.executor.params import (
    MAX_PAUSE_DURATION_WAVES,
    MULTISIG_PER_SIGNATURE_GAS,
    MULTISIG_TX_BASE_GAS,
    MULTISIG_VERSION,
    ROTATE_MULTISIG_BASE_GAS,
    ROTATE_MULTISIG_PER_SIGNER_GAS,
)
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Signature, Status, TxType, decode_payload
from pyde_ref.state.accounts import MAX_MULTISIG_KEYS, check_public_key
from pyde_ref.state.borsh import Reader, Writer
from pyde_ref.state.records import Disc, MultisigConfig, Scalar, protocol_key
from pyde_ref.state.system import TREASURY, is_reserved_address

TREASURY_MULTISIG_KEY = protocol_key(Disc.TREASURY_MULTISIG)
EMERGENCY_MULTISIG_KEY = protocol_key(Disc.EMERGENCY_MULTISIG)
PAUSE_END_KEY = protocol_key(Disc.EMERGENCY_PAUSE_END_WAVE)

APPROVAL_CODES = (rj.APPROVAL_INDEX_INVALID, rj.APPROVAL_DUPLICATE, rj.APPROVAL_THRESHOLD_NOT_MET,
                  rj.APPROVAL_BAD_SIGNATURE)


# --------------------------------------------------------------------------
# payloads
# --------------------------------------------------------------------------


@attrs.frozen
class Spend:
    """Chapter 15 §15.4 ``MultisigSpend``."""

    target: bytes
    value: int
    data_digest: bytes

    def encode(self) -> bytes:
        return Writer().fixed(self.target, 32).u128(self.value).fixed(self.data_digest, 32).out()


@attrs.frozen
class Rotate:
    """Chapter 15 §15.4 ``MultisigRotate``."""

    new_signer_pks: tuple[bytes, ...]
    new_threshold: int

    def encode(self) -> bytes:
        w = Writer().u32(len(self.new_signer_pks))
        for key in self.new_signer_pks:
            w.bytes_vec(key)
        return w.u8(self.new_threshold).out()


@attrs.frozen
class Pause:
    duration_waves: int

    def encode(self) -> bytes:
        return Writer().u64(self.duration_waves).out()


@attrs.frozen
class Resume:
    def encode(self) -> bytes:
        return b""


@attrs.frozen
class MultisigAction:
    """A whole multisig payload: the action, the nonce it is signed for, the
    approvals."""

    action: Any
    nonce: int
    approvals: tuple[Signature, ...]

    def encode(self) -> bytes:
        w = Writer().raw(self.action.encode()).u64(self.nonce).u32(len(self.approvals))
        for a in self.approvals:
            w.u8(a.index).bytes_vec(a.signature)
        return w.out()


def read_spend(r: Reader) -> Spend:
    return Spend(r.take(32, "target"), r.u128("value"), r.take(32, "data_digest"))


def read_rotate(r: Reader) -> Rotate:
    count = r.u32("signer count")
    if count > MAX_MULTISIG_KEYS:
        raise r.fail(f"{count} new signers (at most {MAX_MULTISIG_KEYS})")
    return Rotate(tuple(r.bytes_vec("signer key") for _ in range(count)), r.u8("new_threshold"))


def read_pause(r: Reader) -> Pause:
    return Pause(r.u64("duration_waves"))


def read_resume(r: Reader) -> Resume:
    return Resume()


def reader_of(read_action: Callable[[Reader], Any]) -> Callable[[Reader], MultisigAction]:
    def read(r: Reader) -> MultisigAction:
        action = read_action(r)
        nonce = r.u64("multisig nonce")
        count = r.u32("approval count")
        if count > MAX_MULTISIG_KEYS:
            raise r.fail(f"{count} approvals (a set has at most {MAX_MULTISIG_KEYS} signers)")
        approvals = tuple(Signature(r.u8("signer index"), r.bytes_vec("approval")) for _ in range(count))
        return MultisigAction(action, nonce, approvals)

    return read


def approval_message(chain_id: int, tx_type: int, nonce: int, action) -> bytes:
    """What the signers sign: ``Poseidon2(Borsh(MULTISIG_VERSION u8,
    chain_id u64, tx_type u8, nonce u64) || action)`` -- the payload version
    of chapter 18 §18.7, the chain, which action, the replay counter and the
    action's own encoding."""
    head = Writer().u8(MULTISIG_VERSION).u64(chain_id).u8(tx_type).u64(nonce).out()
    return poseidon2_hash(head + action.encode())


# --------------------------------------------------------------------------
# the shared checks
# --------------------------------------------------------------------------


def is_paused(layer, wave_id: int) -> bool:
    found = layer.protocol(PAUSE_END_KEY)
    return found is not None and wave_id < found.value


def approve(ctx: TxContext, key: bytes, m: MultisigAction) -> MultisigConfig:
    """The signer set at ``key`` approves ``m``: nonce and approvals."""
    require_zero_to(ctx)
    require_no_value(ctx)
    cfg = ctx.layer.protocol(key)
    if cfg is None:
        raise Rejection(rj.NO_MULTISIG, "no signer set configured")
    if m.nonce != cfg.nonce:
        raise Rejection(rj.MULTISIG_NONCE_MISMATCH, f"payload nonce {m.nonce}, MULTISIG_NONCE {cfg.nonce}")
    message = approval_message(ctx.block.chain_id, ctx.tx.tx_type, m.nonce, m.action)
    check_signatures(m.approvals, cfg.signers, cfg.threshold, message,
                     verify=ctx.env.signatures_checked, codes=APPROVAL_CODES)
    return cfg


def bump_nonce(ctx: TxContext, key: bytes, cfg: MultisigConfig, **changes) -> None:
    ctx.layer.put_protocol(key, attrs.evolve(cfg, nonce=cfg.nonce + 1, **changes))


def approval_gas(base: int, m: MultisigAction) -> int:
    return base + MULTISIG_PER_SIGNATURE_GAS * len(m.approvals)


# --------------------------------------------------------------------------
# MultisigTx (9)
# --------------------------------------------------------------------------


def plan_spend(ctx: TxContext, m: MultisigAction) -> Plan:
    """Chapter 11 §11.7 / 15 §15.4: ``value > 0``, ``target`` not zero, not
    the treasury (nor another system account), not the sender; the
    approvals; the treasury can pay."""
    plan_ = sender_pays(ctx, approval_gas(MULTISIG_TX_BASE_GAS, m))
    spend: Spend = m.action
    if spend.value == 0:
        raise Rejection(rj.ZERO_SPEND)
    if is_reserved_address(spend.target) or spend.target == TREASURY or spend.target == ctx.sender:
        raise Rejection(rj.INVALID_SPEND_TARGET, f"target 0x{spend.target.hex()}")
    approve(ctx, TREASURY_MULTISIG_KEY, m)
    treasury = ctx.layer.balance(TREASURY)
    if treasury < spend.value:
        raise Rejection(rj.TREASURY_INSUFFICIENT, f"the treasury holds {treasury} < {spend.value}")
    return plan_


def execute_spend(ctx: TxContext, m: MultisigAction, plan_: Plan) -> Outcome:
    spend: Spend = m.action
    debit_fund(ctx.layer, TREASURY, spend.value)
    credit_balance(ctx.layer, spend.target, spend.value)
    bump_nonce(ctx, TREASURY_MULTISIG_KEY, ctx.layer.protocol(TREASURY_MULTISIG_KEY))
    return Outcome(Status.SUCCESS, plan_.intrinsic_gas)


# --------------------------------------------------------------------------
# RotateMultisig (10)
# --------------------------------------------------------------------------


def signer_set_problem(keys: tuple[bytes, ...], threshold: int):
    if not 1 <= len(keys) <= MAX_MULTISIG_KEYS:
        return f"{len(keys)} signers (1..{MAX_MULTISIG_KEYS})"
    if not 1 <= threshold <= len(keys):
        return f"threshold {threshold} not in [1, {len(keys)}]"
    if len(set(keys)) != len(keys):
        return "signers must be distinct"
    for key in keys:
        problem = check_public_key(key)
        if problem is not None:
            return problem
    return None


def plan_rotate(ctx: TxContext, m: MultisigAction) -> Plan:
    rotate: Rotate = m.action
    gas = approval_gas(ROTATE_MULTISIG_BASE_GAS, m) + ROTATE_MULTISIG_PER_SIGNER_GAS * len(rotate.new_signer_pks)
    plan_ = sender_pays(ctx, gas)
    problem = signer_set_problem(rotate.new_signer_pks, rotate.new_threshold)
    if problem is not None:
        raise Rejection(rj.INVALID_SIGNER_SET, problem)
    approve(ctx, TREASURY_MULTISIG_KEY, m)
    return plan_


def execute_rotate(ctx: TxContext, m: MultisigAction, plan_: Plan) -> Outcome:
    rotate: Rotate = m.action
    bump_nonce(ctx, TREASURY_MULTISIG_KEY, ctx.layer.protocol(TREASURY_MULTISIG_KEY),
               signers=tuple(rotate.new_signer_pks), threshold=rotate.new_threshold)
    return Outcome(Status.SUCCESS, plan_.intrinsic_gas)


# --------------------------------------------------------------------------
# EmergencyPause (11), EmergencyResume (12)
# --------------------------------------------------------------------------


def plan_pause(ctx: TxContext, m: MultisigAction) -> Plan:
    plan_ = sender_pays(ctx, approval_gas(MULTISIG_TX_BASE_GAS, m))
    if not 1 <= m.action.duration_waves <= MAX_PAUSE_DURATION_WAVES:
        raise Rejection(rj.INVALID_PAUSE_DURATION, f"{m.action.duration_waves} waves (1..{MAX_PAUSE_DURATION_WAVES})")
    approve(ctx, EMERGENCY_MULTISIG_KEY, m)
    return plan_


def execute_pause(ctx: TxContext, m: MultisigAction, plan_: Plan) -> Outcome:
    ctx.layer.put_protocol(PAUSE_END_KEY, Scalar(ctx.wave_id + m.action.duration_waves, 8))
    bump_nonce(ctx, EMERGENCY_MULTISIG_KEY, ctx.layer.protocol(EMERGENCY_MULTISIG_KEY))
    return Outcome(Status.SUCCESS, plan_.intrinsic_gas)


def plan_resume(ctx: TxContext, m: MultisigAction) -> Plan:
    plan_ = sender_pays(ctx, approval_gas(MULTISIG_TX_BASE_GAS, m))
    if not is_paused(ctx.layer, ctx.wave_id):
        raise Rejection(rj.NOT_PAUSED)
    approve(ctx, EMERGENCY_MULTISIG_KEY, m)
    return plan_


def execute_resume(ctx: TxContext, m: MultisigAction, plan_: Plan) -> Outcome:
    ctx.layer.put_protocol(PAUSE_END_KEY, None)
    bump_nonce(ctx, EMERGENCY_MULTISIG_KEY, ctx.layer.protocol(EMERGENCY_MULTISIG_KEY))
    return Outcome(Status.SUCCESS, plan_.intrinsic_gas)


def decoder(read_action):
    read = reader_of(read_action)
    return lambda tx: decode_payload(tx.data, read)


ACTION_READERS = {
    TxType.MULTISIG_TX: read_spend,
    TxType.ROTATE_MULTISIG: read_rotate,
    TxType.EMERGENCY_PAUSE: read_pause,
    TxType.EMERGENCY_RESUME: read_resume,
}

MULTISIG_TX = Handler("MultisigTx", decoder(read_spend), plan_spend, execute_spend)
ROTATE_MULTISIG = Handler("RotateMultisig", decoder(read_rotate), plan_rotate, execute_rotate)
EMERGENCY_PAUSE = Handler("EmergencyPause", decoder(read_pause), plan_pause, execute_pause)
EMERGENCY_RESUME = Handler("EmergencyResume", decoder(read_resume), plan_resume, execute_resume,
                           allowed_when_paused=True)
