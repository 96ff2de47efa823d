"""Abstract syntax of a WebAssembly module (core spec §2).

The decoder (:mod:`pyde_ref.wasm.binary`) produces these objects, the validator
(:mod:`pyde_ref.wasm.valid`) checks them, the reading tier
(:mod:`pyde_ref.wasm.eval`) executes them and the fast tier
(:mod:`pyde_ref.wasm.predecode`) translates them.  Nothing here knows about Pyde.

Conventions, fixed for the whole machine:

* A value type is its text-format name: ``"i32"``, ``"i64"``, ``"f32"``,
  ``"f64"``, ``"funcref"`` (``"externref"`` and ``"v128"`` only ever appear in
  errors: the pyde-v1 feature gate rejects them).
* A runtime value is a Python ``int`` holding the value's *bit pattern*,
  unsigned, of the type's width: an ``i32`` is in ``[0, 2**32)``, an ``f64`` is
  its IEEE-754 binary64 bits.  References are ``None`` (null) or a function
  address (``int``).  Bit patterns keep NaN payloads and signed zeros exact.
* An instruction is its text-format mnemonic plus its immediates as named
  fields (:class:`Instruction` and its subclasses, one per shape of
  immediates: ``instr.memarg.offset``, ``instr.labels``, ...); every fact
  about a mnemonic is in the instruction table (:mod:`.instructions`).  A
  function body is the flat sequence of instructions exactly as the binary
  format lists them, ``block``/``loop``/``if``/``else``/``end`` included, the
  body's final ``end`` included.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, Optional, Union

import attrs

ValType = str
"""``"i32" | "i64" | "f32" | "f64" | "funcref"`` (see module docstring)."""

NUM_TYPES = ("i32", "i64", "f32", "f64")

BIT_WIDTH = {"i32": 32, "i64": 64, "f32": 32, "f64": 64}


@attrs.frozen
class FuncType:
    """§2.3.5 function type ``[params] -> [results]``."""

    params: tuple[ValType, ...]
    results: tuple[ValType, ...]

    def __str__(self) -> str:
        return f"[{' '.join(self.params)}] -> [{' '.join(self.results)}]"


@attrs.frozen
class Limits:
    """§2.3.6 limits; ``max`` is ``None`` when absent."""

    min: int
    max: Optional[int] = None


@attrs.frozen
class MemType:
    """§2.3.7 memory type (pages of 64 KiB)."""

    limits: Limits


WASM_MAX_MEMORY_PAGES = 65536
"""The most pages a memory may have: a memory type's limits must lie within
2^16 (§3.2.4), the whole 32-bit address space (4 GiB, §4.2.8).  Pyde's own
cap is far lower (``runtime.PYDE_MAX_MEMORY_PAGES``)."""


@attrs.frozen
class TableType:
    """§2.3.8 table type."""

    limits: Limits
    elem_type: ValType = "funcref"


@attrs.frozen
class GlobalType:
    """§2.3.9 global type."""

    valtype: ValType
    mutable: bool


BlockType = Union[None, ValType, int]
"""§2.4.8 block type: ``None`` (no result), a single result value type, or a
type index (multi-value).  The type of :attr:`Block.block_type`."""


def expand_block_type(types: tuple[FuncType, ...], block_type: BlockType) -> FuncType:
    """§3.2.2/§4.4.8 ``expand_F(blocktype)``: the function type a block type
    stands for -- ``[] -> []``, ``[] -> [t]``, or the module's type at that
    index (which the caller has checked exists)."""
    if block_type is None:
        return FuncType((), ())
    if isinstance(block_type, str):
        return FuncType((), (block_type,))
    return types[block_type]


# ---------------------------------------------------------------------------
# §2.4 instructions
#
# One class per shape of immediates; the mnemonic (``op``) says which
# instruction it is, and :mod:`.instructions` holds every fact about each
# mnemonic (opcode, typing, feature, fuel, memory access).  Instances are
# treated as immutable.  ``offset`` is the byte offset of the instruction's
# opcode in the module; it is not part of an instruction's identity.
# ---------------------------------------------------------------------------


class MemArg(NamedTuple):
    """§2.4.7 memory immediate: alignment exponent and static offset."""

    align: int
    offset: int


class Instruction:
    """An instruction without immediates (``nop``, ``i32.add``, ``end``, ...);
    the base of the classes below, which add named immediates."""

    __slots__ = ("op", "offset")
    immediate_names: tuple[str, ...] = ()
    """The names of the immediates, in binary-format order."""

    def __init__(self, op: str, offset: int = 0):
        self.op = op
        self.offset = offset

    @property
    def immediates(self) -> tuple:
        """The immediates' values, in :attr:`immediate_names` order."""
        return tuple(getattr(self, name) for name in self.immediate_names)

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and self.op == other.op  # type: ignore[attr-defined]
                and self.immediates == other.immediates)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.op, self.immediates))

    def __repr__(self) -> str:
        fields = "".join(f", {name}={getattr(self, name)!r}" for name in self.immediate_names)
        return f"{type(self).__name__}({self.op!r}{fields})"

    def __str__(self) -> str:
        return " ".join([self.op, *map(str, self.immediates)])


class Block(Instruction):
    """``block``, ``loop`` and ``if`` (§2.4.8), flat: the nested instructions
    follow, up to the matching ``end`` (and ``else``) instruction."""

    __slots__ = ("block_type",)
    immediate_names = ("block_type",)

    def __init__(self, op: str, block_type: BlockType, offset: int = 0):
        self.op, self.block_type, self.offset = op, block_type, offset


class Br(Instruction):
    """``br l`` and ``br_if l`` (§2.4.8): ``label`` counts enclosing blocks outwards from 0."""

    __slots__ = ("label",)
    immediate_names = ("label",)

    def __init__(self, op: str, label: int, offset: int = 0):
        self.op, self.label, self.offset = op, label, offset


class BrTable(Instruction):
    """``br_table l* l_N`` (§2.4.8)."""

    __slots__ = ("labels", "default")
    immediate_names = ("labels", "default")

    def __init__(self, op: str, labels: tuple[int, ...], default: int, offset: int = 0):
        self.op, self.labels, self.default, self.offset = op, labels, default, offset


class Call(Instruction):
    """``call x`` (§2.4.8)."""

    __slots__ = ("func_index",)
    immediate_names = ("func_index",)

    def __init__(self, op: str, func_index: int, offset: int = 0):
        self.op, self.func_index, self.offset = op, func_index, offset


class CallIndirect(Instruction):
    """``call_indirect x y`` (§2.4.8): table ``x`` (always 0 in pyde-v1), type ``y``."""

    __slots__ = ("type_index", "table_index")
    immediate_names = ("type_index", "table_index")

    def __init__(self, op: str, type_index: int, table_index: int, offset: int = 0):
        self.op, self.type_index, self.table_index, self.offset = op, type_index, table_index, offset


class LocalInstr(Instruction):
    """``local.get x``, ``local.set x``, ``local.tee x`` (§2.4.5)."""

    __slots__ = ("local_index",)
    immediate_names = ("local_index",)

    def __init__(self, op: str, local_index: int, offset: int = 0):
        self.op, self.local_index, self.offset = op, local_index, offset


class GlobalInstr(Instruction):
    """``global.get x``, ``global.set x`` (§2.4.5)."""

    __slots__ = ("global_index",)
    immediate_names = ("global_index",)

    def __init__(self, op: str, global_index: int, offset: int = 0):
        self.op, self.global_index, self.offset = op, global_index, offset


class MemoryInstr(Instruction):
    """Loads and stores (§2.4.7) with their :class:`MemArg`."""

    __slots__ = ("memarg",)
    immediate_names = ("memarg",)

    def __init__(self, op: str, memarg: MemArg, offset: int = 0):
        self.op, self.memarg, self.offset = op, memarg, offset


class Const(Instruction):
    """``t.const c`` (§2.4.1): ``value`` is the constant's unsigned bit pattern."""

    __slots__ = ("value",)
    immediate_names = ("value",)

    def __init__(self, op: str, value: int, offset: int = 0):
        self.op, self.value, self.offset = op, value, offset


class DataInstr(Instruction):
    """``memory.init x`` and ``data.drop x`` (§2.4.7)."""

    __slots__ = ("data_index",)
    immediate_names = ("data_index",)

    def __init__(self, op: str, data_index: int, offset: int = 0):
        self.op, self.data_index, self.offset = op, data_index, offset


class ElemDrop(Instruction):
    """``elem.drop x`` (§2.4.6)."""

    __slots__ = ("elem_index",)
    immediate_names = ("elem_index",)

    def __init__(self, op: str, elem_index: int, offset: int = 0):
        self.op, self.elem_index, self.offset = op, elem_index, offset


class TableInit(Instruction):
    """``table.init x y`` (§2.4.6): table ``x``, element segment ``y``; the
    binary format (and this class) list the segment first."""

    __slots__ = ("elem_index", "table_index")
    immediate_names = ("elem_index", "table_index")

    def __init__(self, op: str, elem_index: int, table_index: int, offset: int = 0):
        self.op, self.elem_index, self.table_index, self.offset = op, elem_index, table_index, offset


class TableCopy(Instruction):
    """``table.copy x y`` (§2.4.6): copy from table ``y`` into table ``x``."""

    __slots__ = ("dst_table", "src_table")
    immediate_names = ("dst_table", "src_table")

    def __init__(self, op: str, dst_table: int, src_table: int, offset: int = 0):
        self.op, self.dst_table, self.src_table, self.offset = op, dst_table, src_table, offset


class RefNull(Instruction):
    """``ref.null t`` (§2.4.2)."""

    __slots__ = ("ref_type",)
    immediate_names = ("ref_type",)

    def __init__(self, op: str, ref_type: ValType, offset: int = 0):
        self.op, self.ref_type, self.offset = op, ref_type, offset


class RefFunc(Instruction):
    """``ref.func x`` (§2.4.2)."""

    __slots__ = ("func_index",)
    immediate_names = ("func_index",)

    def __init__(self, op: str, func_index: int, offset: int = 0):
        self.op, self.func_index, self.offset = op, func_index, offset


Expr = tuple[Instruction, ...]
"""A constant expression or body, ``end`` included."""


@attrs.frozen
class Func:
    """§2.5.3 function: type index, declared locals (compressed as the binary
    format gives them, ``(count, type)`` pairs, so a huge declaration is never
    expanded) and body."""

    type_index: int
    locals: tuple[tuple[int, ValType], ...]
    body: Expr


@attrs.frozen
class Global:
    """§2.5.6 global."""

    type: GlobalType
    init: Expr


ElemMode = Literal["active", "passive", "declarative"]


@attrs.frozen
class Elem:
    """§2.5.7 element segment.  ``init`` holds one constant expression per
    element (``ref.func i`` or ``ref.null funcref``), whichever binary form
    the segment used."""

    mode: ElemMode
    elem_type: ValType
    init: tuple[Expr, ...]
    table_index: int = 0
    offset: Optional[Expr] = None


DataMode = Literal["active", "passive"]


@attrs.frozen
class Data:
    """§2.5.8 data segment."""

    mode: DataMode
    init: bytes
    memory_index: int = 0
    offset: Optional[Expr] = None


ExternKind = Literal["func", "table", "memory", "global"]
ImportDesc = Union[int, TableType, MemType, GlobalType]
"""A type index for a function import, else the imported entity's type."""


@attrs.frozen
class Import:
    """§2.5.11 import."""

    module: str
    name: str
    kind: ExternKind
    desc: ImportDesc


@attrs.frozen
class Export:
    """§2.5.10 export."""

    name: str
    kind: ExternKind
    index: int


@attrs.frozen
class CustomSection:
    """§5.5.3 custom section: name and raw payload."""

    name: str
    payload: bytes


@attrs.frozen
class Module:
    """§2.5 module.  ``funcs``, ``tables``, ``mems`` and ``globals`` hold the
    module's own definitions only; imports come first in every index space."""

    types: tuple[FuncType, ...] = ()
    imports: tuple[Import, ...] = ()
    funcs: tuple[Func, ...] = ()
    tables: tuple[TableType, ...] = ()
    mems: tuple[MemType, ...] = ()
    globals: tuple[Global, ...] = ()
    exports: tuple[Export, ...] = ()
    start: Optional[int] = None
    elems: tuple[Elem, ...] = ()
    datas: tuple[Data, ...] = ()
    data_count: Optional[int] = None
    customs: tuple[CustomSection, ...] = ()

    def imports_of(self, kind: ExternKind) -> tuple[Import, ...]:
        return tuple(imp for imp in self.imports if imp.kind == kind)

    def func_type_indices(self) -> tuple[int, ...]:
        """Type index of every function in the function index space."""
        return tuple(imp.desc for imp in self.imports_of("func")) + tuple(
            f.type_index for f in self.funcs
        )
