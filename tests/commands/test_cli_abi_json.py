"""The JSON form of an ABI that ``pyde-ref abi embed`` reads and ``abi show
--json`` prints (:mod:`pyde_ref.commands.abi`)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.abi.constants import PYDE_ABI_VERSION
from pyde_ref.abi.section import AccessListEntry, ContractType, decode_abi, selector_of
from pyde_ref.commands.abi import AbiJsonError, abi_from_json, abi_to_json


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
    ({"functions": [], "state_schema_hash": "0x" + "00 " * 32}, "abi.state_schema_hash"),
    ({"functions": [{"name": "f", "access_list": ["0x0"]}]}, "abi.functions[0].access_list[0]"),
    ({"functions": [], "owner": "me"}, "abi.owner"),
    ({"functions": [{"name": "f", "atributes": ["view"]}]}, "abi.functions[0].atributes"),
])
def test_json_errors_name_the_field(obj, field):
    with pytest.raises(AbiJsonError) as e:
        abi_from_json(obj)
    assert str(e.value).startswith(field)


def test_contract_type_names():
    a = abi_from_json({"functions": [], "contract_type": "parachain"})
    assert a.contract_type is ContractType.PARACHAIN
    assert abi_to_json(a)["contract_type"] == "parachain"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


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
