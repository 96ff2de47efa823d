"""Throughput figures of the cryptographic primitives (not a test).

    python -m pyde_ref.crypto.bench [--seconds S]

Prints operations per second for each primitive on a fixed input: the
Poseidon2 figure is for a 32-byte input (6 field elements, 2 permutations).
Speed targets live here, never in the unit tests."""

from __future__ import annotations

import argparse
import sys
import time

from pqcrypto.sign import falcon_512

from . import blake3_256, falcon512_verify, keccak256, poseidon2_hash, threshold
from .poseidon2 import permute


def measure(function, seconds: float) -> float:
    """Calls per second of ``function()`` over at least ``seconds`` of wall time
    (benchmarks may read the clock; nothing consensus-relevant does)."""
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(10):
            function()
        calls += 10
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="crypto primitive throughput")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per figure")
    args = parser.parse_args(argv)

    data32 = bytes(range(32))
    public_key, secret_key = falcon_512.generate_keypair()
    signature = falcon_512.sign(secret_key, data32)
    committee_pk, committee_sk = threshold.committee_keypair(bytes(64))
    context = threshold.EncryptionContext(1, 1, 1, bytes(32), bytes(32), 0)
    envelope = threshold.encrypt(committee_pk, data32, context)
    combined = dict([threshold.ceremony_decapsulate(committee_sk, envelope)])

    figures = [
        ("poseidon2_hash, 32-byte input", lambda: poseidon2_hash(data32)),
        ("poseidon2 permutation", lambda: permute([0, 1, 2, 3, 4, 5, 6, 7])),
        ("blake3_256, 32-byte input", lambda: blake3_256(data32)),
        ("keccak256, 32-byte input", lambda: keccak256(data32)),
        ("falcon512_verify", lambda: falcon512_verify(public_key, data32, signature)),
        ("threshold.encrypt, 32-byte plaintext", lambda: threshold.encrypt(committee_pk, data32, context)),
        ("threshold.decrypt, 32-byte plaintext", lambda: threshold.decrypt(envelope, combined)),
    ]
    for name, function in figures:
        print(f"{name:40s} {measure(function, args.seconds):12.0f} /s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
