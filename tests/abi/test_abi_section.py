"""The pyde.abi custom section (ABI §3.5.1, §3.7) and the import allowlist (§9)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.abi.constants import (
    ATTR_CONSTRUCTOR, ATTR_ENTRY, ATTR_FALLBACK, ATTR_PAYABLE, ATTR_RECEIVE, ATTR_REENTRANT,
    ATTR_VIEW, ATTRIBUTE_NAMES, PYDE_ABI_VERSION,
)
from pyde_ref.abi.section import (
    REJECTED_PAIRS, SECTION_NAME, AbiJsonError, AbiRejected, AccessListEntry, ContractAbi,
    ContractType, FunctionAbi, abi_from_json, abi_to_json, check_attributes, check_imports,
    decode_abi, embed_abi, read_abi, selector_of, validate_abi,
)
from pyde_ref.abi.constants import ALL_ATTRIBUTES
from pyde_ref.wasm.binary import decode_module, encode_custom_section
from pyde_ref.wasm.text import wat_to_wasm

# A contract: get (view), set, pay (payable), helper functions, a table.
WAT = """
(module
  (import "pyde" "sload" (func $sload (param i32 i32) (result i32)))
  (import "pyde" "sstore" (func $sstore (param i32 i32) (result i32)))
  (type $v (func))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $pure $pure)
  (func $pure)
  (func $writes (drop (call $sstore (i32.const 0) (i32.const 0))))
  (func $deep (call $writes))
  (func (export "get") (drop (call $sload (i32.const 0) (i32.const 32))) (call $pure))
  (func (export "get_indirect") (call_indirect (type $v) (i32.const 0)))
  (func (export "set") (call $deep))
  (func (export "pay"))
)
"""


def fn(name, *attrs, access=()):
    bits = 0
    for a in attrs:
        bits |= a
    return FunctionAbi(name, selector_of(name), bits, tuple(AccessListEntry(p) for p in access))


GOOD_FUNCS = (fn("get", ATTR_VIEW, ATTR_ENTRY), fn("get_indirect", ATTR_VIEW, ATTR_ENTRY),
              fn("set", ATTR_ENTRY, access=(b"\x01",)), fn("pay", ATTR_ENTRY, ATTR_PAYABLE))


def abi(functions=GOOD_FUNCS, **kw):
    fields = dict(pyde_abi_version=0x0001_0000, contract_type=ContractType.CONTRACT, functions=tuple(functions))
    fields.update(kw)
    return ContractAbi(**fields)


@pytest.fixture(scope="module")
def wasm():
    return wat_to_wasm(WAT)


def module_with(wasm_bytes, the_abi):
    return decode_module(embed_abi(wasm_bytes, the_abi))


def rejected(wasm_bytes, the_abi, **kw):
    with pytest.raises(AbiRejected) as e:
        validate_abi(module_with(wasm_bytes, the_abi), **kw)
    return e.value.reason, e.value.detail


# -- Borsh ------------------------------------------------------------------------

functions_st = st.lists(
    st.builds(lambda n, s, a, acc: FunctionAbi(n, s, a, tuple(AccessListEntry(p) for p in acc)),
              st.text(max_size=8), st.binary(min_size=4, max_size=4), st.integers(0, 2**32 - 1),
              st.lists(st.binary(max_size=33), max_size=3)),
    max_size=4)
opt = st.one_of(st.none(), st.integers(0, 2**32 - 1))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 1]), functions_st, st.binary(min_size=32, max_size=32),
       opt, opt, opt)
def test_borsh_round_trip(version, ctype, functions, schema, c, f, r):
    a = ContractAbi(version, ctype, tuple(functions), schema, c, f, r)
    assert decode_abi(a.borsh()) == a


def test_borsh_layout_is_the_spec_field_order():
    a = abi([fn("x", ATTR_ENTRY, access=(b"\xaa",))], receive_index=0)
    expected = (
        (0x0001_0000).to_bytes(4, "little") + b"\x00" + (1).to_bytes(4, "little")
        + (1).to_bytes(4, "little") + b"x" + selector_of("x") + ATTR_ENTRY.to_bytes(4, "little")
        + (1).to_bytes(4, "little") + (1).to_bytes(4, "little") + b"\xaa"
        + bytes(32) + b"\x00" + b"\x00" + b"\x01" + (0).to_bytes(4, "little")
    )
    assert a.borsh() == expected


@pytest.mark.parametrize("mutate,what", [
    (lambda b: b[:-1], "past the end"),
    (lambda b: b + b"\x00", "trailing"),
    (lambda b: b[:4] + b"\x02" + b[5:], "contract_type"),
    (lambda b: b[:-1] + b"\x02", "option tag"),
])
def test_malformed_borsh_is_rejected(mutate, what):
    payload = abi([], ).borsh()
    with pytest.raises(AbiRejected) as e:
        decode_abi(mutate(payload))
    assert e.value.reason == "MalformedAbi" and what in e.value.detail


def test_non_utf8_name_is_malformed():
    payload = abi([fn("ab", ATTR_ENTRY)]).borsh().replace(b"ab", b"\xff\xfe", 1)
    with pytest.raises(AbiRejected) as e:
        decode_abi(payload)
    assert e.value.reason == "MalformedAbi" and "UTF-8" in e.value.detail


# -- embedding -----------------------------------------------------------------------


def test_embed_then_read_and_reembed_replaces(wasm):
    first = embed_abi(wasm, abi())
    module = decode_module(first)
    assert read_abi(module) == abi()
    second = embed_abi(first, abi(GOOD_FUNCS[:2]))
    module2 = decode_module(second)
    assert [c.name for c in module2.customs].count(SECTION_NAME) == 1
    assert read_abi(module2).functions == GOOD_FUNCS[:2]
    assert module2.funcs == decode_module(wasm).funcs and module2.exports == decode_module(wasm).exports


def test_embed_refuses_non_wasm():
    with pytest.raises(ValueError):
        embed_abi(b"not wasm", abi())
    with pytest.raises(ValueError):
        embed_abi(b"\x00asm\x01\x00\x00\x00\x01\x10", abi())  # section past the end
    with pytest.raises(ValueError, match="bad section size"):  # a u32 takes at most 5 bytes (§5.2.2)
        embed_abi(b"\x00asm\x01\x00\x00\x00\x00\x80\x80\x80\x80\x80\x00", abi())


# -- the deploy pipeline ----------------------------------------------------------------


def test_a_good_abi_passes_and_warns_on_dao_patterns(wasm):
    parsed, warnings = validate_abi(module_with(wasm, abi()))
    assert parsed == abi() and warnings == []
    funcs = GOOD_FUNCS[:3] + (fn("pay", ATTR_ENTRY, ATTR_PAYABLE, ATTR_REENTRANT),)
    _, warnings = validate_abi(module_with(wasm, abi(funcs)))
    assert len(warnings) == 1 and "payable + reentrant" in warnings[0]


def test_missing_and_duplicate_section(wasm):
    with pytest.raises(AbiRejected) as e:
        validate_abi(decode_module(wasm))
    assert e.value.reason == "MissingAbiSection"
    twice = embed_abi(wasm, abi()) + encode_custom_section(SECTION_NAME, abi().borsh())
    with pytest.raises(AbiRejected) as e:
        validate_abi(decode_module(twice))
    assert e.value.reason == "DuplicateAbiSection"


@pytest.mark.parametrize("version", [0x0002_0000, 0x0001_0001, 0x0000_0009])
def test_unsupported_version(wasm, version):
    assert rejected(wasm, abi(pyde_abi_version=version))[0] == "UnsupportedAbiVersion"


def test_parachain_type_refused_in_a_contract_deploy(wasm):
    assert rejected(wasm, abi(contract_type=ContractType.PARACHAIN))[0] == "ParachainNotDeployable"


def test_schema_reasons(wasm):
    assert rejected(wasm, abi(GOOD_FUNCS + (GOOD_FUNCS[0],)))[0] == "DuplicateFunction"
    bad_sel = FunctionAbi("get", b"\x00\x00\x00\x00", ATTR_VIEW | ATTR_ENTRY)
    assert rejected(wasm, abi((bad_sel,) + GOOD_FUNCS[1:]))[0] == "SelectorMismatch"
    long_prefix = fn("set", ATTR_ENTRY, access=(b"\x01" * 33,))
    assert rejected(wasm, abi(GOOD_FUNCS[:2] + (long_prefix,) + GOOD_FUNCS[3:]))[0] == "BadAccessListEntry"


def test_cross_reference_reasons(wasm):
    assert rejected(wasm, abi(GOOD_FUNCS + (fn("ghost", ATTR_ENTRY),)))[0] == "FunctionNotExported"
    assert rejected(wasm, abi(GOOD_FUNCS[:3]))[0] == "UndeclaredExport"


def test_entry_signature_and_memory_export():
    wat = ('(module (memory (export "memory") 1) (func (export "f") (param i32)))')
    assert rejected(wat_to_wasm(wat), abi([fn("f", ATTR_ENTRY)]))[0] == "BadEntrySignature"
    wat = '(module (memory 1) (func (export "f")))'
    assert rejected(wat_to_wasm(wat), abi([fn("f", ATTR_ENTRY)]))[0] == "MissingMemoryExport"


def test_unknown_attribute_bits(wasm):
    weird = FunctionAbi("pay", selector_of("pay"), ATTR_ENTRY | (1 << 8))
    assert rejected(wasm, abi(GOOD_FUNCS[:3] + (weird,)))[0] == "UnknownAttributeBits"


@pytest.mark.parametrize("a,b", REJECTED_PAIRS, ids=lambda x: ATTRIBUTE_NAMES[x])
def test_every_rejected_attribute_pair(wasm, a, b):
    f = fn("pay", a, b)  # the pair check comes before "receive implies payable"
    the_abi = abi(GOOD_FUNCS[:3] + (f,),
                  constructor_index=3 if ATTR_CONSTRUCTOR in (a, b) else None,
                  fallback_index=3 if ATTR_FALLBACK in (a, b) else None,
                  receive_index=3 if ATTR_RECEIVE in (a, b) else None)
    reason, detail = rejected(wasm, the_abi)
    assert reason == "IncompatibleAttributes"
    assert ATTRIBUTE_NAMES[a] in detail and ATTRIBUTE_NAMES[b] in detail


def test_allowed_combinations_pass(wasm):
    for extra, field in [((ATTR_CONSTRUCTOR,), "constructor_index"), ((ATTR_FALLBACK,), "fallback_index"),
                         ((ATTR_RECEIVE,), "receive_index")]:
        f = fn("pay", ATTR_PAYABLE, *extra)
        validate_abi(module_with(wasm, abi(GOOD_FUNCS[:3] + (f,), **{field: 3})))


def test_receive_must_be_payable(wasm):
    f = fn("pay", ATTR_RECEIVE)
    assert rejected(wasm, abi(GOOD_FUNCS[:3] + (f,), receive_index=3))[0] == "ReceiveNotPayable"


@pytest.mark.parametrize("bit,reason,field", [
    (ATTR_FALLBACK, "MultipleFallback", "fallback_index"),
    (ATTR_RECEIVE, "MultipleReceive", "receive_index"),
    (ATTR_CONSTRUCTOR, "MultipleConstructor", "constructor_index"),
])
def test_at_most_one_dispatch_function(wasm, bit, reason, field):
    funcs = GOOD_FUNCS[:2] + (fn("set", bit, ATTR_PAYABLE), fn("pay", bit, ATTR_PAYABLE))
    assert rejected(wasm, abi(funcs, **{field: 2}))[0] == reason


def test_dispatch_index_must_name_the_attributed_function(wasm):
    f = fn("pay", ATTR_PAYABLE, ATTR_FALLBACK)
    assert rejected(wasm, abi(GOOD_FUNCS[:3] + (f,)))[0] == "DispatchIndexMismatch"
    assert rejected(wasm, abi(GOOD_FUNCS[:3] + (f,), fallback_index=0))[0] == "DispatchIndexMismatch"
    assert rejected(wasm, abi(GOOD_FUNCS, constructor_index=1))[0] == "DispatchIndexMismatch"


def test_view_reaching_a_mutating_import_transitively_is_rejected(wasm):
    funcs = (GOOD_FUNCS[0], GOOD_FUNCS[1], fn("set", ATTR_VIEW, ATTR_ENTRY), GOOD_FUNCS[3])
    reason, detail = rejected(wasm, abi(funcs))
    assert reason == "ViewMutatesState" and "set" in detail and "sstore" in detail


def test_call_indirect_is_judged_by_every_table_target():
    wat = WAT.replace("(elem (i32.const 0) $pure $pure)", "(elem (i32.const 0) $pure $writes)")
    reason, detail = rejected(wat_to_wasm(wat), abi())
    assert reason == "ViewMutatesState" and "get_indirect" in detail


def test_view_may_call_indirect_when_every_target_is_safe(wasm):
    validate_abi(module_with(wasm, abi()))  # table holds only $pure


# -- §9 import allowlist ---------------------------------------------------------------------


@pytest.mark.parametrize("imp,reason", [
    ('(import "env" "f" (func))', "ForbiddenImport"),
    ('(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
     "ForbiddenImport"),
    ('(import "pyde" "sload_v2" (func))', "ForbiddenImport"),
    ('(import "pyde" "memory" (memory 1))', "ForbiddenImport"),
    ('(import "pyde" "sload" (func (param i32) (result i32)))', "ImportTypeMismatch"),
    ('(import "pyde" "parachain_id" (func (param i32) (result i32)))', "ParachainOnly"),
])
def test_import_allowlist(imp, reason):
    module = decode_module(wat_to_wasm(f"(module {imp})"))
    with pytest.raises(AbiRejected) as e:
        check_imports(module)
    assert e.value.reason == reason


def test_parachain_imports_allowed_for_parachains_and_core_for_all(wasm):
    check_imports(decode_module(wasm))
    module = decode_module(wat_to_wasm('(module (import "pyde" "parachain_id" (func (param i32) (result i32))))'))
    check_imports(module, parachain=True)


# -- JSON form --------------------------------------------------------------------------------


def test_json_round_trip_and_indexes():
    obj = {"functions": [{"name": "init", "attributes": ["constructor", "payable"]},
                         {"name": "get", "attributes": ["view", "entry"], "access_list": ["0x01"]},
                         {"name": "recv", "attributes": ["receive", "payable"]}]}
    a = abi_from_json(obj)
    assert a.pyde_abi_version == PYDE_ABI_VERSION == 0x0001_0000  # "1.0", ABI §2.1 packing
    assert abi_from_json({**obj, "version": "1.2"}).pyde_abi_version == 0x0001_0002
    assert (a.constructor_index, a.fallback_index, a.receive_index) == (0, None, 2)
    assert a.functions[1].selector == selector_of("get")
    assert a.functions[1].access_list == (AccessListEntry(b"\x01"),)
    assert abi_from_json(abi_to_json(a)) == a


@pytest.mark.parametrize("obj,field", [
    ([], "abi"),
    ({}, "abi.functions"),
    ({"functions": [{"attributes": []}]}, "abi.functions[0].name"),
    ({"functions": [{"name": "f", "attributes": ["viewz"]}]}, "abi.functions[0].attributes[0]"),
    ({"functions": [{"name": "f", "access_list": ["zz"]}]}, "abi.functions[0].access_list[0]"),
    ({"functions": [], "version": "one"}, "abi.version"),
    ({"functions": [], "version": 2**40}, "abi.version"),
    ({"functions": [], "version": "1.70000"}, "abi.version"),
    ({"functions": [], "version": "\u00b2.1"}, "abi.version"),  # isdigit() admits superscripts
    ({"functions": [{"name": "f", "attributes": [["view"]]}]}, "abi.functions[0].attributes[0]"),
    ({"functions": [], "contract_type": "dapp"}, "abi.contract_type"),
    ({"functions": [], "state_schema_hash": "0x00"}, "abi.state_schema_hash"),
])
def test_json_errors_name_the_field(obj, field):
    with pytest.raises(AbiJsonError) as e:
        abi_from_json(obj)
    assert str(e.value).startswith(field)


# -- robustness: bad input always gets its structured error ------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_decode_abi_on_any_bytes_is_abi_or_malformed(data):
    try:
        abi = decode_abi(data)
    except AbiRejected as e:
        assert e.reason == "MalformedAbi"
    else:
        assert abi.borsh() == data  # the encoding is canonical: decode∘encode is the identity


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_embed_abi_on_any_bytes_is_a_module_or_value_error(data):
    abi = ContractAbi(0x10000, 0, ())
    try:
        embed_abi(b"\x00asm\x01\x00\x00\x00" + data, abi)
    except ValueError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "version": json_values, "contract_type": json_values, "state_schema_hash": json_values,
    "functions": st.lists(st.fixed_dictionaries({}, optional={
        "name": json_values | st.text(max_size=5), "attributes": json_values | st.lists(
            st.sampled_from(["view", "entry", "payable", "receive", 3, None]), max_size=3),
        "access_list": json_values | st.lists(st.sampled_from(["0x01", "0x", "01", 7]), max_size=2)}),
        max_size=3) | json_values}) | json_values)
def test_abi_from_json_on_any_json_is_an_abi_or_a_named_error(obj):
    try:
        abi = abi_from_json(obj)
    except AbiJsonError as e:
        assert str(e).startswith("abi")
    else:
        assert decode_abi(abi.borsh()) == abi


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, ALL_ATTRIBUTES), min_size=1, max_size=3))
def test_attribute_check_matches_the_table(bitfields):
    functions = tuple(FunctionAbi(f"f{i}", selector_of(f"f{i}"), bits) for i, bits in enumerate(bitfields))

    def index_of(bit):
        holders = [i for i, b in enumerate(bitfields) if b & bit]
        return holders[0] if holders else None

    from pyde_ref.abi.constants import ATTR_CONSTRUCTOR, ATTR_FALLBACK
    abi = ContractAbi(0x10000, 0, functions, bytes(32), index_of(ATTR_CONSTRUCTOR),
                      index_of(ATTR_FALLBACK), index_of(ATTR_RECEIVE))
    bad_pair = any(b & x and b & y for b in bitfields for x, y in REJECTED_PAIRS)
    receive_unpaid = any(b & ATTR_RECEIVE and not b & ATTR_PAYABLE for b in bitfields)
    duplicated = any(sum(1 for b in bitfields if b & bit) > 1
                     for bit in (ATTR_CONSTRUCTOR, ATTR_FALLBACK, ATTR_RECEIVE))
    try:
        check_attributes(abi)
    except AbiRejected:
        assert bad_pair or receive_unpaid or duplicated
    else:
        assert not (bad_pair or receive_unpaid or duplicated)
