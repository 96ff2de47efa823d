"""Execution (core spec §4.4) and instantiation (§4.5.4), one family at a time,
on both execution tiers (every test runs on the fast and on the reading tier,
but those about the fast tier's own machinery)."""

from __future__ import annotations

import functools

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.wasm import exec as exec_mod
from pyde_ref.wasm import numerics
from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import LinkError, Trap, TrapKind, Uninstantiable
from pyde_ref.wasm.exec import instantiate, invoke
from pyde_ref.wasm.predecode import INLINE_NUMERIC_OPS, module_code
from pyde_ref.wasm.runtime import (
    PAGE_SIZE, ExternVal, HostFunc, MachineConfig, Store,
)
from pyde_ref.wasm.syntax import FuncType, GlobalType, Limits, MemType, TableType
from pyde_ref.wasm.text import wat_to_wasm


@functools.lru_cache(maxsize=None)
def module_of(wat: str):
    return decode_module(wat_to_wasm(wat))


TIER = "fast"
"""The tier the current test runs on (see the ``tier`` fixture)."""

FAST_TIER_ONLY = {
    "test_inlined_integer_operators_equal_numerics", "test_predecoded_code_is_cached_per_module",
    "test_every_internal_opcode_has_a_case_in_its_dispatch_group",
}


@pytest.fixture(autouse=True, params=["fast", "reading"])
def tier(request):
    global TIER
    if request.param == "reading" and request.function.__name__ in FAST_TIER_ONLY:
        pytest.skip("about the fast tier's own machinery")
    TIER = request.param
    yield request.param
    TIER = "fast"


def machine(**params) -> MachineConfig:
    """A machine configuration on the current test's tier."""
    return MachineConfig(tier=TIER, **params)


def load(wat: str, config: MachineConfig | None = None, imports=(), store: Store | None = None):
    store = store if store is not None else Store(config or machine())
    module = module_of(wat)
    return store, instantiate(store, module, list(imports))


def call(store, inst, name, *args, fuel=None):
    return invoke(store, inst.export(name).addr, list(args), fuel)


def trap_kind(store, inst, name, *args):
    with pytest.raises(Trap) as info:
        call(store, inst, name, *args)
    return info.value.kind


M32 = (1 << 32) - 1


# ---------------------------------------------------------------------------
# Numerics: the inlined operators are exactly numerics' operators.
# ---------------------------------------------------------------------------

_INLINE_MODULES = {}


def _binary_module(op: str):
    if op not in _INLINE_MODULES:
        t = op.split(".")[0]
        arity = numerics.ARITY[op]
        params = " ".join([t] * arity)
        gets = " ".join(f"local.get {i}" for i in range(arity))
        _INLINE_MODULES[op] = load(
            f'(module (func (export "f") (param {params}) (result {numerics.RESULT_TYPE[op]}) {gets} {op}))')
    return _INLINE_MODULES[op]


@pytest.mark.parametrize("op", sorted(INLINE_NUMERIC_OPS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_inlined_integer_operators_equal_numerics(op, data):
    width = 32 if op.startswith("i32") else 64
    edge = st.sampled_from([0, 1, 2, (1 << (width - 1)) - 1, 1 << (width - 1), (1 << width) - 1, width, width + 1])
    value = st.one_of(edge, st.integers(0, (1 << width) - 1))
    args = [data.draw(value) for _ in range(numerics.ARITY[op])]
    store, inst = _binary_module(op)
    assert call(store, inst, "f", *args) == [numerics.operators()[op](*args)]


def test_generic_numeric_operators_go_through_numerics():
    store, inst = load('''(module
      (func (export "rotl") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rotl)
      (func (export "fadd") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
      (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s))''')
    assert call(store, inst, "rotl", 0x80000001, 1) == [3]
    assert call(store, inst, "fadd", 0x3F800000, 0x3F800000) == [0x40000000]
    # NaN canonicalization is on by default: 0/0-style NaN with a payload comes out canonical.
    assert call(store, inst, "fadd", 0x7FC00001, 0x3F800000) == [0x7FC00000]
    assert trap_kind(store, inst, "div", 1, 0) == TrapKind.INTEGER_DIVIDE_BY_ZERO
    assert trap_kind(store, inst, "div", 0x80000000, M32) == TrapKind.INTEGER_OVERFLOW


def test_nan_canonicalization_switch():
    wat = '(module (func (export "f") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add))'
    on = load(wat)
    off = load(wat, machine(nan_canonicalization=False))
    assert call(*on, "f", 0xFFC00001, 0) == [0x7FC00000]
    assert call(*off, "f", 0xFFC00001, 0) == [numerics.operators(False)["f32.add"](0xFFC00001, 0)]
    assert call(*off, "f", 0xFFC00001, 0) != [0x7FC00000]


# ---------------------------------------------------------------------------
# Control
# ---------------------------------------------------------------------------


def test_multi_value_blocks_and_branches():
    store, inst = load('''(module
      (type $pair (func (param i32 i32) (result i32 i32)))
      (func (export "swap") (param i32 i32) (result i32 i32)
        local.get 0 local.get 1
        (block (type $pair) (param i32 i32) (result i32 i32)
          local.set 0 local.set 1 local.get 0 local.get 1))
      (func (export "br_values") (param i32) (result i32 i32)
        (block (result i32 i32)
          i32.const 7 i32.const 8 i32.const 9
          (br_if 0 (local.get 0)) drop drop drop
          i32.const 1 i32.const 2))
      (func (export "loop_params") (param i32) (result i32)
        ;; sum n..1 with the accumulator and counter passed as loop parameters
        i32.const 0 local.get 0
        (loop (param i32 i32) (result i32)
          (local.set 0) (local.get 0) i32.add
          (local.get 0) i32.const 1 i32.sub
          (local.tee 0) (br_if 0 (i32.ne (local.get 0) (i32.const 0)))
          drop))
      (func (export "if_else") (param i32) (result i32 i32)
        (if (result i32 i32) (local.get 0)
          (then i32.const 1 i32.const 2)
          (else i32.const 3 i32.const 4))))''')
    assert call(store, inst, "swap", 1, 2) == [2, 1]
    assert call(store, inst, "br_values", 1) == [8, 9]
    assert call(store, inst, "br_values", 0) == [1, 2]
    assert call(store, inst, "loop_params", 10) == [55]
    assert call(store, inst, "if_else", 5) == [1, 2]
    assert call(store, inst, "if_else", 0) == [3, 4]


def test_br_table_targets_and_stack_cut():
    store, inst = load('''(module
      (func (export "f") (param i32) (result i32)
        (block (result i32)
          (block (result i32)
            (block (result i32)
              i32.const 99 i32.const 98  ;; junk under the branch value
              i32.const 10 (br_table 0 1 2 (local.get 0)))
            i32.const 1 i32.add)
          i32.const 100 i32.add)))''')
    assert call(store, inst, "f", 0) == [111]
    assert call(store, inst, "f", 1) == [110]
    assert call(store, inst, "f", 2) == [10]
    assert call(store, inst, "f", 3) == [10]  # out of range: the default
    assert call(store, inst, "f", M32) == [10]


def test_return_from_nested_blocks_and_unreachable_code():
    store, inst = load('''(module
      (func (export "f") (param i32) (result i32)
        i32.const 5
        (block (loop (block
          (if (local.get 0) (then (return (i32.const 42))))
          (br 2))))
        drop i32.const 7)
      (func (export "g") (result i32)
        (block (result i32) i32.const 3 br 0 i32.const 4 i32.add)))''')
    assert call(store, inst, "f", 1) == [42]
    assert call(store, inst, "f", 0) == [7]
    assert call(store, inst, "g") == [3]


def test_select_drop_nop_unreachable():
    store, inst = load('''(module
      (func (export "sel") (param i32) (result i32) i32.const 1 i32.const 2 local.get 0 select nop)
      (func (export "drop") (result i32) i32.const 1 i32.const 2 drop)
      (func (export "boom") unreachable))''')
    assert call(store, inst, "sel", 1) == [1]
    assert call(store, inst, "sel", 0) == [2]
    assert call(store, inst, "drop") == [1]
    assert trap_kind(store, inst, "boom") == TrapKind.UNREACHABLE


CALL_INDIRECT = '''(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (table 4 funcref)
  (elem (i32.const 0) $double $nothing)
  (func $double (type $ii) local.get 0 i32.const 2 i32.mul)
  (func $nothing (type $v))
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0))))'''


def test_call_indirect_and_its_three_traps():
    store, inst = load(CALL_INDIRECT)
    assert call(store, inst, "call", 0, 21) == [42]
    assert trap_kind(store, inst, "call", 1, 0) == TrapKind.INDIRECT_CALL_TYPE_MISMATCH
    assert trap_kind(store, inst, "call", 2, 0) == TrapKind.UNINITIALIZED_ELEMENT
    assert trap_kind(store, inst, "call", 4, 0) == TrapKind.UNDEFINED_ELEMENT
    assert trap_kind(store, inst, "call", M32, 0) == TrapKind.UNDEFINED_ELEMENT


def test_call_indirect_type_check_is_structural_across_modules():
    store, a = load('(module (type $t (func (param i32) (result i32))) '
                    '(func (export "id") (type $t) local.get 0))')
    table = store.alloc_table(TableType(Limits(1, None)))
    store.tables[table].elements[0] = a.export("id").addr
    _, b = load('''(module (type $other (func)) (type $same (func (param i32) (result i32)))
      (import "m" "t" (table 1 funcref))
      (func (export "f") (param i32) (result i32) (call_indirect (type $same) (local.get 0) (i32.const 0))))''',
                store=store, imports=[ExternVal("table", table)])
    assert call(store, b, "f", 9) == [9]


def test_globals_and_start_function():
    store, inst = load('''(module
      (global $g (mut i32) (i32.const 1))
      (global $k i64 (i64.const 5))
      (func $start (global.set $g (i32.add (global.get $g) (i32.const 10))))
      (func (export "g") (result i32 i64) global.get $g global.get $k)
      (start $start))''')
    assert call(store, inst, "g") == [11, 5]


def test_start_trap_is_uninstantiable():
    with pytest.raises(Uninstantiable) as info:
        load('(module (func $s unreachable) (start $s))')
    assert info.value.trap.kind == TrapKind.UNREACHABLE


# ---------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------

LOADS = [  # (instruction, width in bytes, result type)
    ("i32.load", 4), ("i64.load", 8), ("f32.load", 4), ("f64.load", 8),
    ("i32.load8_s", 1), ("i32.load8_u", 1), ("i32.load16_s", 2), ("i32.load16_u", 2),
    ("i64.load8_s", 1), ("i64.load8_u", 1), ("i64.load16_s", 2), ("i64.load16_u", 2),
    ("i64.load32_s", 4), ("i64.load32_u", 4),
]
STORES = [
    ("i32.store", 4, "i32"), ("i64.store", 8, "i64"), ("f32.store", 4, "f32"), ("f64.store", 8, "f64"),
    ("i32.store8", 1, "i32"), ("i32.store16", 2, "i32"),
    ("i64.store8", 1, "i64"), ("i64.store16", 2, "i64"), ("i64.store32", 4, "i64"),
]


def _memory_module():
    funcs = []
    for op, _ in LOADS:
        t = op.split(".")[0]
        funcs.append(f'(func (export "{op}") (param i32) (result {t}) local.get 0 {op} offset=1)')
    for op, _, t in STORES:
        funcs.append(f'(func (export "{op}") (param i32 {t}) local.get 0 local.get 1 {op} offset=1)')
    return load(f'(module (memory (export "mem") 1) {" ".join(funcs)})')


@pytest.mark.parametrize("op,width", LOADS)
def test_load_bounds_at_every_width(op, width):
    store, inst = _memory_module()
    mem = store.mems[inst.export("mem").addr]
    mem.data[PAGE_SIZE - width:] = bytes([0x80 | i for i in range(width)])
    signed = op.endswith("_s")
    raw = int.from_bytes(bytes(mem.data[PAGE_SIZE - width:]), "little")
    result_width = 32 if op.split(".")[0] in ("i32", "f32") else 64
    expected = raw
    if signed and raw >> (8 * width - 1):
        expected = (raw - (1 << (8 * width))) & ((1 << result_width) - 1)
    # effective address = operand + offset 1: the last in-bounds access ...
    assert call(store, inst, op, PAGE_SIZE - width - 1) == [expected]
    # ... and one byte further is out of bounds, as is an address overflowing 32 bits.
    assert trap_kind(store, inst, op, PAGE_SIZE - width) == TrapKind.MEMORY_OUT_OF_BOUNDS
    assert trap_kind(store, inst, op, M32) == TrapKind.MEMORY_OUT_OF_BOUNDS


@pytest.mark.parametrize("op,width,t", STORES)
def test_store_bounds_at_every_width_and_no_partial_write(op, width, t):
    store, inst = _memory_module()
    mem = store.mems[inst.export("mem").addr]
    value = (1 << (64 if t in ("i64", "f64") else 32)) - 1  # all ones: truncated to the width
    call(store, inst, op, PAGE_SIZE - width - 1, value)
    assert bytes(mem.data[PAGE_SIZE - width:]) == b"\xff" * width
    mem.data[:] = bytes(PAGE_SIZE)
    assert trap_kind(store, inst, op, PAGE_SIZE - width, value) == TrapKind.MEMORY_OUT_OF_BOUNDS
    assert bytes(mem.data) == bytes(PAGE_SIZE)  # a trapping store writes nothing


def test_little_endian_and_sign_extension():
    store, inst = _memory_module()
    call(store, inst, "i32.store", 0, 0x8102FF7F)
    assert call(store, inst, "i32.load8_s", 0) == [0x7F]
    assert call(store, inst, "i32.load8_s", 1) == [0xFFFFFFFF]
    assert call(store, inst, "i32.load8_u", 1) == [0xFF]
    assert call(store, inst, "i64.load16_s", 2) == [0xFFFFFFFFFFFF8102]
    assert call(store, inst, "i64.load32_u", 0) == [0x8102FF7F]
    assert call(store, inst, "i64.load32_s", 0) == [0xFFFFFFFF8102FF7F]


BULK = '''(module
  (memory (export "mem") 1 2)
  (data $d "\\01\\02\\03\\04")
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (data.drop $d))
  (func (export "size") (result i32) memory.size)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))'''


def test_bulk_memory_semantics():
    store, inst = load(BULK)
    mem = store.mems[inst.export("mem").addr].data
    call(store, inst, "init", 10, 1, 3)
    assert mem[9:14] == b"\x00\x02\x03\x04\x00"
    call(store, inst, "copy", 11, 10, 3)  # overlapping, forwards
    assert mem[9:15] == b"\x00\x02\x02\x03\x04\x00"
    call(store, inst, "copy", 9, 10, 4)  # overlapping, backwards
    assert mem[9:15] == b"\x02\x02\x03\x04\x04\x00"
    call(store, inst, "fill", 100, 0x1AB, 3)  # the value is truncated to a byte
    assert mem[99:104] == b"\x00\xab\xab\xab\x00"
    # zero-length accesses at the very end are in bounds, one past it is not
    call(store, inst, "fill", PAGE_SIZE, 0, 0)
    call(store, inst, "copy", PAGE_SIZE, PAGE_SIZE, 0)
    call(store, inst, "init", PAGE_SIZE, 4, 0)
    assert trap_kind(store, inst, "fill", PAGE_SIZE + 1, 0, 0) == TrapKind.MEMORY_OUT_OF_BOUNDS
    assert trap_kind(store, inst, "init", 0, 5, 0) == TrapKind.MEMORY_OUT_OF_BOUNDS
    call(store, inst, "drop")
    call(store, inst, "init", 0, 0, 0)  # a dropped segment is empty: length 0 still fine
    assert trap_kind(store, inst, "init", 0, 0, 1) == TrapKind.MEMORY_OUT_OF_BOUNDS


@pytest.mark.parametrize("name,args", [
    ("fill", (PAGE_SIZE - 2, 0xFF, 3)),
    ("copy", (PAGE_SIZE - 2, 0, 3)),
    ("copy", (0, PAGE_SIZE - 2, 3)),
    ("init", (PAGE_SIZE - 2, 0, 3)),
])
def test_bulk_memory_out_of_bounds_writes_nothing(name, args):
    store, inst = load(BULK)
    mem = store.mems[inst.export("mem").addr].data
    mem[0:3] = b"\x07\x07\x07"
    before = bytes(mem)
    assert trap_kind(store, inst, name, *args) == TrapKind.MEMORY_OUT_OF_BOUNDS
    assert bytes(mem) == before


def test_memory_grow_and_size():
    store, inst = load(BULK)
    assert call(store, inst, "size") == [1]
    assert call(store, inst, "grow", 0) == [1]
    assert call(store, inst, "grow", 1) == [1]
    assert call(store, inst, "size") == [2]
    assert call(store, inst, "grow", 1) == [M32]  # past the declared maximum: -1
    assert call(store, inst, "grow", M32) == [M32]
    assert len(store.mems[inst.export("mem").addr].data) == 2 * PAGE_SIZE


def test_memory_cap_is_a_machine_parameter():
    config = machine(max_memory_pages=4)
    store, inst = load('(module (memory 2) (func (export "grow") (param i32) (result i32) '
                       '(memory.grow (local.get 0))))', config)
    assert call(store, inst, "grow", 3) == [M32]  # 5 pages > cap 4
    assert call(store, inst, "grow", 2) == [2]
    assert call(store, inst, "grow", 1) == [M32]
    with pytest.raises(Uninstantiable, match="exceeds the machine's cap of 4 pages"):
        load("(module (memory 5))", config)
    # The default cap is Pyde's 1024 pages (64 MiB).
    with pytest.raises(Uninstantiable):
        load("(module (memory 1025))")
    store, inst = load('(module (memory 1024) (func (export "grow") (result i32) (memory.grow (i32.const 1))))')
    assert call(store, inst, "grow") == [M32]


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

TABLES = '''(module
  (table $t 6 funcref)
  (elem $e func $a $b)
  (func $a (result i32) i32.const 1)
  (func $b (result i32) i32.const 2)
  (func (export "init") (param i32 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (table.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (elem.drop $e))
  (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))'''


def test_table_init_copy_drop():
    store, inst = load(TABLES)
    call(store, inst, "init", 1, 0, 2)
    assert [call(store, inst, "call", i) for i in (1, 2)] == [[1], [2]]
    assert trap_kind(store, inst, "call", 3) == TrapKind.UNINITIALIZED_ELEMENT
    call(store, inst, "copy", 3, 1, 2)  # overlapping copy
    assert [call(store, inst, "call", i) for i in (3, 4)] == [[1], [2]]
    table = store.tables[inst.tableaddrs[0]]
    before = list(table.elements)
    assert trap_kind(store, inst, "copy", 5, 0, 2) == TrapKind.TABLE_OUT_OF_BOUNDS
    assert trap_kind(store, inst, "init", 5, 0, 2) == TrapKind.TABLE_OUT_OF_BOUNDS
    assert table.elements == before  # nothing written by a trapping bulk table op
    call(store, inst, "drop")
    call(store, inst, "init", 0, 0, 0)
    assert trap_kind(store, inst, "init", 0, 0, 1) == TrapKind.TABLE_OUT_OF_BOUNDS


# ---------------------------------------------------------------------------
# Instantiation
# ---------------------------------------------------------------------------


def test_segments_apply_in_order_and_earlier_ones_stay_after_a_failure():
    store = Store(machine())
    mem = store.alloc_memory(MemType(Limits(1, None)))
    table = store.alloc_table(TableType(Limits(2, None)))
    store_, donor = load('(module (func (export "f")))', store=store)
    wat = '''(module
      (import "m" "mem" (memory 1)) (import "m" "tab" (table 2 funcref))
      (func $f)
      (elem (i32.const 0) $f)
      (elem (i32.const 1) $f $f)          ;; does not fit: instantiation fails here
      (data (i32.const 0) "first")
      (data (i32.const 0) "second"))'''
    with pytest.raises(Uninstantiable) as info:
        load(wat, store=store, imports=[ExternVal("memory", mem), ExternVal("table", table)])
    assert info.value.trap.kind == TrapKind.TABLE_OUT_OF_BOUNDS
    assert store.tables[table].elements[0] is not None  # the first segment stays
    assert store.tables[table].elements[1] is None
    assert bytes(store.mems[mem].data[:6]) == bytes(6)  # data segments come after elements
    # With room for all elements, data segments apply in order (the second overwrites).
    wat_ok = wat.replace("(elem (i32.const 1) $f $f)", "(elem (i32.const 1) $f)")
    load(wat_ok, store=store, imports=[ExternVal("memory", mem), ExternVal("table", table)])
    assert bytes(store.mems[mem].data[:6]) == b"second"
    bad_data = '(module (import "m" "mem" (memory 1)) (data (i32.const 0) "ab") (data (i32.const 65535) "cd"))'
    store.mems[mem].data[:2] = b"zz"
    with pytest.raises(Uninstantiable) as info:
        load(bad_data, store=store, imports=[ExternVal("memory", mem)])
    assert info.value.trap.kind == TrapKind.MEMORY_OUT_OF_BOUNDS
    assert bytes(store.mems[mem].data[:2]) == b"ab"


def test_import_matching():
    store = Store(machine())
    host = store.alloc_host_func(HostFunc(FuncType(("i32",), ()), lambda c, a: [], "h"))
    mem = store.alloc_memory(MemType(Limits(1, 3)))
    glob = store.alloc_global(GlobalType("i32", False), 7)
    load('(module (import "a" "f" (func (param i32))) (import "a" "m" (memory 1 4)) '
         '(import "a" "g" (global i32)))', store=store,
         imports=[ExternVal("func", host), ExternVal("memory", mem), ExternVal("global", glob)])
    bad = [
        ('(module (import "a" "f" (func (param i64))))', [ExternVal("func", host)]),
        ('(module (import "a" "f" (func (param i32) (result i32))))', [ExternVal("func", host)]),
        ('(module (import "a" "m" (memory 2)))', [ExternVal("memory", mem)]),
        ('(module (import "a" "m" (memory 1 2)))', [ExternVal("memory", mem)]),
        ('(module (import "a" "g" (global (mut i32))))', [ExternVal("global", glob)]),
        ('(module (import "a" "g" (global i64)))', [ExternVal("global", glob)]),
        ('(module (import "a" "g" (global i32)))', [ExternVal("func", host)]),
        ('(module (import "a" "g" (global i32)))', []),
        ('(module (import "a" "g" (global i32)))', [ExternVal("global", 99)]),
    ]
    for wat, imports in bad:
        with pytest.raises(LinkError):
            load(wat, store=store, imports=imports)


def test_predecoded_code_is_cached_per_module():
    module = decode_module(wat_to_wasm('(module (func (export "f") (result i32) i32.const 1))'))
    store = Store(machine())
    a = instantiate(store, module, [])
    b = instantiate(store, module, [])
    assert a.function(0).code is b.function(0).code
    assert module_code(module, "spec", True) is module_code(module, "spec", True)
    assert module_code(module, "wasmtime-50", True) is not module_code(module, "spec", True)


# ---------------------------------------------------------------------------
# Call depth and host functions
# ---------------------------------------------------------------------------

RUNAWAY = '''(module
  (func $run (export "run") call $run)
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))
      (else (i32.const 0)))))'''


def test_call_depth_limit():
    config = machine(max_activations=100)
    store, inst = load(RUNAWAY, config)
    assert trap_kind(store, inst, "run") == TrapKind.CALL_STACK_EXHAUSTED
    assert call(store, inst, "down", 99) == [99]  # 100 activations: the limit, allowed
    assert trap_kind(store, inst, "down", 100) == TrapKind.CALL_STACK_EXHAUSTED


def test_default_call_depth_traps_deep_recursion_quickly():
    store, inst = load(RUNAWAY)
    assert trap_kind(store, inst, "run") == TrapKind.CALL_STACK_EXHAUSTED
    assert call(store, inst, "down", 5000) == [5000]


def test_host_function_and_reentrant_invoke():
    store = Store(machine())
    seen = []

    def host(caller, args):
        seen.append((caller.instance is not None, caller.memory is not None, args))
        # a cross-call: the host runs wasm again while the caller is suspended
        return [invoke(store, inner.export("double").addr, [args[0]], caller.fuel)[0] + 1]

    h = store.alloc_host_func(HostFunc(FuncType(("i32",), ("i32",)), host, "h"))
    _, inner = load('(module (func (export "double") (param i32) (result i32) local.get 0 i32.const 2 i32.mul))',
                    store=store)
    _, outer = load('''(module (import "env" "h" (func $h (param i32) (result i32))) (memory 1)
      (func (export "f") (param i32) (result i32) (call $h (local.get 0))))''',
                    store=store, imports=[ExternVal("func", h)])
    assert call(store, outer, "f", 20) == [41]
    assert seen == [(True, True, (20,))]


def test_nested_invocations_share_the_call_depth_limit():
    store = Store(machine(max_activations=50))
    depth = []

    def host(caller, args):
        depth.append(args[0])
        return [invoke(store, outer.export("f").addr, [args[0] + 1], caller.fuel)[0]]

    h = store.alloc_host_func(HostFunc(FuncType(("i32",), ("i32",)), host))
    _, outer = load('''(module (import "env" "h" (func $h (param i32) (result i32)))
      (func (export "f") (param i32) (result i32) (call $h (local.get 0))))''',
                    store=store, imports=[ExternVal("func", h)])
    with pytest.raises(Trap) as info:
        call(store, outer, "f", 0)
    assert info.value.kind == TrapKind.CALL_STACK_EXHAUSTED
    assert max(depth) == 24  # each level is one wasm frame plus one host frame


def test_host_exceptions_propagate_unchanged_and_traps_trap():
    class Halt(Exception):
        pass

    store = Store(machine())

    def halt(caller, args):
        raise Halt("return data")

    def trap(caller, args):
        raise Trap("host_trap", "bad")

    hh = store.alloc_host_func(HostFunc(FuncType((), ()), halt))
    ht = store.alloc_host_func(HostFunc(FuncType((), ()), trap))
    wat = '(module (import "e" "h" (func $h)) (func (export "f") call $h))'
    _, a = load(wat, store=store, imports=[ExternVal("func", hh)])
    _, b = load(wat, store=store, imports=[ExternVal("func", ht)])
    with pytest.raises(Halt):
        call(store, a, "f")
    assert trap_kind(store, b, "f") == "host_trap"


def test_bad_host_results_and_bad_arguments_are_clear_errors():
    from pyde_ref.wasm.runtime import InvocationError

    store = Store(machine())
    h = store.alloc_host_func(HostFunc(FuncType((), ("i32",)), lambda c, a: [1 << 40], "wide"))
    _, inst = load('(module (import "e" "h" (func $h (result i32))) (func (export "f") (result i32) call $h))',
                   store=store, imports=[ExternVal("func", h)])
    with pytest.raises(InvocationError, match="wide"):
        call(store, inst, "f")
    with pytest.raises(InvocationError):
        invoke(store, h, [1])
    with pytest.raises(InvocationError):
        invoke(store, 12345, [])
    _, inst2 = load('(module (func (export "f") (param i32)))', store=store)
    with pytest.raises(InvocationError):
        call(store, inst2, "f", -1)
    with pytest.raises(InvocationError):
        call(store, inst2, "f", 1 << 32)
    with pytest.raises(InvocationError):
        invoke(store, inst2.export("f").addr, None)


def test_local_slot_limit_bounds_deep_recursion_of_big_frames():
    from pyde_ref.wasm.runtime import MAX_LOCAL_SLOTS

    wat = '''(module (func $down (export "down") (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
      (if (result i32) (local.get 0)
        (then (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))
        (else (i32.const 0)))))'''
    store, inst = load(wat)
    slots = inst.function(0).code.nlocals
    assert slots == 1 + 175
    deepest = MAX_LOCAL_SLOTS // slots  # activations that fit
    assert deepest < 10_000  # the slot limit binds before the depth limit
    assert call(store, inst, "down", deepest - 1) == [deepest - 1]
    assert trap_kind(store, inst, "down", deepest) == TrapKind.CALL_STACK_EXHAUSTED


def test_every_internal_opcode_has_a_case_in_its_dispatch_group():
    """The interpreter tests opcodes in numbered groups; an opcode whose case
    sits in the wrong group would raise 'unknown internal opcode'."""
    import inspect
    import re

    from pyde_ref.wasm import fast, predecode

    source = inspect.getsource(fast.execute)
    groups = re.split(r"\n            (?:if|elif) op < ", source)
    bounds = [0]
    for chunk in groups[1:]:
        bound = chunk.split(":", 1)[0]
        bounds.append(getattr(predecode, bound))
    opcodes = {name: value for name, value in vars(predecode).items()
               if name.startswith("OP_") and isinstance(value, int)}
    for name, value in opcodes.items():
        assert re.search(rf"op == {name}\b", source), name
        for lo, hi, chunk in zip(bounds, bounds[1:], groups[1:]):
            if lo <= value < hi:
                assert re.search(rf"op == {name}\b", chunk), f"{name} ({value}) not in group [{lo}, {hi})"


# ---------------------------------------------------------------------------
# Issue 10: what is allocated lazily reads as what the spec allocates eagerly.
# ---------------------------------------------------------------------------


def test_many_locals_start_at_zero_and_keep_what_is_written():
    """More than ``EAGER_LOCALS_MAX`` locals start lazily (runtime.lazy_locals):
    every one reads 0 until written, on every call."""
    wat = """(module
      (func (export "f") (param $p i32) (result i64)
        (local i32 i64 f32 f64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64) (local $big i64)
        (local $many i32) (local $more i64)
        (drop (local.get 300))
        (local.set $more (i64.add (local.get $more) (i64.extend_i32_u (local.get $p))))
        (i64.add (local.get $more) (i64.reinterpret_f64 (local.get 4)))))"""
    wat = wat.replace("(local $big i64)", "(local " + "i64 " * 400 + ")")
    store, inst = load(wat)
    assert call(store, inst, "f", 7) == [7]
    assert call(store, inst, "f", 9) == [9]  # a fresh frame: the lazily started locals are 0 again


def test_a_large_table_reads_and_writes_like_a_list():
    """A table above ``SPARSE_TABLE_MIN`` elements keeps only its non-null
    ones; ``call_indirect`` and the segments see the table the spec
    describes (pyde-v1 has no other table instruction)."""
    wat = """(module
      (type $t (func (result i32)))
      (table $tab 100000 funcref)
      (func $seven (result i32) (i32.const 7))
      (func $eight (result i32) (i32.const 8))
      (elem (i32.const 99990) func $seven $eight)
      (elem (i32.const 99991) func $seven)
      (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))"""
    store, inst = load(wat)
    assert len(inst.tables[0].elements) == 100000
    assert call(store, inst, "call", 99990) == [7] and call(store, inst, "call", 99991) == [7]
    assert trap_kind(store, inst, "call", 3) == TrapKind.UNINITIALIZED_ELEMENT
    assert trap_kind(store, inst, "call", 100000) == TrapKind.UNDEFINED_ELEMENT


PLAN_MODULES = [
    # constant segments: the plan's images and runs (a later segment overwrites an earlier one)
    ("""(module (memory (export "m") 1) (table 4 funcref) (func $f)
       (data (i32.const 10) "abc") (data (i32.const 11) "XY") (data (i32.const 100) "z")
       (elem (i32.const 1) func $f $f))""", {10: b"aXY", 100: b"z"}),
    # a segment offset from a global: applied one by one
    ("""(module (global $g i32 (i32.const 20)) (memory (export "m") 1)
       (data (i32.const 10) "abc") (data (global.get $g) "XYZ") (data (i32.const 21) "q"))""",
     {10: b"abc", 20: b"XqZ"}),
]


@pytest.mark.parametrize("wat, expected", PLAN_MODULES)
def test_constant_segments_from_the_plan_equal_segments_applied_one_by_one(wat, expected, monkeypatch):
    """A module whose active segments all fit at constant offsets has them
    written from its instance plan (exec.InstancePlan); the result is the
    memory the spec's one-by-one initialisation gives."""
    store, inst = load(wat)
    planned = bytes(inst.mems[0].data[:4096])
    module = decode_module(wat_to_wasm(wat))  # a fresh module object: its own plan
    one_by_one = exec_mod.instance_plan(module)
    monkeypatch.setattr(exec_mod, "instance_plan", lambda m: attrs.evolve(one_by_one, table_images=None,
                                                                        memory_runs=None))
    store2 = Store(machine())
    inst2 = instantiate(store2, module, [])
    assert bytes(inst2.mems[0].data[:4096]) == planned
    for offset, chunk in expected.items():
        assert planned[offset:offset + len(chunk)] == chunk
    assert planned.count(0) == 4096 - sum(map(len, expected.values()))
