"""The registry of ABI host functions: exact wasm types (ABI §7, §8), gas rows
(§10), the parachain-only flag (§8, §9.2), and the binding to the machine."""

import pytest

from pyde_ref.abi.constants import ERR_INVALID_INPUT, ERR_PARACHAIN_ONLY, GAS_TABLE
from pyde_ref.abi.registry import HOST_FUNCTIONS, MUTATING_IMPORTS, bind, call_host, lookup
from pyde_ref.abi.testing import address, make_env
from pyde_ref.wasm.errors import Trap
from pyde_ref.wasm.fuel import FuelMeter
from pyde_ref.wasm.runtime import Caller
from pyde_ref.wasm.syntax import FuncType

I, L = "i32", "i64"
SPEC_TYPES = {
    # ABI §7 (name: params, results), transcribed from the spec text
    "sload": ((I, I), (I,)), "sstore": ((I, I), (I,)), "sdelete": ((I,), (I,)),
    "balance": ((I, I), (I,)), "transfer": ((I, I), (I,)),
    "caller": ((I,), (I,)), "origin": ((I,), (I,)), "self_address": ((I,), (I,)),
    "block_height": ((), (L,)), "wave_id": ((), (L,)), "block_timestamp": ((), (L,)),
    "chain_id": ((), (L,)), "tx_hash": ((I,), (I,)), "tx_value": ((I,), (I,)),
    "tx_gas_remaining": ((), (L,)), "calldata_size": ((), (I,)), "calldata_copy": ((I, I, I), (I,)),
    "emit_event": ((I, I, I, I), (I,)),
    "hash_blake3": ((I, I, I), (I,)), "hash_poseidon2": ((I, I, I), (I,)),
    "hash_keccak256": ((I, I, I), (I,)), "falcon_verify": ((I, I, I, I, I), (I,)),
    "cross_call": ((I, I, I, I, I, I, L, I, I), (I,)),
    "cross_call_static": ((I, I, I, I, I, L, I, I), (I,)),
    "delegate_call": ((I, I, I, I, I, L, I, I), (I,)),
    "return": ((I, I), ()), "revert": ((I, I), ()), "consume_gas": ((L,), (I,)),
    "beacon_get": ((I,), (I,)),
    # ABI §8
    "parachain_storage_read": ((I, I, I, I), (I,)), "parachain_storage_write": ((I, I, I, I), (I,)),
    "parachain_storage_delete": ((I, I), (I,)), "parachain_id": ((I,), (I,)),
    "parachain_version": ((), (I,)), "parachain_emit_event": ((I, I, I, I), (I,)),
    "send_xparachain_message": ((I, I, I, I, I, L, L), (L,)),
    "threshold_encrypt": ((I, I, I, I), (I,)), "threshold_decrypt": ((I, I, I, I), (I,)),
}
PARACHAIN = {n for n in SPEC_TYPES if n.startswith(("parachain_", "send_x", "threshold_"))}


def test_every_function_has_its_spec_type_and_a_gas_row():
    assert set(HOST_FUNCTIONS) == set(SPEC_TYPES) == set(GAS_TABLE)
    for name, (params, results) in SPEC_TYPES.items():
        assert HOST_FUNCTIONS[name].type == FuncType(params, results), name


def test_parachain_only_flags_and_mutating_set():
    assert {n for n, d in HOST_FUNCTIONS.items() if d.parachain_only} == PARACHAIN
    assert MUTATING_IMPORTS == {"sstore", "sdelete", "transfer", "emit_event", "parachain_storage_write",
                                "parachain_storage_delete", "parachain_emit_event", "send_xparachain_message"}
    assert {n for n, d in HOST_FUNCTIONS.items() if d.contract_only} == {"sload", "sstore", "sdelete",
                                                                          "delegate_call"}


def test_lookup_only_under_module_pyde():
    assert lookup("pyde", "sload") is HOST_FUNCTIONS["sload"]
    assert lookup("env", "sload") is None
    assert lookup("pyde", "fd_write") is None


@pytest.mark.parametrize("name", sorted(PARACHAIN))
def test_parachain_function_from_a_contract_returns_parachain_only(name):
    defn = HOST_FUNCTIONS[name]
    env = make_env()
    result = call_host(defn, env, [0] * len(defn.type.params))
    width = 64 if defn.type.results == (L,) else 32
    assert result == [ERR_PARACHAIN_ONLY & ((1 << width) - 1)]
    assert env.gas.consumed == GAS_TABLE[name].base


def test_a_parachain_module_without_its_parachain_context_is_an_engine_fault():
    """Only a bypass of the executor runs a parachain module without the
    parachain's context: ``host_internal``, never a made-up answer."""
    env = make_env(is_parachain=True)
    with pytest.raises(Trap) as e:
        call_host(HOST_FUNCTIONS["parachain_id"], env, [0])
    assert e.value.kind == "host_internal"


def test_call_host_returns_error_codes_as_bit_patterns():
    env = make_env(calldata=b"ab")
    assert call_host(HOST_FUNCTIONS["calldata_copy"], env, [0, 3, 0]) == [ERR_INVALID_INPUT & 0xFFFF_FFFF]
    assert call_host(HOST_FUNCTIONS["chain_id"], env, []) == [31337]


def test_bind_gives_a_machine_host_func_using_the_callers_memory_and_fuel():
    env = make_env()
    host = bind(HOST_FUNCTIONS["self_address"], env.ctx)
    assert host.type == HOST_FUNCTIONS["self_address"].type
    fuel = FuelMeter(100)
    assert list(host.fn(Caller(None, env.memory, fuel), (64,))) == [0]
    assert env.memory.read(64, 32) == address(0xA1)
    assert fuel.consumed == 5


def test_bind_without_memory_traps_host_no_memory():
    env = make_env()
    host = bind(HOST_FUNCTIONS["caller"], env.ctx)
    with pytest.raises(Trap) as e:
        host.fn(Caller(None, None, FuelMeter(100)), (0,))
    assert e.value.kind == "host_no_memory"


@pytest.mark.parametrize("name", sorted(HOST_FUNCTIONS))
def test_every_function_cites_its_abi_section(name):
    doc = HOST_FUNCTIONS[name].impl.__doc__ or ""
    section = "ABI §8." if HOST_FUNCTIONS[name].parachain_only else "ABI §7."
    assert section in doc, f"{name}: docstring must cite the ABI section it implements"
