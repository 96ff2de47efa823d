"""Abstract syntax of a WebAssembly module (core spec §2).

The decoder (:mod:`pyde_ref.wasm.binary`) produces these objects, the validator
(:mod:`pyde_ref.wasm.valid`) checks them and the interpreter
(:mod:`pyde_ref.wasm.exec`) pre-decodes them.  Nothing here knows about Pyde.

Conventions, fixed for the whole machine:

* A value type is its text-format name: ``"i32"``, ``"i64"``, ``"f32"``,
  ``"f64"``, ``"funcref"`` (``"externref"`` and ``"v128"`` only ever appear in
  errors: the pyde-v1 feature gate rejects them).
* A runtime value is a Python ``int`` holding the value's *bit pattern*,
  unsigned, of the type's width: an ``i32`` is in ``[0, 2**32)``, an ``f64`` is
  its IEEE-754 binary64 bits.  References are ``None`` (null) or a function
  address (``int``).  Bit patterns keep NaN payloads and signed zeros exact.
* An instruction is its text-format mnemonic plus a tuple of immediates (see
  :class:`Instruction`); a function body is the flat sequence of instructions
  exactly as the binary format lists them, ``block``/``loop``/``if``/``else``/
  ``end`` included, the body's final ``end`` included.
"""

from __future__ import annotations

from typing import Literal, Optional, Union

import attrs

ValType = str
"""``"i32" | "i64" | "f32" | "f64" | "funcref"`` (see module docstring)."""

NUM_TYPES = ("i32", "i64", "f32", "f64")
REF_TYPES = ("funcref", "externref")

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
"""§2.4.1 block type: ``None`` (no result), a single result value type, or a
type index (multi-value)."""


@attrs.frozen
class Instruction:
    """One instruction: mnemonic, immediates and its byte offset in the module.

    Immediates by instruction family:

    ========================================  ==================================
    ``block`` ``loop`` ``if``                 ``(blocktype,)``
    ``br`` ``br_if``                          ``(labelidx,)``
    ``br_table``                              ``(labels: tuple[int, ...], default)``
    ``call``                                  ``(funcidx,)``
    ``call_indirect``                         ``(typeidx, tableidx)``
    ``local.get/set/tee``, ``global.get/set`` ``(index,)``
    loads and stores                          ``(align_exponent, offset)``
    ``i32.const`` ... ``f64.const``           ``(bits,)`` (unsigned bit pattern)
    ``memory.size`` ``memory.grow``           ``()``
    ``memory.copy`` ``memory.fill``           ``()``
    ``memory.init``                           ``(dataidx,)``
    ``data.drop``                             ``(dataidx,)``
    ``table.init``                            ``(elemidx, tableidx)``
    ``elem.drop``                             ``(elemidx,)``
    ``table.copy``                            ``(dst_tableidx, src_tableidx)``
    ``ref.null``                              ``(reftype,)``
    ``ref.func``                              ``(funcidx,)``
    everything else                           ``()``
    ========================================  ==================================
    """

    op: str
    imm: tuple = ()
    offset: int = attrs.field(default=0, eq=False)

    def __str__(self) -> str:
        return " ".join([self.op, *map(str, self.imm)])


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
