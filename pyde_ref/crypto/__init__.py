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
:class:`CryptoError`, whose ``failure`` (:class:`CryptoFailure`) names the
ABI §4 row to report (``ERR_CIPHERTEXT_INVALID``, ``ERR_FORBIDDEN``;
``ERR_INTERNAL`` for a bad engine-side key); the numbers are the ABI's
(:mod:`pyde_ref.abi.constants`).  ``threshold.envelope_size(n)`` tells the host
function how big the output buffer must be (else ``ERR_OUTPUT_BUFFER_TOO_SMALL``).

The per-primitive standard, parameters, encodings and known-answer sources
are in ``spec/cryptography.md``.

Layers: ``wasm < crypto < state < abi < executor < trace < diff < spectest < commands
< cli``, each importing only the ones below it (the import-linter contracts in
``pyproject.toml``, checked by ``tests/test_layers.py``). This package may
import ``wasm`` and uses none of it: the primitives know neither the machine
nor the ABI. :mod:`.hashes` is the only module of pyde-ref that uses the
``blake3`` library.
"""

from __future__ import annotations

from . import threshold
from .errors import CryptoError, CryptoFailure
from .falcon import falcon512_verify
from .hashes import blake3_256, blake3_derive_key, keccak256
from .poseidon2 import poseidon2_hash
from .threshold import EncryptionContext

HASH_FUNCTIONS = {
    "blake3": blake3_256,
    "keccak256": keccak256,
    "poseidon2": poseidon2_hash,
}
"""The digests ``pyde-ref hash`` offers: name -> ``(data) -> 32 bytes``."""

__all__ = [
    "HASH_FUNCTIONS",
    "CryptoError",
    "CryptoFailure",
    "EncryptionContext",
    "blake3_256",
    "blake3_derive_key",
    "falcon512_verify",
    "keccak256",
    "poseidon2_hash",
    "threshold",
]
