"""Derivation of the Poseidon2 parameters from the Grain LFSR.

The Poseidon family's parameters are "nothing up my sleeve" numbers: a Grain
LFSR in self-shrinking mode, seeded with the instance description, emits the
bits from which the round constants (and the internal matrix diagonal) are
drawn.  This module re-derives Plonky3's ``HL_GOLDILOCKS_8_*`` constants and
``MATRIX_DIAG_8_GOLDILOCKS`` the way the Horizen Labs parameter script
(``poseidon2_rust_params.sage``) generates them, so they are computed here
rather than transcribed.

Procedure (Poseidon paper eprint 2019/458 Appendix F; Poseidon2 paper eprint
2023/323 §4 and its reference script):

1. The 80-bit LFSR state is the instance description, most significant bit
   first: field type (2 bits, 1 = prime field), S-box type (4 bits, 0 = x^alpha),
   field size n (12 bits), width t (12 bits), R_F (10 bits), R_P (10 bits),
   then thirty 1 bits.
2. The LFSR is clocked 160 times and the output discarded.
3. Self-shrinking: bits are produced in pairs; a pair (1, b) outputs b, a pair
   (0, b) outputs nothing.
4. A round constant is n output bits read as a big-endian integer; values
   >= p are rejected and redrawn.  Poseidon2 draws R_F * t + R_P constants in
   round order: t per external round, one per internal round.
5. The internal layer is ``M_I = J + diag(d)`` where J is the all-ones
   matrix.  The script draws candidates ``D`` (t values of n bits each,
   reduced mod p) for ``1 - I + diag(D)`` and keeps the first candidate for
   which, for every k in 1..2t, the minimal polynomial of ``M_I^k`` has degree
   t and is irreducible (the Poseidon2 paper's §5.3 condition against
   infinitely long subspace trails).  Plonky3 stores ``d = D - 1``.

The script also runs three subspace-trail algorithms as a final sanity check
that does not change the chosen values; they are not reproduced here.
"""

from __future__ import annotations

from functools import lru_cache

from . import goldilocks as gf

FIELD_PRIME = 1
SBOX_POWER = 0


class GrainLFSR:
    """The 80-bit Grain LFSR in self-shrinking mode (eprint 2019/458 App. F)."""

    TAPS = (62, 51, 38, 23, 13, 0)
    """The feedback: the new bit is the XOR of the state bits at these indexes."""
    WARM_UP_CLOCKS = 160

    def __init__(self, field: int, sbox: int, n: int, t: int, r_f: int, r_p: int):
        bits: list[int] = []
        for value, width in ((field, 2), (sbox, 4), (n, 12), (t, 12), (r_f, 10), (r_p, 10)):
            bits.extend(int(c) for c in format(value, f"0{width}b"))
        bits.extend([1] * 30)
        assert len(bits) == 80
        self._state = bits
        for _ in range(self.WARM_UP_CLOCKS):
            self._clock()

    def _clock(self) -> int:
        s = self._state
        new_bit = 0
        for tap in self.TAPS:
            new_bit ^= s[tap]
        del s[0]
        s.append(new_bit)
        return new_bit

    def next_bit(self) -> int:
        """The next output bit: clock pairs until the first bit of a pair is 1."""
        while True:
            selector = self._clock()
            candidate = self._clock()
            if selector == 1:
                return candidate

    def next_int(self, n_bits: int) -> int:
        """``n_bits`` output bits, first bit most significant."""
        value = 0
        for _ in range(n_bits):
            value = (value << 1) | self.next_bit()
        return value


def round_constants(lfsr: GrainLFSR, n: int, t: int, r_f: int, r_p: int, p: int) -> list[int]:
    """R_F * t + R_P field elements by rejection sampling (step 4)."""
    constants = []
    for _ in range(r_f * t + r_p):
        value = lfsr.next_int(n)
        while value >= p:
            value = lfsr.next_int(n)
        constants.append(value)
    return constants


# --- polynomials over F_p, coefficient lists lowest degree first -------------


def _poly_trim(a: list[int]) -> list[int]:
    while a and a[-1] == 0:
        a.pop()
    return a


def _poly_mulmod(a: list[int], b: list[int], f: list[int]) -> list[int]:
    """a * b mod f, with f monic."""
    product = [0] * (len(a) + len(b) - 1) if a and b else []
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                product[i + j] += x * y
    return _poly_mod([c % gf.P for c in product], f)


def _poly_mod(a: list[int], f: list[int]) -> list[int]:
    a = list(a)
    d = len(f) - 1
    for i in range(len(a) - 1, d - 1, -1):
        c = a[i] % gf.P
        if c:
            for j in range(d + 1):
                a[i - d + j] = (a[i - d + j] - c * f[j]) % gf.P
    return _poly_trim([c % gf.P for c in a[:d]])


def _poly_powmod(base: list[int], e: int, f: list[int]) -> list[int]:
    result = [1]
    while e:
        if e & 1:
            result = _poly_mulmod(result, base, f)
        base = _poly_mulmod(base, base, f)
        e >>= 1
    return result


def _poly_add(a: list[int], b: list[int]) -> list[int]:
    n = max(len(a), len(b))
    a = list(a) + [0] * (n - len(a))
    b = list(b) + [0] * (n - len(b))
    return _poly_trim([(x + y) % gf.P for x, y in zip(a, b)])


def _poly_compose_mod(g: list[int], h: list[int], f: list[int]) -> list[int]:
    """g(h(x)) mod f by Horner's rule."""
    result: list[int] = []
    for c in reversed(g):
        result = _poly_add(_poly_mulmod(result, h, f), [c])
    return result


def _poly_gcd(a: list[int], b: list[int]) -> list[int]:
    """Monic greatest common divisor (Euclid)."""
    a, b = _poly_trim(list(a)), _poly_trim(list(b))
    while b:
        inv = gf.inverse(b[-1])
        b_monic = [c * inv % gf.P for c in b]
        a, b = b_monic, _poly_mod(a, b_monic)
    return a


def is_irreducible(f: list[int]) -> bool:
    """Rabin's test for a monic f of degree d over F_p: x^(p^d) = x mod f and,
    for every prime q | d, gcd(x^(p^(d/q)) - x, f) = 1."""
    d = len(f) - 1
    x = [0, 1]
    frobenius = _poly_powmod(x, gf.P, f)  # x^p mod f
    powers = {1: frobenius}  # k -> x^(p^k) mod f
    current = frobenius
    for k in range(2, d + 1):
        current = _poly_compose_mod(current, frobenius, f)  # x^(p^k) = (x^(p^(k-1)))(x^p)
        powers[k] = current
    if _poly_trim(_poly_sub(powers[d], x)):
        return False
    for q in _prime_factors(d):
        g = _poly_gcd(f, _poly_sub(powers[d // q], x))
        if len(g) > 1:
            return False
    return True


def _poly_sub(a: list[int], b: list[int]) -> list[int]:
    return _poly_add(a, [(-c) % gf.P for c in b])


def _prime_factors(n: int) -> list[int]:
    factors, q = [], 2
    while q * q <= n:
        if n % q == 0:
            factors.append(q)
            while n % q == 0:
                n //= q
        q += 1
    if n > 1:
        factors.append(n)
    return factors


# --- matrices over F_p --------------------------------------------------------


def _mat_mul(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
    n = len(a)
    return [[sum(a[i][k] * b[k][j] for k in range(n)) % gf.P for j in range(n)] for i in range(n)]


def characteristic_polynomial(m: list[list[int]]) -> list[int]:
    """det(xI - M), monic, lowest degree first (Faddeev-LeVerrier; valid
    because p is larger than the matrix size, so 1/k exists)."""
    n = len(m)
    coeffs = [0] * (n + 1)
    coeffs[n] = 1
    mk = [[0] * n for _ in range(n)]
    for k in range(1, n + 1):
        # M_k = M * M_{k-1} + c_{n-k+1} I
        mk = _mat_mul(m, mk)
        for i in range(n):
            mk[i][i] = (mk[i][i] + coeffs[n - k + 1]) % gf.P
        am = _mat_mul(m, mk)
        trace = sum(am[i][i] for i in range(n)) % gf.P
        coeffs[n - k] = (-trace * gf.inverse(k)) % gf.P
    return coeffs


def minimal_polynomial_condition(m: list[list[int]]) -> bool:
    """For k = 1..2t: the minimal polynomial of M^k has degree t and is
    irreducible.  An irreducible characteristic polynomial of degree t is
    exactly that (the minimal polynomial divides it and shares its
    irreducible factors), so the characteristic polynomial is tested."""
    t = len(m)
    power_k = m
    for _ in range(2 * t):
        if not is_irreducible(characteristic_polynomial(power_k)):
            return False
        power_k = _mat_mul(m, power_k)
    return True


def internal_matrix(diag: list[int]) -> list[list[int]]:
    """M_I = J + diag(d): every lane becomes lane * d[i] + sum(lanes)."""
    t = len(diag)
    return [[(1 + (diag[i] if i == j else 0)) % gf.P for j in range(t)] for i in range(t)]


def internal_diagonal(lfsr: GrainLFSR, n: int, t: int) -> tuple[list[int], int]:
    """Step 5: the first candidate diagonal passing the minimal-polynomial
    condition, as Plonky3's ``d`` (= D - 1), and its candidate index."""
    index = 0
    while True:
        candidate = [lfsr.next_int(n) % gf.P for _ in range(t)]
        diag = [(x - 1) % gf.P for x in candidate]
        if minimal_polynomial_condition(internal_matrix(diag)):
            return diag, index
        index += 1


@lru_cache(maxsize=None)
def derive_parameters(t: int = 8, r_f: int = 8, r_p: int = 22) -> dict:
    """All Poseidon2-Goldilocks parameters for width ``t``.

    Returns ``external_initial`` (R_F/2 lists of t), ``internal`` (R_P),
    ``external_terminal`` (R_F/2 lists of t), ``diag`` (t) and
    ``diag_candidate_index`` (how many candidates the condition rejected)."""
    n = gf.P.bit_length()
    lfsr = GrainLFSR(FIELD_PRIME, SBOX_POWER, n, t, r_f, r_p)
    constants = round_constants(lfsr, n, t, r_f, r_p, gf.P)
    half = r_f // 2
    initial_end = half * t
    internal_end = initial_end + r_p
    diag, index = internal_diagonal(lfsr, n, t)
    return {
        "external_initial": tuple(
            tuple(constants[r * t:(r + 1) * t]) for r in range(half)
        ),
        "internal": tuple(constants[initial_end:internal_end]),
        "external_terminal": tuple(
            tuple(constants[internal_end + r * t:internal_end + (r + 1) * t]) for r in range(half)
        ),
        "diag": tuple(diag),
        "diag_candidate_index": index,
    }
