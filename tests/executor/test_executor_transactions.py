"""Transactions and receipts (seed §3.9b, chapter 10 §10.1, ABI §3.5.2, §11):
the Standard type (transfers and calls) and the rules every type shares."""

from __future__ import annotations

import attrs
import pytest

from tx_helpers import assert_rejected
from pyde_ref.abi.constants import (
    ERR_FORBIDDEN,
    ERR_INVALID_ADDRESS,
    ERR_INVALID_FUNCTION_NAME,
    ERR_INVALID_INPUT,
    ERR_VALUE_TRANSFER_NOT_PAYABLE,
)
from pyde_ref.executor.params import MAX_CALLDATA, WAVE_GAS_CEILING
from pyde_ref.executor.testing import (
    DEFAULT_BLOCK,
    Chain,
    address,
    build_contract,
    call_tx,
    import_lines,
    native_tx,
    transfer_tx,
)
from pyde_ref.executor.transactions import tx_hash

ALICE, BOB = address(1), address(2)
C = address(0xC0DE)
BASE_FEE = 3

WAT = f"""(module
{import_lines(["sstore", "tx_value", "return", "revert", "emit_event"])}
  (memory (export "memory") 1)
  (data (i32.const 100) "set")
  (func (export "store")
    (drop (call $sstore (i32.const 0) (i32.const 100)))
    (drop (call $emit_event (i32.const 0) (i32.const 32) (i32.const 100) (i32.const 3))))
  (func (export "store_revert")
    (drop (call $sstore (i32.const 0) (i32.const 100)))
    (drop (call $emit_event (i32.const 0) (i32.const 32) (i32.const 100) (i32.const 3)))
    (call $revert (i32.const 100) (i32.const 3)))
  (func (export "pay_revert") (call $revert (i32.const 100) (i32.const 1)))
  (func (export "pay") (drop (call $tx_value (i32.const 200))) (call $return (i32.const 200) (i32.const 16)))
  (func (export "trap") unreachable)
  (func (export "ctor"))
  (func (export "fb") (call $return (i32.const 100) (i32.const 2)))
  (func (export "rc") (call $return (i32.const 100) (i32.const 1))))"""

FUNCTIONS = ["store", "store_revert", "pay_revert:payable", "pay:payable", "trap",
             "ctor:constructor", "fb:fallback", "rc:receive,payable"]


def make_chain() -> Chain:
    c = Chain(block=attrs.evolve(DEFAULT_BLOCK, base_fee=BASE_FEE))
    c.fund(ALICE, 10**12)
    c.install(C, build_contract(WAT, FUNCTIONS))
    return c


@pytest.fixture
def chain() -> Chain:
    return make_chain()


def test_native_transfer(chain):
    r = chain.transfer(ALICE, BOB, 500, gas_limit=30_000)
    assert (r.status, r.gas_used) == ("success", 21_000)
    assert chain.balance(BOB) == 500
    assert chain.balance(ALICE) == 10**12 - 500 - 21_000 * BASE_FEE
    assert chain.nonce(ALICE) == 1


@pytest.mark.parametrize(
    "tx, code, error_code",
    [
        (transfer_tx(ALICE, BOB, 1, gas_limit=20_999), "IntrinsicGasTooLow", None),  # below the fixed cost
        (transfer_tx(ALICE, BOB, 10**12, gas_limit=21_000), "InsufficientBalance", -3),  # value + fee
        (transfer_tx(ALICE, bytes(32), 1, gas_limit=21_000), "InvalidRecipient", ERR_INVALID_ADDRESS),
        (transfer_tx(BOB, ALICE, 0, gas_limit=21_000), "InsufficientBalance", -3),  # BOB cannot pay the fee
        (transfer_tx(C, ALICE, 0, gas_limit=21_000), "SenderIsContract", ERR_INVALID_ADDRESS),
        (transfer_tx(bytes(32), ALICE, 0, gas_limit=21_000), "InvalidSender", ERR_INVALID_ADDRESS),
        (call_tx(ALICE, BOB, "store", gas_limit=10_000), "TargetHasNoCode", ERR_INVALID_ADDRESS),
        (call_tx(ALICE, C, "ctor", gas_limit=10_000), "ConstructorLockout", ERR_FORBIDDEN),
        (call_tx(ALICE, C, "store", value=1, gas_limit=10_000), "NotPayable", ERR_VALUE_TRANSFER_NOT_PAYABLE),
        (transfer_tx(ALICE, BOB, 1, chain_id=1), "WrongChainId", None),
        (transfer_tx(ALICE, BOB, 1, deadline=DEFAULT_BLOCK.wave_id), "DeadlineExpired", None),
    ],
)
def test_rejected_transactions_change_nothing(chain, tx, code, error_code):
    assert assert_rejected(chain, tx, code).error_code == error_code


def test_success_keeps_writes_and_events_and_charges_fee(chain):
    r = chain.call(ALICE, C, "store", gas_limit=100_000)
    assert r.status == "success"
    assert chain.state.sload(C, bytes(32))[:3] == b"set"
    assert len(r.events) == 1 and r.events[0].contract == C
    assert chain.balance(ALICE) == 10**12 - r.gas_used * BASE_FEE
    assert chain.nonce(ALICE) == 1
    tables = {w.table for w in r.writes}
    assert tables == {"account", "storage", "protocol"}  # protocol: TOTAL_BURNED


def test_revert_discards_writes_and_events_but_charges(chain):
    r = chain.call(ALICE, C, "store_revert", gas_limit=100_000)
    assert r.status == "revert"
    assert r.revert_reason == b"set"
    assert r.events == ()
    assert chain.state.sload(C, bytes(32)) == bytes(32)
    assert r.gas_used > 5_000  # the sstore was paid for
    assert chain.balance(ALICE) == 10**12 - r.gas_used * BASE_FEE
    assert chain.nonce(ALICE) == 1
    # fee and nonce only: the sender, the reward pool, the treasury, TOTAL_BURNED
    assert sorted({w.table for w in r.writes}) == ["account", "protocol"]
    assert len([w for w in r.writes if w.table == "account"]) == 3


def test_trap_reports_kind_and_charges(chain):
    r = chain.call(ALICE, C, "trap", gas_limit=100_000)
    assert (r.status, r.trap) == ("trap", "unreachable")
    assert chain.balance(ALICE) == 10**12 - r.gas_used * BASE_FEE


def test_out_of_fuel(chain):
    r = chain.call(ALICE, C, "store", gas_limit=100)
    assert (r.status, r.trap) == ("trap", "out_of_fuel")
    assert r.gas_used <= 100
    assert chain.state.sload(C, bytes(32)) == bytes(32)


def test_value_moves_only_on_success(chain):
    r = chain.call(ALICE, C, "pay", value=77, gas_limit=100_000)
    assert r.status == "success"
    assert int.from_bytes(r.return_data, "little") == 77
    assert chain.balance(C) == 77
    r2 = chain.call(ALICE, C, "pay_revert", value=50, gas_limit=100_000)
    assert r2.status == "revert"
    assert chain.balance(C) == 77
    assert chain.balance(ALICE) == 10**12 - 77 - (r.gas_used + r2.gas_used) * BASE_FEE


@pytest.mark.parametrize(
    "function, value, expected",
    [
        ("", 5, b"s"),  # bare value transfer -> receive
        ("", 0, b"se"),  # no selector, no value -> fallback
        ("nonexistent", 0, b"se"),  # selector miss -> fallback
    ],
)
def test_fallback_and_receive_dispatch(chain, function, value, expected):
    r = chain.call(ALICE, C, function, value=value, gas_limit=100_000)
    assert r.status == "success"
    assert r.return_data == expected


def _helpers(*names):
    """Exports declared without a dispatch attribute: internal helpers."""
    return [{"name": n, "attributes": []} for n in names]


def test_dispatch_without_fallback_or_receive():
    c = Chain()
    c.fund(ALICE, 10**12)
    c.install(C, build_contract(WAT, ["store", "pay:payable"] + _helpers(
        "store_revert", "pay_revert", "trap", "ctor", "fb", "rc")))
    assert c.call(ALICE, C, "nonexistent").error_code == ERR_INVALID_FUNCTION_NAME
    assert c.call(ALICE, C, "", value=1).code == "NotPayable"
    # an internal helper (no entry attribute) is not in the selector table
    assert c.call(ALICE, C, "trap").code == "UnknownFunction"
    c2 = Chain()
    c2.fund(ALICE, 10**12)
    c2.install(C, build_contract(WAT, ["store", {"name": "pay", "attributes": ["payable"]}] + _helpers(
        "store_revert", "pay_revert", "trap", "ctor", "fb", "rc")))
    assert c2.call(ALICE, C, "pay", value=1).error_code == ERR_INVALID_FUNCTION_NAME


def test_receipts_and_digest_are_deterministic(chain):
    twin = make_chain()
    txs = [call_tx(ALICE, C, "store", gas_limit=100_000),
           transfer_tx(ALICE, BOB, 3, gas_limit=21_000),
           call_tx(ALICE, C, "trap", gas_limit=100_000)]
    a, b = chain.wave(txs), twin.wave(txs)
    assert a.receipts == b.receipts
    assert a.state_digest == b.state_digest


def test_wave_gas_ceiling(chain):
    """Chapter 10 §10.3: 1.6B gas per wave; a transaction whose gas_limit
    does not fit in what is left is rejected."""
    chain.fund(ALICE, 10**15)
    chain.fund(ALICE, 10**15)
    big = call_tx(ALICE, C, "store", gas_limit=WAVE_GAS_CEILING - 30_000)
    small = call_tx(ALICE, C, "store", gas_limit=30_000)
    result = chain.wave([big, small, small])
    assert [r.status for r in result.receipts] == ["success", "success", "success"]
    too_big = call_tx(ALICE, C, "store", gas_limit=WAVE_GAS_CEILING + 1)
    assert_rejected(chain, too_big, "WaveGasExceeded")


def test_calldata_cap(chain):
    r = chain.call(ALICE, C, "store", bytes(MAX_CALLDATA + 1), gas_limit=100_000)
    assert (r.status, r.code, r.error_code) == ("rejected", "CalldataTooLarge", ERR_INVALID_INPUT)
    assert chain.call(ALICE, C, "store", bytes(MAX_CALLDATA), gas_limit=100_000).status == "success"


def test_tx_hash_reaches_the_contract_and_is_distinct():
    """ABI §7.4 tx_hash: the contract sees chapter 11 §11.6's hash of the
    transaction; the same transaction twice (unsigned, nonce left to the
    sender's window) executes with two nonces, so two hashes."""
    wat = f"""(module {import_lines(["tx_hash", "return"])}
      (memory (export "memory") 1)
      (func (export "h") (drop (call $tx_hash (i32.const 0))) (call $return (i32.const 0) (i32.const 32))))"""
    c = Chain()
    c.fund(ALICE, 10**12)
    c.install(C, build_contract(wat, ["h"]))
    tx = call_tx(ALICE, C, "h", gas_limit=10_000)
    result = c.wave([tx, tx])
    first, second = (r.return_data for r in result.receipts)
    assert first == tx_hash(tx.with_nonce(0)) == result.receipts[0].tx_hash
    assert second == tx_hash(tx.with_nonce(1))
    assert first != second


@pytest.mark.parametrize(
    "make",
    [
        lambda: transfer_tx(ALICE, BOB, -1, 21_000),
        lambda: transfer_tx(ALICE, BOB, 2**128, 21_000),
        lambda: transfer_tx(ALICE, BOB, 1, 2**64),
        lambda: transfer_tx(ALICE, b"short", 1, 21_000),
        lambda: call_tx(ALICE, C, "\ud800", gas_limit=1),
        lambda: call_tx(ALICE, C, "f", calldata="text", gas_limit=1),
        lambda: call_tx(ALICE, C, "f", gas_limit=True),
        lambda: transfer_tx(ALICE, BOB, 1, nonce=-1),
        lambda: native_tx(256, ALICE),
    ],
)
def test_malformed_transactions_are_refused_at_construction(make):
    with pytest.raises(ValueError):
        make()
