"""The ``pyde.abi`` custom section (ABI §3.5, §3.5.1, §3.7).

* :class:`ContractAbi`, :class:`FunctionAbi`, :class:`AccessListEntry` -- the
  structs of ABI §3.7, with a strict Borsh decoder (:func:`decode_abi`) and
  encoder (:meth:`ContractAbi.borsh`).
* :func:`validate_abi` -- the deploy-time checks of ABI §3.7 (schema,
  cross-reference, attribute compatibility of §3.5.1, the static view
  call-graph check) on a decoded module; every failure raises
  :class:`AbiRejected` with a distinct ``reason`` name.
* :func:`embed_abi` -- write (or replace) the section in a module's bytes, the
  way ``otigen build`` does; :func:`abi_from_json` / :func:`abi_to_json` give
  the JSON form the ``pyde-ref abi embed`` command reads.

Borsh (borsh.io specification): integers little-endian fixed width; ``String``
and ``Vec<T>`` a u32 LE count then the items (a String's bytes must be UTF-8);
``[u8; N]`` the N bytes; ``Option<T>`` a byte 0 (None) or 1 then T; a
field-less enum one byte, its variant index.  Decoding is strict: any other
tag, a count past the end, invalid UTF-8 or trailing bytes is malformed.

``AccessListEntry`` is not spelled out by the ABI ("declared slot patterns");
this reference defines it as ``{ slot_prefix: Vec<u8> }`` (at most 32 bytes):
a slot matches when it starts with the prefix, so a full 32-byte prefix names
one slot and a shorter one a family of slots such as a mapping
(``spec/findings/abi-access-list.md``).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

import attrs

from pyde_ref.abi.constants import (
    ALL_ATTRIBUTES,
    ATTR_CONSTRUCTOR,
    ATTR_FALLBACK,
    ATTR_PAYABLE,
    ATTR_RECEIVE,
    ATTR_REENTRANT,
    ATTR_SPONSORED,
    ATTR_VIEW,
    ATTRIBUTE_NAMES,
    IMPORT_MODULE,
    PYDE_ABI_VERSION,
    SLOT_SIZE,
)
from pyde_ref.wasm.binary import HEADER, Reader, encode_custom_section
from pyde_ref.wasm.errors import MalformedModule

SECTION_NAME = "pyde.abi"
SELECTOR_SIZE = 4
ENTRY_TYPE_PARAMS: tuple = ()
ENTRY_TYPE_RESULTS: tuple = ()
MEMORY_EXPORT = "memory"


class ContractType:
    """ABI §3.7 ``enum ContractType { Contract, Parachain }`` (Borsh variant index)."""

    CONTRACT = 0
    PARACHAIN = 1
    NAMES = {CONTRACT: "contract", PARACHAIN: "parachain"}


class AbiRejected(Exception):
    """A deploy-time rejection of ABI §3.7 / §9: ``reason`` is a stable name
    (e.g. ``"ViewMutatesState"``), ``detail`` the specifics."""

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

    def matches(self, slot: bytes) -> bool:
        return slot.startswith(self.slot_prefix)


@attrs.frozen
class AccessList:
    """A function's declared access list as the runtime checks it (ABI §3.7
    Layer 3): a slot is allowed when some entry matches it."""

    entries: tuple[AccessListEntry, ...]

    def allows(self, slot: bytes) -> bool:
        return any(e.matches(slot) for e in self.entries)


def selector_of(name: str) -> bytes:
    """ABI §3.7: "first 4 bytes of Blake3(name)" (of the name's UTF-8 bytes)."""
    from pyde_ref.crypto.hashes import blake3_256

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
        return AccessList(self.access_list) if self.access_list else None

    @property
    def attribute_names(self) -> list[str]:
        return [n for bit, n in ATTRIBUTE_NAMES.items() if self.attributes & bit]


@attrs.frozen
class ContractAbi:
    """ABI §3.7 ``ContractAbi``."""

    pyde_abi_version: int
    contract_type: int
    functions: tuple[FunctionAbi, ...]
    state_schema_hash: bytes = bytes(32)
    constructor_index: Optional[int] = None
    fallback_index: Optional[int] = None
    receive_index: Optional[int] = None

    def function(self, name: str) -> Optional[FunctionAbi]:
        for f in self.functions:
            if f.name == name:
                return f
        return None

    def _indexed(self, index: Optional[int]) -> Optional[FunctionAbi]:
        return None if index is None else self.functions[index]

    @property
    def constructor(self) -> Optional[FunctionAbi]:
        return self._indexed(self.constructor_index)

    @property
    def fallback(self) -> Optional[FunctionAbi]:
        return self._indexed(self.fallback_index)

    @property
    def receive(self) -> Optional[FunctionAbi]:
        return self._indexed(self.receive_index)

    def borsh(self) -> bytes:
        """Borsh encoding, field by field in declaration order."""
        w = _Writer()
        w.u32(self.pyde_abi_version)
        w.u8(self.contract_type)
        w.u32(len(self.functions))
        for f in self.functions:
            w.string(f.name)
            w.fixed(f.selector, SELECTOR_SIZE)
            w.u32(f.attributes)
            w.u32(len(f.access_list))
            for e in f.access_list:
                w.bytes_vec(e.slot_prefix)
        w.fixed(self.state_schema_hash, 32)
        for index in (self.constructor_index, self.fallback_index, self.receive_index):
            w.option_u32(index)
        return w.out()


# ---------------------------------------------------------------------------
# Borsh
# ---------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def u8(self, v: int) -> None:
        self.parts.append(v.to_bytes(1, "little"))

    def u32(self, v: int) -> None:
        self.parts.append(v.to_bytes(4, "little"))

    def fixed(self, data: bytes, n: int) -> None:
        if len(data) != n:
            raise ValueError(f"expected {n} bytes, got {len(data)}")
        self.parts.append(bytes(data))

    def bytes_vec(self, data: bytes) -> None:
        self.u32(len(data))
        self.parts.append(bytes(data))

    def string(self, s: str) -> None:
        self.bytes_vec(s.encode("utf-8"))

    def option_u32(self, v: Optional[int]) -> None:
        if v is None:
            self.u8(0)
        else:
            self.u8(1)
            self.u32(v)

    def out(self) -> bytes:
        return b"".join(self.parts)


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def _fail(self, what: str) -> AbiRejected:
        return AbiRejected("MalformedAbi", f"{what} at byte {self.pos} of the pyde.abi section")

    def take(self, n: int, what: str) -> bytes:
        if n > len(self.data) - self.pos:
            raise self._fail(f"{what} runs past the end")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self, what: str) -> int:
        return self.take(1, what)[0]

    def u32(self, what: str) -> int:
        return int.from_bytes(self.take(4, what), "little")

    def bytes_vec(self, what: str) -> bytes:
        return self.take(self.u32(what + " length"), what)

    def string(self, what: str) -> str:
        raw = self.bytes_vec(what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self._fail(f"{what} is not UTF-8") from None

    def option_u32(self, what: str) -> Optional[int]:
        tag = self.u8(what + " option tag")
        if tag == 0:
            return None
        if tag == 1:
            return self.u32(what)
        raise self._fail(f"{what} option tag {tag} (must be 0 or 1)")

    def end(self) -> None:
        if self.pos != len(self.data):
            raise self._fail(f"{len(self.data) - self.pos} trailing bytes")


def decode_abi(payload: bytes) -> ContractAbi:
    """Strict Borsh decoding of a ``pyde.abi`` payload (ABI §3.7 step 1
    "well-formed Borsh decoding"); raises ``AbiRejected("MalformedAbi")``."""
    r = _Reader(bytes(payload))
    version = r.u32("pyde_abi_version")
    contract_type = r.u8("contract_type")
    if contract_type not in ContractType.NAMES:
        raise r._fail(f"contract_type variant {contract_type} (must be 0 or 1)")
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
    schema_hash = r.take(32, "state_schema_hash")
    constructor_index = r.option_u32("constructor_index")
    fallback_index = r.option_u32("fallback_index")
    receive_index = r.option_u32("receive_index")
    r.end()
    return ContractAbi(version, contract_type, tuple(functions), schema_hash,
                       constructor_index, fallback_index, receive_index)


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
# ABI §3.7 step 1: schema check
# ---------------------------------------------------------------------------


def check_schema(abi: ContractAbi, *, allow_parachain: bool = False) -> None:
    """Version within what this engine supports (v1.0: major 1, minor <= 0),
    a deployable contract type, unique names, selectors equal to
    Blake3(name)[..4], access-list prefixes of 1..32 bytes.  (The dispatch
    indexes are checked with the attributes, :func:`check_attributes`.)"""
    major, minor = abi.pyde_abi_version >> 16, abi.pyde_abi_version & 0xFFFF
    if major != PYDE_ABI_VERSION >> 16 or abi.pyde_abi_version > PYDE_ABI_VERSION:
        raise AbiRejected(
            "UnsupportedAbiVersion",
            f"v{major}.{minor} (this engine supports v1.0)",
        )
    if abi.contract_type == ContractType.PARACHAIN and not allow_parachain:
        raise AbiRejected("ParachainNotDeployable", "contract_type Parachain in a contract deploy")
    seen: set[str] = set()
    for f in abi.functions:
        if f.name in seen:
            raise AbiRejected("DuplicateFunction", f.name)
        seen.add(f.name)
        if f.selector != selector_of(f.name):
            raise AbiRejected(
                "SelectorMismatch",
                f"{f.name}: selector {f.selector.hex()} != blake3(name)[..4] {selector_of(f.name).hex()}",
            )
        for e in f.access_list:
            if not 1 <= len(e.slot_prefix) <= SLOT_SIZE:
                raise AbiRejected(
                    "BadAccessListEntry",
                    f"{f.name}: slot prefix of {len(e.slot_prefix)} bytes (1..32 allowed)",
                )


# ---------------------------------------------------------------------------
# ABI §3.5.1 / §3.7 step 3: attribute compatibility
# ---------------------------------------------------------------------------

REJECTED_PAIRS: tuple[tuple[int, int], ...] = (
    (ATTR_VIEW, ATTR_PAYABLE),
    (ATTR_VIEW, ATTR_CONSTRUCTOR),
    (ATTR_VIEW, ATTR_REENTRANT),
    (ATTR_VIEW, ATTR_SPONSORED),
    (ATTR_VIEW, ATTR_FALLBACK),
    (ATTR_VIEW, ATTR_RECEIVE),
    (ATTR_CONSTRUCTOR, ATTR_REENTRANT),
    (ATTR_CONSTRUCTOR, ATTR_SPONSORED),
    (ATTR_CONSTRUCTOR, ATTR_FALLBACK),
    (ATTR_CONSTRUCTOR, ATTR_RECEIVE),
    (ATTR_FALLBACK, ATTR_RECEIVE),
    (ATTR_RECEIVE, ATTR_REENTRANT),
)
"""The ❌ rows of the ABI §3.5.1 table."""

WARNED_PAIRS: tuple[tuple[int, int], ...] = (
    (ATTR_PAYABLE, ATTR_REENTRANT),
    (ATTR_SPONSORED, ATTR_REENTRANT),
)
"""The ⚠️ rows: accepted, with a warning (DAO-attack pattern)."""

_DISPATCH = (
    ("constructor", ATTR_CONSTRUCTOR, "constructor_index"),
    ("fallback", ATTR_FALLBACK, "fallback_index"),
    ("receive", ATTR_RECEIVE, "receive_index"),
)


def check_attributes(abi: ContractAbi) -> list[str]:
    """Every function's bitfield is a legal combination (ABI §3.5.1); at most
    one constructor, fallback and receive, each named by its index field;
    ``receive`` implies ``payable``.  Returns the warnings of the ⚠️ rows."""
    warnings = []
    for f in abi.functions:
        unknown = f.attributes & ~ALL_ATTRIBUTES
        if unknown:
            raise AbiRejected("UnknownAttributeBits", f"{f.name}: bits {unknown:#x}")
        for a, b in REJECTED_PAIRS:
            if f.has(a) and f.has(b):
                raise AbiRejected(
                    "IncompatibleAttributes",
                    f"{f.name}: {ATTRIBUTE_NAMES[a]} + {ATTRIBUTE_NAMES[b]}",
                )
        if f.has(ATTR_RECEIVE) and not f.has(ATTR_PAYABLE):
            raise AbiRejected("ReceiveNotPayable", f.name)
        for a, b in WARNED_PAIRS:
            if f.has(a) and f.has(b):
                warnings.append(f"{f.name}: {ATTRIBUTE_NAMES[a]} + {ATTRIBUTE_NAMES[b]} (DAO-attack pattern)")
    for label, bit, field in _DISPATCH:
        holders = [i for i, f in enumerate(abi.functions) if f.has(bit)]
        if len(holders) > 1:
            raise AbiRejected(
                f"Multiple{label.capitalize()}",
                ", ".join(abi.functions[i].name for i in holders),
            )
        index = getattr(abi, field)
        expected = holders[0] if holders else None
        if index != expected:
            raise AbiRejected(
                "DispatchIndexMismatch",
                f"{field} is {index} but the {label} attribute is on "
                + (f"function {expected}" if expected is not None else "no function"),
            )
    return warnings


# ---------------------------------------------------------------------------
# ABI §3.7 step 2: cross-reference with the module's exports
# ---------------------------------------------------------------------------


def exported_functions(module: Any) -> dict[str, int]:
    return {e.name: e.index for e in module.exports if e.kind == "func"}


def check_exports(module: Any, abi: ContractAbi) -> None:
    """Every declared function is an exported function, every exported
    function is declared (no drift, ABI §3.7 step 2), every entry point has
    wasm type ``() -> ()`` (arguments through ``calldata_copy``, results
    through ``pyde::return``), and the memory is exported as ``memory``."""
    exports = exported_functions(module)
    declared = {f.name for f in abi.functions}
    for f in abi.functions:
        if f.name not in exports:
            raise AbiRejected("FunctionNotExported", f.name)
    for name in sorted(exports):
        if name not in declared:
            raise AbiRejected("UndeclaredExport", name)
    type_indices = module.func_type_indices()
    for f in abi.functions:
        ftype = module.types[type_indices[exports[f.name]]]
        if ftype.params != ENTRY_TYPE_PARAMS or ftype.results != ENTRY_TYPE_RESULTS:
            raise AbiRejected("BadEntrySignature", f"{f.name} has type {ftype}, entries must be [] -> []")
    if not any(e.name == MEMORY_EXPORT and e.kind == "memory" for e in module.exports):
        raise AbiRejected("MissingMemoryExport", "the module must export its memory as \"memory\"")


# ---------------------------------------------------------------------------
# ABI §3.7 step 4: static call-graph check (view enforcement)
# ---------------------------------------------------------------------------


def _callees(module: Any, func_index: int, n_imports: int) -> tuple[set[int], bool]:
    """Direct ``call`` targets of a defined function and whether it uses
    ``call_indirect``."""
    body = module.funcs[func_index - n_imports].body
    direct = {ins.func_index for ins in body if ins.op == "call"}
    indirect = any(ins.op == "call_indirect" for ins in body)
    return direct, indirect


def table_targets(module: Any) -> set[int]:
    """Every function an element segment can place in a table: without the
    reference-types proposal (not in pyde-v1) these are the only functions a
    ``call_indirect`` can reach."""
    out: set[int] = set()
    for elem in module.elems:
        for expr in elem.init:
            out.update(ins.func_index for ins in expr if ins.op == "ref.func")
    return out


def view_violation(module: Any, root: int, mutating: Iterable[str]) -> Optional[str]:
    """The first mutating ``pyde`` import reachable from function ``root``
    through ``call`` edges, or through ``call_indirect`` (conservatively: to
    every function a table can hold), or ``None``."""
    mutating = set(mutating)
    imports = module.imports_of("func")
    n_imports = len(imports)
    tables = None
    seen, todo = set(), [root]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        if f < n_imports:
            imp = imports[f]
            if imp.module == IMPORT_MODULE and imp.name in mutating:
                return imp.name
            continue
        direct, indirect = _callees(module, f, n_imports)
        todo.extend(sorted(direct))
        if indirect:
            tables = table_targets(module) if tables is None else tables
            todo.extend(sorted(tables))
    return None


def check_views(module: Any, abi: ContractAbi) -> None:
    """ABI §3.7 step 4: reject ``ViewMutatesState(fn, import)``."""
    from pyde_ref.abi.registry import MUTATING_IMPORTS

    exports = exported_functions(module)
    for f in abi.functions:
        if f.has(ATTR_VIEW):
            bad = view_violation(module, exports[f.name], MUTATING_IMPORTS)
            if bad is not None:
                raise AbiRejected("ViewMutatesState", f"{f.name} reaches pyde::{bad}")


# ---------------------------------------------------------------------------
# The whole pipeline
# ---------------------------------------------------------------------------


def validate_abi(module: Any, *, allow_parachain: bool = False) -> tuple[ContractAbi, list[str]]:
    """ABI §3.7 steps 1-4 on a decoded, validated module: returns the parsed
    ABI and the warnings, or raises :class:`AbiRejected`.  (Step 5, the
    best-effort static access-list check, is left to the runtime check, which
    ABI §3.7 calls "the actual guarantee".)"""
    abi = read_abi(module)
    check_schema(abi, allow_parachain=allow_parachain)
    check_exports(module, abi)
    warnings = check_attributes(abi)
    check_views(module, abi)
    return abi, warnings


# ---------------------------------------------------------------------------
# Writing the section into a module (what ``otigen build`` does)
# ---------------------------------------------------------------------------


def _sections(data: bytes) -> list[tuple[int, int, int]]:
    """(id, start, end) of every section (core spec §5.5.2 framing, read with
    the decoder's own integer reader); ``ValueError`` if the framing is bad."""
    if data[:8] != HEADER:
        raise ValueError("not a WebAssembly module (bad magic or version)")
    out = []
    r = Reader(data, len(HEADER), len(data))
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
    r = Reader(data, start + 1, end)
    try:
        r.u32()  # the section size, already checked by _sections
        return r.name()
    except MalformedModule:
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


# ---------------------------------------------------------------------------
# JSON form (for ``pyde-ref abi embed`` and ``abi show``)
# ---------------------------------------------------------------------------

_ATTRIBUTE_BITS = {name: bit for bit, name in ATTRIBUTE_NAMES.items()}


class AbiJsonError(ValueError):
    """The ABI JSON is malformed; the message names the field."""


def _field(obj: dict, key: str, where: str, kind: type, default: Any = ...) -> Any:
    if key not in obj:
        if default is ...:
            raise AbiJsonError(f"{where}.{key}: missing")
        return default
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise AbiJsonError(f"{where}.{key}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _hex_bytes(text: str, where: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise AbiJsonError(f"{where}: expected a 0x-hex string")
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        raise AbiJsonError(f"{where}: not valid hex") from None


def _version_from_json(version: Any) -> int:
    """``"MAJOR.MINOR"`` (each 0..65535) or the packed u32 (ABI §2.1)."""
    problem = "abi.version: expected \"MAJOR.MINOR\" (0..65535 each) or an integer in 0..2**32-1"
    if isinstance(version, str):
        parts = version.split(".")
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
            raise AbiJsonError(problem)
        major, minor = int(parts[0]), int(parts[1])
        if major > 0xFFFF or minor > 0xFFFF:
            raise AbiJsonError(problem)
        return (major << 16) | minor
    if isinstance(version, int) and not isinstance(version, bool) and 0 <= version <= 0xFFFF_FFFF:
        return version
    raise AbiJsonError(problem)


def abi_from_json(obj: Any) -> ContractAbi:
    """Build a :class:`ContractAbi` from its JSON form::

        {"version": "1.0" | 65536 (optional, default 1.0),
         "contract_type": "contract" | "parachain" (optional),
         "state_schema_hash": "0x..32 bytes" (optional, default zeros),
         "functions": [{"name": "transfer",
                        "attributes": ["entry", "payable", ...],
                        "access_list": ["0x<1..32-byte slot prefix>", ...]}]}

    Selectors are computed (Blake3 of the name); the constructor, fallback and
    receive indexes are those of the functions carrying the attribute.  The
    result is *not* validated: :func:`validate_abi` does that at deploy."""
    if not isinstance(obj, dict):
        raise AbiJsonError("abi: expected a JSON object")
    version = _version_from_json(obj.get("version", "1.0"))
    ctype_name = _field(obj, "contract_type", "abi", str, "contract")
    ctypes = {v: k for k, v in ContractType.NAMES.items()}
    if ctype_name not in ctypes:
        raise AbiJsonError(f"abi.contract_type: must be one of {sorted(ctypes)}")
    schema = _hex_bytes(_field(obj, "state_schema_hash", "abi", str, "0x" + "00" * 32),
                        "abi.state_schema_hash")
    if len(schema) != 32:
        raise AbiJsonError("abi.state_schema_hash: must be 32 bytes")
    functions = []
    for i, fobj in enumerate(_field(obj, "functions", "abi", list)):
        where = f"abi.functions[{i}]"
        if not isinstance(fobj, dict):
            raise AbiJsonError(f"{where}: expected an object")
        name = _field(fobj, "name", where, str)
        bits = 0
        for j, attr in enumerate(_field(fobj, "attributes", where, list, [])):
            if not isinstance(attr, str) or attr not in _ATTRIBUTE_BITS:
                raise AbiJsonError(f"{where}.attributes[{j}]: unknown attribute {attr!r}")
            bits |= _ATTRIBUTE_BITS[attr]
        entries = tuple(
            AccessListEntry(_hex_bytes(p, f"{where}.access_list[{j}]"))
            for j, p in enumerate(_field(fobj, "access_list", where, list, []))
        )
        functions.append(FunctionAbi(name, selector_of(name), bits, entries))

    def index_of(bit: int) -> Optional[int]:
        return next((i for i, f in enumerate(functions) if f.has(bit)), None)

    return ContractAbi(version, ctypes[ctype_name], tuple(functions), schema,
                       index_of(ATTR_CONSTRUCTOR), index_of(ATTR_FALLBACK), index_of(ATTR_RECEIVE))


def abi_to_json(abi: ContractAbi) -> dict:
    """The JSON form of ``abi`` (selectors and indexes included, for display)."""
    return {
        "version": f"{abi.pyde_abi_version >> 16}.{abi.pyde_abi_version & 0xFFFF}",
        "contract_type": ContractType.NAMES.get(abi.contract_type, str(abi.contract_type)),
        "state_schema_hash": "0x" + abi.state_schema_hash.hex(),
        "functions": [
            {
                "name": f.name,
                "selector": "0x" + f.selector.hex(),
                "attributes": f.attribute_names,
                "access_list": ["0x" + e.slot_prefix.hex() for e in f.access_list],
            }
            for f in abi.functions
        ],
        "constructor_index": abi.constructor_index,
        "fallback_index": abi.fallback_index,
        "receive_index": abi.receive_index,
    }


def check_imports(module: Any, *, parachain: bool = False) -> None:
    """ABI §9.1, §9.2: only module ``pyde``, only functions of this spec with
    their exact types, §8 functions only for parachains.  Reasons:
    ``ForbiddenImport`` (module or name), ``ImportTypeMismatch``,
    ``ParachainOnly``."""
    from pyde_ref.abi.registry import HOST_FUNCTIONS

    for imp in module.imports:
        if imp.module != IMPORT_MODULE:
            raise AbiRejected("ForbiddenImport", f"{imp.module}::{imp.name} (only module \"pyde\" is allowed)")
        defn = HOST_FUNCTIONS.get(imp.name)
        if defn is None or imp.kind != "func":
            raise AbiRejected("ForbiddenImport", f"pyde::{imp.name} is not a function of ABI v1.0")
        if module.types[imp.desc] != defn.type:
            raise AbiRejected("ImportTypeMismatch",
                              f"pyde::{imp.name} imported as {module.types[imp.desc]}, ABI type is {defn.type}")
        if defn.parachain_only and not parachain:
            raise AbiRejected("ParachainOnly", f"pyde::{imp.name}")


__all__: Sequence[str] = [
    "AbiRejected", "AbiJsonError", "AccessList", "AccessListEntry", "ContractAbi",
    "ContractType", "FunctionAbi", "SECTION_NAME", "abi_from_json", "abi_to_json",
    "check_attributes", "check_exports", "check_imports", "check_schema", "check_views",
    "decode_abi", "embed_abi", "read_abi", "selector_of", "validate_abi", "view_violation",
]
