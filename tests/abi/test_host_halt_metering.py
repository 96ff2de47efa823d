"""ABI §7.9 return/revert and §7.10 consume_gas."""

import pytest

from pyde_ref.abi import halt, metering
from pyde_ref.abi.constants import ERR_INVALID_INPUT, OK
from pyde_ref.abi.halt import Halt, HaltReturn, HaltRevert
from pyde_ref.abi.testing import PAGE, make_env
from pyde_ref.wasm.errors import Trap


@pytest.mark.parametrize("fn,exc", [(halt.return_, HaltReturn), (halt.revert, HaltRevert)])
def test_halts_carry_their_data_and_cost_nothing(fn, exc):
    env = make_env(gas=0)
    env.memory.write(10, b"result!")
    with pytest.raises(exc) as e:
        fn(env, 10, 7)
    assert e.value.data == b"result!"
    assert isinstance(e.value, Halt) and not isinstance(e.value, Trap)
    assert env.gas.consumed == 0


@pytest.mark.parametrize("fn", [halt.return_, halt.revert])
def test_halt_with_out_of_range_data_traps(fn):
    with pytest.raises(Trap) as e:
        fn(make_env(), PAGE - 2, 3)
    assert e.value.kind == "memory_out_of_bounds"


def test_halt_with_empty_data():
    with pytest.raises(HaltReturn) as e:
        halt.return_(make_env(), PAGE, 0)
    assert e.value.data == b""


def test_consume_gas_charges_amount_plus_2():
    env = make_env(gas=1000)
    assert metering.consume_gas(env, 500) == OK
    assert env.gas.consumed == 502
    assert metering.consume_gas(env, 0) == OK
    assert env.gas.consumed == 504


def test_consume_gas_over_budget_traps_and_charges_nothing():
    env = make_env(gas=1000)
    with pytest.raises(Trap) as e:
        metering.consume_gas(env, 999)  # 999 + 2 > 1000
    assert e.value.kind == "out_of_fuel"
    assert env.gas.consumed == 0
    assert metering.consume_gas(env, 998) == OK
    assert env.gas.remaining == 0


def test_consume_gas_negative_amount_is_invalid_input():
    env = make_env(gas=1000)
    assert metering.consume_gas(env, (1 << 64) - 5) == ERR_INVALID_INPUT  # i64 -5
    assert env.gas.consumed == 2


def test_consume_gas_huge_unsigned_amount_is_read_as_signed():
    env = make_env(gas=None)
    assert metering.consume_gas(env, (1 << 63) - 1) == OK
    assert env.gas.consumed == (1 << 63) + 1
