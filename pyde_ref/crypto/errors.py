"""Error codes of the cryptographic host functions (ABI spec §4).

The primitives never return a negative code themselves; the ones that can
refuse their input raise :class:`CryptoError` carrying the ABI code, so a
host function is ``try: ... except CryptoError as e: return e.code``.
"""

from __future__ import annotations

ERR_INVALID_INPUT = -1
ERR_FORBIDDEN = -5
ERR_OUTPUT_BUFFER_TOO_SMALL = -7
ERR_CIPHERTEXT_INVALID = -16
ERR_SIGNATURE_INVALID = -17
ERR_INTERNAL = -100

ERROR_NAMES = {
    ERR_INVALID_INPUT: "ERR_INVALID_INPUT",
    ERR_FORBIDDEN: "ERR_FORBIDDEN",
    ERR_OUTPUT_BUFFER_TOO_SMALL: "ERR_OUTPUT_BUFFER_TOO_SMALL",
    ERR_CIPHERTEXT_INVALID: "ERR_CIPHERTEXT_INVALID",
    ERR_SIGNATURE_INVALID: "ERR_SIGNATURE_INVALID",
    ERR_INTERNAL: "ERR_INTERNAL",
}


class CryptoError(Exception):
    """A primitive refused its input; ``code`` is the ABI §4 error code."""

    def __init__(self, code: int, reason: str):
        super().__init__(f"{ERROR_NAMES.get(code, code)}: {reason}")
        self.code = code
        self.symbol = ERROR_NAMES.get(code, str(code))
        self.reason = reason
