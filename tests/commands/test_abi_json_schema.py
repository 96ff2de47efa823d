"""The ABI JSON of ``pyde-ref abi embed`` and its JSON Schema
(``spec/abi.schema.json``, described in ``spec/authoring.md``): every example
ABI validates and embeds; documents the schema refuses are refused by
``abi embed`` too; ``abi show --json`` output is schema-valid and embeds
back to the same bytes."""

from __future__ import annotations

import json

import pytest

from paths import EXAMPLES, REPO
from pyde_ref.cli import main

jsonschema = pytest.importorskip("jsonschema")

EXAMPLE_ABIS = sorted(EXAMPLES.glob("**/*.abi.json"))


@pytest.fixture(scope="module")
def validator():
    with open(REPO / "spec" / "abi.schema.json", encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_examples_have_abi_json():
    names = {p.relative_to(EXAMPLES).as_posix() for p in EXAMPLE_ABIS}
    assert {"c/token.abi.json", "c/wallet.abi.json", "c/compute.abi.json",
            "assemblyscript/counter.abi.json", "contracts/token.abi.json"} <= names


@pytest.mark.parametrize("abi_path", EXAMPLE_ABIS, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_example_abi_is_schema_valid_and_matches_its_module(abi_path, validator, tmp_path, capsys):
    document = json.loads(abi_path.read_text())
    validator.validate(document)
    module = abi_path.with_name(abi_path.name.replace(".abi.json", ".wasm"))
    out = tmp_path / "out.wasm"
    assert main(["abi", "embed", str(module), str(abi_path), "-o", str(out)]) == 0
    assert out.read_bytes() == module.read_bytes()  # the checked-in module carries exactly this ABI
    # abi show --json is valid under the schema and embeds back to the same bytes
    assert main(["abi", "show", "--json", str(module)]) == 0
    shown = json.loads(capsys.readouterr().out)
    validator.validate(shown)
    again = tmp_path / "shown.abi.json"
    again.write_text(json.dumps(shown))
    assert main(["abi", "embed", str(module), str(again), "-o", str(tmp_path / "again.wasm")]) == 0
    assert (tmp_path / "again.wasm").read_bytes() == module.read_bytes()


FUNCTION = {"name": "f", "attributes": ["entry"]}

# Documents the schema refuses; `abi embed` refuses each one too
# (exit 2: malformed ABI JSON; exit 1: refused by the deploy checks).
REFUSED = {
    "not-an-object": [FUNCTION],
    "no-functions": {"version": "1.0"},
    "version-one-part": {"version": "1", "functions": [FUNCTION]},
    "version-three-parts": {"version": "1.0.0", "functions": [FUNCTION]},
    "version-too-large": {"version": "65536.0", "functions": [FUNCTION]},
    "version-bool": {"version": True, "functions": [FUNCTION]},
    "version-negative": {"version": -1, "functions": [FUNCTION]},
    "contract-type": {"contract_type": "token", "functions": [FUNCTION]},
    "schema-hash-short": {"state_schema_hash": "0x" + "00" * 31, "functions": [FUNCTION]},
    "function-not-object": {"functions": ["f"]},
    "function-without-name": {"functions": [{"attributes": ["entry"]}]},
    "name-not-string": {"functions": [{"name": 7}]},
    "unknown-attribute": {"functions": [{"name": "f", "attributes": ["external"]}]},
    "attributes-not-list": {"functions": [{"name": "f", "attributes": "entry"}]},
    "access-list-no-0x": {"functions": [{"name": "f", "attributes": ["entry"], "access_list": ["00"]}]},
    "access-list-not-hex": {"functions": [{"name": "f", "attributes": ["entry"], "access_list": ["0xzz"]}]},
    "access-list-too-long": {"functions": [{"name": "f", "attributes": ["entry"],
                                            "access_list": ["0x" + "00" * 33]}]},
    "access-list-empty-prefix": {"functions": [{"name": "f", "attributes": ["entry"], "access_list": ["0x"]}]},
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_schema_refusals_are_embed_refusals(name, validator, tmp_path, capsys):
    document = REFUSED[name]
    assert not validator.is_valid(document)
    module = tmp_path / "m.wat"
    module.write_text('(module (memory (export "memory") 1) (func (export "f")))')
    abi = tmp_path / "abi.json"
    abi.write_text(json.dumps(document))
    assert main(["abi", "embed", str(module), str(abi), "-o", str(tmp_path / "out.wasm")]) in (1, 2)
    assert "pyde-ref abi:" in capsys.readouterr().err


def test_defaults_are_what_embed_writes(validator, tmp_path, capsys):
    """Only ``functions`` is required: version 1.0, contract, zero schema hash."""
    module = tmp_path / "m.wat"
    module.write_text('(module (memory (export "memory") 1) (func (export "f")))')
    abi = tmp_path / "abi.json"
    abi.write_text(json.dumps({"functions": [FUNCTION]}))
    validator.validate({"functions": [FUNCTION]})
    assert main(["abi", "embed", str(module), str(abi), "-o", str(tmp_path / "out.wasm")]) == 0
    assert main(["abi", "show", "--json", str(tmp_path / "out.wasm")]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["version"] == "1.0" and shown["contract_type"] == "contract"
    assert shown["state_schema_hash"] == "0x" + "00" * 32
    assert shown["functions"][0]["attributes"] == ["entry"]
