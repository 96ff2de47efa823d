"""The strict binary decoder (core spec §5)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.wasm import limits
from pyde_ref.wasm.binary import MAX_FUNCTION_LOCALS, Reader, decode_module, read_elem
from pyde_ref.wasm.limits import LimitExceeded
from pyde_ref.wasm.errors import InvalidModule, MalformedModule, UnsupportedFeature
from pyde_ref.wasm.syntax import (
    Data,
    Elem,
    Export,
    FuncType,
    GlobalType,
    Import,
    Const,
    Instruction,
    Limits,
    MemType,
    RefFunc,
    RefNull,
    TableType,
)
from wasm_builders import (
    FUNC_TYPE_VOID,
    WASM_TOOLS,
    HEADER,
    code_entry,
    code_section,
    func_section,
    module,
    name,
    one_func_module,
    section,
    sleb,
    strip_custom_sections,
    type_section,
    uleb,
    vec,
    wat,
    wasm_tools_accepts,
)

SAMPLE_WAT = """
(module
  (type $bin (func (param i32 i32) (result i32)))
  (import "env" "f" (func $imp (type $bin)))
  (import "env" "g" (global $g (mut i64)))
  (import "env" "mem" (memory 1 2))
  (table 2 funcref)
  (global $h (mut f32) (f32.const 1.5))
  (func $add (export "add") (type $bin) (local i64 i64) (local f64)
    local.get 0
    local.get 1
    i32.add
    i32.const -1
    i32.add
    block (result i32)
      i32.const 7
      br 0
    end
    drop)
  (func $sat (param f32) (result i32)
    local.get 0
    i32.trunc_sat_f32_s
    i32.extend8_s)
  (func $bulk
    i32.const 0 i32.const 1 i32.const 2 memory.copy
    i32.const 0 i32.const 1 i32.const 2 memory.init 0
    data.drop 0
    i32.const 0 i32.const 1 i32.const 2 table.init 0
    elem.drop 0
    i32.const 0 i32.const 0 i32.const 0 table.copy
    i32.const 0 i32.const 0 i32.const 0 memory.fill
    i64.const -2 i64.load offset=8 align=4 drop
    f64.const -0 drop
    i32.const 0 br_table 0 0 0)
  (elem (i32.const 0) func $add $sat)
  (data (i32.const 16) "hi")
  (data "passive")
  (export "h" (global $h))
  (start $bulk))
"""


@pytest.fixture(scope="module")
def sample() -> bytes:
    return wat(SAMPLE_WAT)


def ops(body):
    return [(i.op, i.immediates) for i in body]


def test_decodes_types_imports_exports(sample):
    m = decode_module(sample)
    assert m.types == (FuncType(("i32", "i32"), ("i32",)), FuncType(("f32",), ("i32",)),
                       FuncType((), ()))
    assert m.imports == (
        Import("env", "f", "func", 0),
        Import("env", "g", "global", GlobalType("i64", True)),
        Import("env", "mem", "memory", MemType(Limits(1, 2))),
    )
    assert m.tables == (TableType(Limits(2, None), "funcref"),)
    assert m.globals[0].type == GlobalType("f32", True)
    assert ops(m.globals[0].init) == [("f32.const", (0x3FC00000,)), ("end", ())]
    assert m.exports == (Export("add", "func", 1), Export("h", "global", 1))
    assert m.start == 3
    assert m.data_count == 2
    assert [f.type_index for f in m.funcs] == [0, 1, 2]
    assert m.funcs[0].locals == ((2, "i64"), (1, "f64"))


def test_decodes_function_bodies(sample):
    m = decode_module(sample)
    assert ops(m.funcs[0].body) == [
        ("local.get", (0,)), ("local.get", (1,)), ("i32.add", ()),
        ("i32.const", (0xFFFFFFFF,)), ("i32.add", ()),
        ("block", ("i32",)), ("i32.const", (7,)), ("br", (0,)), ("end", ()),
        ("drop", ()), ("end", ()),
    ]
    assert ops(m.funcs[1].body) == [
        ("local.get", (0,)), ("i32.trunc_sat_f32_s", ()), ("i32.extend8_s", ()), ("end", ()),
    ]
    bulk = ops(m.funcs[2].body)
    for expected in [("memory.copy", ()), ("memory.init", (0,)), ("data.drop", (0,)),
                     ("table.init", (0, 0)), ("elem.drop", (0,)), ("table.copy", (0, 0)),
                     ("memory.fill", ()), ("i64.const", (2**64 - 2,)), ("i64.load", ((2, 8),)),
                     ("f64.const", (0x8000000000000000,)), ("br_table", ((0, 0), 0))]:
        assert expected in bulk
    assert bulk[-1] == ("end", ())


def test_instruction_offsets_point_at_opcodes(sample):
    m = decode_module(sample)
    for func in m.funcs:
        for instr in func.body:
            if instr.op == "end":
                assert sample[instr.offset] == 0x0B
            if instr.op == "i32.const":
                assert sample[instr.offset] == 0x41


def test_segments(sample):
    m = decode_module(sample)
    assert m.elems == (
        Elem("active", "funcref",
             ((RefFunc("ref.func", 1), Instruction("end")),
              (RefFunc("ref.func", 2), Instruction("end"))),
             0, (Const("i32.const", 0), Instruction("end"))),
    )
    assert m.datas == (
        Data("active", b"hi", 0, (Const("i32.const", 16), Instruction("end"))),
        Data("passive", b"passive"),
    )


def test_multi_value_block_type_index():
    m = decode_module(wat("""(module
      (type $t (func (param i32) (result i32 i32)))
      (func (result i32 i32) i32.const 1 block (type $t) local.get 0 drop i32.const 2 end))"""))
    blocks = [i for i in m.funcs[0].body if i.op == "block"]
    assert blocks[0].block_type == 0


def test_custom_sections_anywhere():
    custom = section(0, name("note") + b"\x01\x02")
    m = decode_module(module(custom, type_section(FUNC_TYPE_VOID), custom,
                             func_section(0), custom, code_section(code_entry(b"")), custom))
    assert len(m.customs) == 4
    assert m.customs[0].name == "note" and m.customs[0].payload == b"\x01\x02"


# ---------------------------------------------------------------------------
# Element segments: the eight binary forms (§5.5.12)
# ---------------------------------------------------------------------------

OFFSET_EXPR = b"\x41\x05\x0b"
REF_FUNC_EXPR = b"\xd2\x01\x0b"
REF_NULL_EXPR = b"\xd0\x70\x0b"
FUNC_INDICES = vec([uleb(1), uleb(0)])
EXPRS = vec([REF_FUNC_EXPR, REF_NULL_EXPR])
OFFSET = (Const("i32.const", 5), Instruction("end"))
FUNC_REFS = ((RefFunc("ref.func", 1), Instruction("end")),
             (RefFunc("ref.func", 0), Instruction("end")))
EXPR_REFS = ((RefFunc("ref.func", 1), Instruction("end")),
             (RefNull("ref.null", "funcref"), Instruction("end")))

ELEM_FORMS = [
    (b"\x00" + OFFSET_EXPR + FUNC_INDICES, Elem("active", "funcref", FUNC_REFS, 0, OFFSET)),
    (b"\x01\x00" + FUNC_INDICES, Elem("passive", "funcref", FUNC_REFS)),
    (b"\x02\x00" + OFFSET_EXPR + b"\x00" + FUNC_INDICES,
     Elem("active", "funcref", FUNC_REFS, 0, OFFSET)),
    (b"\x03\x00" + FUNC_INDICES, Elem("declarative", "funcref", FUNC_REFS)),
    (b"\x04" + OFFSET_EXPR + EXPRS, Elem("active", "funcref", EXPR_REFS, 0, OFFSET)),
    (b"\x05\x70" + EXPRS, Elem("passive", "funcref", EXPR_REFS)),
    (b"\x06\x00" + OFFSET_EXPR + b"\x70" + EXPRS, Elem("active", "funcref", EXPR_REFS, 0, OFFSET)),
    (b"\x07\x70" + EXPRS, Elem("declarative", "funcref", EXPR_REFS)),
]


@pytest.mark.parametrize("form", range(8))
def test_all_eight_element_forms_decode(form):
    encoded, expected = ELEM_FORMS[form]
    r = Reader(encoded, 0, len(encoded))
    assert read_elem(r, gate=False) == expected
    assert r.at_end()


def elem_module(segment: bytes) -> bytes:
    return module(
        type_section(FUNC_TYPE_VOID),
        func_section(0, 0),
        section(4, vec([b"\x70\x00\x0a"])),
        section(9, vec([segment])),
        code_section(code_entry(b""), code_entry(b"")),
    )


@pytest.mark.parametrize("form", range(4))
def test_function_index_element_forms_in_modules(form):
    encoded, expected = ELEM_FORMS[form]
    assert decode_module(elem_module(encoded)).elems == (expected,)


@pytest.mark.parametrize("form", range(4, 8))
def test_expression_element_forms_are_gated(form):
    with pytest.raises(UnsupportedFeature) as info:
        decode_module(elem_module(ELEM_FORMS[form][0]))
    assert info.value.feature == "reference-types"


def test_elem_kind_must_be_zero():
    with pytest.raises(MalformedModule):
        decode_module(elem_module(b"\x01\x01" + FUNC_INDICES))


# ---------------------------------------------------------------------------
# LEB128 (§5.2.2)
# ---------------------------------------------------------------------------


def read_u32(encoded: bytes) -> int:
    r = Reader(encoded, 0, len(encoded))
    value = r.uleb(32)
    assert r.at_end()
    return value


def read_s(encoded: bytes, bits: int) -> int:
    r = Reader(encoded, 0, len(encoded))
    value = r.sleb(bits)
    assert r.at_end()
    return value


@pytest.mark.parametrize("encoded,value", [
    (b"\x00", 0), (b"\x7f", 127), (b"\x80\x01", 128), (b"\x80\x00", 0),
    (b"\xff\xff\xff\xff\x0f", 2**32 - 1), (b"\x80\x80\x80\x80\x00", 0),
])
def test_u32_valid(encoded, value):
    assert read_u32(encoded) == value


@pytest.mark.parametrize("encoded,rule", [
    (b"\x80\x80\x80\x80\x80\x00", "integer representation too long"),
    (b"\xff\xff\xff\xff\x1f", "integer too large"),
    (b"\x80\x80\x80\x80\x10", "integer too large"),
    (b"\x80", "unexpected end"),
])
def test_u32_rejected(encoded, rule):
    with pytest.raises(MalformedModule) as info:
        read_u32(encoded)
    assert info.value.rule.startswith(rule)


@pytest.mark.parametrize("encoded,bits,value", [
    (b"\x7f", 32, -1), (b"\xff\x7f", 32, -1), (b"\xff\xff\xff\xff\x7f", 32, -1),
    (b"\x80\x80\x80\x80\x78", 32, -(2**31)), (b"\xff\xff\xff\xff\x07", 32, 2**31 - 1),
    (b"\x80\x80\x80\x80\x70", 33, -(2**32)),
    (b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 64, 2**63 - 1),
    (b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", 64, -(2**63)),
])
def test_signed_valid(encoded, bits, value):
    assert read_s(encoded, bits) == value


@pytest.mark.parametrize("encoded,bits,rule", [
    (b"\xff\xff\xff\xff\x0f", 32, "integer too large"),  # sign bit 0, extension 1
    (b"\x80\x80\x80\x80\x70", 32, "integer too large"),  # sign bit 0, extension 1
    (b"\x80\x80\x80\x80\x80\x00", 32, "integer representation too long"),
    (b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 64, "integer too large"),
    (b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7e", 64, "integer too large"),
    (b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 64, "integer representation too long"),
])
def test_signed_rejected(encoded, bits, rule):
    with pytest.raises(MalformedModule) as info:
        read_s(encoded, bits)
    assert info.value.rule.startswith(rule)


def padded_uleb(value: int, length: int) -> bytes:
    """``value`` in exactly ``length`` bytes (non-minimal but legal)."""
    out = bytearray()
    for i in range(length):
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if i < length - 1 else 0))
    return bytes(out)


@given(st.integers(0, 2**32 - 1), st.integers(0, 4))
def test_u32_roundtrip_with_padding(value, extra):
    minimal = len(uleb(value))
    length = min(5, minimal + extra)
    assert read_u32(padded_uleb(value, length)) == value


@given(st.sampled_from([32, 33, 64]), st.data())
def test_signed_roundtrip(bits, data):
    value = data.draw(st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1))
    assert read_s(sleb(value), bits) == value


@given(st.integers(2**32, 2**35 - 1))
def test_u32_out_of_range_is_malformed(value):
    with pytest.raises(MalformedModule):
        read_u32(uleb(value))


@given(st.integers(2**31, 2**34))
def test_s32_out_of_range_is_malformed(value):
    for v in (value, -value - 1):
        with pytest.raises(MalformedModule):
            read_s(sleb(v), 32)


def test_const_immediates_are_bit_patterns():
    body = (b"\x41" + sleb(-2**31) + b"\x1a" + b"\x42" + sleb(-1) + b"\x1a"
            + b"\x43" + struct.pack("<f", -0.0) + b"\x1a"
            + b"\x44" + bytes.fromhex("010000000000f87f") + b"\x1a")
    m = decode_module(one_func_module(body))
    consts = [i.value for i in m.funcs[0].body if i.op.endswith(".const")]
    assert consts == [0x80000000, 2**64 - 1, 0x80000000, 0x7FF8000000000001]


# ---------------------------------------------------------------------------
# Malformed modules
# ---------------------------------------------------------------------------


def assert_malformed(data: bytes, rule: str) -> MalformedModule:
    with pytest.raises(MalformedModule) as info:
        decode_module(data)
    assert info.value.rule.startswith(rule), info.value.rule
    return info.value


def test_magic_and_version():
    assert_malformed(b"", "unexpected end")
    assert_malformed(b"\x00as", "unexpected end")
    assert_malformed(b"\x00asn\x01\x00\x00\x00", "magic header not detected")
    assert_malformed(b"\x00asm\x02\x00\x00\x00", "unknown binary version")
    assert_malformed(b"\x00asm\x01\x00", "unexpected end")
    assert decode_module(HEADER).types == ()


def section_boundaries(data: bytes) -> set[int]:
    """Offsets where a section ends (walked independently of the decoder)."""
    boundaries, pos = {8}, 8
    while pos < len(data):
        pos += 1  # section id
        size = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        pos += size
        boundaries.add(pos)
    return boundaries


def test_every_prefix_of_a_valid_module_is_malformed(sample):
    """A cut inside a section is always malformed; a cut between sections
    is malformed from the function section on (function/code and data
    count/data must pair up), and may be a valid module before it."""
    boundaries = section_boundaries(sample)
    accepted = []
    for n in range(len(sample)):
        try:
            decode_module(sample[:n])
        except MalformedModule:
            continue
        accepted.append(n)
    assert accepted and set(accepted) <= boundaries
    stripped = strip_custom_sections(sample)
    function_section = decode_module(stripped) and first_section_offset(stripped, 3)
    for n in range(function_section + 1, len(stripped)):
        with pytest.raises(MalformedModule):
            decode_module(stripped[:n])


def first_section_offset(data: bytes, section_id: int) -> int:
    for end in sorted(section_boundaries(data)):
        if end < len(data) and data[end] == section_id:
            return end
    raise AssertionError("section not found")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_byte_flips_never_crash(sample, data):
    mutated = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(mutated)))
    try:
        decode_module(bytes(mutated[:cut]))
    except (MalformedModule, InvalidModule):  # InvalidModule: the feature gate, the limits
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_after_header_never_crash(tail):
    try:
        decode_module(HEADER + tail)
    except (MalformedModule, InvalidModule):  # InvalidModule: the feature gate, the limits
        pass


def test_section_order():
    types = type_section(FUNC_TYPE_VOID)
    funcs = func_section(0)
    code = code_section(code_entry(b""))
    assert_malformed(module(funcs, types, code), "unexpected content after last section")
    assert_malformed(module(types, types), "unexpected content after last section")
    datacount = section(12, uleb(0))
    assert_malformed(module(types, funcs, code, datacount),
                     "unexpected content after last section")
    decode_module(module(types, funcs, datacount, code))


def test_unknown_section_id():
    assert_malformed(module(section(14, b"")), "malformed section id")


def test_section_size_mismatch():
    # A type section that claims one byte more than its content uses.
    payload = vec([FUNC_TYPE_VOID]) + b"\x00"
    assert_malformed(module(section(1, payload)), "section size mismatch")
    # A section whose size runs past the end of the module.
    assert_malformed(HEADER + b"\x01\x10" + vec([FUNC_TYPE_VOID]), "length out of bounds")


def test_code_entry_size_mismatch():
    entry = uleb(4) + b"\x00\x0b\x01\x01"  # size 4 but `end` after 2 bytes
    assert_malformed(
        module(type_section(FUNC_TYPE_VOID), func_section(0), code_section(entry)),
        "section size mismatch")


@pytest.mark.parametrize("raw", [
    b"\xc0\x80",          # overlong NUL
    b"\xe0\x80\xaf",      # overlong '/'
    b"\xed\xa0\x80",      # a UTF-16 surrogate
    b"\xff",              # never valid
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\xe2\x82",          # truncated
])
def test_bad_utf8_names(raw):
    assert_malformed(module(section(0, name(raw))), "malformed UTF-8 encoding")
    export = name(raw) + b"\x00\x00"
    assert_malformed(
        module(type_section(FUNC_TYPE_VOID), func_section(0), section(7, vec([export])),
               code_section(code_entry(b""))),
        "malformed UTF-8 encoding")


def test_name_length_out_of_bounds():
    assert_malformed(module(section(0, uleb(100) + b"abc")), "length out of bounds")


def test_function_and_code_counts_must_agree():
    types = type_section(FUNC_TYPE_VOID)
    assert_malformed(module(types, func_section(0, 0), code_section(code_entry(b""))),
                     "function and code section have inconsistent lengths")
    assert_malformed(module(types, func_section(0)),
                     "function and code section have inconsistent lengths")
    assert_malformed(module(types, code_section(code_entry(b""))),
                     "function and code section have inconsistent lengths")


def data_module(data_count: int | None, n_segments: int | None, body: bytes = b"") -> bytes:
    sections = [type_section(FUNC_TYPE_VOID), func_section(0), section(5, vec([b"\x00\x01"]))]
    if data_count is not None:
        sections.append(section(12, uleb(data_count)))
    sections.append(code_section(code_entry(body)))
    if n_segments is not None:
        sections.append(section(11, vec([b"\x01" + name("x")] * n_segments)))
    return module(*sections)


def test_data_count_must_match():
    decode_module(data_module(2, 2))
    decode_module(data_module(0, None))
    assert_malformed(data_module(1, 2), "data count and data section have inconsistent lengths")
    assert_malformed(data_module(1, None),
                     "data count and data section have inconsistent lengths")


def test_data_count_required_by_memory_init_and_data_drop():
    memory_init = b"\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00"
    data_drop = b"\xfc\x09\x00"
    for body in (memory_init, data_drop):
        decode_module(data_module(1, 1, body))
        assert_malformed(data_module(None, 1, body), "data count section required")


def test_trailing_bytes_after_last_section():
    good = module(type_section(FUNC_TYPE_VOID))
    assert_malformed(good + b"\x01", "unexpected end")
    assert_malformed(good + b"\x00", "unexpected end")


def test_two_to_the_32_locals():
    decls = vec([uleb(0xFFFFFFFF) + b"\x7f", uleb(2) + b"\x7e"])
    assert_malformed(one_func_module(b"", decls), "too many locals")


def test_locals_total_fits_u32_but_exceeds_the_implementation_limit():
    decls = vec([uleb(0x40000000) + t for t in (b"\x7f", b"\x7e", b"\x7d", b"\x7c")])
    assert_malformed(one_func_module(b"", decls), "too many locals")
    decode_module(one_func_module(b"", vec([uleb(MAX_FUNCTION_LOCALS) + b"\x7f"])))
    over = vec([uleb(MAX_FUNCTION_LOCALS) + b"\x7f", uleb(1) + b"\x7e"])
    with pytest.raises(LimitExceeded) as info:  # production's limit: an invalid module, refused before expanding
        decode_module(one_func_module(b"", over))
    assert info.value.limit is limits.FUNCTION_LOCALS and info.value.value == MAX_FUNCTION_LOCALS + 1


def test_huge_vector_counts_fail_before_allocating():
    # 2^32-1 types in a 5-byte section: over production's limit, as wasmparser checks it first.
    with pytest.raises(LimitExceeded):
        decode_module(module(section(1, uleb(0xFFFFFFFF))))
    # Within the limit but more than the bytes left can hold: refused by the count check alone.
    assert_malformed(module(section(1, uleb(limits.TYPES.maximum))), "unexpected end")
    # br_table with 2^32-1 labels, and with as many as the limit allows.
    with pytest.raises(LimitExceeded):
        decode_module(one_func_module(b"\x41\x00\x0e" + uleb(0xFFFFFFFF)))
    assert_malformed(one_func_module(b"\x41\x00\x0e" + uleb(limits.BR_TABLE_SIZE.maximum)), "unexpected end")


def test_else_and_end_nesting():
    assert_malformed(one_func_module(b"\x05"), "else outside if")
    # if ... else ... else ... end
    assert_malformed(one_func_module(b"\x41\x00\x04\x40\x05\x05\x0b"), "else outside if")
    # body ends before its blocks are closed: the code entry runs out.
    entry = uleb(3) + b"\x00\x02\x40"
    assert_malformed(module(type_section(FUNC_TYPE_VOID), func_section(0), code_section(entry)),
                     "unexpected end")


def test_illegal_opcodes():
    assert_malformed(one_func_module(b"\xff"), "illegal opcode")
    assert_malformed(one_func_module(b"\x27"), "illegal opcode")
    assert_malformed(one_func_module(b"\xfc\x30"), "illegal opcode")


def test_malformed_limits_and_mutability():
    assert_malformed(module(section(5, vec([b"\x10\x00"]))), "malformed limits flags")
    # A flag is a byte: 0x81 0x00 is not a LEB128 spelling of 1.
    assert_malformed(module(section(5, vec([b"\x81\x00\x00"]))), "malformed limits flags")
    glob = b"\x7f\x02\x41\x00\x0b"
    assert_malformed(module(section(6, vec([glob]))), "malformed mutability")


def test_import_kind():
    imp = name("m") + name("n") + b"\x05\x00"
    assert_malformed(module(section(2, vec([imp]))), "malformed import kind")


def test_memarg_alignment_flags():
    # align flag 0x80 is neither an exponent nor the memory-index bit.
    body = b"\x41\x00\x28" + uleb(0x80) + b"\x00\x1a"
    assert_malformed(one_func_module(body), "malformed memop flags")


def test_errors_carry_offsets():
    data = one_func_module(b"\xff")
    err = assert_malformed(data, "illegal opcode")
    assert data[err.offset] == 0xFF


# --- the reserved zero bytes of the MVP encoding ----------------------------------------

_TABLE = section(4, vec([b"\x70\x00" + uleb(1)]))
_MEMORY = section(5, vec([b"\x00" + uleb(1)]))


@pytest.mark.parametrize("body, verdict", [
    (b"\x41\x00\x11\x00\x00", None),                     # call_indirect (type 0), table byte 00
    (b"\x41\x00\x11\x00\x80\x00", MalformedModule),      # ... table index as padded LEB128 zero
    (b"\x41\x00\x11\x00\x01", UnsupportedFeature),       # ... table 1: reference-types
    (b"\x3f\x00\x1a", None),                             # memory.size, memory byte 00
    (b"\x3f\x80\x00\x1a", MalformedModule),              # memory.size with padded zero
    (b"\x41\x00\x40\x80\x80\x80\x80\x00\x1a", MalformedModule),  # memory.grow, 5-byte zero
    (b"\x41\x00\x40\x01\x1a", UnsupportedFeature),       # memory.grow of memory 1: multi-memory
    # The bulk-memory indices were u32 from the start: a padded zero is fine.
    (b"\x41\x00\x41\x00\x41\x00\xfc\x0b\x80\x00", None),      # memory.fill
    (b"\x41\x00\x41\x00\x41\x00\xfc\x0a\x80\x00\x00", None),  # memory.copy
])
def test_reserved_zero_bytes_follow_the_mvp_encoding(body, verdict):
    """call_indirect's table index and memory.size/grow's memory index are one
    0x00 byte without reference types and multi-memory (§5.4.1, §5.4.6), as
    wasmtime 50 and the wasm-tools scope oracle decide; a real toolchain
    (clang with -mreference-types) emits the padded form."""
    data = one_func_module(body, extra=(_TABLE, _MEMORY))
    if verdict is None:
        decode_module(data)
    else:
        with pytest.raises(verdict):
            decode_module(data)
    if WASM_TOOLS is not None:
        assert wasm_tools_accepts(data) is (verdict is None)
