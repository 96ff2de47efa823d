"""The threshold envelope (ABI spec §8.5): deterministic ML-KEM-768 +
ChaCha20-Poly1305, and the modelled decryption ceremony.

Independent checks: the KEM ciphertexts in the checked-in envelopes decapsulate
to the same shared secret under PQClean's ML-KEM-768 (pqcrypto) as under
kyber-py, and the AEAD layer is opened with a separately constructed cipher."""

from __future__ import annotations

import dataclasses
import json

import pytest
from Crypto.Cipher import ChaCha20_Poly1305
from hypothesis import given, settings
from hypothesis import strategies as st
from pqcrypto.kem import ml_kem_768 as pqclean_ml_kem_768

from paths import VECTORS as VECTOR_DIR
from pyde_ref.crypto import CryptoError, CryptoFailure, EncryptionContext, threshold

VECTORS = json.loads((VECTOR_DIR / "threshold-envelopes.json").read_text())
SEED = bytes.fromhex(VECTORS["committee_seed"][2:])
PUBLIC_KEY, SECRET_KEY = threshold.committee_keypair(SEED)
CONTEXT = EncryptionContext(
    chain_id=1, block_height=10, wave_id=3, tx_hash=b"\x11" * 32, contract_address=b"\x22" * 32, call_index=0
)


def unhex(text: str) -> bytes:
    return bytes.fromhex(text[2:])


def context_of(case) -> EncryptionContext:
    c = case["context"]
    return EncryptionContext(
        chain_id=c["chain_id"],
        block_height=c["block_height"],
        wave_id=c["wave_id"],
        tx_hash=unhex(c["tx_hash"]),
        contract_address=unhex(c["contract_address"]),
        call_index=c["call_index"],
    )


def combined_for(*envelopes: bytes) -> dict:
    return dict(threshold.ceremony_decapsulate(SECRET_KEY, e) for e in envelopes)


# --- known answers ------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_encrypt_reproduces_checked_in_envelope(case):
    plaintext, context = unhex(case["plaintext"]), context_of(case)
    assert threshold.encapsulation_randomness(context, plaintext) == unhex(case["encapsulation_randomness"])
    assert threshold.aead_nonce(context, plaintext) == unhex(case["nonce"])
    envelope = threshold.encrypt(PUBLIC_KEY, plaintext, context)
    assert envelope == unhex(case["envelope"])
    assert threshold.envelope_id(envelope) == unhex(case["envelope_id"])


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_checked_in_envelope_opens_under_an_independent_decapsulation(case):
    """PQClean's ML-KEM-768 agrees with kyber-py on the shared secret, and a
    cipher built here from the documented layout opens the AEAD part."""
    envelope = unhex(case["envelope"])
    kem_ciphertext = envelope[1:1089]
    shared_secret = pqclean_ml_kem_768.decrypt(SECRET_KEY, kem_ciphertext)
    assert shared_secret == unhex(case["shared_secret"])
    nonce, body, tag = envelope[1089:1101], envelope[1101:-16], envelope[-16:]
    cipher = ChaCha20_Poly1305.new(key=shared_secret, nonce=nonce)
    cipher.update(envelope[:1101])
    assert cipher.decrypt_and_verify(body, tag) == unhex(case["plaintext"])


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_decrypt_after_ceremony(case):
    envelope = unhex(case["envelope"])
    combined = {unhex(case["envelope_id"]): unhex(case["shared_secret"])}
    assert threshold.decrypt(envelope, combined) == unhex(case["plaintext"])


# --- layout and determinism ------------------------------------------------------------------


def test_layout_and_sizes():
    envelope = threshold.encrypt(PUBLIC_KEY, b"abc", CONTEXT)
    assert len(envelope) == threshold.envelope_size(3) == 1 + 1088 + 12 + 3 + 16
    parsed = threshold.parse_envelope(envelope)
    assert parsed.version == 1
    assert len(parsed.kem_ciphertext) == 1088 and len(parsed.nonce) == 12
    assert len(parsed.ciphertext) == 3 and len(parsed.tag) == 16
    assert parsed.nonce == threshold.aead_nonce(CONTEXT, b"abc")
    assert len(PUBLIC_KEY) == threshold.KEM_PUBLIC_KEY_SIZE
    assert len(SECRET_KEY) == threshold.KEM_SECRET_KEY_SIZE


def test_context_encoding():
    encoded = CONTEXT.encode()
    assert len(encoded) == EncryptionContext.ENCODED_SIZE == 92
    assert encoded[:8] == (1).to_bytes(8, "little")
    assert encoded[8:16] == (10).to_bytes(8, "little")
    assert encoded[16:24] == (3).to_bytes(8, "little")
    assert encoded[24:56] == b"\x11" * 32 and encoded[56:88] == b"\x22" * 32
    assert encoded[88:] == (0).to_bytes(4, "little")


def test_encryption_is_deterministic():
    assert threshold.encrypt(PUBLIC_KEY, b"bid", CONTEXT) == threshold.encrypt(PUBLIC_KEY, b"bid", CONTEXT)


@pytest.mark.parametrize(
    "field, value",
    [
        ("chain_id", 2),
        ("block_height", 11),
        ("wave_id", 4),
        ("tx_hash", b"\x12" + b"\x11" * 31),
        ("contract_address", b"\x22" * 31 + b"\x23"),
        ("call_index", 1),
    ],
)
def test_every_context_field_changes_the_randomness(field, value):
    other = dataclasses.replace(CONTEXT, **{field: value})
    assert threshold.encapsulation_randomness(other, b"bid") != threshold.encapsulation_randomness(CONTEXT, b"bid")
    assert threshold.encrypt(PUBLIC_KEY, b"bid", other) != threshold.encrypt(PUBLIC_KEY, b"bid", CONTEXT)


def test_plaintext_changes_the_randomness():
    assert threshold.encapsulation_randomness(CONTEXT, b"bid 1") != threshold.encapsulation_randomness(
        CONTEXT, b"bid 2"
    )


@pytest.mark.parametrize(
    "field, value",
    [("chain_id", -1), ("chain_id", 2**64), ("call_index", 2**32), ("tx_hash", b"\x00" * 31)],
)
def test_bad_context_is_an_engine_error(field, value):
    with pytest.raises(CryptoError) as info:
        threshold.encrypt(PUBLIC_KEY, b"x", dataclasses.replace(CONTEXT, **{field: value}))
    assert info.value.failure is CryptoFailure.ENGINE_FAULT


def test_bad_committee_key_is_an_engine_error():
    for key in (b"", PUBLIC_KEY[:-1], b"\xff" * len(PUBLIC_KEY)):
        with pytest.raises(CryptoError) as info:
            threshold.encrypt(key, b"x", CONTEXT)
        assert info.value.failure is CryptoFailure.ENGINE_FAULT


# --- decryption outcomes --------------------------------------------------------------------


def test_roundtrip():
    envelope = threshold.encrypt(PUBLIC_KEY, b"sealed", CONTEXT)
    assert threshold.decrypt(envelope, combined_for(envelope)) == b"sealed"


def test_not_yet_combined_is_forbidden():
    envelope = threshold.encrypt(PUBLIC_KEY, b"sealed", CONTEXT)
    other = threshold.encrypt(PUBLIC_KEY, b"other", CONTEXT)
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(envelope, combined_for(other))
    assert info.value.failure is CryptoFailure.NOT_COMBINED
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(envelope, {})
    assert info.value.failure is CryptoFailure.NOT_COMBINED


@pytest.mark.parametrize("length", [0, 1, 1088, 1116])
def test_too_short_is_invalid(length):
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(b"\x01" * length, {})
    assert info.value.failure is CryptoFailure.CIPHERTEXT_INVALID


@pytest.mark.parametrize("version", [0, 2, 255])
def test_unknown_version_is_invalid_even_if_combined(version):
    envelope = bytearray(threshold.encrypt(PUBLIC_KEY, b"sealed", CONTEXT))
    envelope[0] = version
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(bytes(envelope), {threshold.envelope_id(bytes(envelope)): b"\x00" * 32})
    assert info.value.failure is CryptoFailure.CIPHERTEXT_INVALID


@pytest.mark.parametrize("position", ["kem", "nonce", "body", "tag"])
def test_tampered_envelope_is_invalid_after_ceremony(position):
    """A tampered envelope that was nonetheless put through the ceremony fails
    authentication (a tampered KEM ciphertext decapsulates to ML-KEM's
    implicit-rejection key)."""
    envelope = bytearray(threshold.encrypt(PUBLIC_KEY, b"sealed bid", CONTEXT))
    offset = {"kem": 500, "nonce": 1095, "body": 1102, "tag": len(envelope) - 1}[position]
    envelope[offset] ^= 0x01
    tampered = bytes(envelope)
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(tampered, combined_for(tampered))
    assert info.value.failure is CryptoFailure.CIPHERTEXT_INVALID


def test_tampered_envelope_without_ceremony_is_forbidden():
    envelope = threshold.encrypt(PUBLIC_KEY, b"sealed bid", CONTEXT)
    tampered = envelope[:-1] + bytes([envelope[-1] ^ 1])
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(tampered, combined_for(envelope))
    assert info.value.failure is CryptoFailure.NOT_COMBINED


def test_wrong_combined_secret_is_invalid():
    envelope = threshold.encrypt(PUBLIC_KEY, b"sealed", CONTEXT)
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(envelope, {threshold.envelope_id(envelope): b"\x00" * 32})
    assert info.value.failure is CryptoFailure.CIPHERTEXT_INVALID


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=0, max_value=2**32 - 1))
def test_roundtrip_property(plaintext, call_index):
    context = dataclasses.replace(CONTEXT, call_index=call_index)
    envelope = threshold.encrypt(PUBLIC_KEY, plaintext, context)
    assert len(envelope) == threshold.envelope_size(len(plaintext))
    assert threshold.decrypt(envelope, combined_for(envelope)) == plaintext


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1300))
def test_garbage_gives_a_structured_error(data):
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(data, {})
    assert info.value.failure in (CryptoFailure.CIPHERTEXT_INVALID, CryptoFailure.NOT_COMBINED)


def test_malformed_ceremony_record_is_an_engine_error():
    envelope = threshold.encrypt(PUBLIC_KEY, b"sealed", CONTEXT)
    with pytest.raises(CryptoError) as info:
        threshold.decrypt(envelope, {threshold.envelope_id(envelope): b"\x00" * 31})
    assert info.value.failure is CryptoFailure.ENGINE_FAULT
