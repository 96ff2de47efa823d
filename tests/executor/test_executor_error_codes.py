"""ABI §4 error codes returned by core host functions, seen through real
transactions (E1's tests trigger each one against a fake environment; these
show the executor delivers the same codes to a running contract).  Codes of
the cross-call functions are in ``tests/executor/test_executor_calls.py``."""

from __future__ import annotations

import pytest

from pyde_ref.abi.constants import (
    ERR_INSUFFICIENT_BALANCE,
    ERR_INVALID_ADDRESS,
    ERR_INVALID_INPUT,
    ERR_SIGNATURE_INVALID,
)
from pyde_ref.executor.testing import Chain, address, build_contract, import_lines, wat_string

SENDER = address(1)
C = address(0xE44)

WAT = f"""(module
{import_lines(["calldata_copy", "transfer", "balance", "falcon_verify", "emit_event",
               "consume_gas", "return"])}
  (memory (export "memory") 1)
  (data (i32.const 64) "{wat_string(address(7))}")
  (data (i32.const 96) "\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff")
  (func $give (param i32) (i32.store (i32.const 500) (local.get 0))
    (call $return (i32.const 500) (i32.const 4)))
  (func (export "copy_past_end") (call $give (call $calldata_copy (i32.const 0) (i32.const 10) (i32.const 200))))
  (func (export "transfer_too_much") (call $give (call $transfer (i32.const 64) (i32.const 96))))
  (func (export "transfer_to_zero") (call $give (call $transfer (i32.const 0) (i32.const 32))))
  (func (export "balance_of_zero") (call $give (call $balance (i32.const 0) (i32.const 200))))
  (func (export "bad_signature")
    (call $give (call $falcon_verify (i32.const 0) (i32.const 0) (i32.const 8) (i32.const 0) (i32.const 40))))
  (func (export "short_topic")
    (call $give (call $emit_event (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 0))))
  (func (export "consume_too_much") (call $give (call $consume_gas (i64.const 1000000000)))))"""

FUNCTIONS = ["copy_past_end", "transfer_too_much", "transfer_to_zero", "balance_of_zero",
             "bad_signature", "short_topic", "consume_too_much"]


@pytest.fixture(scope="module")
def chain():
    c = Chain()
    c.fund(SENDER, 10**15)
    c.install(C, build_contract(WAT, FUNCTIONS), balance=10)
    return c


@pytest.mark.parametrize(
    "function, code",
    [
        ("copy_past_end", ERR_INVALID_INPUT),
        ("transfer_too_much", ERR_INSUFFICIENT_BALANCE),
        ("transfer_to_zero", ERR_INVALID_ADDRESS),
        ("balance_of_zero", ERR_INVALID_ADDRESS),
        ("bad_signature", ERR_SIGNATURE_INVALID),
        ("short_topic", ERR_INVALID_INPUT),
    ],
)
def test_code_reaches_the_contract(chain, function, code):
    r = chain.call(SENDER, C, function, gas_limit=200_000)
    assert r.status == "success", r
    assert int.from_bytes(r.return_data, "little", signed=True) == code


def test_consume_gas_beyond_budget_traps(chain):
    """ABI §7.10: ERR_OUT_OF_GAS is "for documentation only": the call traps."""
    r = chain.call(SENDER, C, "consume_too_much", gas_limit=200_000)
    assert (r.status, r.trap) == ("trap", "out_of_fuel")
