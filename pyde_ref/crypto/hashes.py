"""Blake3 and Keccak-256, the ABI's general-purpose hashes (ABI spec §7.6).

* ``hash_blake3``: BLAKE3 (O'Connor, Aumasson, Neves, Wilcox-O'Hearn, 2020),
  default hash mode, 32-byte output.  Library: ``blake3`` (the official
  BLAKE3 team's Rust implementation behind a Python binding).  This module is
  the only one that uses the library: everything hashed with Blake3 (code
  hashes, event commitments, the state digest, selectors, transaction hashes,
  the threshold envelope's derived values, the oracle's digests) goes through
  :func:`blake3_256`, :func:`blake3_hasher` or :func:`blake3_derive_key`.
* ``hash_keccak256``: Keccak[r=1088, c=512] with the *original* Keccak
  padding (pad10*1, domain byte 0x01) as Ethereum uses it -- not FIPS 202
  SHA3-256 (domain byte 0x06).  Keccak-256("") = c5d24601...5d85a470.
  Library: pycryptodome's ``Crypto.Hash.keccak``.
"""

from __future__ import annotations

import blake3 as _blake3
from Crypto.Hash import keccak as _keccak

DIGEST_SIZE = 32


def blake3_256(data: bytes) -> bytes:
    """``hash_blake3``: the 32-byte BLAKE3 digest of ``data``."""
    return _blake3.blake3(bytes(data)).digest(length=DIGEST_SIZE)


def blake3_hasher(data: bytes = b""):
    """An incremental BLAKE3 hasher (``update(data)``, ``digest()``,
    ``hexdigest()``), for inputs hashed piece by piece (a 64 MiB memory
    without copying it, a stream of length-prefixed fields)."""
    return _blake3.blake3(bytes(data))


def blake3_derive_key(context: str, material: bytes, length: int) -> bytes:
    """BLAKE3 in its key-derivation mode (``derive_key``): ``length`` bytes
    derived from ``material`` under the fixed, application-specific
    ``context`` string."""
    return _blake3.blake3(bytes(material), derive_key_context=context).digest(length=length)


def keccak256(data: bytes) -> bytes:
    """``hash_keccak256``: the 32-byte Keccak-256 digest of ``data``."""
    return _keccak.new(digest_bits=256, data=bytes(data)).digest()
