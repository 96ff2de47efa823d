"""``pyde-ref consume`` (``pyde_ref/conformance/consume.py``, ``engines.py``):
every committed fixture passes on pyde-ref; a wrong output fails with its
first difference and the transaction's label; the ``exec:`` protocol runs
the adapter of ``examples/conformance``; a deliberately broken engine fails
clearly; the wasmtime twin's differences are classified."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from paths import CONFORMANCE, EXAMPLES
from pyde_ref.cli import main
from pyde_ref.conformance import consume as consuming
from pyde_ref.conformance import fixture as fx
from pyde_ref.conformance.engines import ExecEngine, ReferenceEngine, make_engine

ADAPTER = EXAMPLES / "conformance" / "pyde-ref-adapter.sh"
BROKEN = EXAMPLES / "conformance" / "broken-gas-adapter.sh"
SOME = ["host/sload", "tx/standard", "tx/airdrop"]  # a wave with a contract, native types, a chain


def load(name: str) -> fx.Fixture:
    return fx.load(str(CONFORMANCE / f"{name}.json"))


@pytest.fixture
def adapter_path(monkeypatch):
    """``pyde-ref`` and ``python3`` of this environment first on ``PATH``."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


@pytest.mark.slow
@pytest.mark.parametrize("tier", ["fast", "reading"])
def test_every_committed_fixture_passes_on_pyde_ref(tier):
    verdicts = consuming.consume([fx.load(p) for p in fx.find([str(CONFORMANCE)])], ReferenceEngine(tier))
    assert [v for v in verdicts if v.status != consuming.PASS] == []


def test_a_wrong_output_fails_at_its_first_difference():
    f = load("tx/standard")
    broken = fx.Fixture(f.path, f.name, f.info, f.kind, f.input, json.loads(json.dumps(f.expected)))
    broken.expected["receipts"][4]["gas_used"] += 1
    broken.expected["fees"]["total"] = "0"
    (verdict,) = consuming.consume([broken], ReferenceEngine())
    assert verdict.status == consuming.FAIL
    assert verdict.difference.path == "receipts[4].gas_used"
    assert verdict.difference.got == verdict.difference.expected - 1
    assert verdict.case == f.info["cases"][4]
    assert "receipts[4].gas_used" in verdict.line() and "transaction:" in verdict.line()


def test_prose_is_not_compared_but_the_deploy_check_is():
    f = load("deploy/imports")
    got = json.loads(json.dumps(f.expected))
    got["receipts"][0]["reason"] = "DeployRejected: ForbiddenImport(in other words)"
    assert consuming.compare(f, got) is None
    got["receipts"][0]["reason"] = "DeployRejected: Malformed(...)"
    assert consuming.compare(f, got).path == "receipts[0].reason"


def test_exec_adapter_passes(adapter_path):
    verdicts = consuming.consume([load(n) for n in SOME], ExecEngine(str(ADAPTER)), jobs=2)
    assert [v.status for v in verdicts] == [consuming.PASS] * len(SOME)


def test_a_broken_engine_fails_with_a_clear_first_difference(adapter_path):
    verdicts = consuming.consume([load(n) for n in SOME], ExecEngine(str(BROKEN)), jobs=2)
    assert [v.status for v in verdicts] == [consuming.FAIL] * len(SOME)
    sload = verdicts[0]
    assert sload.difference.path == "receipts[0].gas_used"
    assert sload.difference.got == sload.difference.expected + 1
    airdrop = verdicts[2]
    assert airdrop.difference.path == "waves[0].receipts[0].gas_used" and airdrop.case.startswith("ClaimAirdrop")


@pytest.mark.slow
def test_the_adapter_passes_the_whole_corpus_and_the_broken_one_fails_each_fixture(adapter_path):
    """The protocol of spec/conformance.md carries every fixture: pyde-ref
    behind ``exec:`` passes them all; the broken engine fails every one at
    the first receipt's ``gas_used`` (expected n, got n + 1)."""
    corpus = [fx.load(p) for p in fx.find([str(CONFORMANCE)])]
    verdicts = consuming.consume(corpus, ExecEngine(str(ADAPTER)), jobs=2)
    assert [(v.name, v.status) for v in verdicts if v.status != consuming.PASS] == []
    verdicts = consuming.consume(corpus, ExecEngine(str(BROKEN)), jobs=2)
    assert {v.status for v in verdicts} == {consuming.FAIL}
    for v in verdicts:
        assert v.difference.path.endswith("receipts[0].gas_used"), v.line()
        assert v.difference.got == v.difference.expected + 1
        assert "expected" in v.line() and "got" in v.line() and v.difference.path in v.line()


def test_a_hung_engine_is_killed_with_what_it_started(tmp_path):
    marker = tmp_path / "started"
    command = f"(sleep 30; touch {marker}.late) & echo $! > {marker}; sleep 30"
    (verdict,) = consuming.consume([load("host/sload")], ExecEngine(command, timeout=0.5))
    assert verdict.status == consuming.ERROR and "no answer within 0.5 s" in verdict.message
    background = int(marker.read_text())
    for _ in range(100):
        if not alive(background):
            break
        time.sleep(0.02)
    assert not alive(background), "the engine's background process outlived the timeout"


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent that is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_an_engine_without_an_answer_is_an_error():
    f = load("host/sload")
    for command, message in (("exit 3", "exit status 3"), ("echo not json", "not a JSON document"),
                             ("echo '[1]'", "not an object")):
        (verdict,) = consuming.consume([f], ExecEngine(command))
        assert verdict.status == consuming.ERROR and message in verdict.message
    (verdict,) = consuming.consume([f], ExecEngine("sleep 5", timeout=0.2))
    assert verdict.status == consuming.ERROR and "no answer" in verdict.message


def test_the_engine_gets_the_document_kind_and_fuel_model(tmp_path):
    out = tmp_path / "env"
    f = load("tx/airdrop")
    consuming.consume([f], ExecEngine(f'echo "$PYDE_DOCUMENT_KIND $PYDE_FUEL_MODEL" > {out}; exit 1'))
    assert out.read_text().split() == ["chain", "spec"]


def test_unknown_engines_are_refused():
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("geth")
    with pytest.raises(ValueError):
        make_engine("exec:")


def test_wasmtime_differences_are_classified():
    pytest.importorskip("wasmtime")
    engine = make_engine("wasmtime", wasmtime="50")
    verdicts = consuming.consume([load("host/sload"), load("machine/fuel-tables")], engine)
    assert verdicts[0].status == consuming.PASS
    tables = verdicts[1]
    assert tables.status == consuming.CLASSIFIED and tables.category == "explained"
    assert tables.difference.path.endswith("gas_used")


def test_cli(capsys, tmp_path):
    assert main(["consume", str(CONFORMANCE / "host" / "sload.json"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["pass"] == 1 and report["fixtures"][0]["status"] == "pass"
    assert main(["consume", str(tmp_path)]) == 2
    assert "no fixtures" in capsys.readouterr().err
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    assert main(["consume", str(tmp_path)]) == 2
    assert main(["consume", str(CONFORMANCE / "host" / "sload.json"), "--engine", "nope"]) == 2
    assert main(["consume", str(CONFORMANCE), "-k", "host/sload", "--engine", "exec:exit 1", "--quiet"]) == 1
    assert "ERROR" in capsys.readouterr().out
    assert main(["consume", str(CONFORMANCE), "-k", "host/sload", "--engine", "exec:cat", "--timeout", "0"]) == 2
    assert "--timeout must be a positive number" in capsys.readouterr().err


def test_without_wasmtime_the_reference_runs_and_the_twin_is_a_usage_error():
    import subprocess

    script = "import sys; sys.modules['wasmtime'] = None\nfrom pyde_ref.cli import main\nsys.exit(main(sys.argv[1:]))"
    fixture = str(CONFORMANCE / "host" / "sload.json")
    done = subprocess.run([sys.executable, "-c", script, "consume", fixture], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-c", script, "consume", fixture, "--engine", "wasmtime"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "cannot run here" in done.stderr and "Traceback" not in done.stderr


def _tampered(name: str, edit) -> fx.Fixture:
    f = load(name)
    expected = json.loads(json.dumps(f.expected))
    edit(expected)
    return fx.Fixture(f.path, f.name, f.info, f.kind, f.input, expected)


def _flip_status(expected):
    receipt = expected["receipts"][0]
    receipt["status"] = "revert" if receipt["status"] == "success" else "success"


TAMPERINGS = {
    "status": ("host/sload", _flip_status, "receipts[0].status"),
    "state_digest": ("host/sload", lambda e: e.update(state_digest="0x" + "00" * 32), "state_digest"),
    "events_root": ("host/sload", lambda e: e.update(events_root="0x" + "11" * 32), "events_root"),
    "gas_used": ("machine/fuel-tables", lambda e: e["receipts"][0].update(gas_used=e["receipts"][0]["gas_used"] + 1),
                 "receipts[0].gas_used"),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_a_tampered_fixture_fails_on_the_wasmtime_engine(tampering):
    """The twin agreeing with the reference's wasmtime-model run proves
    nothing about the fixture: it is held to its own ``expected`` first
    (``machine/fuel-tables`` is one the twin differs on, classified when
    untampered)."""
    pytest.importorskip("wasmtime")
    name, edit, path = TAMPERINGS[tampering]
    broken = _tampered(name, edit)
    assert path.split(".")[0].split("[")[0] in broken.expected
    (verdict,) = consuming.consume([broken], make_engine("wasmtime", wasmtime="50"))
    assert verdict.status == consuming.FAIL, verdict
    assert verdict.difference.path == path
    assert verdict.difference.expected != verdict.difference.got


def test_an_unbuildable_twin_is_one_line_and_exit_2(tmp_path):
    """No package index: consume tries to build the wasmtime 45 twin once
    and stops with exit 2 (``.ci/run`` skips the step on 2), not an error
    per fixture."""
    import subprocess

    env = dict(os.environ, PIP_NO_INDEX="1", PYDE_REF_CACHE=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "pyde_ref.cli", "consume", str(CONFORMANCE / "deploy"),
                           "--engine", "wasmtime", "--wasmtime", "45"], capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("pyde-ref consume: the wasmtime 45 twin cannot run here: ")
    assert done.stderr.count("pip install") == 1


@pytest.mark.parametrize("option", [["--validators", "0"], ["--validators", "-3"], ["--jobs", "0"]])
def test_counts_below_one_are_usage_errors(capsys, option):
    """``--validators 0`` is not "no validators" and ``-3`` is not a run of
    none: both are usage errors, as is ``--jobs 0``."""
    assert main(["consume", str(CONFORMANCE / "host" / "sload.json"), *option]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{option[0]} must be at least 1" in err
