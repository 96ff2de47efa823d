"""``pyde-ref abi embed | show | check`` (issue item 5: build deployable
modules the way ``otigen build`` would)."""

from __future__ import annotations

from paths import CONTRACTS
import json
import os

from pyde_ref.abi import section
from pyde_ref.cli import main
from pyde_ref.executor.deploy import validate_deploy
from pyde_ref.wasm.binary import decode_module

EXAMPLES = str(CONTRACTS)


def test_embed_builds_the_checked_in_example(tmp_path):
    out = tmp_path / "token.wasm"
    assert main(["abi", "embed", os.path.join(EXAMPLES, "token.wat"),
                 os.path.join(EXAMPLES, "token.abi.json"), "-o", str(out)]) == 0
    with open(os.path.join(EXAMPLES, "token.wasm"), "rb") as f:
        assert out.read_bytes() == f.read()
    abi = validate_deploy(out.read_bytes()).abi
    assert [f.name for f in abi.functions][:3] == ["constructor", "initialize", "mint"]


def test_embed_replaces_an_existing_section(tmp_path):
    out = tmp_path / "again.wasm"
    abi_path = tmp_path / "abi.json"
    with open(os.path.join(EXAMPLES, "caller.abi.json"), encoding="utf-8") as f:
        abi = json.load(f)
    abi["functions"][0]["attributes"] = ["entry", "payable"]
    abi_path.write_text(json.dumps(abi))
    assert main(["abi", "embed", os.path.join(EXAMPLES, "caller.wasm"), str(abi_path),
                 "-o", str(out)]) == 0
    module = decode_module(out.read_bytes())
    assert len(section.abi_payloads(module)) == 1
    assert section.read_abi(module).functions[0].attribute_names == ["payable", "entry"]


def test_embed_refuses_what_deploy_would_refuse(tmp_path, capsys):
    abi_path = tmp_path / "abi.json"
    abi_path.write_text(json.dumps({"functions": [{"name": "send", "attributes": ["entry"]}]}))
    out = tmp_path / "x.wasm"
    assert main(["abi", "embed", os.path.join(EXAMPLES, "caller.wat"), str(abi_path),
                 "-o", str(out)]) == 1
    assert "UndeclaredExport" in capsys.readouterr().err
    assert not out.exists()
    assert main(["abi", "embed", os.path.join(EXAMPLES, "caller.wat"), str(abi_path),
                 "-o", str(out), "--no-check"]) == 0


def test_embed_bad_abi_json_names_the_field(tmp_path, capsys):
    abi_path = tmp_path / "abi.json"
    abi_path.write_text(json.dumps({"functions": [{"name": "f", "attributes": ["entry", "fast"]}]}))
    assert main(["abi", "embed", os.path.join(EXAMPLES, "caller.wat"), str(abi_path),
                 "-o", str(tmp_path / "x.wasm")]) == 2
    assert "abi.functions[0].attributes[1]" in capsys.readouterr().err


def test_show_and_check(capsys):
    token = os.path.join(EXAMPLES, "token.wasm")
    assert main(["abi", "show", token, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["functions"][4] == {"name": "balance_of", "selector": shown["functions"][4]["selector"],
                                     "attributes": ["view", "entry"], "access_list": []}
    assert main(["abi", "check", token]) == 0
    assert capsys.readouterr().out.strip() == "ok"
    assert main(["abi", "check", os.path.join(EXAMPLES, "token.wat")]) == 1
    assert "MissingAbiSection" in capsys.readouterr().out


def test_missing_module_file(tmp_path, capsys):
    assert main(["abi", "show", str(tmp_path / "nope.wasm")]) == 2
    assert "pyde-ref abi:" in capsys.readouterr().err
