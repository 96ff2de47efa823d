"""The sorted base state and the overlay stack (seed §3.5b, ABI §13.2, §15.1).

The tables, each a ``sortedcontainers.SortedDict`` with ``bytes`` keys:

==============  ==========================  ==========================
table           key                         value
==============  ==========================  ==========================
``account``     address (32)                :class:`Account`
``code``        code hash (32)              :class:`ContractCode`
``storage``     context address (32) ||     value (32 bytes)
                slot (32)
``contract``    contract address (32)       :class:`ContractMeta`
``validator``   validator id (32)           :class:`Validator`
``protocol``    discriminator || sub-key    a protocol record
                                            (:mod:`.records`)
==============  ==========================  ==========================

and three tables of parachain state (:mod:`.parachains`): ``parachain``
(registry records, proposals, message budgets), ``parachain_storage`` (the
PIP-2-clustered slots) and ``xcall`` (cross-parachain messages in flight).

Storage is scoped by the *storage-context address* (the contract whose storage
a frame runs in; ``spec/findings/storage-namespace.md``): a contract can only
ever name slots inside its own context, whatever 32-byte slot key it computes.

Absent and zero are one state (ABI §7.1 ``sload``: "empty and zero are
indistinguishable"; chapter 4: a never-funded account has balance 0).  Writing
the zero value is therefore the same as deleting: it leaves a *tombstone* in
an overlay and removes the entry from the base.  That keeps the state digest
canonical: two states that read alike hash alike.

An :class:`Overlay` sits on a parent (the base :class:`State` or another
overlay).  Reads walk top-down until some layer has the key (a tombstone
counts: it reads as absent).  Writes go to the top overlay only.
:meth:`Overlay.merge` applies the overlay's writes to its parent, in key
order, and appends its events to the parent's; :meth:`Overlay.discard` drops
both.  Either way the overlay is closed and refuses further use.  The base
state holds no events: whoever merges an overlay into the base (the wave)
takes its ``events`` first.
"""

from __future__ import annotations

from typing import Iterator, Optional

from sortedcontainers import SortedDict

from pyde_ref.crypto.hashes import blake3_256
from pyde_ref.state.accounts import EMPTY_ACCOUNT, Account
from pyde_ref.state.borsh import Writer
from pyde_ref.state.code import ContractCode
from pyde_ref.state.events import Event
from pyde_ref.state.parachains import (
    ParachainRecord,
    ParachainSlot,
    Proposal,
    XCallBudget,
    XCallMessage,
    budget_key,
    proposal_key,
    registry_key,
    slot_hash,
    xcall_key,
)
from pyde_ref.state.records import EMPTY_CONTRACT_META, ContractMeta, Validator

EMPTY_SLOT_VALUE = bytes(32)
"""What a never-written or deleted storage slot reads as (ABI §7.1), and the
value whose write deletes the slot."""

ACCOUNT = "account"
CODE = "code"
STORAGE = "storage"
CONTRACT = "contract"
VALIDATOR = "validator"
PROTOCOL = "protocol"
PARACHAIN = "parachain"
PARACHAIN_STORAGE = "parachain_storage"
XCALL = "xcall"
TABLES = (ACCOUNT, CODE, STORAGE, CONTRACT, VALIDATOR, PROTOCOL, PARACHAIN, PARACHAIN_STORAGE, XCALL)
"""Table names, in the fixed order the state digest walks them."""

_TABLE_TAG = {ACCOUNT: 1, CODE: 2, STORAGE: 3, CONTRACT: 4, VALIDATOR: 5, PROTOCOL: 6,
              PARACHAIN: 7, PARACHAIN_STORAGE: 8, XCALL: 9}

DIGEST_ALWAYS = TABLES[:6]
"""The tables the state digest commits to even when empty; the parachain
tables, added later, are committed only when they hold something, so a
state without parachains keeps the digest it had before they existed
(``spec/findings/parachain-state.md``)."""

STATE_DIGEST_DOMAIN = b"pyde-ref/state-digest/v2"


class _Tombstone:
    """Marks a key deleted in an overlay, hiding whatever lower layers hold."""

    _instance: Optional["_Tombstone"] = None

    def __new__(cls) -> "_Tombstone":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "TOMBSTONE"


TOMBSTONE = _Tombstone()

_MISSING = object()


def storage_key(context_address: bytes, slot: bytes) -> bytes:
    """The ``storage`` table key: context address then slot (64 bytes), so one
    context's slots sort together (the spirit of PIP-0002's clustering)."""
    _check_len("context address", context_address, 32)
    _check_len("slot", slot, 32)
    return context_address + slot


def _check_len(what: str, data: bytes, n: int) -> None:
    if len(data) != n:
        raise ValueError(f"{what} must be {n} bytes, got {len(data)}")


def _is_empty(table: str, value: object) -> bool:
    """The canonical "absent" value of each table: the empty account, the
    zero slot, a record that says it is empty (a zero counter, metadata
    without owner, upgrade or history)."""
    if table == STORAGE:
        return value == EMPTY_SLOT_VALUE
    if table == ACCOUNT:
        return value == EMPTY_ACCOUNT
    return bool(getattr(value, "is_empty", False))


def _encode_value(table: str, value: object) -> bytes:
    if table == STORAGE:
        return value  # type: ignore[return-value]
    return value.encode()  # type: ignore[union-attr]


class StateView:
    """Reads and writes shared by the base state and overlays.

    Subclasses provide ``_lookup(table, key)`` (a value, ``TOMBSTONE`` or
    ``_MISSING``) and ``_put(table, key, value_or_tombstone)``."""

    # -- the layer primitives ------------------------------------------------

    def _lookup(self, table: str, key: bytes) -> object:  # pragma: no cover - abstract
        raise NotImplementedError

    def _put(self, table: str, key: bytes, value: object) -> None:  # pragma: no cover
        raise NotImplementedError

    def get(self, table: str, key: bytes) -> object:
        """The value of ``key`` as seen from this layer, ``None`` if absent."""
        found = self._lookup(table, key)
        return None if found is _MISSING or found is TOMBSTONE else found

    def set(self, table: str, key: bytes, value: object) -> None:
        """Write ``value`` (``None`` or the table's empty value = delete)."""
        if table not in _TABLE_TAG:
            raise ValueError(f"unknown table {table!r}")
        if value is None or _is_empty(table, value):
            self._put(table, key, TOMBSTONE)
        else:
            self._put(table, key, value)

    # -- accounts (chapter 4 §4.3) ------------------------------------------

    def account(self, address: bytes) -> Account:
        _check_len("address", address, 32)
        found = self.get(ACCOUNT, address)
        return EMPTY_ACCOUNT if found is None else found  # type: ignore[return-value]

    def put_account(self, address: bytes, account: Account) -> None:
        _check_len("address", address, 32)
        self.set(ACCOUNT, address, account)

    def balance(self, address: bytes) -> int:
        return self.account(address).balance

    def set_balance(self, address: bytes, balance: int) -> None:
        self.put_account(address, self.account(address).evolve(balance=balance))

    def move_value(self, sender: bytes, recipient: bytes, amount: int) -> bool:
        """Debit ``sender`` and credit ``recipient`` by ``amount`` atomically;
        ``False`` (and nothing written) when the sender's balance is short or
        the recipient's would overflow u128."""
        if amount < 0:
            raise ValueError("amount must be non-negative")
        if self.balance(sender) < amount:
            return False
        if sender == recipient or amount == 0:
            return True
        new_recipient = self.balance(recipient) + amount
        if new_recipient >= 1 << 128:
            return False
        self.set_balance(sender, self.balance(sender) - amount)
        self.set_balance(recipient, new_recipient)
        return True

    # -- code (seed §3.4) ----------------------------------------------------

    def code(self, code_hash: bytes) -> Optional[ContractCode]:
        return self.get(CODE, code_hash)  # type: ignore[return-value]

    def put_code(self, code: ContractCode) -> bytes:
        """Store ``code`` under its hash; return the hash."""
        h = code.code_hash
        self.set(CODE, h, code)
        return h

    def code_at(self, address: bytes) -> Optional[ContractCode]:
        """The code of the contract at ``address``, ``None`` for an EOA."""
        acct = self.account(address)
        return self.code(acct.code_hash) if acct.is_contract else None

    # -- protocol records (:mod:`.records`) ---------------------------------

    def contract_meta(self, address: bytes) -> ContractMeta:
        found = self.get(CONTRACT, address)
        return EMPTY_CONTRACT_META if found is None else found  # type: ignore[return-value]

    def put_contract_meta(self, address: bytes, meta: ContractMeta) -> None:
        _check_len("address", address, 32)
        self.set(CONTRACT, address, meta)

    def validator(self, validator_id: bytes) -> Optional[Validator]:
        return self.get(VALIDATOR, validator_id)  # type: ignore[return-value]

    def put_validator(self, validator_id: bytes, validator: Optional[Validator]) -> None:
        _check_len("validator id", validator_id, 32)
        self.set(VALIDATOR, validator_id, validator)

    def protocol(self, key: bytes) -> object:
        """The ``protocol`` record at ``key``, ``None`` if absent."""
        return self.get(PROTOCOL, key)

    def put_protocol(self, key: bytes, value: object) -> None:
        self.set(PROTOCOL, key, value)

    def items(self, table: str, prefix: bytes = b"") -> list[tuple[bytes, object]]:
        """Every live entry of ``table`` whose key starts with ``prefix``, as
        seen from this layer, in key order."""
        raise NotImplementedError  # pragma: no cover - each layer implements it

    # -- parachains (:mod:`.parachains`) ------------------------------------

    def parachain(self, pid: bytes) -> Optional[ParachainRecord]:
        """The registry record of parachain ``pid``, ``None`` if none."""
        return self.get(PARACHAIN, registry_key(pid))  # type: ignore[return-value]

    def put_parachain(self, pid: bytes, record: ParachainRecord) -> None:
        _check_len("parachain id", pid, 32)
        self.set(PARACHAIN, registry_key(pid), record)

    def proposal(self, pid: bytes, proposal_id: int) -> Optional[Proposal]:
        return self.get(PARACHAIN, proposal_key(pid, proposal_id))  # type: ignore[return-value]

    def put_proposal(self, pid: bytes, proposal: Proposal) -> None:
        self.set(PARACHAIN, proposal_key(pid, proposal.proposal_id), proposal)

    def xcall_budget(self, pid: bytes) -> Optional[XCallBudget]:
        return self.get(PARACHAIN, budget_key(pid))  # type: ignore[return-value]

    def put_xcall_budget(self, pid: bytes, budget: XCallBudget) -> None:
        self.set(PARACHAIN, budget_key(pid), budget)

    def parachain_slot(self, pid: bytes, key: bytes, slot: Optional[bytes] = None) -> Optional[ParachainSlot]:
        """The entry under ``key``'s slot hash in parachain ``pid``'s storage
        (ABI §8.1), whatever key it holds (the caller compares).  ``slot``:
        the slot hash, when the caller has computed it."""
        found = self.get(PARACHAIN_STORAGE, slot if slot is not None else slot_hash(pid, key))
        return found  # type: ignore[return-value]

    def put_parachain_slot(self, pid: bytes, key: bytes, value: bytes, slot: Optional[bytes] = None) -> None:
        """Write ``value`` under ``key`` (an empty value deletes it)."""
        self.set(PARACHAIN_STORAGE, slot if slot is not None else slot_hash(pid, key),
                 ParachainSlot(bytes(key), bytes(value)))

    def xcall(self, xcall_id: int) -> Optional[XCallMessage]:
        return self.get(XCALL, xcall_key(xcall_id))  # type: ignore[return-value]

    def put_xcall(self, message: XCallMessage) -> None:
        self.set(XCALL, xcall_key(message.xcall_id), message)

    def delete_xcall(self, xcall_id: int) -> None:
        self.set(XCALL, xcall_key(xcall_id), None)

    # -- storage (ABI §7.1) --------------------------------------------------

    def sload(self, context_address: bytes, slot: bytes) -> bytes:
        """ABI §7.1: a never-written or deleted slot reads as 32 zero bytes."""
        found = self.get(STORAGE, storage_key(context_address, slot))
        return EMPTY_SLOT_VALUE if found is None else found  # type: ignore[return-value]

    def sstore(self, context_address: bytes, slot: bytes, value: bytes) -> None:
        _check_len("value", value, 32)
        self.set(STORAGE, storage_key(context_address, slot), bytes(value))

    def sdelete(self, context_address: bytes, slot: bytes) -> None:
        self.set(STORAGE, storage_key(context_address, slot), None)

    # -- events (ABI §15.1) --------------------------------------------------

    def emit(self, event: Event) -> None:
        """Buffer an event; only overlays hold events (the base state is
        committed state, and a frame always runs on an overlay)."""
        raise TypeError("events are buffered in overlays; a frame must run on an Overlay")

    # -- overlays ------------------------------------------------------------

    def child(self) -> "Overlay":
        """A new empty overlay on top of this layer."""
        return Overlay(self)


class State(StateView):
    """The base state: three sorted tables, nothing buffered."""

    def __init__(self) -> None:
        self.tables: dict[str, SortedDict] = {t: SortedDict() for t in TABLES}

    def _lookup(self, table: str, key: bytes) -> object:
        return self.tables[table].get(key, _MISSING)

    def _put(self, table: str, key: bytes, value: object) -> None:
        if value is TOMBSTONE:
            self.tables[table].pop(key, None)
        else:
            self.tables[table][key] = value

    def entries(self, table: str) -> Iterator[tuple[bytes, object]]:
        """The table's entries in key order."""
        return iter(self.tables[table].items())

    def items(self, table: str, prefix: bytes = b"") -> list[tuple[bytes, object]]:
        rows = self.tables[table]
        keys = rows.irange(minimum=prefix) if prefix else rows.keys()
        out = []
        for key in keys:
            if not key.startswith(prefix):
                break
            out.append((key, rows[key]))
        return out

    def copy(self) -> "State":
        twin = State()
        for t in TABLES:
            twin.tables[t] = SortedDict(self.tables[t])
        return twin

    def digest(self) -> bytes:
        """Blake3 over the canonical encoding of every entry, tables in
        :data:`TABLES` order (a table outside :data:`DIGEST_ALWAYS` only
        when it is not empty), keys in sorted order:

            domain || for each table: tag u8 || count u64 ||
                for each entry: key Vec<u8> || value Vec<u8>

        in Borsh (little-endian integers, a ``Vec<u8>`` is its u32 length
        then its bytes).
        """
        out = Writer().raw(STATE_DIGEST_DOMAIN)
        for t in TABLES:
            rows = self.tables[t]
            if not rows and t not in DIGEST_ALWAYS:
                continue
            out.u8(_TABLE_TAG[t]).u64(len(rows))
            for key, value in rows.items():
                out.bytes_vec(key).bytes_vec(_encode_value(t, value))
        return blake3_256(out.out())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return all(dict(self.tables[t]) == dict(other.tables[t]) for t in TABLES)


class OverlayClosed(RuntimeError):
    """An overlay was used after it was merged or discarded (an executor bug)."""


class Overlay(StateView):
    """A layer of buffered writes and events over ``parent`` (ABI §13.2)."""

    def __init__(self, parent: StateView):
        self.parent = parent
        self.writes: dict[str, SortedDict] = {t: SortedDict() for t in TABLES}
        self.events: list[Event] = []
        self.closed = False

    def _check_open(self) -> None:
        if self.closed:
            raise OverlayClosed("overlay already merged or discarded")

    def _lookup(self, table: str, key: bytes) -> object:
        """Seed §3.5b / ABI §13.2: this layer first, then the parent's walk."""
        self._check_open()
        layer: StateView = self
        while isinstance(layer, Overlay):
            found = layer.writes[table].get(key, _MISSING)
            if found is not _MISSING:
                return found
            layer = layer.parent
        return layer._lookup(table, key)

    def _put(self, table: str, key: bytes, value: object) -> None:
        self._check_open()
        self.writes[table][key] = value

    def emit(self, event: Event) -> None:
        """ABI §15.1: an event goes to the top overlay's buffer."""
        self._check_open()
        self.events.append(event)

    def items(self, table: str, prefix: bytes = b"") -> list[tuple[bytes, object]]:
        self._check_open()
        merged = dict(self.parent.items(table, prefix))
        for key, value in self.writes[table].items():
            if key.startswith(prefix):
                if value is TOMBSTONE:
                    merged.pop(key, None)
                else:
                    merged[key] = value
        return sorted(merged.items())

    def write_set(self) -> list[tuple[str, bytes, object]]:
        """This overlay's writes, tables in :data:`TABLES` order, keys sorted;
        a deletion is reported with value ``None``."""
        out = []
        for t in TABLES:
            for key, value in self.writes[t].items():
                out.append((t, key, None if value is TOMBSTONE else value))
        return out

    def merge(self) -> None:
        """Success (ABI §13.2, §15.1): apply the writes to the parent in key
        order, extend the parent's events, close this overlay."""
        self._check_open()
        for t in TABLES:
            for key, value in self.writes[t].items():
                self.parent._put(t, key, value)
        if isinstance(self.parent, Overlay):
            self.parent.events.extend(self.events)
        self.closed = True

    def discard(self) -> None:
        """Trap or revert (ABI §13.2, §15.1): drop writes and events."""
        self._check_open()
        self.closed = True

    @property
    def depth(self) -> int:
        """Number of overlays from this one down to the base (1 = on the base)."""
        n, layer = 0, self
        while isinstance(layer, Overlay):
            n, layer = n + 1, layer.parent
        return n

