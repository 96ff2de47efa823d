"""Every ABI §10 gas figure, pinned through a real transaction.

For each host function a contract has two entry points, ``once`` and
``twice``, identical except that ``twice`` makes the host call one more time.
Each is run as a ``ContractCall`` through the executor; the difference of the
two receipts' ``gas_used`` is the cost of one more call: the fuel of the wasm
instructions that make it (one per argument constant plus one for the
``call``; ``drop`` is free, ``shared/reference/wasmtime-50-observed.md``)
plus the host function's gas.  The figures below are typed in from the ABI
§10 table, not imported from ``pyde_ref.abi.constants``, so a wrong constant
fails here.
"""

from __future__ import annotations

import pytest

from pyde_ref.abi.registry import HOST_FUNCTIONS
from pyde_ref.executor.testing import Chain, address, build_contract, import_lines, wat_string

SENDER = address(1)

# name -> (ABI §10 base gas, wat arguments as i32/i64 constants)
FIXED = {
    "sload": (200, "(i32.const 0) (i32.const 64)"),
    "sstore": (5_000, "(i32.const 0) (i32.const 64)"),
    "sdelete": (150, "(i32.const 0)"),
    "balance": (100, "(i32.const 0) (i32.const 64)"),
    "transfer": (7_000, "(i32.const 0) (i32.const 128)"),  # amount 0 (zero bytes at 128)
    "caller": (5, "(i32.const 64)"),
    "origin": (5, "(i32.const 64)"),
    "self_address": (5, "(i32.const 64)"),
    "block_height": (2, ""),
    "wave_id": (2, ""),
    "block_timestamp": (2, ""),
    "chain_id": (2, ""),
    "tx_hash": (5, "(i32.const 64)"),
    "tx_value": (5, "(i32.const 64)"),
    "tx_gas_remaining": (2, ""),
    "calldata_size": (2, ""),
    "beacon_get": (50, "(i32.const 64)"),
    "falcon_verify": (50_000, "(i32.const 0) (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 4)"),
}


def _args_count(args: str) -> int:
    return args.count("const")


def _pair_contract(name: str, call: str) -> bytes:
    """Entry ``once`` makes ``call`` once, ``twice`` twice; results dropped."""
    body = f"(drop ({call}))" if not call.startswith("call $return") else f"({call})"
    wat = f"""(module
{import_lines([name])}
  (memory (export "memory") 1)
  (func (export "once") {body})
  (func (export "twice") {body} {body}))"""
    return build_contract(wat, ["once", "twice"])


def _gas(chain: Chain, contract: bytes, entry: str, calldata: bytes = b"") -> int:
    receipt = chain.call(SENDER, contract, entry, calldata, gas_limit=10_000_000)
    assert receipt.status == "success", receipt
    return receipt.gas_used


def _one_more_call(name: str, args: str) -> int:
    chain = Chain()
    chain.fund(SENDER, 10**15)
    contract = address(0xC0)
    chain.install(contract, _pair_contract(name, f"call ${name} {args}"))
    return _gas(chain, contract, "twice") - _gas(chain, contract, "once")


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_cost(name):
    base, args = FIXED[name]
    assert _one_more_call(name, args) == base + _args_count(args) + 1


# Per-byte and per-word rows: (name, base, per unit, unit bytes, args with {n})
METERED = {
    "calldata_copy": (8, 1, 1, "(i32.const 0) (i32.const {n}) (i32.const 256)"),
    "emit_event": (100, 8, 1, "(i32.const 0) (i32.const 32) (i32.const 64) (i32.const {m})"),
    "hash_blake3": (15, 3, 8, "(i32.const 0) (i32.const {n}) (i32.const 512)"),
    "hash_keccak256": (30, 6, 8, "(i32.const 0) (i32.const {n}) (i32.const 512)"),
    "hash_poseidon2": (100, 30, 8, "(i32.const 0) (i32.const {n}) (i32.const 512)"),
}


@pytest.mark.parametrize("name", sorted(METERED))
@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 16, 17])
def test_metered_cost(name, n):
    base, per_unit, unit, args = METERED[name]
    chain = Chain()
    chain.fund(SENDER, 10**15)
    contract = address(0xC1)
    calldata = bytes(range(n))  # calldata_copy reads within the calldata
    if name == "emit_event":
        metered = 32 + n  # topic (32 bytes) + data
        rendered = args.format(m=n)
    else:
        metered = n
        rendered = args.format(n=n)
    chain.install(contract, _pair_contract(name, f"call ${name} {rendered}"))
    diff = _gas(chain, contract, "twice", calldata) - _gas(chain, contract, "once", calldata)
    units = metered if unit == 1 else -(-metered // unit)
    assert diff == base + per_unit * units + _args_count(rendered) + 1


@pytest.mark.parametrize("amount", [0, 1, 1000])
def test_consume_gas_costs_two_plus_amount(amount):
    diff = _one_more_call("consume_gas", f"(i64.const {amount})")
    assert diff == 2 + amount + 1 + 1


def test_return_and_revert_cost_nothing():
    """ABI §10: ``return`` and ``revert`` are 0 gas.  ``once`` returns via
    ``pyde::return``; ``plain`` falls off its end: the difference is the two
    argument constants and the call only."""
    for name, status in (("return", "success"), ("revert", "revert")):
        wat = f"""(module
{import_lines([name])}
  (memory (export "memory") 1)
  (func (export "halt") (call ${name} (i32.const 0) (i32.const 4)))
  (func (export "plain")))"""
        chain = Chain()
        chain.fund(SENDER, 10**12)
        contract = address(0xC2)
        chain.install(contract, build_contract(wat, ["halt", "plain"]))
        halted = chain.call(SENDER, contract, "halt", gas_limit=10_000)
        plain = chain.call(SENDER, contract, "plain", gas_limit=10_000)
        assert halted.status == status
        assert halted.gas_used - plain.gas_used == 2 + 1 + 0


# --------------------------------------------------------------------------
# cross-contract calls: base + 8 per calldata byte + the sub-call's gas_used
# --------------------------------------------------------------------------

CALLEE_WAT = """(module
  (memory (export "memory") 1)
  (func (export "work") (local i32)
    (local.set 0 (i32.const 5)) (local.set 0 (i32.const 6)))
  (func (export "peek")))"""
"""``work`` costs 1 (entry) + 4 = 5 fuel; ``peek`` (a view) costs 1."""


def _caller_pair(kind: str, n: int) -> bytes:
    """Entries ``once``/``twice`` making one or two ``kind`` calls to the
    contract whose address is at memory 0, function name at 32, calldata
    of ``n`` bytes at 64, value (zero) at 160, output at 256."""
    if kind == "cross_call":
        call = (f"call $cross_call (i32.const 0) (i32.const 32) (i32.const 4) (i32.const 64) "
                f"(i32.const {n}) (i32.const 160) (i64.const 100000) (i32.const 256) (i32.const 252)")
    elif kind == "delegate_call":
        call = (f"call $delegate_call (i32.const 0) (i32.const 32) (i32.const 4) (i32.const 64) "
                f"(i32.const {n}) (i64.const 100000) (i32.const 256) (i32.const 252)")
    else:
        call = (f"call $cross_call_static (i32.const 0) (i32.const 40) (i32.const 4) (i32.const 64) "
                f"(i32.const {n}) (i64.const 100000) (i32.const 256) (i32.const 252)")
    callee = address(0xCA)
    wat = f"""(module
{import_lines([kind])}
  (memory (export "memory") 1)
  (data (i32.const 0) "{wat_string(callee)}")
  (data (i32.const 32) "work")
  (data (i32.const 40) "peek")
  (func (export "once") (if ({call}) (then unreachable)))
  (func (export "twice") (if ({call}) (then unreachable)) (if ({call}) (then unreachable))))"""
    return build_contract(wat, ["once", "twice"])


def _cross_diff(kind: str, n: int) -> int:
    chain = Chain()
    chain.fund(SENDER, 10**15)
    chain.install(address(0xCA), build_contract(CALLEE_WAT, ["work", "peek:view"]))
    contract = address(0xC3)
    chain.install(contract, _caller_pair(kind, n))
    return _gas(chain, contract, "twice") - _gas(chain, contract, "once")


# one more call = its arguments' constants + call + if (1) + the host's gas
@pytest.mark.parametrize("n", [0, 1, 10])
def test_cross_call_cost(n):
    assert _cross_diff("cross_call", n) == 1_000 + 8 * n + 5 + (9 + 1 + 1)


@pytest.mark.parametrize("n", [0, 1, 10])
def test_delegate_call_cost(n):
    assert _cross_diff("delegate_call", n) == 1_200 + 8 * n + 5 + (8 + 1 + 1)


@pytest.mark.parametrize("n", [0, 10])
def test_cross_call_static_costs_only_its_base(n):
    """ABI §7.8: the view sub-call's execution is free for the caller."""
    assert _cross_diff("cross_call_static", n) == 50 + (8 + 1 + 1)


def test_native_transfer_costs_21000():
    chain = Chain()
    chain.fund(SENDER, 10**12)
    receipt = chain.transfer(SENDER, address(2), 5, gas_limit=50_000)
    assert receipt.status == "success"
    assert receipt.gas_used == 21_000
    assert chain.balance(SENDER) == 10**12 - 5 - 21_000 * chain.block.base_fee


def test_cross_call_reservation_is_checked_through_a_real_call():
    """ABI §13.5 reading A (spec/findings/cross-call-gas-accounting.md): a
    caller that cannot afford base + gas_limit traps out_of_fuel before the
    sub-call starts; one that can is charged only what the callee used."""
    chain = Chain()
    chain.fund(SENDER, 10**15)
    chain.install(address(0xCA), build_contract(CALLEE_WAT, ["work", "peek:view"]))
    contract = address(0xC3)
    chain.install(contract, _caller_pair("cross_call", 0))  # reserves 100,000
    poor = chain.call(SENDER, contract, "once", gas_limit=100_500)
    assert (poor.status, poor.trap) == ("trap", "out_of_fuel")
    rich = chain.call(SENDER, contract, "once", gas_limit=101_100)
    assert rich.status == "success"
    assert rich.gas_used == 1 + 11 + 1_000 + 5  # entry, call's instructions, base, callee


def test_every_core_function_is_pinned_here():
    """Each §7 function's §10 figure is measured above; the §8 parachain
    functions cannot be imported by a contract (deploy refuses them, §9.2),
    so they have no real-call measurement."""
    pinned = set(FIXED) | set(METERED) | {"consume_gas", "return", "revert", "cross_call",
                                          "delegate_call", "cross_call_static"}
    core = {name for name, d in HOST_FUNCTIONS.items() if not d.parachain_only}
    assert pinned == core
