"""The Goldilocks prime field F_p, p = 2^64 - 2^32 + 1.

Elements are Python ints in canonical form ``0 <= x < p``.  Every function
returns a canonical element, so the byte encodings built on top
(:func:`pyde_ref.crypto.poseidon2.poseidon2_hash`) are unique.

Reference: Poseidon2 paper (eprint 2023/323) §5 instantiates the hash over this
field for Plonky2/Plonky3; ``../shared/reference/poseidon2-goldilocks.md``.
"""

from __future__ import annotations

#: The Goldilocks prime.
P = 2**64 - 2**32 + 1


def canonical(x: int) -> int:
    """The canonical representative of ``x`` (any int) in [0, p)."""
    return x % P


def add(a: int, b: int) -> int:
    return (a + b) % P


def sub(a: int, b: int) -> int:
    return (a - b) % P


def mul(a: int, b: int) -> int:
    return (a * b) % P


def power(a: int, e: int) -> int:
    return pow(a, e, P)


def inverse(a: int) -> int:
    """Multiplicative inverse; ``a`` must be non-zero (Fermat: a^(p-2))."""
    if a % P == 0:
        raise ZeroDivisionError("0 has no inverse in the Goldilocks field")
    return pow(a, P - 2, P)
