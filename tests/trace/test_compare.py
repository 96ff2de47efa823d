"""``pyde-ref tracediff A B``: the first record where two traces differ, with
context, field by field; traces of different lengths; identical traces;
and every malformed input a clear one-line error with exit status 2."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

import pytest

from paths import CONTRACTS
from pyde_ref.cli import main
from pyde_ref.trace.compare import MAX_LINE_BYTES

TOKEN_WAVE = str(CONTRACTS / "token-wave.json")


def tracediff(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["tracediff", *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def token_trace(tmp_path_factory):
    path = tmp_path_factory.mktemp("trace") / "token.trace"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["wave", TOKEN_WAVE, "--trace", str(path)]) == 0
    return path


def variant(tmp_path, lines: list[str], name: str = "b.trace"):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_trace_is_identical_to_itself(token_trace):
    code, out, err = tracediff(token_trace, token_trace)
    records = len(token_trace.read_text().splitlines())
    assert (code, out, err) == (0, f"identical: {records} records\n", "")


def test_one_altered_record_is_found_with_its_context_and_fields(tmp_path, token_trace):
    lines = token_trace.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if '"op":"i32.add"' in line and i > 500)
    record = json.loads(lines[at])
    altered = {**record, "fuel": record["fuel"] - 1, "stack": record["stack"][:-1]}
    changed = lines[:at] + [json.dumps(altered, separators=(",", ":"))] + lines[at + 1:]
    code, out, _err = tracediff(token_trace, variant(tmp_path, changed), "--context", "2")
    assert code == 1
    report = out.splitlines()
    assert report[0].startswith(f"traces differ at record {at + 1} ")
    assert report[1:4] == ["context (the same in both):", f"  {at - 1}: {lines[at - 2]}", f"  {at}: {lines[at - 1]}"]
    assert report[4] == f"A {at + 1}: {lines[at]}"
    assert report[6:] == ["fields that differ:",
                          f"  fuel: A {record['fuel']} | B {record['fuel'] - 1}",
                          f"  stack: A {json.dumps(record['stack'], separators=(',', ':'))} | "
                          f"B {json.dumps(record['stack'][:-1], separators=(',', ':'))}"]


def test_a_truncated_trace_differs_where_it_ends(tmp_path, token_trace):
    lines = token_trace.read_text().splitlines()
    short = variant(tmp_path, lines[:100])
    code, out, _err = tracediff(token_trace, short)
    assert code == 1
    assert f"A 101: {lines[100]}" in out.splitlines() and "B: no record 101 (B ends after 100 records)" in out
    code, out, _err = tracediff(short, token_trace, "--context", "0")
    assert code == 1 and "A: no record 101 (A ends after 100 records)" in out and "context" not in out
    empty = variant(tmp_path, [], "empty.trace")
    assert tracediff(empty, empty)[:2] == (0, "identical: 0 records\n")
    assert tracediff(empty, short)[0] == 1


def test_records_compare_as_json_values(tmp_path):
    a = variant(tmp_path, ['{"op":"nop","fuel":1,"stack":[]}'], "a.trace")
    assert tracediff(a, variant(tmp_path, ['{ "stack": [], "fuel": 1, "op": "nop" }']))[0] == 0
    for other in ('{"op":"nop","fuel":true,"stack":[]}', '{"op":"nop","fuel":1.5,"stack":[]}',
                  '{"op":"nop","fuel":1}', '{"op":"nop","fuel":1,"stack":[],"x":null}'):
        code, out, _err = tracediff(a, variant(tmp_path, [other]))
        assert code == 1 and "fields that differ:" in out, other
    code, out, _err = tracediff(a, variant(tmp_path, ['{"op":"nop","fuel":1}']))
    assert "  stack: A [] | B (absent)" in out


@pytest.mark.parametrize("content,fragment", [
    (b"not json\n", "line 1: not JSON"),
    (b'{"op":"nop"}\n[1, 2]\n', "line 2: a JSON list, not an object"),
    (b'{"op":"nop","op":"end"}\n', "line 1: not JSON (duplicate key 'op')"),
    (b'{"fuel":NaN}\n', "line 1: not JSON (NaN is not JSON)"),
    (b'{"op":"nop"}\n\n{"op":"nop"}\n', "line 2: an empty line"),
    (b'{"op":"\xff"}\n', "line 1: not UTF-8"),
    (b"[" * 100_000 + b"\n", "line 1:"),
    (b'{"n":' + b"9" * 5000 + b"}\n", "line 1: not JSON"),
    (b'{"s":"' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n', f"line 1: longer than {MAX_LINE_BYTES} bytes"),
])
def test_a_malformed_line_is_a_clear_error(tmp_path, token_trace, content, fragment):
    """Lines are read up to the first difference: a malformed line the
    comparison reaches is an error, in either trace."""
    bad = tmp_path / "bad.trace"
    bad.write_bytes(content)
    copy = tmp_path / "copy.trace"
    copy.write_bytes(content)
    cases = [(bad, copy)] + ([(token_trace, bad), (bad, token_trace)] if "line 1" in fragment else [])
    for argv in cases:
        code, out, err = tracediff(*argv)
        assert code == 2 and out == ""
        malformed = argv[1] if argv[0] == token_trace else argv[0]
        assert err.startswith(f"pyde-ref tracediff: {malformed} line ") and fragment in err
        assert "Traceback" not in err and len(err.splitlines()) == 1


def test_usage_errors(tmp_path, token_trace):
    assert tracediff(tmp_path / "missing.trace", token_trace)[0] == 2
    assert "cannot read" in tracediff(tmp_path / "missing.trace", token_trace)[2]
    assert tracediff(tmp_path, token_trace)[0] == 2  # a directory
    assert "at most one" in tracediff("-", "-")[2]
    assert "--context must be 0 or more" in tracediff(token_trace, token_trace, "--context", "-1")[2]
    with pytest.raises(SystemExit) as exit_:
        with contextlib.redirect_stderr(io.StringIO()):
            main(["tracediff", str(token_trace)])
    assert exit_.value.code == 2


def test_one_trace_from_standard_input(token_trace):
    result = subprocess.run([sys.executable, "-m", "pyde_ref.cli", "tracediff", "-", str(token_trace)],
                            input=token_trace.read_bytes(), capture_output=True, timeout=300)
    assert result.returncode == 0 and result.stdout.startswith(b"identical: ")
