"""Validation (core spec §3): targeted invalid modules, and agreement with the
scope oracle (wasm-tools, pyde-v1 features) over the official spec tests."""

from __future__ import annotations

import pytest

from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import InvalidModule, MalformedModule, UnsupportedFeature
from pyde_ref.wasm.valid import validate_module
from wasm_builders import (
    one_func_module,
    oracle_verdicts,
    section,
    spec_modules,
    vec,
    wasm_tools_accepts,
    wast_files,
    wat,
)


def check(text: str) -> None:
    validate_module(decode_module(wat(text)))


def assert_invalid(text: str, fragment: str) -> InvalidModule:
    data = wat(text)
    with pytest.raises(InvalidModule) as info:
        validate_module(decode_module(data))
    assert not isinstance(info.value, UnsupportedFeature), str(info.value)
    assert fragment in info.value.reason, info.value.reason
    assert not wasm_tools_accepts(data)
    return info.value


def assert_valid(text: str) -> None:
    data = wat(text)
    assert wasm_tools_accepts(data)
    validate_module(decode_module(data))


INVALID = [
    # operand stack typing
    ("(module (func (result i32) i64.const 1))", "type mismatch"),
    ("(module (func i32.add drop))", "type mismatch"),
    ("(module (func (result i32) i32.const 1 i32.const 2))", "type mismatch"),
    ("(module (func i32.const 1))", "type mismatch"),
    ("(module (func (param f32) (result f32) local.get 0 f64.neg))", "type mismatch"),
    ("(module (func (result i32) i32.const 0 i32.const 1 i64.const 2 select))", "type mismatch"),
    # blocks, labels, multi-value
    ("(module (func (result i32) block (result i32) end))", "type mismatch"),
    ("(module (func block (result i32) i32.const 1 i32.const 2 end drop))", "type mismatch"),
    ("(module (func br 1))", "unknown label"),
    ("(module (func (result i32) i32.const 0 if (result i32) i32.const 1 end))",
     "if without else"),
    ("(module (type $t (func (param i32) (result i64))) (func (result i64) "
     "i32.const 0 i32.const 1 if (type $t) i64.const 1 drop end))", "type mismatch"),
    ("(module (func (result i32) i64.const 0 block (param i32) (result i32) end))",
     "type mismatch"),
    ("(module (func block (result i32) block i32.const 0 i32.const 0 br_table 0 1 end "
     "i32.const 0 end drop))", "br_table"),
    ("(module (func (result i32) block (result f32) f32.const 0 i32.const 0 br_table 0 1 "
     "end drop i32.const 0))", "type mismatch"),
    ("(module (func (result i32) i32.const 0 loop (param i32) (result i32) f32.const 0 br 0 "
     "end))", "type mismatch"),
    ("(module (func (result i32) i64.const 1 return))", "type mismatch"),
    ("(module (func block (type 5) end))", "unknown type"),
    # indices
    ("(module (func local.get 0 drop))", "unknown local"),
    ("(module (func global.get 0 drop))", "unknown global"),
    ("(module (global i32 (i32.const 0)) (func i32.const 1 global.set 0))", "immutable"),
    ("(module (func call 3))", "unknown function"),
    ("(module (func i32.const 0 call_indirect))", "unknown table"),
    ("(module (table 1 funcref) (func i32.const 0 call_indirect (type 9)))", "unknown type"),
    ("(module (func (result i32) i32.const 0 i32.load))", "unknown memory"),
    ("(module (func (result i32) memory.size))", "unknown memory"),
    ("(module (memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.init 3))",
     "unknown data segment"),
    ("(module (memory 1) (data \"\") (func data.drop 1))", "unknown data segment"),
    ("(module (table 1 funcref) (func elem.drop 0))", "unknown elem segment"),
    ("(module (table 1 funcref) (func i32.const 0 i32.const 0 i32.const 0 table.init 0))",
     "unknown elem segment"),
    # alignment, limits
    ("(module (memory 1) (func (result i32) i32.const 0 i32.load align=8))",
     "alignment must not be larger than natural"),
    ("(module (memory 1) (func i32.const 0 i64.const 0 i64.store8 align=2))",
     "alignment must not be larger than natural"),
    ("(module (memory 2 1))", "minimum must not be greater than maximum"),
    ("(module (memory 65537))", "at most 65536"),
    ("(module (memory 0 65537))", "at most 65536"),
    ("(module (table 2 1 funcref))", "minimum must not be greater than maximum"),
    # constant expressions
    ("(module (global i32 (i64.const 0)))", "type mismatch"),
    ("(module (global i32 (i32.const 0) (i32.const 1)))", "type mismatch"),
    ("(module (global i32 (i32.clz (i32.const 0))))", "constant expression required"),
    ("(module (import \"m\" \"g\" (global (mut i32))) (global i32 (global.get 0)))",
     "mutable"),
    ("(module (global i32 (global.get 0)))", "unknown global"),
    ("(module (global i32 (i32.const 1)) (global i32 (global.get 0)))",
     "module-defined global"),
    ("(module (memory 1) (data (i64.const 0) \"\"))", "type mismatch"),
    ("(module (memory 1) (func (local i32) nop) (data (local.get 0) \"\"))",
     "constant expression required"),
    ("(module (table 1 funcref) (func $f) (elem (i64.const 0) $f))", "type mismatch"),
    # module-level rules
    ("(module (func $s (param i32)) (start $s))", "start function"),
    ("(module (func $s (result i32) i32.const 0) (start $s))", "start function"),
    ("(module (start 0))", "unknown function"),
    ("(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))", "duplicate export"),
    ("(module (export \"a\" (memory 0)))", "unknown memory"),
    ("(module (table 1 funcref) (elem (i32.const 0) 4))", "unknown function"),
    ("(module (func $f) (elem (table 1) (i32.const 0) func $f) (table 1 funcref))",
     "unknown table"),
    ("(module (data (i32.const 0) \"x\"))", "unknown memory"),
    ("(module (type (func)) (import \"m\" \"f\" (func (type 7))))", "unknown type"),
]


@pytest.mark.parametrize("text,fragment", INVALID, ids=[str(i) for i in range(len(INVALID))])
def test_invalid_modules(text, fragment):
    assert_invalid(text, fragment)


VALID = [
    # polymorphic stack after unreachable/br/return
    "(module (func (result i32) unreachable))",
    "(module (func (result i32) unreachable i32.add))",
    "(module (func (result i32) block (result i32) i32.const 1 br 0 i32.add end))",
    "(module (func (result i32) loop (result i32) br 0 end))",
    "(module (func (result i64) i64.const 0 return f32.const 0 f32.neg drop))",
    "(module (func (result f64) unreachable select))",
    # br_table in unreachable code: labels of equal arity but different types
    "(module (func block (result f64) block (result f32) unreachable i32.const 1 "
    "br_table 0 1 1 end drop f64.const 0 end drop))",
    # multi-value blocks, loops with parameters, if with params
    "(module (func (result i32 i32) i32.const 1 i32.const 2 "
    "loop (param i32 i32) (result i32 i32) end))",
    "(module (type $t (func (param i32) (result i32))) (func (result i32) "
    "i32.const 1 i32.const 0 if (type $t) end))",
    "(module (func (result i32) i32.const 1 i32.const 2 block (param i32 i32) (result i32) "
    "i32.add end))",
    # constant expressions naming an imported immutable global
    "(module (import \"m\" \"g\" (global i32)) (global i32 (global.get 0)) "
    "(memory 1) (data (global.get 0) \"x\"))",
    # passive and declarative segments, start, exports of every kind
    "(module (memory 1) (table 1 funcref) (func $f) (elem func $f) (elem declare func $f) "
    "(start $f) (export \"f\" (func $f)) (export \"m\" (memory 0)) (export \"t\" (table 0)))",
    # memory bounds are limits rules, not Pyde's 1024-page cap
    "(module (memory 65536))",
    "(module (memory 0 65536))",
    "(module (table 0xffffffff funcref))",
    # natural alignment is allowed
    "(module (memory 1) (func (result i64) i32.const 0 i64.load align=8))",
]


@pytest.mark.parametrize("text", VALID, ids=[str(i) for i in range(len(VALID))])
def test_valid_modules(text):
    assert_valid(text)


def test_invalid_error_points_at_the_instruction():
    data = wat("(module (func (result i32) i64.const 1))")
    with pytest.raises(InvalidModule) as info:
        validate_module(decode_module(data))
    assert data[info.value.offset] == 0x0B  # the function's final `end`


def test_data_count_rule_in_validator_for_hand_built_module():
    """A syntax tree built without the decoder still gets the data-count
    rule (§3.3.7 memory.init needs C.datas, which comes from the data count
    section when code is validated)."""
    import attrs

    data = wat("(module (memory 1) (data \"x\") (func data.drop 0))")
    m = decode_module(data)
    with pytest.raises(InvalidModule) as info:
        validate_module(attrs.evolve(m, data_count=None))
    assert "data count section required" in info.value.reason


def test_hand_built_index_immediates():
    validate_module(decode_module(one_func_module(b"\x10\x00")))  # call 0: itself
    with pytest.raises(InvalidModule):
        validate_module(decode_module(one_func_module(b"\x10\x01")))
    memory = section(5, vec([b"\x00\x01"]))
    validate_module(decode_module(one_func_module(b"\x3f\x00\x1a", extra=(memory,))))
    with pytest.raises(InvalidModule):
        validate_module(decode_module(one_func_module(b"\x3f\x00\x1a")))


# ---------------------------------------------------------------------------
# Agreement with the scope oracle over the official spec tests
# ---------------------------------------------------------------------------

SAMPLE_WASTS = ("binary", "block", "br_table", "unreached-invalid", "unreached-valid",
                "bulk", "elem", "global", "if", "data", "select", "memory_init")


def our_verdict(data: bytes) -> tuple[bool, str]:
    try:
        validate_module(decode_module(data))
    except (MalformedModule, InvalidModule) as err:
        return False, str(err)
    return True, ""


def disagreements(wast) -> list[str]:
    verdicts = oracle_verdicts(wast)
    out = []
    for filename, command, data in spec_modules(wast):
        ours, why = our_verdict(data)
        if ours != verdicts[filename]:
            out.append(f"{wast.stem}/{filename} ({command['type']}): wasm-tools "
                       f"{'accepts' if verdicts[filename] else 'rejects'}, we say {why or 'valid'}")
    return out


def spec_file(name: str):
    """The snapshot's ``NAME.wast`` (skips the test without the snapshot)."""
    return next(path for path in wast_files() if path.stem == name)


@pytest.mark.parametrize("name", SAMPLE_WASTS)
def test_spec_sample_agrees_with_wasm_tools(name):
    assert disagreements(spec_file(name)) == []


@pytest.mark.slow
def test_all_spec_modules_agree_with_wasm_tools():
    problems = []
    total = 0
    for path in wast_files():
        problems += disagreements(path)
        total += len(spec_modules(path))
    assert total > 5000
    assert problems == []


def test_every_decodable_instruction_has_exactly_one_typing_rule():
    from pyde_ref.wasm.binary import FC_OPCODES, OPCODES
    from pyde_ref.wasm.valid import SIGNATURES, SPECIAL_RULES

    mnemonics = {info.name for info, _ in OPCODES.values()} | {info.name for info, _ in FC_OPCODES.values()}
    assert mnemonics == set(SIGNATURES) | set(SPECIAL_RULES)
    assert not set(SIGNATURES) & set(SPECIAL_RULES)


@pytest.mark.parametrize("op,signature", [
    ("i64.extend_i32_u", (("i32",), ("i64",))),
    ("i32.trunc_sat_f64_s", (("f64",), ("i32",))),
    ("f32.demote_f64", (("f64",), ("f32",))),
    ("f64.reinterpret_i64", (("i64",), ("f64",))),
    ("i64.eqz", (("i64",), ("i32",))),
    ("f32.lt", (("f32", "f32"), ("i32",))),
    ("i64.store32", (("i32", "i64"), ())),
    ("f64.load", (("i32",), ("f64",))),
])
def test_signature_table_samples(op, signature):
    from pyde_ref.wasm.valid import SIGNATURES

    assert SIGNATURES[op] == signature


# ---------------------------------------------------------------------------
# Property: on random well-nested function bodies, our verdict equals the
# oracle's (exercises the polymorphic stack, labels and multi-value blocks).
# ---------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from wasm_builders import (  # noqa: E402
    code_entry,
    code_section,
    func_section,
    module,
    sleb,
    type_section,
    uleb,
)

VALTYPE_BYTES = {"i32": b"\x7f", "i64": b"\x7e", "f32": b"\x7d"}
# type 0: the function under test [i32 i64] -> [i32]; type 1: [i32] -> [i32 i32].
PROPERTY_TYPES = (b"\x60\x02\x7f\x7e\x01\x7f", b"\x60\x01\x7f\x02\x7f\x7f")

SIMPLE_INSTRUCTIONS = st.sampled_from([
    b"\x00", b"\x01", b"\x0f", b"\x1a", b"\x1b",              # unreachable nop return drop select
    b"\x41" + sleb(-3), b"\x42" + sleb(7), b"\x43\x00\x00\x80\x3f",
    b"\x6a", b"\x7c", b"\x45", b"\x50", b"\xa7", b"\xad", b"\x8c",  # i32.add i64.add eqz.. wrap extend f32.neg
    b"\x20\x00", b"\x20\x01", b"\x20\x02", b"\x21\x00", b"\x22\x01", b"\x21\x02",
    b"\x10\x00",                                              # call 0 (itself)
])
BLOCK_TYPES = st.sampled_from([b"\x40", b"\x7f", b"\x7e", b"\x01", b"\x00"])


def branch(depth_limit: int):
    return st.one_of(
        st.integers(0, depth_limit).map(lambda d: b"\x0c" + uleb(d)),
        st.integers(0, depth_limit).map(lambda d: b"\x0d" + uleb(d)),
        st.lists(st.integers(0, depth_limit), max_size=3).flatmap(
            lambda labels: st.integers(0, depth_limit).map(
                lambda default: b"\x0e" + uleb(len(labels)) + b"".join(map(uleb, labels))
                + uleb(default))),
    )


def instruction_sequences(depth: int = 0):
    """Well-nested sequences; ``depth`` labels enclose them besides the
    function's.  Half start with ``unreachable`` so that the polymorphic
    stack (and so acceptance) is common."""
    leaf = st.one_of(SIMPLE_INSTRUCTIONS, branch(depth), branch(depth + 1))
    if depth >= 2:
        items = st.lists(leaf, max_size=6)
    else:
        inner = instruction_sequences(depth + 1)
        block = st.tuples(st.sampled_from([b"\x02", b"\x03"]), BLOCK_TYPES, inner).map(
            lambda t: t[0] + t[1] + t[2] + b"\x0b")
        if_else = st.tuples(BLOCK_TYPES, inner, st.one_of(st.none(), inner)).map(
            lambda t: b"\x04" + t[0] + t[1] + (b"" if t[2] is None else b"\x05" + t[2])
            + b"\x0b")
        items = st.lists(st.one_of(leaf, block, if_else), max_size=6)
    return st.tuples(st.booleans(), items).map(
        lambda t: (b"\x00" if t[0] else b"") + b"".join(t[1]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruction_sequences(), st.booleans())
def test_random_bodies_agree_with_wasm_tools(body, with_local):
    local_decls = b"\x01\x01\x7d" if with_local else b"\x00"  # one f32 local
    data = module(type_section(*PROPERTY_TYPES), func_section(0),
                  code_section(code_entry(body, local_decls)))
    ours, why = our_verdict(data)
    assert ours == wasm_tools_accepts(data), why


def test_hand_built_function_with_2_to_the_32_locals_is_not_expanded():
    import attrs

    from pyde_ref.wasm.syntax import Instruction, LocalInstr

    from pyde_ref.wasm.limits import FUNCTION_LOCALS, LimitExceeded

    m = decode_module(wat("(module (func (local i32)))"))
    body = (LocalInstr("local.get", 2**32 + 1), Instruction("drop"), Instruction("end"))
    huge = attrs.evolve(m.funcs[0], locals=((2**32, "i32"), (5, "f64")), body=body)
    with pytest.raises(LimitExceeded):  # production's limit, counted from the runs
        validate_module(attrs.evolve(m, funcs=(huge,)))
    n = FUNCTION_LOCALS.maximum - 5
    many = attrs.evolve(huge, locals=((n, "i32"), (5, "f64")), body=(LocalInstr("local.get", n + 1),) + body[1:])
    validate_module(attrs.evolve(m, funcs=(many,)))  # index n + 1 is an f64: fine
    bad = attrs.evolve(many, body=(LocalInstr("local.get", n + 5),) + body[1:])
    with pytest.raises(InvalidModule, match="unknown local"):
        validate_module(attrs.evolve(m, funcs=(bad,)))


@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["i32", "i64", "f32", "f64"])),
                max_size=6))
def test_local_types_match_the_expanded_list(runs):
    from pyde_ref.wasm.valid import LocalTypes

    expanded = [t for count, t in runs for _ in range(count)]
    local_types = LocalTypes(tuple(runs))
    assert len(local_types) == len(expanded)
    assert [local_types[i] for i in range(len(expanded))] == expanded


@pytest.mark.slow
def test_mutated_spec_modules_agree_with_wasm_tools():
    """1-2 random byte changes to in-scope spec modules (seeded, so the run
    is reproducible): decode + validate accept exactly what the oracle
    accepts."""
    import random

    rng = random.Random(20261124)
    corpus = []
    for name in SAMPLE_WASTS:
        verdicts = oracle_verdicts(spec_file(name))
        corpus += [data for filename, _, data in spec_modules(spec_file(name))
                   if verdicts[filename] and 8 < len(data) < 4000]
    problems = []
    for _ in range(3000):
        mutated = bytearray(rng.choice(corpus))
        for _ in range(rng.randint(1, 2)):
            position = rng.randrange(8, len(mutated))
            mutated[position] = rng.randrange(256)
        ours, why = our_verdict(bytes(mutated))
        if ours != wasm_tools_accepts(bytes(mutated)):
            problems.append(f"{bytes(mutated).hex()}: we say {why or 'valid'}")
    assert problems == []
