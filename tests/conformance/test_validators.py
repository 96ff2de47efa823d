"""``pyde-ref consume --validators N`` (``pyde_ref/conformance/validators.py``):
what varies between validators, that they agree on real fixtures, and that a
validator whose output differs is reported with what made it different."""

from __future__ import annotations

import json
import sys

from paths import CONFORMANCE
from pyde_ref.cli import main
from pyde_ref.conformance import validators
from pyde_ref.wasm import TIERS

HERE = validators.PythonRuntime("3.x", sys.executable)


def test_the_plan_varies_everything_that_must_not_matter():
    plans = validators.plan(16, 5, [HERE, validators.PythonRuntime("3.y", "/other/python")])
    assert [p.hash_seed for p in plans] == list(range(16))
    assert {p.tier for p in plans} == set(TIERS)
    assert {p.cache for p in plans} == {"cold", "warm"}
    assert {p.python.version for p in plans} == {"3.x", "3.y"}
    assert plans[0].order == (0, 1, 2, 3, 4) and plans[1].order == (4, 3, 2, 1, 0)
    assert len({p.order for p in plans}) > 5
    # every combination of tier, cache and Python appears
    assert len({(p.tier, p.cache, p.python.version) for p in plans}) == 8
    assert "PYTHONHASHSEED=3" in plans[3].describe()


def test_validators_agree_on_real_fixtures():
    paths = [str(CONFORMANCE / "host" / "sload.json"), str(CONFORMANCE / "tx" / "airdrop.json")]
    report = validators.run(paths, 4, 2, [HERE])
    assert report["mismatches"] == 0, report["mismatch_details"]
    assert report["runs"] == 8
    assert report["varied"]["tiers"] == ["fast", "reading"] and report["varied"]["module_cache"] == ["cold", "warm"]
    assert report["warm_cache_hits"] > 0


def test_a_differing_output_is_a_mismatch_naming_the_validator(tmp_path):
    value = json.loads((CONFORMANCE / "host" / "sload.json").read_text(encoding="utf-8"))
    value["expected"]["receipts"][1]["return_data"] = "0x00"
    path = tmp_path / "sload.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    report = validators.run([str(path)], 2, 2, [HERE])
    assert report["mismatches"] == 2
    detail = report["mismatch_details"][0]
    assert "receipts[1].return_data" in detail["detail"] and "PYTHONHASHSEED" in detail["validator"]


def test_python_discovery_reports_what_it_skips():
    runtimes, skipped = validators.pythons(["/no/such/python"], discover=False)
    assert runtimes[0].interpreter == sys.executable
    assert skipped == ["/no/such/python: cannot be run"]


def test_cli(capsys):
    status = main(["consume", str(CONFORMANCE / "host" / "caller.json"), "--validators", "2", "--no-discover",
                   "--jobs", "2"])
    out = capsys.readouterr().out
    assert status == 0 and "2 validators x 1 fixtures = 2 runs" in out and "0 mismatches" in out
    assert main(["consume", str(CONFORMANCE / "host" / "caller.json"), "--validators", "2",
                 "--engine", "wasmtime"]) == 2


def test_managed_environments_are_named_by_label_python_and_requirements(tmp_path):
    from pyde_ref.diff import twin_env

    env = twin_env.managed_dir("validator", ("attrs==1",), "py3.12", tmp_path)
    assert env.parent == tmp_path / "twins" and env.name.startswith("validator-py3.12-")
    assert twin_env.managed_dir("validator", ("attrs==2",), "py3.12", tmp_path) != env
    assert twin_env.environment_dir("45.0.0", tmp_path) == twin_env.managed_dir(
        "wasmtime-45.0.0", twin_env.requirements("45.0.0"), twin_env.python_tag(), tmp_path)
    assert twin_env.python_tag(sys.executable) == twin_env.python_tag()
