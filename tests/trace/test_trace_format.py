"""Instruction traces (``spec/trace-format.md``): what ``pyde-ref run/wave/chain
--trace`` writes is exactly what the page says.

* every record of every example's trace validates against
  ``spec/trace.schema.json``, which is what ``spec/make_trace_schema.py`` writes;
* a small program's records, checked by hand (stack, fuel, cost, offsets);
* the fuel a trace says was charged is the fuel the run consumed: for a
  call, and frame by frame for a wave (a cross-call's callee inside its
  caller's host record);
* each host record's gas is what the ABI §10 table charges for its arguments;
* traces are byte-identical across runs and hash seeds, and ``--trace``
  changes nothing else a command prints.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys

import jsonschema
import pytest

from paths import CONTRACTS, EXAMPLES, REPO
from pyde_ref.abi.constants import GAS_TABLE
from pyde_ref.abi.gas import words
from pyde_ref.cli import main
from pyde_ref.trace import records as rec
from pyde_ref.wasm import instructions
from pyde_ref.wasm.text import wat_to_wasm

SCHEMA = json.loads((REPO / "spec" / "trace.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
FIB = EXAMPLES / "fib.wasm"
TOKEN_WAVE = CONTRACTS / "token-wave.json"

QUICK_DOCUMENTS = [TOKEN_WAVE, CONTRACTS / "genesis-wave.json", CONTRACTS / "deep-chain-wave.json",
                   EXAMPLES / "c" / "wallet-wave.json", EXAMPLES / "transactions" / "sponsored-transfer.json",
                   EXAMPLES / "transactions" / "owner-upgrade.json"]


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def traced(argv: list[str], path) -> tuple[int, list[dict], bytes]:
    """Run ``pyde-ref ARGV --trace PATH``: exit status, records, bytes."""
    code, _out, err = run_cli(argv + ["--trace", str(path)])
    data = path.read_bytes()
    return code, [json.loads(line) for line in data.splitlines()], data


def document_command(path) -> list[str]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return ["chain" if "waves" in document else "wave", str(path)]


def kind(record: dict) -> str:
    return record.get("record", "instruction")


def charged(record: dict) -> int:
    """The fuel a record says was charged: an instruction's or an entry's cost
    unless it did not fit (the out_of_fuel trap charges nothing), a host
    call's gas."""
    if kind(record) in ("instruction", "enter"):
        fits = record["fuel"] is None or record["cost"] <= record["fuel"]
        return record["cost"] if fits else 0
    if kind(record) == "host":
        return record["gas"]
    return 0


# ---------------------------------------------------------------------------
# The schema
# ---------------------------------------------------------------------------


def test_the_schema_is_what_the_script_writes():
    spec = importlib.util.spec_from_file_location("make_trace_schema", REPO / "spec" / "make_trace_schema.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    assert make.render() == (REPO / "spec" / "trace.schema.json").read_text(encoding="utf-8")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.fixture(scope="module")
def example_traces(tmp_path_factory) -> dict:
    """The trace of fib 10 and of each quick example document."""
    folder = tmp_path_factory.mktemp("traces")
    traces = {"fib": traced(["run", str(FIB), "fib", "10"], folder / "fib.trace")}
    for i, path in enumerate(QUICK_DOCUMENTS):
        traces[path.name] = traced(document_command(path), folder / f"{i}.trace")
    return traces


def test_every_record_validates_against_the_schema(example_traces):
    kinds = set()
    for name, (code, records, _data) in example_traces.items():
        assert code == 0, name
        for record in records:
            errors = list(VALIDATOR.iter_errors(record))
            assert not errors, (name, record, errors[0].message)
            kinds.add(kind(record))
        assert kind(records[0]) == "header" and kind(records[-1]) == "summary"
        assert [kind(r) for r in records].count("summary") == 1
    assert kinds == set(SCHEMA["$defs"]) - {"value", "values", "fuel", "gasPart"}


def test_the_schema_refuses_what_the_format_does_not_say():
    good = {"depth": 1, "frame": 0, "func": 0, "offset": 40, "op": "i32.add", "fuel": 5, "cost": 1,
            "stack": ["i32:0x00000001", "i32:0x00000002"], "memSize": 0}
    assert VALIDATOR.is_valid(good)
    for bad in ({**good, "extra": 1}, {k: v for k, v in good.items() if k != "memSize"},
                {**good, "stack": ["i32:0x1"]}, {**good, "stack": ["i32:0x00000001"] * 17},
                {**good, "fuel": -1}, {**good, "record": "instruction"}):
        assert not VALIDATOR.is_valid(bad), bad


# ---------------------------------------------------------------------------
# A small program, by hand
# ---------------------------------------------------------------------------

SMALL = '''(module (memory 1)
  (func $square (param i64) (result i64) (i64.mul (local.get 0) (local.get 0)))
  (func (export "f") (param i32) (result i64)
    (i32.store (i32.const 8) (local.get 0))
    (memory.fill (i32.const 16) (i32.const 255) (i32.const 4))
    (call $square (i64.extend_i32_u (i32.load (i32.const 8))))))'''


def test_a_small_programs_records_are_what_the_spec_says(tmp_path):
    wasm = wat_to_wasm(SMALL)
    module = tmp_path / "small.wasm"
    module.write_bytes(wasm)
    code, records, _data = traced(["run", str(module), "f", "3", "--fuel", "100"], tmp_path / "small.trace")
    assert code == 0
    i32 = lambda n: f"i32:0x{n:08x}"  # noqa: E731
    i64 = lambda n: f"i64:0x{n:016x}"  # noqa: E731
    assert records[0] == {"record": "header", "format": "pyde-trace", "version": 1, "maxStack": 16,
                          "command": "run"}
    assert records[1] == {"record": "invoke", "func": "f", "args": [i32(3)], "fuel": 100}
    assert records[2] == {"record": "enter", "depth": 1, "frame": 0, "func": 1, "fuel": 100, "cost": 1}
    steps = [(r["depth"], r["frame"], r["func"], r["op"], r["fuel"], r["cost"], r["stack"])
             if kind(r) == "instruction" else (r["record"], r["depth"], r["frame"], r["func"], r["fuel"], r["cost"])
             for r in records[3:-1]]
    assert steps == [
        (1, 0, 1, "i32.const", 99, 1, []),
        (1, 0, 1, "local.get", 98, 1, [i32(8)]),
        (1, 0, 1, "i32.store", 97, 1, [i32(8), i32(3)]),
        (1, 0, 1, "i32.const", 96, 1, []),
        (1, 0, 1, "i32.const", 95, 1, [i32(16)]),
        (1, 0, 1, "i32.const", 94, 1, [i32(16), i32(255)]),
        (1, 0, 1, "memory.fill", 93, 5, [i32(16), i32(255), i32(4)]),  # 1 + 1 per byte
        (1, 0, 1, "i32.const", 88, 1, []),
        (1, 0, 1, "i32.load", 87, 1, [i32(8)]),
        (1, 0, 1, "i64.extend_i32_u", 86, 1, [i32(3)]),
        (1, 0, 1, "call", 85, 1, [i64(3)]),
        ("enter", 2, 1, 0, 84, 1),
        (2, 1, 0, "local.get", 83, 1, []),
        (2, 1, 0, "local.get", 82, 1, [i64(3)]),
        (2, 1, 0, "i64.mul", 81, 1, [i64(3), i64(3)]),
        (2, 1, 0, "end", 80, 0, [i64(9)]),
        (1, 0, 1, "end", 80, 0, [i64(9)]),
    ]
    assert all(r["memSize"] == 65536 for r in records if kind(r) == "instruction")
    # offset: where the instruction's opcode is, counted from the module's first byte
    for r in records:
        if kind(r) == "instruction":
            opcode = bytes(instructions.BY_NAME[r["op"]].opcode)
            assert wasm[r["offset"]:r["offset"] + len(opcode)] == opcode, r
    assert records[-1] == {"record": "summary", "records": 20, "instructions": 16, "hostCalls": 0,
                           "fuelUsed": 20, "outcome": {"status": "ok", "results": [i64(9)]}}


def test_values_of_every_type_and_the_stack_bound():
    assert rec.typed_value("f32", 0x3FC00000) == "f32:0x3fc00000"
    assert rec.typed_value("f64", 1) == "f64:0x0000000000000001"
    assert rec.typed_value("funcref", None) == "funcref:null"
    with pytest.raises(rec.TraceError):
        rec.typed_value(None, 1)
    event = rec.InstructionEvent(1, 0, 0, 9, "drop", None, 0, tuple(range(20)), 0, ("i32",) * 20)
    assert rec.instruction_record(event)["stack"] == [f"i32:0x{n:08x}" for n in range(4, 20)]
    with pytest.raises(rec.TraceError):
        rec.instruction_record(event._replace(types=("i32",)))


# ---------------------------------------------------------------------------
# Fuel and gas
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [None, 167, 166, 100, 1, 0])
def test_fuel_in_a_call_trace_sums_to_the_fuel_consumed(tmp_path, budget):
    argv = ["run", str(FIB), "fib", "10", "--json"] + ([] if budget is None else ["--fuel", str(budget)])
    code, out, _err = run_cli(argv)
    outcome = json.loads(out)
    _code, records, _data = traced(argv, tmp_path / "fib.trace")
    after_invoke = records[[kind(r) for r in records].index("invoke") + 1:-1]
    assert sum(charged(r) for r in after_invoke) == outcome["fuel_consumed"] == records[-1]["fuelUsed"]
    if outcome["status"] == "trap":
        assert records[-1]["outcome"] == {"status": "trap", "trap": outcome["trap"]}
        last = after_invoke[-1]
        assert last["cost"] > last["fuel"]  # the charge that did not fit


def frames_of(records: list[dict]):
    """Each frame's records, its own only (a callee's are its own frame's),
    with its frameEnd: ``(frame, own records, frameEnd)``."""
    stack = []
    for record in records:
        if kind(record) == "frame":
            stack.append((record, []))
        elif kind(record) == "frameEnd":
            frame, own = stack.pop()
            yield frame, own, record
            if stack:
                stack[-1][1].append(record)
        elif stack:
            stack[-1][1].append(record)
    assert not stack


def test_each_frames_gas_is_what_its_records_charged(example_traces):
    frames = 0
    for name, (_code, records, _data) in example_traces.items():
        for frame, own, end in frames_of(records):
            assert end["callDepth"] == frame["callDepth"]
            assert sum(charged(r) for r in own) == end["gasUsed"], (name, frame)
            assert end["gasUsed"] <= frame["gasBudget"]
            frames += 1
    assert frames > 1000  # the deep chain's 1,025 frames among them


METERED = {"calldata_copy": (1,), "emit_event": (1, 3), "hash_blake3": (1,), "hash_poseidon2": (1,),
           "hash_keccak256": (1,), "cross_call": (4,), "delegate_call": (4,)}
"""The arguments whose sum is a host function's metered length (ABI §10)."""


def test_host_records_charge_what_the_abi_table_says(example_traces):
    seen = set()
    for name, (_code, records, _data) in example_traces.items():
        for frame, own, _end in frames_of(records):
            callee_gas = None
            for record in own:
                if kind(record) == "frameEnd":
                    callee_gas = record["gasUsed"]
                    continue
                if kind(record) != "host":
                    continue
                fn = record["name"].removeprefix("pyde.")
                row = GAS_TABLE[fn]
                args = [int(a.split(":")[1], 16) for a in record["args"]]
                length = sum(args[i] for i in METERED.get(fn, ()))
                parts = (record["base"], record["perByte"], record["perWord"], record["extra"])
                assert record["gas"] == sum(parts)
                if record["gas"] == 0 and record["raised"] == {"kind": "trap", "trap": "out_of_fuel"}:
                    continue
                # a cross-call's extra is its callee frame's gas (0 when no frame ran)
                extra = {"consume_gas": args[0] if fn == "consume_gas" and args[0] < 2**63 else 0,
                         "cross_call": callee_gas or 0, "delegate_call": callee_gas or 0}.get(fn, 0)
                callee_gas = None
                assert parts == (row.base, row.per_byte * length, row.per_word * words(length), extra), record
                seen.add(fn)
    assert {"sload", "sstore", "calldata_copy", "emit_event", "hash_blake3", "cross_call",
            "delegate_call", "return", "revert"} <= seen


def test_a_waves_summary_counts_its_records_and_gas(example_traces, cli_json):
    _code, records, _data = example_traces[TOKEN_WAVE.name]
    output = cli_json(["wave", str(TOKEN_WAVE), "--json"])
    summary = records[-1]
    assert summary["records"] == len(records) - 1
    assert summary["instructions"] == sum(kind(r) == "instruction" for r in records)
    assert summary["hostCalls"] == sum(kind(r) == "host" for r in records)
    assert summary["fuelUsed"] == sum(r["gas_used"] for r in output["receipts"])
    assert summary["outcome"] == {"status": "applied", "waves": 1, "transactions": len(output["receipts"]),
                                  "stateDigest": output["state_digest"]}
    tx_ends = [r for r in records if kind(r) == "txEnd"]
    assert [(r["status"], r["gasUsed"]) for r in tx_ends] == [(r["status"], r["gas_used"]) for r in output["receipts"]]


# ---------------------------------------------------------------------------
# Determinism, and nothing else changes
# ---------------------------------------------------------------------------


def test_a_trace_is_byte_identical_across_runs_and_hash_seeds(tmp_path, example_traces):
    _code, _records, data = example_traces[TOKEN_WAVE.name]
    for seed in ("1", "2"):
        path = tmp_path / f"seed{seed}.trace"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "pyde_ref.cli", "wave", str(TOKEN_WAVE), "--trace", str(path)],
                       check=True, env=env, capture_output=True, timeout=300)
        assert path.read_bytes() == data


@pytest.mark.parametrize("argv", [["run", str(FIB), "fib", "10", "--json"], ["run", str(FIB), "fib", "10"],
                                  ["wave", str(TOKEN_WAVE), "--json"], ["wave", str(TOKEN_WAVE)]])
def test_tracing_changes_nothing_the_command_prints(tmp_path, argv):
    assert run_cli(argv + ["--trace", str(tmp_path / "t.trace")]) == run_cli(argv) == run_cli(argv + ["--tier", "fast"])
