"""The instruction table: every fact about every pyde-v1 instruction, once.

One row (:class:`InstructionInfo`) per instruction of the pyde-v1 feature set:

``name``       the text-format mnemonic (§2.4, §6.5);
``opcode``     its opcode bytes (§5.4): ``(0x6A,)``, or ``(0xFC, 8)`` for a prefixed one;
``encoding``   the immediates after the opcode, in the binary grammar of §5.4
               (one of the ``ENC_*`` constants below);
``syntax``     the :mod:`.syntax` class the decoder builds, which names the
               immediates (``instr.memarg.offset``, ``instr.labels``, ...);
``signature``  the fixed typing ``[params] -> [results]`` of §3.3, or ``None``
               when the instruction has a typing rule of its own
               (:data:`.valid.SPECIAL_RULES`: control, variables, ``drop``,
               ``select``, references);
``family``     the instruction class of §2.4 whose validation rules are in
               §3.3.N and whose execution rules are in §4.4.N
               (:data:`FAMILY_SECTIONS`);
``feature``    the proposal that brought it (``mvp`` or a proposal pyde-v1 enables;
               ``reference-types`` for the ``ref.*`` instructions, which
               pyde-v1 admits only in constant expressions);
``fuel``       its fuel class (:data:`.fuel.CLASS_COSTS` says what each costs);
``access``     for loads and stores, what they touch (:class:`Access`).

Everything else derives from this table: the decoder's opcode map
(:mod:`.binary`), the validator's fixed signatures (:mod:`.valid`), the
operand counts and types of the numeric operators (:mod:`.numerics`), the cost
of every instruction (:mod:`.fuel`), the load/store rules of both execution
tiers (:mod:`.eval`, :mod:`.predecode`) and the feature gate's body rule.
``tests/wasm/test_instructions.py`` checks that every row is decoded,
validated, executed by both tiers and costed, and that nothing else is.
"""

from __future__ import annotations

from typing import Literal, Optional

import attrs

from .syntax import (
    Block, Br, BrTable, Call, CallIndirect, Const, DataInstr, ElemDrop, GlobalInstr, Instruction,
    LocalInstr, MemoryInstr, RefFunc, RefNull, TableCopy, TableInit, ValType,
)

# ---------------------------------------------------------------------------
# Binary encodings of the immediates (§5.4), as the grammar writes them
# ---------------------------------------------------------------------------

ENC_NONE = ""
ENC_BLOCKTYPE = "blocktype"
ENC_LABELIDX = "labelidx"
ENC_BR_TABLE = "vec(labelidx) labelidx"
ENC_FUNCIDX = "funcidx"
ENC_CALL_INDIRECT = "typeidx 0x00"
"""§5.4.1: the table index of ``call_indirect`` is the MVP's single zero byte."""
ENC_LOCALIDX = "localidx"
ENC_GLOBALIDX = "globalidx"
ENC_MEMARG = "memarg"
ENC_I32 = "i32"
ENC_I64 = "i64"
ENC_F32 = "f32"
ENC_F64 = "f64"
ENC_MEMORY_BYTE = "0x00"
"""§5.4.6: the reserved memory index of ``memory.size``/``memory.grow``, a single zero byte."""
ENC_MEMIDX = "memidx"
ENC_MEMIDX2 = "memidx memidx"
ENC_DATAIDX_MEMIDX = "dataidx memidx"
ENC_DATAIDX = "dataidx"
ENC_ELEMIDX_TABLEIDX = "elemidx tableidx"
ENC_ELEMIDX = "elemidx"
ENC_TABLEIDX2 = "tableidx tableidx"
ENC_REFTYPE = "reftype"

# ---------------------------------------------------------------------------
# Families (§2.4 instruction classes) and where their rules are
# ---------------------------------------------------------------------------

NUMERIC = "numeric"
REFERENCE = "reference"
PARAMETRIC = "parametric"
VARIABLE = "variable"
TABLE = "table"
MEMORY = "memory"
CONTROL = "control"

FAMILY_SECTIONS: dict[str, tuple[str, str, str]] = {
    NUMERIC: ("§2.4.1", "§3.3.1", "§4.4.1"),
    REFERENCE: ("§2.4.2", "§3.3.2", "§4.4.2"),
    PARAMETRIC: ("§2.4.4", "§3.3.4", "§4.4.4"),
    VARIABLE: ("§2.4.5", "§3.3.5", "§4.4.5"),
    TABLE: ("§2.4.6", "§3.3.6", "§4.4.6"),
    MEMORY: ("§2.4.7", "§3.3.7", "§4.4.7"),
    CONTROL: ("§2.4.8", "§3.3.8", "§4.4.8"),
}
"""Family -> (syntax, validation, execution) sections of the core spec (2.0)."""

# ---------------------------------------------------------------------------
# Fuel classes (their costs are in .fuel)
# ---------------------------------------------------------------------------

FREE = "free"
BASE = "base"
PER_BYTE = "per_byte"
PER_PAGE = "per_page"
PER_ELEMENT = "per_element"
FUEL_CLASSES = (FREE, BASE, PER_BYTE, PER_PAGE, PER_ELEMENT)


@attrs.frozen
class Access:
    """What a load or store touches (§4.4.7): ``width`` bytes at the effective
    address, read into / written from a value of ``valtype``.  A load narrower
    than its type extends the bytes, ``signed`` or not (``None``: full width,
    or a store, which wraps its operand to ``width`` bytes)."""

    kind: Literal["load", "store"]
    valtype: ValType
    width: int
    signed: Optional[bool] = None


@attrs.frozen
class InstructionInfo:
    """One row of the table (see the module docstring)."""

    name: str
    opcode: tuple[int, ...]
    encoding: str
    syntax: type
    signature: Optional[tuple[tuple[ValType, ...], tuple[ValType, ...]]]
    family: str
    feature: str = "mvp"
    fuel: str = BASE
    access: Optional[Access] = None
    constant: bool = False
    """§3.3.10: may appear in a constant expression."""

    @property
    def sections(self) -> tuple[str, str, str]:
        """Where its syntax, validation and execution rules are."""
        return FAMILY_SECTIONS[self.family]


def _signature(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``"i32 i64 -> f32"`` as ``(("i32", "i64"), ("f32",))``."""
    params, results = text.split("->")
    return tuple(params.split()), tuple(results.split())


def _row(opcode, name: str, signature: Optional[str], family: str, *, encoding: str = ENC_NONE,
         syntax: type = Instruction, **facts) -> InstructionInfo:
    opcode = opcode if isinstance(opcode, tuple) else (opcode,)
    return InstructionInfo(name, opcode, encoding, syntax,
                           None if signature is None else _signature(signature), family, **facts)


def _numeric(opcode, name: str, signature: str, feature: str = "mvp") -> InstructionInfo:
    return _row(opcode, name, signature, NUMERIC, feature=feature)


def _load(opcode: int, name: str, width: int, signed: Optional[bool] = None) -> InstructionInfo:
    valtype = name.split(".")[0]
    return _row(opcode, name, f"i32 -> {valtype}", MEMORY, encoding=ENC_MEMARG, syntax=MemoryInstr,
                access=Access("load", valtype, width, signed))


def _store(opcode: int, name: str, width: int) -> InstructionInfo:
    valtype = name.split(".")[0]
    return _row(opcode, name, f"i32 {valtype} ->", MEMORY, encoding=ENC_MEMARG, syntax=MemoryInstr,
                access=Access("store", valtype, width))


SAT = "saturating-float-to-int"
SIGN_EXT = "sign-extension"
BULK = "bulk-memory"

INSTRUCTIONS: tuple[InstructionInfo, ...] = (
    # §2.4.8 control instructions
    _row(0x00, "unreachable", None, CONTROL, fuel=FREE),
    _row(0x01, "nop", "->", CONTROL, fuel=FREE),
    _row(0x02, "block", None, CONTROL, encoding=ENC_BLOCKTYPE, syntax=Block, fuel=FREE),
    _row(0x03, "loop", None, CONTROL, encoding=ENC_BLOCKTYPE, syntax=Block, fuel=FREE),
    _row(0x04, "if", None, CONTROL, encoding=ENC_BLOCKTYPE, syntax=Block),
    _row(0x05, "else", None, CONTROL, fuel=FREE),
    _row(0x0B, "end", None, CONTROL, fuel=FREE),
    _row(0x0C, "br", None, CONTROL, encoding=ENC_LABELIDX, syntax=Br),
    _row(0x0D, "br_if", None, CONTROL, encoding=ENC_LABELIDX, syntax=Br),
    _row(0x0E, "br_table", None, CONTROL, encoding=ENC_BR_TABLE, syntax=BrTable),
    _row(0x0F, "return", None, CONTROL, fuel=FREE),
    _row(0x10, "call", None, CONTROL, encoding=ENC_FUNCIDX, syntax=Call),
    _row(0x11, "call_indirect", None, CONTROL, encoding=ENC_CALL_INDIRECT, syntax=CallIndirect),
    # §2.4.4 parametric instructions
    _row(0x1A, "drop", None, PARAMETRIC, fuel=FREE),
    _row(0x1B, "select", None, PARAMETRIC),
    # §2.4.5 variable instructions
    _row(0x20, "local.get", None, VARIABLE, encoding=ENC_LOCALIDX, syntax=LocalInstr),
    _row(0x21, "local.set", None, VARIABLE, encoding=ENC_LOCALIDX, syntax=LocalInstr),
    _row(0x22, "local.tee", None, VARIABLE, encoding=ENC_LOCALIDX, syntax=LocalInstr),
    _row(0x23, "global.get", None, VARIABLE, encoding=ENC_GLOBALIDX, syntax=GlobalInstr, constant=True),
    _row(0x24, "global.set", None, VARIABLE, encoding=ENC_GLOBALIDX, syntax=GlobalInstr),
    # §2.4.7 memory instructions: loads and stores
    _load(0x28, "i32.load", 4),
    _load(0x29, "i64.load", 8),
    _load(0x2A, "f32.load", 4),
    _load(0x2B, "f64.load", 8),
    _load(0x2C, "i32.load8_s", 1, True),
    _load(0x2D, "i32.load8_u", 1, False),
    _load(0x2E, "i32.load16_s", 2, True),
    _load(0x2F, "i32.load16_u", 2, False),
    _load(0x30, "i64.load8_s", 1, True),
    _load(0x31, "i64.load8_u", 1, False),
    _load(0x32, "i64.load16_s", 2, True),
    _load(0x33, "i64.load16_u", 2, False),
    _load(0x34, "i64.load32_s", 4, True),
    _load(0x35, "i64.load32_u", 4, False),
    _store(0x36, "i32.store", 4),
    _store(0x37, "i64.store", 8),
    _store(0x38, "f32.store", 4),
    _store(0x39, "f64.store", 8),
    _store(0x3A, "i32.store8", 1),
    _store(0x3B, "i32.store16", 2),
    _store(0x3C, "i64.store8", 1),
    _store(0x3D, "i64.store16", 2),
    _store(0x3E, "i64.store32", 4),
    _row(0x3F, "memory.size", "-> i32", MEMORY, encoding=ENC_MEMORY_BYTE),
    _row(0x40, "memory.grow", "i32 -> i32", MEMORY, encoding=ENC_MEMORY_BYTE, fuel=PER_PAGE),
    # §2.4.1 numeric instructions: constants
    _row(0x41, "i32.const", "-> i32", NUMERIC, encoding=ENC_I32, syntax=Const, constant=True),
    _row(0x42, "i64.const", "-> i64", NUMERIC, encoding=ENC_I64, syntax=Const, constant=True),
    _row(0x43, "f32.const", "-> f32", NUMERIC, encoding=ENC_F32, syntax=Const, constant=True),
    _row(0x44, "f64.const", "-> f64", NUMERIC, encoding=ENC_F64, syntax=Const, constant=True),
    # i32 tests and comparisons
    _numeric(0x45, "i32.eqz", "i32 -> i32"),
    _numeric(0x46, "i32.eq", "i32 i32 -> i32"),
    _numeric(0x47, "i32.ne", "i32 i32 -> i32"),
    _numeric(0x48, "i32.lt_s", "i32 i32 -> i32"),
    _numeric(0x49, "i32.lt_u", "i32 i32 -> i32"),
    _numeric(0x4A, "i32.gt_s", "i32 i32 -> i32"),
    _numeric(0x4B, "i32.gt_u", "i32 i32 -> i32"),
    _numeric(0x4C, "i32.le_s", "i32 i32 -> i32"),
    _numeric(0x4D, "i32.le_u", "i32 i32 -> i32"),
    _numeric(0x4E, "i32.ge_s", "i32 i32 -> i32"),
    _numeric(0x4F, "i32.ge_u", "i32 i32 -> i32"),
    # i64 tests and comparisons
    _numeric(0x50, "i64.eqz", "i64 -> i32"),
    _numeric(0x51, "i64.eq", "i64 i64 -> i32"),
    _numeric(0x52, "i64.ne", "i64 i64 -> i32"),
    _numeric(0x53, "i64.lt_s", "i64 i64 -> i32"),
    _numeric(0x54, "i64.lt_u", "i64 i64 -> i32"),
    _numeric(0x55, "i64.gt_s", "i64 i64 -> i32"),
    _numeric(0x56, "i64.gt_u", "i64 i64 -> i32"),
    _numeric(0x57, "i64.le_s", "i64 i64 -> i32"),
    _numeric(0x58, "i64.le_u", "i64 i64 -> i32"),
    _numeric(0x59, "i64.ge_s", "i64 i64 -> i32"),
    _numeric(0x5A, "i64.ge_u", "i64 i64 -> i32"),
    # float comparisons
    _numeric(0x5B, "f32.eq", "f32 f32 -> i32"),
    _numeric(0x5C, "f32.ne", "f32 f32 -> i32"),
    _numeric(0x5D, "f32.lt", "f32 f32 -> i32"),
    _numeric(0x5E, "f32.gt", "f32 f32 -> i32"),
    _numeric(0x5F, "f32.le", "f32 f32 -> i32"),
    _numeric(0x60, "f32.ge", "f32 f32 -> i32"),
    _numeric(0x61, "f64.eq", "f64 f64 -> i32"),
    _numeric(0x62, "f64.ne", "f64 f64 -> i32"),
    _numeric(0x63, "f64.lt", "f64 f64 -> i32"),
    _numeric(0x64, "f64.gt", "f64 f64 -> i32"),
    _numeric(0x65, "f64.le", "f64 f64 -> i32"),
    _numeric(0x66, "f64.ge", "f64 f64 -> i32"),
    # i32 arithmetic
    _numeric(0x67, "i32.clz", "i32 -> i32"),
    _numeric(0x68, "i32.ctz", "i32 -> i32"),
    _numeric(0x69, "i32.popcnt", "i32 -> i32"),
    _numeric(0x6A, "i32.add", "i32 i32 -> i32"),
    _numeric(0x6B, "i32.sub", "i32 i32 -> i32"),
    _numeric(0x6C, "i32.mul", "i32 i32 -> i32"),
    _numeric(0x6D, "i32.div_s", "i32 i32 -> i32"),
    _numeric(0x6E, "i32.div_u", "i32 i32 -> i32"),
    _numeric(0x6F, "i32.rem_s", "i32 i32 -> i32"),
    _numeric(0x70, "i32.rem_u", "i32 i32 -> i32"),
    _numeric(0x71, "i32.and", "i32 i32 -> i32"),
    _numeric(0x72, "i32.or", "i32 i32 -> i32"),
    _numeric(0x73, "i32.xor", "i32 i32 -> i32"),
    _numeric(0x74, "i32.shl", "i32 i32 -> i32"),
    _numeric(0x75, "i32.shr_s", "i32 i32 -> i32"),
    _numeric(0x76, "i32.shr_u", "i32 i32 -> i32"),
    _numeric(0x77, "i32.rotl", "i32 i32 -> i32"),
    _numeric(0x78, "i32.rotr", "i32 i32 -> i32"),
    # i64 arithmetic
    _numeric(0x79, "i64.clz", "i64 -> i64"),
    _numeric(0x7A, "i64.ctz", "i64 -> i64"),
    _numeric(0x7B, "i64.popcnt", "i64 -> i64"),
    _numeric(0x7C, "i64.add", "i64 i64 -> i64"),
    _numeric(0x7D, "i64.sub", "i64 i64 -> i64"),
    _numeric(0x7E, "i64.mul", "i64 i64 -> i64"),
    _numeric(0x7F, "i64.div_s", "i64 i64 -> i64"),
    _numeric(0x80, "i64.div_u", "i64 i64 -> i64"),
    _numeric(0x81, "i64.rem_s", "i64 i64 -> i64"),
    _numeric(0x82, "i64.rem_u", "i64 i64 -> i64"),
    _numeric(0x83, "i64.and", "i64 i64 -> i64"),
    _numeric(0x84, "i64.or", "i64 i64 -> i64"),
    _numeric(0x85, "i64.xor", "i64 i64 -> i64"),
    _numeric(0x86, "i64.shl", "i64 i64 -> i64"),
    _numeric(0x87, "i64.shr_s", "i64 i64 -> i64"),
    _numeric(0x88, "i64.shr_u", "i64 i64 -> i64"),
    _numeric(0x89, "i64.rotl", "i64 i64 -> i64"),
    _numeric(0x8A, "i64.rotr", "i64 i64 -> i64"),
    # f32 arithmetic
    _numeric(0x8B, "f32.abs", "f32 -> f32"),
    _numeric(0x8C, "f32.neg", "f32 -> f32"),
    _numeric(0x8D, "f32.ceil", "f32 -> f32"),
    _numeric(0x8E, "f32.floor", "f32 -> f32"),
    _numeric(0x8F, "f32.trunc", "f32 -> f32"),
    _numeric(0x90, "f32.nearest", "f32 -> f32"),
    _numeric(0x91, "f32.sqrt", "f32 -> f32"),
    _numeric(0x92, "f32.add", "f32 f32 -> f32"),
    _numeric(0x93, "f32.sub", "f32 f32 -> f32"),
    _numeric(0x94, "f32.mul", "f32 f32 -> f32"),
    _numeric(0x95, "f32.div", "f32 f32 -> f32"),
    _numeric(0x96, "f32.min", "f32 f32 -> f32"),
    _numeric(0x97, "f32.max", "f32 f32 -> f32"),
    _numeric(0x98, "f32.copysign", "f32 f32 -> f32"),
    # f64 arithmetic
    _numeric(0x99, "f64.abs", "f64 -> f64"),
    _numeric(0x9A, "f64.neg", "f64 -> f64"),
    _numeric(0x9B, "f64.ceil", "f64 -> f64"),
    _numeric(0x9C, "f64.floor", "f64 -> f64"),
    _numeric(0x9D, "f64.trunc", "f64 -> f64"),
    _numeric(0x9E, "f64.nearest", "f64 -> f64"),
    _numeric(0x9F, "f64.sqrt", "f64 -> f64"),
    _numeric(0xA0, "f64.add", "f64 f64 -> f64"),
    _numeric(0xA1, "f64.sub", "f64 f64 -> f64"),
    _numeric(0xA2, "f64.mul", "f64 f64 -> f64"),
    _numeric(0xA3, "f64.div", "f64 f64 -> f64"),
    _numeric(0xA4, "f64.min", "f64 f64 -> f64"),
    _numeric(0xA5, "f64.max", "f64 f64 -> f64"),
    _numeric(0xA6, "f64.copysign", "f64 f64 -> f64"),
    # conversions
    _numeric(0xA7, "i32.wrap_i64", "i64 -> i32"),
    _numeric(0xA8, "i32.trunc_f32_s", "f32 -> i32"),
    _numeric(0xA9, "i32.trunc_f32_u", "f32 -> i32"),
    _numeric(0xAA, "i32.trunc_f64_s", "f64 -> i32"),
    _numeric(0xAB, "i32.trunc_f64_u", "f64 -> i32"),
    _numeric(0xAC, "i64.extend_i32_s", "i32 -> i64"),
    _numeric(0xAD, "i64.extend_i32_u", "i32 -> i64"),
    _numeric(0xAE, "i64.trunc_f32_s", "f32 -> i64"),
    _numeric(0xAF, "i64.trunc_f32_u", "f32 -> i64"),
    _numeric(0xB0, "i64.trunc_f64_s", "f64 -> i64"),
    _numeric(0xB1, "i64.trunc_f64_u", "f64 -> i64"),
    _numeric(0xB2, "f32.convert_i32_s", "i32 -> f32"),
    _numeric(0xB3, "f32.convert_i32_u", "i32 -> f32"),
    _numeric(0xB4, "f32.convert_i64_s", "i64 -> f32"),
    _numeric(0xB5, "f32.convert_i64_u", "i64 -> f32"),
    _numeric(0xB6, "f32.demote_f64", "f64 -> f32"),
    _numeric(0xB7, "f64.convert_i32_s", "i32 -> f64"),
    _numeric(0xB8, "f64.convert_i32_u", "i32 -> f64"),
    _numeric(0xB9, "f64.convert_i64_s", "i64 -> f64"),
    _numeric(0xBA, "f64.convert_i64_u", "i64 -> f64"),
    _numeric(0xBB, "f64.promote_f32", "f32 -> f64"),
    _numeric(0xBC, "i32.reinterpret_f32", "f32 -> i32"),
    _numeric(0xBD, "i64.reinterpret_f64", "f64 -> i64"),
    _numeric(0xBE, "f32.reinterpret_i32", "i32 -> f32"),
    _numeric(0xBF, "f64.reinterpret_i64", "i64 -> f64"),
    # sign-extension proposal
    _numeric(0xC0, "i32.extend8_s", "i32 -> i32", SIGN_EXT),
    _numeric(0xC1, "i32.extend16_s", "i32 -> i32", SIGN_EXT),
    _numeric(0xC2, "i64.extend8_s", "i64 -> i64", SIGN_EXT),
    _numeric(0xC3, "i64.extend16_s", "i64 -> i64", SIGN_EXT),
    _numeric(0xC4, "i64.extend32_s", "i64 -> i64", SIGN_EXT),
    # §2.4.2 reference instructions: pyde-v1 has them only in constant
    # expressions (element segments); a function body needs reference types.
    _row(0xD0, "ref.null", None, REFERENCE, encoding=ENC_REFTYPE, syntax=RefNull,
         feature="reference-types", constant=True),
    _row(0xD1, "ref.is_null", None, REFERENCE, feature="reference-types"),
    _row(0xD2, "ref.func", None, REFERENCE, encoding=ENC_FUNCIDX, syntax=RefFunc,
         feature="reference-types", constant=True),
    # 0xFC prefix: non-trapping float-to-int conversions
    _numeric((0xFC, 0), "i32.trunc_sat_f32_s", "f32 -> i32", SAT),
    _numeric((0xFC, 1), "i32.trunc_sat_f32_u", "f32 -> i32", SAT),
    _numeric((0xFC, 2), "i32.trunc_sat_f64_s", "f64 -> i32", SAT),
    _numeric((0xFC, 3), "i32.trunc_sat_f64_u", "f64 -> i32", SAT),
    _numeric((0xFC, 4), "i64.trunc_sat_f32_s", "f32 -> i64", SAT),
    _numeric((0xFC, 5), "i64.trunc_sat_f32_u", "f32 -> i64", SAT),
    _numeric((0xFC, 6), "i64.trunc_sat_f64_s", "f64 -> i64", SAT),
    _numeric((0xFC, 7), "i64.trunc_sat_f64_u", "f64 -> i64", SAT),
    # 0xFC prefix: bulk memory
    _row((0xFC, 8), "memory.init", "i32 i32 i32 ->", MEMORY, encoding=ENC_DATAIDX_MEMIDX, syntax=DataInstr,
         feature=BULK, fuel=PER_BYTE),
    _row((0xFC, 9), "data.drop", "->", MEMORY, encoding=ENC_DATAIDX, syntax=DataInstr, feature=BULK),
    _row((0xFC, 10), "memory.copy", "i32 i32 i32 ->", MEMORY, encoding=ENC_MEMIDX2, feature=BULK, fuel=PER_BYTE),
    _row((0xFC, 11), "memory.fill", "i32 i32 i32 ->", MEMORY, encoding=ENC_MEMIDX, feature=BULK, fuel=PER_BYTE),
    _row((0xFC, 12), "table.init", "i32 i32 i32 ->", TABLE, encoding=ENC_ELEMIDX_TABLEIDX, syntax=TableInit,
         feature=BULK, fuel=PER_ELEMENT),
    _row((0xFC, 13), "elem.drop", "->", TABLE, encoding=ENC_ELEMIDX, syntax=ElemDrop, feature=BULK),
    _row((0xFC, 14), "table.copy", "i32 i32 i32 ->", TABLE, encoding=ENC_TABLEIDX2, syntax=TableCopy,
         feature=BULK, fuel=PER_ELEMENT),
)

BY_NAME: dict[str, InstructionInfo] = {info.name: info for info in INSTRUCTIONS}
"""The table by mnemonic."""

BY_OPCODE: dict[tuple[int, ...], InstructionInfo] = {info.opcode: info for info in INSTRUCTIONS}
"""The table by opcode bytes."""

NUMERIC_OPERATORS = tuple(info.name for info in INSTRUCTIONS
                          if info.family == NUMERIC and info.syntax is not Const)
"""The numeric instructions that apply an operator of §4.3 (every numeric
instruction but ``t.const``): :mod:`.numerics` implements exactly these."""

CONSTANTS = tuple(info.name for info in INSTRUCTIONS if info.syntax is Const)
"""``t.const`` for each number type."""

LOADS = {info.name: info.access for info in INSTRUCTIONS if info.access is not None and info.access.kind == "load"}
"""Every load and what it reads."""

STORES = {info.name: info.access for info in INSTRUCTIONS if info.access is not None and info.access.kind == "store"}
"""Every store and what it writes."""

assert len(BY_NAME) == len(INSTRUCTIONS) == len(BY_OPCODE)
assert all(info.fuel in FUEL_CLASSES and info.family in FAMILY_SECTIONS for info in INSTRUCTIONS)
