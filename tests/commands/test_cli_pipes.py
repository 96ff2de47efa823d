"""No command prints a Python traceback (issue 14, item 4): not when its
output goes into a pipe whose reader has stopped (``pyde-ref ... | head``),
not for an exception no command handled."""

from __future__ import annotations

from paths import CONTRACTS, EXAMPLES
import os
import subprocess
import sys

import pytest

from pyde_ref import cli


def _run_into_a_closed_pipe(*argv: str) -> subprocess.CompletedProcess:
    """``pyde-ref ARGV`` with standard output a pipe nobody reads any more."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "pyde_ref.cli", *argv], stdout=write_end,
                              stderr=subprocess.PIPE, timeout=600)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("argv", [
    ["wave", str(CONTRACTS / "token-wave.json"), "--json"],
    ["wave", str(CONTRACTS / "token-wave.json")],
    ["run", str(EXAMPLES / "fib.wasm"), "fib", "10"],
    ["hash", "blake3", "0x00"],
    ["abi", "show", str(CONTRACTS / "token.wasm")],
])
def test_a_reader_that_went_away_ends_the_command_quietly(argv):
    done = _run_into_a_closed_pipe(*argv)
    assert done.stderr == b""
    assert done.returncode == cli.EXIT_BROKEN_PIPE


def test_diff_and_fuzz_into_a_closed_pipe():
    pytest.importorskip("wasmtime")
    for argv in (["diff", "--wave", str(CONTRACTS / "genesis-wave.json")],
                 ["fuzz", "--cases", "2", "--seed", "1", "--no-shrink", "--save", os.devnull]):
        done = _run_into_a_closed_pipe(*argv)
        assert (done.returncode, done.stderr) == (cli.EXIT_BROKEN_PIPE, b""), argv


def test_piped_into_head():
    """The shell form of the issue: ``pyde-ref wave ... --json | head -c 10``."""
    script = f'"{sys.executable}" -m pyde_ref.cli wave "{CONTRACTS / "token-wave.json"}" --json | head -c 10'
    done = subprocess.run(["sh", "-c", script], capture_output=True, timeout=600)
    assert done.stdout == b'{\n  "signa' and b"Traceback" not in done.stderr


def test_an_unhandled_exception_is_one_line(monkeypatch, capsys):
    from pyde_ref.commands import hash as hash_command

    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(hash_command, "main", broken)
    monkeypatch.delenv("PYDE_REF_TRACEBACK", raising=False)
    assert cli.main(["hash", "blake3", "0x00"]) == cli.EXIT_INTERNAL_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" in err and "KeyError" in err


def test_the_traceback_on_request(monkeypatch):
    from pyde_ref.commands import hash as hash_command

    monkeypatch.setattr(hash_command, "main", lambda args: 1 / 0)
    monkeypatch.setenv("PYDE_REF_TRACEBACK", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["hash", "blake3", "0x00"])
