"""Who pays and where the fee goes (chapter 10 §10.1, §10.5, §10.7; chapter
11 §11.6 ``fee_payer``; ABI §3.5 ``sponsored``): the sender, a contract's gas
tank, a paymaster; gas-tank deposits and withdrawals; the 70/20/10 split;
system accounts; the transaction's access list."""

from __future__ import annotations

import attrs
import pytest

from pyde_ref.abi.constants import ERR_INVALID_ADDRESS
from pyde_ref.executor.fees import split_fee, total_burned
from pyde_ref.executor.testing import Chain, address, build_contract, call_tx, system_tx, transfer_tx
from pyde_ref.executor.transactions import AccessEntry, AccessType, FeePayer, FeePayerKind
from pyde_ref.state.borsh import Writer
from pyde_ref.state.system import AIRDROP_POOL, GAS_TANKS, REWARD_POOL, STAKING, TREASURY
from tx_helpers import COUNTER, COUNTER_WAT, assert_rejected, paymaster

USER, OWNER, OTHER = address(1), address(2), address(3)
DAPP, PAYMASTER = address(0xDA), address(0xFA)
BASE_FEE = 7
GAS_TANK = FeePayer(FeePayerKind.GAS_TANK)


def chain_with_dapp(tank: int = 10**9, user_balance: int = 0) -> Chain:
    chain = Chain()
    chain.block = attrs.evolve(chain.block, base_fee=BASE_FEE)
    chain.fund(OWNER, 10**15)
    chain.fund(USER, user_balance)
    chain.install(DAPP, COUNTER, owner=OWNER, gas_tank=tank)
    return chain


def test_fee_split_70_20_10():
    assert split_fee(21_000 * 50_000_000_000) == (735_000_000_000_000, 210_000_000_000_000, 105_000_000_000_000)
    assert split_fee(101) == (70, 20, 11)  # the remainder goes to the treasury
    assert split_fee(0) == (0, 0, 0)


def test_sender_pays_and_the_fee_is_split():
    chain = chain_with_dapp()
    r = chain.call(OWNER, DAPP, "bump")
    total = r.gas_used * BASE_FEE
    assert (r.fee.payer_kind, r.fee.payer, r.fee.total) == ("sender", OWNER, total)
    assert (r.fee.burned, r.fee.reward_pool, r.fee.treasury) == split_fee(total)
    assert chain.balance(OWNER) == 10**15 - total
    assert chain.balance(REWARD_POOL) == r.fee.reward_pool and chain.balance(TREASURY) == r.fee.treasury
    assert total_burned(chain.state) == r.fee.burned
    assert chain.state.account(TREASURY).account_type == 2  # a System account


def test_sponsored_function_is_paid_by_the_contracts_tank():
    """ABI §3.5 ``sponsored``: "Gas costs charged to the contract's gas tank
    instead of the caller".  The caller, who could pay, is untouched to the
    unit; the tank is debited by exactly gas used × base fee."""
    chain = chain_with_dapp(tank=10**9, user_balance=10**12)
    r = chain.call(USER, DAPP, "sponsored_bump", gas_limit=100_000)
    assert r.status == "success" and r.gas_used > 0
    assert chain.balance(USER) == 10**12
    assert chain.state.account(DAPP).gas_tank == 10**9 - r.gas_used * BASE_FEE
    assert (r.fee.payer_kind, r.fee.payer) == ("gas_tank", DAPP)
    assert chain.state.sload(DAPP, bytes(32))[:8] == (1).to_bytes(8, "little")


def test_sponsored_function_with_a_short_tank_is_rejected():
    chain = chain_with_dapp(tank=100_000 * BASE_FEE - 1)
    assert_rejected(chain, call_tx(USER, DAPP, "sponsored_bump", gas_limit=100_000), "GasTankInsufficient")


def test_fee_payer_gas_tank():
    """§10.7 / §11.12: ``fee_payer = GasTank`` charges the target contract's tank."""
    chain = chain_with_dapp()
    r = chain.call(USER, DAPP, "bump", gas_limit=50_000, fee_payer=GAS_TANK)
    assert r.status == "success" and chain.balance(USER) == 0
    assert chain.state.account(DAPP).gas_tank == 10**9 - r.gas_used * BASE_FEE


def test_fee_payer_gas_tank_refusals():
    """"If the gas tank is empty, the tx reverts (the sender did not pay)":
    rejected, nothing changes; a target without code has no tank to use."""
    chain = chain_with_dapp(tank=0)
    assert_rejected(chain, call_tx(USER, DAPP, "bump", fee_payer=GAS_TANK), "GasTankInsufficient")
    assert_rejected(chain, transfer_tx(OWNER, OTHER, 1, fee_payer=GAS_TANK), "FeePayerNotApplicable")


def test_gas_tank_pays_for_a_transfer_to_its_contract():
    chain = chain_with_dapp()
    chain.fund(USER, 5)
    r = chain.transfer(USER, DAPP, 5, fee_payer=GAS_TANK)
    assert r.status == "success" and chain.balance(DAPP) == 5 and chain.balance(USER) == 0
    assert chain.state.account(DAPP).gas_tank == 10**9 - 21_000 * BASE_FEE


def test_a_revert_paid_by_a_tank_still_charges_the_tank():
    chain = chain_with_dapp()
    r = chain.call(USER, DAPP, "bump", gas_limit=100, fee_payer=GAS_TANK)  # out of gas
    assert (r.status, r.trap) == ("trap", "out_of_fuel")
    assert chain.state.account(DAPP).gas_tank == 10**9 - r.gas_used * BASE_FEE


def with_paymaster(behaviour: str, tank: int = 10**9) -> Chain:
    chain = chain_with_dapp()
    chain.install(PAYMASTER, paymaster(behaviour), owner=OWNER, gas_tank=tank)
    return chain


def test_paymaster_sponsors():
    """§10.7: the engine calls ``validate_sponsorship(user, target,
    calldata)``; on true the paymaster's tank pays, validation gas included;
    the validation's own writes stay."""
    chain = with_paymaster("yes")
    r = chain.call(USER, DAPP, "bump", gas_limit=200_000, fee_payer=FeePayer(FeePayerKind.PAYMASTER, PAYMASTER))
    assert r.status == "success" and chain.balance(USER) == 0
    assert (r.fee.payer_kind, r.fee.payer) == ("paymaster", PAYMASTER)
    assert chain.state.account(PAYMASTER).gas_tank == 10**9 - r.gas_used * BASE_FEE
    assert chain.state.sload(PAYMASTER, bytes(32))[:8] == (1).to_bytes(8, "little")  # counted
    plain = chain.call(OWNER, DAPP, "bump", gas_limit=200_000)
    assert r.gas_used > plain.gas_used  # validation gas is part of the transaction's


def test_paymaster_for_a_transfer():
    chain = with_paymaster("yes")
    chain.fund(USER, 3)
    r = chain.transfer(USER, OTHER, 3, gas_limit=200_000,
                       fee_payer=FeePayer(FeePayerKind.PAYMASTER, PAYMASTER))
    assert r.status == "success" and r.gas_used > 21_000 and chain.balance(OTHER) == 3


@pytest.mark.parametrize("behaviour", ["no", "trap", "spin"])
def test_paymaster_refusals(behaviour):
    """A validation that returns false, traps or runs out of its 100,000
    gas rejects the transaction (and its counting write disappears)."""
    chain = with_paymaster(behaviour)
    tx = call_tx(USER, DAPP, "bump", gas_limit=500_000, fee_payer=FeePayer(FeePayerKind.PAYMASTER, PAYMASTER))
    assert_rejected(chain, tx, "PaymasterRefused")


def test_paymaster_without_code_or_tank_or_entry():
    chain = with_paymaster("yes", tank=10)
    to_paymaster = FeePayer(FeePayerKind.PAYMASTER, PAYMASTER)
    assert_rejected(chain, call_tx(USER, DAPP, "bump", fee_payer=to_paymaster), "GasTankInsufficient")
    assert_rejected(chain, call_tx(USER, DAPP, "bump", fee_payer=FeePayer(FeePayerKind.PAYMASTER, OTHER)),
                    "PaymasterNotContract")
    chain.install(OTHER, COUNTER, gas_tank=10**9)  # no validate_sponsorship entry
    assert_rejected(chain, call_tx(USER, DAPP, "bump", fee_payer=FeePayer(FeePayerKind.PAYMASTER, OTHER)),
                    "PaymasterRefused")


# --------------------------------------------------------------------------
# gas-tank deposits and withdrawals (GAS_TANKS system operations)
# --------------------------------------------------------------------------


def deposit(sender, target, value):
    return system_tx(sender, GAS_TANKS, "deposit", target, value=value)


def withdraw(sender, target, amount, recipient):
    return system_tx(sender, GAS_TANKS, "withdraw", Writer().fixed(target, 32).u128(amount).fixed(recipient, 32).out())


def test_anyone_deposits_the_owner_withdraws():
    chain = chain_with_dapp(tank=0)
    chain.fund(OTHER, 10**12)
    r = chain.apply(deposit(OTHER, DAPP, 5_000))
    assert r.gas_used == 21_000 and chain.state.account(DAPP).gas_tank == 5_000
    assert chain.balance(OTHER) == 10**12 - 5_000 - 21_000 * BASE_FEE
    r = chain.apply(withdraw(OWNER, DAPP, 2_000, USER))
    assert r.status == "success" and chain.balance(USER) == 2_000
    assert chain.state.account(DAPP).gas_tank == 3_000
    # an externally-owned account owns its own tank
    chain.apply(deposit(OTHER, OTHER, 10))
    assert chain.apply(withdraw(OTHER, OTHER, 10, OTHER)).status == "success"


@pytest.mark.parametrize("make, code", [
    (lambda: deposit(OWNER, DAPP, 0), "ZeroAmount"),
    (lambda: deposit(OWNER, bytes(32), 5), "InvalidRecipient"),
    (lambda: deposit(OWNER, TREASURY, 5), "InvalidRecipient"),
    (lambda: withdraw(OWNER, DAPP, 0, OWNER), "ZeroAmount"),
    (lambda: withdraw(USER, DAPP, 1, USER), "NotOwner"),
    (lambda: withdraw(OWNER, USER, 1, USER), "NotOwner"),  # someone else's account
    (lambda: withdraw(OWNER, DAPP, 10**9 + 1, OWNER), "GasTankTooLow"),
    (lambda: withdraw(OWNER, DAPP, 1, REWARD_POOL), "InvalidRecipient"),
    (lambda: system_tx(OWNER, GAS_TANKS, "deposit", b"short", value=1), "MalformedPayload"),
    (lambda: system_tx(OWNER, GAS_TANKS, "withdraw", DAPP + bytes(16) + OWNER, value=1), "UnexpectedValue"),
    (lambda: system_tx(OWNER, GAS_TANKS, "burn_it"), "UnknownSystemOperation"),
    (lambda: transfer_tx(OWNER, GAS_TANKS, 1), "UnknownSystemOperation"),
    (lambda: system_tx(OWNER, GAS_TANKS, "deposit", DAPP, value=5, fee_payer=GAS_TANK), "FeePayerNotApplicable"),
])
def test_gas_tank_refusals(make, code):
    assert_rejected(chain_with_dapp(), make(), code)


def test_tank_overflow_is_refused():
    chain = chain_with_dapp(tank=2**128 - 1)
    assert_rejected(chain, deposit(OWNER, DAPP, 1), "RecipientOverflow")


# --------------------------------------------------------------------------
# system accounts take no transfers (chapter 11 §11.3)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fund", [TREASURY, REWARD_POOL, AIRDROP_POOL])
def test_no_transfer_credits_a_system_account(fund):
    chain = chain_with_dapp()
    receipt = assert_rejected(chain, transfer_tx(OWNER, fund, 1), "InvalidRecipient")
    assert receipt.error_code == ERR_INVALID_ADDRESS


def test_unknown_staking_operation():
    assert_rejected(chain_with_dapp(), system_tx(OWNER, STAKING, "mint"), "UnknownSystemOperation")


# --------------------------------------------------------------------------
# the transaction's access list (chapter 11 §11.6)
# --------------------------------------------------------------------------


SLOT0 = bytes(32)


def test_access_list_allows_listed_slots():
    chain = chain_with_dapp()
    listed = (AccessEntry(DAPP, (SLOT0,), AccessType.READ_WRITE),)
    assert chain.call(OWNER, DAPP, "bump", access_list=listed).status == "success"
    read_only = (AccessEntry(DAPP, (SLOT0,), AccessType.READ),)
    assert chain.call(OWNER, DAPP, "get", access_list=read_only).status == "success"


@pytest.mark.parametrize("entries", [
    (AccessEntry(DAPP, (SLOT0,), AccessType.READ),),  # a write to a read-only slot
    (AccessEntry(DAPP, (b"\x01" * 32,), AccessType.READ_WRITE),),  # another slot
    (AccessEntry(OTHER, (SLOT0,), AccessType.READ_WRITE),),  # another contract
])
def test_access_list_violation_reverts_the_transaction(entries):
    """"If the actual on-chain execution touches a slot not in the access
    list, the transaction reverts cleanly with AccessListViolation": a trap
    of kind access_list_violation; the fee is paid, nothing else stays."""
    chain = chain_with_dapp()
    r = chain.call(OWNER, DAPP, "bump", access_list=entries)
    assert (r.status, r.trap) == ("trap", "access_list_violation")
    assert chain.state.sload(DAPP, SLOT0) == bytes(32)
    assert chain.balance(OWNER) == 10**15 - r.gas_used * BASE_FEE


def test_access_list_duplicates_are_refused():
    chain = chain_with_dapp()
    twice = (AccessEntry(DAPP, ()), AccessEntry(DAPP, ()))
    assert_rejected(chain, call_tx(OWNER, DAPP, "bump", access_list=twice), "AccessListDuplicate")
    key_twice = (AccessEntry(DAPP, (SLOT0, SLOT0)),)
    assert_rejected(chain, call_tx(OWNER, DAPP, "bump", access_list=key_twice), "AccessListDuplicate")


def test_fee_recipients_cannot_overflow():
    """Chapter 10 §10.12 "checked_mul": a treasury a fee would push past
    2^128 - 1 refuses the transaction up front."""
    chain = chain_with_dapp()
    chain.state.put_account(TREASURY, chain.state.account(TREASURY).evolve(balance=2**128 - 1, account_type=2))
    assert_rejected(chain, call_tx(OWNER, DAPP, "bump"), "FeeOverflow")


def test_value_past_the_recipients_u128_is_refused():
    chain = chain_with_dapp()
    chain.fund(OTHER, 2**128 - 1)
    assert_rejected(chain, transfer_tx(OWNER, OTHER, 1), "RecipientOverflow")
    chain.state.put_account(DAPP, chain.state.account(DAPP).evolve(balance=2**128 - 1))
    payable = build_contract(COUNTER_WAT, ["bump:payable", "sponsored_bump", "get:view", "hash"])
    chain.install(PAYMASTER, payable, balance=2**128 - 1)
    receipt = assert_rejected(chain, call_tx(OWNER, PAYMASTER, "bump", value=1), "EntryRefused")
    assert receipt.error_code == -3  # the frame's own refusal: the value could not move
