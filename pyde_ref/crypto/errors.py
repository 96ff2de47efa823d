"""How a cryptographic primitive refuses its input (ABI spec §4, §8.5).

The error codes are the ABI's: their numbers are defined once, in
:mod:`pyde_ref.abi.constants` (``ERROR_CODES``), a layer above this one.  A
primitive names the failure and the ABI §4 row (its symbol) a host function
reports it with; the host function returns that row's code.
``tests/crypto/test_crypto_error_codes.py`` checks that every symbol here is a
row of the ABI's table.
"""

from __future__ import annotations

import enum


class CryptoFailure(enum.Enum):
    """Why a primitive refused its input; the value is the ABI §4 symbol."""

    CIPHERTEXT_INVALID = "ERR_CIPHERTEXT_INVALID"
    """A malformed envelope, or one whose tag does not verify (ABI §8.5)."""
    NOT_COMBINED = "ERR_FORBIDDEN"
    """``threshold_decrypt`` before the committee combined its shares (ABI §8.5)."""
    ENGINE_FAULT = "ERR_INTERNAL"
    """A bad engine-side input (committee key, execution context): not the
    contract's fault (ABI §4 ``ERR_INTERNAL``)."""


class CryptoError(Exception):
    """A primitive refused its input: ``failure`` says why, ``symbol`` is the
    ABI §4 symbol to report it with."""

    def __init__(self, failure: CryptoFailure, reason: str):
        super().__init__(f"{failure.value}: {reason}")
        self.failure = failure
        self.symbol = failure.value
        self.reason = reason
