"""The fixture format (``pyde_ref/conformance/fixture.py``,
``spec/conformance.schema.json``): canonical text, the normative view an
engine is compared on, the first difference, refusing what is not a fixture,
and the schema against every committed fixture."""

from __future__ import annotations

import json

import jsonschema
import pytest
from referencing import Registry, Resource

from paths import CONFORMANCE, REPO
from pyde_ref.conformance import fixture as fx

WAVE_SCHEMA = json.loads((REPO / "spec" / "wave.schema.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((REPO / "spec" / "conformance.schema.json").read_text(encoding="utf-8"))
COMMITTED = fx.find([str(CONFORMANCE)])


def validator() -> jsonschema.Draft202012Validator:
    registry = Registry().with_resources([(WAVE_SCHEMA["$id"], Resource.from_contents(WAVE_SCHEMA)),
                                          (SCHEMA["$id"], Resource.from_contents(SCHEMA))])
    return jsonschema.Draft202012Validator(SCHEMA, registry=registry)


def test_the_schema_is_a_schema_and_names_every_info_field():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["_info"]["required"] == list(fx.INFO_FIELDS)
    assert SCHEMA["properties"]["_info"]["properties"]["format_version"]["const"] == fx.FORMAT_VERSION


def test_every_committed_fixture_validates_and_reads():
    assert len(COMMITTED) > 50
    v = validator()
    for path in COMMITTED:
        value = json.loads(open(path, encoding="utf-8").read())
        errors = list(v.iter_errors(value))
        assert not errors, (path, errors[0].message[:300])
        f = fx.parse(value, path)
        assert path.endswith(f.name + ".json")


def test_the_schema_catches_a_wave_fixture_with_a_chain_output():
    value = json.loads(open(COMMITTED[0], encoding="utf-8").read())
    assert value["kind"] == "wave"
    broken = dict(value, expected={"waves": []})
    assert list(validator().iter_errors(broken))


def test_canonical_text_is_stable_and_utf8():
    value = {"b": 1, "a": ["§", {"z": None}]}
    assert fx.dumps(value) == fx.dumps(json.loads(fx.dumps(value)))
    assert "§" in fx.dumps(value) and fx.dumps(value).endswith("\n")
    assert fx.digest(value) == fx.digest(json.loads(fx.dumps(value)))
    assert fx.digest(value) != fx.digest({"a": ["§", {"z": None}], "b": 1})  # key order is part of the text


@pytest.mark.parametrize("change,message", [
    (lambda v: v.pop("expected"), "not a fixture"),
    (lambda v: v["_info"].update(format="something else"), "_info.format"),
    (lambda v: v["_info"].update(format_version=2), "format_version 2"),
    (lambda v: v.update(kind="chain"), "does not match its input"),
])
def test_what_is_not_a_fixture_is_refused(change, message):
    value = json.loads(open(COMMITTED[0], encoding="utf-8").read())
    change(value)
    with pytest.raises(fx.FixtureError, match=message):
        fx.parse(value, "x.json")


def test_load_names_unreadable_and_non_json_files(tmp_path):
    with pytest.raises(fx.FixtureError, match="cannot read"):
        fx.load(str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(fx.FixtureError, match="not a JSON document"):
        fx.load(str(tmp_path / "bad.json"))


@pytest.mark.parametrize("content, words", [
    (b"[" * 100_000 + b"]" * 100_000, "nested 100000 deep"),
    (b'{"_info": ' + b"9" * 5_000 + b"}", "5000 digits"),
    (b'{"_info": "\xff"}', "not UTF-8"),
])
def test_load_reads_within_the_document_limits(tmp_path, content, words):
    """A fixture is read like every document (``jsonfields.load_json``):
    nesting, integer digits and UTF-8 are refused by name, never a
    RecursionError or Python's own integer message."""
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    with pytest.raises(fx.FixtureError, match=words):
        fx.load(str(path))


def test_load_never_reads_an_endless_file():
    with pytest.raises(fx.FixtureError, match="cannot read /dev/zero: larger than"):
        fx.load("/dev/zero")


def test_first_difference_follows_the_document_order():
    expected = {"receipts": [{"status": "success", "gas_used": 5}], "fees": {"total": "5"}}
    got = {"receipts": [{"status": "success", "gas_used": 6}], "fees": {"total": "6"}}
    d = fx.first_difference(expected, got)
    assert (d.path, d.expected, d.got) == ("receipts[0].gas_used", 5, 6)
    assert fx.receipt_of(d.path) == (None, 0)
    assert fx.receipt_of("waves[2].receipts[7].events[0]") == (2, 7)
    assert fx.receipt_of("post_state.accounts") is None


@pytest.mark.parametrize("expected,got,path", [
    ({"a": 1}, {"a": 1, "b": 2}, "b"),
    ({"a": 1, "b": 2}, {"a": 1}, "b"),
    ({"a": [1, 2]}, {"a": [1]}, "a[1]"),
    ({"a": [1]}, {"a": [1, 2]}, "a[1]"),
    ({"a": 1}, {"a": True}, "a"),  # a boolean is not an integer
    ({"a": None}, {"a": 0}, "a"),
    (1, 2, "(document)"),
])
def test_first_difference_of_every_shape(expected, got, path):
    assert fx.first_difference(expected, got).path == path
    assert fx.first_difference(expected, expected) is None


def test_normative_keeps_the_deploy_check_and_drops_other_prose():
    doc = {"receipts": [{"reason": "DeployRejected: ForbiddenImport(env::f (only module \"pyde\")); hint: x"},
                        {"reason": "nonce 21, window [5, 20]"}, {"reason": None}]}
    assert [r["reason"] for r in fx.normative(doc)["receipts"]] == ["DeployRejected: ForbiddenImport", None, None]
    chain = {"waves": [doc]}
    assert fx.normative(chain)["waves"][0]["receipts"][1]["reason"] is None
    assert doc["receipts"][1]["reason"].startswith("nonce")  # the input is not changed
    assert fx.normative("not a document") == "not a document"
