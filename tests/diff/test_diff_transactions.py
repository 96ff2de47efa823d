"""Transactions and waves on the wasmtime twin, diffed against the reference
(issue 5, parts 1 and 2): the executor unchanged, only its machine swapped for
:class:`pyde_ref.diff.wasmtime_machine.WasmtimeMachine`."""

from __future__ import annotations

from paths import CONTRACTS, EXAMPLES as EXAMPLES_DIR
import json
import os

import pytest

pytest.importorskip("wasmtime")

from pyde_ref.diff.wasmtime_machine import WasmtimeMachine, wasmtime_executor  # noqa: E402
from pyde_ref.diff.wave_diff import diff_wave  # noqa: E402
from pyde_ref.executor.testing import Chain, address, build_contract, call_tx  # noqa: E402
from pyde_ref.executor.transactions import AccessEntry, AccessType, FeePayer, FeePayerKind  # noqa: E402
from pyde_ref.executor.wave_json import wave_output  # noqa: E402
from tx_helpers import COUNTER, paymaster  # noqa: E402

SENDER = address(1)
C = address(0xF0E1)
EXAMPLES = str(CONTRACTS)

WAT = """(module
  (import "pyde" "sstore" (func $sstore (param i32 i32) (result i32)))
  (import "pyde" "emit_event" (func $emit (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "loop_then_div0") (local i32)
    (loop $l
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 50))))
    (drop (i32.div_s (i32.const 1) (i32.const 0))))
  (func (export "store_and_emit")
    (i32.store8 (i32.const 31) (i32.const 7))
    (i32.store8 (i32.const 63) (i32.const 9))
    (drop (call $sstore (i32.const 0) (i32.const 32)))
    (drop (call $emit (i32.const 0) (i32.const 32) (i32.const 32) (i32.const 4))))
  (func (export "burn")
    (loop $l (br $l))))"""

FUNCTIONS = ["loop_then_div0", "store_and_emit", "burn"]


def _chain(executor=None, fuel_model="spec"):
    chain = Chain(fuel_model=fuel_model, executor=executor)
    chain.fund(SENDER, 10**12)
    chain.install(C, build_contract(WAT, FUNCTIONS))
    return chain


def _outputs(function: str, gas_limit: int = 100_000):
    found = {}
    for name, chain in (("wasmtime", _chain(wasmtime_executor())), ("spec", _chain()),
                        ("wasmtime-50", _chain(fuel_model="wasmtime-50"))):
        chain.call(SENDER, C, function, gas_limit=gas_limit)
        found[name] = wave_output(chain.last)
    return found


def test_the_executor_really_runs_on_wasmtime():
    executor = wasmtime_executor()
    assert isinstance(executor.machine, WasmtimeMachine)
    chain = _chain(executor)
    receipt = chain.call(SENDER, C, "loop_then_div0", gas_limit=100_000)
    assert (receipt.status, receipt.trap, receipt.gas_used) == ("trap", "integer_divide_by_zero", 0)


def test_loop_then_trap_wave_is_explained():
    out = _outputs("loop_then_div0")
    assert out["wasmtime"] == out["wasmtime-50"]
    assert out["spec"]["receipts"][0]["gas_used"] > 200
    assert out["wasmtime"]["receipts"][0]["gas_used"] == 0
    assert out["spec"]["state_digest"] != out["wasmtime"]["state_digest"]  # the fee differs


def test_state_writes_and_events_agree():
    out = _outputs("store_and_emit")
    assert out["wasmtime"] == out["spec"] == out["wasmtime-50"]
    receipt = out["wasmtime"]["receipts"][0]
    assert receipt["status"] == "success" and receipt["events"]


@pytest.mark.parametrize("gas_limit", [1, 50, 5_000])
def test_out_of_fuel_agrees(gas_limit):
    out = _outputs("burn", gas_limit)
    assert out["wasmtime"] == out["spec"] == out["wasmtime-50"]
    assert out["wasmtime"]["receipts"][0]["trap"] == "out_of_fuel"


@pytest.mark.parametrize("name", ["genesis-wave.json", "token-wave.json"])
def test_example_waves_agree(name):
    path = os.path.join(EXAMPLES, name)
    with open(path) as f:
        document = json.load(f)
    verdict, outputs = diff_wave(document, os.path.dirname(path))
    assert verdict.category == "agree", verdict.to_json()
    assert outputs["wasmtime"]["receipts"]


TRANSACTION_EXAMPLES = sorted(p.name for p in (EXAMPLES_DIR / "transactions").glob("*.json") if not p.name.endswith(".abi.json"))


@pytest.mark.parametrize("name", TRANSACTION_EXAMPLES)
def test_transaction_examples_agree(name):
    """The signed waves and chains of examples/transactions/ on the twin:
    native types share the code, the contract calls (the token, the upgraded
    app, the sponsored and paymaster paths) run on wasmtime -- everything
    agrees, every wave."""
    path = EXAMPLES_DIR / "transactions" / name
    verdict, outputs = diff_wave(json.loads(path.read_text(encoding="utf-8")), str(path.parent))
    assert verdict.category == "agree", verdict.to_json()
    assert outputs["wasmtime"]["signatures_checked"] is True


def test_sponsored_paymaster_and_access_list_paths_agree():
    """The fee paths that run contract code of their own -- a paymaster's
    validate_sponsorship, a sponsored entry, an access-list violation --
    give identical receipts and states on the twin."""
    dapp, pm, user = address(0xDA), address(0xFA), address(7)
    results = []
    for executor in (None, wasmtime_executor()):
        chain = Chain(executor=executor) if executor else Chain()
        chain.fund(user, 10**12)
        chain.install(dapp, COUNTER, gas_tank=10**9)
        chain.install(pm, paymaster("yes"), gas_tank=10**9)
        wave = chain.wave([
            chain_call(user, dapp, "sponsored_bump"),
            chain_call(user, dapp, "bump", fee_payer=FeePayer(FeePayerKind.PAYMASTER, pm)),
            chain_call(user, dapp, "bump", access_list=(AccessEntry(dapp, (b"\x01" * 32,), AccessType.READ),)),
        ])
        results.append(wave)
    assert results[0].receipts == results[1].receipts
    assert results[0].state_digest == results[1].state_digest
    assert [r.status for r in results[0].receipts] == ["success", "success", "trap"]


def chain_call(sender, to, function, **fields):
    return call_tx(sender, to, function, gas_limit=300_000, **fields)
