"""Regression cases the fuzz campaign saved (``tests/diff/regressions/*.wasm`` with
their ``.json``): each call must no longer be unexplained.

A case is saved when the campaign finds an unexplained difference; it stays
here after the fix (reference, model or classification) so the difference
cannot come back unnoticed.
"""

from __future__ import annotations

from paths import TESTS
import json

import pytest

pytest.importorskip("wasmtime")

from pyde_ref.diff import classify as cl  # noqa: E402

CASES = sorted((TESTS / "diff" / "regressions").glob("*.wasm"))


def test_every_case_has_its_call_record():
    for wasm in CASES:
        record = json.loads(wasm.with_suffix(".json").read_text())
        assert {"func", "args", "fuel", "with_host"} <= set(record)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_regression_case_is_not_unexplained(path):
    record = json.loads(path.with_suffix(".json").read_text())
    result = cl.run_case(path.read_bytes(), record["func"], record["args"], record["fuel"],
                         with_host=record["with_host"], wasmtime=record.get("wasmtime", "50"))
    assert result.verdict.category != cl.UNEXPLAINED, result.to_json()


WAVES = sorted((TESTS / "diff" / "regressions" / "waves").glob("*/wave.json"))


@pytest.mark.parametrize("path", WAVES, ids=lambda p: p.parent.name)
def test_regression_wave_is_not_unexplained(path):
    """Waves ``pyde-ref fuzz --waves`` saved (``waves/<name>/wave.json``, code
    inline; the campaign's wasmtime version in ``verdict.json`` if any)."""
    from pyde_ref.diff.wave_diff import diff_wave

    found = path.parent / "verdict.json"
    version = json.loads(found.read_text()).get("wasmtime", "50") if found.exists() else "50"
    verdict, _outputs = diff_wave(json.loads(path.read_text()), None, version)
    assert verdict.category != cl.UNEXPLAINED, verdict.to_json()
