"""Transactions in the JSON documents (``spec/wave-format.md``
"Transactions"), and receipts back out.

A JSON transaction names a *kind* (``"type"``); the reader builds the §11.6
:class:`~pyde_ref.executor.transactions.Transaction` a wallet would: the
§11.8 ``tx_type``, ``to``, ``value`` and the Borsh ``data`` of that kind
(the handlers decode exactly these bytes).  The ``raw`` kind gives
``tx_type`` and ``data`` directly, so any tag and any payload can be tried.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from pyde_ref.executor.handlers.airdrop import Claim
from pyde_ref.executor.handlers.contracts import DeployPayload
from pyde_ref.executor.handlers.multisig import MultisigAction, Pause, Resume, Rotate, Spend
from pyde_ref.executor.handlers.slash import Evidence
from pyde_ref.executor.jsonfields import (
    WaveFormatError,
    check_keys,
    hex0x,
    read_address,
    read_bytes,
    read_choice,
    read_code,
    read_int,
    read_list,
    read_name,
    read_object,
    read_optional_int,
    read_u64,
)
from pyde_ref.executor.parachain_json import PARACHAIN_KINDS, receipt_extras
from pyde_ref.executor.prestate_json import read_auth_keys
from pyde_ref.executor.transactions import (
    AccessEntry,
    AccessType,
    FeePayer,
    FeePayerKind,
    Receipt,
    Signature,
    Transaction,
    TxType,
    encode_call,
)
from pyde_ref.state.accounts import U32_MAX, U64_MAX, U128_MAX
from pyde_ref.state.borsh import Writer
from pyde_ref.state.system import ACCOUNTS, CONTRACTS, GAS_TANKS, PARACHAINS, STAKING, ZERO_ADDRESS

COMMON_FIELDS = ("nonce", "fee_payer", "access_list", "deadline", "chain_id", "signature", "signatures")


class TxReader:
    """Reads the fields of one JSON transaction at path ``field``."""

    def __init__(self, obj: dict, field: str, base_dir: Optional[str]):
        self.obj = obj
        self.field = field
        self.base_dir = base_dir

    def path(self, key: str) -> str:
        return f"{self.field}.{key}"

    def address(self, key: str) -> bytes:
        return read_address(self.obj[key], self.path(key))

    def bytes(self, key: str, length: Optional[int] = None, default: Optional[str] = None) -> bytes:
        return read_bytes(self.obj.get(key, default), self.path(key), length)

    def int(self, key: str, maximum: int, default: Any = None) -> int:
        return read_int(self.obj.get(key, default), self.path(key), maximum)

    def code(self, key: str) -> bytes:
        return read_code(self.obj[key], self.path(key), self.base_dir)

    def approvals(self) -> tuple[Signature, ...]:
        return read_signatures(self.obj["approvals"], self.path("approvals"))

    def value(self) -> int:
        return self.int("value", U128_MAX, 0)


def read_signatures(value: Any, field: str) -> tuple[Signature, ...]:
    """``[{"index": i, "signature": "0x..."}]``."""
    out = []
    for i, item in enumerate(read_list(value, field)):
        sub = f"{field}[{i}]"
        item = read_object(item, sub)
        check_keys(item, sub, ("index",), ("signature",))
        out.append(Signature(read_int(item["index"], f"{sub}.index", 255),
                             read_bytes(item.get("signature", "0x"), f"{sub}.signature")))
    return tuple(out)


def _op(function: str, args: bytes) -> bytes:
    return encode_call(function, args)


def _multisig(r: TxReader, action) -> bytes:
    return MultisigAction(action, r.int("multisig_nonce", U64_MAX), r.approvals()).encode()


# kind -> (required fields, optional fields, builder(reader) -> (tx_type, to, value, data))
Builder = Callable[[TxReader], tuple[int, bytes, int, bytes]]

KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], Builder]] = {
    "transfer": (("to",), ("value",), lambda r: (TxType.STANDARD, r.address("to"), r.value(), b"")),
    "call": (("to",), ("function", "calldata", "value"), lambda r: (
        TxType.STANDARD, r.address("to"), r.value(),
        encode_call(read_name(r.obj.get("function", ""), r.path("function")), r.bytes("calldata", default="0x")))),
    "deploy": (("code",), ("calldata", "value", "salt"), lambda r: (
        TxType.DEPLOY, ZERO_ADDRESS, r.value(),
        DeployPayload(r.code("code"), r.bytes("calldata", default="0x"),
                      r.bytes("salt", 32) if "salt" in r.obj else None).encode())),
    "stake_deposit": (("public_key", "value"), (), lambda r: (
        TxType.STAKE_DEPOSIT, ZERO_ADDRESS, r.value(), r.bytes("public_key"))),
    "stake_withdraw": (("validator",), (), lambda r: (
        TxType.STAKE_WITHDRAW, ZERO_ADDRESS, 0, r.address("validator"))),
    "claim_reward": (("validator",), (), lambda r: (TxType.CLAIM_REWARD, ZERO_ADDRESS, 0, r.address("validator"))),
    "slash": (("evidence",), (), lambda r: (TxType.SLASH, ZERO_ADDRESS, 0, read_evidence(r))),
    "claim_airdrop": (("index", "account", "amount", "proof"), (), lambda r: (
        TxType.CLAIM_AIRDROP, ZERO_ADDRESS, 0,
        Claim(r.int("index", U32_MAX), r.address("account"), r.int("amount", U128_MAX),
              tuple(read_bytes(p, f"{r.path('proof')}[{i}]", 32)
                    for i, p in enumerate(read_list(r.obj["proof"], r.path("proof"))))).encode())),
    "sweep_airdrop": ((), (), lambda r: (TxType.SWEEP_AIRDROP, ZERO_ADDRESS, 0, b"")),
    "multisig_tx": (("target", "amount", "data_digest", "multisig_nonce", "approvals"), (), lambda r: (
        TxType.MULTISIG_TX, ZERO_ADDRESS, 0,
        _multisig(r, Spend(r.address("target"), r.int("amount", U128_MAX), r.bytes("data_digest", 32))))),
    "rotate_multisig": (("new_signers", "new_threshold", "multisig_nonce", "approvals"), (), lambda r: (
        TxType.ROTATE_MULTISIG, ZERO_ADDRESS, 0,
        _multisig(r, Rotate(tuple(read_bytes(k, f"{r.path('new_signers')}[{i}]")
                                  for i, k in enumerate(read_list(r.obj["new_signers"], r.path("new_signers")))),
                            r.int("new_threshold", 255))))),
    "emergency_pause": (("duration_waves", "multisig_nonce", "approvals"), (), lambda r: (
        TxType.EMERGENCY_PAUSE, ZERO_ADDRESS, 0, _multisig(r, Pause(r.int("duration_waves", U64_MAX))))),
    "emergency_resume": (("multisig_nonce", "approvals"), (), lambda r: (
        TxType.EMERGENCY_RESUME, ZERO_ADDRESS, 0, _multisig(r, Resume()))),
    "register_pubkey": (("public_key",), (), lambda r: (
        TxType.REGISTER_PUBKEY, ZERO_ADDRESS, 0, r.bytes("public_key"))),
    "gas_tank_deposit": (("target", "value"), (), lambda r: (
        TxType.STANDARD, GAS_TANKS, r.value(), _op("deposit", r.address("target")))),
    "gas_tank_withdraw": (("target", "amount", "recipient"), (), lambda r: (
        TxType.STANDARD, GAS_TANKS, 0, _op("withdraw", Writer().fixed(r.address("target"), 32)
                                           .u128(r.int("amount", U128_MAX)).fixed(r.address("recipient"), 32).out()))),
    "upgrade": (("contract", "code"), (), lambda r: (
        TxType.STANDARD, CONTRACTS, 0,
        _op("upgrade", Writer().fixed(r.address("contract"), 32).bytes_vec(r.code("code")).out()))),
    "unjail": (("validator",), (), lambda r: (TxType.STANDARD, STAKING, 0, _op("unjail", r.address("validator")))),
    "rotate_validator_key": (("validator", "public_key"), (), lambda r: (
        TxType.STANDARD, STAKING, 0,
        _op("rotate_keys", Writer().fixed(r.address("validator"), 32).bytes_vec(r.bytes("public_key")).out()))),
    "rotate_auth_keys": (("auth_keys",), (), lambda r: (
        TxType.STANDARD, ACCOUNTS, 0, _op("rotate_auth_keys", read_auth_keys(r.obj["auth_keys"],
                                                                            r.path("auth_keys")).encode()))),
    **{kind: (required, optional, lambda r, op=op, build=build: (TxType.STANDARD, PARACHAINS, 0, _op(op, build(r))))
       for kind, (required, optional, op, build) in PARACHAIN_KINDS.items()},
    "raw": (("tx_type",), ("to", "value", "data"), lambda r: (
        r.int("tx_type", 255), r.address("to") if "to" in r.obj else ZERO_ADDRESS, r.value(),
        r.bytes("data", default="0x"))),
}


def read_evidence(r: TxReader) -> bytes:
    field = r.path("evidence")
    e = read_object(r.obj["evidence"], field)
    check_keys(e, field, ("offense", "validator", "wave", "digest_a", "signature_a", "digest_b", "signature_b"), ())
    return Evidence(read_int(e["offense"], f"{field}.offense", 255), read_address(e["validator"], f"{field}.validator"),
                    read_u64(e["wave"], f"{field}.wave"), read_bytes(e["digest_a"], f"{field}.digest_a", 32),
                    read_bytes(e["signature_a"], f"{field}.signature_a"),
                    read_bytes(e["digest_b"], f"{field}.digest_b", 32),
                    read_bytes(e["signature_b"], f"{field}.signature_b")).encode()


def read_fee_payer(value: Any, field: str) -> FeePayer:
    """``"sender"``, ``"gas_tank"`` or ``{"paymaster": "0x<address>"}``."""
    if value == "sender":
        return FeePayer()
    if value == "gas_tank":
        return FeePayer(FeePayerKind.GAS_TANK)
    if not isinstance(value, dict):
        raise WaveFormatError(field, f'expected "sender", "gas_tank" or {{"paymaster": "0x<address>"}}, '
                                     f"got {str(value)[:50]!r}")
    obj = read_object(value, field)
    check_keys(obj, field, ("paymaster",), ())
    return FeePayer(FeePayerKind.PAYMASTER, read_address(obj["paymaster"], f"{field}.paymaster"))


def read_access_list(value: Any, field: str) -> tuple[AccessEntry, ...]:
    out = []
    names = {name: tag for tag, name in AccessType.NAMES.items()}
    for i, item in enumerate(read_list(value, field)):
        sub = f"{field}[{i}]"
        item = read_object(item, sub)
        check_keys(item, sub, ("address",), ("storage_keys", "access_type"))
        keys = tuple(read_bytes(k, f"{sub}.storage_keys[{j}]", 32)
                     for j, k in enumerate(read_list(item.get("storage_keys", []), f"{sub}.storage_keys")))
        out.append(AccessEntry(read_address(item["address"], f"{sub}.address"), keys,
                               names[read_choice(item.get("access_type", "read_write"), f"{sub}.access_type",
                                                 set(names))]))
    return tuple(out)


def parse_tx(value: Any, field: str, chain_id: int, signed: bool, base_dir: Optional[str]) -> Transaction:
    """One JSON transaction at path ``field`` of a wave on chain
    ``chain_id`` (the default of its ``chain_id``)."""
    obj = read_object(value, field)
    if "type" not in obj:
        raise WaveFormatError(f"{field}.type", "missing required field")
    kind = read_choice(obj["type"], f"{field}.type", set(KINDS))
    required, optional, build = KINDS[kind]
    gas = ("gas_limit",) if kind != "register_pubkey" else ()
    check_keys(obj, field, ("type", "from") + gas + required,
               optional + COMMON_FIELDS + (("gas_limit",) if not gas else ()))
    if "signature" in obj and "signatures" in obj:
        raise WaveFormatError(f"{field}.signatures", "give signature or signatures, not both")
    r = TxReader(obj, field, base_dir)
    if signed and "nonce" not in obj and kind != "register_pubkey":  # RegisterPubkey uses no nonce
        raise WaveFormatError(f"{field}.nonce", "a signed document gives every transaction's nonce")
    if not signed and ("signature" in obj or "signatures" in obj):
        key = "signature" if "signature" in obj else "signatures"
        raise WaveFormatError(f"{field}.{key}", "an unsigned document carries no signatures")
    if "signature" in obj:
        signatures = (Signature(0, r.bytes("signature")),)
    else:
        signatures = read_signatures(obj.get("signatures", []), f"{field}.signatures")
    tx_type, to, value_, data = build(r)
    return Transaction(
        sender=r.address("from"),
        to=to,
        value=value_,
        data=data,
        gas_limit=r.int("gas_limit", U64_MAX, 0),
        nonce=read_optional_int(obj.get("nonce"), f"{field}.nonce", U64_MAX),
        fee_payer=read_fee_payer(obj.get("fee_payer", "sender"), f"{field}.fee_payer"),
        access_list=read_access_list(obj.get("access_list", []), f"{field}.access_list"),
        deadline=read_optional_int(obj.get("deadline"), f"{field}.deadline", U64_MAX),
        chain_id=read_int(obj.get("chain_id", chain_id), f"{field}.chain_id", U64_MAX),
        tx_type=tx_type,
        signatures=signatures,
    )


# --------------------------------------------------------------------------
# receipts
# --------------------------------------------------------------------------


def event_json(event) -> dict:
    return {"contract": hex0x(event.contract), "topic": hex0x(event.topic), "data": hex0x(event.data)}


def fee_json(fee) -> Optional[dict]:
    if fee is None:
        return None
    return {"payer_kind": fee.payer_kind, "payer": hex0x(fee.payer), "total": str(fee.total),
            "burned": str(fee.burned), "reward_pool": str(fee.reward_pool), "treasury": str(fee.treasury)}


def receipt_json(receipt: Receipt, write_json) -> dict:
    """One receipt of the output document (``write_json`` renders a write)."""
    return {
        "status": receipt.status,
        "tx_type": receipt.xcall.kind if receipt.xcall is not None else TxType.name_of(receipt.tx_type),
        "tx_hash": None if receipt.tx_hash is None else hex0x(receipt.tx_hash),
        "nonce": receipt.nonce,
        "code": receipt.code,
        "reason": receipt.reason,
        "error_code": receipt.error_code,
        "trap": receipt.trap,
        "gas_used": receipt.gas_used,
        "fee": fee_json(receipt.fee),
        "return_data": hex0x(receipt.return_data),
        "revert_reason": hex0x(receipt.revert_reason),
        "contract_address": None if receipt.contract_address is None else hex0x(receipt.contract_address),
        "events": [event_json(e) for e in receipt.events],
        "writes": [write_json(w) for w in receipt.writes],
        **receipt_extras(receipt),
    }

