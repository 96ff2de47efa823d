"""The Goldilocks field F_p, p = 2^64 - 2^32 + 1 (pyde_ref.crypto.goldilocks)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyde_ref.crypto import goldilocks as gf

elements = st.integers(min_value=0, max_value=gf.P - 1)
nonzero = st.integers(min_value=1, max_value=gf.P - 1)


def test_modulus():
    assert gf.P == 0xFFFFFFFF00000001
    # p - 1 = 2^32 * 3 * 5 * 17 * 257 * 65537: the S-box exponent 7 is coprime to it.
    assert gf.P - 1 == 2**32 * 3 * 5 * 17 * 257 * 65537


@given(elements, elements, elements)
def test_ring_axioms(a, b, c):
    assert gf.add(a, b) == gf.add(b, a)
    assert gf.mul(a, b) == gf.mul(b, a)
    assert gf.add(gf.add(a, b), c) == gf.add(a, gf.add(b, c))
    assert gf.mul(gf.mul(a, b), c) == gf.mul(a, gf.mul(b, c))
    assert gf.mul(a, gf.add(b, c)) == gf.add(gf.mul(a, b), gf.mul(a, c))
    assert gf.sub(gf.add(a, b), b) == a


@given(st.integers(min_value=-(2**130), max_value=2**130), st.integers(min_value=-(2**130), max_value=2**130))
def test_results_are_canonical(a, b):
    for value in (gf.add(a, b), gf.sub(a, b), gf.mul(a, b), gf.canonical(a)):
        assert 0 <= value < gf.P


@given(nonzero)
def test_inverse(a):
    assert gf.mul(a, gf.inverse(a)) == 1


@given(nonzero)
def test_fermat(a):
    assert gf.power(a, gf.P - 1) == 1


def test_zero_has_no_inverse():
    with pytest.raises(ZeroDivisionError):
        gf.inverse(0)
    with pytest.raises(ZeroDivisionError):
        gf.inverse(gf.P)
