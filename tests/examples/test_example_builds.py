"""The examples built by real compilers (``examples/c/``,
``examples/assemblyscript/``): the checked-in modules are what the build
scripts produce, byte for byte, when the compiler they were built with is
installed (skipped with the reason otherwise); every other clang version
installed builds modules that deploy and run the waves the same way; and
``pyde.h`` declares exactly the ABI v1.0 imports and error codes."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from paths import EXAMPLES, REPO
from pyde_ref.abi.constants import ERROR_CODES
from pyde_ref.abi.registry import HOST_FUNCTIONS
from pyde_ref.cli import main
from pyde_ref.executor.deploy import validate_deploy
from pyde_ref.wasm import MalformedModule, decode_module, validate_module

C_DIR = EXAMPLES / "c"
AS_DIR = EXAMPLES / "assemblyscript"
C_CONTRACTS = ("token", "wallet", "compute", "deep-chain")
C_WAVES = ("token", "wallet", "compute", "deep-chain")
PINNED_CLANG = "clang-19"

PYDE_REF = f"{sys.executable} -m pyde_ref.cli"


def require_clang(clang: str) -> None:
    """Skip unless ``clang-N`` and its linker ``wasm-ld-N`` are installed."""
    version = clang.split("-")[1]
    if shutil.which(clang) is None or shutil.which(f"wasm-ld-{version}") is None:
        pytest.skip(f"{clang} is not installed (apt-get install {clang} lld-{version})")


def run_build(script, env: dict) -> None:
    result = subprocess.run(["sh", str(script)], env={**os.environ, **env, "PYDE_REF": PYDE_REF},
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


def version_line(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()[0]


def statuses(wave_path) -> list[tuple[str, str, str]]:
    """(status, return data, revert reason) of every receipt: what must not
    depend on the compiler (gas does)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["wave", str(wave_path), "--json"]) == 0
    return [(r["status"], r["return_data"], r["revert_reason"])
            for r in json.loads(out.getvalue())["receipts"]]


# ---------------------------------------------------------------------------
# C
# ---------------------------------------------------------------------------


def test_c_rebuild_is_byte_identical(tmp_path):
    require_clang(PINNED_CLANG)
    recorded = (C_DIR / "compiler-version.txt").read_text().strip()
    installed = version_line([PINNED_CLANG, "--version"])
    if installed != recorded:
        pytest.skip(f"the modules were built with {recorded!r}, the installed compiler is {installed!r}")
    run_build(C_DIR / "build.sh", {"CLANG": PINNED_CLANG, "OUT": str(tmp_path)})
    for name in C_CONTRACTS:
        assert (tmp_path / f"{name}.wasm").read_bytes() == (C_DIR / f"{name}.wasm").read_bytes(), name
    assert (tmp_path / "compiler-version.txt").read_text().strip() == recorded


@pytest.mark.parametrize("clang", ["clang-14", "clang-16", "clang-19", "clang-22"])
def test_c_examples_build_and_run_with_each_clang(clang, tmp_path):
    """The documented flags keep every clang we tried within pyde-v1, and the
    waves give the same statuses, return data and revert reasons."""
    require_clang(clang)
    run_build(C_DIR / "build.sh", {"CLANG": clang, "OUT": str(tmp_path)})
    for name in C_CONTRACTS:
        validate_deploy((tmp_path / f"{name}.wasm").read_bytes())
    for wave in C_WAVES:
        shutil.copy(C_DIR / f"{wave}-wave.json", tmp_path)
        assert statuses(tmp_path / f"{wave}-wave.json") == statuses(C_DIR / f"{wave}-wave.json"), wave


# The guide's table of clang versions: what each does to a call through a
# function pointer (a call_indirect), with and without the flags it names.

CALL_INDIRECT_C = """
typedef int (*step)(int);
static int add_one(int x) { return x + 1; }
static int triple(int x) { return x * 3; }
static step steps[2] = {add_one, triple};
__attribute__((export_name("run"))) int run(int i, int x) { return steps[i & 1](x); }
"""

NO_REFERENCE_TYPES = ("-mno-reference-types",)
NOT_OVERLONG = ("-mno-reference-types", "-mno-call-indirect-overlong")
MVP = ("-mcpu=mvp",)


@pytest.mark.parametrize("clang, flags, accepted", [
    ("clang-14", (), True), ("clang-14", MVP, True),
    ("clang-16", (), True), ("clang-16", MVP, True),
    ("clang-19", (), False), ("clang-19", NO_REFERENCE_TYPES, True), ("clang-19", MVP, True),
    ("clang-22", (), False), ("clang-22", NO_REFERENCE_TYPES, False), ("clang-22", NOT_OVERLONG, True),
    ("clang-22", MVP, True),
])
def test_call_indirect_under_each_clangs_flags(clang, flags, accepted, tmp_path):
    """spec/authoring.md's version table, row by row: refused means the
    padded table index of reference-types' call_indirect encoding."""
    require_clang(clang)
    (tmp_path / "f.c").write_text(CALL_INDIRECT_C)
    subprocess.run([clang, "--target=wasm32", *flags, "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,--strip-all",
                    "-o", str(tmp_path / "f.wasm"), str(tmp_path / "f.c")], check=True, capture_output=True)
    try:
        validate_module(decode_module((tmp_path / "f.wasm").read_bytes()))
    except MalformedModule as error:
        assert not accepted and "zero byte expected" in str(error)
    else:
        assert accepted


# The header, against the registry (always runs: it reads the text)

C_TYPES = {"int32_t": "i32", "uint32_t": "i32", "int64_t": "i64", "uint64_t": "i64", "void": None}
PROTOTYPE = re.compile(r"PYDE_IMPORT\((\w+)\)\s*(?:__attribute__\(\(noreturn\)\)\s*)?(\w+)\s+pyde_\w+\((.*?)\);",
                       re.S)


def wasm_type_of_parameter(param: str) -> str:
    param = param.strip()
    if "*" in param or "[" in param:
        return "i32"  # a pointer on wasm32
    return C_TYPES[param.split()[-2] if len(param.split()) > 1 else param]


def test_header_declares_every_core_function_with_its_type():
    text = (C_DIR / "pyde.h").read_text()
    declared = {}
    for name, result, params in PROTOTYPE.findall(text):
        params = [] if params.strip() == "void" else params.split(",")
        declared[name] = (tuple(wasm_type_of_parameter(p) for p in params),
                          () if C_TYPES[result] is None else (C_TYPES[result],))
    core = {n: d for n, d in HOST_FUNCTIONS.items() if not d.parachain_only}
    assert set(declared) == set(core)
    for name, defn in core.items():
        assert declared[name] == (defn.type.params, defn.type.results), name


def test_header_error_codes_are_the_abi_table():
    text = (C_DIR / "pyde.h").read_text()
    codes = {int(v): "ERR_" + k for k, v in re.findall(r"#define PYDE_ERR_(\w+) \((-\d+)\)", text)}
    assert codes == ERROR_CODES


# ---------------------------------------------------------------------------
# AssemblyScript
# ---------------------------------------------------------------------------


def test_assemblyscript_rebuild_is_byte_identical(tmp_path):
    asc = AS_DIR / "node_modules" / ".bin" / "asc"
    if shutil.which("npx") is None or not asc.exists():
        pytest.skip("AssemblyScript is not installed (cd examples/assemblyscript && npm ci)")
    recorded = (AS_DIR / "compiler-version.txt").read_text().strip()
    pinned = json.loads((AS_DIR / "package.json").read_text())["devDependencies"]["assemblyscript"]
    assert recorded == f"Version {pinned}"
    run_build(AS_DIR / "build.sh", {"OUT": str(tmp_path)})
    assert (tmp_path / "counter.wasm").read_bytes() == (AS_DIR / "counter.wasm").read_bytes()
    assert (tmp_path / "compiler-version.txt").read_text().strip() == recorded


def test_assemblyscript_version_is_pinned_in_the_lock_file():
    lock = json.loads((AS_DIR / "package-lock.json").read_text())
    pinned = json.loads((AS_DIR / "package.json").read_text())["devDependencies"]["assemblyscript"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "an exact version, not a range"
    assert lock["packages"]["node_modules/assemblyscript"]["version"] == pinned


def test_examples_directory_is_in_sync_with_the_guide():
    """Every build command the guide gives exists."""
    guide = (REPO / "spec" / "authoring.md").read_text(encoding="utf-8")
    for script in ("examples/c/build.sh", "examples/assemblyscript/build.sh"):
        assert script in guide and (REPO / script).exists()
