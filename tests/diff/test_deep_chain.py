"""No crash on deep chains (issue 14, item 4): a wave whose contract recurses
through ``cross_call`` to the 1,024-frame cap (ABI §13.4) diffs like any
other wave on every twin, and the twin's Python recursion per cross-call
level stays within the bound that sizes the executor's recursion limit
(``pyde_ref/executor/deep.py``)."""

from __future__ import annotations

from paths import CONTRACTS, EXAMPLES
import json
import sys

import pytest

pytest.importorskip("wasmtime")

from pyde_ref import cli  # noqa: E402
from pyde_ref.executor import deep  # noqa: E402

WAVE = CONTRACTS / "deep-chain-wave.json"
C_WAVE = EXAMPLES / "c" / "deep-chain-wave.json"
"""The same contract built by clang 19 from ``examples/c/deep-chain.c``."""
#: down(2000): frames 1 .. 1024 ran n = 2000 .. 977; the 1,025th was refused
#: (ERR_CROSS_CALL_FAILED = -10): return data n=977 (LE) then -10 (LE).
DEEPEST = (977).to_bytes(4, "little") + (-10).to_bytes(4, "little", signed=True)


def test_the_deep_chain_wave_diffs_cleanly(twin, capsys):
    code = cli.main(["diff", "--wave", str(WAVE), "--wasmtime", twin.version, "--json"])
    record = json.loads(capsys.readouterr().out)
    assert code == 0, record["verdict"]
    assert record["verdict"]["category"] == "agree"
    receipts = record["outputs"]["wasmtime"]["receipts"]
    assert [r["status"] for r in receipts] == ["success", "success"]
    assert receipts[1]["return_data"] == "0x" + DEEPEST.hex()
    # every frame stored its n: 1,024 slots written by the chain
    assert sum(w["table"] == "storage" for w in receipts[1]["writes"]) == 1024


def test_the_clang_built_deep_chain_agrees_on_wasmtime_50(capsys):
    """spec/differential.md "Deep chains": the C version, compiled by clang,
    diffs to ``agree`` too and returns what the WAT version returns."""
    from conftest import twin_or_skip

    twin_or_skip("50")
    code = cli.main(["diff", "--wave", str(C_WAVE), "--wasmtime", "50", "--json"])
    record = json.loads(capsys.readouterr().out)
    assert code == 0 and record["verdict"]["category"] == "agree", record["verdict"]
    receipts = record["outputs"]["wasmtime"]["receipts"]
    assert [r["return_data"] for r in receipts] == ["0x" + bytes(8).hex(), "0x" + DEEPEST.hex()]
    assert sum(w["table"] == "storage" for w in receipts[1]["writes"]) == 1024


def test_python_frames_per_level_on_the_twin():
    """The wasmtime twin recurses through wasmtime-py's host trampolines: it
    must fit the same per-level bound as the reference."""
    from pyde_ref.abi import calls
    from pyde_ref.diff.twin import get_twin

    depths = []
    original = calls._run

    def spy(*args, **kwargs):
        frame, depth = sys._getframe(), 0
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        depths.append(depth)
        return original(*args, **kwargs)

    document = json.loads(WAVE.read_text())
    document["txs"] = document["txs"][:1]  # down(5): 5 nested cross-calls
    calls._run = spy
    try:
        get_twin().run_wave(document, str(CONTRACTS))
    finally:
        calls._run = original
    per_level = [b - a for a, b in zip(depths, depths[1:])]
    assert len(per_level) == 4 and max(per_level) <= deep.PY_FRAMES_PER_CROSS_CALL, per_level


def test_the_example_is_what_make_examples_builds(wat2wasm):
    import importlib.util

    from pyde_ref.abi import section
    from pyde_ref.commands.abi import abi_from_json

    spec = importlib.util.spec_from_file_location("make_examples", CONTRACTS / "make_examples.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    assert json.loads(WAVE.read_text()) == make.deep_chain_wave()
    abi = abi_from_json(json.loads((CONTRACTS / "deep-chain.abi.json").read_text()))
    built = section.embed_abi(wat2wasm((CONTRACTS / "deep-chain.wat").read_text()), abi)
    assert (CONTRACTS / "deep-chain.wasm").read_bytes() == built
