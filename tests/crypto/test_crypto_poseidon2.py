"""Poseidon2 over Goldilocks and the Pyde engine's poseidon2_hash (ABI spec §7.6).

Independent checks: the three permutation known answers of Plonky3 v0.4.1
(../shared/reference/poseidon2-goldilocks-hl-w8.json), the constants of the same file
against the Grain derivation, a matrix-form re-implementation of the
permutation (the Horizen Labs reference's formulation), and the sponge and
packing rebuilt by hand from the reference note."""

from __future__ import annotations

import functools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paths import VECTORS, shared_path
from pyde_ref.crypto import goldilocks as gf
from pyde_ref.crypto import grain, poseidon2
from pyde_ref.crypto.poseidon2 import (
    bytes_to_elements,
    elements_to_bytes,
    permute,
    poseidon2_hash,
    sponge,
)

PINNED = json.loads((VECTORS / "hashes.json").read_text())
P = gf.P

lanes = st.lists(st.integers(min_value=0, max_value=P - 1), min_size=8, max_size=8)


def unhex(text: str) -> bytes:
    return bytes.fromhex(text[2:])


# --- the permutation -------------------------------------------------------------------


@functools.cache
def reference_data() -> dict:
    """The Poseidon2 reference data of ``shared/reference`` (skips the test without it)."""
    return json.loads(shared_path("reference", "poseidon2-goldilocks-hl-w8.json").read_text())


@pytest.mark.parametrize("index", [0, 1, 2], ids=["zeros", "range", "random"])
def test_permutation_known_answers(index):
    kat = reference_data()["permutation_kats"][index]
    assert permute(kat["input"]) == kat["output"]


def test_instance_parameters_match_data_file():
    data = reference_data()
    assert data["field_modulus"] == P
    assert data["width"] == poseidon2.WIDTH
    assert data["sbox_degree"] == poseidon2.SBOX_DEGREE
    assert data["external_rounds"] == poseidon2.EXTERNAL_ROUNDS
    assert data["internal_rounds"] == poseidon2.INTERNAL_ROUNDS


def _ints(values):
    return [int(v, 16) for v in values]


def test_grain_derivation_reproduces_every_constant():
    data = reference_data()
    assert [list(r) for r in poseidon2.EXTERNAL_INITIAL_CONSTANTS] == [
        _ints(r) for r in data["external_initial_round_constants"]
    ]
    assert list(poseidon2.INTERNAL_CONSTANTS) == _ints(data["internal_round_constants"])
    assert [list(r) for r in poseidon2.EXTERNAL_TERMINAL_CONSTANTS] == [
        _ints(r) for r in data["external_terminal_round_constants"]
    ]
    assert list(poseidon2.INTERNAL_DIAGONAL) == _ints(data["matrix_diag_8"])


def test_diagonal_is_the_fourth_candidate():
    """The min-polynomial condition rejects Grain's first three candidates;
    accepting any of them would give a diagonal other than Plonky3's."""
    assert grain.derive_parameters(8, 8, 22)["diag_candidate_index"] == 3


def test_rejected_candidates_fail_the_condition():
    lfsr = grain.GrainLFSR(grain.FIELD_PRIME, grain.SBOX_POWER, 64, 8, 8, 22)
    grain.round_constants(lfsr, 64, 8, 8, 22, P)
    for _ in range(3):
        candidate = [(lfsr.next_int(64) - 1) % P for _ in range(8)]
        assert not grain.minimal_polynomial_condition(grain.internal_matrix(candidate))
    accepted = [(lfsr.next_int(64) - 1) % P for _ in range(8)]
    assert accepted == list(poseidon2.INTERNAL_DIAGONAL)
    assert grain.minimal_polynomial_condition(grain.internal_matrix(accepted))


def test_irreducibility_test_on_known_polynomials():
    # 7 generates F_p^*, so it is a non-residue: x^2 - 7 is irreducible.
    assert grain.is_irreducible([P - 7, 0, 1])
    # p = 1 mod 4, so -1 is a square: x^2 + 1 splits.
    assert not grain.is_irreducible([1, 0, 1])
    # x^8 - 1 has the root 1.
    assert not grain.is_irreducible([P - 1, 0, 0, 0, 0, 0, 0, 0, 1])
    # (x^2 - 7)^2 = x^4 - 14 x^2 + 49 is a square of an irreducible: reducible.
    assert not grain.is_irreducible([49, 0, P - 14, 0, 1])


def test_characteristic_polynomial_of_a_diagonal_matrix():
    m = [[2, 0], [0, 3]]
    assert grain.characteristic_polynomial(m) == [6, P - 5, 1]  # (x-2)(x-3)


# An independent, matrix-form permutation: the whole linear layers as 8x8
# matrices and the constants as one flat list per round, as the Horizen Labs
# reference script formulates it.

M4 = [[5, 7, 1, 3], [4, 6, 1, 1], [1, 3, 5, 7], [1, 1, 4, 6]]
M_EXTERNAL = [
    [(2 if (i // 4) == (j // 4) else 1) * M4[i % 4][j % 4] for j in range(8)] for i in range(8)
]


def _matrix_internal(data):
    diag = _ints(data["matrix_diag_8"])
    return [[1 + (diag[i] if i == j else 0) for j in range(8)] for i in range(8)]


def _matvec(m, v):
    return [sum(m[i][j] * v[j] for j in range(8)) % P for i in range(8)]


def matrix_form_permutation(state):
    data = reference_data()
    M_INTERNAL = _matrix_internal(data)
    rounds = (
        [(_ints(r), True) for r in data["external_initial_round_constants"]]
        + [([int(c, 16)] + [0] * 7, False) for c in data["internal_round_constants"]]
        + [(_ints(r), True) for r in data["external_terminal_round_constants"]]
    )
    v = _matvec(M_EXTERNAL, state)
    for constants, full in rounds:
        v = [(x + c) % P for x, c in zip(v, constants)]
        if full:
            v = [pow(x, 7, P) for x in v]
            v = _matvec(M_EXTERNAL, v)
        else:
            v[0] = pow(v[0], 7, P)
            v = _matvec(M_INTERNAL, v)
    return v


@settings(max_examples=40, deadline=None)
@given(lanes)
def test_permutation_matches_matrix_form(state):
    assert permute(state) == matrix_form_permutation(state)


@settings(max_examples=100, deadline=None)
@given(lanes)
def test_external_layer_is_the_block_matrix(state):
    assert poseidon2.external_linear_layer(state) == _matvec(M_EXTERNAL, state)


@settings(max_examples=100, deadline=None)
@given(lanes)
def test_internal_layer_is_j_plus_diag(state):
    assert poseidon2.internal_linear_layer(state) == _matvec(_matrix_internal(reference_data()), state)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=P - 1))
def test_sbox_is_a_bijection_with_the_inverse_exponent(x):
    """gcd(7, p - 1) = 1, so x -> x^7 is invertible with exponent 7^-1 mod (p - 1)."""
    inverse_exponent = pow(7, -1, P - 1)
    assert pow(poseidon2.sbox(x), inverse_exponent, P) == x


def test_permutation_rejects_bad_states():
    with pytest.raises(ValueError):
        permute([0] * 7)
    with pytest.raises(ValueError):
        permute([P] + [0] * 7)


# --- packing, sponge, bytes ----------------------------------------------------------------


def test_empty_input_is_one_zero_element_and_one_permutation():
    """Cross-check against the 'zeros' permutation known answer: the empty
    input packs to [0], so its digest is the first 4 lanes of perm(0^8)."""
    assert bytes_to_elements(b"") == [0]
    zeros = reference_data()["permutation_kats"][0]
    assert poseidon2_hash(b"") == elements_to_bytes(zeros["output"][:4])


def test_packing_examples():
    assert bytes_to_elements(b"\x01") == [1, 1]
    assert bytes_to_elements(bytes(range(1, 8))) == [0x07060504030201, 7]
    assert bytes_to_elements(bytes(range(1, 9))) == [0x07060504030201, 8, 8]
    assert bytes_to_elements(b"\xff" * 7) == [2**56 - 1, 7]


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=300))
def test_packing_shape(data):
    elements = bytes_to_elements(data)
    assert len(elements) == -(-len(data) // 7) + 1
    assert elements[-1] == len(data)
    assert all(0 <= e < 2**56 for e in elements[:-1])
    rebuilt = b"".join(e.to_bytes(7, "little") for e in elements[:-1])
    assert rebuilt[:len(data)] == data and not any(rebuilt[len(data):])


def test_sponge_exact_rate_multiple_has_no_trailing_permutation():
    """21 bytes = 3 chunks + length = 4 elements: one full group, one permutation."""
    data = bytes(range(21))
    e = bytes_to_elements(data)
    assert len(e) == 4
    assert poseidon2_hash(data) == elements_to_bytes(permute(e + [0, 0, 0, 0])[:4])


def test_sponge_overwrites_rather_than_adds():
    """28 bytes = 4 chunks + length = 5 elements: permute after the first four,
    then the fifth OVERWRITES lane 0 (lanes 1..7 keep the permuted values)."""
    data = bytes(range(28))
    e = bytes_to_elements(data)
    assert len(e) == 5
    state = permute(e[:4] + [0, 0, 0, 0])
    state[0] = e[4]
    assert poseidon2_hash(data) == elements_to_bytes(permute(state)[:4])
    added = permute(e[:4] + [0, 0, 0, 0])
    added[0] = (added[0] + e[4]) % P
    assert poseidon2_hash(data) != elements_to_bytes(permute(added)[:4])


def test_empty_sponge_input_is_all_zero():
    """Plonky3's sponge never permutes an empty input (the byte interface never
    gives it one: b'' packs to [0])."""
    assert sponge([]) == [0, 0, 0, 0]


@pytest.mark.parametrize("case", PINNED["cases"], ids=lambda c: c["name"])
def test_pinned_poseidon2_vectors(case):
    data = unhex(case["input"])
    assert len(bytes_to_elements(data)) == case["poseidon2_elements"]
    assert poseidon2_hash(data) == unhex(case["poseidon2"])


def test_pinned_vectors_cover_the_required_lengths():
    lengths = {len(unhex(c["input"])) for c in PINNED["cases"]}
    assert {0, 1, 7, 8, 32, 256} <= lengths
    assert {6, 7, 8, 13, 14, 15, 27, 28, 29, 55, 56, 57} <= lengths


def test_distinguishes_trailing_zero_bytes():
    assert poseidon2_hash(b"ab") != poseidon2_hash(b"ab\x00")
    assert poseidon2_hash(b"") != poseidon2_hash(b"\x00")


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.data())
def test_one_bit_flip_changes_digest(data, draw):
    bit = draw.draw(st.integers(min_value=0, max_value=8 * len(data) - 1))
    flipped = bytearray(data)
    flipped[bit // 8] ^= 1 << (bit % 8)
    assert poseidon2_hash(bytes(flipped)) != poseidon2_hash(data)


def test_digest_lanes_are_canonical():
    digest = poseidon2_hash(b"pyde")
    assert len(digest) == 32
    assert all(int.from_bytes(digest[i:i + 8], "little") < P for i in range(0, 32, 8))


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(lanes)
def test_permutation_matches_matrix_form_extensively(state):
    assert permute(state) == matrix_form_permutation(state)
