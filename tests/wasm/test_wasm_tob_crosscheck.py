"""Cross-check the decoder against an independent one: Trail of Bits' wasm-tob.

wasm-tob knows only the MVP (single results, pre-standard mnemonics such as
``get_local`` and ``i32.trunc_s/f32``) and accepts truncated modules, so the
comparison runs on MVP spec-test modules that wasm-tob decodes, and compares
what both see: types, imports, exports and function bodies (locals and
instructions with their immediates)."""

from __future__ import annotations

import re

import pytest

from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import InvalidModule, MalformedModule
from wasm_builders import spec_modules, wast_files

wasm_tob = pytest.importorskip("wasm_tob")
from wasm_tob.modtypes import Section  # noqa: E402
from wasm_tob.opcodes import OPCODE_MAP  # noqa: E402
from wasm_tob.wasmtypes import (  # noqa: E402
    SEC_CODE,
    SEC_EXPORT,
    SEC_IMPORT,
    SEC_TYPE,
)

TOB_VALTYPES = {-0x01: "i32", -0x02: "i64", -0x03: "f32", -0x04: "f64", -0x10: "funcref"}
TOB_EMPTY_BLOCK = -0x40
TOB_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global"}

TOB_RENAMED = {
    "get_local": "local.get", "set_local": "local.set", "tee_local": "local.tee",
    "get_global": "global.get", "set_global": "global.set",
    "current_memory": "memory.size", "grow_memory": "memory.grow",
}
CONVERSION = re.compile(r"^(\w+)\.(\w+?)(?:_([su]))?/(\w+)$")


def standard_mnemonic(tob: str) -> str:
    """``i32.trunc_s/f32`` -> ``i32.trunc_f32_s``; ``get_local`` -> ``local.get``."""
    if tob in TOB_RENAMED:
        return TOB_RENAMED[tob]
    match = CONVERSION.match(tob)
    if match:
        result, op, sign, operand = match.groups()
        return f"{result}.{op}_{operand}" + (f"_{sign}" if sign else "")
    return tob


TOB_MNEMONICS = {standard_mnemonic(op.mnemonic) for op in OPCODE_MAP.values()}


def tob_immediates(op: str, imm) -> tuple:
    """wasm-tob's immediate structure as our ``Instruction.immediates`` tuple."""
    if imm is None:
        return ()
    if op in ("block", "loop", "if"):
        sig = imm.sig
        return (None if sig == TOB_EMPTY_BLOCK else TOB_VALTYPES[sig],)
    if op in ("br", "br_if"):
        return (imm.relative_depth,)
    if op == "br_table":
        return (tuple(imm.target_table), imm.default_target)
    if op == "call":
        return (imm.function_index,)
    if op == "call_indirect":
        return (imm.type_index, imm.reserved)
    if op in ("local.get", "local.set", "local.tee"):
        return (imm.local_index,)
    if op in ("global.get", "global.set"):
        return (imm.global_index,)
    if op in ("memory.size", "memory.grow"):
        return ()
    if op == "i32.const":
        return (imm.value & 0xFFFF_FFFF,)
    if op == "i64.const":
        return (imm.value & 0xFFFF_FFFF_FFFF_FFFF,)
    if op in ("f32.const", "f64.const"):
        return (imm.value,)
    return ((imm.flags, imm.offset),)  # loads and stores: one MemArg


def tob_view(data: bytes) -> dict:
    """What wasm-tob sees, normalized."""
    view = {"types": [], "imports": [], "exports": [], "bodies": []}
    for section, payload in wasm_tob.decode_module(data):
        if type(section) is not Section:
            continue
        p = payload.payload
        if payload.id == SEC_TYPE:
            for entry in p.entries:
                results = (TOB_VALTYPES[entry.return_type],) if entry.return_count else ()
                view["types"].append(
                    (tuple(TOB_VALTYPES[t] for t in entry.param_types), results))
        elif payload.id == SEC_IMPORT:
            for entry in p.entries:
                view["imports"].append((bytes(entry.module_str).decode(),
                                        bytes(entry.field_str).decode(), TOB_KINDS[entry.kind]))
        elif payload.id == SEC_EXPORT:
            for entry in p.entries:
                view["exports"].append((bytes(entry.field_str).decode(),
                                        TOB_KINDS[entry.kind], entry.index))
        elif payload.id == SEC_CODE:
            for body in p.bodies:
                local_decls = tuple((d.count, TOB_VALTYPES[d.type]) for d in body.locals)
                instrs = []
                for instr in wasm_tob.decode_bytecode(body.code):
                    op = standard_mnemonic(instr.op.mnemonic)
                    instrs.append((op, tob_immediates(op, instr.imm)))
                view["bodies"].append((local_decls, tuple(instrs)))
    return view


def our_view(module) -> dict:
    return {
        "types": [(t.params, t.results) for t in module.types],
        "imports": [(i.module, i.name, i.kind) for i in module.imports],
        "exports": [(e.name, e.kind, e.index) for e in module.exports],
        "bodies": [(f.locals, tuple((i.op, i.immediates) for i in f.body)) for f in module.funcs],
    }


def is_mvp(module) -> bool:
    """Only what wasm-tob can represent: single results, no block type
    indices, no data count, only MVP instructions."""
    if module.data_count is not None or any(len(t.results) > 1 for t in module.types):
        return False
    for func in module.funcs:
        for instr in func.body:
            if instr.op not in TOB_MNEMONICS:
                return False
            if instr.op in ("block", "loop", "if") and isinstance(instr.block_type, int):
                return False
    return True


def comparable_modules(names):
    for path in wast_files():
        if path.stem not in names:
            continue
        for filename, command, data in spec_modules(path):
            try:
                module = decode_module(data)
            except (MalformedModule, InvalidModule):  # InvalidModule: the feature gate, the limits
                continue
            if is_mvp(module):
                yield f"{path.stem}/{filename}", data, module


def crosscheck(names) -> tuple[int, list[str]]:
    compared, problems = 0, []
    for label, data, module in comparable_modules(names):
        try:
            theirs = tob_view(data)
        except Exception:  # noqa: BLE001 - wasm-tob cannot decode it: not comparable
            continue
        compared += 1
        ours = our_view(module)
        for key in ours:
            if ours[key] != theirs[key]:
                problems.append(f"{label}: {key} differ")
    return compared, problems


def test_mnemonic_normalization():
    assert standard_mnemonic("i32.trunc_s/f32") == "i32.trunc_f32_s"
    assert standard_mnemonic("f64.promote/f32") == "f64.promote_f32"
    assert standard_mnemonic("i64.extend_u/i32") == "i64.extend_i32_u"
    assert standard_mnemonic("get_local") == "local.get"
    assert standard_mnemonic("i32.add") == "i32.add"


SAMPLE = {"fac", "br_table", "block", "loop", "call_indirect", "i32", "f64", "address",
          "float_exprs", "memory"}


def test_crosscheck_sample():
    compared, problems = crosscheck(SAMPLE)
    assert compared >= 300
    assert problems == []


@pytest.mark.slow
def test_crosscheck_all_spec_modules():
    compared, problems = crosscheck({p.stem for p in wast_files()})
    assert compared >= 2000
    assert problems == []
