"""The crypto layer's error codes are the ABI's (ABI §4).

The primitives sit below the ABI and report a failure by its ABI §4 symbol
(:class:`pyde_ref.crypto.errors.CryptoFailure`); the numbers are defined once,
in :mod:`pyde_ref.abi.constants`.  These tests pin the symbols to the ABI's
table and to the codes ``spec/cryptography.md`` documents for each failure."""

from __future__ import annotations

import pytest

from pyde_ref.abi import constants
from pyde_ref.crypto import CryptoError, CryptoFailure


@pytest.mark.parametrize("failure", list(CryptoFailure), ids=lambda f: f.name)
def test_every_failure_is_a_row_of_the_abi_table(failure):
    assert failure.value in constants.ERROR_CODES.values()
    code = getattr(constants, failure.value)
    assert constants.ERROR_CODES[code] == failure.value


def test_the_documented_codes():
    """spec/cryptography.md: threshold_decrypt reports -16 or -5, and a bad
    engine-side key -100."""
    assert getattr(constants, CryptoFailure.CIPHERTEXT_INVALID.value) == -16
    assert getattr(constants, CryptoFailure.NOT_COMBINED.value) == -5
    assert getattr(constants, CryptoFailure.ENGINE_FAULT.value) == -100


def test_an_error_carries_its_abi_symbol():
    error = CryptoError(CryptoFailure.NOT_COMBINED, "not yet")
    assert error.symbol == "ERR_FORBIDDEN" and str(error) == "ERR_FORBIDDEN: not yet"
