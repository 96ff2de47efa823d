"""Cryptographic primitives of the Host ABI, independent of the WebAssembly machine.

Each host function of ABI spec §7.6, §7.7 and §8.5 is a thin wrapper around
one function here (read memory, call, write memory, return the code):

* ``hash_blake3``       -> :func:`blake3_256` ``(data) -> bytes`` (32), :mod:`.hashes`
* ``hash_keccak256``    -> :func:`keccak256` ``(data) -> bytes`` (32), :mod:`.hashes`
* ``hash_poseidon2``    -> :func:`poseidon2_hash` ``(data) -> bytes`` (32), :mod:`.poseidon2`
* ``falcon_verify``     -> :func:`falcon512_verify` ``(pk, msg, sig) -> bool``, :mod:`.falcon`
* ``threshold_encrypt`` -> ``threshold.encrypt(committee_pk, plaintext, context) -> bytes``
  with ``context`` an :class:`EncryptionContext`, :mod:`.threshold`
* ``threshold_decrypt`` -> ``threshold.decrypt(envelope, combined) -> bytes`` with
  ``combined`` the ceremony results ``{envelope_id: shared_secret}``, :mod:`.threshold`

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

import importlib
import sys

from .errors import (
    ERR_CIPHERTEXT_INVALID,
    ERR_FORBIDDEN,
    ERR_INTERNAL,
    ERR_INVALID_INPUT,
    ERR_OUTPUT_BUFFER_TOO_SMALL,
    ERR_SIGNATURE_INVALID,
    CryptoError,
)
from .hashes import blake3_256, keccak256

# Poseidon2 derives its constants when first imported (a fraction of a
# second); FALCON needs pqcrypto and the threshold envelope kyber-py.  They
# load on first use, so importing the package (e.g. for Blake3) stays cheap
# and does not depend on those libraries.
_LAZY = {
    "poseidon2_hash": ("pyde_ref.crypto.poseidon2", "poseidon2_hash"),
    "falcon512_verify": ("pyde_ref.crypto.falcon", "falcon512_verify"),
    "threshold": ("pyde_ref.crypto.threshold", None),
    "EncryptionContext": ("pyde_ref.crypto.threshold", "EncryptionContext"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'pyde_ref.crypto' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)


#: The digests ``pyde-ref hash`` offers: name -> attribute of this package.
HASH_FUNCTIONS = {
    "blake3": "blake3_256",
    "keccak256": "keccak256",
    "poseidon2": "poseidon2_hash",
}


def hash_function(name: str):
    """The 32-byte hash called ``name`` in :data:`HASH_FUNCTIONS`."""
    return getattr(sys.modules[__name__], HASH_FUNCTIONS[name])

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
    "hash_function",
    "keccak256",
    "poseidon2_hash",
    "threshold",
]
