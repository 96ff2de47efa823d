"""``pyde-ref hash {blake3|keccak256|poseidon2} 0xHEX``."""

from __future__ import annotations

from paths import VECTORS
import json
import subprocess
import sys

import pytest

from pyde_ref import cli

PINNED = json.loads((VECTORS / "hashes.json").read_text())


def run(capsys, *argv):
    code = cli.main(["hash", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("algorithm", ["blake3", "keccak256", "poseidon2"])
@pytest.mark.parametrize("case", [c for c in PINNED["cases"] if len(c["input"]) <= 600][:12],
                         ids=lambda c: c["name"])
def test_prints_the_pinned_digest(capsys, algorithm, case):
    code, out, err = run(capsys, algorithm, case["input"])
    assert (code, out, err) == (0, case[algorithm] + "\n", "")


def test_empty_input_and_uppercase(capsys):
    assert run(capsys, "keccak256", "0x")[1] == (
        "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470\n"
    )
    assert run(capsys, "blake3", "0XABCD")[1] == run(capsys, "blake3", "0xabcd")[1]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["sha256", "0x00"], "unknown algorithm 'sha256'"),
        (["blake3", "00"], "must start with 0x"),
        (["blake3", "0x0"], "odd number of hex digits"),
        (["blake3", "0xzz"], "non-hex character 'z'"),
        (["blake3", "0x00 11"], "non-hex character ' '"),
    ],
)
def test_input_errors_exit_2_with_one_clear_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["hash", "blake3"])
    assert info.value.code == 2


def test_console_entry_point_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "pyde_ref.cli", "hash", "poseidon2", "0x0"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "pyde_ref.cli", "hash", "poseidon2", "0x"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == "0x1012512f56ef7d3aa0766475f9fa0aab140aff69c25caf8fba41cd7cc88f81d6"
