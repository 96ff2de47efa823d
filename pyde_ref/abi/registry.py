"""Every host function of the ABI with its exact wasm type (ABI §3.1, §7, §8,
§12.6): the one table deploy checks imports against and every engine binds
from.

:data:`HOST_FUNCTIONS` maps an import name (module ``pyde``) to a
:class:`HostFunctionDef`.  :func:`call_host` runs one call against any
engine's memory and gas (the wasmtime backend uses it as is);
:func:`bind` wraps a definition as the pure-Python machine's ``HostFunc``.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import attrs

from pyde_ref.abi import (
    account,
    calls,
    context,
    crypto,
    events,
    halt,
    hashing,
    metering,
    parachain,
    storage,
)
from pyde_ref.abi.constants import GAS_TABLE, IMPORT_MODULE, HostTrapKind
from pyde_ref.abi.env import ExecutionContext, HostEnv
from pyde_ref.abi.gas import GasCharge
from pyde_ref.wasm import HostFunc, Trap
from pyde_ref.wasm.syntax import BIT_WIDTH, FuncType


@attrs.frozen
class HostFunctionDef:
    """One host function: ``name`` under module ``pyde``, its wasm ``type``,
    the implementation ``impl(env, *args) -> int | None``, whether only
    parachains may import it (ABI §8, §9.2), whether it mutates state
    (the imports the static view check of ABI §3.7 step 4 looks for), and
    whether parachains may not import it."""

    name: str
    type: FuncType
    impl: Callable[..., Optional[int]]
    parachain_only: bool = False
    mutating: bool = False
    contract_only: bool = False
    """Refused to parachains: their state lives in their ``parachain_storage_*``
    subtree (``spec/findings/parachain-import-allowlist.md``)."""


def _t(params: str, results: str = "") -> FuncType:
    return FuncType(tuple(params.split()), tuple(results.split()))


_I32 = "i32"

_CORE: list[HostFunctionDef] = [
    # §7.1 storage
    HostFunctionDef("sload", _t("i32 i32", _I32), storage.sload, contract_only=True),
    HostFunctionDef("sstore", _t("i32 i32", _I32), storage.sstore, mutating=True, contract_only=True),
    HostFunctionDef("sdelete", _t("i32", _I32), storage.sdelete, mutating=True, contract_only=True),
    # §7.2 account & balance
    HostFunctionDef("balance", _t("i32 i32", _I32), account.balance),
    HostFunctionDef("transfer", _t("i32 i32", _I32), account.transfer, mutating=True),
    # §7.3 execution context
    HostFunctionDef("caller", _t("i32", _I32), context.caller),
    HostFunctionDef("origin", _t("i32", _I32), context.origin),
    HostFunctionDef("self_address", _t("i32", _I32), context.self_address),
    HostFunctionDef("block_height", _t("", "i64"), context.block_height),
    HostFunctionDef("wave_id", _t("", "i64"), context.wave_id),
    HostFunctionDef("block_timestamp", _t("", "i64"), context.block_timestamp),
    HostFunctionDef("chain_id", _t("", "i64"), context.chain_id),
    # §7.4 transaction context
    HostFunctionDef("tx_hash", _t("i32", _I32), context.tx_hash),
    HostFunctionDef("tx_value", _t("i32", _I32), context.tx_value),
    HostFunctionDef("tx_gas_remaining", _t("", "i64"), context.tx_gas_remaining),
    HostFunctionDef("calldata_size", _t("", _I32), context.calldata_size),
    HostFunctionDef("calldata_copy", _t("i32 i32 i32", _I32), context.calldata_copy),
    # §7.5 events
    HostFunctionDef("emit_event", _t("i32 i32 i32 i32", _I32), events.emit_event, mutating=True),
    # §7.6 hashing
    HostFunctionDef("hash_blake3", _t("i32 i32 i32", _I32), hashing.hash_blake3),
    HostFunctionDef("hash_poseidon2", _t("i32 i32 i32", _I32), hashing.hash_poseidon2),
    HostFunctionDef("hash_keccak256", _t("i32 i32 i32", _I32), hashing.hash_keccak256),
    # §7.7 post-quantum crypto
    HostFunctionDef("falcon_verify", _t("i32 i32 i32 i32 i32", _I32), crypto.falcon_verify),
    # §7.8 cross-contract calls
    HostFunctionDef("cross_call", _t("i32 i32 i32 i32 i32 i32 i64 i32 i32", _I32), calls.cross_call),
    HostFunctionDef("cross_call_static", _t("i32 i32 i32 i32 i32 i64 i32 i32", _I32),
                    calls.cross_call_static),
    HostFunctionDef("delegate_call", _t("i32 i32 i32 i32 i32 i64 i32 i32", _I32), calls.delegate_call,
                    contract_only=True),
    # §7.9 halts
    HostFunctionDef("return", _t("i32 i32"), halt.return_),
    HostFunctionDef("revert", _t("i32 i32"), halt.revert),
    # §7.10 explicit metering
    HostFunctionDef("consume_gas", _t("i64", _I32), metering.consume_gas),
    # §7.11 beacon
    HostFunctionDef("beacon_get", _t("i32", _I32), context.beacon_get),
]

_PARACHAIN_TYPES: dict[str, tuple[FuncType, bool]] = {
    "parachain_storage_read": (_t("i32 i32 i32 i32", _I32), False),
    "parachain_storage_write": (_t("i32 i32 i32 i32", _I32), True),
    "parachain_storage_delete": (_t("i32 i32", _I32), True),
    "parachain_id": (_t("i32", _I32), False),
    "parachain_version": (_t("", _I32), False),
    "parachain_emit_event": (_t("i32 i32 i32 i32", _I32), True),
    # mutating: a message is a state change (spec/findings/parachain-abi.md)
    "send_xparachain_message": (_t("i32 i32 i32 i32 i32 i64 i64", "i64"), True),
    "threshold_encrypt": (_t("i32 i32 i32 i32", _I32), False),
    "threshold_decrypt": (_t("i32 i32 i32 i32", _I32), False),
}

_PARACHAIN: list[HostFunctionDef] = [
    HostFunctionDef(name, ftype, parachain.IMPLEMENTATIONS[name], parachain_only=True, mutating=mut)
    for name, (ftype, mut) in _PARACHAIN_TYPES.items()
]

HOST_FUNCTIONS: dict[str, HostFunctionDef] = {d.name: d for d in _CORE + _PARACHAIN}
"""Import name -> definition, §7 in spec order, then §8."""

MUTATING_IMPORTS = frozenset(d.name for d in HOST_FUNCTIONS.values() if d.mutating)
"""ABI §3.7 step 4: the imports a view function must not reach."""

assert set(HOST_FUNCTIONS) == set(GAS_TABLE), "every host function has a §10 gas row"
assert set(parachain.PARACHAIN_FUNCTIONS) == set(_PARACHAIN_TYPES)


class _NoMemory:
    """Stands in for the memory of an instance that has none: any access
    traps ``host_no_memory`` (deploy requires an exported memory, so only a
    bypass reaches it)."""

    def read(self, addr: int, n: int) -> bytes:
        raise Trap(HostTrapKind.HOST_NO_MEMORY, "host function needs the contract's memory")

    def write(self, addr: int, data: bytes) -> None:
        raise Trap(HostTrapKind.HOST_NO_MEMORY, "host function needs the contract's memory")


def call_host(defn: HostFunctionDef, env: HostEnv, args: Sequence[int]) -> list[int]:
    """Run ``defn`` with wasm ``args`` (bit patterns) and return its results
    as bit patterns of its result types (ABI §3.3: the i32 error codes are
    negative numbers, i.e. their two's-complement bits)."""
    result = defn.impl(env, *args)
    if not defn.type.results:
        return []
    width = BIT_WIDTH[defn.type.results[0]]
    return [int(result) & ((1 << width) - 1)]


def bind(defn: HostFunctionDef, ctx: ExecutionContext,
         on_charges: Optional[Callable[[tuple[GasCharge, ...]], None]] = None):
    """The pure-Python machine's ``HostFunc`` for ``defn`` in the frame ``ctx``:
    each call sees the calling instance's memory and fuel meter.  With
    ``on_charges``, each call ends (returning or raising) by passing it the
    charges the call paid (:class:`.gas.GasCharge`, in order), just before
    the machine reports the call to its observer."""

    def host(caller, args):
        memory = caller.memory if caller.memory is not None else _NoMemory()
        if on_charges is None:
            return call_host(defn, HostEnv(memory, caller.fuel, ctx), args)
        charges: list[GasCharge] = []
        try:
            return call_host(defn, HostEnv(memory, caller.fuel, ctx, charges.append), args)
        finally:
            on_charges(tuple(charges))

    return HostFunc(defn.type, host, f"{IMPORT_MODULE}.{defn.name}")


def lookup(module: str, name: str) -> Optional[HostFunctionDef]:
    """The definition an import ``(module, name)`` refers to, if any."""
    return HOST_FUNCTIONS.get(name) if module == IMPORT_MODULE else None
