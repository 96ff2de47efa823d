"""The instruction table (``pyde_ref/wasm/instructions.py``) is the one source
of every instruction fact: each row is decoded, validated, executed by both
tiers and costed, and nothing else is."""

from __future__ import annotations

import functools

import pytest

from pyde_ref.wasm import fast, features, fuel, instructions, numerics, predecode, valid
from pyde_ref.wasm import eval as reading
from pyde_ref.wasm.binary import (
    FC_OPCODES, OPCODES, PREFIX_FC, Reader, decode_module, encode_sleb, encode_uleb, read_instruction,
)
from pyde_ref.wasm.errors import Trap
from pyde_ref.wasm.exec import instantiate, invoke
from pyde_ref.wasm.runtime import MachineConfig, Store
from pyde_ref.wasm.syntax import Instruction, MemArg
from pyde_ref.wasm.text import wat_to_wasm

ROWS = instructions.INSTRUCTIONS
NAMES = {row.name for row in ROWS}
BODY_NAMES = {row.name for row in ROWS if row.feature in features.ENABLED_PROPOSALS}
"""What pyde-v1 admits in a function body (the ``ref.*`` rows need reference types)."""


def test_rows_are_unique_and_complete():
    assert len(NAMES) == len(ROWS) == len({row.opcode for row in ROWS})
    assert NAMES - BODY_NAMES == {"ref.null", "ref.is_null", "ref.func"}
    assert {row.feature for row in ROWS} <= set(features.ENABLED_PROPOSALS) | {"reference-types"}
    # 0x00-0xD2 without the gaps the MVP leaves, plus 0xFC 0-14
    assert len([row for row in ROWS if len(row.opcode) == 1]) == 180
    assert sorted(row.opcode[1] for row in ROWS if len(row.opcode) == 2) == list(range(15))


# ---------------------------------------------------------------------------
# Decoded: the opcode map is the table, and every row decodes to its class
# ---------------------------------------------------------------------------


def test_the_decoder_opcode_map_is_the_table():
    decoded = {(code,): info for code, (info, _reader) in OPCODES.items()}
    decoded.update({(PREFIX_FC, sub): info for sub, (info, _reader) in FC_OPCODES.items()})
    assert decoded == instructions.BY_OPCODE
    # the feature gate's refused opcodes are not pyde-v1 opcodes
    assert not set(features.OPCODE_FEATURES) & set(OPCODES)
    assert not set(features.FC_FEATURES) & set(FC_OPCODES)


SAMPLE_IMMEDIATES = {  # encoding -> (bytes after the opcode, expected immediates)
    instructions.ENC_NONE: (b"", ()),
    instructions.ENC_BLOCKTYPE: (b"\x7f", ("i32",)),
    instructions.ENC_LABELIDX: (encode_uleb(3), (3,)),
    instructions.ENC_BR_TABLE: (encode_uleb(2) + encode_uleb(0) + encode_uleb(1) + encode_uleb(2), ((0, 1), 2)),
    instructions.ENC_FUNCIDX: (encode_uleb(300), (300,)),
    instructions.ENC_CALL_INDIRECT: (encode_uleb(5) + b"\x00", (5, 0)),
    instructions.ENC_LOCALIDX: (encode_uleb(7), (7,)),
    instructions.ENC_GLOBALIDX: (encode_uleb(8), (8,)),
    instructions.ENC_MEMARG: (encode_uleb(2) + encode_uleb(1000), (MemArg(2, 1000),)),
    instructions.ENC_I32: (encode_sleb(-1), (0xFFFF_FFFF,)),
    instructions.ENC_I64: (encode_sleb(-2), (2**64 - 2,)),
    instructions.ENC_F32: (bytes.fromhex("0000c07f"), (0x7FC00000,)),
    instructions.ENC_F64: (bytes.fromhex("000000000000f07f"), (0x7FF0000000000000,)),
    instructions.ENC_MEMORY_BYTE: (b"\x00", ()),
    instructions.ENC_MEMIDX: (b"\x00", ()),
    instructions.ENC_MEMIDX2: (b"\x00\x00", ()),
    instructions.ENC_DATAIDX_MEMIDX: (encode_uleb(4) + b"\x00", (4,)),
    instructions.ENC_DATAIDX: (encode_uleb(4), (4,)),
    instructions.ENC_ELEMIDX_TABLEIDX: (encode_uleb(6) + encode_uleb(0), (6, 0)),
    instructions.ENC_ELEMIDX: (encode_uleb(6), (6,)),
    instructions.ENC_TABLEIDX2: (encode_uleb(0) + encode_uleb(0), (0, 0)),
    instructions.ENC_REFTYPE: (b"\x70", ("funcref",)),
}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_every_row_decodes_to_its_syntax_class(row):
    immediates, expected = SAMPLE_IMMEDIATES[row.encoding]
    opcode = bytes(row.opcode[:1]) + b"".join(encode_uleb(b) for b in row.opcode[1:])
    data = opcode + immediates
    depth = ["if"] if row.name == "else" else ["expr"]
    instr = read_instruction(Reader(data, 0, len(data)), depth)
    assert type(instr) is row.syntax and instr.op == row.name
    assert instr.immediates == expected
    assert len(instr.immediate_names) == len(expected)
    assert issubclass(row.syntax, Instruction)


# ---------------------------------------------------------------------------
# Validated, costed, numerics: derived from the table, nothing else
# ---------------------------------------------------------------------------


def test_every_row_has_exactly_one_typing_rule():
    assert set(valid.SIGNATURES) | set(valid.SPECIAL_RULES) == NAMES
    assert not set(valid.SIGNATURES) & set(valid.SPECIAL_RULES)
    for row in ROWS:
        assert valid.SIGNATURES.get(row.name) == row.signature


def test_every_row_is_costed_by_the_one_cost_table():
    assert set(fuel.COSTS) == NAMES
    for row in ROWS:
        assert fuel.COSTS[row.name] == fuel.CLASS_COSTS[row.fuel]
    assert fuel.DYNAMIC_COST_OPS == {row.name for row in ROWS if row.fuel != instructions.BASE
                                     and row.fuel != instructions.FREE}
    for model in fuel.MODELS.values():
        assert set(model.costs) == NAMES


def test_numerics_implements_exactly_the_numeric_operators():
    assert set(numerics.operators(True)) == set(numerics.operators(False)) == set(instructions.NUMERIC_OPERATORS)
    for name in instructions.NUMERIC_OPERATORS:
        params, results = instructions.BY_NAME[name].signature
        assert (numerics.OPERAND_TYPES[name], (numerics.RESULT_TYPE[name],)) == (params, results)


def test_loads_and_stores_read_their_access_from_the_table():
    for name, access in instructions.LOADS.items():
        codec, mask = predecode.load_codec(access)
        assert codec.size == access.width and (mask is not None) == bool(access.signed)
        assert instructions.BY_NAME[name].signature == (("i32",), (access.valtype,))
    for name, access in instructions.STORES.items():
        codec, mask = predecode.store_codec(access)
        assert codec.size == access.width and mask == (1 << (8 * access.width)) - 1
        assert instructions.BY_NAME[name].signature == (("i32", access.valtype), ())


# ---------------------------------------------------------------------------
# Executed by both tiers
# ---------------------------------------------------------------------------


def test_both_tiers_have_a_rule_for_exactly_the_table():
    assert set(reading.EXECUTE) == NAMES
    assert set(predecode._Translator.RULES) == BODY_NAMES


SPECIAL_VALUE = {"i32": "i32.const 1", "i64": "i64.const 1", "f32": "f32.const 1.5", "f64": "f64.const 1.5"}

CONTROL_AND_MEMORY = '''
  (func $id (param i32) (result i32) local.get 0)
  (func (export "control") (param $x i32) (result i32) (local $y i64)
    nop
    (block (result i32) (i32.const 1) (br_if 0 (local.get $x)) drop (i32.const 2) (br 0))
    (loop (result i32) (i32.const 3))
    i32.add
    (if (result i32) (local.get $x) (then (i32.const 4)) (else (i32.const 5)))
    i32.add
    (block (block (br_table 0 1 (local.get $x))))
    (block (br 0))
    (call $id (i32.const 6)) i32.add
    (call_indirect (param i32) (result i32) (i32.const 7) (i32.const 0)) i32.add
    (select (i32.const 8) (i32.const 9) (local.get $x)) i32.add
    (local.set $y (i64.const 1)) (local.tee $y (i64.const 2)) drop
    (global.set $g (global.get $g))
    (memory.size) drop (memory.grow (i32.const 0)) drop
    (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))
    (memory.copy (i32.const 4) (i32.const 0) (i32.const 2))
    (memory.init $d (i32.const 8) (i32.const 0) (i32.const 2)) (data.drop $d)
    (table.init $e (i32.const 1) (i32.const 0) (i32.const 1)) (elem.drop $e)
    (table.copy (i32.const 0) (i32.const 1) (i32.const 1))
    (return))
  (func (export "trap") unreachable)
'''


@functools.lru_cache(maxsize=None)
def every_instruction_module() -> bytes:
    """A module whose exported functions execute every instruction pyde-v1
    admits in a function body at least once."""
    funcs = []
    for i, row in enumerate(ROWS):
        if row.name in instructions.CONSTANTS:
            funcs.append(f'(func (export "c{i}") {row.name} {SPECIAL_VALUE[row.name[:3]].split()[1]} drop)')
        elif row.access is not None:
            if row.access.kind == "load":
                funcs.append(f'(func (export "m{i}") (drop ({row.name} offset=8 (i32.const 0))))')
            else:
                value = SPECIAL_VALUE[row.access.valtype]
                funcs.append(f'(func (export "m{i}") ({row.name} offset=8 (i32.const 0) ({value})))')
        elif row.name in instructions.NUMERIC_OPERATORS:
            params, results = row.signature
            operands = " ".join(f"({SPECIAL_VALUE[t]})" for t in params)
            funcs.append(f'(func (export "n{i}") (drop ({row.name} {operands})))')
    return wat_to_wasm(f'''(module (memory 1) (global $g (mut i32) (i32.const 0))
      (table 2 funcref) (elem (i32.const 0) $id) (elem $e func $id) (data $d "ab")
      {CONTROL_AND_MEMORY} {" ".join(funcs)})''')


class Recorder(reading.Observer):
    def __init__(self):
        self.ops = set()

    def instruction(self, event):
        self.ops.add(event.op)


def run_every_export(tier: str, observer=None) -> list:
    module = decode_module(every_instruction_module())
    store = Store(MachineConfig(tier=tier, observer=observer))
    inst = instantiate(store, module, [])
    outcomes = []
    for name, ext in sorted(inst.exports.items()):
        meter = fuel.FuelMeter(10_000)
        args = [1] if name == "control" else []
        try:
            outcome = invoke(store, ext.addr, args, meter)
        except Trap as trap:
            outcome = trap.kind
        outcomes.append((name, outcome, meter.consumed))
    return outcomes + [bytes(store.mems[0].data[:16]), [g.value for g in store.globals]]


def test_every_body_instruction_is_executed_by_both_tiers_alike():
    recorder = Recorder()
    assert run_every_export("reading", recorder) == run_every_export("fast")
    assert recorder.ops == BODY_NAMES
    assert fast.execute is not reading.execute
