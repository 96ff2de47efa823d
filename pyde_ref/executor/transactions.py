"""The transaction record, its canonical encoding and its hash (chapter 11
§11.6, §11.8), and receipts.

A :class:`Transaction` holds exactly the fields of §11.6.  What the
transaction *does* is its ``tx_type`` (a §11.8 tag, :class:`TxType`) and its
``data``: calldata for a ``Standard`` call (:func:`encode_call`), the
module and constructor arguments for a ``Deploy``, a Borsh payload for the
native types (each defined next to its handler in
:mod:`pyde_ref.executor.handlers`).  Readings the documents leave open
(the ``data`` of a call, ``fee_payer_tag``, several signatures) are
``spec/findings/tx-hash.md`` and ``spec/findings/tx-wire-format.md``.

Every transaction ends in exactly one :class:`Receipt`; nothing ends in a
Python exception.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.rejections import MALFORMED_PAYLOAD, Rejection
from pyde_ref.state.accounts import U64_MAX, U128_MAX
from pyde_ref.state.borsh import BorshError, Reader, Writer
from pyde_ref.state.events import Event
from pyde_ref.state.system import ZERO_ADDRESS


class TxType:
    """Chapter 11 §11.8 ``TransactionType`` tags (u8).  Tag 2 is vacant
    (``Batch`` was removed, §11.9); every other unlisted tag is unknown."""

    STANDARD = 0
    DEPLOY = 1
    VACANT = 2
    STAKE_DEPOSIT = 3
    STAKE_WITHDRAW = 4
    SLASH = 5
    CLAIM_REWARD = 6
    CLAIM_AIRDROP = 7
    SWEEP_AIRDROP = 8
    MULTISIG_TX = 9
    ROTATE_MULTISIG = 10
    EMERGENCY_PAUSE = 11
    EMERGENCY_RESUME = 12
    REGISTER_PUBKEY = 13

    NAMES = {
        STANDARD: "Standard", DEPLOY: "Deploy", STAKE_DEPOSIT: "StakeDeposit",
        STAKE_WITHDRAW: "StakeWithdraw", SLASH: "Slash", CLAIM_REWARD: "ClaimReward",
        CLAIM_AIRDROP: "ClaimAirdrop", SWEEP_AIRDROP: "SweepAirdrop", MULTISIG_TX: "MultisigTx",
        ROTATE_MULTISIG: "RotateMultisig", EMERGENCY_PAUSE: "EmergencyPause",
        EMERGENCY_RESUME: "EmergencyResume", REGISTER_PUBKEY: "RegisterPubkey",
    }

    @classmethod
    def name_of(cls, tag: int) -> str:
        if tag == cls.VACANT:
            return "Vacant(2)"
        return cls.NAMES.get(tag, f"Unknown({tag})")


class FeePayerKind:
    """Chapter 11 §11.6 ``FeePayer`` variants and their Borsh tags."""

    SENDER = 0
    GAS_TANK = 1
    PAYMASTER = 2

    NAMES = {SENDER: "sender", GAS_TANK: "gas_tank", PAYMASTER: "paymaster"}


@attrs.frozen
class FeePayer:
    """``Sender`` (default), ``GasTank`` (the target contract's tank) or
    ``Paymaster(address)`` (chapter 10 §10.7)."""

    kind: int = FeePayerKind.SENDER
    paymaster: Optional[bytes] = None

    def __attrs_post_init__(self) -> None:
        if (self.kind == FeePayerKind.PAYMASTER) != (self.paymaster is not None):
            raise ValueError("a paymaster address goes with FeePayer::Paymaster only")

    def encode_into(self, w: Writer) -> Writer:
        """Borsh enum: the tag, then the address for ``Paymaster``."""
        w.u8(self.kind)
        return w.fixed(self.paymaster, 32) if self.paymaster is not None else w


SENDER_PAYS = FeePayer()


class AccessType:
    """Chapter 11 §11.6 ``AccessType``: ``Read`` = 0, ``ReadWrite`` = 1."""

    READ = 0
    READ_WRITE = 1

    NAMES = {READ: "read", READ_WRITE: "read_write"}


@attrs.frozen
class AccessEntry:
    """Chapter 11 §11.6 ``AccessEntry``: an address, the storage keys of it
    the transaction may touch, and whether it may write them."""

    address: bytes
    storage_keys: tuple[bytes, ...] = ()
    access_type: int = AccessType.READ_WRITE

    def encode_into(self, w: Writer) -> Writer:
        w.fixed(self.address, 32).u32(len(self.storage_keys))
        for key in self.storage_keys:
            w.fixed(key, 32)
        return w.u8(self.access_type)


@attrs.frozen
class Signature:
    """One FALCON-512 signature over the transaction hash and the index of
    the ``auth_keys`` key that made it (0 for ``Single``)."""

    index: int
    signature: bytes


def encode_access_list(entries: tuple[AccessEntry, ...]) -> bytes:
    """Borsh ``Vec<AccessEntry>``: u32 count, then each entry (address,
    ``Vec<[u8; 32]>`` of keys, access type u8)."""
    w = Writer().u32(len(entries))
    for entry in entries:
        entry.encode_into(w)
    return w.out()


@attrs.frozen
class Transaction:
    """Chapter 11 §11.6 ``Transaction``.

    ``sender`` is ``from``.  ``nonce`` is ``None`` only in an unsigned
    document, where it means "the sender's lowest unused nonce at
    execution" (:func:`resolve_nonce`).  ``signatures`` is §11.6's
    ``signature``: one entry for a ``Single`` key, one per signer for a
    ``MultiSig`` account, none in an unsigned document or for
    ``RegisterPubkey``."""

    sender: bytes
    to: bytes = ZERO_ADDRESS
    value: int = 0
    data: bytes = b""
    gas_limit: int = 0
    nonce: Optional[int] = None
    fee_payer: FeePayer = SENDER_PAYS
    access_list: tuple[AccessEntry, ...] = ()
    deadline: Optional[int] = None
    chain_id: int = 0
    tx_type: int = TxType.STANDARD
    signatures: tuple[Signature, ...] = ()

    def __attrs_post_init__(self) -> None:
        for name in ("sender", "to"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != 32:
                raise ValueError(f"{name} must be 32 bytes")
        if not isinstance(self.data, bytes):
            raise ValueError("data must be bytes")
        ranges = {"value": U128_MAX, "gas_limit": U64_MAX, "chain_id": U64_MAX, "nonce": U64_MAX,
                  "deadline": U64_MAX, "tx_type": 0xFF}
        for name, maximum in ranges.items():
            value = getattr(self, name)
            if value is None and name in ("nonce", "deadline"):
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
                raise ValueError(f"{name} must be an integer in [0, {maximum}], got {value!r}")

    def with_nonce(self, nonce: int) -> "Transaction":
        return attrs.evolve(self, nonce=nonce)


def hash_preimage(tx: Transaction) -> bytes:
    """The input of chapter 11 §11.6's outer Poseidon2, field by field:

    ========================  ===============================================
    ``chain_id``              u64 little-endian (8)
    ``from``, ``to``          32 bytes each
    ``value``                 u128 little-endian (16)
    ``Poseidon2(data)``       32
    ``gas_limit``, ``nonce``  u64 little-endian (8 each)
    ``fee_payer_tag``         the Borsh ``FeePayer``: tag u8, then for
                              ``Paymaster`` its 32-byte address
    ``Poseidon2(access_list)``  32: Poseidon2 of :func:`encode_access_list`
    ``deadline``              Borsh ``Option<u64>``: 0x00, or 0x01 + u64 LE
    ``tx_type``               u8
    ========================  ===============================================
    """
    if tx.nonce is None:
        raise ValueError("the hash needs the nonce: resolve it first")
    w = Writer().u64(tx.chain_id).fixed(tx.sender, 32).fixed(tx.to, 32).u128(tx.value)
    w.fixed(poseidon2_hash(tx.data), 32).u64(tx.gas_limit).u64(tx.nonce)
    tx.fee_payer.encode_into(w)
    w.fixed(poseidon2_hash(encode_access_list(tx.access_list)), 32)
    return w.option_u64(tx.deadline).u8(tx.tx_type).out()


def tx_hash(tx: Transaction) -> bytes:
    """Chapter 11 §11.6: ``tx_hash = Poseidon2(chain_id || from || to ||
    value || Poseidon2(data) || gas_limit || nonce || fee_payer_tag ||
    Poseidon2(access_list) || deadline || tx_type)`` (:func:`hash_preimage`).
    The signatures sign this hash; ``pyde::tx_hash`` returns it."""
    return poseidon2_hash(hash_preimage(tx))


def encode_transaction(tx: Transaction) -> bytes:
    """The canonical wire encoding (Borsh, §11.6 field order), whose length
    :data:`~pyde_ref.executor.params.MAX_TX_SIZE` bounds: from, to, value,
    data ``Vec<u8>``, gas_limit, nonce, the signatures ``Vec<(u8,
    Vec<u8>)>``, fee_payer, access_list, deadline ``Option<u64>``, chain_id,
    tx_type."""
    w = Writer().fixed(tx.sender, 32).fixed(tx.to, 32).u128(tx.value).bytes_vec(tx.data)
    w.u64(tx.gas_limit).u64(tx.nonce or 0).u32(len(tx.signatures))
    for sig in tx.signatures:
        w.u8(sig.index).bytes_vec(sig.signature)
    tx.fee_payer.encode_into(w)
    w.raw(encode_access_list(tx.access_list))
    return w.option_u64(tx.deadline).u64(tx.chain_id).u8(tx.tx_type).out()


# --------------------------------------------------------------------------
# Standard: the data of a call
# --------------------------------------------------------------------------


def encode_call(function: str, calldata: bytes) -> bytes:
    """The ``data`` of a ``Standard`` contract call: the function name as a
    Borsh ``String`` (u32 LE length, UTF-8), then the calldata the function
    reads with ``calldata_copy``.  An empty ``data`` is a plain value
    transfer; an empty name (data ``00000000`` + calldata) is a call without
    a selector (fallback, or receive when value > 0; ABI §3.5)."""
    if not isinstance(calldata, (bytes, bytearray)):
        raise ValueError("calldata must be bytes")
    return Writer().string(function).out() + bytes(calldata)


def decode_call(data: bytes) -> tuple[str, bytes]:
    """Inverse of :func:`encode_call`; :class:`Rejection`
    ``MalformedPayload`` when ``data`` is not a call."""
    reader = Reader(data)
    try:
        function = reader.string("function name")
    except BorshError as exc:
        raise Rejection(MALFORMED_PAYLOAD, f"call data: {exc}") from None
    return function, bytes(data[reader.pos:])


def decode_payload(data: bytes, decode) -> object:
    """Run a payload decoder over all of ``data`` (``decode(reader)``);
    any Borsh error or trailing byte is ``MalformedPayload``."""
    reader = Reader(data)
    try:
        payload = decode(reader)
        reader.end()
    except BorshError as exc:
        raise Rejection(MALFORMED_PAYLOAD, str(exc)) from None
    return payload


# --------------------------------------------------------------------------
# receipts
# --------------------------------------------------------------------------


class Status:
    """The ``status`` of a receipt."""

    SUCCESS = "success"
    """The transaction ran to completion; its writes and events are kept."""
    REVERT = "revert"
    """The contract called ``pyde::revert``: its writes and events are
    discarded; the fee is paid and the nonce used (seed §3.5b)."""
    TRAP = "trap"
    """Execution trapped (``trap`` names the kind): as a revert, no reason."""
    REJECTED = "rejected"
    """The transaction could not be applied at all (``code`` says why):
    nothing changes, not even the nonce, no fee."""

    ALL = (SUCCESS, REVERT, TRAP, REJECTED)


@attrs.frozen
class StateWrite:
    """One entry of a receipt's write set: ``table`` is one of the state's
    tables (:data:`pyde_ref.state.overlay.TABLES`); ``value`` is ``None`` for
    a deletion."""

    table: str
    key: bytes
    value: object


@attrs.frozen
class FeeCharge:
    """Chapter 10 §10.5: who paid ``total = gas_used × base_fee`` and where
    it went.  ``payer_kind`` is ``sender``, ``gas_tank`` (the tank of
    ``payer``: a ``FeePayer::GasTank`` target, or a ``sponsored`` function's
    contract) or ``paymaster``; ``burned + reward_pool + treasury == total``."""

    payer_kind: str
    payer: bytes
    total: int
    burned: int
    reward_pool: int
    treasury: int


@attrs.frozen
class ParachainRef:
    """Chapter 13 §13.5: "Every transaction receipt records
    ``(parachain_id, parachain_version, wasm_hash)``" of the parachain
    version it ran (or registered, or scheduled)."""

    parachain_id: bytes
    version: int
    wasm_hash: bytes


class EngineTx:
    """The transactions the engine generates (PARACHAIN_DESIGN §9 step 3):
    no §11.8 tag, no sender, no signature; they run at the start of a wave,
    before its transactions (``spec/findings/parachain-xcall.md``)."""

    XCALL_DELIVERY = "XCallDelivery"
    """A queued message delivered to its target's receiving function."""
    XCALL_CALLBACK = "XCallCallback"
    """The source's callback, with the target's outcome or a timeout."""


@attrs.frozen
class XCallRef:
    """What an engine-generated receipt ran: its kind, the message id, the
    source and target parachains and the outcome the message reached
    (:class:`pyde_ref.state.parachains.XCallOutcome` name)."""

    kind: str
    xcall_id: int
    source: bytes
    target: bytes
    outcome: str


@attrs.frozen
class Receipt:
    """The outcome of one transaction.

    ``gas_used`` is what the fee payer paid for at ``base_fee`` (``fee``).
    ``return_data`` is set on success, ``revert_reason`` on revert.  A
    rejection has ``code`` (:mod:`.rejections`), ``reason`` in words, and
    ``error_code``, the ABI §4 code where one applies.  ``contract_address``
    is the new contract of a successful deploy.  ``writes`` is the
    transaction's state write set (fee and nonce included), sorted; ``events``
    its surviving events.  ``tx_hash`` and ``nonce`` are those the
    transaction executed with (``None`` when it was rejected before its nonce
    was known).  ``parachain`` names the parachain version a parachain
    transaction touched; ``xcall`` marks an engine-generated receipt."""

    status: str
    gas_used: int = 0
    trap: Optional[str] = None
    error_code: Optional[int] = None
    code: Optional[str] = None
    reason: Optional[str] = None
    return_data: bytes = b""
    revert_reason: bytes = b""
    events: tuple[Event, ...] = ()
    writes: tuple[StateWrite, ...] = attrs.field(default=(), repr=False)
    contract_address: Optional[bytes] = None
    tx_type: int = TxType.STANDARD
    tx_hash: Optional[bytes] = None
    nonce: Optional[int] = None
    fee: Optional[FeeCharge] = None
    parachain: Optional[ParachainRef] = None
    xcall: Optional[XCallRef] = None

    @property
    def ok(self) -> bool:
        return self.status == Status.SUCCESS
