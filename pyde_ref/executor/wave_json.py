"""The JSON wave format of ``pyde-ref wave`` (``spec/wave-format.md``,
``spec/wave.schema.json``).

:func:`parse_wave` turns the decoded JSON document into a :class:`WaveInput`
and refuses anything malformed with a :class:`WaveFormatError` that names the
field (``txs[2].gas_limit: ...``).  :func:`wave_output` renders a
:class:`~pyde_ref.executor.wave.WaveResult` as the output document.

Encodings (both directions): addresses are ``0x`` + 64 hex digits, byte
strings ``0x`` + an even number of hex digits, integers JSON numbers or
decimal strings (booleans are not integers).  Output integers that can exceed
2**53 (balances, values) are decimal strings so any JSON reader keeps them
exact.
"""

from __future__ import annotations

import os
from typing import Any, Optional

import attrs

from pyde_ref.abi.env import BlockContext
from pyde_ref.executor.transactions import (
    ContractCall,
    ContractDeploy,
    Receipt,
    Transaction,
    Transfer,
)
from pyde_ref.state.accounts import U64_MAX, U128_MAX
from pyde_ref.state.code import code_hash
from pyde_ref.state.overlay import ACCOUNT, STORAGE


class WaveFormatError(ValueError):
    """The wave document is malformed; ``field`` is the JSON path of the
    offending field (e.g. ``txs[0].to``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@attrs.frozen
class GenesisAccount:
    balance: int = 0
    nonce: int = 0


@attrs.frozen
class GenesisContract:
    code: bytes
    balance: int = 0
    nonce: int = 0
    storage: tuple[tuple[bytes, bytes], ...] = ()


@attrs.frozen
class WaveInput:
    """A parsed wave document: context, pre-state and transactions."""

    context: BlockContext
    accounts: tuple[tuple[bytes, GenesisAccount], ...]
    contracts: tuple[tuple[bytes, GenesisContract], ...]
    txs: tuple[Transaction, ...]


# --------------------------------------------------------------------------
# field readers
# --------------------------------------------------------------------------


def _object(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise WaveFormatError(field, "expected a JSON object")
    return value


def _check_keys(obj: dict, field: str, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    for key in required:
        if key not in obj:
            raise WaveFormatError(_join(field, key), "missing required field")
    for key in obj:
        if key not in required and key not in optional:
            raise WaveFormatError(_join(field, key), "unknown field")


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def read_int(value: Any, field: str, maximum: int) -> int:
    """A JSON number or a decimal string, in ``[0, maximum]``."""
    if isinstance(value, bool):
        raise WaveFormatError(field, "expected an integer, got a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise WaveFormatError(field, f"expected an integer, got {value!r}")
        number = int(value)
        if float(number) != value or abs(number) > 2**53:
            raise WaveFormatError(field, "a non-integral or inexact number; use a decimal string")
    elif isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            raise WaveFormatError(field, f"expected a decimal string, got {value!r}")
        if len(value) > 40:
            raise WaveFormatError(field, "decimal string too long")
        number = int(value, 10)
    else:
        raise WaveFormatError(field, "expected an integer (JSON number or decimal string)")
    if not 0 <= number <= maximum:
        raise WaveFormatError(field, f"{number} is outside [0, {maximum}]")
    return number


def read_bytes(value: Any, field: str, length: Optional[int] = None) -> bytes:
    """``0x``-prefixed hex; exactly ``length`` bytes when given."""
    if not isinstance(value, str):
        raise WaveFormatError(field, "expected a 0x-prefixed hex string")
    if not value.startswith("0x"):
        raise WaveFormatError(field, "hex string must start with 0x")
    digits = value[2:]
    if len(digits) % 2:
        raise WaveFormatError(field, "hex string has an odd number of digits")
    try:
        data = bytes.fromhex(digits)
    except ValueError:
        raise WaveFormatError(field, "not a hex string") from None
    if not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise WaveFormatError(field, "not a hex string")
    if length is not None and len(data) != length:
        raise WaveFormatError(field, f"expected {length} bytes, got {len(data)}")
    return data


def read_address(value: Any, field: str) -> bytes:
    return read_bytes(value, field, 32)


def read_code(value: Any, field: str, base_dir: Optional[str]) -> bytes:
    """``0x`` + wasm hex, or a path to a ``.wasm`` file (relative paths are
    relative to the wave document's directory)."""
    if isinstance(value, str) and value.startswith("0x"):
        return read_bytes(value, field)
    if not isinstance(value, str) or not value:
        raise WaveFormatError(field, "expected 0x-prefixed wasm hex or a file path")
    path = value if os.path.isabs(value) or base_dir is None else os.path.join(base_dir, value)
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise WaveFormatError(field, f"cannot read {path}: {exc.strerror or exc}") from None


def _read_name(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise WaveFormatError(field, "expected a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise WaveFormatError(field, "not valid UTF-8") from None
    return value


# --------------------------------------------------------------------------
# the document
# --------------------------------------------------------------------------

CONTEXT_FIELDS = ("chain_id", "block_height", "wave_id", "block_timestamp", "base_fee")


def parse_context(value: Any) -> BlockContext:
    obj = _object(value, "context")
    _check_keys(obj, "context", CONTEXT_FIELDS, ("beacon",))
    numbers = {k: read_int(obj[k], f"context.{k}", U64_MAX) for k in CONTEXT_FIELDS[:4]}
    base_fee = read_int(obj["base_fee"], "context.base_fee", U128_MAX)
    beacon = read_bytes(obj["beacon"], "context.beacon", 32) if "beacon" in obj else bytes(32)
    return BlockContext(beacon=beacon, base_fee=base_fee, **numbers)


def _balance_and_nonce(entry: dict, field: str) -> dict:
    """The optional ``balance`` (u128) and ``nonce`` (u64) of an account or
    contract entry, 0 when absent."""
    return {
        "balance": read_int(entry.get("balance", 0), f"{field}.balance", U128_MAX),
        "nonce": read_int(entry.get("nonce", 0), f"{field}.nonce", U64_MAX),
    }


def parse_accounts(value: Any) -> tuple[tuple[bytes, GenesisAccount], ...]:
    obj = _object(value, "accounts")
    out = []
    for key, entry in obj.items():
        field = f"accounts[{key}]"
        address = read_address(key, field)
        entry = _object(entry, field)
        _check_keys(entry, field, (), ("balance", "nonce"))
        out.append((address, GenesisAccount(**_balance_and_nonce(entry, field))))
    return tuple(out)


def parse_contracts(value: Any, base_dir: Optional[str]) -> tuple[tuple[bytes, GenesisContract], ...]:
    obj = _object(value, "contracts")
    out = []
    for key, entry in obj.items():
        field = f"contracts[{key}]"
        address = read_address(key, field)
        entry = _object(entry, field)
        _check_keys(entry, field, ("code",), ("balance", "nonce", "storage", "code_hash"))
        storage = []
        for slot_hex, value_hex in _object(entry.get("storage", {}), f"{field}.storage").items():
            slot_field = f"{field}.storage[{slot_hex}]"
            storage.append((read_bytes(slot_hex, slot_field, 32), read_bytes(value_hex, slot_field, 32)))
        code = read_code(entry["code"], f"{field}.code", base_dir)
        if "code_hash" in entry and read_bytes(entry["code_hash"], f"{field}.code_hash", 32) != code_hash(code):
            raise WaveFormatError(f"{field}.code_hash", "does not match Blake3 of the code")
        contract = GenesisContract(code=code, storage=tuple(sorted(storage)), **_balance_and_nonce(entry, field))
        out.append((address, contract))
    return tuple(out)


TX_FIELDS = {
    "call": (("type", "from", "to", "gas_limit"), ("function", "calldata", "value")),
    "transfer": (("type", "from", "to", "gas_limit"), ("value",)),
    "deploy": (("type", "from", "code", "gas_limit"), ("calldata", "value")),
}


def parse_tx(value: Any, index: int, base_dir: Optional[str]) -> Transaction:
    field = f"txs[{index}]"
    obj = _object(value, field)
    if "type" not in obj:
        raise WaveFormatError(f"{field}.type", "missing required field")
    kind = obj["type"]
    if kind not in TX_FIELDS:
        raise WaveFormatError(f"{field}.type", f"expected one of {sorted(TX_FIELDS)}, got {kind!r}")
    required, optional = TX_FIELDS[kind]
    _check_keys(obj, field, required, optional)
    sender = read_address(obj["from"], f"{field}.from")
    gas_limit = read_int(obj["gas_limit"], f"{field}.gas_limit", U64_MAX)
    value_ = read_int(obj.get("value", 0), f"{field}.value", U128_MAX)
    if kind == "transfer":
        return Transfer(sender, read_address(obj["to"], f"{field}.to"), value_, gas_limit)
    calldata = read_bytes(obj.get("calldata", "0x"), f"{field}.calldata")
    if kind == "call":
        return ContractCall(
            sender,
            read_address(obj["to"], f"{field}.to"),
            _read_name(obj.get("function", ""), f"{field}.function"),
            calldata,
            value_,
            gas_limit,
        )
    return ContractDeploy(
        sender, read_code(obj["code"], f"{field}.code", base_dir), calldata, value_, gas_limit
    )


def parse_wave(document: Any, base_dir: Optional[str] = None) -> WaveInput:
    """The whole input document (``spec/wave-format.md``)."""
    obj = _object(document, "(document)")
    _check_keys(obj, "", ("context", "txs"), ("accounts", "contracts"))
    txs = obj["txs"]
    if not isinstance(txs, list):
        raise WaveFormatError("txs", "expected a JSON array")
    return WaveInput(
        context=parse_context(obj["context"]),
        accounts=parse_accounts(obj.get("accounts", {})),
        contracts=parse_contracts(obj.get("contracts", {}), base_dir),
        txs=tuple(parse_tx(tx, i, base_dir) for i, tx in enumerate(txs)),
    )


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------


def hex0x(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def event_json(event) -> dict:
    return {"contract": hex0x(event.contract), "topic": hex0x(event.topic), "data": hex0x(event.data)}


def _write_value_json(table: str, value: object) -> Any:
    if value is None:
        return None
    if table == "storage":
        return hex0x(value)  # type: ignore[arg-type]
    if table == "account":
        return {
            "balance": str(value.balance),  # type: ignore[attr-defined]
            "nonce": value.nonce,  # type: ignore[attr-defined]
            "code_hash": hex0x(value.code_hash),  # type: ignore[attr-defined]
            "account_type": value.account_type,  # type: ignore[attr-defined]
        }
    return {"code_size": len(value.wasm)}  # type: ignore[attr-defined]


def receipt_json(receipt: Receipt) -> dict:
    """One receipt of the output document."""
    return {
        "status": receipt.status,
        "trap": receipt.trap,
        "error_code": receipt.error_code,
        "reason": receipt.reason,
        "gas_used": receipt.gas_used,
        "return_data": hex0x(receipt.return_data),
        "revert_reason": hex0x(receipt.revert_reason),
        "contract_address": None if receipt.contract_address is None else hex0x(receipt.contract_address),
        "events": [event_json(e) for e in receipt.events],
        "writes": [
            {"table": w.table, "key": hex0x(w.key), "value": _write_value_json(w.table, w.value)}
            for w in receipt.writes
        ],
    }


def post_state_json(state) -> dict:
    """``post_state``: every non-empty account; contracts (accounts with code)
    with their code, balance, nonce and storage; storage keys sorted."""
    accounts: dict[str, dict] = {}
    contracts: dict[str, dict] = {}
    for address, account in state.entries(ACCOUNT):
        if account.is_contract:
            code = state.code(account.code_hash)
            contracts[hex0x(address)] = {
                "code": hex0x(code.wasm) if code is not None else None,
                "code_hash": hex0x(account.code_hash),
                "balance": str(account.balance),
                "nonce": account.nonce,
                "storage": {},
            }
        else:
            accounts[hex0x(address)] = {"balance": str(account.balance), "nonce": account.nonce}
    for key, value in state.entries(STORAGE):
        context, slot = key[:32], key[32:]
        entry = contracts.get(hex0x(context))
        if entry is None:
            # Storage under an address without code (a contract whose account
            # was never recorded cannot arise; shown for completeness).
            entry = contracts.setdefault(
                hex0x(context), {"code": None, "code_hash": hex0x(bytes(32)), "balance": "0", "nonce": 0, "storage": {}}
            )
        entry["storage"][hex0x(slot)] = hex0x(value)
    return {"accounts": accounts, "contracts": contracts}


def wave_output(result) -> dict:
    """The output document for a :class:`~pyde_ref.executor.wave.WaveResult`."""
    return {
        "receipts": [receipt_json(r) for r in result.receipts],
        "events_root": hex0x(result.events_root),
        "events_bloom": hex0x(result.events_bloom),
        "state_digest": hex0x(result.state_digest),
        "post_state": post_state_json(result.state),
    }
