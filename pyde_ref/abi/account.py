"""ABI §7.2 account and balance: ``balance``, ``transfer``."""

from __future__ import annotations

from pyde_ref.abi import memio
from pyde_ref.abi.constants import (
    ADDRESS_SIZE,
    ERR_FORBIDDEN,
    ERR_INSUFFICIENT_BALANCE,
    ERR_INVALID_ADDRESS,
    ERR_INVALID_INPUT,
    OK,
)
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge
from pyde_ref.state.system import is_system_address

ZERO_ADDRESS = bytes(ADDRESS_SIZE)


def is_valid_address(address: bytes) -> bool:
    """ABI §4 ``ERR_INVALID_ADDRESS``: "32-byte all-zero, reserved sentinel".
    The all-zero address is the only reserved value v1 defines."""
    return len(address) == ADDRESS_SIZE and address != ZERO_ADDRESS


def balance(env: HostEnv, addr_ptr: int, balance_out_ptr: int) -> int:
    """ABI §7.2 ``balance(addr_ptr, balance_out_ptr) -> i32``: the u128
    balance (LE); a never-funded address reads 0."""
    charge(env, "balance")
    address = memio.read_address(env, addr_ptr)
    if not is_valid_address(address):
        return ERR_INVALID_ADDRESS
    memio.write_u128(env, balance_out_ptr, env.ctx.state.balance(address))
    return OK


def transfer(env: HostEnv, to_ptr: int, amount_ptr: int) -> int:
    """ABI §7.2 ``transfer(to_ptr, amount_ptr) -> i32``: move ``amount`` from
    the executing contract (``self_address``; inside a ``delegate_call`` the
    delegating contract, ABI §7.8) to ``to``.  Only balances move: no code of
    the recipient runs (``spec/findings/abi-transfer.md``).  A system
    account (chapter 11 §11.3: its balance moves "only via specific
    transaction handlers") is a reserved address: ``ERR_INVALID_ADDRESS``."""
    charge(env, "transfer")
    if env.ctx.view_mode:
        return ERR_FORBIDDEN
    recipient = memio.read_address(env, to_ptr)
    amount = memio.read_u128(env, amount_ptr)
    if not is_valid_address(recipient) or is_system_address(recipient):
        return ERR_INVALID_ADDRESS
    state = env.ctx.state
    if state.balance(env.ctx.self_address) < amount:
        return ERR_INSUFFICIENT_BALANCE
    if not state.move_value(env.ctx.self_address, recipient, amount):
        # Only reachable when the recipient's balance would pass 2**128 - 1.
        return ERR_INVALID_INPUT
    return OK
