"""hash_blake3 and hash_keccak256 (ABI spec §7.6): published known answers,
pinned vectors, and independent from-the-spec implementations (written here,
deliberately slow and plain) compared against the libraries the primitives use."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paths import VECTORS
from pyde_ref.crypto import blake3_256, keccak256

PUBLISHED = json.loads((VECTORS / "published-hash-kats.json").read_text())
PINNED = json.loads((VECTORS / "hashes.json").read_text())


def unhex(text: str) -> bytes:
    assert text.startswith("0x")
    return bytes.fromhex(text[2:])


# --- an independent Keccak-256 (Keccak reference, "The Keccak reference" v3.0) -------

MASK64 = 2**64 - 1


def _rotl64(x: int, n: int) -> int:
    n %= 64
    return ((x << n) | (x >> (64 - n))) & MASK64


def _keccak_round_constants() -> list[int]:
    """RC[i] from the degree-8 LFSR x^8 + x^6 + x^5 + x^4 + 1 (spec §1.2, iota)."""
    state = 1
    bits = []
    for _ in range(24 * 7):
        bits.append(state & 1)
        state <<= 1
        if state & 0x100:
            state ^= 0x171
    constants = []
    for i in range(24):
        rc = 0
        for j in range(7):
            if bits[7 * i + j]:
                rc |= 1 << ((1 << j) - 1)
        constants.append(rc)
    return constants


def _keccak_rho_offsets() -> dict:
    """rho offsets: (x, y) = (1, 0), then (y, 2x + 3y), offset (t+1)(t+2)/2."""
    offsets = {(0, 0): 0}
    x, y = 1, 0
    for t in range(24):
        offsets[(x, y)] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return offsets


RC = _keccak_round_constants()
RHO = _keccak_rho_offsets()


def _keccak_f1600(lanes: list[list[int]]) -> list[list[int]]:
    a = [row[:] for row in lanes]  # a[x][y]
    for rc in RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rotl64(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rotl64(a[x][y], RHO[(x, y)])
        a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        a[0][0] ^= rc
    return a


def reference_keccak256(message: bytes) -> bytes:
    rate = 136
    pad_length = rate - len(message) % rate  # pad10*1 with the 0x01 domain bit
    if pad_length == 1:
        padded = bytes(message) + b"\x81"  # first and last pad bit share one byte
    else:
        padded = bytes(message) + b"\x01" + bytes(pad_length - 2) + b"\x80"
    lanes = [[0] * 5 for _ in range(5)]
    for offset in range(0, len(padded), rate):
        block = padded[offset:offset + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            lanes[x][y] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        lanes = _keccak_f1600(lanes)
    out = b"".join(lanes[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


# --- an independent BLAKE3 (BLAKE3 specification, 2020, §2) ------------------------------

MASK32 = 2**32 - 1
B3_IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
B3_PERMUTATION = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)
CHUNK_START, CHUNK_END, PARENT, ROOT = 1, 2, 4, 8
CHUNK_LEN, BLOCK_LEN = 1024, 64


def _rotr32(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & MASK32


def _g(v, a, b, c, d, mx, my):
    v[a] = (v[a] + v[b] + mx) & MASK32
    v[d] = _rotr32(v[d] ^ v[a], 16)
    v[c] = (v[c] + v[d]) & MASK32
    v[b] = _rotr32(v[b] ^ v[c], 12)
    v[a] = (v[a] + v[b] + my) & MASK32
    v[d] = _rotr32(v[d] ^ v[a], 8)
    v[c] = (v[c] + v[d]) & MASK32
    v[b] = _rotr32(v[b] ^ v[c], 7)


def _compress(cv, block: bytes, counter: int, block_len: int, flags: int) -> list[int]:
    m = [int.from_bytes(block[4 * i:4 * i + 4], "little") for i in range(16)]
    v = list(cv) + list(B3_IV[:4]) + [counter & MASK32, counter >> 32, block_len, flags]
    for round_index in range(7):
        _g(v, 0, 4, 8, 12, m[0], m[1])
        _g(v, 1, 5, 9, 13, m[2], m[3])
        _g(v, 2, 6, 10, 14, m[4], m[5])
        _g(v, 3, 7, 11, 15, m[6], m[7])
        _g(v, 0, 5, 10, 15, m[8], m[9])
        _g(v, 1, 6, 11, 12, m[10], m[11])
        _g(v, 2, 7, 8, 13, m[12], m[13])
        _g(v, 3, 4, 9, 14, m[14], m[15])
        m = [m[B3_PERMUTATION[i]] for i in range(16)]
    return [v[i] ^ v[i + 8] for i in range(8)] + [v[i + 8] ^ cv[i] for i in range(8)]


def _chunk_cv(chunk: bytes, counter: int, root: bool) -> list[int]:
    cv = list(B3_IV)
    blocks = [chunk[i:i + BLOCK_LEN] for i in range(0, len(chunk), BLOCK_LEN)] or [b""]
    for index, block in enumerate(blocks):
        flags = (CHUNK_START if index == 0 else 0) | (CHUNK_END if index == len(blocks) - 1 else 0)
        if root and index == len(blocks) - 1:
            flags |= ROOT
        cv = _compress(cv, block.ljust(BLOCK_LEN, b"\x00"), counter, len(block), flags)[:8]
    return cv


def _subtree_cv(data: bytes, first_chunk: int, root: bool) -> list[int]:
    chunks = max(1, -(-len(data) // CHUNK_LEN))
    if chunks == 1:
        return _chunk_cv(data, first_chunk, root)
    left_chunks = 1 << ((chunks - 1).bit_length() - 1)  # largest power of two < chunks
    split = left_chunks * CHUNK_LEN
    left = _subtree_cv(data[:split], first_chunk, False)
    right = _subtree_cv(data[split:], first_chunk + left_chunks, False)
    block = b"".join(w.to_bytes(4, "little") for w in left + right)
    return _compress(B3_IV, block, 0, BLOCK_LEN, PARENT | (ROOT if root else 0))[:8]


def reference_blake3(data: bytes) -> bytes:
    return b"".join(w.to_bytes(4, "little") for w in _subtree_cv(data, 0, True))


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PUBLISHED["keccak256"], ids=lambda c: c["input"][:12])
def test_keccak256_published(case):
    assert keccak256(unhex(case["input"])) == unhex(case["digest"])
    assert reference_keccak256(unhex(case["input"])) == unhex(case["digest"])


def test_keccak256_is_not_sha3_256():
    for case in PUBLISHED["sha3_256_negative_controls"]:
        data = unhex(case["input"])
        assert hashlib.sha3_256(data).digest() == unhex(case["digest"])  # the control is right
        assert keccak256(data) != unhex(case["digest"])


@pytest.mark.parametrize("case", PUBLISHED["blake3"], ids=lambda c: str(c["input_len"]))
def test_blake3_published(case):
    data = bytes(i % 251 for i in range(case["input_len"]))
    assert blake3_256(data) == unhex(case["digest"])
    assert reference_blake3(data) == unhex(case["digest"])


@pytest.mark.parametrize("case", PINNED["cases"], ids=lambda c: c["name"])
def test_pinned_blake3_and_keccak(case):
    data = unhex(case["input"])
    assert blake3_256(data) == unhex(case["blake3"])
    assert keccak256(data) == unhex(case["keccak256"])


@pytest.mark.parametrize("case", [c for c in PINNED["cases"] if c["name"].startswith("blake3-team-")],
                         ids=lambda c: c["name"])
def test_blake3_team_inputs_match_the_independent_implementation(case):
    """Tree hashing across 1..6 chunks, checked by the from-the-spec code."""
    assert reference_blake3(unhex(case["input"])) == unhex(case["blake3"])


@pytest.mark.parametrize("length", [0, 1, 135, 136, 137, 271, 272, 273, 500])
def test_keccak256_rate_boundaries_match_reference(length):
    data = bytes((7 * i + 3) % 256 for i in range(length))
    assert keccak256(data) == reference_keccak256(data)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600))
def test_keccak256_matches_reference(data):
    assert keccak256(data) == reference_keccak256(data)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2200))
def test_blake3_matches_reference(data):
    assert blake3_256(data) == reference_blake3(data)


@pytest.mark.parametrize("function", [blake3_256, keccak256])
def test_output_is_32_bytes_and_accepts_bytes_likes(function):
    data = b"pyde"
    assert len(function(data)) == 32
    assert function(bytearray(data)) == function(data) == function(memoryview(data))


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=1000, max_size=9000))
def test_blake3_deep_trees_match_reference(data):
    """Up to 9 chunks: trees of depth 4, uneven right subtrees."""
    assert blake3_256(data) == reference_blake3(data)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=1500))
def test_keccak256_many_inputs_match_reference(data):
    assert keccak256(data) == reference_keccak256(data)
