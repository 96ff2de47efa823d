"""FALCON-512 signature verification (ABI spec §7.7 ``falcon_verify``).

Standard: Falcon, round-3 submission to the NIST PQC process (Fouque et al.,
specification v1.2, 2020), n = 512.  Library: ``pqcrypto`` (>= 0.3.4, < 1),
whose ``falcon_512`` is PQClean's ``falcon-512/clean`` -- the same C code the
Rust ``pqcrypto-falcon`` crate wraps.

Byte encodings (Falcon spec §3.11):

* public key: 897 bytes, header byte 0x09 (= logn) then the 14-bit packed h;
* signature: header byte 0x39 (0x30 + logn, compressed encoding), a 40-byte
  nonce, then the compressed s2.  Its length varies (at most 752 bytes).

Accepted signature formats -- see ``spec/findings/falcon-signature-format.md``:
PQClean's verifier accepts the variable-length compressed signature and also
the fixed 666-byte "padded" signature (the compressed s2 followed by zero
bytes up to 666 bytes in all), which is what ``falcon_padded_512`` emits.  We
accept exactly what that verifier accepts, so both formats verify.

Never raises: every malformed input is simply "invalid".
"""

from __future__ import annotations

from pqcrypto.sign import falcon_512 as _falcon_512

PUBLIC_KEY_SIZE = 897
#: Upper bound of a variable-length signature (PQClean CRYPTO_BYTES).
MAX_SIGNATURE_SIZE = 752
#: Size of a signature in the fixed-length padded format.
PADDED_SIGNATURE_SIZE = 666

assert _falcon_512.PUBLIC_KEY_SIZE == PUBLIC_KEY_SIZE
assert _falcon_512.SIGNATURE_SIZE == MAX_SIGNATURE_SIZE


def falcon512_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True iff ``signature`` is a valid FALCON-512 signature of ``message``
    under ``public_key``.  Wrong-length keys, empty, truncated, over-long or
    garbage signatures give False; any message length (including 0) is fine.

    The length checks come first because pqcrypto raises on them instead of
    returning False."""
    public_key, message, signature = bytes(public_key), bytes(message), bytes(signature)
    if len(public_key) != PUBLIC_KEY_SIZE:
        return False
    if not 1 <= len(signature) <= MAX_SIGNATURE_SIZE:
        return False
    try:
        return bool(_falcon_512.verify(public_key, message, signature))
    except (ValueError, TypeError, RuntimeError):  # defensive: the library's own refusals
        return False


def falcon512_sign(secret_key: bytes, message: bytes) -> bytes:
    """A FALCON-512 signature of ``message`` (PQClean's signer, through
    pqcrypto).  Not consensus code: signing draws OS randomness (the
    signature differs on every call, each one verifies), so it serves tests
    and example generators, which commit the signatures they make."""
    return bytes(_falcon_512.sign(bytes(secret_key), bytes(message)))
