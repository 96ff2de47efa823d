"""The deterministic vector files are exactly what vectors/generate.py makes
from the current code, so a change of one bit anywhere shows up here."""

from __future__ import annotations

import importlib.util
import json
import pytest

from paths import VECTORS

def _generator():
    spec = importlib.util.spec_from_file_location("pyde_vectors_generate", VECTORS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, builder", [("hashes.json", "hash_vectors"), ("threshold-envelopes.json", "threshold_vectors")])
def test_checked_in_file_is_regenerated_identically(name, builder):
    generated = json.dumps(getattr(_generator(), builder)(), indent=1) + "\n"
    assert (VECTORS / name).read_text() == generated
