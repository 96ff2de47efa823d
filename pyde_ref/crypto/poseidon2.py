"""Poseidon2 over Goldilocks, width 8, and the Pyde engine's ``poseidon2_hash``.

Read next to the Poseidon2 paper (Grassi, Khovratovich, Schofnegger,
eprint 2023/323) and ``../shared/reference/poseidon2-goldilocks.md``.  The
instance is Plonky3 v0.4.1's ``Poseidon2GoldilocksHL<8>`` (the Horizen Labs
parameters): t = 8, S-box x^7, R_F = 8 external rounds (4 + 4), R_P = 22
internal rounds.  The constants are derived in :mod:`pyde_ref.crypto.grain`.

The ABI function ``hash_poseidon2`` (ABI spec §7.6) is :func:`poseidon2_hash`.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from . import goldilocks as gf
from .grain import derive_parameters

# --- instance parameters (paper §5, Table 1 of the reference note) ---------------

WIDTH = 8
SBOX_DEGREE = 7
EXTERNAL_ROUNDS = 8
INTERNAL_ROUNDS = 22

# Sponge (Plonky3 PaddingFreeSponge<Perm, 8, 4, 4>).
RATE = 4
OUTPUT_ELEMENTS = 4

# Byte packing of the Pyde engine's poseidon2_hash.
BYTES_PER_ELEMENT = 7
DIGEST_SIZE = 32

#: The 4x4 matrix M_4 of the external layer: the one of the paper (§5.1) and
#: of the Horizen Labs reference, which Plonky3 calls ``HLMDSMat4``.  (Plonky3's
#: non-HL Poseidon2 instances use a different, circulant M_4; not this one.)
M4 = (
    (5, 7, 1, 3),
    (4, 6, 1, 1),
    (1, 3, 5, 7),
    (1, 1, 4, 6),
)

_PARAMETERS = derive_parameters(WIDTH, EXTERNAL_ROUNDS, INTERNAL_ROUNDS)
EXTERNAL_INITIAL_CONSTANTS: tuple[tuple[int, ...], ...] = _PARAMETERS["external_initial"]
INTERNAL_CONSTANTS: tuple[int, ...] = _PARAMETERS["internal"]
EXTERNAL_TERMINAL_CONSTANTS: tuple[tuple[int, ...], ...] = _PARAMETERS["external_terminal"]
#: d in M_I = J + diag(d) (Plonky3 ``MATRIX_DIAG_8_GOLDILOCKS``).
INTERNAL_DIAGONAL: tuple[int, ...] = _PARAMETERS["diag"]

P = gf.P


# --- the round functions ------------------------------------------------------------


def sbox(x: int) -> int:
    """S(x) = x^7: the smallest d >= 3 with gcd(d, p - 1) = 1, so S is a
    permutation of the field (paper §2.1)."""
    return pow(x, SBOX_DEGREE, P)


def apply_m4(a: int, b: int, c: int, d: int) -> tuple[int, int, int, int]:
    """Multiply one 4-lane chunk by :data:`M4`."""
    return (
        (5 * a + 7 * b + c + 3 * d) % P,
        (4 * a + 6 * b + c + d) % P,
        (a + 3 * b + 5 * c + 7 * d) % P,
        (a + b + 4 * c + 6 * d) % P,
    )


def external_linear_layer(state: Sequence[int]) -> list[int]:
    """M_E for t = 8 (paper §5.1, eq. for t = 4t'): the block matrix
    [[2 M4, M4], [M4, 2 M4]].  Computed as: apply M4 to each 4-lane half, then
    add to lane i the sum of lane i (mod 4) over both halves."""
    low = apply_m4(*state[0:4])
    high = apply_m4(*state[4:8])
    column_sums = [low[i] + high[i] for i in range(4)]
    return [(low[i] + column_sums[i]) % P for i in range(4)] + [
        (high[i] + column_sums[i]) % P for i in range(4)
    ]


def internal_linear_layer(state: Sequence[int]) -> list[int]:
    """M_I = J + diag(d) (paper §5.2): lane i becomes lane_i * d_i + sum(lanes)."""
    total = sum(state)
    return [(x * d + total) % P for x, d in zip(state, INTERNAL_DIAGONAL)]


def external_rounds(state: Sequence[int], round_constants: Sequence[Sequence[int]]) -> list[int]:
    """External rounds, one per entry of ``round_constants``: add the
    round's 8 constants, S-box every lane, then M_E
    (:func:`external_linear_layer`).  M_E is written out: M4 of each half by
    the paper's 8-addition chain (§5.1: t0 = a + b, t1 = c + d, t2 = 2b + t1,
    t3 = 2d + t0, t4 = 4t1 + t3, t5 = 4t0 + t2, t6 = t3 + t5, t7 = t2 + t4
    gives M4 (a, b, c, d) = (t6, t5, t7, t4)), then each lane plus the sum
    of its column over both halves.  The lanes stay in local variables and
    are reduced only at the end (``pow`` reduces its base): these rounds and
    :func:`internal_rounds` are the hash's time."""
    s0, s1, s2, s3, s4, s5, s6, s7 = state
    for c0, c1, c2, c3, c4, c5, c6, c7 in round_constants:
        a, b, c, d = pow(s0 + c0, SBOX_DEGREE, P), pow(s1 + c1, SBOX_DEGREE, P), \
            pow(s2 + c2, SBOX_DEGREE, P), pow(s3 + c3, SBOX_DEGREE, P)
        t0, t1 = a + b, c + d
        t2, t3 = 2 * b + t1, 2 * d + t0
        t4, t5 = 4 * t1 + t3, 4 * t0 + t2
        l0, l1, l2, l3 = t3 + t5, t5, t2 + t4, t4
        a, b, c, d = pow(s4 + c4, SBOX_DEGREE, P), pow(s5 + c5, SBOX_DEGREE, P), \
            pow(s6 + c6, SBOX_DEGREE, P), pow(s7 + c7, SBOX_DEGREE, P)
        t0, t1 = a + b, c + d
        t2, t3 = 2 * b + t1, 2 * d + t0
        t4, t5 = 4 * t1 + t3, 4 * t0 + t2
        h0, h1, h2, h3 = t3 + t5, t5, t2 + t4, t4
        u0, u1, u2, u3 = l0 + h0, l1 + h1, l2 + h2, l3 + h3
        s0, s1, s2, s3 = l0 + u0, l1 + u1, l2 + u2, l3 + u3
        s4, s5, s6, s7 = h0 + u0, h1 + u1, h2 + u2, h3 + u3
    # The next round's pow reduces its base: the lanes are reduced once, here.
    return [s0 % P, s1 % P, s2 % P, s3 % P, s4 % P, s5 % P, s6 % P, s7 % P]


def internal_rounds(state: Sequence[int]) -> list[int]:
    """The R_P internal rounds: each adds its constant to lane 0, S-boxes
    lane 0 only, then applies M_I (:func:`internal_linear_layer`: lane i
    becomes lane_i * d_i + the sum of the lanes).  Written with the lanes in
    local variables and reduced every second round -- the same arithmetic mod
    p, without a list per round and with fewer divisions -- because
    these rounds are most of the hash's time (``hash_poseidon2`` must cost
    time in proportion to its gas: ``spec/findings/gas-and-work.md``)."""
    d0, d1, d2, d3, d4, d5, d6, d7 = INTERNAL_DIAGONAL
    s0, s1, s2, s3, s4, s5, s6, s7 = state
    reduce_now = False
    for constant in INTERNAL_CONSTANTS:
        s0 = pow(s0 + constant, SBOX_DEGREE, P)
        total = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
        s0 = s0 * d0 + total
        s1 = s1 * d1 + total
        s2 = s2 * d2 + total
        s3 = s3 * d3 + total
        s4 = s4 * d4 + total
        s5 = s5 * d5 + total
        s6 = s6 * d6 + total
        s7 = s7 * d7 + total
        if reduce_now:  # every second round: the lanes stay below 2^200 (lane 0 is reduced by pow)
            s1, s2, s3, s4, s5, s6, s7 = s1 % P, s2 % P, s3 % P, s4 % P, s5 % P, s6 % P, s7 % P
        reduce_now = not reduce_now
    return [s0 % P, s1 % P, s2 % P, s3 % P, s4 % P, s5 % P, s6 % P, s7 % P]


def permute(state: Sequence[int]) -> list[int]:
    """The Poseidon2 permutation (paper §3, Fig. 1): an initial M_E, 4 external
    rounds, 22 internal rounds, 4 external rounds."""
    if len(state) != WIDTH:
        raise ValueError(f"Poseidon2 state has {WIDTH} lanes, got {len(state)}")
    if any(not 0 <= x < P for x in state):
        raise ValueError("Poseidon2 lanes must be canonical Goldilocks elements")
    return permutation(state)


def permutation(lanes: Sequence[int]) -> list[int]:
    """:func:`permute` without its checks, for callers whose lanes are 8
    canonical elements by construction (:func:`sponge`)."""
    lanes = external_rounds(external_linear_layer(lanes), EXTERNAL_INITIAL_CONSTANTS)
    return external_rounds(internal_rounds(lanes), EXTERNAL_TERMINAL_CONSTANTS)


# --- the sponge and the byte interface ---------------------------------------------


def sponge(elements: Iterable[int]) -> list[int]:
    """Plonky3 ``PaddingFreeSponge<Perm, 8, 4, 4>`` in overwrite mode.

    The state starts as 8 zeros.  Elements overwrite lanes 0..3 in order; after
    each full group of 4 the state is permuted.  A final partial group
    overwrites only its own lanes and is followed by one permutation; if the
    input ends exactly after a full group, nothing more happens (no padding,
    hence the length element appended by :func:`bytes_to_elements`).
    Returns lanes 0..3."""
    state = [0] * WIDTH
    position = 0
    for element in elements:
        state[position] = element
        position += 1
        if position == RATE:
            state = permutation(state)
            position = 0
    if position != 0:
        state = permutation(state)
    return state[:OUTPUT_ELEMENTS]


def bytes_to_elements(data: bytes) -> list[int]:
    """The Pyde engine's packing: 7-byte chunks (the last may be shorter),
    each zero-padded to a little-endian u64, then one element holding the
    input length in bytes.  The empty input is the single element 0 with no
    length element.  A 7-byte value is < 2^56 < p, so no reduction occurs;
    the length element is reduced mod p like Plonky3's ``from_u64``."""
    if not data:
        return [0]
    elements = [
        int.from_bytes(data[i:i + BYTES_PER_ELEMENT], "little")
        for i in range(0, len(data), BYTES_PER_ELEMENT)
    ]
    elements.append(len(data) % P)
    return elements


def elements_to_bytes(elements: Sequence[int]) -> bytes:
    """Each canonical element as 8 bytes little-endian, concatenated."""
    return b"".join(x.to_bytes(8, "little") for x in elements)


def poseidon2_hash(data: bytes) -> bytes:
    """``hash_poseidon2`` (ABI spec §7.6): 32-byte digest of ``data``."""
    return elements_to_bytes(sponge(bytes_to_elements(bytes(data))))
