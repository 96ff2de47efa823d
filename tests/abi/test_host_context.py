"""ABI §7.3 execution context, §7.4 transaction context, §7.11 beacon."""

import pytest

from pyde_ref.abi import context
from pyde_ref.abi.constants import ERR_INVALID_INPUT, OK
from pyde_ref.abi.env import BlockContext
from pyde_ref.abi.testing import PAGE, address, make_env
from pyde_ref.wasm.errors import Trap

BLOCK = BlockContext(chain_id=31337, block_height=123, wave_id=124,
                     block_timestamp=1_700_000_001, beacon=bytes(range(100, 132)), base_fee=3)


@pytest.mark.parametrize("fn,field,expected", [
    (context.caller, "caller", address(0xC1)),
    (context.origin, "origin", address(0x01)),
    (context.self_address, "self_address", address(0xA1)),
    (context.tx_hash, "tx_hash", bytes([9]) * 32),
    (context.beacon_get, None, bytes(range(100, 132))),
])
def test_fixed_size_outputs(fn, field, expected):
    env = make_env(block=BLOCK, tx_hash=bytes([9]) * 32)
    assert fn(env, 40) == OK
    assert env.memory.read(40, 32) == expected


def test_delegate_frame_reports_the_delegators_identity():
    env = make_env(self_address=address(0xDE), code_address=address(0xC0DE), caller=address(0xEE))
    context.self_address(env, 0)
    context.caller(env, 32)
    assert env.memory.read(0, 32) == address(0xDE)
    assert env.memory.read(32, 32) == address(0xEE)


@pytest.mark.parametrize("fn,expected", [
    (context.block_height, 123),
    (context.wave_id, 124),
    (context.block_timestamp, 1_700_000_001),
    (context.chain_id, 31337),
])
def test_chain_scalars_come_from_the_block_context(fn, expected):
    env = make_env(block=BLOCK)
    assert fn(env) == expected
    assert env.gas.consumed == 2


def test_tx_value_writes_u128_le():
    env = make_env(value=(1 << 100) + 5)
    assert context.tx_value(env, 8) == OK
    assert env.memory.read(8, 16) == ((1 << 100) + 5).to_bytes(16, "little")


def test_tx_gas_remaining_is_after_its_own_charge():
    env = make_env(gas=1000)
    assert context.tx_gas_remaining(env) == 998
    env = make_env(gas=None)
    assert context.tx_gas_remaining(env) == (1 << 63) - 1


def test_calldata_size_and_copy():
    env = make_env(calldata=b"hello world")
    assert context.calldata_size(env) == 11
    assert context.calldata_copy(env, 6, 5, 100) == OK
    assert env.memory.read(100, 5) == b"world"
    assert context.calldata_copy(env, 0, 11, 200) == OK
    assert env.memory.read(200, 11) == b"hello world"
    assert context.calldata_copy(env, 11, 0, 300) == OK  # empty range at the end


@pytest.mark.parametrize("offset,length", [(0, 12), (6, 6), (12, 0), (0xFFFF_FFFF, 1)])
def test_calldata_copy_past_the_end_is_invalid_input(offset, length):
    env = make_env(calldata=b"hello world")
    env.memory.write(100, b"\xee" * 16)
    assert context.calldata_copy(env, offset, length, 100) == ERR_INVALID_INPUT
    assert env.memory.read(100, 16) == b"\xee" * 16


def test_calldata_copy_gas_is_8_plus_1_per_byte_even_on_error():
    env = make_env(calldata=b"x" * 100)
    context.calldata_copy(env, 0, 37, 0)
    assert env.gas.consumed == 8 + 37
    env = make_env(calldata=b"x" * 10)
    context.calldata_copy(env, 5, 20, 0)
    assert env.gas.consumed == 8 + 20


GAS = [
    (context.caller, 5, (0,)), (context.origin, 5, (0,)), (context.self_address, 5, (0,)),
    (context.block_height, 2, ()), (context.wave_id, 2, ()), (context.block_timestamp, 2, ()),
    (context.chain_id, 2, ()), (context.tx_hash, 5, (0,)), (context.tx_value, 5, (0,)),
    (context.tx_gas_remaining, 2, ()), (context.calldata_size, 2, ()),
    (context.calldata_copy, 8, (0, 0, 0)), (context.beacon_get, 50, (0,)),
]


@pytest.mark.parametrize("fn,cost,args", GAS)
def test_gas_figures_and_one_short_traps(fn, cost, args):
    env = make_env()
    fn(env, *args)
    assert env.gas.consumed == cost
    env = make_env(gas=cost - 1)
    env.memory.write(0, b"\xee" * 32)
    with pytest.raises(Trap) as e:
        fn(env, *args)
    assert e.value.kind == "out_of_fuel"
    assert env.gas.consumed == 0
    assert env.memory.read(0, 32) == b"\xee" * 32


@pytest.mark.parametrize("fn,ptr", [
    (context.caller, PAGE - 31), (context.origin, PAGE), (context.self_address, 0xFFFF_FFF0),
    (context.tx_hash, PAGE - 1), (context.tx_value, PAGE - 15), (context.beacon_get, PAGE - 31),
])
def test_out_of_range_output_traps(fn, ptr):
    with pytest.raises(Trap) as e:
        fn(make_env(), ptr)
    assert e.value.kind == "memory_out_of_bounds"


def test_calldata_copy_out_of_range_output_traps():
    env = make_env(calldata=b"abcd")
    with pytest.raises(Trap) as e:
        context.calldata_copy(env, 0, 4, PAGE - 3)
    assert e.value.kind == "memory_out_of_bounds"
