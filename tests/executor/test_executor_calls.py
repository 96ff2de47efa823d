"""Cross-contract calls through the executor (ABI §7.8, §13, §3.5.2).

The calls are made by the example ``caller.wat``'s ``call_any`` entry
(kind, target, value, gas_limit, name, args), which returns the host
function's status code followed by the return data or failure payload, so
every ABI §4 code a cross-call can give is visible in a receipt.
"""

from __future__ import annotations

from paths import CONTRACTS
import os

import pytest

from pyde_ref.abi.constants import (
    ERR_ACCESS_LIST_VIOLATION,
    ERR_CROSS_CALL_FAILED,
    ERR_CROSS_CALL_OUT_OF_GAS,
    ERR_FORBIDDEN,
    ERR_INSUFFICIENT_BALANCE,
    ERR_INVALID_FUNCTION_NAME,
    ERR_REENTRANCY_BLOCKED,
    ERR_VALUE_TRANSFER_NOT_PAYABLE,
)
from pyde_ref.executor.testing import Chain, address, build_contract, import_lines, wat_string

EXAMPLES = str(CONTRACTS)
SENDER = address(1)
CALLER = address(0xCA11)
PROBE = address(0xB0B)

CALL, STATIC, DELEGATE = 0, 1, 2

PROBE_WAT = f"""(module
{import_lines(["sload", "sstore", "tx_value", "self_address", "caller", "emit_event",
               "cross_call", "return", "revert"])}
  (memory (export "memory") 1)
  (data (i32.const 100) "written")
  (data (i32.const 200) "ok")
  ;; ok: return "ok"
  (func (export "ok") (call $return (i32.const 200) (i32.const 2)))
  ;; pay (payable): return the attached value (16 bytes)
  (func (export "pay") (drop (call $tx_value (i32.const 0))) (call $return (i32.const 0) (i32.const 16)))
  ;; boom: trap
  (func (export "boom") unreachable)
  ;; burn: loop forever (runs out of fuel)
  (func (export "burn") (loop $l (br $l)))
  ;; nope: revert "no"
  (func (export "nope") (call $revert (i32.const 200) (i32.const 1)))
  ;; write: slot 0 := "written...", emit an event, succeed
  (func (export "write")
    (drop (call $sstore (i32.const 300) (i32.const 100)))
    (drop (call $emit_event (i32.const 300) (i32.const 32) (i32.const 100) (i32.const 7))))
  ;; write_boom: the same, then trap
  (func (export "write_boom")
    (drop (call $sstore (i32.const 300) (i32.const 100)))
    (drop (call $emit_event (i32.const 300) (i32.const 32) (i32.const 100) (i32.const 7)))
    unreachable)
  ;; try_write: return sstore's result code
  (func (export "try_write")
    (i32.store (i32.const 0) (call $sstore (i32.const 300) (i32.const 100)))
    (call $return (i32.const 0) (i32.const 4)))
  ;; view_hop (view): cross_call self.try_write, return status || its data
  (func (export "view_hop")
    (drop (call $self_address (i32.const 0)))
    (i32.store (i32.const 700)
      (call $cross_call (i32.const 0) (i32.const 410) (i32.const 9) (i32.const 0) (i32.const 0)
        (i32.const 500) (i64.const 100000) (i32.const 704) (i32.const 60)))
    (call $return (i32.const 700) (i32.const 8)))
  (data (i32.const 410) "try_write")
  ;; who: return self_address || caller
  (func (export "who")
    (drop (call $self_address (i32.const 0)))
    (drop (call $caller (i32.const 32)))
    (call $return (i32.const 0) (i32.const 64)))
  ;; again: cross_call self.again, return the status code
  (func (export "again")
    (drop (call $self_address (i32.const 0)))
    (i32.store (i32.const 64)
      (call $cross_call (i32.const 0) (i32.const 400) (i32.const 5) (i32.const 0) (i32.const 0)
        (i32.const 500) (i64.const 100000) (i32.const 600) (i32.const 60)))
    (call $return (i32.const 64) (i32.const 4)))
  (data (i32.const 400) "again")
  (func (export "ctor"))
)"""
PROBE_FUNCTIONS = ["ok", "pay:payable", "boom", "burn", "nope", "write", "write_boom",
                   "try_write", "view_hop:view", "who", "again", "ctor:constructor"]


@pytest.fixture
def chain() -> Chain:
    c = Chain()
    c.fund(SENDER, 10**15)
    with open(os.path.join(EXAMPLES, "caller.wasm"), "rb") as f:
        c.install(CALLER, f.read(), balance=1_000)
    c.install(PROBE, build_contract(PROBE_WAT, PROBE_FUNCTIONS))
    return c


def call_any(chain: Chain, kind: int, target: bytes, name: str, args: bytes = b"",
             value: int = 0, gas: int = 200_000, tx_value: int = 0):
    raw = name.encode("utf-8") if isinstance(name, str) else name
    calldata = (bytes([kind]) + target + value.to_bytes(16, "little") + gas.to_bytes(8, "little")
                + len(raw).to_bytes(4, "little") + raw + args)
    receipt = chain.call(SENDER, CALLER, "call_any", calldata, value=tx_value, gas_limit=5_000_000)
    assert receipt.status == "success", receipt
    status = int.from_bytes(receipt.return_data[:4], "little", signed=True)
    return status, receipt.return_data[4:], receipt


def test_success_returns_data(chain):
    assert call_any(chain, CALL, PROBE, "ok")[:2] == (0, b"ok")


def test_trap_is_cross_call_failed(chain):
    assert call_any(chain, CALL, PROBE, "boom")[:2] == (ERR_CROSS_CALL_FAILED, b"")


def test_out_of_fuel_is_cross_call_out_of_gas(chain):
    status, data, receipt = call_any(chain, CALL, PROBE, "burn", gas=5_000)
    assert (status, data) == (ERR_CROSS_CALL_OUT_OF_GAS, b"")


def test_revert_reason_is_the_failure_payload(chain):
    assert call_any(chain, CALL, PROBE, "nope")[:2] == (ERR_CROSS_CALL_FAILED, b"o")


def test_unknown_function(chain):
    assert call_any(chain, CALL, PROBE, "missing")[0] == ERR_INVALID_FUNCTION_NAME


def test_name_not_utf8_names_no_function(chain):
    assert call_any(chain, CALL, PROBE, b"\xff\xfe")[0] == ERR_INVALID_FUNCTION_NAME


def test_target_without_code(chain):
    assert call_any(chain, CALL, address(0xDEAD), "ok")[0] == ERR_CROSS_CALL_FAILED


def test_constructor_is_locked_after_deploy(chain):
    assert call_any(chain, CALL, PROBE, "ctor")[0] == ERR_FORBIDDEN


def test_value_to_non_payable(chain):
    assert call_any(chain, CALL, PROBE, "ok", value=5)[0] == ERR_VALUE_TRANSFER_NOT_PAYABLE
    assert chain.balance(CALLER) == 1_000


def test_value_moves_before_the_callee_runs(chain):
    status, data, _ = call_any(chain, CALL, PROBE, "pay", value=7)
    assert status == 0
    assert int.from_bytes(data, "little") == 7  # tx_value() inside the callee
    assert chain.balance(CALLER) == 993
    assert chain.balance(PROBE) == 7


def test_value_beyond_balance(chain):
    assert call_any(chain, CALL, PROBE, "pay", value=1_001)[0] == ERR_INSUFFICIENT_BALANCE
    assert chain.balance(CALLER) == 1_000


def test_value_moves_back_when_the_callee_fails():
    c = Chain()
    c.fund(SENDER, 10**15)
    with open(os.path.join(EXAMPLES, "caller.wasm"), "rb") as f:
        c.install(CALLER, f.read(), balance=1_000)
    c.install(PROBE, build_contract(
        PROBE_WAT, [f if f != "boom" else "boom:payable" for f in PROBE_FUNCTIONS]))
    status, _, _ = call_any(c, CALL, PROBE, "boom", value=9)
    assert status == ERR_CROSS_CALL_FAILED
    assert c.balance(CALLER) == 1_000
    assert c.balance(PROBE) == 0


def test_writes_and_events_merge_on_success(chain):
    status, _, receipt = call_any(chain, CALL, PROBE, "write")
    assert status == 0
    assert chain.state.sload(PROBE, bytes(32)) == b"written" + bytes(25)
    assert [e.contract for e in receipt.events] == [PROBE]


def test_writes_and_events_discarded_on_trap(chain):
    status, _, receipt = call_any(chain, CALL, PROBE, "write_boom")
    assert status == ERR_CROSS_CALL_FAILED
    assert chain.state.sload(PROBE, bytes(32)) == bytes(32)
    assert receipt.events == ()


def test_static_call_to_non_view_is_forbidden(chain):
    assert call_any(chain, STATIC, PROBE, "ok")[0] == ERR_FORBIDDEN


def test_static_call_runs_in_view_mode(chain):
    """A view frame's cross_call runs its callee in view mode too: the
    callee's sstore answers ERR_FORBIDDEN (ABI §3.5 view, §3.7 Layer 3)."""
    assert call_any(chain, CALL, PROBE, "try_write")[:2] == (0, bytes(4))
    status, data, _ = call_any(chain, STATIC, PROBE, "view_hop")
    assert status == 0
    assert int.from_bytes(data[:4], "little", signed=True) == 0
    assert int.from_bytes(data[4:8], "little", signed=True) == ERR_FORBIDDEN


def test_reentrancy_blocked(chain):
    """(PROBE, "again") is on the stack when PROBE.again cross_calls itself."""
    status, data, _ = call_any(chain, CALL, PROBE, "again")
    assert status == 0
    assert int.from_bytes(data, "little", signed=True) == ERR_REENTRANCY_BLOCKED


def test_cross_call_identity(chain):
    status, data, _ = call_any(chain, CALL, PROBE, "who")
    assert status == 0
    assert data == PROBE + CALLER  # self_address, caller


def test_delegate_call_identity_and_storage(chain):
    """ABI §7.8 delegate_call: the target's code runs with the caller's
    self_address, the caller's caller, and the caller's storage."""
    status, data, _ = call_any(chain, DELEGATE, PROBE, "who")
    assert status == 0
    assert data == CALLER + SENDER
    status, _, _ = call_any(chain, DELEGATE, PROBE, "write")
    assert status == 0
    assert chain.state.sload(CALLER, bytes(32)) == b"written" + bytes(25)
    assert chain.state.sload(PROBE, bytes(32)) == bytes(32)


def test_delegate_call_reentrancy_pair_is_caller_and_function():
    """ABI §7.8: the guard applies to (caller_addr, target_fn).  A contract
    whose entry ``again`` delegate_calls a library's ``again`` is refused:
    (contract, "again") is already on the stack."""
    lib_wat = """(module (memory (export "memory") 1) (func (export "again")))"""
    user_wat = f"""(module
{import_lines(["delegate_call", "return"])}
  (memory (export "memory") 1)
  (data (i32.const 0) "{wat_string(address(0x11B))}")
  (data (i32.const 32) "again")
  (func (export "again")
    (i32.store (i32.const 64)
      (call $delegate_call (i32.const 0) (i32.const 32) (i32.const 5) (i32.const 0) (i32.const 0)
        (i64.const 10000) (i32.const 128) (i32.const 124)))
    (call $return (i32.const 64) (i32.const 4))))"""
    c = Chain()
    c.fund(SENDER, 10**12)
    c.install(address(0x11B), build_contract(lib_wat, ["again"]))
    c.install(address(0x05E), build_contract(user_wat, ["again"]))
    receipt = c.call(SENDER, address(0x05E), "again", gas_limit=100_000)
    assert int.from_bytes(receipt.return_data, "little", signed=True) == ERR_REENTRANCY_BLOCKED


LOOP_VIEW_WAT = """(module
  (memory (export "memory") 1)
  (func (export "spin") (loop $l (br $l))))"""


def test_view_fuel_cap_bounds_a_static_call_and_costs_the_caller_nothing(chain):
    """ABI §7.8: a view that exhausts VIEW_FUEL_CAP (10M) returns
    ERR_CROSS_CALL_OUT_OF_GAS; the caller pays only the 50-gas base even
    though it offered a far larger gas_limit."""
    spinner = address(0x5919)
    chain.install(spinner, build_contract(LOOP_VIEW_WAT, ["spin:view"]))
    status, data, receipt = call_any(chain, STATIC, spinner, "spin", gas=4_000_000_000)
    assert (status, data) == (ERR_CROSS_CALL_OUT_OF_GAS, b"")
    baseline = call_any(chain, STATIC, PROBE, "view_hop")[2]
    # The two transactions run the same caller code; they differ only in
    # the 4 fewer name bytes calldata_copy copies ("spin" vs "view_hop"):
    # the 10M fuel of the spinning view cost the caller nothing.
    assert receipt.gas_used == baseline.gas_used - 4


ACCESS_WAT = f"""(module
{import_lines(["sload", "delegate_call", "return"])}
  (memory (export "memory") 1)
  (data (i32.const 32) "\\01")
  (data (i32.const 96) "{wat_string(address(0x71B))}")
  (data (i32.const 128) "read_both")
  ;; read_both: sload slot 0x00.. and slot 0x01.., return both result codes
  (func (export "read_both")
    (i32.store (i32.const 200) (call $sload (i32.const 0) (i32.const 300)))
    (i32.store (i32.const 204) (call $sload (i32.const 32) (i32.const 300)))
    (call $return (i32.const 200) (i32.const 8)))
  ;; via_lib: delegate_call lib.read_both, return its return data
  (func (export "via_lib")
    (drop (call $delegate_call (i32.const 96) (i32.const 128) (i32.const 9) (i32.const 0) (i32.const 0)
      (i64.const 100000) (i32.const 400) (i32.const 396)))
    (call $return (i32.const 400) (i32.load (i32.const 396)))))"""


def test_access_list_enforced_and_delegate_uses_the_callers():
    """ABI §3.7 Layer 3: a function with a declared access list (here: slots
    starting with 0x00) gets ERR_ACCESS_LIST_VIOLATION for any other slot;
    ABI §7.8: inside a delegate_call the *caller's* list applies, whatever
    the library declares."""
    restricted = {"name": "read_both", "attributes": ["entry"], "access_list": [b"\x00"]}
    open_fn = {"name": "read_both", "attributes": ["entry"]}
    via = {"name": "via_lib", "attributes": ["entry"], "access_list": [b"\x00"]}
    c = Chain()
    c.fund(SENDER, 10**12)
    c.install(address(0xA11), build_contract(ACCESS_WAT, [restricted, via]))
    c.install(address(0x71B), build_contract(ACCESS_WAT, [open_fn, "via_lib"]))

    def codes(receipt):
        assert receipt.status == "success", receipt
        data = receipt.return_data
        return (int.from_bytes(data[:4], "little", signed=True),
                int.from_bytes(data[4:8], "little", signed=True))

    assert codes(c.call(SENDER, address(0xA11), "read_both")) == (0, ERR_ACCESS_LIST_VIOLATION)
    assert codes(c.call(SENDER, address(0x71B), "read_both")) == (0, 0)
    # the library declares no list, but runs under the delegating function's
    assert codes(c.call(SENDER, address(0xA11), "via_lib")) == (0, ERR_ACCESS_LIST_VIOLATION)
