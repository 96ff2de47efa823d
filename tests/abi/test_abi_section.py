"""The pyde.abi custom section (ABI §3.7): its structs, their Borsh encoding,
and embedding the section into a module.  The deploy-time checks of the
section are tested in ``tests/executor/test_executor_deploy_abi.py``."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abi_builders import GOOD_FUNCS, WAT, abi, fn
from pyde_ref.abi.constants import (
    ATTR_CONSTRUCTOR, ATTR_ENTRY, ATTR_FALLBACK, ATTR_PAYABLE, ATTR_RECEIVE, ATTR_VIEW,
)
from pyde_ref.abi.section import (
    SECTION_NAME, AbiRejected, AccessListEntry, ContractAbi, ContractType, FunctionAbi, contract_abi,
    decode_abi, embed_abi, read_abi, selector_of,
)
from pyde_ref.wasm.binary import decode_module


@pytest.fixture(scope="module")
def wasm(wat2wasm):
    return wat2wasm(WAT)


# -- Borsh ------------------------------------------------------------------------

functions_st = st.lists(
    st.builds(lambda n, s, a, acc: FunctionAbi(n, s, a, tuple(AccessListEntry(p) for p in acc)),
              st.text(max_size=8), st.binary(min_size=4, max_size=4), st.integers(0, 2**32 - 1),
              st.lists(st.binary(max_size=33), max_size=3)),
    max_size=4)
opt = st.one_of(st.none(), st.integers(0, 2**32 - 1))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(ContractType), functions_st, st.binary(min_size=32, max_size=32),
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


def test_contract_type_is_the_enum_and_nothing_else():
    with pytest.raises(TypeError):
        ContractAbi(0x10000, 1, ())
    payload = abi([], contract_type=ContractType.PARACHAIN).borsh()
    assert payload[4] == 1 and decode_abi(payload).contract_type is ContractType.PARACHAIN


def test_contract_abi_computes_selectors_and_dispatch_indexes():
    functions = [fn("init", ATTR_CONSTRUCTOR), fn("get", ATTR_VIEW, ATTR_ENTRY),
                 fn("recv", ATTR_RECEIVE, ATTR_PAYABLE), fn("other", ATTR_FALLBACK)]
    a = contract_abi(functions)
    assert (a.pyde_abi_version, a.contract_type) == (0x0001_0000, ContractType.CONTRACT)
    assert (a.constructor_index, a.fallback_index, a.receive_index) == (0, 3, 2)
    assert [f.selector for f in a.functions] == [selector_of(f.name) for f in functions]
    assert contract_abi([]).constructor_index is None


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


# -- robustness: bad input always gets its structured error ------------------------------------


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
    abi = ContractAbi(0x10000, ContractType.CONTRACT, ())
    try:
        embed_abi(b"\x00asm\x01\x00\x00\x00" + data, abi)
    except ValueError:
        pass
