"""Cryptographic primitives of the Host ABI, independent of the WebAssembly machine.

Each host function of ABI spec §7.6, §7.7 and §8.5 is a thin wrapper around
one function here (read memory, call, write memory, return the code):

===================  ===========================================  ==============================
host function        primitive                                     module
===================  ===========================================  ==============================
``hash_blake3``      ``blake3_256(data) -> bytes`` (32)            :mod:`.hashes`
``hash_keccak256``   ``keccak256(data) -> bytes`` (32)             :mod:`.hashes`
``hash_poseidon2``   ``poseidon2_hash(data) -> bytes`` (32)        :mod:`.poseidon2`
``falcon_verify``    ``falcon512_verify(pk, msg, sig) -> bool``    :mod:`.falcon`
``threshold_encrypt`` ``threshold.encrypt(committee_pk, plaintext,  :mod:`.threshold`
                     context) -> bytes``
``threshold_decrypt`` ``threshold.decrypt(envelope, combined)      :mod:`.threshold`
                     -> bytes``
===================  ===========================================  ==============================

The hashes and ``falcon512_verify`` never raise on any byte string.
``falcon_verify`` returns 0 when ``falcon512_verify`` is True and
``ERR_SIGNATURE_INVALID`` otherwise.  The threshold functions raise
:class:`CryptoError` whose ``code`` is the ABI §4 code to return
(``ERR_CIPHERTEXT_INVALID``, ``ERR_FORBIDDEN``; ``ERR_INTERNAL`` for a bad
engine-side key).  ``threshold.envelope_size(n)`` tells the host function how
big the output buffer must be (else ``ERR_OUTPUT_BUFFER_TOO_SMALL``).

The per-primitive standard, parameters, encodings and known-answer sources
are in ``spec/cryptography.md``.
"""

from __future__ import annotations

from . import threshold
from .errors import (
    ERR_CIPHERTEXT_INVALID,
    ERR_FORBIDDEN,
    ERR_INTERNAL,
    ERR_INVALID_INPUT,
    ERR_OUTPUT_BUFFER_TOO_SMALL,
    ERR_SIGNATURE_INVALID,
    CryptoError,
)
from .falcon import falcon512_verify
from .hashes import blake3_256, keccak256
from .poseidon2 import poseidon2_hash
from .threshold import EncryptionContext

#: The digests ``pyde-ref hash`` and the hashing host functions offer.
HASH_FUNCTIONS = {
    "blake3": blake3_256,
    "keccak256": keccak256,
    "poseidon2": poseidon2_hash,
}

__all__ = [
    "HASH_FUNCTIONS",
    "CryptoError",
    "EncryptionContext",
    "ERR_CIPHERTEXT_INVALID",
    "ERR_FORBIDDEN",
    "ERR_INTERNAL",
    "ERR_INVALID_INPUT",
    "ERR_OUTPUT_BUFFER_TOO_SMALL",
    "ERR_SIGNATURE_INVALID",
    "blake3_256",
    "falcon512_verify",
    "keccak256",
    "poseidon2_hash",
    "threshold",
]
