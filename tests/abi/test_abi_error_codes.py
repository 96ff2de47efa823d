"""ABI §4: every error code constant equals the value of the spec's master table.

The table is read from the ABI spec document itself (``../shared/pyde/``), so
renumbering a code, or the spec adding one, fails here."""

from __future__ import annotations

import functools
import re

import pytest

from paths import shared_path
from pyde_ref.abi import constants

ROW = re.compile(r"^\| `(-?\d+)` \| `(ERR_[A-Z_]+)` \|", re.MULTILINE)
OUR_CODES = sorted(name for name in dir(constants) if name.startswith("ERR_"))


@functools.cache
def master_table() -> dict[str, int]:
    text = shared_path("pyde", "HOST_FN_ABI_SPEC-v1.0.md").read_text(encoding="utf-8")
    section = text[text.index("## 4. Error codes"):text.index("## 5. Gas metering")]
    return {name: int(code) for code, name in ROW.findall(section)}


def test_the_master_table_is_read_whole():
    table = master_table()
    assert len(table) == 18
    assert table["ERR_INVALID_INPUT"] == -1 and table["ERR_INTERNAL"] == -100


@pytest.mark.parametrize("name", OUR_CODES)
def test_error_code_matches_the_spec(name):
    assert getattr(constants, name) == master_table()[name]


def test_no_error_code_outside_the_spec():
    assert set(OUR_CODES) == set(master_table())
