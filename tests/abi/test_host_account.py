"""ABI §7.2 balance and transfer, through a fake HostEnv."""

import pytest

from pyde_ref.abi import account
from pyde_ref.abi.constants import (
    ERR_FORBIDDEN, ERR_INSUFFICIENT_BALANCE, ERR_INVALID_ADDRESS, ERR_INVALID_INPUT, OK,
)
from pyde_ref.abi.testing import PAGE, address, make_env
from pyde_ref.state.accounts import U128_MAX
from pyde_ref.state.system import SYSTEM_ADDRESSES
from pyde_ref.wasm.errors import Trap

ADDR, AMOUNT, OUT = 0, 32, 64
ME = address(0xA1)
BOB = address(0xB0B)


def funded(balance=1000, **kw):
    env = make_env(**kw)
    env.ctx.state.set_balance(ME, balance)
    return env


def test_balance_reads_u128_le_and_unfunded_is_zero():
    env = funded(0x0102030405060708090A0B0C0D0E0F10)
    env.memory.write(ADDR, ME)
    assert account.balance(env, ADDR, OUT) == OK
    assert env.memory.read(OUT, 16) == (0x0102030405060708090A0B0C0D0E0F10).to_bytes(16, "little")
    env.memory.write(ADDR, BOB)
    env.memory.write(OUT, b"\xff" * 16)
    assert account.balance(env, ADDR, OUT) == OK
    assert env.memory.read(OUT, 16) == bytes(16)
    assert env.gas.consumed == 200


def test_balance_of_zero_address_is_invalid_address():
    env = funded()
    env.memory.write(ADDR, bytes(32))
    assert account.balance(env, ADDR, OUT) == ERR_INVALID_ADDRESS


def write_transfer(env, to, amount):
    env.memory.write(ADDR, to)
    env.memory.write(AMOUNT, amount.to_bytes(16, "little"))


def test_transfer_moves_value_from_self_address():
    env = funded(1000)
    write_transfer(env, BOB, 300)
    assert account.transfer(env, ADDR, AMOUNT) == OK
    assert env.ctx.state.balance(ME) == 700
    assert env.ctx.state.balance(BOB) == 300
    assert env.gas.consumed == 7000


def test_transfer_whole_balance_and_zero_amount():
    env = funded(5)
    write_transfer(env, BOB, 5)
    assert account.transfer(env, ADDR, AMOUNT) == OK
    write_transfer(env, BOB, 0)
    assert account.transfer(env, ADDR, AMOUNT) == OK
    assert (env.ctx.state.balance(ME), env.ctx.state.balance(BOB)) == (0, 5)


def test_transfer_insufficient_balance_changes_nothing():
    env = funded(10)
    write_transfer(env, BOB, 11)
    assert account.transfer(env, ADDR, AMOUNT) == ERR_INSUFFICIENT_BALANCE
    assert env.ctx.state.balance(ME) == 10 and env.ctx.state.balance(BOB) == 0


def test_transfer_to_zero_address_is_invalid_address():
    env = funded(10)
    write_transfer(env, bytes(32), 1)
    assert account.transfer(env, ADDR, AMOUNT) == ERR_INVALID_ADDRESS
    assert env.ctx.state.balance(ME) == 10


@pytest.mark.parametrize("system", sorted(SYSTEM_ADDRESSES))
def test_transfer_to_a_system_account_is_refused(system):
    """Chapter 11 §11.3: a system account's balance moves only through its
    own handlers; its balance may still be read."""
    env = funded(10)
    write_transfer(env, system, 1)
    assert account.transfer(env, ADDR, AMOUNT) == ERR_INVALID_ADDRESS
    assert env.ctx.state.balance(ME) == 10 and env.ctx.state.balance(system) == 0
    env.memory.write(ADDR, system)
    assert account.balance(env, ADDR, OUT) == OK


def test_transfer_in_view_mode_is_forbidden():
    env = funded(10, view_mode=True)
    write_transfer(env, BOB, 1)
    assert account.transfer(env, ADDR, AMOUNT) == ERR_FORBIDDEN
    assert env.ctx.state.balance(ME) == 10
    assert env.gas.consumed == 7000


def test_transfer_that_would_overflow_recipient_is_invalid_input():
    env = funded(10)
    env.ctx.state.set_balance(BOB, U128_MAX)
    write_transfer(env, BOB, 1)
    assert account.transfer(env, ADDR, AMOUNT) == ERR_INVALID_INPUT
    assert env.ctx.state.balance(ME) == 10


def test_transfer_inside_delegate_moves_the_delegators_funds():
    env = funded(0, self_address=address(0xDE), code_address=address(0xC0DE))
    env.ctx.state.set_balance(address(0xDE), 50)
    write_transfer(env, BOB, 20)
    assert account.transfer(env, ADDR, AMOUNT) == OK
    assert env.ctx.state.balance(address(0xDE)) == 30
    assert env.ctx.state.balance(address(0xC0DE)) == 0


@pytest.mark.parametrize("fn,cost", [(account.balance, 100), (account.transfer, 7000)])
def test_gas_one_short_traps_and_does_nothing(fn, cost):
    env = funded(1000, gas=cost - 1)
    write_transfer(env, BOB, 1)
    env.memory.write(OUT, b"\xee" * 16)
    with pytest.raises(Trap) as e:
        fn(env, ADDR, AMOUNT if fn is account.transfer else OUT)
    assert e.value.kind == "out_of_fuel"
    assert env.gas.consumed == 0
    assert env.ctx.state.balance(BOB) == 0
    assert env.memory.read(OUT, 16) == b"\xee" * 16


@pytest.mark.parametrize("fn,args", [
    (account.balance, (PAGE - 31, OUT)),
    (account.balance, (ADDR, PAGE - 15)),
    (account.transfer, (PAGE - 1, AMOUNT)),
    (account.transfer, (ADDR, PAGE - 8)),
])
def test_out_of_range_pointers_trap(fn, args):
    env = funded(1000)
    env.memory.write(ADDR, BOB)
    with pytest.raises(Trap) as e:
        fn(env, *args)
    assert e.value.kind == "memory_out_of_bounds"
    assert env.ctx.state.balance(BOB) == 0
