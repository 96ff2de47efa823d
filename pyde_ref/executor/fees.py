"""Fees: who can pay, charging after execution, and the 70/20/10 split
(chapter 10 §10.1, §10.5, §10.7; chapter 11 §11.6 ``fee_payer``).

* Up front (:func:`check_affordable`): the payer covers ``gas_limit ×
  base_fee`` -- the sender from its balance (together with the attached
  ``value`` and any fee the type itself takes), a gas tank from the tank
  (§10.7: "If the gas tank is empty, the tx reverts (the sender did not
  pay)": it is rejected, nothing changes); the sender always pays ``value``.
* After execution (:func:`charge_fee`): ``gas_used × base_fee`` leaves the
  payer and is split by :func:`distribute_fee`.

Balances only the protocol moves -- the burned counter, the reward pool
and the treasury (:mod:`pyde_ref.state.system`) -- are credited here and by
the native handlers through :func:`credit_fund` and :func:`burn`.
"""

from __future__ import annotations

from pyde_ref.executor.context import Payer, PayerKind
from pyde_ref.executor.params import FEE_BURN_PERCENT, FEE_REWARD_POOL_PERCENT
from pyde_ref.executor.rejections import (
    FEE_OVERFLOW,
    GAS_TANK_INSUFFICIENT,
    INSUFFICIENT_BALANCE,
    RECIPIENT_OVERFLOW,
    Rejection,
)
from pyde_ref.executor.transactions import FeeCharge, Transaction
from pyde_ref.state.accounts import U128_MAX, AccountType
from pyde_ref.state.records import Disc, Scalar, protocol_key
from pyde_ref.state.system import FUND_ACCOUNTS, REWARD_POOL, TREASURY

TOTAL_BURNED_KEY = protocol_key(Disc.TOTAL_BURNED)


def split_fee(total: int) -> tuple[int, int, int]:
    """Chapter 10 §10.5 ``distribute_fee``: ``burned = total × 70 / 100``,
    ``reward_pool = total × 20 / 100`` (integer division), ``treasury`` the
    rest ("remainder catches rounding")."""
    burned = total * FEE_BURN_PERCENT // 100
    reward_pool = total * FEE_REWARD_POOL_PERCENT // 100
    return burned, reward_pool, total - burned - reward_pool


# --------------------------------------------------------------------------
# protocol-held balances
# --------------------------------------------------------------------------


def total_burned(layer) -> int:
    found = layer.protocol(TOTAL_BURNED_KEY)
    return 0 if found is None else found.value


def burn(layer, amount: int) -> None:
    """Add ``amount`` to chapter 4 §4.4 ``TOTAL_BURNED`` (the quanta leave
    every balance for good)."""
    layer.put_protocol(TOTAL_BURNED_KEY, Scalar(total_burned(layer) + amount))


def credit_fund(layer, fund: bytes, amount: int) -> None:
    """Credit a fund account (:data:`~pyde_ref.state.system.FUND_ACCOUNTS`);
    it is a ``System`` account (chapter 11 §11.3)."""
    assert fund in FUND_ACCOUNTS
    account = layer.account(fund)
    layer.put_account(fund, account.evolve(balance=account.balance + amount,
                                           account_type=AccountType.SYSTEM))


def debit_fund(layer, fund: bytes, amount: int) -> None:
    account = layer.account(fund)
    assert account.balance >= amount
    layer.put_account(fund, account.evolve(balance=account.balance - amount,
                                           account_type=AccountType.SYSTEM))


def credit_balance(layer, address: bytes, amount: int) -> None:
    """Credit an ordinary account; ``RecipientOverflow`` past u128."""
    account = layer.account(address)
    if account.balance + amount > U128_MAX:
        raise Rejection(RECIPIENT_OVERFLOW, f"0x{address.hex()}'s balance would pass 2^128 - 1")
    layer.put_account(address, account.evolve(balance=account.balance + amount))


def debit_balance(layer, address: bytes, amount: int) -> None:
    account = layer.account(address)
    if account.balance < amount:
        raise Rejection(INSUFFICIENT_BALANCE, f"0x{address.hex()} holds {account.balance} < {amount}")
    layer.put_account(address, account.evolve(balance=account.balance - amount))


# --------------------------------------------------------------------------
# before and after execution
# --------------------------------------------------------------------------


def max_fee(tx: Transaction, base_fee: int) -> int:
    """Chapter 10 §10.1 step 1: what the payer must hold, ``gas_limit ×
    base_fee``."""
    return tx.gas_limit * base_fee


def check_affordable(layer, tx: Transaction, payer: Payer, base_fee: int, sender_debit: int = 0) -> None:
    """Chapter 10 §10.1 step 3 ("Re-check balance") and §10.7 / §11.12
    step 2 ("DEX.gas_tank >= 150_000 * base_fee"), plus the headroom of the
    fee's recipients (chapter 10 §10.12: checked arithmetic)."""
    fee = max_fee(tx, base_fee) if payer.kind != PayerKind.NONE else 0
    own = tx.value + sender_debit + (fee if payer.kind == PayerKind.SENDER else 0)
    balance = layer.account(tx.sender).balance
    if balance < own:
        raise Rejection(INSUFFICIENT_BALANCE,
                        f"sender balance {balance} below {own} (gas_limit × base_fee + value + fees)"
                        if payer.kind == PayerKind.SENDER else
                        f"sender balance {balance} below value {own}")
    if payer.from_tank:
        tank = layer.account(payer.account).gas_tank
        if tank < fee:
            raise Rejection(GAS_TANK_INSUFFICIENT,
                            f"gas tank of 0x{payer.account.hex()} holds {tank} < gas_limit × base_fee = {fee}")
    burned, pool, treasury = split_fee(fee)
    if (total_burned(layer) + burned > U128_MAX or layer.balance(REWARD_POOL) + pool > U128_MAX
            or layer.balance(TREASURY) + treasury > U128_MAX):
        raise Rejection(FEE_OVERFLOW)


def charge_fee(layer, payer: Payer, gas_used: int, base_fee: int) -> FeeCharge:
    """Chapter 10 §10.1 step 3-4: debit ``gas_used × base_fee`` from the
    payer, then burn 70%, credit the reward pool 20% and the treasury the
    rest.  :func:`check_affordable` guaranteed the payer can."""
    total = gas_used * base_fee
    if payer.from_tank:
        account = layer.account(payer.account)
        assert account.gas_tank >= total, "gas tank drained during execution"
        layer.put_account(payer.account, account.evolve(gas_tank=account.gas_tank - total))
    else:
        account = layer.account(payer.account)
        assert account.balance >= total, "payer drained during execution"
        layer.put_account(payer.account, account.evolve(balance=account.balance - total))
    burned, pool, treasury = split_fee(total)
    if burned:
        burn(layer, burned)
    if pool:
        credit_fund(layer, REWARD_POOL, pool)
    if treasury:
        credit_fund(layer, TREASURY, treasury)
    return FeeCharge(payer.kind, payer.account, total, burned, pool, treasury)
