"""``spec/wave.schema.json``: written by ``spec/make_wave_schema.py``, and it
validates every example document, its output, and a document with every
transaction kind."""

from __future__ import annotations

import importlib.util
import json

import jsonschema
import pytest

from paths import EXAMPLES, REPO
from tx_helpers import ALL_KINDS, wave_doc

SCHEMA = json.loads((REPO / "spec" / "wave.schema.json").read_text(encoding="utf-8"))
DOCUMENTS = sorted(p for p in EXAMPLES.rglob("*.json")
                   if "node_modules" not in p.parts and not p.name.endswith(".abi.json")
                   and p.name not in ("package.json", "package-lock.json"))


def test_the_schema_is_what_the_script_writes():
    spec = importlib.util.spec_from_file_location("make_wave_schema", REPO / "spec" / "make_wave_schema.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    assert make.render() == (REPO / "spec" / "wave.schema.json").read_text(encoding="utf-8")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.relative_to(EXAMPLES).as_posix() for p in DOCUMENTS])
def test_every_example_and_its_output_validate(path, cli_json):
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    command = "chain" if "waves" in document else "wave"
    jsonschema.validate(cli_json([command, str(path), "--json"]), SCHEMA)


def test_every_transaction_kind_validates():
    txs = [{**kind, "from": "0x" + "a1" * 32,
            **({} if kind["type"] == "register_pubkey" else {"gas_limit": 1})} for kind in ALL_KINDS]
    jsonschema.validate(wave_doc(txs=txs), SCHEMA)
    bad = wave_doc(txs=[{"type": "transfer", "from": "0x" + "a1" * 32, "to": "0x00", "gas_limit": 1}])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
