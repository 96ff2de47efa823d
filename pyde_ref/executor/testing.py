"""Small helpers to build deployable contracts and drive the executor, for
tests, examples and experiments.  Not consensus code.

``build_contract(wat, functions)`` turns WAT text plus a list of ABI function
descriptions (:func:`function_entry`) into a module with its ``pyde.abi``
section, the way ``otigen build`` would.
:class:`Chain` keeps a state, applies transactions one wave at a time and
returns receipts.
"""

from __future__ import annotations

import json
from typing import Iterable, Optional, Sequence, Union

import attrs

from pyde_ref.abi.constants import ATTRIBUTE_BITS
from pyde_ref.abi.env import BlockContext
from pyde_ref.abi.section import ContractType, FunctionAbi, contract_abi, embed_abi, function_abi
from pyde_ref.crypto.falcon import falcon512_sign
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.context import WaveEnv
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.genesis import install_contract
from pyde_ref.executor.handlers.contracts import DeployPayload
from pyde_ref.executor.transactions import Receipt, Signature, Transaction, TxType, encode_call, tx_hash
from pyde_ref.executor.wave import WaveResult, apply_wave
from pyde_ref.state.overlay import State
from pyde_ref.state.system import ZERO_ADDRESS
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


def build_contract(wat: str, functions: Sequence[FunctionSpec],
                   contract_type: ContractType = ContractType.CONTRACT) -> bytes:
    """WAT + ABI function list -> deployable module bytes (a parachain's
    module with ``contract_type = ContractType.PARACHAIN``)."""
    return embed_abi(wat_to_wasm(wat), contract_abi([function_entry(f) for f in functions], contract_type))


def build_parachain(wat: str, functions: Sequence[FunctionSpec]) -> bytes:
    """WAT + ABI function list -> a parachain module (``contract_type =
    Parachain``)."""
    return build_contract(wat, functions, ContractType.PARACHAIN)


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
    "parachain_storage_read": "(param i32 i32 i32 i32) (result i32)",
    "parachain_storage_write": "(param i32 i32 i32 i32) (result i32)",
    "parachain_storage_delete": "(param i32 i32) (result i32)",
    "parachain_id": "(param i32) (result i32)",
    "parachain_version": "(result i32)",
    "parachain_emit_event": "(param i32 i32 i32 i32) (result i32)",
    "send_xparachain_message": "(param i32 i32 i32 i32 i32 i64 i64) (result i64)",
    "threshold_encrypt": "(param i32 i32 i32 i32) (result i32)",
    "threshold_decrypt": "(param i32 i32 i32 i32) (result i32)",
}
"""The wasm type of every host function in WAT (ABI §7, §8), for tests
that write contracts and parachains inline."""


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


def _tx(sender: bytes, tx_type: int, to: bytes, value: int, data: bytes, gas_limit: int, **fields) -> Transaction:
    fields.setdefault("chain_id", DEFAULT_BLOCK.chain_id)
    return Transaction(sender=sender, to=to, value=value, data=data, gas_limit=gas_limit, tx_type=tx_type,
                       **fields)


def call_tx(sender: bytes, to: bytes, function: str, calldata: bytes = b"", value: int = 0,
            gas_limit: int = 1_000_000, **fields) -> Transaction:
    """A ``Standard`` contract call (§11.6 fields in ``fields``: nonce,
    fee_payer, access_list, deadline, chain_id, signatures)."""
    return _tx(sender, TxType.STANDARD, to, value, encode_call(function, calldata), gas_limit, **fields)


def transfer_tx(sender: bytes, to: bytes, value: int = 0, gas_limit: int = 21_000, **fields) -> Transaction:
    """A ``Standard`` value transfer (empty ``data``)."""
    return _tx(sender, TxType.STANDARD, to, value, b"", gas_limit, **fields)


def deploy_tx(sender: bytes, code: bytes, calldata: bytes = b"", value: int = 0, gas_limit: int = 1_000_000,
              salt: Optional[bytes] = None, to: bytes = ZERO_ADDRESS, **fields) -> Transaction:
    """A ``Deploy``: CREATE, or CREATE2 with ``salt``."""
    return _tx(sender, TxType.DEPLOY, to, value, DeployPayload(code, calldata, salt).encode(), gas_limit, **fields)


def native_tx(tx_type: int, sender: bytes, data: bytes = b"", value: int = 0, gas_limit: int = 1_000_000,
              to: bytes = ZERO_ADDRESS, **fields) -> Transaction:
    """Any transaction type with its raw ``data``."""
    return _tx(sender, tx_type, to, value, data, gas_limit, **fields)


def system_tx(sender: bytes, address: bytes, operation: str, args: bytes = b"", value: int = 0,
              gas_limit: int = 1_000_000, **fields) -> Transaction:
    """A ``Standard`` transaction running a system operation."""
    return _tx(sender, TxType.STANDARD, address, value, encode_call(operation, args), gas_limit, **fields)


@attrs.frozen
class TestKey:
    """A named FALCON-512 key pair of ``vectors/test-keys.json`` and the
    address it derives (chapter 11 §11.2: ``Poseidon2(public key)``)."""

    name: str
    public_key: bytes
    secret_key: bytes

    @property
    def address(self) -> bytes:
        return poseidon2_hash(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return falcon512_sign(self.secret_key, message)


def load_keys(path) -> dict[str, TestKey]:
    """The key pairs of a ``test-keys.json`` file, by name."""
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    return {name: TestKey(name, bytes.fromhex(k["public_key"][2:]), bytes.fromhex(k["secret_key"][2:]))
            for name, k in document["keys"].items()}


def signed(tx: Transaction, *keys: TestKey, indices: Optional[Sequence[int]] = None) -> Transaction:
    """``tx`` (its nonce given) with signatures by ``keys`` over its hash,
    key ``i`` at index ``indices[i]`` (default 0, 1, 2, ...)."""
    digest = tx_hash(tx)
    indices = list(range(len(keys))) if indices is None else list(indices)
    return attrs.evolve(tx, signatures=tuple(Signature(i, k.sign(digest)) for i, k in zip(indices, keys)))


class Chain:
    """A state plus an executor; each :meth:`wave` applies transactions as one
    wave and keeps the post-state.  Signatures are not checked unless
    ``signed`` (most tests use readable addresses no key derives)."""

    def __init__(self, block: BlockContext = DEFAULT_BLOCK, fuel_model: str = SPEC,
                 executor: Optional[WasmExecutor] = None, signed: bool = False):
        self.state = State()
        self.block = block
        self.signed = signed
        self.executor = executor or WasmExecutor(ExecutorConfig(fuel_model=fuel_model))
        self.last: Optional[WaveResult] = None

    def fund(self, who: bytes, amount: int) -> None:
        self.state.put_account(who, self.state.account(who).evolve(balance=amount))

    def set_account(self, who: bytes, **fields) -> None:
        self.state.put_account(who, self.state.account(who).evolve(**fields))

    def install(self, at: bytes, wasm: bytes, balance: int = 0, owner: Optional[bytes] = None,
                gas_tank: int = 0) -> None:
        """Put a contract into the state directly (genesis), after the same
        deploy validation a ``Deploy`` gets."""
        install_contract(self.state, at, wasm, balance, owner=owner, gas_tank=gas_tank)

    def at_wave(self, wave_id: int) -> "Chain":
        """Move the block context to ``wave_id`` (and the same height)."""
        self.block = attrs.evolve(self.block, wave_id=wave_id, block_height=wave_id)
        return self

    def wave(self, txs: Sequence) -> WaveResult:
        env = WaveEnv(self.block, signatures_checked=self.signed)
        self.last = apply_wave(self.state, env, txs, self.executor)
        self.state = self.last.state
        return self.last

    def apply(self, tx) -> Receipt:
        return self.wave([tx]).receipts[0]

    def call(self, sender: bytes, to: bytes, function: str, calldata: bytes = b"",
             value: int = 0, gas_limit: int = 1_000_000, **fields) -> Receipt:
        return self.apply(call_tx(sender, to, function, calldata, value, gas_limit, **fields))

    def transfer(self, sender: bytes, to: bytes, value: int, gas_limit: int = 21_000, **fields) -> Receipt:
        return self.apply(transfer_tx(sender, to, value, gas_limit, **fields))

    def deploy(self, sender: bytes, code: bytes, calldata: bytes = b"", value: int = 0,
               gas_limit: int = 1_000_000, **fields) -> Receipt:
        return self.apply(deploy_tx(sender, code, calldata, value, gas_limit, **fields))

    def balance(self, who: bytes) -> int:
        return self.state.account(who).balance

    def nonce(self, who: bytes) -> int:
        return self.state.account(who).nonce
