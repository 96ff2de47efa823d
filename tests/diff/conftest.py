"""Fixtures of the differential tests.

``twin``: one twin per wasmtime version the oracle knows
(:data:`pyde_ref.diff.twin.WASMTIME_VERSIONS`), so every characterization test
runs once per version.  A version not installed here runs in its managed
environment, built on first use with ``pip`` (:mod:`pyde_ref.diff.twin_env`);
where that is impossible (offline, no ``venv``) the test is skipped with the
reason.  ``fuel_probe``: a :class:`~pyde_ref.diff.fuel_probe.FuelProbe` on
that twin.
"""

from __future__ import annotations

import pytest

pytest.importorskip("wasmtime")

from pyde_ref.diff.twin import WASMTIME_VERSIONS, TwinError, get_twin  # noqa: E402
from pyde_ref.diff.twin_env import TwinUnavailable  # noqa: E402


def twin_or_skip(version: str):
    twin = get_twin(version)
    try:
        twin.describe()  # builds the managed environment if needed
    except (TwinUnavailable, TwinError) as exc:
        pytest.skip(f"the wasmtime {version} twin cannot run here: {exc}")
    return twin


@pytest.fixture(scope="session", params=sorted(WASMTIME_VERSIONS, reverse=True), ids=lambda v: f"wasmtime{v}")
def twin(request):
    return twin_or_skip(request.param)


@pytest.fixture(scope="session")
def fuel_probe(twin):
    from pyde_ref.diff.fuel_probe import FuelProbe

    return FuelProbe(twin)
