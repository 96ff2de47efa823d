"""The §11.8 enum as a whole: thirteen handlers by tag, tag 2 vacant,
unknown tags refused, every payload decoded strictly, and the stable list
of rejection codes (``spec/transaction-rejections.md``)."""

from __future__ import annotations

import re

import pytest

from paths import REPO
from pyde_ref.executor.handlers import HANDLERS
from pyde_ref.executor.params import MAX_TX_SIZE
from pyde_ref.executor.rejections import CODES, Rejection
from pyde_ref.executor.testing import Chain, address, native_tx
from pyde_ref.executor.transactions import TxType
from tx_helpers import assert_rejected

SENDER = address(1)


def chain() -> Chain:
    c = Chain()
    c.fund(SENDER, 10**15)
    return c


def test_thirteen_types_at_their_tags():
    assert sorted(HANDLERS) == [0, 1] + list(range(3, 14))
    assert {tag: h.name for tag, h in HANDLERS.items()} == TxType.NAMES


def test_tag_2_is_vacant():
    assert_rejected(chain(), native_tx(2, SENDER), "VacantTxType")


@pytest.mark.parametrize("tag", [14, 15, 100, 255])
def test_unknown_tags(tag):
    assert_rejected(chain(), native_tx(tag, SENDER), "UnknownTxType")


@pytest.mark.parametrize("tag", sorted(set(HANDLERS) - {TxType.STANDARD, TxType.SWEEP_AIRDROP}))
def test_garbage_payloads_are_refused(tag):
    """Every type's payload is decoded strictly: bytes that are not one are
    a rejection (``MalformedPayload``, or the type's own code for a key)."""
    c = chain()
    c.wave([])
    before = c.state.digest()
    r = c.apply(native_tx(tag, SENDER, b"\xff" * 3))
    assert r.status == "rejected" and r.code in ("MalformedPayload", "InvalidPublicKey")
    assert c.state.digest() == before


def test_malformed_call_data():
    """A Standard call's data starts with the function name's length: a
    length past the end is malformed."""
    assert_rejected(chain(), native_tx(TxType.STANDARD, SENDER, b"\xff\xff", to=address(2)), "MalformedPayload")
    bad_utf8 = (2).to_bytes(4, "little") + b"\xff\xfe"
    assert_rejected(chain(), native_tx(TxType.STANDARD, SENDER, bad_utf8, to=address(2)), "MalformedPayload")


def test_transaction_size_limit():
    assert_rejected(chain(), native_tx(TxType.STANDARD, SENDER, bytes(MAX_TX_SIZE), to=address(2)), "TxTooLarge")


def test_rejection_codes_are_unique_named_and_documented():
    """Every code is CamelCase, and ``spec/transaction-rejections.md`` lists
    exactly these codes with their ABI §4 error codes."""
    page = (REPO / "spec" / "transaction-rejections.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| [^|]* \| (`-?\d+`|—) \|", page, re.M))
    assert set(rows) == set(CODES)
    for name, code in CODES.items():
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", name)
        assert rows[name] == ("—" if code.abi_error is None else f"`{code.abi_error}`")


def test_an_unknown_rejection_code_is_a_bug():
    with pytest.raises(ValueError):
        Rejection("NoSuchCode")


def test_every_rejection_code_is_exercised_by_a_test():
    """Each code of :data:`CODES` is named in some transaction test.  A
    textual check only: that the rejection changed nothing is the business of
    ``tx_helpers.assert_rejected`` and ``parachain_helpers.assert_rejected_in``,
    which the rejection tests call (spec/abi/11-native-transactions.md)."""
    tests = "".join(path.read_text(encoding="utf-8") for path in (REPO / "tests" / "executor").glob("test_*.py"))
    assert [name for name in CODES if f'"{name}"' not in tests] == []
