"""``--trace FILE`` on ``run``, ``wave`` and ``chain``: the reading tier,
usage errors for the options it cannot go with, ``--trace -`` on standard
output, and clear errors (never a traceback) when the trace cannot be
written.  The records themselves: ``tests/trace/test_trace_format.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from paths import CONTRACTS, EXAMPLES
from pyde_ref.cli import main

FIB = str(EXAMPLES / "fib.wasm")
TOKEN_WAVE = str(CONTRACTS / "token-wave.json")


CHAIN = str(EXAMPLES / "transactions" / "owner-upgrade.json")


@pytest.mark.parametrize("options,fragment", [
    (["--tier", "fast"], "--trace with --tier fast"),
    (["--fuel-model", "wasmtime-50"], "--trace (the reading tier) with --fuel-model wasmtime-50"),
    (["--tier", "reading", "--fuel-model", "wasmtime-50"], "the reading tier implements the spec fuel model only"),
])
@pytest.mark.parametrize("command", ["run", "wave", "chain"])
def test_options_a_trace_cannot_go_with_are_usage_errors(capsys, tmp_path, command, options, fragment):
    trace = tmp_path / "t.trace"
    target = {"run": [FIB, "fib", "10"], "wave": [TOKEN_WAVE], "chain": [CHAIN]}[command]
    assert main([command, *target, "--trace", str(trace), *options]) == 2
    captured = capsys.readouterr()
    assert fragment in captured.err and captured.out == ""
    assert not trace.exists()  # nothing ran, nothing written


def test_run_usage_error_with_json_is_one_json_object(capsys, tmp_path):
    assert main(["run", FIB, "fib", "10", "--json", "--tier", "fast", "--trace", str(tmp_path / "t")]) == 2
    assert json.loads(capsys.readouterr().out)["status"] == "error"


def test_a_trace_implies_the_reading_tier_and_tier_reading_is_accepted(capsys, tmp_path):
    for options in ([], ["--tier", "reading"]):
        trace = tmp_path / "t.trace"
        assert main(["run", FIB, "fib", "10", "--trace", str(trace), *options]) == 0
        assert trace.read_text().count('"op":') == 179


def test_a_chain_trace_says_chain_and_has_each_wave(capsys, tmp_path):
    trace = tmp_path / "t.trace"
    assert main(["chain", CHAIN, "--trace", str(trace)]) == 0
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    document = json.loads(open(CHAIN, encoding="utf-8").read())
    assert records[0]["command"] == "chain"
    assert [r["wave"] for r in records if r.get("record") == "wave"] == [w["context"]["wave_id"]
                                                                         for w in document["waves"]]
    assert records[-1]["outcome"]["waves"] == len(document["waves"])


def test_trace_to_standard_output_carries_the_trace_alone():
    for argv in (["run", FIB, "fib", "10", "--json"], ["wave", TOKEN_WAVE]):
        result = subprocess.run([sys.executable, "-m", "pyde_ref.cli", *argv, "--trace", "-"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert records[0]["record"] == "header" and records[-1]["record"] == "summary"
        assert result.stderr  # the command's own output went there
        if argv[0] == "run":
            assert json.loads(result.stderr)["status"] == "ok"


def test_a_trace_to_a_closed_pipe_ends_quietly():
    result = subprocess.run(f"{sys.executable} -m pyde_ref.cli wave {TOKEN_WAVE} --trace - | head -1",
                            shell=True, capture_output=True, text=True, timeout=300)
    assert json.loads(result.stdout)["record"] == "header"
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_an_unwritable_trace_is_a_clear_error(capsys, tmp_path):
    where = str(tmp_path)  # a directory
    assert main(["run", FIB, "fib", "10", "--trace", where]) == 2
    assert "cannot write the trace" in capsys.readouterr().err
    assert main(["run", FIB, "fib", "10", "--trace", where, "--json"]) == 2
    assert "cannot write the trace" in json.loads(capsys.readouterr().out)["error"]
    assert main(["wave", TOKEN_WAVE, "--trace", where]) == 1
    assert "cannot write the trace" in capsys.readouterr().err


def test_a_rejected_module_or_document_writes_no_trace(capsys, tmp_path):
    trace = tmp_path / "t.trace"
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\1\0\0\0\xff")
    assert main(["run", str(bad), "f", "--trace", str(trace)]) == 2
    doc = tmp_path / "bad.json"
    doc.write_text('{"context": 1}')
    assert main(["wave", str(doc), "--trace", str(trace)]) == 2
    assert not trace.exists()


def test_a_trap_and_an_uninstantiable_module_end_the_trace_with_their_outcome(capsys, tmp_path, wat2wasm):
    module = tmp_path / "m.wasm"
    module.write_bytes(wat2wasm('(module (func (export "f") unreachable))'))
    trace = tmp_path / "t.trace"
    assert main(["run", str(module), "f", "--trace", str(trace)]) == 1
    summary = json.loads(trace.read_text().splitlines()[-1])
    assert summary["outcome"] == {"status": "trap", "trap": "unreachable"} and summary["fuelUsed"] == 1
    module.write_bytes(wat2wasm('(module (func $s unreachable) (start $s) (func (export "f")))'))
    assert main(["run", str(module), "f", "--trace", str(trace)]) == 2
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    assert [r.get("op") for r in records[2:-1]] == ["unreachable"]  # the start function ran, traced
    assert records[-1]["outcome"]["status"] == "uninstantiable" and records[-1]["fuelUsed"] is None


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv,status", [(["run", FIB, "fib", "10"], 2), (["run", FIB, "fib", "10000"], 2),
                                         (["wave", TOKEN_WAVE], 1)])
def test_a_trace_that_fills_the_disk_is_a_clear_error(capsys, argv, status):
    """Written at the end (a short trace) or in the middle of the run."""
    assert main([*argv, "--trace", "/dev/full"]) == status
    assert "cannot write the trace to /dev/full: No space left on device" in capsys.readouterr().err
