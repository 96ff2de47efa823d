"""The strict binary decoder (core spec §5), and the few encoders that write
modules (:func:`encode_uleb`, :func:`encode_sleb`, :func:`encode_section`,
:func:`encode_custom_section`).

:func:`decode_module` turns bytes into a :class:`~.syntax.Module` or raises
:class:`~.errors.MalformedModule` (``offset``, ``rule``), or an
:class:`~.errors.InvalidModule` for the feature gate and the limits below --
never another exception.  ``rule`` begins with the phrase the official spec tests expect
(``"integer too large"``, ``"section size mismatch"``, ...).  Encodings that
only a proposal outside pyde-v1 defines raise
:class:`~.errors.UnsupportedFeature` through :func:`.features.reject`.

Every read is bounded by the end of the enclosing section (or code entry), so
a length field can never make the decoder read into the next section, and
every vector count is checked against the bytes left before anything is
allocated (:meth:`Reader.vec_count`).

Production's implementation limits (:mod:`.limits`: counts, sizes,
locals, names) are checked here as each count is read, before anything of
that size is allocated: :class:`~.limits.LimitExceeded`, an
:class:`~.errors.InvalidModule` as wasmtime reports them.
"""

from __future__ import annotations

from typing import Callable, Optional

from . import features, instructions, limits
from .errors import MalformedModule
from .syntax import (
    Block,
    BrTable,
    CallIndirect,
    Const,
    CustomSection,
    Data,
    DataInstr,
    Elem,
    Export,
    Func,
    FuncType,
    Global,
    GlobalType,
    Import,
    Instruction,
    Limits,
    MemArg,
    MemoryInstr,
    MemType,
    Module,
    RefFunc,
    RefNull,
    TableType,
)

MAGIC = b"\x00asm"
VERSION = b"\x01\x00\x00\x00"
HEADER = MAGIC + VERSION
"""§5.5.16: the eight bytes every module starts with."""

MAX_FUNCTION_LOCALS = limits.FUNCTION_LOCALS.maximum
"""The most locals a function may have (:data:`.limits.FUNCTION_LOCALS`).
The spec only requires the declared count to fit in a u32 (§5.5.13); a
function declaring more is refused before any locals are expanded (and the
validator counts the parameters too)."""

U32_MAX = 0xFFFF_FFFF
MASK32 = 0xFFFF_FFFF
MASK64 = 0xFFFF_FFFF_FFFF_FFFF

# §5.5.2 section ids.
SEC_CUSTOM, SEC_TYPE, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE, SEC_MEMORY = 0, 1, 2, 3, 4, 5
SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_ELEMENT, SEC_CODE, SEC_DATA = 6, 7, 8, 9, 10, 11
SEC_DATA_COUNT, SEC_TAG = 12, 13

SECTION_ORDER = (
    SEC_TYPE, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE, SEC_MEMORY, SEC_TAG, SEC_GLOBAL,
    SEC_EXPORT, SEC_START, SEC_ELEMENT, SEC_DATA_COUNT, SEC_CODE, SEC_DATA,
)
"""§5.5.16: the order non-custom sections must appear in, each at most once
(the data count section sits between element and code; the tag section of the
exception proposal between memory and global)."""
SECTION_RANK = {sid: rank for rank, sid in enumerate(SECTION_ORDER)}

# §5.3.1 number types, §5.3.2 reference types.
NUM_TYPE_CODES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}
FUNCREF = 0x70

EXTERN_KINDS = {0x00: "func", 0x01: "table", 0x02: "memory", 0x03: "global"}
FUNC_TYPE_FORM = 0x60
EMPTY_BLOCK_TYPE = 0x40
PREFIX_FC = 0xFC

DATA_INDEX_OPS = tuple(info.name for info in instructions.INSTRUCTIONS if info.syntax is DataInstr)
"""Instructions that need the data count section (§5.5.13, §5.5.16)."""


# ---------------------------------------------------------------------------
# The reader: bounded cursor with the §5.2 value decoders.
# ---------------------------------------------------------------------------


class Reader:
    """A cursor over ``data[pos:end]``.  Every read checks ``end``."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes, pos: int, end: int):
        self.data = data
        self.pos = pos
        self.end = end

    def fail(self, rule: str, offset: Optional[int] = None) -> MalformedModule:
        return MalformedModule(self.pos if offset is None else offset, rule)

    def eof_rule(self) -> str:
        """Running off the whole input is "unexpected end"; running off a
        section or a code entry inside it is "unexpected end of section or
        function" (the spec tests' two phrasings)."""
        if self.end >= len(self.data):
            return "unexpected end"
        return "unexpected end of section or function"

    def at_end(self) -> bool:
        return self.pos >= self.end

    def byte(self) -> int:
        pos = self.pos
        if pos >= self.end:
            raise self.fail(self.eof_rule())
        self.pos = pos + 1
        return self.data[pos]

    def peek(self) -> int:
        if self.pos >= self.end:
            raise self.fail(self.eof_rule())
        return self.data[self.pos]

    def take(self, n: int) -> bytes:
        pos = self.pos
        if n > self.end - pos:
            raise self.fail(self.eof_rule())
        self.pos = pos + n
        return self.data[pos : pos + n]

    # §5.2.2 integers ---------------------------------------------------

    def uleb(self, bits: int) -> int:
        """§5.2.2 ``uN``: at most ceil(N/7) bytes; the unused bits of the last
        byte must be zero.

        The representation rules are checked before the section bound, so an
        over-long integer is reported as such even when it also crosses the
        end of its section (the order of the spec interpreter's checks)."""
        data, pos, end = self.data, self.pos, self.end
        if pos < end and data[pos] < 0x80:  # fast path: one byte
            self.pos = pos + 1
            return data[pos]
        result = shift = 0
        limit = len(data)
        while True:
            if pos >= limit:
                self.pos = pos
                raise self.fail(self.eof_rule())
            b = data[pos]
            pos += 1
            if bits - shift < 7:  # the last byte this integer may have
                if (b & 0x7F) >> (bits - shift):
                    raise MalformedModule(pos - 1, "integer too large")
                if b & 0x80:
                    raise MalformedModule(pos, "integer representation too long")
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        return self._bounded(pos, result)

    def sleb(self, bits: int) -> int:
        """§5.2.2 ``sN``: at most ceil(N/7) bytes; the unused bits of the last
        byte must all equal the sign bit (checked as in :meth:`uleb`)."""
        data, pos = self.data, self.pos
        result = shift = 0
        limit = len(data)
        while True:
            if pos >= limit:
                self.pos = pos
                raise self.fail(self.eof_rule())
            b = data[pos]
            pos += 1
            if bits - shift < 7:  # the last byte this integer may have
                # Bits (bits-1-shift)..6 are the sign bit and its extension.
                unused = (b & 0x7F) >> (bits - 1 - shift)
                if unused not in (0, 0x7F >> (bits - 1 - shift)):
                    raise MalformedModule(pos - 1, "integer too large")
                if b & 0x80:
                    raise MalformedModule(pos, "integer representation too long")
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if result >> (shift - 1) & 1:
            result -= 1 << shift
        return self._bounded(pos, result)

    def _bounded(self, pos: int, value: int) -> int:
        """Commit a read that ended at ``pos`` unless it crossed ``end``."""
        if pos > self.end:
            raise self.fail(self.eof_rule())
        self.pos = pos
        return value

    def u32(self) -> int:
        return self.uleb(32)

    def vec_count(self, min_entry_size: int = 1, limit: Optional[limits.Limit] = None) -> int:
        """§5.1.3 vector length, refused when the remaining bytes cannot hold
        that many entries of at least ``min_entry_size`` bytes, so a huge
        count never allocates anything, or when it exceeds ``limit``."""
        start = self.pos
        n = self.u32()
        if limit is not None:
            limits.check(limit, n, start)
        if n * min_entry_size > self.end - self.pos:
            raise MalformedModule(start, self.eof_rule() + f" (vector of {n} entries)")
        return n

    def vec(self, read_entry: Callable[[], object], min_entry_size: int = 1,
            limit: Optional[limits.Limit] = None) -> tuple:
        return tuple(read_entry() for _ in range(self.vec_count(min_entry_size, limit)))

    # §5.2.4 names ------------------------------------------------------

    def name(self) -> str:
        """§5.2.4: a length-prefixed UTF-8 string (strict: no overlong forms,
        no surrogates)."""
        start = self.pos
        n = self.u32()
        if n > self.end - self.pos:
            raise MalformedModule(start, "length out of bounds")
        limits.check(limits.STRING_SIZE, n, start)
        raw = self.take(n)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise MalformedModule(start, f"malformed UTF-8 encoding ({err.reason})") from None

    def byte_vector(self) -> bytes:
        start = self.pos
        n = self.u32()
        if n > self.end - self.pos:
            raise MalformedModule(start, "length out of bounds")
        return self.take(n)


# ---------------------------------------------------------------------------
# §5.3 types
# ---------------------------------------------------------------------------


def read_valtype(r: Reader) -> str:
    """§5.3.4 value type, under pyde-v1: a number type (``funcref`` as a
    value type needs reference types)."""
    offset = r.pos
    code = r.byte()
    name = NUM_TYPE_CODES.get(code)
    if name is not None:
        return name
    if code == FUNCREF:
        features.reject("reference-types", "funcref as a value type", offset)
    return reject_unknown_type(code, offset, "malformed value type")


def read_reftype(r: Reader) -> str:
    """§5.3.2 reference type, under pyde-v1: ``funcref`` only."""
    offset = r.pos
    code = r.byte()
    if code == FUNCREF:
        return "funcref"
    return reject_unknown_type(code, offset, "malformed reference type")


def reject_unknown_type(code: int, offset: int, rule: str):
    gated = features.VALTYPE_FEATURES.get(code)
    if gated is not None:
        features.reject(gated[0], gated[1], offset)
    raise MalformedModule(offset, f"{rule} {code:#04x}")


def read_functype(r: Reader) -> FuncType:
    """§5.3.6 function type ``0x60 vec(valtype) vec(valtype)``."""
    offset = r.pos
    form = r.byte()
    if form >= 0x80:  # the form is a one-byte s7 in the spec interpreter
        raise MalformedModule(offset + 1, "integer representation too long")
    if form != FUNC_TYPE_FORM:
        gated = features.TYPE_FORM_FEATURES.get(form)
        if gated is not None:
            features.reject(gated[0], gated[1], offset)
        raise MalformedModule(offset, f"malformed functype form {form:#04x}")
    params = r.vec(lambda: read_valtype(r), limit=limits.FUNCTION_PARAMS)
    results = r.vec(lambda: read_valtype(r), limit=limits.FUNCTION_RESULTS)
    return FuncType(params, results)


def read_limits(r: Reader, *, memory: bool) -> Limits:
    """§5.3.7 limits: a flag *byte* 0x00 (min) or 0x01 (min, max).  Flag bits of the
    threads, memory64 and custom-page-sizes proposals are refused by name."""
    offset = r.pos
    flags = r.byte()
    if flags < 0x10:
        for bit, feature, detail in features.LIMITS_FLAG_FEATURES:
            if flags & bit and (memory or bit != 0x08):
                features.reject(feature, detail, offset)
    if flags not in (0x00, 0x01):
        raise MalformedModule(offset, "malformed limits flags")
    minimum = r.u32()
    maximum = r.u32() if flags == 0x01 else None
    return Limits(minimum, maximum)


def read_tabletype(r: Reader) -> TableType:
    """§5.3.9 table type ``reftype limits``."""
    elem_type = read_reftype(r)
    return TableType(read_limits(r, memory=False), elem_type)


def read_memtype(r: Reader) -> MemType:
    """§5.3.8 memory type ``limits``."""
    return MemType(read_limits(r, memory=True))


def read_globaltype(r: Reader) -> GlobalType:
    """§5.3.10 global type ``valtype mut``."""
    valtype = read_valtype(r)
    offset = r.pos
    mut = r.byte()
    if mut not in (0x00, 0x01):
        raise MalformedModule(offset, "malformed mutability")
    return GlobalType(valtype, mut == 0x01)


def read_blocktype(r: Reader):
    """§5.4.1 block type: ``0x40`` (none), a value type, or an s33 type index."""
    offset = r.pos
    code = r.peek()
    if code == EMPTY_BLOCK_TYPE:
        r.pos += 1
        return None
    if code & 0xC0 == 0x40:  # a one-byte negative s33: a value type encoding
        return read_valtype(r)
    index = r.sleb(33)
    if index < 0:
        raise MalformedModule(offset, "malformed block type")
    return index


# ---------------------------------------------------------------------------
# §5.4 instructions and expressions
# ---------------------------------------------------------------------------


def read_memarg(r: Reader) -> MemArg:
    """§5.4.6 memarg ``align:u32 offset:u32``.  Flag bit 6 announces a memory
    index (multi-memory); alignment exponents above that are malformed."""
    offset = r.pos
    align = r.u32()
    if align >= 0x40:
        if align < 0x80:
            features.reject("multi-memory", "a memory index in a memarg", offset)
        raise MalformedModule(offset, "malformed memop flags")
    return MemArg(align, r.u32())


def read_zero_memidx(r: Reader) -> None:
    """A memory index immediate of memory.fill/copy/init: pyde-v1 has one
    memory, any other index needs multi-memory."""
    offset = r.pos
    if r.u32() != 0:
        features.reject("multi-memory", "a non-zero memory index", offset)


def read_zero_byte(r: Reader, feature: str, what: str) -> int:
    """The reserved index of ``call_indirect`` (table) and ``memory.size``/
    ``memory.grow`` (memory): in the MVP encoding, which pyde-v1 keeps, a
    single 0x00 byte (§5.4.1, §5.4.6).  Reference types and multi-memory
    turned it into a u32 index, so a non-zero index is refused as their
    feature and a padded zero (``80 00``) as malformed, exactly as wasmtime 50
    and ``wasm-tools`` with the pyde-v1 features do
    (``spec/findings/wasmtime-50-feature-set.md``).  (The bulk-memory
    instructions' indices were u32 from the start: see
    :func:`read_zero_memidx`.)"""
    offset = r.pos
    if r.u32() != 0:
        features.reject(feature, f"a non-zero {what}", offset)
    if r.pos != offset + 1:
        raise MalformedModule(offset, "zero byte expected", feature)
    return 0


# One reader per immediate encoding of the instruction table (§5.4):
# ``reader(r, info, offset, depth_stack) -> Instruction``.  ``depth_stack``
# tracks the open ``block``/``loop``/``if`` constructs so the grammar's
# nesting (``else`` only once and only inside ``if``) is enforced.


def _no_immediates(r, info, offset, depth_stack):
    return Instruction(info.name, offset)


def _end(r, info, offset, depth_stack):
    if not depth_stack:
        raise MalformedModule(offset, "unexpected end opcode")
    depth_stack.pop()
    return Instruction(info.name, offset)


def _else(r, info, offset, depth_stack):
    if not depth_stack or depth_stack[-1] != "if":
        raise MalformedModule(offset, "else outside if")
    depth_stack[-1] = "else"
    return Instruction(info.name, offset)


def _block(r, info, offset, depth_stack):
    instr = Block(info.name, read_blocktype(r), offset)
    depth_stack.append(info.name)
    return instr


def _u32_index(r, info, offset, depth_stack):
    return info.syntax(info.name, r.u32(), offset)


def _br_table(r, info, offset, depth_stack):
    labels = r.vec(r.u32, limit=limits.BR_TABLE_SIZE)
    return BrTable(info.name, labels, r.u32(), offset)


def _call_indirect(r, info, offset, depth_stack):
    type_index = r.u32()
    return CallIndirect(info.name, type_index, read_zero_byte(r, "reference-types", "table index"), offset)


def _memarg(r, info, offset, depth_stack):
    return MemoryInstr(info.name, read_memarg(r), offset)


def _i32(r, info, offset, depth_stack):
    return Const(info.name, r.sleb(32) & MASK32, offset)


def _i64(r, info, offset, depth_stack):
    return Const(info.name, r.sleb(64) & MASK64, offset)


def _f32(r, info, offset, depth_stack):
    return Const(info.name, int.from_bytes(r.take(4), "little"), offset)


def _f64(r, info, offset, depth_stack):
    return Const(info.name, int.from_bytes(r.take(8), "little"), offset)


def _memory_byte(r, info, offset, depth_stack):
    read_zero_byte(r, "multi-memory", "memory index")
    return Instruction(info.name, offset)


def _memidx(r, info, offset, depth_stack):
    read_zero_memidx(r)
    return Instruction(info.name, offset)


def _memidx2(r, info, offset, depth_stack):
    read_zero_memidx(r)
    read_zero_memidx(r)
    return Instruction(info.name, offset)


def _dataidx_memidx(r, info, offset, depth_stack):
    data_index = r.u32()
    read_zero_memidx(r)
    return DataInstr(info.name, data_index, offset)


def _two_indices(r, info, offset, depth_stack):
    first = r.u32()
    return info.syntax(info.name, first, r.u32(), offset)


def _reftype(r, info, offset, depth_stack):
    return RefNull(info.name, read_reftype(r), offset)


IMMEDIATE_READERS = {
    instructions.ENC_NONE: _no_immediates,
    instructions.ENC_BLOCKTYPE: _block,
    instructions.ENC_LABELIDX: _u32_index,
    instructions.ENC_BR_TABLE: _br_table,
    instructions.ENC_FUNCIDX: _u32_index,
    instructions.ENC_CALL_INDIRECT: _call_indirect,
    instructions.ENC_LOCALIDX: _u32_index,
    instructions.ENC_GLOBALIDX: _u32_index,
    instructions.ENC_MEMARG: _memarg,
    instructions.ENC_I32: _i32,
    instructions.ENC_I64: _i64,
    instructions.ENC_F32: _f32,
    instructions.ENC_F64: _f64,
    instructions.ENC_MEMORY_BYTE: _memory_byte,
    instructions.ENC_MEMIDX: _memidx,
    instructions.ENC_MEMIDX2: _memidx2,
    instructions.ENC_DATAIDX_MEMIDX: _dataidx_memidx,
    instructions.ENC_DATAIDX: _u32_index,
    instructions.ENC_ELEMIDX_TABLEIDX: _two_indices,
    instructions.ENC_ELEMIDX: _u32_index,
    instructions.ENC_TABLEIDX2: _two_indices,
    instructions.ENC_REFTYPE: _reftype,
}
"""Immediate encoding (``instructions.ENC_*``) -> its reader."""

_STRUCTURE_READERS = {"end": _end, "else": _else}
"""``end`` and ``else`` have no immediates but close what a block opened."""


def _opcode_map(prefix: tuple[int, ...]) -> dict[int, tuple]:
    """``last opcode byte -> (info, reader)`` for the instructions whose
    opcode starts with ``prefix``, from the instruction table."""
    return {
        info.opcode[-1]: (info, _STRUCTURE_READERS.get(info.name) or IMMEDIATE_READERS[info.encoding])
        for info in instructions.INSTRUCTIONS if info.opcode[:-1] == prefix
    }


OPCODES = _opcode_map(())
"""§5.4: single-byte opcode -> (instruction table row, immediate reader)."""

FC_OPCODES = _opcode_map((PREFIX_FC,))
"""§5.4: ``0xFC`` sub-opcode -> (instruction table row, immediate reader)."""


def read_instruction(r: Reader, depth_stack: list) -> Instruction:
    """Decode one instruction (§5.4) at ``r.pos``: the opcode names a row of
    the instruction table, whose encoding says how to read the immediates.
    ``depth_stack`` tracks the open ``block``/``loop``/``if`` constructs."""
    offset = r.pos
    code = r.byte()
    entry = OPCODES.get(code)
    if entry is None:
        if code == PREFIX_FC:
            sub_offset = r.pos
            sub = r.u32()
            entry = FC_OPCODES.get(sub)
            if entry is None:
                gated = features.FC_FEATURES.get(sub)
                if gated is not None:
                    features.reject(gated[0], gated[1], offset)
                raise MalformedModule(sub_offset, f"illegal opcode fc {sub:#x}")
        else:
            gated = features.OPCODE_FEATURES.get(code)
            if gated is not None:
                features.reject(gated[0], gated[1], offset)
            prefix_feature = features.PREFIX_FEATURES.get(code)
            if prefix_feature is not None:
                if code == 0xFD:
                    sub = r.u32()
                    if sub in features.RELAXED_SIMD_SUBOPCODES:
                        features.reject("relaxed-simd", f"opcode 0xfd {sub:#x}", offset)
                features.reject(prefix_feature, f"opcode prefix {code:#04x}", offset)
            raise MalformedModule(offset, f"illegal opcode {code:02x}")
    info, reader = entry
    return reader(r, info, offset, depth_stack)


def read_expr(r: Reader) -> tuple[Instruction, ...]:
    """§5.4.9 expression: instructions up to the ``end`` that closes it."""
    depth_stack = ["expr"]
    instrs = []
    while depth_stack:
        instrs.append(read_instruction(r, depth_stack))
    return tuple(instrs)


# ---------------------------------------------------------------------------
# §5.5 modules: one reader per section
# ---------------------------------------------------------------------------


def read_import(r: Reader) -> Import:
    """§5.5.5 import ``module:name name:name importdesc``."""
    module = r.name()
    name = r.name()
    offset = r.pos
    kind_code = r.byte()
    kind = EXTERN_KINDS.get(kind_code)
    if kind is None:
        gated = features.EXTERN_KIND_FEATURES.get(kind_code)
        if gated is not None:
            features.reject(gated[0], gated[1], offset)
        raise MalformedModule(offset, "malformed import kind")
    if kind == "func":
        desc = r.u32()
    elif kind == "table":
        desc = read_tabletype(r)
    elif kind == "memory":
        desc = read_memtype(r)
    else:
        desc = read_globaltype(r)
    return Import(module, name, kind, desc)


def read_table(r: Reader) -> TableType:
    """§5.5.7 table ``tabletype`` (``0x40 0x00`` tables with an initializer
    expression belong to function references)."""
    if r.peek() == 0x40:
        features.reject("function-references", "table with an initializer", r.pos)
    return read_tabletype(r)


def read_global(r: Reader) -> Global:
    """§5.5.9 global ``globaltype expr``."""
    gtype = read_globaltype(r)
    return Global(gtype, read_expr(r))


def read_export(r: Reader) -> Export:
    """§5.5.10 export ``name exportdesc``."""
    name = r.name()
    offset = r.pos
    kind_code = r.byte()
    kind = EXTERN_KINDS.get(kind_code)
    if kind is None:
        gated = features.EXTERN_KIND_FEATURES.get(kind_code)
        if gated is not None:
            features.reject(gated[0], gated[1], offset)
        raise MalformedModule(offset, "malformed export kind")
    return Export(name, kind, r.u32())


def ref_func_expr(r: Reader) -> tuple[Instruction, ...]:
    """One function index of a legacy element segment, as the constant
    expression ``ref.func i end`` it stands for (§5.5.12)."""
    offset = r.pos
    index = r.u32()
    return (RefFunc("ref.func", index, offset), Instruction("end", offset))


def read_elemkind(r: Reader) -> str:
    offset = r.pos
    if r.byte() != 0x00:
        raise MalformedModule(offset, "malformed elements segment kind")
    return "funcref"


def read_elem(r: Reader, *, gate: bool = True) -> Elem:
    """§5.5.12 element segment: the eight forms selected by the flag bits
    (bit 0: passive/declarative, bit 1: explicit table index or declarative,
    bit 2: expressions instead of function indices).

    All eight forms decode; with ``gate`` (always, in :func:`decode_module`)
    the expression forms 4-7 are refused as reference types, as wasm-tools
    and wasmtime do with reference types off (see
    ``spec/findings/wasmtime-50-feature-set.md``)."""
    offset = r.pos
    flags = r.u32()
    if flags > 7:
        raise MalformedModule(offset, "malformed elements segment flags")
    uses_exprs = bool(flags & 0x04)
    if flags & 0x01:
        mode = "declarative" if flags & 0x02 else "passive"
        table_index, offset_expr = 0, None
    else:
        mode = "active"
        table_index = r.u32() if flags & 0x02 else 0
        offset_expr = read_expr(r)
    if flags in (0, 4):
        elem_type = "funcref"  # forms 0 and 4 have an implicit type
    elif uses_exprs:
        elem_type = read_reftype(r)
    else:
        elem_type = read_elemkind(r)
    if uses_exprs:
        init = r.vec(lambda: read_expr(r))
    else:
        init = r.vec(lambda: ref_func_expr(r))
    if uses_exprs and gate:
        # Gated after decoding, so a malformed segment is reported as malformed.
        features.reject("reference-types", f"element segment form {flags} (expressions)", offset)
    return Elem(mode, elem_type, init, table_index, offset_expr)


def read_data(r: Reader) -> Data:
    """§5.5.14 data segment: flag 0 (active, memory 0), 1 (passive),
    2 (active, explicit memory index)."""
    offset = r.pos
    flags = r.u32()
    if flags == 0:
        offset_expr = read_expr(r)
        return Data("active", r.byte_vector(), 0, offset_expr)
    if flags == 1:
        return Data("passive", r.byte_vector())
    if flags == 2:
        memory_index = r.u32()
        offset_expr = read_expr(r)
        return Data("active", r.byte_vector(), memory_index, offset_expr)
    raise MalformedModule(offset, "malformed data segment flags")


def read_code_entry(r: Reader) -> tuple[tuple[tuple[int, str], ...], tuple[Instruction, ...]]:
    """§5.5.13 code entry ``size:u32 func``: locals then the body, filling
    exactly ``size`` bytes.  Returns ``(locals, body)``; the function
    section supplies the type index (§5.5.16 pairs them up)."""
    size_offset = r.pos
    size = r.u32()
    limits.check(limits.FUNCTION_SIZE, size, size_offset)
    if size > r.end - r.pos:
        raise MalformedModule(size_offset, r.eof_rule() + " (code entry size)")
    body_end = r.pos + size
    entry = Reader(r.data, r.pos, body_end)
    locals_offset = entry.pos
    local_decls = entry.vec(lambda: read_local_decl(entry), 2)
    total = sum(count for count, _ in local_decls)
    if total > U32_MAX:
        raise MalformedModule(locals_offset, "too many locals")
    limits.check(limits.FUNCTION_LOCALS, total, locals_offset)
    body = read_expr(entry)
    if entry.pos != body_end:
        raise MalformedModule(entry.pos, "section size mismatch (code entry)")
    r.pos = body_end
    return local_decls, body


def read_local_decl(r: Reader) -> tuple[int, str]:
    count = r.u32()
    return count, read_valtype(r)


# ---------------------------------------------------------------------------
# §5.5.16 the module
# ---------------------------------------------------------------------------


def read_header(data: bytes) -> None:
    """§5.5.16 magic ``\\0asm`` and version 1."""
    if data[:4] != MAGIC:
        if len(data) < 4 and MAGIC.startswith(data):
            raise MalformedModule(len(data), "unexpected end")
        raise MalformedModule(0, "magic header not detected")
    if len(data) < 8:
        raise MalformedModule(len(data), "unexpected end")
    if data[4:8] != VERSION:
        raise MalformedModule(4, "unknown binary version")


def read_vec_section(read_entry, limit: Optional[limits.Limit] = None):
    """A section that is one vector of entries read by ``read_entry(s)``
    (at most ``limit`` of them)."""
    return lambda s: s.vec(lambda: read_entry(s), limit=limit)


def read_data_count(r: Reader) -> int:
    """§5.5.15 the data count, within :data:`.limits.DATA_SEGMENTS`."""
    offset = r.pos
    count = r.u32()
    limits.check(limits.DATA_SEGMENTS, count, offset)
    return count


SECTION_READERS = {
    SEC_TYPE: ("types", read_vec_section(read_functype, limits.TYPES)),                        # §5.5.4
    SEC_IMPORT: ("imports", read_vec_section(read_import, limits.IMPORTS)),                    # §5.5.5
    SEC_FUNCTION: ("func_type_indices", read_vec_section(Reader.u32, limits.FUNCTIONS)),       # §5.5.6
    SEC_TABLE: ("tables", read_vec_section(read_table, limits.TABLES)),                        # §5.5.7
    SEC_MEMORY: ("mems", read_vec_section(read_memtype, limits.MEMORIES)),                     # §5.5.8
    SEC_GLOBAL: ("globals", read_vec_section(read_global, limits.GLOBALS)),                    # §5.5.9
    SEC_EXPORT: ("exports", read_vec_section(read_export, limits.EXPORTS)),                    # §5.5.10
    SEC_START: ("start", Reader.u32),                                                          # §5.5.11
    SEC_ELEMENT: ("elems", read_vec_section(read_elem, limits.ELEMENT_SEGMENTS)),              # §5.5.12
    SEC_DATA_COUNT: ("data_count", read_data_count),                                           # §5.5.15
    SEC_CODE: ("code_entries", read_vec_section(read_code_entry, limits.FUNCTIONS)),           # §5.5.13
    SEC_DATA: ("datas", read_vec_section(read_data, limits.DATA_SEGMENTS)),                    # §5.5.14
}
"""Section id -> (what it holds, how to read its contents)."""


def read_sections(data: bytes) -> tuple[dict[str, object], list[CustomSection]]:
    """§5.5.2-5.5.3: the sections after the header, each filling exactly its
    declared size, non-custom ones in :data:`SECTION_ORDER` and at most once."""
    contents: dict[str, object] = {}
    customs = []
    last_rank = -1
    r = Reader(data, len(HEADER), len(data))
    while not r.at_end():
        id_offset = r.pos
        section_id = r.byte()
        size_offset = r.pos
        size = r.u32()
        if size > r.end - r.pos:
            raise MalformedModule(size_offset, "length out of bounds (section size)")
        s = Reader(data, r.pos, r.pos + size)
        r.pos += size
        if section_id == SEC_CUSTOM:
            name = s.name()
            customs.append(CustomSection(name, data[s.pos : s.end]))
            continue
        rank = SECTION_RANK.get(section_id)
        if rank is None:
            raise MalformedModule(id_offset, "malformed section id")
        if rank <= last_rank:
            raise MalformedModule(id_offset, "unexpected content after last section")
        last_rank = rank
        gated = features.SECTION_FEATURES.get(section_id)
        if gated is not None:
            features.reject(gated[0], gated[1], id_offset)
        field, read_contents = SECTION_READERS[section_id]
        contents[field] = read_contents(s)
        if not s.at_end():
            raise MalformedModule(s.pos, "section size mismatch")
    return contents, customs


def decode_module(data: bytes) -> Module:
    """§5.5.16: decode a whole module, strictly.

    Raises :class:`MalformedModule` on any deviation from the binary format,
    :class:`~.limits.LimitExceeded` over one of production's limits and
    :class:`~.errors.UnsupportedFeature` on encodings of proposals outside
    pyde-v1 (both :class:`~.errors.InvalidModule`); nothing else escapes."""
    data = bytes(data)
    read_header(data)
    contents, customs = read_sections(data)
    func_type_indices = contents.pop("func_type_indices", ())
    code_entries = contents.pop("code_entries", ())
    if len(code_entries) != len(func_type_indices):
        raise MalformedModule(len(data), "function and code section have inconsistent lengths")
    funcs = tuple(
        Func(type_index, local_decls, body)
        for type_index, (local_decls, body) in zip(func_type_indices, code_entries)
    )
    check_index_space_limits(contents.get("imports", ()), len(funcs), len(contents.get("tables", ())),
                             len(contents.get("mems", ())), len(contents.get("globals", ())))
    data_count = contents.get("data_count")
    if data_count is not None and data_count != len(contents.get("datas", ())):
        raise MalformedModule(len(data), "data count and data section have inconsistent lengths")
    if data_count is None:
        check_data_count_not_needed(funcs)
    return Module(funcs=funcs, customs=tuple(customs), **contents)


def check_index_space_limits(imports: tuple[Import, ...], funcs: int, tables: int, mems: int, globals_: int) -> None:
    """:mod:`.limits` on the index spaces, imports included (wasmparser
    counts an imported function, table, memory or global with the defined ones)."""
    imported = {kind: 0 for kind in ("func", "table", "memory", "global")}
    for imp in imports:
        imported[imp.kind] += 1
    limits.check(limits.FUNCTIONS, imported["func"] + funcs)
    limits.check(limits.TABLES, imported["table"] + tables)
    limits.check(limits.MEMORIES, imported["memory"] + mems)
    limits.check(limits.GLOBALS, imported["global"] + globals_)


def check_data_count_not_needed(funcs: tuple[Func, ...]) -> None:
    """§5.5.16: ``memory.init`` and ``data.drop`` may only appear when the
    data count section is present (so one-pass validators know the number of
    data segments before the code section)."""
    for func in funcs:
        for instr in func.body:
            if instr.op in DATA_INDEX_OPS:
                raise MalformedModule(instr.offset, "data count section required")


# ---------------------------------------------------------------------------
# Encoding: the writing side of §5.2.2 and §5.5.2-5.5.3, for building modules
# ---------------------------------------------------------------------------


def encode_uleb(n: int) -> bytes:
    """§5.2.2 ``uN``: the shortest unsigned LEB128 form of ``n >= 0``."""
    if n < 0:  # would never reach zero by shifting
        raise ValueError(f"an unsigned LEB128 value cannot be negative: {n}")
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if not n:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def encode_sleb(n: int) -> bytes:
    """§5.2.2 ``sN``: the shortest signed LEB128 form of ``n``; it ends once
    the remaining bits are all copies of the last byte's sign bit (0x40)."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def encode_section(section_id: int, payload: bytes) -> bytes:
    """§5.5.2: the section id byte, the payload's size as ``u32``, the payload."""
    return bytes([section_id]) + encode_uleb(len(payload)) + payload


def encode_custom_section(name: str, payload: bytes) -> bytes:
    """§5.5.3: a custom section (id 0) whose payload starts with ``name`` as a
    §5.2.4 length-prefixed UTF-8 string."""
    raw_name = name.encode("utf-8")
    return encode_section(SEC_CUSTOM, encode_uleb(len(raw_name)) + raw_name + payload)
