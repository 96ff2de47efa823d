"""Deploy-time checks of the pyde.abi section (ABI §3.5.1, §3.7 steps 1-4)
and the import allowlist (§9), one reason at a time."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abi_builders import GOOD_FUNCS, WAT, abi, fn
from pyde_ref.abi.constants import (
    ALL_ATTRIBUTES, ATTR_CONSTRUCTOR, ATTR_ENTRY, ATTR_FALLBACK, ATTR_PAYABLE, ATTR_RECEIVE, ATTR_REENTRANT,
    ATTR_VIEW, ATTRIBUTE_NAMES,
)
from pyde_ref.abi.section import SECTION_NAME, ContractAbi, ContractType, FunctionAbi, embed_abi, selector_of
from pyde_ref.executor.deploy import (
    REJECTED_PAIRS, DeployRejected, check_attributes, check_imports, validate_abi,
)
from pyde_ref.wasm.binary import decode_module, encode_custom_section


@pytest.fixture(scope="module")
def wasm(wat2wasm):
    return wat2wasm(WAT)


def module_with(wasm_bytes, the_abi):
    return decode_module(embed_abi(wasm_bytes, the_abi))


def rejected(wasm_bytes, the_abi, **kw):
    with pytest.raises(DeployRejected) as e:
        validate_abi(module_with(wasm_bytes, the_abi), **kw)
    return e.value.reason, e.value.detail


# -- the deploy pipeline ----------------------------------------------------------------


def test_a_good_abi_passes_and_warns_on_dao_patterns(wasm):
    parsed, warnings = validate_abi(module_with(wasm, abi()))
    assert parsed == abi() and warnings == []
    funcs = GOOD_FUNCS[:3] + (fn("pay", ATTR_ENTRY, ATTR_PAYABLE, ATTR_REENTRANT),)
    _, warnings = validate_abi(module_with(wasm, abi(funcs)))
    assert len(warnings) == 1 and "payable + reentrant" in warnings[0]


def test_missing_and_duplicate_section(wasm):
    with pytest.raises(DeployRejected) as e:
        validate_abi(decode_module(wasm))
    assert e.value.reason == "MissingAbiSection"
    twice = embed_abi(wasm, abi()) + encode_custom_section(SECTION_NAME, abi().borsh())
    with pytest.raises(DeployRejected) as e:
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


def test_entry_signature_and_memory_export(wat2wasm):
    wat = ('(module (memory (export "memory") 1) (func (export "f") (param i32)))')
    assert rejected(wat2wasm(wat), abi([fn("f", ATTR_ENTRY)]))[0] == "BadEntrySignature"
    wat = '(module (memory 1) (func (export "f")))'
    assert rejected(wat2wasm(wat), abi([fn("f", ATTR_ENTRY)]))[0] == "MissingMemoryExport"


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


def test_call_indirect_is_judged_by_every_table_target(wat2wasm):
    wat = WAT.replace("(elem (i32.const 0) $pure $pure)", "(elem (i32.const 0) $pure $writes)")
    reason, detail = rejected(wat2wasm(wat), abi())
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
def test_import_allowlist(wat2wasm, imp, reason):
    module = decode_module(wat2wasm(f"(module {imp})"))
    with pytest.raises(DeployRejected) as e:
        check_imports(module)
    assert e.value.reason == reason


def test_parachain_imports_allowed_for_parachains_and_core_for_all(wat2wasm, wasm):
    check_imports(decode_module(wasm))
    module = decode_module(wat2wasm('(module (import "pyde" "parachain_id" (func (param i32) (result i32))))'))
    check_imports(module, parachain=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, ALL_ATTRIBUTES), min_size=1, max_size=3))
def test_attribute_check_matches_the_table(bitfields):
    functions = tuple(FunctionAbi(f"f{i}", selector_of(f"f{i}"), bits) for i, bits in enumerate(bitfields))

    def index_of(bit):
        holders = [i for i, b in enumerate(bitfields) if b & bit]
        return holders[0] if holders else None

    abi = ContractAbi(0x10000, ContractType.CONTRACT, functions, bytes(32), index_of(ATTR_CONSTRUCTOR),
                      index_of(ATTR_FALLBACK), index_of(ATTR_RECEIVE))
    bad_pair = any(b & x and b & y for b in bitfields for x, y in REJECTED_PAIRS)
    receive_unpaid = any(b & ATTR_RECEIVE and not b & ATTR_PAYABLE for b in bitfields)
    duplicated = any(sum(1 for b in bitfields if b & bit) > 1
                     for bit in (ATTR_CONSTRUCTOR, ATTR_FALLBACK, ATTR_RECEIVE))
    try:
        check_attributes(abi)
    except DeployRejected:
        assert bad_pair or receive_unpaid or duplicated
    else:
        assert not (bad_pair or receive_unpaid or duplicated)
