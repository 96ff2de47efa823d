"""Small helpers to build deployable contracts and drive the executor, for
tests, examples and experiments.  Not consensus code.

``build_contract(wat, functions)`` turns WAT text plus a list of ABI function
descriptions (:func:`function_entry`) into a module with its ``pyde.abi``
section, the way ``otigen build`` would.
:class:`Chain` keeps a state, applies transactions one wave at a time and
returns receipts.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

from pyde_ref.abi.constants import ATTRIBUTE_BITS
from pyde_ref.abi.env import BlockContext
from pyde_ref.abi.section import FunctionAbi, contract_abi, embed_abi, function_abi
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.transactions import ContractCall, ContractDeploy, Receipt, Transfer
from pyde_ref.executor.wave import WaveResult, apply_wave, install_contract
from pyde_ref.state.accounts import Account
from pyde_ref.state.overlay import State
from pyde_ref.wasm import SPEC
from pyde_ref.wasm.text import wat_to_wasm

FunctionSpec = Union[str, dict]


def address(n: int) -> bytes:
    """A readable 32-byte test address: ``n`` big-endian in the last bytes,
    0xAA in the first byte so it is never the zero address."""
    return b"\xaa" + n.to_bytes(31, "big")


def function_entry(spec: FunctionSpec) -> FunctionAbi:
    """The ``FunctionAbi`` of ``"name"`` or ``"name:attr,attr"`` (``entry`` is
    added unless a dispatch attribute is given), or of ``{"name": ...,
    "attributes": [attribute names], "access_list": [slot prefixes]}`` (both
    lists optional, nothing added)."""
    if isinstance(spec, dict):
        name, names, prefixes = spec["name"], list(spec.get("attributes", [])), spec.get("access_list", ())
    else:
        name, _, names_text = spec.partition(":")
        names, prefixes = [a for a in names_text.split(",") if a], ()
        if not {"constructor", "fallback", "receive", "entry"} & set(names):
            names.append("entry")
    bits = 0
    for attribute in names:
        bits |= ATTRIBUTE_BITS[attribute]
    return function_abi(name, bits, prefixes)


def build_contract(wat: str, functions: Sequence[FunctionSpec]) -> bytes:
    """WAT + ABI function list -> deployable module bytes."""
    return embed_abi(wat_to_wasm(wat), contract_abi([function_entry(f) for f in functions]))


IMPORTS_WAT = {
    "sload": "(param i32 i32) (result i32)",
    "sstore": "(param i32 i32) (result i32)",
    "sdelete": "(param i32) (result i32)",
    "balance": "(param i32 i32) (result i32)",
    "transfer": "(param i32 i32) (result i32)",
    "caller": "(param i32) (result i32)",
    "origin": "(param i32) (result i32)",
    "self_address": "(param i32) (result i32)",
    "block_height": "(result i64)",
    "wave_id": "(result i64)",
    "block_timestamp": "(result i64)",
    "chain_id": "(result i64)",
    "tx_hash": "(param i32) (result i32)",
    "tx_value": "(param i32) (result i32)",
    "tx_gas_remaining": "(result i64)",
    "calldata_size": "(result i32)",
    "calldata_copy": "(param i32 i32 i32) (result i32)",
    "emit_event": "(param i32 i32 i32 i32) (result i32)",
    "hash_blake3": "(param i32 i32 i32) (result i32)",
    "hash_poseidon2": "(param i32 i32 i32) (result i32)",
    "hash_keccak256": "(param i32 i32 i32) (result i32)",
    "falcon_verify": "(param i32 i32 i32 i32 i32) (result i32)",
    "cross_call": "(param i32 i32 i32 i32 i32 i32 i64 i32 i32) (result i32)",
    "cross_call_static": "(param i32 i32 i32 i32 i32 i64 i32 i32) (result i32)",
    "delegate_call": "(param i32 i32 i32 i32 i32 i64 i32 i32) (result i32)",
    "return": "(param i32 i32)",
    "revert": "(param i32 i32)",
    "consume_gas": "(param i64) (result i32)",
    "beacon_get": "(param i32) (result i32)",
}
"""The wasm type of every core host function in WAT (ABI §7), for tests
that write contracts inline."""


def wat_string(data: bytes) -> str:
    """``data`` as a WAT string literal body (every byte escaped)."""
    return "".join(f"\\{b:02x}" for b in data)


def import_lines(names: Iterable[str]) -> str:
    """``(import "pyde" "<name>" (func $<name> ...))`` for each name."""
    return "\n".join(
        f'  (import "pyde" "{n}" (func ${n} {IMPORTS_WAT[n]}))' for n in names
    )


DEFAULT_BLOCK = BlockContext(
    chain_id=31337, block_height=7, wave_id=7, block_timestamp=1_700_000_000,
    beacon=bytes(range(32)), base_fee=1,
)


class Chain:
    """A state plus an executor; each :meth:`wave` applies transactions as one
    wave and keeps the post-state."""

    def __init__(self, block: BlockContext = DEFAULT_BLOCK, fuel_model: str = SPEC,
                 executor: Optional[WasmExecutor] = None):
        self.state = State()
        self.block = block
        self.executor = executor or WasmExecutor(ExecutorConfig(fuel_model=fuel_model))
        self.last: Optional[WaveResult] = None

    def fund(self, who: bytes, amount: int) -> None:
        acct = self.state.account(who)
        self.state.put_account(who, Account(amount, acct.nonce, acct.code_hash, acct.account_type))

    def install(self, at: bytes, wasm: bytes, balance: int = 0) -> None:
        """Put a contract into the state directly (genesis), after the same
        deploy validation a ``ContractDeploy`` gets."""
        install_contract(self.state, at, wasm, balance)

    def wave(self, txs: Sequence) -> WaveResult:
        self.last = apply_wave(self.state, self.block, txs, self.executor)
        self.state = self.last.state
        return self.last

    def apply(self, tx) -> Receipt:
        return self.wave([tx]).receipts[0]

    def call(self, sender: bytes, to: bytes, function: str, calldata: bytes = b"",
             value: int = 0, gas_limit: int = 1_000_000) -> Receipt:
        return self.apply(ContractCall(sender, to, function, calldata, value, gas_limit))

    def transfer(self, sender: bytes, to: bytes, value: int, gas_limit: int = 21_000) -> Receipt:
        return self.apply(Transfer(sender, to, value, gas_limit))

    def deploy(self, sender: bytes, code: bytes, calldata: bytes = b"", value: int = 0,
               gas_limit: int = 1_000_000) -> Receipt:
        return self.apply(ContractDeploy(sender, code, calldata, value, gas_limit))

    def balance(self, who: bytes) -> int:
        return self.state.account(who).balance

    def nonce(self, who: bytes) -> int:
        return self.state.account(who).nonce
