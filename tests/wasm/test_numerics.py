"""Bit-exact numerics (core spec §4.3): pyde_ref.wasm.numerics against
independent references.

Integers are checked against Python's exact integer arithmetic written
differently from the implementation (Fractions, bit strings, struct); floats
against an exact rational reference that rounds by searching the ordered bit
patterns of the format, so it shares no code with ``round_to_format``.
NaN *bit patterns* are the subject of ``test_nan_canonicalization.py``; here a
NaN result is only checked to be a NaN.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pyde_ref.wasm import numerics
from pyde_ref.wasm.errors import Trap, TrapKind

OPS = numerics.operators()
OPS_OFF = numerics.operators(nan_canonicalization=False)
WIDTH = {"i32": 32, "i64": 64, "f32": 32, "f64": 64}

u32 = st.integers(0, 2**32 - 1)
u64 = st.integers(0, 2**64 - 1)
BITS = {"i32": u32, "i64": u64, "f32": u32, "f64": u64}


# -- helpers -------------------------------------------------------------------


def f32(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def f32_float(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def f64_float(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


FLOAT = {"f32": f32_float, "f64": f64_float}
TO_BITS = {"f32": f32, "f64": f64}
INF = {"f32": 0x7F800000, "f64": 0x7FF0000000000000}
SIGN = {"f32": 0x80000000, "f64": 0x8000000000000000}


def signed(i: int, width: int) -> int:
    return i - 2**width if i >= 2 ** (width - 1) else i


def is_nan(bits: int, t: str) -> bool:
    return bits & (SIGN[t] - 1) > INF[t]


def finite_value(bits: int, t: str) -> Fraction:
    return Fraction(FLOAT[t](bits))


def reference_round(q: Fraction, t: str) -> int:
    """Round an exact rational to format ``t`` by binary search over the
    positive bit patterns (monotone in value), then ties-to-even on the
    midpoint; 2^(emax+1) stands for +inf (IEEE 754 §7.4 overflow rule)."""
    negative = q < 0
    q = abs(q)
    top = INF[t]
    beyond_max = Fraction(2) ** (128 if t == "f32" else 1024)

    def val(b: int) -> Fraction:
        return beyond_max if b == top else finite_value(b, t)

    lo, hi = 0, top  # invariant: val(lo) <= q, and q < val(hi) unless hi == top
    if q >= beyond_max:
        lo = top
    else:
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if val(mid) <= q:
                lo = mid
            else:
                hi = mid
        if val(lo) != q:
            midpoint = (val(lo) + val(hi)) / 2
            if q > midpoint or (q == midpoint and lo & 1):
                lo = hi
    return lo | (SIGN[t] if negative else 0)


def finite(t: str):
    """Finite, non-NaN bit patterns of float type ``t``."""
    return BITS[t].filter(lambda b: b & (SIGN[t] - 1) < INF[t])


# -- integer operators ---------------------------------------------------------


def trunc_div(a: int, b: int) -> int:
    return math.trunc(Fraction(a, b))


INT_REFERENCE = {
    "add": lambda a, b, n: (a + b) % 2**n,
    "sub": lambda a, b, n: (a - b) % 2**n,
    "mul": lambda a, b, n: (a * b) % 2**n,
    "and": lambda a, b, n: int("".join("1" if x == y == "1" else "0" for x, y in zip(f"{a:0{n}b}", f"{b:0{n}b}")), 2),
    "or": lambda a, b, n: int("".join("1" if "1" in (x, y) else "0" for x, y in zip(f"{a:0{n}b}", f"{b:0{n}b}")), 2),
    "xor": lambda a, b, n: int("".join("1" if x != y else "0" for x, y in zip(f"{a:0{n}b}", f"{b:0{n}b}")), 2),
    "shl": lambda a, b, n: (a * 2 ** (b % n)) % 2**n,
    "shr_u": lambda a, b, n: a // 2 ** (b % n),
    "shr_s": lambda a, b, n: math.floor(Fraction(signed(a, n), 2 ** (b % n))) % 2**n,
    "rotl": lambda a, b, n: int((f"{a:0{n}b}" * 2)[b % n : b % n + n], 2),
    "rotr": lambda a, b, n: int((f"{a:0{n}b}" * 2)[n - b % n : 2 * n - b % n], 2),
    "eq": lambda a, b, n: int(a == b),
    "ne": lambda a, b, n: int(a != b),
    "lt_u": lambda a, b, n: int(a < b),
    "gt_u": lambda a, b, n: int(a > b),
    "le_u": lambda a, b, n: int(a <= b),
    "ge_u": lambda a, b, n: int(a >= b),
    "lt_s": lambda a, b, n: int(signed(a, n) < signed(b, n)),
    "gt_s": lambda a, b, n: int(signed(a, n) > signed(b, n)),
    "le_s": lambda a, b, n: int(signed(a, n) <= signed(b, n)),
    "ge_s": lambda a, b, n: int(signed(a, n) >= signed(b, n)),
}


@pytest.mark.parametrize("t", ["i32", "i64"])
@pytest.mark.parametrize("name", sorted(INT_REFERENCE))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_integer_binary_matches_exact_arithmetic(t, name, data):
    n = WIDTH[t]
    # Mix uniform patterns with the edges where wrapping and signs matter.
    edge = st.sampled_from([0, 1, 2, n - 1, n, n + 1, 2 ** (n - 1) - 1, 2 ** (n - 1), 2**n - 1, 2**n - 2])
    a = data.draw(st.one_of(BITS[t], edge))
    b = data.draw(st.one_of(BITS[t], edge))
    assert OPS[f"{t}.{name}"](a, b) == INT_REFERENCE[name](a, b, n)


@pytest.mark.parametrize("t", ["i32", "i64"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_integer_division_matches_exact_arithmetic(t, data):
    n = WIDTH[t]
    edge = st.sampled_from([0, 1, 2**n - 1, 2 ** (n - 1), 2 ** (n - 1) - 1, 7, 2**n - 7])
    a = data.draw(st.one_of(BITS[t], edge))
    b = data.draw(st.one_of(BITS[t], edge, st.integers(1, 300)))
    sa, sb = signed(a, n), signed(b, n)
    if b == 0:
        for op in ("div_s", "div_u", "rem_s", "rem_u"):
            with pytest.raises(Trap) as trap:
                OPS[f"{t}.{op}"](a, b)
            assert trap.value.kind == TrapKind.INTEGER_DIVIDE_BY_ZERO
        return
    assert OPS[f"{t}.div_u"](a, b) == trunc_div(a, b)
    assert OPS[f"{t}.rem_u"](a, b) == a - b * trunc_div(a, b)
    assert OPS[f"{t}.rem_s"](a, b) == (sa - sb * trunc_div(sa, sb)) % 2**n
    quotient = trunc_div(sa, sb)
    if quotient == 2 ** (n - 1):  # INT_MIN / -1
        with pytest.raises(Trap) as trap:
            OPS[f"{t}.div_s"](a, b)
        assert trap.value.kind == TrapKind.INTEGER_OVERFLOW
    else:
        assert OPS[f"{t}.div_s"](a, b) == quotient % 2**n


@pytest.mark.parametrize("t", ["i32", "i64"])
def test_integer_division_edges(t):
    n = WIDTH[t]
    int_min, minus_one = 2 ** (n - 1), 2**n - 1
    with pytest.raises(Trap) as trap:
        OPS[f"{t}.div_s"](int_min, minus_one)
    assert trap.value.kind == TrapKind.INTEGER_OVERFLOW
    assert OPS[f"{t}.rem_s"](int_min, minus_one) == 0
    assert OPS[f"{t}.div_u"](int_min, minus_one) == 0
    assert OPS[f"{t}.rem_u"](int_min, minus_one) == int_min
    assert OPS[f"{t}.div_s"](2**n - 7, 2) == 2**n - 3  # -7 / 2 = -3 (toward zero)
    assert OPS[f"{t}.rem_s"](2**n - 7, 2) == 2**n - 1  # -7 rem 2 = -1 (dividend's sign)
    assert OPS[f"{t}.rem_s"](7, 2**n - 2) == 1  # 7 rem -2 = 1


@pytest.mark.parametrize("t", ["i32", "i64"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_integer_unary_matches_bit_strings(t, data):
    n = WIDTH[t]
    a = data.draw(st.one_of(BITS[t], st.sampled_from([0, 1, 2**n - 1, 2 ** (n - 1)]), st.integers(0, 2**n - 1).map(lambda x: x & -x)))
    bits = f"{a:0{n}b}"
    assert OPS[f"{t}.clz"](a) == len(bits) - len(bits.lstrip("0"))
    assert OPS[f"{t}.ctz"](a) == len(bits) - len(bits.rstrip("0"))
    assert OPS[f"{t}.popcnt"](a) == bits.count("1")
    assert OPS[f"{t}.eqz"](a) == (1 if a == 0 else 0)
    for m, code in ((8, "b"), (16, "h")) + (((32, "i"),) if n == 64 else ()):
        low = struct.unpack(f"<{code}", (a % 2**m).to_bytes(m // 8, "little"))[0]
        assert OPS[f"{t}.extend{m}_s"](a) == low % 2**n


@settings(max_examples=300, deadline=None)
@given(a=u32, b=u64)
def test_wrap_and_extend(a, b):
    assert OPS["i32.wrap_i64"](b) == struct.unpack("<I", b.to_bytes(8, "little")[:4])[0]
    assert OPS["i64.extend_i32_u"](a) == a
    assert OPS["i64.extend_i32_s"](a) == struct.unpack("<i", a.to_bytes(4, "little"))[0] % 2**64


# -- reinterpretation, promotion, demotion ---------------------------------------


@settings(max_examples=300, deadline=None)
@given(a=u32, b=u64)
def test_reinterpretations_keep_every_bit(a, b):
    # NaN payloads included: reinterpretation never touches the bits.
    assert OPS["f32.reinterpret_i32"](a) == a and OPS["i32.reinterpret_f32"](a) == a
    assert OPS["f64.reinterpret_i64"](b) == b and OPS["i64.reinterpret_f64"](b) == b


@settings(max_examples=500, deadline=None)
@given(a=finite("f32"))
def test_promote_is_exact(a):
    assert OPS["f64.promote_f32"](a) == f64(f32_float(a))
    # and demoting it back gives the same f32 (round trip of a representable value)
    assert OPS["f32.demote_f64"](OPS["f64.promote_f32"](a)) == a


@settings(max_examples=300, deadline=None)
@given(b=finite("f64"))
@example(b=f64(3.4028235677973362e38))  # below max + half ulp: rounds to max
@example(b=f64(3.4028235677973366e38))  # exactly max + half ulp: a tie, to even: inf
@example(b=f64(3.4028235677973368e38))  # beyond: overflows to inf
@example(b=f64(2.0**-150))  # exactly half the least subnormal: ties to even, +0
@example(b=f64(2.0**-150 * 1.0000001))  # just above half: least subnormal
@example(b=f64(3 * 2.0**-150))  # tie between 1 and 2 subnormal quanta: to 2 (even)
def test_demote_rounds_to_nearest_even(b):
    assert OPS["f32.demote_f64"](b) == reference_round(finite_value(b, "f64"), "f32") | (
        f32(0.0) if b < SIGN["f64"] else SIGN["f32"]
    )


@pytest.mark.parametrize(
    "source, expected",
    [
        (f64(math.inf), 0x7F800000),
        (f64(-math.inf), 0xFF800000),
        (f64(-0.0), 0x80000000),
        (0x7FEFFFFFFFFFFFFF, 0x7F800000),  # f64 max overflows
        (0x0000000000000001, 0x00000000),  # f64 least subnormal underflows to +0
        (0x8000000000000001, 0x80000000),  # ... and keeps its sign
        (f64(1.401298464324817e-45), 0x00000001),  # least f32 subnormal exactly
        (f64(1.1754942106924411e-38), 0x007FFFFF),  # greatest f32 subnormal
    ],
)
def test_demote_special_values(source, expected):
    assert OPS["f32.demote_f64"](source) == expected


@pytest.mark.parametrize(
    "source, expected",
    [
        (0x7F800000, f64(math.inf)),
        (0xFF800000, f64(-math.inf)),
        (0x80000000, f64(-0.0)),
        (0x00000001, f64(2.0**-149)),  # subnormal f32 becomes a normal f64
        (0x807FFFFF, f64(-(2.0**-126 - 2.0**-149))),
        (0x7F7FFFFF, f64(3.4028234663852886e38)),
    ],
)
def test_promote_special_values(source, expected):
    assert OPS["f64.promote_f32"](source) == expected


# -- float arithmetic against the exact reference ----------------------------------


def exact_arith(name: str, x: Fraction, y: Fraction) -> Fraction:
    return {"add": x + y, "sub": x - y, "mul": x * y, "div": x / y if y else None}[name]


@pytest.mark.parametrize("t", ["f32", "f64"])
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_float_arithmetic_rounds_correctly(t, name, data):
    z1 = data.draw(finite(t))
    z2 = data.draw(finite(t))
    x, y = finite_value(z1, t), finite_value(z2, t)
    assume(not (name == "div" and y == 0))
    exact = exact_arith(name, x, y)
    result = OPS[f"{t}.{name}"](z1, z2)
    if exact == 0:
        # IEEE 754 §6.3: the sign of an exact zero
        s1, s2 = z1 >= SIGN[t], z2 >= SIGN[t]
        negative = {"add": s1 and s2, "sub": s1 and not s2, "mul": s1 != s2, "div": s1 != s2}[name]
        assert result == (SIGN[t] if negative else 0)
    else:
        expected = reference_round(exact, t)
        if expected & (SIGN[t] - 1) == 0:  # underflow to zero keeps the exact value's sign
            expected = SIGN[t] if exact < 0 else 0
        assert result == expected


@pytest.mark.parametrize("t", ["f32", "f64"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_sqrt_rounds_correctly(t, data):
    z = data.draw(finite(t).map(lambda b: b & (SIGN[t] - 1)))  # non-negative
    result = OPS[f"{t}.sqrt"](z)
    x = finite_value(z, t)
    assert result < INF[t]
    r = finite_value(result, t)
    below = finite_value(result - 1, t) if result else -r
    above = finite_value(result + 1, t) if result + 1 < INF[t] else r * 2
    # r is the nearest: x lies between the squares of the midpoints around r
    assert ((below + r) / 2) ** 2 <= x <= ((r + above) / 2) ** 2


def test_f32_arithmetic_is_binary32_not_binary64():
    # 1 + 2^-24 is exact in binary64 but a tie in binary32: ties to even gives 1.
    assert OPS["f32.add"](f32(1.0), f32(2.0**-24)) == f32(1.0)
    assert OPS["f32.add"](f32(1.0), f32(2.0**-23)) == f32(1.0 + 2.0**-23)
    # overflow to infinity instead of Python's OverflowError
    assert OPS["f32.mul"](0x7F7FFFFF, f32(2.0)) == 0x7F800000
    assert OPS["f32.add"](0xFF7FFFFF, 0xFF7FFFFF) == 0xFF800000
    # gradual underflow: least subnormal / 2 is a tie, to even (+0); *0.75 rounds up
    assert OPS["f32.mul"](0x00000001, f32(0.5)) == 0
    assert OPS["f32.mul"](0x00000001, f32(0.75)) == 1
    assert OPS["f32.mul"](0x80000003, f32(0.5)) == 0x80000002  # 1.5 quanta -> 2 (even)


# -- conversions from integers -------------------------------------------------------


@pytest.mark.parametrize("result", ["f32", "f64"])
@pytest.mark.parametrize("source", ["i32", "i64"])
@pytest.mark.parametrize("sign", ["s", "u"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_convert_rounds_once_from_the_exact_integer(result, source, sign, data):
    n = WIDTH[source]
    # Integers with a few set bits far apart are where double rounding bites.
    sparse = st.lists(st.integers(0, n - 1), min_size=1, max_size=4).map(lambda ks: sum({2**k for k in ks}) % 2**n)
    i = data.draw(st.one_of(BITS[source], sparse))
    integer = signed(i, n) if sign == "s" else i
    assert OPS[f"{result}.convert_{source}_{sign}"](i) == reference_round(Fraction(integer), result)


def test_convert_i64_to_f32_does_not_round_through_f64():
    # 2^53 + 2^29 + 1: via binary64 it first becomes 2^53 + 2^29 (a tie in
    # binary32, then to even: 2^53); rounded once it is above the tie: 2^53 + 2^30.
    i = 2**53 + 2**29 + 1
    assert OPS["f32.convert_i64_u"](i) == f32(2.0**53 + 2.0**30)
    assert OPS["f32.convert_i64_s"](i) == f32(2.0**53 + 2.0**30)
    assert OPS["f32.convert_i64_s"](2**64 - i) == f32(-(2.0**53 + 2.0**30))
    assert OPS["f32.convert_i64_u"](2**64 - 1) == f32(2.0**64)
    assert OPS["f64.convert_i64_u"](2**64 - 1) == f64(2.0**64)
    assert OPS["f32.convert_i32_u"](0xFFFFFF7F) == f32(4294967040.0)  # below the tie: down
    assert OPS["f32.convert_i32_u"](0xFFFFFF80) == f32(4294967296.0)  # tie: to even (up)
    assert OPS["f32.convert_i32_s"](0x80000000) == f32(-2147483648.0)


# -- special values ----------------------------------------------------------------

PZ, NZ = 0.0, -0.0
INF_, NINF = math.inf, -math.inf


@pytest.mark.parametrize("t", ["f32", "f64"])
@pytest.mark.parametrize(
    "name, args, expected",
    [
        ("min", (NZ, PZ), NZ), ("min", (PZ, NZ), NZ), ("max", (NZ, PZ), PZ), ("max", (PZ, NZ), PZ),
        ("min", (NINF, 1.0), NINF), ("max", (INF_, 1.0), INF_), ("min", (1.0, 2.0), 1.0), ("max", (-1.0, -2.0), -1.0),
        ("sqrt", (NZ,), NZ), ("sqrt", (PZ,), PZ), ("sqrt", (INF_,), INF_), ("sqrt", (4.0,), 2.0),
        ("ceil", (-0.5,), NZ), ("ceil", (0.5,), 1.0), ("ceil", (NZ,), NZ), ("ceil", (-1.5,), -1.0),
        ("floor", (0.5,), PZ), ("floor", (-0.5,), -1.0), ("floor", (NZ,), NZ), ("floor", (NINF,), NINF),
        ("trunc", (-0.7,), NZ), ("trunc", (0.7,), PZ), ("trunc", (-1.7,), -1.0), ("trunc", (INF_,), INF_),
        ("nearest", (0.5,), PZ), ("nearest", (-0.5,), NZ), ("nearest", (1.5,), 2.0), ("nearest", (2.5,), 2.0),
        ("nearest", (-2.5,), -2.0), ("nearest", (-3.5,), -4.0), ("nearest", (2.5000002,), 3.0),
        ("nearest", (-0.49,), NZ), ("nearest", (4194303.5,), 4194304.0), ("nearest", (8388609.0,), 8388609.0),
        ("add", (PZ, NZ), PZ), ("add", (NZ, NZ), NZ), ("sub", (NZ, PZ), NZ), ("sub", (1.0, 1.0), PZ),
        ("mul", (NZ, 5.0), NZ), ("div", (1.0, NZ), NINF), ("div", (-1.0, NZ), INF_), ("div", (1.0, INF_), PZ),
        ("div", (NZ, 1.0), NZ), ("add", (INF_, 1.0), INF_),
        ("abs", (NZ,), PZ), ("neg", (PZ,), NZ), ("neg", (NINF,), INF_), ("copysign", (1.0, NZ), -1.0),
        ("copysign", (NINF, PZ), INF_),
    ],
)
def test_special_values(t, name, args, expected):
    bits = TO_BITS[t]
    assert OPS[f"{t}.{name}"](*map(bits, args)) == bits(expected)


@pytest.mark.parametrize("t", ["f32", "f64"])
@pytest.mark.parametrize(
    "name, args",
    [("add", (INF_, NINF)), ("sub", (INF_, INF_)), ("mul", (PZ, NINF)), ("div", (PZ, NZ)), ("div", (INF_, NINF)), ("sqrt", (-1.0,)), ("sqrt", (NINF,))],
)
def test_invalid_operations_give_nan(t, name, args):
    assert is_nan(OPS[f"{t}.{name}"](*map(TO_BITS[t], args)), t)


@pytest.mark.parametrize("t", ["f32", "f64"])
def test_subnormals_and_extremes(t):
    least, greatest_sub, least_normal = (1, 0x7FFFFF, 0x800000) if t == "f32" else (1, 2**52 - 1, 2**52)
    maximum = INF[t] - 1
    assert OPS[f"{t}.add"](greatest_sub, least) == least_normal
    assert OPS[f"{t}.sub"](least_normal, least) == greatest_sub
    assert OPS[f"{t}.add"](maximum, maximum) == INF[t]
    assert OPS[f"{t}.sub"](least, least) == 0
    assert OPS[f"{t}.ceil"](least) == TO_BITS[t](1.0)
    assert OPS[f"{t}.floor"](least | SIGN[t]) == TO_BITS[t](-1.0)
    assert OPS[f"{t}.nearest"](maximum) == maximum
    assert OPS[f"{t}.lt"](least | SIGN[t], 0) == 1
    assert OPS[f"{t}.eq"](0, SIGN[t]) == 1  # -0 == +0


@pytest.mark.parametrize("t", ["f32", "f64"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_comparisons_match_ieee(t, data):
    z1, z2 = data.draw(BITS[t]), data.draw(BITS[t])
    x, y = FLOAT[t](z1), FLOAT[t](z2)
    for name, relation in (("eq", x == y), ("ne", x != y), ("lt", x < y), ("gt", x > y), ("le", x <= y), ("ge", x >= y)):
        assert OPS[f"{t}.{name}"](z1, z2) == int(relation)


@pytest.mark.parametrize("t", ["f32", "f64"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_rounding_to_integral_matches_exact_reference(t, data):
    z = data.draw(finite(t))
    x = finite_value(z, t)
    negative = z >= SIGN[t]
    floor = math.floor(x)
    for name, integer in (
        ("ceil", math.ceil(x)),
        ("floor", floor),
        ("trunc", math.trunc(x)),
        ("nearest", floor + 1 if x - floor > Fraction(1, 2) or (x - floor == Fraction(1, 2) and floor % 2) else floor),
    ):
        result = OPS[f"{t}.{name}"](z)
        if integer == 0:
            assert result == (SIGN[t] if negative else 0), name  # zero keeps the sign
        else:
            assert finite_value(result, t) == integer, name


@pytest.mark.parametrize("t", ["f32", "f64"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_min_max_and_sign_operators(t, data):
    z1, z2 = data.draw(finite(t)), data.draw(finite(t))
    x1, x2 = FLOAT[t](z1), FLOAT[t](z2)
    lo, hi = OPS[f"{t}.min"](z1, z2), OPS[f"{t}.max"](z1, z2)
    assert FLOAT[t](lo) == min(x1, x2) and FLOAT[t](hi) == max(x1, x2)
    assert {lo, hi} <= {z1, z2} | ({0, SIGN[t]} if x1 == x2 == 0 else set())
    magnitude = SIGN[t] - 1
    assert OPS[f"{t}.abs"](z1) == z1 & magnitude
    assert OPS[f"{t}.neg"](z1) == z1 ^ SIGN[t]
    assert OPS[f"{t}.copysign"](z1, z2) == (z1 & magnitude) | (z2 & SIGN[t])


# -- truncations -----------------------------------------------------------------

OVERFLOW, INVALID = TrapKind.INTEGER_OVERFLOW, TrapKind.INVALID_CONVERSION_TO_INTEGER
NAN32, NAN64 = 0x7FC00000, 0x7FF8000000000000


def _float_below(x: float) -> float:
    return math.nextafter(x, -math.inf)


@pytest.mark.parametrize(
    "op, source, expected",
    [
        ("i32.trunc_f32_s", f32(-2147483648.0), 0x80000000),
        ("i32.trunc_f32_s", f32(2147483648.0), OVERFLOW),
        ("i32.trunc_f32_s", f32(2147483520.0), 2147483520),  # greatest f32 below 2^31
        ("i32.trunc_f32_s", 0xCF000001, OVERFLOW),  # least f32 above -2^31 in magnitude
        ("i32.trunc_f32_s", f32(-1.9), 0xFFFFFFFF),
        ("i32.trunc_f32_s", 0x80000000, 0),
        ("i32.trunc_f32_s", 0x7F800000, OVERFLOW),
        ("i32.trunc_f32_s", 0xFF800000, OVERFLOW),
        ("i32.trunc_f32_s", NAN32, INVALID),
        ("i32.trunc_f32_s", 0xFFA00001, INVALID),
        ("i32.trunc_f32_u", f32(-0.99), 0),
        ("i32.trunc_f32_u", f32(-1.0), OVERFLOW),
        ("i32.trunc_f32_u", f32(4294967040.0), 4294967040),
        ("i32.trunc_f32_u", f32(4294967296.0), OVERFLOW),
        ("i32.trunc_f64_s", f64(-2147483648.9), 0x80000000),
        ("i32.trunc_f64_s", f64(-2147483649.0), OVERFLOW),
        ("i32.trunc_f64_s", f64(2147483647.9), 0x7FFFFFFF),
        ("i32.trunc_f64_s", f64(2147483648.0), OVERFLOW),
        ("i32.trunc_f64_u", f64(4294967295.9), 0xFFFFFFFF),
        ("i32.trunc_f64_u", f64(4294967296.0), OVERFLOW),
        ("i32.trunc_f64_u", f64(-0.9999999), 0),
        ("i32.trunc_f64_u", 0x0000000000000001, 0),
        ("i32.trunc_f64_u", NAN64, INVALID),
        ("i64.trunc_f32_s", f32(-9.2233720368547758e18), 0x8000000000000000),
        ("i64.trunc_f32_s", f32(9.2233720368547758e18), OVERFLOW),
        ("i64.trunc_f32_u", f32(1.8446744073709552e19), OVERFLOW),
        ("i64.trunc_f32_u", 0x5F7FFFFF, 18446742974197923840),
        ("i64.trunc_f64_s", f64(-9.2233720368547758e18), 0x8000000000000000),
        ("i64.trunc_f64_s", f64(9.2233720368547758e18), OVERFLOW),
        ("i64.trunc_f64_s", f64(_float_below(9.2233720368547758e18)), 9223372036854774784),
        ("i64.trunc_f64_u", f64(1.8446744073709552e19), OVERFLOW),
        ("i64.trunc_f64_u", f64(_float_below(1.8446744073709552e19)), 18446744073709549568),
        ("i64.trunc_f64_u", f64(-0.5), 0),
        ("i64.trunc_f64_u", 0xFFF0000000000000, OVERFLOW),
        ("i64.trunc_f64_u", 0xFFF0000000000001, INVALID),
    ],
)
def test_trapping_truncation_boundaries(op, source, expected):
    if isinstance(expected, str):
        with pytest.raises(Trap) as trap:
            OPS[op](source)
        assert trap.value.kind == expected
    else:
        assert OPS[op](source) == expected


@pytest.mark.parametrize(
    "op, source, expected",
    [
        ("i32.trunc_sat_f32_s", NAN32, 0),
        ("i32.trunc_sat_f32_s", 0xFFC00000, 0),
        ("i32.trunc_sat_f32_s", 0x7F800000, 0x7FFFFFFF),
        ("i32.trunc_sat_f32_s", 0xFF800000, 0x80000000),
        ("i32.trunc_sat_f32_s", f32(2147483648.0), 0x7FFFFFFF),
        ("i32.trunc_sat_f32_s", f32(-2147483904.0), 0x80000000),
        ("i32.trunc_sat_f32_u", f32(-1.0), 0),
        ("i32.trunc_sat_f32_u", f32(-0.5), 0),
        ("i32.trunc_sat_f32_u", f32(4294967296.0), 0xFFFFFFFF),
        ("i32.trunc_sat_f64_s", f64(1e300), 0x7FFFFFFF),
        ("i32.trunc_sat_f64_u", f64(-1e300), 0),
        ("i32.trunc_sat_f64_u", f64(4294967295.9), 0xFFFFFFFF),
        ("i64.trunc_sat_f32_s", 0x7F800000, 0x7FFFFFFFFFFFFFFF),
        ("i64.trunc_sat_f32_u", 0xFF800000, 0),
        ("i64.trunc_sat_f64_s", f64(-9.3e18), 0x8000000000000000),
        ("i64.trunc_sat_f64_s", NAN64 | SIGN["f64"], 0),
        ("i64.trunc_sat_f64_u", f64(1.9e19), 0xFFFFFFFFFFFFFFFF),
        ("i64.trunc_sat_f64_u", f64(123.9), 123),
    ],
)
def test_saturating_truncation(op, source, expected):
    assert OPS[op](source) == expected


@pytest.mark.parametrize("result", ["i32", "i64"])
@pytest.mark.parametrize("source", ["f32", "f64"])
@pytest.mark.parametrize("sign", ["s", "u"])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_truncations_against_exact_reference(result, source, sign, data):
    n = WIDTH[result]
    z = data.draw(st.one_of(BITS[source], st.integers(-(2**n), 2**n).map(lambda i: TO_BITS[source](float(i)))))
    low, high = (-(2 ** (n - 1)), 2 ** (n - 1) - 1) if sign == "s" else (0, 2**n - 1)
    trapping, saturating = OPS[f"{result}.trunc_{source}_{sign}"], OPS[f"{result}.trunc_sat_{source}_{sign}"]
    if is_nan(z, source):
        with pytest.raises(Trap) as trap:
            trapping(z)
        assert trap.value.kind == INVALID
        assert saturating(z) == 0
        return
    x = FLOAT[source](z)
    integer = math.trunc(Fraction(x)) if math.isfinite(x) else (high + 1 if x > 0 else low - 1)
    if low <= integer <= high:
        assert trapping(z) == integer % 2**n
    else:
        with pytest.raises(Trap) as trap:
            trapping(z)
        assert trap.value.kind == OVERFLOW
    assert saturating(z) == min(max(integer, low), high) % 2**n


# -- the table itself ---------------------------------------------------------------

EXPECTED_MNEMONICS = (
    [f"{t}.{op}" for t in ("i32", "i64") for op in (
        "add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr clz ctz popcnt eqz "
        "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u extend8_s extend16_s").split()]
    + ["i64.extend32_s", "i32.wrap_i64", "i64.extend_i32_s", "i64.extend_i32_u"]
    + [f"{t}.{op}" for t in ("f32", "f64") for op in (
        "abs neg sqrt ceil floor trunc nearest add sub mul div min max copysign eq ne lt gt le ge").split()]
    + [f"{r}.trunc{sat}_{s}_{u}" for r in ("i32", "i64") for sat in ("", "_sat") for s in ("f32", "f64") for u in "su"]
    + [f"{r}.convert_{s}_{u}" for r in ("f32", "f64") for s in ("i32", "i64") for u in "su"]
    + ["f32.demote_f64", "f64.promote_f32", "i32.reinterpret_f32", "i64.reinterpret_f64",
       "f32.reinterpret_i32", "f64.reinterpret_i64"]
)


def test_table_covers_exactly_the_pyde_v1_numeric_instructions():
    assert sorted(OPS) == sorted(EXPECTED_MNEMONICS) == sorted(OPS_OFF)
    assert set(numerics.ARITY) == set(numerics.RESULT_TYPE) == set(numerics.OPERAND_TYPES) == set(OPS)


@pytest.mark.parametrize(
    "mnemonic, arity, operands, result",
    [
        ("i32.add", 2, ("i32", "i32"), "i32"),
        ("i64.eqz", 1, ("i64",), "i32"),
        ("i64.lt_u", 2, ("i64", "i64"), "i32"),
        ("f64.ge", 2, ("f64", "f64"), "i32"),
        ("f32.copysign", 2, ("f32", "f32"), "f32"),
        ("i64.extend32_s", 1, ("i64",), "i64"),
        ("i32.wrap_i64", 1, ("i64",), "i32"),
        ("i64.extend_i32_u", 1, ("i32",), "i64"),
        ("i64.trunc_sat_f32_s", 1, ("f32",), "i64"),
        ("f32.convert_i64_u", 1, ("i64",), "f32"),
        ("f32.demote_f64", 1, ("f64",), "f32"),
        ("f64.promote_f32", 1, ("f32",), "f64"),
        ("i32.reinterpret_f32", 1, ("f32",), "i32"),
        ("f64.reinterpret_i64", 1, ("i64",), "f64"),
    ],
)
def test_signature_tables(mnemonic, arity, operands, result):
    assert numerics.ARITY[mnemonic] == arity
    assert numerics.OPERAND_TYPES[mnemonic] == operands
    assert numerics.RESULT_TYPE[mnemonic] == result


TRAP_KINDS = {TrapKind.INTEGER_DIVIDE_BY_ZERO, TrapKind.INTEGER_OVERFLOW, TrapKind.INVALID_CONVERSION_TO_INTEGER}


@pytest.mark.parametrize("mnemonic", sorted(EXPECTED_MNEMONICS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_operator_is_total(mnemonic, data):
    """Any operands give a bit pattern of the result width or a Trap of a
    numeric kind, never a Python exception; both NaN settings agree off NaNs."""
    args = [data.draw(BITS[t]) for t in numerics.OPERAND_TYPES[mnemonic]]
    outcomes = []
    for table in (OPS, OPS_OFF):
        try:
            outcomes.append(table[mnemonic](*args))
        except Trap as trap:
            assert trap.kind in TRAP_KINDS
            outcomes.append(trap.kind)
    result_type = numerics.RESULT_TYPE[mnemonic]
    for outcome in outcomes:
        assert isinstance(outcome, str) or 0 <= outcome < 2 ** WIDTH[result_type]
    if result_type in ("i32", "i64") or not is_nan(outcomes[1], result_type):
        assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("t", ["f32", "f64"])
def test_round_to_format_edges(t):
    fmt = numerics.FORMATS[t]
    p = fmt.precision
    # 2^p - 1 fits; 2^(p+1) - 1 is all-ones one bit too long: rounds up to 2^(p+1)
    assert numerics.round_to_format(False, 2**p - 1, 0, fmt) == TO_BITS[t](float(2**p - 1))
    assert numerics.round_to_format(False, 2 ** (p + 1) - 1, 0, fmt) == TO_BITS[t](float(2 ** (p + 1)))
    assert numerics.round_to_format(True, 0, 5, fmt) == SIGN[t]
    assert numerics.round_to_format(False, 1, fmt.min_quantum_exponent - 1, fmt) == 0  # tie, to even
    assert numerics.round_to_format(False, 3, fmt.min_quantum_exponent - 2, fmt) == 1  # 0.75 quantum: up
    assert numerics.round_to_format(False, 1, 100000, fmt) == INF[t]


def test_host_float_check_refuses_a_wrong_host(monkeypatch):
    numerics._check_host_binary64()  # this host is fine (it also ran at import)

    class OffByOneUlpMath:
        @staticmethod
        def sqrt(x: float) -> float:
            return math.nextafter(math.sqrt(x), math.inf)

    monkeypatch.setattr(numerics, "math", OffByOneUlpMath)
    with pytest.raises(RuntimeError, match="not IEEE-754 binary64"):
        numerics._check_host_binary64()


@pytest.mark.parametrize("t", ["f32", "f64"])
@settings(max_examples=300, deadline=None)
@given(
    negative=st.booleans(),
    significand=st.one_of(st.integers(0, 2**70), st.integers(0, 2**8)),
    exponent=st.integers(-1200, 1100),
)
def test_round_to_format_matches_exact_reference(t, negative, significand, exponent):
    exact = Fraction(significand) * Fraction(2) ** exponent
    expected = reference_round(-exact if negative else exact, t)
    if exact == 0 or expected & (SIGN[t] - 1) == 0:
        expected = SIGN[t] if negative else 0  # a zero keeps the sign it was given
    assert numerics.round_to_format(negative, significand, exponent, numerics.FORMATS[t]) == expected
