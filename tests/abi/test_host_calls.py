"""ABI §7.8 cross_call / cross_call_static / delegate_call, host side, with a
scripted sub-call runner standing in for the executor."""

import pytest

from pyde_ref.abi import calls
from pyde_ref.abi.constants import (
    ERR_CROSS_CALL_FAILED, ERR_CROSS_CALL_OUT_OF_GAS, ERR_FORBIDDEN, ERR_INVALID_FUNCTION_NAME,
    ERR_INVALID_INPUT, ERR_REENTRANCY_BLOCKED, ERR_VALUE_TRANSFER_NOT_PAYABLE, OK, VIEW_FUEL_CAP,
)
from pyde_ref.abi.env import SubcallKind, SubcallResult, SubcallStatus
from pyde_ref.abi.testing import PAGE, ScriptedCalls, address, make_env
from pyde_ref.wasm.errors import Trap

TARGET, NAME, CALLDATA, VALUE, OUT, OUT_LEN = 0, 100, 200, 300, 1000, 2000
B = address(0xB)


def setup(result, *, gas=1_000_000, name=b"transfer", calldata=b"\x01\x02\x03", value=0, **kw):
    runner = ScriptedCalls(result)
    env = make_env(gas=gas, calls=runner, **kw)
    env.memory.write(TARGET, B)
    env.memory.write(NAME, name)
    env.memory.write(CALLDATA, calldata)
    env.memory.write(VALUE, value.to_bytes(16, "little"))
    env.memory.write(OUT_LEN, b"\xee" * 4)
    return env, runner, len(name), len(calldata)


def do_call(env, n, c, gas_limit=50_000):
    return calls.cross_call(env, TARGET, NAME, n, CALLDATA, c, VALUE, gas_limit, OUT, OUT_LEN)


def do_static(env, n, c, gas_limit=50_000):
    return calls.cross_call_static(env, TARGET, NAME, n, CALLDATA, c, gas_limit, OUT, OUT_LEN)


def do_delegate(env, n, c, gas_limit=50_000):
    return calls.delegate_call(env, TARGET, NAME, n, CALLDATA, c, gas_limit, OUT, OUT_LEN)


def out(env):
    n = int.from_bytes(env.memory.read(OUT_LEN, 4), "little")
    return env.memory.read(OUT, n)


def test_cross_call_success_copies_return_data_and_charges_actual_gas():
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS, gas_used=1234, return_data=b"ret!"),
                              value=77)
    assert do_call(env, n, c) == OK
    assert runner.requests == [(SubcallKind.CALL, B, "transfer", b"\x01\x02\x03", 77, 50_000)]
    assert out(env) == b"ret!"
    assert env.gas.consumed == 1000 + 8 * 3 + 1234


@pytest.mark.parametrize("code", [ERR_INVALID_FUNCTION_NAME, ERR_REENTRANCY_BLOCKED,
                                  ERR_VALUE_TRANSFER_NOT_PAYABLE, ERR_CROSS_CALL_FAILED, ERR_FORBIDDEN])
def test_rejected_sub_call_passes_the_executors_code(code):
    env, _, n, c = setup(SubcallResult(SubcallStatus.REJECTED, error_code=code))
    assert do_call(env, n, c) == code
    assert out(env) == b""
    assert env.gas.consumed == 1000 + 24


def test_trap_out_of_fuel_is_cross_call_out_of_gas_and_debits_gas_used():
    env, _, n, c = setup(SubcallResult(SubcallStatus.TRAP, gas_used=50_000, trap="out_of_fuel"))
    assert do_call(env, n, c) == ERR_CROSS_CALL_OUT_OF_GAS
    assert out(env) == b""
    assert env.gas.consumed == 1024 + 50_000


def test_other_trap_is_cross_call_failed():
    env, _, n, c = setup(SubcallResult(SubcallStatus.TRAP, gas_used=10, trap="unreachable"))
    assert do_call(env, n, c) == ERR_CROSS_CALL_FAILED
    assert env.gas.consumed == 1024 + 10


def test_revert_is_cross_call_failed_with_reason_copied_out():
    env, _, n, c = setup(SubcallResult(SubcallStatus.REVERT, gas_used=5, return_data=b"no funds"))
    assert do_call(env, n, c) == ERR_CROSS_CALL_FAILED
    assert out(env) == b"no funds"


def test_unaffordable_reservation_traps_before_anything():
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS), gas=1000 + 24 + 49_999)
    with pytest.raises(Trap) as e:
        do_call(env, n, c, gas_limit=50_000)
    assert e.value.kind == "out_of_fuel"
    assert runner.requests == [] and env.gas.consumed == 0
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS), gas=1000 + 24 + 50_000)
    assert do_call(env, n, c, gas_limit=50_000) == OK


def test_negative_gas_limit_is_invalid_input():
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS))
    for fn in (do_call, do_delegate, do_static):
        env.memory.write(OUT_LEN, b"\xee" * 4)
        assert fn(env, n, c, gas_limit=(1 << 64) - 1) == ERR_INVALID_INPUT
        assert out(env) == b""
    assert runner.requests == []


def test_value_from_a_view_frame_is_forbidden_but_value_zero_may_call():
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS), value=1, view_mode=True)
    assert do_call(env, n, c) == ERR_FORBIDDEN
    assert runner.requests == [] and out(env) == b""
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS), value=0, view_mode=True)
    assert do_call(env, n, c) == OK


def test_non_utf8_function_name_names_no_function():
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS), name=b"\xff\xfe")
    assert do_call(env, n, c) == ERR_INVALID_FUNCTION_NAME
    assert runner.requests == [] and out(env) == b""


def test_static_call_charges_only_dispatch_and_caps_fuel():
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS, gas_used=40_000, return_data=b"v"))
    assert do_static(env, n, c, gas_limit=50_000) == OK
    assert env.gas.consumed == 50
    assert runner.requests[0] == (SubcallKind.STATIC, B, "transfer", b"\x01\x02\x03", 0, 50_000)
    assert out(env) == b"v"
    env, runner, n, c = setup(SubcallResult(SubcallStatus.TRAP, gas_used=VIEW_FUEL_CAP, trap="out_of_fuel"),
                              gas=60)
    assert do_static(env, n, c, gas_limit=1 << 40) == ERR_CROSS_CALL_OUT_OF_GAS
    assert runner.requests[0][5] == VIEW_FUEL_CAP
    assert env.gas.consumed == 50


def test_delegate_call_gas_and_no_value():
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS, gas_used=7), value=99)
    assert do_delegate(env, n, c) == OK
    assert runner.requests[0] == (SubcallKind.DELEGATE, B, "transfer", b"\x01\x02\x03", 0, 50_000)
    assert env.gas.consumed == 1200 + 24 + 7


@pytest.mark.parametrize("fn,base", [(do_call, 1000), (do_static, 50), (do_delegate, 1200)])
def test_base_gas_one_short_traps(fn, base):
    per_byte = 0 if fn is do_static else 8 * 3
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS), gas=base + per_byte - 1)
    with pytest.raises(Trap) as e:
        fn(env, n, c, gas_limit=0)
    assert e.value.kind == "out_of_fuel"
    assert env.gas.consumed == 0 and runner.requests == []


@pytest.mark.parametrize("fn", [do_call, do_static, do_delegate])
def test_sub_call_claiming_more_gas_than_given_is_a_host_trap(fn):
    env, _, n, c = setup(SubcallResult(SubcallStatus.SUCCESS, gas_used=50_001))
    with pytest.raises(Trap) as e:
        fn(env, n, c, gas_limit=50_000)
    assert e.value.kind == "host_internal"


@pytest.mark.parametrize("fn", [do_call, do_static, do_delegate])
def test_out_of_range_argument_traps(fn):
    env, runner, n, c = setup(SubcallResult(SubcallStatus.SUCCESS))
    with pytest.raises(Trap) as e:
        fn(env, n, PAGE)  # calldata [200, 200 + 65536) leaves memory
    assert e.value.kind == "memory_out_of_bounds"
    assert runner.requests == []


def test_return_data_that_does_not_fit_traps_in_the_caller():
    env, _, n, c = setup(SubcallResult(SubcallStatus.SUCCESS, return_data=b"x" * PAGE))
    with pytest.raises(Trap) as e:
        do_call(env, n, c)
    assert e.value.kind == "memory_out_of_bounds"


def test_out_of_range_length_pointer_traps_before_the_payload_is_written():
    env, _, n, c = setup(SubcallResult(SubcallStatus.SUCCESS, return_data=b"payload"))
    env.memory.write(OUT, b"\xee" * 7)
    with pytest.raises(Trap) as e:
        calls.cross_call(env, TARGET, NAME, n, CALLDATA, c, VALUE, 50_000, OUT, PAGE - 3)
    assert e.value.kind == "memory_out_of_bounds"
    assert env.memory.read(OUT, 7) == b"\xee" * 7
