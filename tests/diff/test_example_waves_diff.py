"""spec/authoring.md "Against wasmtime": every example wave of the contracts
built by real compilers (``examples/c/``, ``examples/assemblyscript/``)
diffs to ``agree`` on wasmtime 50."""

from __future__ import annotations

import json

import pytest

from conftest import twin_or_skip
from paths import EXAMPLES
from pyde_ref import cli

WAVES = sorted(p.relative_to(EXAMPLES).as_posix()
               for d in ("c", "assemblyscript") for p in (EXAMPLES / d).glob("*-wave.json"))


@pytest.mark.parametrize("wave", WAVES)
def test_every_compiled_example_wave_agrees_on_wasmtime_50(wave, capsys):
    twin_or_skip("50")
    code = cli.main(["diff", "--wave", str(EXAMPLES / wave), "--wasmtime", "50", "--json"])
    record = json.loads(capsys.readouterr().out)
    assert code == 0 and record["verdict"]["category"] == "agree", record["verdict"]
