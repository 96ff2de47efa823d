"""The attack corpus of issue 10, run with a memory cap and a timeout.

Each case runs in a child process whose address space is capped
(``RLIMIT_AS``) and which is killed at its timeout; it must end with a
structured error or a clean trap -- never a traceback, a ``MemoryError``, a
hang -- in bounded time and memory.  The module and contract cases are in
``cases.py`` (generated inputs, nothing big checked in); the command-line
cases feed ``pyde-ref`` hostile files: JSON nested 100,000 deep, integers of
5,000 digits, ``NaN``, bytes that are not UTF-8, ``/dev/zero`` as a module
or a document, code paths with a lone surrogate or a NUL, a transaction
``type`` that is a list or an object, conflicting pre-states (the same
address in two letter cases, an account at a contract's address, a contract
at the all-zero address or at a system address).

The 1,024-deep self-call of a contract with 64 MiB of memory is the one case
without an address-space cap (each frame's memory is a 64 MiB reservation,
64 GiB in all, of which only touched pages are committed): its peak resident
memory must stay under 1 GiB.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from paths import CONTRACTS, REPO
from pyde_ref.state.system import PARACHAINS

HERE = Path(__file__).resolve().parent
GIB = 1 << 30
ADDRESS_SPACE_CAP = 4 * GIB
"""The address space of a child: far below what the unbounded behaviour asked for (tens of GiB)."""

FRAME_RSS_LIMIT_KIB = 1 << 20
"""Issue 10: 1,024 nested 64 MiB frames run under 1 GiB of resident memory."""


def capped(argv: list, timeout: float, address_space: int | None = ADDRESS_SPACE_CAP, cwd=None):
    """Run ``argv`` with the address space capped and a timeout; (exit status, stdout, stderr)."""

    def limit():
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, preexec_fn=limit, cwd=cwd,
                          env=env, check=False)
    return done.returncode, done.stdout, done.stderr


def run_case(name: str, timeout: float = 240, address_space: int | None = ADDRESS_SPACE_CAP) -> dict:
    code, out, err = capped([sys.executable, str(HERE / "cases.py"), name], timeout, address_space)
    assert code == 0 and "Traceback" not in err, f"{name}: exit {code}\n{err[-2000:]}"
    return json.loads(out.strip().splitlines()[-1])


CASE_OUTCOMES = {
    "straight_line_1mib": "ok",
    "functions_512kib": "ok",
    "nesting_1mib": "ok",
    "br_table_2mib": "ok",
    "globals_elems_datas_512kib": "ok",
    "counts_over_the_limits": "LimitExceeded",
    "ten_mib_of_nops": "LimitExceeded",
    "locals_50000_called_often": "ok",
    "huge_table_instantiated_often": "ok",
    "big_memory_instantiated_often": "ok",
    "looping_start_function": "Uninstantiable:out_of_fuel",
    "deep_wasm_recursion": "trap:call_stack_exhausted",
    "bulk_memory_of_64_mib": "ok",
    "poseidon2_of_4_mib": "success",
}


SLOW_CASES = {"straight_line_1mib", "functions_512kib", "nesting_1mib", "br_table_2mib",
              "globals_elems_datas_512kib", "poseidon2_of_4_mib"}
"""Cases of several seconds each (a megabyte module on both tiers, 15 M gas of hashing)."""


@pytest.mark.parametrize("name", [pytest.param(name, marks=[pytest.mark.slow] if name in SLOW_CASES else [])
                                  for name in sorted(CASE_OUTCOMES)])
def test_module_and_contract_cases(name):
    result = run_case(name)
    assert result["outcome"] == CASE_OUTCOMES[name], result
    assert result["maxrss_kib"] < 1.5 * GIB / 1024, result


@pytest.mark.parametrize("case", ["deep_self_calls_with_64_mib_memory", "deep_self_calls_reading_tier"])
def test_1024_nested_frames_of_64_mib_memory_stay_under_1_gib(case):
    result = run_case(case, address_space=None)
    assert result["outcome"] == "success" and result["return"] == "00000000", result
    assert result["maxrss_kib"] < FRAME_RSS_LIMIT_KIB, result


# -- the command line ------------------------------------------------------------


def pyde_ref(*args, cwd=None, timeout: float = 120):
    return capped([sys.executable, "-m", "pyde_ref.cli", *map(str, args)], timeout, cwd=cwd)


def assert_structured(code: int, out: str, err: str, status: int) -> str:
    """One line of error, the documented exit status, no traceback."""
    assert code == status, (code, out, err)
    assert "Traceback" not in err and "internal error" not in err and "MemoryError" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    (d / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (d / "deep-object.json").write_text('{"a":' * 5_000 + "1" + "}" * 5_000)
    (d / "big-integer.json").write_text('{"unsigned": true, "context": {"chain_id": ' + "9" * 5_000 + "}}")
    (d / "nan.json").write_text('{"unsigned": true, "context": {"chain_id": NaN}}')
    (d / "infinite.json").write_text('{"unsigned": true, "context": {"chain_id": 1e400}}')
    (d / "not-utf8.json").write_bytes(b'{"unsigned": true, "\xff": 1}')
    (d / "abi-not-utf8.json").write_bytes(b'{"functions": [{"name": "\xff"}]}')
    (d / "nops.wasm").write_bytes(b"\0asm\1\0\0\0" + b"\x01" * (10 << 20))
    base = json.loads((CONTRACTS / "genesis-wave.json").read_text())
    contract = next(iter(base["contracts"]))
    variants = {
        "type-list": lambda b: b["txs"][0].update(type=["call"]),
        "type-object": lambda b: b["txs"][0].update(type={"call": 1}),
        "code-surrogate": lambda b: b["contracts"][contract].update(code="\ud800.wasm"),
        "code-nul": lambda b: b["contracts"][contract].update(code="a\u0000b.wasm"),
        "code-dev-zero": lambda b: b["contracts"][contract].update(code="/dev/zero"),
        "code-too-large": lambda b: b["contracts"][contract].update(code="nops.wasm"),
        "function-surrogate": lambda b: b["txs"][0].update(function="\ud800"),
        "case-twin-contracts": lambda b: b["contracts"].update({"0x" + "ab" * 32: {"code": "token.wasm"},
                                                                "0x" + "AB" * 32: {"code": "token.wasm"}}),
        "case-twin-accounts": lambda b: b.setdefault("accounts", {}).update({"0x" + "cd" * 32: {"balance": 10**30},
                                                                             "0x" + "CD" * 32: {"balance": 5}}),
        "account-at-contract": lambda b: b.setdefault("accounts", {}).update({contract.upper().replace("0X", "0x"):
                                                                              {"balance": 1}}),
        "contract-at-zero": lambda b: b["contracts"].update({"0x" + "00" * 32: {"code": "token.wasm"}}),
        "contract-at-parachains": lambda b: b["contracts"].update({"0x" + PARACHAINS.hex(): {"code": "token.wasm"}}),
    }
    for name, change in variants.items():
        doc = json.loads(json.dumps(base))
        change(doc)
        (d / f"{name}.json").write_text(json.dumps(doc))
    for module in CONTRACTS.glob("*.wasm"):
        (d / module.name).write_bytes(module.read_bytes())
    return d


@pytest.mark.parametrize("command", ["wave", "chain"])
@pytest.mark.parametrize("name, words", [
    ("deep", "nested 100000 deep"), ("deep-object", "nested 5000 deep"),
    ("big-integer", "5000 digits"), ("nan", "NaN is not JSON"), ("infinite", "too large"),
    ("not-utf8", "not UTF-8"),
])
def test_documents_that_are_not_json_pyde_ref_reads(hostile_files, command, name, words):
    line = assert_structured(*pyde_ref(command, hostile_files / f"{name}.json"), status=2)
    assert words in line


@pytest.mark.parametrize("name, field", [
    ("type-list", "txs[0].type"), ("type-object", "txs[0].type"),
    ("code-surrogate", ".code"), ("code-nul", ".code"), ("code-dev-zero", ".code"), ("code-too-large", ".code"),
    ("function-surrogate", "txs[0].function"), ("case-twin-contracts", "contracts["),
    ("case-twin-accounts", "accounts[0x" + "CD" * 32), ("account-at-contract", "accounts["),
    ("contract-at-zero", "contracts[0x" + "00" * 32), ("contract-at-parachains", "contracts[0x" + PARACHAINS.hex()),
])
def test_hostile_wave_fields_name_their_json_path(hostile_files, name, field):
    line = assert_structured(*pyde_ref("wave", hostile_files / f"{name}.json"), status=2)
    assert field in line


@pytest.mark.parametrize("argv, status", [
    (["run", "/dev/zero", "f"], 2),
    (["run", "nops.wasm", "f"], 2),
    (["run", "token.wasm", "f", "--fuel", "9" * 5000], 2),
    (["wave", "/dev/zero"], 1),
    (["diff", "--contract", "/dev/zero", "--function", "f"], 2),
    (["diff", "--contract", "token.wasm", "--function", "f", "--state", "deep.json"], 2),
    (["diff", "--contract", "token.wasm", "--function", "f", "--state", "big-integer.json"], 2),
    (["abi", "embed", "token.wasm", "abi-not-utf8.json", "-o", "out.wasm"], 2),
    (["abi", "embed", "token.wasm", "deep.json", "-o", "out.wasm"], 2),
    (["abi", "show", "/dev/zero"], 2),
    (["abi", "check", "nops.wasm"], 2),
])
def test_hostile_files_get_one_line_and_an_exit_status(hostile_files, argv, status):
    code, out, err = pyde_ref(*argv, cwd=hostile_files)
    if argv[0] == "run":  # run reports on stdout or stderr as --json is given or not
        assert code == status and "Traceback" not in err and "internal error" not in err, err
        assert len((out + err).strip().splitlines()) == 1
    else:
        assert_structured(code, out, err, status)


@pytest.fixture(scope="module")
def hostile_sources(hostile_files):
    """Fixture-source directories for ``fill --src``, one hostile file each,
    and trace files for ``tracediff``."""
    sources = {
        "src-deep": ("deep.json", (hostile_files / "deep.json").read_bytes()),
        "src-big-integer": ("big.json", b'{"fixtures": [{"name": "x", "document": {"txs": ' + b"9" * 5_000
                            + b"}}]}"),
        "src-not-utf8": ("utf8.json", b'{"fixtures": [{"name": "\xff"}]}'),
        "src-entry": ("entry.json", b'{"fixtures": [5]}'),
        "src-dev-zero": ("zero.json", None),
    }
    for directory, (name, content) in sources.items():
        (hostile_files / directory).mkdir(exist_ok=True)
        if content is None:
            (hostile_files / directory / name).symlink_to("/dev/zero")
        else:
            (hostile_files / directory / name).write_bytes(content)
    (hostile_files / "deep.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n")
    (hostile_files / "big-integer.jsonl").write_text('{"fuel": ' + "9" * 5_000 + "}\n")
    (hostile_files / "not-utf8.jsonl").write_bytes(b'{"op": "\xff"}\n')
    return hostile_files


NEW_COMMANDS = [
    # consume: fixtures are read as every document is
    (["consume", "deep.json"], "pyde-ref consume: deep.json: not a JSON document (nested 100000 deep"),
    (["consume", "big-integer.json"], "an integer of 5000 digits (at most 40)"),
    (["consume", "not-utf8.json"], "not-utf8.json: not a JSON document (not UTF-8"),
    (["consume", "/dev/zero"], "pyde-ref consume: cannot read /dev/zero: larger than"),
    # fill: fixture sources
    (["fill", "--check", "--out", "out", "--src", "src-deep"], "src-deep/deep.json: not a JSON document (nested"),
    (["fill", "--check", "--out", "out", "--src", "src-big-integer"], "big.json: not a JSON document (an integer"),
    (["fill", "--check", "--out", "out", "--src", "src-not-utf8"], "utf8.json: not a JSON document (not UTF-8"),
    (["fill", "--check", "--out", "out", "--src", "src-entry"], "entry.json: fixtures[0]: expected an object"),
    (["fill", "--check", "--out", "out", "--src", "src-dev-zero"], "cannot read src-dev-zero/zero.json: larger"),
    (["fill", "--check", "--out", "out", "--src", "no-such-dir"], "cannot read the source directory no-such-dir"),
    # tracediff: traces, line by line
    (["tracediff", "deep.jsonl", "deep.jsonl"], "deep.jsonl line 1: not JSON (nested 100000 deep"),
    (["tracediff", "big-integer.jsonl", "big-integer.jsonl"], "line 1: not JSON (an integer of 5000 digits"),
    (["tracediff", "not-utf8.jsonl", "not-utf8.jsonl"], "not-utf8.jsonl line 1: not UTF-8"),
    (["tracediff", "/dev/zero", "/dev/zero"], "/dev/zero line 1: longer than"),
    # fuel-diff: documents
    (["fuel-diff", "deep.json"], "deep.json: not a JSON document (nested 100000 deep"),
    (["fuel-diff", "big-integer.json"], "an integer of 5000 digits"),
    (["fuel-diff", "not-utf8.json"], "not a JSON document (not UTF-8"),
    (["fuel-diff", "/dev/zero"], "cannot read /dev/zero: larger than"),
    # spectest: a directory that is not a test suite, a file
    (["spectest", "src-entry"], "no .wast files in src-entry"),
    (["spectest", "deep.json"], "deep.json is not a test-suite directory (a file)"),
    (["spectest", "/dev/zero"], "/dev/zero is not a test-suite directory (a file)"),
    # diff and abi: huge integers, non-hex calldata, /dev/zero
    *[(["diff", "--contract", "token.wasm", "--function", "f", option, "9" * 5_000],
       f"{option}: decimal string too long") for option in ("--value", "--gas", "--balance")],
    (["diff", "--contract", "token.wasm", "--function", "f", "--calldata", "0xzz"], "--calldata: not a hex string"),
    (["abi", "show", "/dev/zero"], "pyde-ref abi: cannot read /dev/zero: larger than"),
]


@pytest.mark.parametrize("argv, words", NEW_COMMANDS, ids=[" ".join(w if len(w) < 30 else w[:4] + "..." for w in a) for a, _ in NEW_COMMANDS])
def test_every_command_refuses_hostile_files_in_one_line(hostile_sources, argv, words):
    """consume, fill, tracediff, fuel-diff, spectest (and diff's numbers,
    abi's unreadable module): deep JSON, huge integers, bytes that are not
    UTF-8, ``/dev/zero`` -- one line naming the file and the limit, exit 2."""
    line = assert_structured(*pyde_ref(*argv, cwd=hostile_sources), status=2)
    assert words in line, line
