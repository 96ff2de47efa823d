"""Gas-tank deposits and withdrawals (chapter 10 §10.7, chapter 11 §11.1
``gas_tank``: "deposit by anyone; withdraw by owner"), as system operations
of ``GAS_TANKS``:

* ``deposit(target)``: the attached ``value`` goes into ``target``'s tank
  (any account but the zero address and the system accounts);
* ``withdraw(target, amount, recipient)``: ``amount`` leaves ``target``'s
  tank for ``recipient``'s balance; only the owner may: the account itself
  for an externally-owned account, the contract's owner (its deployer, seed
  §3.10) for a contract.
"""

from __future__ import annotations

import attrs

from pyde_ref.executor import rejections as rj
from pyde_ref.executor.context import Outcome, Plan, TxContext, sender_pays
from pyde_ref.executor.fees import credit_balance, debit_balance
from pyde_ref.executor.handlers.base import SystemOp
from pyde_ref.executor.handlers.common import require_plain_recipient
from pyde_ref.executor.params import NATIVE_BASE_GAS
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Status
from pyde_ref.state.accounts import U128_MAX
from pyde_ref.state.borsh import Reader
from pyde_ref.state.system import GAS_TANKS


@attrs.frozen
class Withdrawal:
    target: bytes
    amount: int
    recipient: bytes


def read_deposit(reader: Reader) -> bytes:
    """Argument: the target address ``[u8; 32]``."""
    return reader.take(32, "target")


def plan_deposit(ctx: TxContext, target: bytes) -> Plan:
    if ctx.tx.value == 0:
        raise Rejection(rj.ZERO_AMOUNT, "deposit without value")
    require_plain_recipient(target, "target")
    if ctx.layer.account(target).gas_tank + ctx.tx.value > U128_MAX:
        raise Rejection(rj.RECIPIENT_OVERFLOW, "the tank would pass 2^128 - 1")
    return sender_pays(ctx, NATIVE_BASE_GAS)


def execute_deposit(ctx: TxContext, target: bytes, plan_: Plan) -> Outcome:
    debit_balance(ctx.layer, ctx.sender, ctx.tx.value)
    account = ctx.layer.account(target)
    ctx.layer.put_account(target, account.evolve(gas_tank=account.gas_tank + ctx.tx.value))
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS)


def read_withdrawal(reader: Reader) -> Withdrawal:
    """Arguments: target ``[u8; 32]``, amount u128, recipient ``[u8; 32]``."""
    return Withdrawal(reader.take(32, "target"), reader.u128("amount"), reader.take(32, "recipient"))


def tank_owner(layer, target: bytes):
    """Who may withdraw from ``target``'s tank: a contract's owner, or the
    account itself."""
    if layer.account(target).is_contract:
        return layer.contract_meta(target).owner
    return target


def plan_withdrawal(ctx: TxContext, w: Withdrawal) -> Plan:
    if w.amount == 0:
        raise Rejection(rj.ZERO_AMOUNT, "withdrawal of 0")
    if tank_owner(ctx.layer, w.target) != ctx.sender:
        raise Rejection(rj.NOT_OWNER, f"the sender does not own 0x{w.target.hex()}'s gas tank")
    tank = ctx.layer.account(w.target).gas_tank
    if tank < w.amount:
        raise Rejection(rj.GAS_TANK_TOO_LOW, f"the tank holds {tank} < {w.amount}")
    require_plain_recipient(w.recipient)
    return sender_pays(ctx, NATIVE_BASE_GAS)


def execute_withdrawal(ctx: TxContext, w: Withdrawal, plan_: Plan) -> Outcome:
    account = ctx.layer.account(w.target)
    ctx.layer.put_account(w.target, account.evolve(gas_tank=account.gas_tank - w.amount))
    credit_balance(ctx.layer, w.recipient, w.amount)
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS)


SYSTEM_OPS = (
    SystemOp(GAS_TANKS, "deposit", read_deposit, plan_deposit, execute_deposit, takes_value=True),
    SystemOp(GAS_TANKS, "withdraw", read_withdrawal, plan_withdrawal, execute_withdrawal),
)
