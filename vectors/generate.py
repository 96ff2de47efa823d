"""Regenerate the known-answer files in this directory.

    python vectors/generate.py               # hashes + threshold (deterministic)
    python vectors/generate.py --falcon      # also new FALCON keys/signatures
    python vectors/generate.py --keys        # new test keys (test-keys.json)
    python vectors/generate.py --parachain-keys  # new parachain validator keys

The hash and threshold files are a pure function of the code: running this
again must leave them byte-identical (a test checks it).  The FALCON file
holds signatures made once with pqcrypto's signer, which draws OS randomness,
so it is only rewritten on request.

Every generated file is cross-checked elsewhere: Poseidon2's empty-input
digest against the permutation known answers of Plonky3 (see
../shared/reference/poseidon2-goldilocks-hl-w8.json), the hashes against published digests and
independent implementations in the tests, FALCON against PQClean's verifier,
the envelopes against two ML-KEM decapsulations (kyber-py and PQClean).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pyde_ref.crypto import blake3_256, keccak256, poseidon2_hash, threshold  # noqa: E402
from pyde_ref.crypto.poseidon2 import bytes_to_elements  # noqa: E402

#: Input lengths: the small cases, both sides of every multiple of 7 (one
#: element per 7 bytes) and of 28 (7 bytes x rate 4), the lengths whose
#: element count (chunks + 1 length element) is an exact multiple of the rate
#: 4 (21, 49, 77 bytes: no trailing permutation), and larger inputs.
HASH_LENGTHS = sorted(
    {0, 1, 2, 6, 7, 8, 13, 14, 15, 20, 21, 22, 27, 28, 29, 32, 33, 48, 49, 50, 55, 56, 57,
     63, 64, 65, 76, 77, 78, 83, 84, 85, 111, 112, 113, 128, 255, 256, 257, 1024}
)


#: Input lengths of the BLAKE3 team's test vectors used here (chunk = 1024
#: bytes: both sides of one, two, three, four and five chunks).
BLAKE3_TEAM_LENGTHS = (0, 1, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 5121)


def blake3_team_input(length: int) -> bytes:
    """The BLAKE3 test-vector input: 0, 1, ..., 250, 0, 1, ... (length bytes)."""
    return bytes(i % 251 for i in range(length))


def pattern_input(length: int) -> bytes:
    """Byte i is (i * 37 + 11) mod 256: distinct neighbouring bytes, no
    all-zero chunks, so a dropped or reordered byte changes the digest."""
    return bytes((i * 37 + 11) % 256 for i in range(length))


def hash_vectors() -> dict:
    cases = []
    for length in HASH_LENGTHS:
        data = pattern_input(length)
        cases.append(_hash_case(f"pattern-{length}", data))
    for name, data in (
        ("zeros-32", bytes(32)),
        ("ones-7", b"\xff" * 7),
        ("ones-8", b"\xff" * 8),
        ("ones-32", b"\xff" * 32),
        ("ascii-abc", b"abc"),
        ("ascii-hello", b"hello"),
        ("trailing-zero-ab", b"ab"),
        ("trailing-zero-ab00", b"ab\x00"),
    ):
        cases.append(_hash_case(name, data))
    for length in BLAKE3_TEAM_LENGTHS:
        cases.append(_hash_case(f"blake3-team-{length}", blake3_team_input(length)))
    return {
        "description": (
            "Digests of hash_blake3, hash_keccak256 and hash_poseidon2 (ABI spec §7.6). "
            "'pattern-N' inputs are N bytes, byte i = (i*37+11) mod 256. "
            "'blake3-team-N' inputs are those of the BLAKE3 team's test_vectors.json "
            "(byte i = i mod 251); their blake3 values equal the first 32 bytes of the "
            "published 'hash' outputs (compared when this file was generated, and "
            "re-checked by an independent implementation in tests/crypto/test_crypto_hashes.py). "
            "poseidon2_elements is the number of field elements the input packs into."
        ),
        "generator": "vectors/generate.py",
        "cases": cases,
    }


def _hash_case(name: str, data: bytes) -> dict:
    return {
        "name": name,
        "input": "0x" + data.hex(),
        "poseidon2_elements": len(bytes_to_elements(data)),
        "blake3": "0x" + blake3_256(data).hex(),
        "keccak256": "0x" + keccak256(data).hex(),
        "poseidon2": "0x" + poseidon2_hash(data).hex(),
    }


#: 64-byte seed d || z of the test committee's ML-KEM-768 key.
COMMITTEE_SEED = bytes(range(64))
BASE_CONTEXT = threshold.EncryptionContext(
    chain_id=7,
    block_height=1_000_000,
    wave_id=42,
    tx_hash=bytes(range(32, 64)),
    contract_address=bytes(range(100, 132)),
    call_index=0,
)


def threshold_vectors() -> dict:
    public_key, secret_key = threshold.committee_keypair(COMMITTEE_SEED)
    cases = []
    plaintexts = [
        ("empty", b"", 0),
        ("one-byte", b"\x2a", 0),
        ("bid", b"sealed bid: 1000 PYDE", 0),
        ("bid-second-call", b"sealed bid: 1000 PYDE", 1),
        ("256-bytes", bytes(i % 256 for i in range(256)), 0),
    ]
    for name, plaintext, call_index in plaintexts:
        context = threshold.EncryptionContext(**{**BASE_CONTEXT.__dict__, "call_index": call_index})
        envelope = threshold.encrypt(public_key, plaintext, context)
        eid, shared_secret = threshold.ceremony_decapsulate(secret_key, envelope)
        cases.append({
            "name": name,
            "context": {
                "chain_id": context.chain_id,
                "block_height": context.block_height,
                "wave_id": context.wave_id,
                "tx_hash": "0x" + context.tx_hash.hex(),
                "contract_address": "0x" + context.contract_address.hex(),
                "call_index": context.call_index,
            },
            "plaintext": "0x" + plaintext.hex(),
            "encapsulation_randomness": "0x" + threshold.encapsulation_randomness(context, plaintext).hex(),
            "nonce": "0x" + threshold.aead_nonce(context, plaintext).hex(),
            "shared_secret": "0x" + shared_secret.hex(),
            "envelope_id": "0x" + eid.hex(),
            "envelope_blake3": "0x" + blake3_256(envelope).hex(),
            "envelope": "0x" + envelope.hex(),
        })
    return {
        "description": (
            "threshold_encrypt envelopes (ABI spec §8.5, layout in spec/cryptography.md) under "
            "the ML-KEM-768 key derived from committee_seed (FIPS 203 KeyGen_internal, d || z)."
        ),
        "generator": "vectors/generate.py",
        "committee_seed": "0x" + COMMITTEE_SEED.hex(),
        "committee_public_key_blake3": "0x" + blake3_256(public_key).hex(),
        "cases": cases,
    }


def falcon_vectors() -> dict:
    from pqcrypto.sign import falcon_512, falcon_padded_512

    public_key, secret_key = falcon_512.generate_keypair()
    other_public_key, _ = falcon_512.generate_keypair()
    cases = []
    for name, message in (
        ("empty-message", b""),
        ("short-message", b"pyde"),
        ("32-byte-message", bytes(range(32))),
        ("1000-byte-message", bytes(i % 251 for i in range(1000))),
    ):
        signature = falcon_512.sign(secret_key, message)
        cases.append(_falcon_case(name, public_key, message, signature, True))
    message = b"transfer 10 PYDE to alice"
    signature = falcon_512.sign(secret_key, message)
    padded = falcon_padded_512.sign(secret_key, message)
    flipped = bytearray(signature)
    flipped[len(flipped) // 2] ^= 0x01
    cases += [
        _falcon_case("valid", public_key, message, signature, True),
        _falcon_case("padded-666-format", public_key, message, padded, True),
        _falcon_case("wrong-message", public_key, b"transfer 11 PYDE to alice", signature, False),
        _falcon_case("wrong-public-key", other_public_key, message, signature, False),
        _falcon_case("bit-flipped-signature", public_key, message, bytes(flipped), False),
        _falcon_case("truncated-signature", public_key, message, signature[:-1], False),
        _falcon_case("header-only-signature", public_key, message, signature[:41], False),
        _falcon_case("empty-signature", public_key, message, b"", False),
        _falcon_case("zero-padded-to-752", public_key, message,
                     signature + bytes(752 - len(signature)), False),
        _falcon_case("short-public-key", public_key[:-1], message, signature, False),
        _falcon_case("long-public-key", public_key + b"\x00", message, signature, False),
    ]
    return {
        "description": (
            "FALCON-512 (round-3, PQClean falcon-512) verification known answers for "
            "falcon_verify (ABI spec §7.7). Signatures made with pqcrypto's signer."
        ),
        "generator": "vectors/generate.py --falcon",
        "cases": cases,
    }


def _falcon_case(name, public_key, message, signature, valid) -> dict:
    return {
        "name": name,
        "public_key": "0x" + public_key.hex(),
        "message": "0x" + message.hex(),
        "signature": "0x" + signature.hex(),
        "valid": valid,
    }


def write(name: str, content: dict) -> None:
    (HERE / name).write_text(json.dumps(content, indent=1) + "\n")


TEST_KEY_NAMES = ("alice", "bob", "carol", "dave", "eve", "validator-1", "validator-2", "signer-1", "signer-2",
                  "signer-3", "emergency-1", "emergency-2")
"""The named FALCON-512 key pairs of ``test-keys.json``: accounts, validator
consensus keys, the treasury and emergency signer sets of the transaction
tests and examples (tests/keys.py, examples/transactions/make_examples.py)."""


PARACHAIN_KEY_NAMES = tuple(f"parachain-validator-{i}" for i in range(1, 8))
"""Seven validator consensus keys: a parachain committee has at least 7
members (PARACHAIN_DESIGN §3), whose votes and committee signatures the
parachain tests and example sign (tests/parachain_helpers.py,
examples/parachains/make_examples.py)."""


def test_keys(names=TEST_KEY_NAMES, flag: str = "--keys") -> dict:
    """Key pairs made once with pqcrypto's key generator (OS randomness):
    test keys only, committed so that signed examples and tests are fixed."""
    from pqcrypto.sign import falcon_512

    keys = {}
    for name in names:
        public_key, secret_key = falcon_512.generate_keypair()
        keys[name] = {"public_key": "0x" + public_key.hex(), "secret_key": "0x" + secret_key.hex()}
    return {
        "description": ("FALCON-512 test key pairs (public 897 bytes, secret 1281 bytes), made once by "
                        f"generate.py {flag}. Test keys: never use them for anything of value."),
        "generator": "pqcrypto.sign.falcon_512.generate_keypair",
        "keys": keys,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--falcon", action="store_true", help="also make new FALCON signatures")
    parser.add_argument("--keys", action="store_true", help="also make new test key pairs")
    parser.add_argument("--parachain-keys", action="store_true",
                        help="also make new parachain validator key pairs")
    args = parser.parse_args(argv)
    write("hashes.json", hash_vectors())
    write("threshold-envelopes.json", threshold_vectors())
    if args.falcon or not (HERE / "falcon512.json").exists():
        write("falcon512.json", falcon_vectors())
    if args.keys or not (HERE / "test-keys.json").exists():
        write("test-keys.json", test_keys())
    if args.parachain_keys or not (HERE / "parachain-validator-keys.json").exists():
        write("parachain-validator-keys.json", test_keys(PARACHAIN_KEY_NAMES, "--parachain-keys"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
