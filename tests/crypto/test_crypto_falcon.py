"""falcon_verify's primitive (ABI spec §7.7): FALCON-512, PQClean round-3 format.

Known answers: the checked-in vectors/falcon512.json (signatures made once
with pqcrypto's signer), and fresh signatures made here by the same signer."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pqcrypto.sign import falcon_512, falcon_padded_512

from paths import VECTORS as VECTOR_DIR
from pyde_ref.crypto import falcon512_verify
from pyde_ref.crypto.falcon import MAX_SIGNATURE_SIZE, PADDED_SIGNATURE_SIZE, PUBLIC_KEY_SIZE

VECTORS = json.loads((VECTOR_DIR / "falcon512.json").read_text())


def unhex(text: str) -> bytes:
    return bytes.fromhex(text[2:])


@pytest.fixture(scope="module")
def keypair():
    return falcon_512.generate_keypair()


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_checked_in_vectors(case):
    result = falcon512_verify(unhex(case["public_key"]), unhex(case["message"]), unhex(case["signature"]))
    assert result is case["valid"]


def test_vectors_contain_both_outcomes():
    outcomes = {c["valid"] for c in VECTORS["cases"]}
    assert outcomes == {True, False}


@pytest.mark.parametrize("message", [b"", b"x", b"pyde" * 100, bytes(range(256)) * 40])
def test_fresh_signatures_verify(keypair, message):
    public_key, secret_key = keypair
    signature = falcon_512.sign(secret_key, message)
    assert len(public_key) == PUBLIC_KEY_SIZE
    assert falcon512_verify(public_key, message, signature) is True


def test_every_single_bit_flip_of_the_message_is_rejected(keypair):
    public_key, secret_key = keypair
    message = b"pay 5"
    signature = falcon_512.sign(secret_key, message)
    for bit in range(8 * len(message)):
        tampered = bytearray(message)
        tampered[bit // 8] ^= 1 << (bit % 8)
        assert falcon512_verify(public_key, bytes(tampered), signature) is False


def test_signature_bit_flips_are_rejected(keypair):
    public_key, secret_key = keypair
    message = b"pay 5"
    signature = falcon_512.sign(secret_key, message)
    # header, nonce, and a spread of positions in the compressed s2
    for byte in [0, 1, 20, 40, 41, 100, 300, len(signature) - 1]:
        for bit in (0, 7):
            tampered = bytearray(signature)
            tampered[byte] ^= 1 << bit
            assert falcon512_verify(public_key, message, bytes(tampered)) is False, (byte, bit)


def test_wrong_key_is_rejected(keypair):
    _, secret_key = keypair
    other_public_key, _ = falcon_512.generate_keypair()
    signature = falcon_512.sign(secret_key, b"m")
    assert falcon512_verify(other_public_key, b"m", signature) is False


def test_padded_format_is_accepted(keypair):
    """Decision recorded in spec/findings/falcon-signature-format.md."""
    public_key, secret_key = keypair
    padded = falcon_padded_512.sign(secret_key, b"m")
    assert len(padded) == PADDED_SIGNATURE_SIZE
    assert falcon512_verify(public_key, b"m", padded) is True
    assert falcon512_verify(public_key, b"other", padded) is False


def test_compressed_signature_zero_padded_to_666_is_accepted_but_not_to_other_lengths():
    case = next(c for c in VECTORS["cases"] if c["name"] == "valid")
    public_key, message, signature = (unhex(case[k]) for k in ("public_key", "message", "signature"))
    assert len(signature) < PADDED_SIGNATURE_SIZE
    to_666 = signature + bytes(PADDED_SIGNATURE_SIZE - len(signature))
    assert falcon512_verify(public_key, message, to_666) is True
    assert falcon512_verify(public_key, message, signature + b"\x00") is False
    assert falcon512_verify(public_key, message, signature + bytes(MAX_SIGNATURE_SIZE - len(signature))) is False


@pytest.mark.parametrize(
    "public_key_length, signature_length",
    [(0, 650), (896, 650), (898, 650), (897, 0), (897, 1), (897, 41), (897, 753), (897, 5000)],
)
def test_malformed_lengths_are_invalid_not_errors(keypair, public_key_length, signature_length):
    public_key, secret_key = keypair
    signature = falcon_512.sign(secret_key, b"m")
    pk = (public_key * 2)[:public_key_length]
    sig = (signature * 10)[:signature_length]
    assert falcon512_verify(pk, b"m", sig) is False


@settings(max_examples=200, deadline=None)
@given(
    st.binary(min_size=PUBLIC_KEY_SIZE, max_size=PUBLIC_KEY_SIZE),
    st.binary(max_size=64),
    st.binary(max_size=MAX_SIGNATURE_SIZE + 10),
)
def test_garbage_never_raises(public_key, message, signature):
    assert falcon512_verify(public_key, message, signature) is False


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=MAX_SIGNATURE_SIZE))
def test_garbage_signature_under_a_real_key(keypair, signature):
    assert falcon512_verify(keypair[0], b"m", b"\x39" + signature) is False


def test_empty_message_outcomes(keypair):
    """spec/findings/falcon-empty-message.md: the empty message is an ordinary message."""
    public_key, secret_key = keypair
    signature_of_empty = falcon_512.sign(secret_key, b"")
    signature_of_other = falcon_512.sign(secret_key, b"\x00")
    assert falcon512_verify(public_key, b"", signature_of_empty) is True
    assert falcon512_verify(public_key, b"", signature_of_other) is False
    assert falcon512_verify(public_key, b"\x00", signature_of_empty) is False
    assert falcon512_verify(public_key, b"", b"\x39" + bytes(100)) is False
    assert falcon512_verify(public_key, b"", b"") is False
