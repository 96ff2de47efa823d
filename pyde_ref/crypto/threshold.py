"""The threshold envelope of ``threshold_encrypt`` / ``threshold_decrypt``
(ABI spec §8.5): an ML-KEM-768 (Kyber-768) encapsulation under the
committee's threshold public key, and a ChaCha20-Poly1305 ciphertext under
the encapsulated key.  Layout, derivation and rationale: ``spec/cryptography.md``
and ``spec/findings/threshold-envelope-determinism.md``.

Envelope, version 1 (all lengths in bytes)::

    offset  size   field
    0       1      version = 0x01
    1       1088   ML-KEM-768 ciphertext c (FIPS 203 §7.2)
    1089    12     ChaCha20-Poly1305 nonce (RFC 8439 §2.8)
    1101    n      ChaCha20-Poly1305 ciphertext of the n-byte plaintext
    1101+n  16     Poly1305 tag

The AEAD key is the ML-KEM shared secret K; the associated data is the
envelope header (bytes 0..1101: version, KEM ciphertext, nonce).

Determinism.  Every validator must produce the same envelope, so the
encapsulation cannot draw randomness from the operating system.  The 32-byte
message ``m`` of ML-KEM.Encaps_internal (FIPS 203 Algorithm 17) and the nonce
are derived with BLAKE3 in key-derivation mode from an :class:`EncryptionContext`
(chain, block, wave, transaction, contract, call ordinal) and the plaintext.

Decryption is modelled as the committee's completed ceremony: the execution
context carries a mapping ``envelope_id -> shared secret`` for the envelopes
whose decryption shares have been combined.  ``decrypt`` consults it.

Library: ``kyber-py`` (pure-Python FIPS 203).  It exposes the deterministic
``Encaps_internal(ek, m)``; pqcrypto's ``ml_kem_768`` (PQClean) only offers
encapsulation with OS randomness.  AEAD: pycryptodome's ChaCha20_Poly1305.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Mapping

from Crypto.Cipher import ChaCha20_Poly1305
from kyber_py.ml_kem import ML_KEM_768

from .errors import CryptoError, CryptoFailure
from .hashes import blake3_derive_key

# --- sizes (FIPS 203 Table 3 for ML-KEM-768; RFC 8439) ------------------------------

ENVELOPE_VERSION = 1
KEM_PUBLIC_KEY_SIZE = 1184
KEM_SECRET_KEY_SIZE = 2400
KEM_CIPHERTEXT_SIZE = 1088
SHARED_SECRET_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16

VERSION_OFFSET = 0
KEM_CIPHERTEXT_OFFSET = 1
NONCE_OFFSET = KEM_CIPHERTEXT_OFFSET + KEM_CIPHERTEXT_SIZE  # 1089
HEADER_SIZE = NONCE_OFFSET + NONCE_SIZE  # 1101
ENVELOPE_OVERHEAD = HEADER_SIZE + TAG_SIZE  # 1117

# --- BLAKE3 key-derivation contexts (one per derived value) --------------------------

ENCAPSULATION_RANDOMNESS_CONTEXT = "pyde threshold_encrypt v1 ML-KEM-768 encapsulation randomness"
NONCE_CONTEXT = "pyde threshold_encrypt v1 ChaCha20-Poly1305 nonce"
ENVELOPE_ID_CONTEXT = "pyde threshold envelope v1 id"


@dataclass(frozen=True)
class EncryptionContext:
    """Everything the block context and the call give ``threshold_encrypt``
    that makes one call's envelope differ from every other call's.

    ``call_index`` is the ordinal (from 0) of this ``threshold_encrypt`` call
    within the transaction, so two calls with the same plaintext in one
    transaction still produce different envelopes."""

    chain_id: int
    block_height: int
    wave_id: int
    tx_hash: bytes
    contract_address: bytes
    call_index: int

    ENCODED_SIZE = 8 + 8 + 8 + 32 + 32 + 4  # 92

    def encode(self) -> bytes:
        """chain_id u64 LE || block_height u64 LE || wave_id u64 LE ||
        tx_hash[32] || contract_address[32] || call_index u32 LE."""
        if len(self.tx_hash) != 32 or len(self.contract_address) != 32:
            raise CryptoError(CryptoFailure.ENGINE_FAULT, "tx_hash and contract_address must be 32 bytes")
        for name, value, limit in (
            ("chain_id", self.chain_id, 2**64),
            ("block_height", self.block_height, 2**64),
            ("wave_id", self.wave_id, 2**64),
            ("call_index", self.call_index, 2**32),
        ):
            if not 0 <= value < limit:
                raise CryptoError(CryptoFailure.ENGINE_FAULT, f"{name} out of range: {value}")
        return (
            struct.pack("<QQQ", self.chain_id, self.block_height, self.wave_id)
            + bytes(self.tx_hash)
            + bytes(self.contract_address)
            + struct.pack("<I", self.call_index)
        )


def envelope_size(plaintext_length: int) -> int:
    """Bytes ``threshold_encrypt`` writes for a plaintext of this length."""
    return ENVELOPE_OVERHEAD + plaintext_length


def derivation_material(context: EncryptionContext, plaintext: bytes) -> bytes:
    """context.encode() || u64 LE plaintext length || plaintext."""
    return context.encode() + struct.pack("<Q", len(plaintext)) + plaintext


def encapsulation_randomness(context: EncryptionContext, plaintext: bytes) -> bytes:
    """The 32-byte ``m`` of ML-KEM.Encaps_internal."""
    return blake3_derive_key(ENCAPSULATION_RANDOMNESS_CONTEXT, derivation_material(context, plaintext), 32)


def aead_nonce(context: EncryptionContext, plaintext: bytes) -> bytes:
    """The 12-byte ChaCha20-Poly1305 nonce."""
    return blake3_derive_key(NONCE_CONTEXT, derivation_material(context, plaintext), NONCE_SIZE)


def encrypt(committee_public_key: bytes, plaintext: bytes, context: EncryptionContext) -> bytes:
    """``threshold_encrypt``: the version-1 envelope of ``plaintext``.

    A committee key that is not a valid ML-KEM-768 encapsulation key (wrong
    length, or coefficients not reduced mod q: FIPS 203 §7.2 input check) is
    an engine fault, not a contract error: ``CryptoFailure.ENGINE_FAULT``."""
    committee_public_key, plaintext = bytes(committee_public_key), bytes(plaintext)
    if len(committee_public_key) != KEM_PUBLIC_KEY_SIZE:
        raise CryptoError(CryptoFailure.ENGINE_FAULT, "committee public key is not 1184 bytes")
    m = encapsulation_randomness(context, plaintext)
    try:
        shared_secret, kem_ciphertext = ML_KEM_768._encaps_internal(committee_public_key, m)
    except ValueError as exc:
        raise CryptoError(CryptoFailure.ENGINE_FAULT, f"committee public key rejected: {exc}") from None
    nonce = aead_nonce(context, plaintext)
    header = bytes([ENVELOPE_VERSION]) + kem_ciphertext + nonce
    cipher = ChaCha20_Poly1305.new(key=shared_secret, nonce=nonce)
    cipher.update(header)
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    return header + ciphertext + tag


@dataclass(frozen=True)
class Envelope:
    """A parsed envelope (the fields of the layout above)."""

    version: int
    kem_ciphertext: bytes
    nonce: bytes
    ciphertext: bytes
    tag: bytes

    @property
    def header(self) -> bytes:
        return bytes([self.version]) + self.kem_ciphertext + self.nonce


def parse_envelope(envelope: bytes) -> Envelope:
    """Split an envelope into its fields; ``CryptoFailure.CIPHERTEXT_INVALID`` if it
    is shorter than the fixed overhead or has an unknown version."""
    envelope = bytes(envelope)
    if len(envelope) < ENVELOPE_OVERHEAD:
        raise CryptoError(
            CryptoFailure.CIPHERTEXT_INVALID,
            f"envelope is {len(envelope)} bytes, shorter than the {ENVELOPE_OVERHEAD}-byte minimum",
        )
    if envelope[VERSION_OFFSET] != ENVELOPE_VERSION:
        raise CryptoError(CryptoFailure.CIPHERTEXT_INVALID, f"unknown envelope version {envelope[0]}")
    return Envelope(
        version=envelope[VERSION_OFFSET],
        kem_ciphertext=envelope[KEM_CIPHERTEXT_OFFSET:NONCE_OFFSET],
        nonce=envelope[NONCE_OFFSET:HEADER_SIZE],
        ciphertext=envelope[HEADER_SIZE:-TAG_SIZE],
        tag=envelope[-TAG_SIZE:],
    )


def envelope_id(envelope: bytes) -> bytes:
    """The 32-byte name under which the ceremony's result is recorded."""
    return blake3_derive_key(ENVELOPE_ID_CONTEXT, bytes(envelope), 32)


def ceremony_decapsulate(decapsulation_key: bytes, envelope: bytes) -> tuple[bytes, bytes]:
    """Model of the committee's completed decryption ceremony for one envelope:
    ``(envelope_id, shared secret)``.  The real committee recovers K from >= 85
    decryption shares; here one ML-KEM-768 decapsulation key stands in for the
    combined shares (FIPS 203 ML-KEM.Decaps, implicit rejection included)."""
    parsed = parse_envelope(envelope)
    shared_secret = ML_KEM_768.decaps(bytes(decapsulation_key), parsed.kem_ciphertext)
    return envelope_id(envelope), shared_secret


def decrypt(envelope: bytes, combined: Mapping[bytes, bytes]) -> bytes:
    """``threshold_decrypt``: the plaintext of ``envelope``.

    ``combined`` maps :func:`envelope_id` to the 32-byte shared secret for
    every envelope whose shares the committee has combined (the execution
    context provides it).  Order of checks:

    1. malformed envelope (too short, unknown version): ERR_CIPHERTEXT_INVALID;
    2. no combined result for this envelope yet: ERR_FORBIDDEN;
    3. tag does not verify under the combined key: ERR_CIPHERTEXT_INVALID."""
    parsed = parse_envelope(envelope)
    shared_secret = combined.get(envelope_id(envelope))
    if shared_secret is None:
        raise CryptoError(CryptoFailure.NOT_COMBINED, "the committee has not combined shares for this envelope")
    if len(shared_secret) != SHARED_SECRET_SIZE:
        raise CryptoError(CryptoFailure.ENGINE_FAULT, "combined shared secret is not 32 bytes")
    cipher = ChaCha20_Poly1305.new(key=bytes(shared_secret), nonce=parsed.nonce)
    cipher.update(parsed.header)
    try:
        return cipher.decrypt_and_verify(parsed.ciphertext, parsed.tag)
    except ValueError:
        raise CryptoError(CryptoFailure.CIPHERTEXT_INVALID, "authentication tag does not verify") from None


def committee_keypair(seed: bytes) -> tuple[bytes, bytes]:
    """A deterministic ML-KEM-768 key pair ``(encapsulation key, decapsulation
    key)`` from a 64-byte seed d || z (FIPS 203 ML-KEM.KeyGen_internal), for
    tests and vectors; a real committee key comes from its DKG ceremony."""
    if len(seed) != 64:
        raise CryptoError(CryptoFailure.ENGINE_FAULT, "committee key seed must be 64 bytes")
    return ML_KEM_768.key_derive(bytes(seed))
