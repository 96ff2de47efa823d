"""Deploy rejections that say what to do (issue 15 item 3): each refused
module gets its named reason *and* a hint naming the feature and the
compiler flag, or the toolchain fix, or the entry convention with a link to
the author's guide.  Checked on :class:`DeployRejected`, through a deploy in
a wave (the receipt's reason and the ``pyde-ref wave`` summary), and in the
output of ``pyde-ref abi check`` / ``abi embed``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from paths import REPO
from pyde_ref.abi.registry import HOST_FUNCTIONS
from pyde_ref.cli import main
from pyde_ref.executor import hints
from pyde_ref.executor.deploy import DeployRejected, validate_deploy
from pyde_ref.executor.testing import build_contract, import_lines
from pyde_ref.wasm import features
from wasm_builders import code_entry, code_section, func_section, module, section, type_section, vec, wat

GUIDE = "spec/authoring.md"


def padded_call_indirect() -> bytes:
    """What wasm-ld writes once reference types are on (clang >= 19's
    default): ``call_indirect``'s table index as a five-byte LEB128 zero."""
    table = section(4, vec([b"\x70\x00\x01"]))  # one funcref table, min 1
    body = b"\x41\x00" + b"\x11\x00" + b"\x80\x80\x80\x80\x00"  # i32.const 0; call_indirect 0 0(padded)
    return module(type_section(b"\x60\x00\x00"), func_section(0), table,
                  code_section(code_entry(body)))


def padded_memory_grow() -> bytes:
    """``memory.grow`` with its memory index as a padded zero: the
    multi-memory encoding."""
    memory = section(5, vec([b"\x00\x01"]))  # one memory, min 1 page
    body = b"\x41\x00" + b"\x40" + b"\x80\x00" + b"\x1a"  # i32.const 0; memory.grow 0(padded); drop
    return module(type_section(b"\x60\x00\x00"), func_section(0), memory,
                  code_section(code_entry(body)))


def simd_module() -> bytes:
    return wat("""(module (memory (export "memory") 1)
      (func (export "f") (drop (v128.const i64x2 0 0))))""")


def two_tables_module() -> bytes:
    """table.copy between two tables: a bulk table operation beyond pyde-v1's one table."""
    return wat("""(module (memory (export "memory") 1) (table 1 funcref) (table 1 funcref)
      (func (export "f") (table.copy 1 0 (i32.const 0) (i32.const 0) (i32.const 0))))""")


def as_abort_module() -> bytes:
    """What the ABI §12.3 AssemblyScript command produces: an env.abort import."""
    return build_contract(f"""(module
      (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
      {import_lines(["sstore"])}
      (memory (export "memory") 1)
      (func (export "store")))""", ["store"])


def wasi_module() -> bytes:
    return build_contract("""(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "run")))""", ["run"])


def libc_module() -> bytes:
    """clang with -Wl,--allow-undefined and no memcpy of its own."""
    return build_contract("""(module
      (import "env" "memcpy" (func (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "run")))""", ["run"])


def misspelt_pyde_module() -> bytes:
    return build_contract("""(module
      (import "pyde" "calldata_cpy" (func (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "run")))""", ["run"])


def entry_returning_i32() -> bytes:
    """The ABI §12 examples' entry: ``store_and_read() -> i32``."""
    return build_contract("""(module (memory (export "memory") 1)
      (func (export "store_and_read") (result i32) (i32.const 0)))""", ["store_and_read"])


# (name, module, reason, fragments the message must contain)
CASES = [
    ("padded-zero-byte", padded_call_indirect, "Malformed",
     ["zero byte expected", "reference-types", "clang -mcpu=mvp", "wasm32v1-none",
      f"{GUIDE}#compiler-flags"]),
    ("padded-memory-index", padded_memory_grow, "Malformed",
     ["zero byte expected", "a padded index is the multi-memory encoding", "one memory only"]),
    ("simd", simd_module, "UnsupportedFeature", ["simd is outside pyde-v1", "-msimd128"]),
    ("two-tables", two_tables_module, "UnsupportedFeature",
     ["reference-types is outside pyde-v1", "clang -mcpu=mvp"]),
    ("env-abort", as_abort_module, "ForbiddenImport",
     ["env::abort", "--use abort=", "--runtime stub", f"{GUIDE}#imports"]),
    ("wasi", wasi_module, "ForbiddenImport", ["wasi_snapshot_preview1::fd_write", "--target=wasm32 -nostdlib"]),
    ("libc", libc_module, "ForbiddenImport", ["env::memcpy", "examples/c/pyde.h"]),
    ("misspelt-pyde", misspelt_pyde_module, "ForbiddenImport", ["did you mean pyde::calldata_copy?"]),
    ("bad-entry", entry_returning_i32, "BadEntrySignature",
     ["store_and_read has type [] -> [i32]", "has wasm type [] -> []", "pyde::calldata_size/calldata_copy",
      "pyde::return", f"{GUIDE}#entry-points"]),
]
IDS = [c[0] for c in CASES]


@pytest.fixture(scope="module")
def built(wasm_tools):
    return {name: make() for name, make, _, _ in CASES}


@pytest.mark.parametrize("name,_make,reason,fragments", CASES, ids=IDS)
def test_rejection_names_reason_and_hint(built, name, _make, reason, fragments):
    with pytest.raises(DeployRejected) as info:
        validate_deploy(built[name])
    exc = info.value
    assert exc.reason == reason
    assert exc.hint
    message = str(exc)
    assert message.startswith(f"DeployRejected: {reason}(")
    assert f"; hint: {exc.hint}" in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def wave_of_deploys(codes: list[bytes]) -> dict:
    sender = "0x" + "a1" * 32
    return {
        "unsigned": True,
        "context": {"chain_id": 1, "block_height": 1, "wave_id": 1, "block_timestamp": 1, "base_fee": 1},
        "accounts": {sender: {"balance": "1000000000"}},
        "contracts": {},
        "txs": [{"type": "deploy", "from": sender, "code": "0x" + code.hex(), "gas_limit": 100000}
                for code in codes],
    }


def test_hints_reach_the_receipts_of_a_wave(built, tmp_path, capsys):
    document = tmp_path / "wave.json"
    document.write_text(json.dumps(wave_of_deploys([built[name] for name in IDS])))
    assert main(["wave", str(document), "--json"]) == 0
    receipts = json.loads(capsys.readouterr().out)["receipts"]
    for receipt, (name, _make, reason, fragments) in zip(receipts, CASES):
        assert receipt["status"] == "rejected", name
        assert receipt["reason"].startswith(f"DeployRejected: {reason}("), name
        for fragment in fragments:
            assert fragment in receipt["reason"], (name, fragment)
    # the summary prints the same reason, hint included
    assert main(["wave", str(document)]) == 0
    summary = [line for line in capsys.readouterr().out.splitlines() if line.startswith("tx ")]
    for line, (name, _make, _reason, fragments) in zip(summary, CASES):
        assert "rejected" in line and all(f in line for f in fragments), (name, line)


def test_hints_in_abi_check_and_embed(built, tmp_path, capsys):
    abi = tmp_path / "abi.json"
    abi.write_text(json.dumps({"functions": [{"name": "store_and_read", "attributes": ["entry"]}]}))
    for name, _make, reason, fragments in CASES:
        path = tmp_path / f"{name}.wasm"
        path.write_bytes(built[name])
        assert main(["abi", "check", str(path)]) == 1
        out = capsys.readouterr().out
        assert out.startswith(f"DeployRejected: {reason}(")
        assert all(f in out for f in fragments), (name, out)
    # embed refuses what deploy would refuse, with the hint (the §12 entry)
    source = tmp_path / "entry.wat"
    source.write_text('(module (memory (export "memory") 1) (func (export "store_and_read") (result i32) (i32.const 0)))')
    assert main(["abi", "embed", str(source), str(abi), "-o", str(tmp_path / "out.wasm")]) == 1
    err = capsys.readouterr().err
    assert "BadEntrySignature" in err and f"{GUIDE}#entry-points" in err


def test_genesis_contract_refusal_carries_the_hint(built, tmp_path, capsys):
    document = wave_of_deploys([])
    document["contracts"] = {"0x" + "70" * 32: {"code": "0x" + built["env-abort"].hex()}}
    path = tmp_path / "wave.json"
    path.write_text(json.dumps(document))
    assert main(["wave", str(path)]) == 2
    err = capsys.readouterr().err
    assert "ForbiddenImport(env::abort" in err and "--use abort=" in err


def test_every_refused_proposal_has_a_fix():
    assert set(hints.FEATURE_FIXES) == set(features.PROPOSALS)


def test_accepted_and_other_rejections_have_no_hint(wasm_tools):
    ok = build_contract('(module (memory (export "memory") 1) (func (export "f")))', ["f"])
    validate_deploy(ok)
    with pytest.raises(DeployRejected) as info:  # nothing a compiler flag fixes
        validate_deploy(build_contract('(module (memory (export "memory") 1) (func (export "f")))',
                                       [{"name": "f", "attributes": ["view", "payable"]}]))
    assert info.value.reason == "IncompatibleAttributes" and info.value.hint == ""
    assert "hint" not in str(info.value)


def test_import_hint_names_the_first_import_with_a_known_fix():
    class Imp:
        def __init__(self, module, name):
            self.module, self.name = module, name

    imports = [Imp("pyde", "sload"), Imp("other", "thing"), Imp("env", "seed")]
    hint = hints.import_hint(imports, HOST_FUNCTIONS)
    assert hint.startswith("env::seed: ") and "beacon_get" in hint
    generic = hints.import_hint([Imp("other", "thing")], HOST_FUNCTIONS)
    assert "the only import module is \"pyde\"" in generic


# ---------------------------------------------------------------------------
# The real compilers: the flag the hint names does avoid the rejection
# ---------------------------------------------------------------------------

FUNCTION_POINTERS_C = r"""
typedef void (*handler)(void);
static void a(void) {}
static void b(void) {}
static handler table[2] = {a, b};
__attribute__((export_name("dispatch"))) void dispatch(int i) { table[i & 1](); }
"""


@pytest.mark.parametrize("clang", ["clang-19", "clang-22"])
def test_clang_reference_types_build_gets_the_hint_and_mvp_builds_decode(clang, tmp_path):
    version = clang.split("-")[1]
    if shutil.which(clang) is None or shutil.which(f"wasm-ld-{version}") is None:
        pytest.skip(f"{clang} is not installed (apt-get install {clang} lld-{version})")
    source = tmp_path / "pointers.c"
    source.write_text(FUNCTION_POINTERS_C)

    def build(*flags: str) -> bytes:
        out = tmp_path / "out.wasm"
        subprocess.run([clang, "--target=wasm32", *flags, "-O2", "-nostdlib", "-Wl,--no-entry",
                        "-o", str(out), str(source)], check=True, capture_output=True)
        return out.read_bytes()

    with pytest.raises(DeployRejected) as info:
        validate_deploy(build())
    assert info.value.reason == "Malformed" and "clang -mcpu=mvp" in info.value.hint
    with pytest.raises(DeployRejected) as info:  # decodes now; only the ABI section is missing
        validate_deploy(build("-mcpu=mvp"))
    assert info.value.reason == "MissingAbiSection"


def test_the_guide_sections_the_hints_link_exist():
    text = (REPO / hints.GUIDE).read_text(encoding="utf-8")
    anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#+ (.*)$", text, re.M)}
    for link in (hints.FLAGS_SECTION, hints.ENTRY_SECTION, hints.ABI_JSON_SECTION, hints.IMPORTS_SECTION):
        path, _, anchor = link.partition("#")
        assert path == hints.GUIDE and anchor in anchors, link
