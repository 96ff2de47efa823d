"""The ``pyde.abi`` custom section (ABI §3.5, §3.7): the format.

* :class:`ContractAbi`, :class:`FunctionAbi`, :class:`AccessListEntry`,
  :class:`ContractType` -- the structs of ABI §3.7, Borsh-encoded
  (:mod:`pyde_ref.state.borsh`) by :meth:`ContractAbi.borsh` and strictly
  decoded by :func:`decode_abi`.
* :func:`read_abi` -- the one section of a decoded module (ABI §3.7 step 1).
* :func:`contract_abi` -- the ABI ``otigen build`` writes for a list of
  functions (selectors, dispatch indexes); :func:`embed_abi` writes (or
  replaces) the section in a module's bytes.

The deploy-time checks of ABI §3.7 (schema, cross-reference, attribute
compatibility, the static view call graph) and §9 (imports) are in
:mod:`pyde_ref.executor.deploy`; the JSON form that ``pyde-ref abi embed``
reads is in :mod:`pyde_ref.commands.abi`.

``AccessListEntry`` is not spelled out by the ABI ("declared slot patterns");
this reference defines it as ``{ slot_prefix: Vec<u8> }`` (at most 32 bytes):
a slot matches when it starts with the prefix, so a full 32-byte prefix names
one slot and a shorter one a family of slots such as a mapping
(``spec/findings/abi-access-list.md``).
"""

from __future__ import annotations

import enum
from typing import Any, Optional, Sequence

import attrs

from pyde_ref.abi.constants import (
    ATTR_CONSTRUCTOR,
    ATTR_FALLBACK,
    ATTR_RECEIVE,
    ATTRIBUTE_NAMES,
    HASH_SIZE,
    PYDE_ABI_VERSION,
)
from pyde_ref.abi.env import AccessList
from pyde_ref.crypto.hashes import blake3_256
from pyde_ref.state.borsh import BorshError, Reader, Writer
from pyde_ref.wasm.binary import HEADER, Reader as WasmReader, encode_custom_section
from pyde_ref.wasm.errors import MalformedModule
from pyde_ref.wasm.limits import LimitExceeded

SECTION_NAME = "pyde.abi"
SELECTOR_SIZE = 4


class ContractType(enum.Enum):
    """ABI §3.7 ``enum ContractType { Contract, Parachain }``; the value is
    the Borsh variant index."""

    CONTRACT = 0
    PARACHAIN = 1


class AbiRejected(Exception):
    """The module's ``pyde.abi`` section cannot be read (ABI §3.7 step 1):
    ``reason`` is a stable name (``MissingAbiSection``,
    ``DuplicateAbiSection``, ``MalformedAbi``), ``detail`` the specifics."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# ---------------------------------------------------------------------------
# The structs of ABI §3.7
# ---------------------------------------------------------------------------


@attrs.frozen
class AccessListEntry:
    """One declared slot pattern: every slot starting with ``slot_prefix``."""

    slot_prefix: bytes


def selector_of(name: str) -> bytes:
    """ABI §3.7: "first 4 bytes of Blake3(name)" (of the name's UTF-8 bytes)."""
    return blake3_256(name.encode("utf-8"))[:SELECTOR_SIZE]


@attrs.frozen
class FunctionAbi:
    """ABI §3.7 ``FunctionAbi``."""

    name: str
    selector: bytes
    attributes: int
    access_list: tuple[AccessListEntry, ...] = ()

    def has(self, attribute: int) -> bool:
        return bool(self.attributes & attribute)

    @property
    def runtime_access_list(self) -> Optional[AccessList]:
        """``None`` (no restriction) when none is declared, else the list
        (``spec/findings/abi-access-list.md``)."""
        if not self.access_list:
            return None
        return AccessList(tuple(e.slot_prefix for e in self.access_list))

    @property
    def attribute_names(self) -> list[str]:
        return [n for bit, n in ATTRIBUTE_NAMES.items() if self.attributes & bit]


@attrs.frozen
class ContractAbi:
    """ABI §3.7 ``ContractAbi``."""

    pyde_abi_version: int
    contract_type: ContractType = attrs.field(validator=attrs.validators.instance_of(ContractType))
    functions: tuple[FunctionAbi, ...]
    state_schema_hash: bytes = bytes(HASH_SIZE)
    constructor_index: Optional[int] = None
    fallback_index: Optional[int] = None
    receive_index: Optional[int] = None

    def borsh(self) -> bytes:
        """Borsh encoding, field by field in declaration order."""
        w = Writer().u32(self.pyde_abi_version).variant(self.contract_type)
        w.u32(len(self.functions))
        for f in self.functions:
            w.string(f.name).fixed(f.selector, SELECTOR_SIZE).u32(f.attributes)
            w.u32(len(f.access_list))
            for e in f.access_list:
                w.bytes_vec(e.slot_prefix)
        w.fixed(self.state_schema_hash, HASH_SIZE)
        for index in (self.constructor_index, self.fallback_index, self.receive_index):
            w.option_u32(index)
        return w.out()


def decode_abi(payload: bytes) -> ContractAbi:
    """Strict Borsh decoding of a ``pyde.abi`` payload (ABI §3.7 step 1
    "well-formed Borsh decoding"); raises ``AbiRejected("MalformedAbi")``."""
    r = Reader(payload)
    try:
        version = r.u32("pyde_abi_version")
        contract_type = r.variant(ContractType, "contract_type")
        count = r.u32("functions length")
        functions = []
        for i in range(count):
            name = r.string(f"functions[{i}].name")
            selector = r.take(SELECTOR_SIZE, f"functions[{i}].selector")
            attributes = r.u32(f"functions[{i}].attributes")
            n_entries = r.u32(f"functions[{i}].access_list length")
            entries = tuple(
                AccessListEntry(r.bytes_vec(f"functions[{i}].access_list[{j}].slot_prefix"))
                for j in range(n_entries)
            )
            functions.append(FunctionAbi(name, selector, attributes, entries))
        schema_hash = r.take(HASH_SIZE, "state_schema_hash")
        constructor_index = r.option_u32("constructor_index")
        fallback_index = r.option_u32("fallback_index")
        receive_index = r.option_u32("receive_index")
        r.end()
    except BorshError as exc:
        raise AbiRejected("MalformedAbi", f"{exc.what} at byte {exc.offset} of the pyde.abi section") from None
    return ContractAbi(version, contract_type, tuple(functions), schema_hash,
                       constructor_index, fallback_index, receive_index)


def contract_abi(
    functions: Sequence[FunctionAbi],
    contract_type: ContractType = ContractType.CONTRACT,
    version: int = PYDE_ABI_VERSION,
    state_schema_hash: bytes = bytes(HASH_SIZE),
) -> ContractAbi:
    """The ABI a compiler writes for ``functions`` (what ``otigen build``
    does): the constructor, fallback and receive indexes are those of the
    first function carrying the attribute.  The result is *not* validated:
    deploy does that (:mod:`pyde_ref.executor.deploy`)."""

    def index_of(bit: int) -> Optional[int]:
        return next((i for i, f in enumerate(functions) if f.has(bit)), None)

    return ContractAbi(version, contract_type, tuple(functions), state_schema_hash,
                       index_of(ATTR_CONSTRUCTOR), index_of(ATTR_FALLBACK), index_of(ATTR_RECEIVE))


def function_abi(name: str, attributes: int, slot_prefixes: Sequence[bytes] = ()) -> FunctionAbi:
    """The ``FunctionAbi`` of ``name``, its selector computed (ABI §3.7)."""
    return FunctionAbi(name, selector_of(name), attributes,
                       tuple(AccessListEntry(bytes(p)) for p in slot_prefixes))


# ---------------------------------------------------------------------------
# Finding the section (core spec §5.5.3 custom sections)
# ---------------------------------------------------------------------------


def abi_payloads(module: Any) -> list[bytes]:
    """The payloads of every ``pyde.abi`` custom section of a decoded module."""
    return [c.payload for c in module.customs if c.name == SECTION_NAME]


def read_abi(module: Any) -> ContractAbi:
    """ABI §3.7 step 1: exactly one ``pyde.abi`` section, well-formed Borsh."""
    payloads = abi_payloads(module)
    if not payloads:
        raise AbiRejected("MissingAbiSection", "the module has no pyde.abi custom section")
    if len(payloads) > 1:
        raise AbiRejected("DuplicateAbiSection", f"{len(payloads)} pyde.abi custom sections")
    return decode_abi(payloads[0])


# ---------------------------------------------------------------------------
# Writing the section into a module (what ``otigen build`` does)
# ---------------------------------------------------------------------------


def _sections(data: bytes) -> list[tuple[int, int, int]]:
    """(id, start, end) of every section (core spec §5.5.2 framing, read with
    the decoder's own integer reader); ``ValueError`` if the framing is bad."""
    if data[:8] != HEADER:
        raise ValueError("not a WebAssembly module (bad magic or version)")
    out = []
    r = WasmReader(data, len(HEADER), len(data))
    while not r.at_end():
        start = r.pos
        section_id = r.byte()
        try:
            size = r.u32()
        except MalformedModule as exc:
            raise ValueError(f"bad section size at byte {exc.offset}: {exc.rule}") from None
        if size > r.end - r.pos:
            raise ValueError(f"section at byte {start} runs past the end")
        out.append((section_id, start, r.pos + size))
        r.pos += size
    return out


def _custom_name(data: bytes, start: int, end: int) -> Optional[str]:
    """The name of the custom section framed at ``data[start:end]``, or
    ``None`` when it has no well-formed one (§5.5.3)."""
    r = WasmReader(data, start + 1, end)
    try:
        r.u32()  # the section size, already checked by _sections
        return r.name()
    except (MalformedModule, LimitExceeded):  # LimitExceeded: a name over the engine's limit
        return None


def embed_abi(module_bytes: bytes, abi: ContractAbi) -> bytes:
    """Return ``module_bytes`` with its ``pyde.abi`` section(s) replaced by one
    holding ``abi`` (appended after the last section; every other byte kept).
    Raises ``ValueError`` when the bytes are not a framed wasm module."""
    data = bytes(module_bytes)
    kept = [data[:8]]
    for sid, start, end in _sections(data):
        if sid == 0 and _custom_name(data, start, end) == SECTION_NAME:
            continue
        kept.append(data[start:end])
    kept.append(encode_custom_section(SECTION_NAME, abi.borsh()))
    return b"".join(kept)


__all__: Sequence[str] = [
    "AbiRejected", "AccessListEntry", "ContractAbi", "ContractType", "FunctionAbi",
    "SECTION_NAME", "contract_abi", "decode_abi", "embed_abi", "function_abi", "read_abi",
    "selector_of",
]
