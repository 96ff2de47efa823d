"""Numerics, bit-exact (core spec §4.3), plus NaN canonicalization.

Every numeric instruction of pyde-v1 (core spec §4.4.1, "numeric instructions")
is a pure function of unsigned bit-pattern ints returning a bit-pattern int:
an ``i32`` is in ``[0, 2**32)``, an ``f64`` is its IEEE-754 binary64 bits (see
:mod:`.syntax`).  Working on bit patterns keeps NaN payloads and the sign of
zero exact.  The public interface::

    operators(nan_canonicalization=True) -> dict[str, Callable[..., int]]
    ARITY[mnemonic]          1 or 2              } from the instruction
    OPERAND_TYPES[mnemonic]  the operand types   } table's signatures
    RESULT_TYPE[mnemonic]    the result type     } (:mod:`.instructions`)
    extend, wrap             §4.3.4, also what narrow loads and stores do
    CANONICAL_NAN, is_canonical_nan, is_arithmetic_nan, canonicalize_nan
    CANONICALIZING_OPERATORS

The file has three layers, read in this order:

1. integer operators (§4.3.2), one small rule each, for both widths;
2. IEEE-754 float operators (§4.3.3) and conversions (§4.3.4).  The spec lets
   an operator that yields a NaN return any NaN of the set ``nans_N{z*}``; a
   deterministic machine must pick one.  The pick made here is what wasmtime 50
   on x86-64 does with canonicalization off (measured, see
   ``spec/findings/nan-canonicalization.md``): :func:`propagate_nan` and
   :data:`DEFAULT_NAN`;
3. NaN canonicalization: with it on (Pyde's setting, seed §3.2), every operator
   in :data:`CANONICALIZING_OPERATORS` maps a NaN result to the positive
   canonical NaN (:func:`canonicalize_nan`), exactly as wasmtime's
   ``cranelift_nan_canonicalization`` does.

Rounding is round-to-nearest, ties-to-even, done once from the exact value
(:func:`round_to_format`).  binary32 ``+ - * / sqrt`` are computed in binary64
and then rounded to binary32: binary64 is exact enough for that (double rounding
is innocuous when 53 >= 2*24 + 2), and binary32 operands never overflow or
underflow in binary64.  Conversions from integers round from the exact integer.
"""

from __future__ import annotations

import math
import operator
import struct
from typing import Callable

import attrs

from . import instructions
from .errors import Trap, TrapKind

__all__ = [
    "ARITY",
    "CANONICAL_NAN",
    "CANONICALIZING_OPERATORS",
    "DEFAULT_NAN",
    "F32",
    "F64",
    "OPERAND_TYPES",
    "RESULT_TYPE",
    "FloatFormat",
    "canonicalize_nan",
    "extend",
    "is_arithmetic_nan",
    "is_canonical_nan",
    "is_nan",
    "operators",
    "propagate_nan",
    "round_to_format",
    "wrap",
]


# ---------------------------------------------------------------------------
# Constants: the two IEEE-754 binary formats (core spec §4.3.3, IEEE 754 §3.6)
# ---------------------------------------------------------------------------


@attrs.frozen
class FloatFormat:
    """An IEEE-754 binary interchange format and the bit masks derived from
    its layout (sign, exponent, fraction), precomputed once."""

    name: str
    width: int
    precision: int  # significand bits, the implicit leading bit included (24, 53)
    fraction_bits: int  # precision - 1
    sign_mask: int
    magnitude_mask: int  # every bit but the sign
    fraction_mask: int
    infinity: int  # bits of +inf: exponent all ones, fraction zero
    quiet_bit: int  # the top fraction bit, set in a quiet (arithmetic) NaN
    bias: int
    min_quantum_exponent: int  # exponent of a subnormal's last bit (-149, -1074)

    @classmethod
    def binary(cls, name: str, width: int, precision: int) -> "FloatFormat":
        """IEEE 754 §3.6: ``width`` bits of which ``precision - 1`` fraction."""
        fraction_bits = precision - 1
        sign_mask = 1 << (width - 1)
        fraction_mask = (1 << fraction_bits) - 1
        bias = (1 << (width - precision - 1)) - 1
        return cls(
            name=name,
            width=width,
            precision=precision,
            fraction_bits=fraction_bits,
            sign_mask=sign_mask,
            magnitude_mask=sign_mask - 1,
            fraction_mask=fraction_mask,
            infinity=(sign_mask - 1) & ~fraction_mask,
            quiet_bit=1 << (fraction_bits - 1),
            bias=bias,
            min_quantum_exponent=1 - bias - fraction_bits,
        )


F32 = FloatFormat.binary("f32", 32, 24)
F64 = FloatFormat.binary("f64", 64, 53)
FORMATS = {"f32": F32, "f64": F64}

CANONICAL_NAN = {"f32": 0x7FC00000, "f64": 0x7FF8000000000000}
"""§4.3.3 ``nan(canon_N)`` with a positive sign: the NaN canonicalization emits."""

DEFAULT_NAN = {"f32": 0xFFC00000, "f64": 0xFFF8000000000000}
"""The NaN x86-64 (SSE/AVX "QNaN floating-point indefinite") produces when an
operation without NaN operands is invalid (0/0, inf-inf, sqrt(-1), ...): sign
set, quiet bit set, rest of the payload zero.  Measured, see the findings page."""

_INT_WIDTH = {"i32": 32, "i64": 64}

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_BINARY32 = struct.Struct("<f")
_BINARY64 = struct.Struct("<d")


# ---------------------------------------------------------------------------
# NaN classification (§4.3.3, and the script semantics of nan:canonical /
# nan:arithmetic used by the spec tests)
# ---------------------------------------------------------------------------


def is_nan(bits: int, type: str) -> bool:
    """Any NaN: exponent all ones, fraction non-zero."""
    fmt = FORMATS[type]
    return bits & fmt.magnitude_mask > fmt.infinity


def is_canonical_nan(bits: int, type: str) -> bool:
    """§4.3.3 canonical NaN, either sign: payload exactly ``canon_N``."""
    fmt = FORMATS[type]
    return bits & fmt.magnitude_mask == CANONICAL_NAN[type]


def is_arithmetic_nan(bits: int, type: str) -> bool:
    """§4.3.3 arithmetic NaN, either sign: the quiet bit is set."""
    fmt = FORMATS[type]
    return bits & fmt.magnitude_mask >= fmt.infinity | fmt.quiet_bit


# ---------------------------------------------------------------------------
# Layer 1: integer operators (§4.3.2)
# ---------------------------------------------------------------------------


def _trap(kind: str, detail: str) -> Trap:
    return Trap(kind, detail)


def _integer_operators(type: str) -> dict[str, Callable[..., int]]:
    """The ``iN`` operators of §4.3.2 for ``N`` = the width of ``type``."""
    width = _INT_WIDTH[type]
    mask = (1 << width) - 1
    sign_bit = 1 << (width - 1)
    signed_max = sign_bit - 1

    def signed(i: int) -> int:
        """§4.3.1 ``signed_N``: the two's-complement reading of ``i``."""
        return i - (1 << width) if i & sign_bit else i

    def iadd(i1: int, i2: int) -> int:
        """§4.3.2 iadd: (i1 + i2) mod 2^N."""
        return (i1 + i2) & mask

    def isub(i1: int, i2: int) -> int:
        """§4.3.2 isub: (i1 - i2 + 2^N) mod 2^N."""
        return (i1 - i2) & mask

    def imul(i1: int, i2: int) -> int:
        """§4.3.2 imul: (i1 * i2) mod 2^N."""
        return (i1 * i2) & mask

    def idiv_u(i1: int, i2: int) -> int:
        """§4.3.2 idiv_u: trap on i2 = 0, else trunc(i1 / i2)."""
        if i2 == 0:
            raise _trap(TrapKind.INTEGER_DIVIDE_BY_ZERO, f"{type}.div_u")
        return i1 // i2

    def _quotient_toward_zero(j1: int, j2: int) -> int:
        quotient = abs(j1) // abs(j2)
        return -quotient if (j1 < 0) != (j2 < 0) else quotient

    def idiv_s(i1: int, i2: int) -> int:
        """§4.3.2 idiv_s: trap on j2 = 0 and on the unrepresentable
        2^(N-1) / -1; else the signed quotient truncated toward zero."""
        j1, j2 = signed(i1), signed(i2)
        if j2 == 0:
            raise _trap(TrapKind.INTEGER_DIVIDE_BY_ZERO, f"{type}.div_s")
        quotient = _quotient_toward_zero(j1, j2)
        if quotient > signed_max:
            raise _trap(TrapKind.INTEGER_OVERFLOW, f"{type}.div_s")
        return quotient & mask

    def irem_u(i1: int, i2: int) -> int:
        """§4.3.2 irem_u: trap on i2 = 0, else i1 - i2 * trunc(i1 / i2)."""
        if i2 == 0:
            raise _trap(TrapKind.INTEGER_DIVIDE_BY_ZERO, f"{type}.rem_u")
        return i1 % i2

    def irem_s(i1: int, i2: int) -> int:
        """§4.3.2 irem_s: trap on j2 = 0; the remainder has the dividend's
        sign (so INT_MIN rem -1 is 0, no overflow)."""
        j1, j2 = signed(i1), signed(i2)
        if j2 == 0:
            raise _trap(TrapKind.INTEGER_DIVIDE_BY_ZERO, f"{type}.rem_s")
        return (j1 - j2 * _quotient_toward_zero(j1, j2)) & mask

    def iand(i1: int, i2: int) -> int:
        """§4.3.2 iand."""
        return i1 & i2

    def ior(i1: int, i2: int) -> int:
        """§4.3.2 ior."""
        return i1 | i2

    def ixor(i1: int, i2: int) -> int:
        """§4.3.2 ixor."""
        return i1 ^ i2

    def ishl(i1: int, i2: int) -> int:
        """§4.3.2 ishl: shift count is i2 mod N."""
        return (i1 << (i2 % width)) & mask

    def ishr_u(i1: int, i2: int) -> int:
        """§4.3.2 ishr_u: logical shift, count mod N."""
        return i1 >> (i2 % width)

    def ishr_s(i1: int, i2: int) -> int:
        """§4.3.2 ishr_s: arithmetic shift (sign-filling), count mod N."""
        return (signed(i1) >> (i2 % width)) & mask

    def irotl(i1: int, i2: int) -> int:
        """§4.3.2 irotl: rotate left by i2 mod N."""
        k = i2 % width
        return ((i1 << k) | (i1 >> (width - k))) & mask

    def irotr(i1: int, i2: int) -> int:
        """§4.3.2 irotr: rotate right by i2 mod N."""
        k = i2 % width
        return ((i1 >> k) | (i1 << (width - k))) & mask

    def iclz(i: int) -> int:
        """§4.3.2 iclz: leading zero bits (N for 0)."""
        return width - i.bit_length()

    def ictz(i: int) -> int:
        """§4.3.2 ictz: trailing zero bits (N for 0)."""
        return width if i == 0 else (i & -i).bit_length() - 1

    def ipopcnt(i: int) -> int:
        """§4.3.2 ipopcnt: number of one bits."""
        return i.bit_count()

    def ieqz(i: int) -> int:
        """§4.3.2 ieqz."""
        return int(i == 0)

    def ieq(i1: int, i2: int) -> int:
        """§4.3.2 ieq."""
        return int(i1 == i2)

    def ine(i1: int, i2: int) -> int:
        """§4.3.2 ine."""
        return int(i1 != i2)

    def ilt_u(i1: int, i2: int) -> int:
        """§4.3.2 ilt_u."""
        return int(i1 < i2)

    def ilt_s(i1: int, i2: int) -> int:
        """§4.3.2 ilt_s."""
        return int(signed(i1) < signed(i2))

    def igt_u(i1: int, i2: int) -> int:
        """§4.3.2 igt_u."""
        return int(i1 > i2)

    def igt_s(i1: int, i2: int) -> int:
        """§4.3.2 igt_s."""
        return int(signed(i1) > signed(i2))

    def ile_u(i1: int, i2: int) -> int:
        """§4.3.2 ile_u."""
        return int(i1 <= i2)

    def ile_s(i1: int, i2: int) -> int:
        """§4.3.2 ile_s."""
        return int(signed(i1) <= signed(i2))

    def ige_u(i1: int, i2: int) -> int:
        """§4.3.2 ige_u."""
        return int(i1 >= i2)

    def ige_s(i1: int, i2: int) -> int:
        """§4.3.2 ige_s."""
        return int(signed(i1) >= signed(i2))

    def iextend_s(source_width: int) -> Callable[[int], int]:
        """§4.3.2 iextendM_s: sign-extend the low M bits to N bits."""

        def iextend(i: int) -> int:
            return extend(wrap(i, source_width), source_width, width, True)

        iextend.__name__ = f"iextend{source_width}_s"
        return iextend

    ops = {
        "add": iadd, "sub": isub, "mul": imul,
        "div_s": idiv_s, "div_u": idiv_u, "rem_s": irem_s, "rem_u": irem_u,
        "and": iand, "or": ior, "xor": ixor,
        "shl": ishl, "shr_s": ishr_s, "shr_u": ishr_u, "rotl": irotl, "rotr": irotr,
        "clz": iclz, "ctz": ictz, "popcnt": ipopcnt, "eqz": ieqz,
        "eq": ieq, "ne": ine,
        "lt_s": ilt_s, "lt_u": ilt_u, "gt_s": igt_s, "gt_u": igt_u,
        "le_s": ile_s, "le_u": ile_u, "ge_s": ige_s, "ge_u": ige_u,
        "extend8_s": iextend_s(8), "extend16_s": iextend_s(16),
    }
    if width == 64:
        ops["extend32_s"] = iextend_s(32)
    return {f"{type}.{name}": fn for name, fn in ops.items()}


# ---------------------------------------------------------------------------
# Layer 2a: rounding an exact value to a binary format (IEEE 754 §4.3.1)
# ---------------------------------------------------------------------------


def round_to_format(negative: bool, significand: int, exponent: int, fmt: FloatFormat) -> int:
    """Bits of the ``fmt`` number nearest to (-1)^negative * significand * 2^exponent.

    Round to nearest, ties to even; gives ±inf on overflow and subnormals
    (gradual underflow) below the normal range.  ``significand >= 0`` is any
    exact integer, so the result is rounded exactly once."""
    sign = fmt.sign_mask if negative else 0
    if significand == 0:
        return sign
    # The exponent of the result's least significant bit: precision bits below
    # the leading bit, but never below the subnormal quantum.
    quantum = max(exponent + significand.bit_length() - fmt.precision, fmt.min_quantum_exponent)
    if quantum > exponent:
        shift = quantum - exponent
        kept = significand >> shift
        dropped = significand - (kept << shift)
        half = 1 << (shift - 1)
        if dropped > half or (dropped == half and kept & 1):
            kept += 1  # a carry out of the significand bumps the exponent below
    else:
        kept = significand << (exponent - quantum)
    # Encoding is additive: biased exponent field (quantum - min_quantum) plus
    # the significand with its leading bit, which adds the implicit 1 for normals.
    magnitude = ((quantum - fmt.min_quantum_exponent) << fmt.fraction_bits) + kept
    if magnitude >= fmt.infinity:
        return sign | fmt.infinity
    return sign | magnitude


def _decompose(bits: int, fmt: FloatFormat) -> tuple[bool, int, int]:
    """A finite number as (negative, significand, exponent), exactly."""
    negative = bool(bits & fmt.sign_mask)
    biased = (bits & fmt.magnitude_mask) >> fmt.fraction_bits
    fraction = bits & fmt.fraction_mask
    if biased == 0:
        return negative, fraction, fmt.min_quantum_exponent
    return negative, fraction | (1 << fmt.fraction_bits), biased - 1 + fmt.min_quantum_exponent


def _f32_value(bits: int) -> float:
    """The binary32 number as a Python float (binary64): exact unless NaN."""
    return _BINARY32.unpack(_U32.pack(bits))[0]


def _f64_value(bits: int) -> float:
    return _BINARY64.unpack(_U64.pack(bits))[0]


def _f64_bits(x: float) -> int:
    return _U64.unpack(_BINARY64.pack(x))[0]


_DROPPED_FRACTION_BITS = F64.fraction_bits - F32.fraction_bits  # 29
_DROPPED_MASK = (1 << _DROPPED_FRACTION_BITS) - 1
_DROPPED_HALF = 1 << (_DROPPED_FRACTION_BITS - 1)
# binary64 biased exponents of the binary32 normal range [2^-126, 2^128)
_F32_NORMAL_BIASED_MIN = F64.bias - F32.bias + 1
_F32_NORMAL_BIASED_MAX = F64.bias + F32.bias


def _f32_bits(x: float) -> int:
    """Round a non-NaN binary64 number to binary32 bits (ties to even).

    In the binary32 normal range this is dropping the 29 low fraction bits
    with ties-to-even (a carry runs into the exponent, up to infinity);
    elsewhere (subnormal, underflow, overflow) the general
    :func:`round_to_format`."""
    bits = _f64_bits(x)
    biased = (bits & F64.magnitude_mask) >> F64.fraction_bits
    if _F32_NORMAL_BIASED_MIN <= biased <= _F32_NORMAL_BIASED_MAX:
        sign = (bits >> 32) & F32.sign_mask
        fraction = bits & F64.fraction_mask
        kept = fraction >> _DROPPED_FRACTION_BITS
        dropped = fraction & _DROPPED_MASK
        if dropped > _DROPPED_HALF or (dropped == _DROPPED_HALF and kept & 1):
            kept += 1
        return sign | (((biased - _F32_NORMAL_BIASED_MIN + 1) << F32.fraction_bits) + kept)
    if bits & F64.magnitude_mask == F64.infinity:
        return (bits >> 32) & F32.sign_mask | F32.infinity
    return round_to_format(*_decompose(bits, F64), F32)


_VALUE = {"f32": _f32_value, "f64": _f64_value}
_BITS = {"f32": _f32_bits, "f64": _f64_bits}


def _check_host_binary64() -> None:
    """Refuse to run on a host whose Python floats are not IEEE binary64 with
    round-to-nearest-even and subnormals (e.g. a C extension switched the FPU
    to flush-to-zero): every float result here relies on it, and a wrong
    result would be silent.  A clear error at import is the safe reading."""
    least_subnormal = _f64_value(1)
    checks = (
        (_f64_bits(least_subnormal * 3.0 / 2.0), 2),  # subnormal tie: 1.5 quanta -> 2
        (_f64_bits(_f64_value(0x0010000000000000) / 2.0), 0x0008000000000000),  # gradual underflow
        (_f64_bits(1.0 + 2.0**-53), 0x3FF0000000000000),  # tie to even: down
        (_f64_bits(1.0 + 2.0**-52 + 2.0**-53), 0x3FF0000000000002),  # tie to even: up
        (_f64_bits(math.sqrt(2.0)), 0x3FF6A09E667F3BCD),  # correctly rounded sqrt
    )
    if any(got != expected for got, expected in checks):
        raise RuntimeError(
            "pyde_ref.wasm.numerics: this Python's floats are not IEEE-754 binary64 "
            "with round-to-nearest-even and subnormals; float results would be wrong"
        )


_check_host_binary64()


# ---------------------------------------------------------------------------
# Layer 2b: which NaN an operator yields (the deterministic pick in nans_N)
# ---------------------------------------------------------------------------


def propagate_nan(fmt: FloatFormat, *operands: int) -> int:
    """The NaN result of an operator with at least one NaN operand.

    §4.3.3 allows any NaN in ``nans_N{z*}``; wasmtime 50 on x86-64 with
    canonicalization off returns one NaN operand, quieted: sign and payload
    kept, quiet bit set.  Which one, when both are NaN, is the first in
    ``operands``: the callers list them in the measured order of preference
    (the first operand for add/sub/mul/div, the second for min/max)."""
    for bits in operands:
        if bits & fmt.magnitude_mask > fmt.infinity:
            return bits | fmt.quiet_bit
    raise AssertionError("propagate_nan needs a NaN operand")


# ---------------------------------------------------------------------------
# Layer 2c: float operators (§4.3.3)
# ---------------------------------------------------------------------------


def _float_operators(type: str) -> dict[str, Callable[..., int]]:
    """The ``fN`` operators of §4.3.3 for ``type`` = ``"f32"`` or ``"f64"``."""
    fmt = FORMATS[type]
    value = _VALUE[type]
    to_bits = _BITS[type]
    sign_mask = fmt.sign_mask
    magnitude_mask = fmt.magnitude_mask
    infinity = fmt.infinity
    default_nan = DEFAULT_NAN[type]
    # Every value at or above this magnitude is an integer already (its
    # quantum is >= 1), so the rounding operators return it unchanged.
    integral_from = (fmt.bias + fmt.fraction_bits) << fmt.fraction_bits

    def nan(bits: int) -> bool:
        return bits & magnitude_mask > infinity

    def binary(compute: Callable[[float, float], float], name: str) -> Callable[[int, int], int]:
        """An arithmetic operator: NaN operands propagate, an invalid
        operation yields the default NaN, otherwise round the IEEE result."""

        def op(z1: int, z2: int) -> int:
            if nan(z1) or nan(z2):
                return propagate_nan(fmt, z1, z2)
            result = compute(value(z1), value(z2))
            if result != result:
                return default_nan
            return to_bits(result)

        op.__name__ = f"f{name}"
        op.__doc__ = compute.__doc__
        return op

    def add(x: float, y: float) -> float:
        """§4.3.3 fadd: IEEE 754 addition (inf + -inf is NaN; +0 + -0 is +0)."""
        return x + y

    def sub(x: float, y: float) -> float:
        """§4.3.3 fsub: IEEE 754 subtraction."""
        return x - y

    def mul(x: float, y: float) -> float:
        """§4.3.3 fmul: IEEE 754 multiplication (0 * inf is NaN)."""
        return x * y

    def div(x: float, y: float) -> float:
        """§4.3.3 fdiv: IEEE 754 division.  Python raises on a zero divisor,
        so the spec's cases are spelled out: 0/0 is NaN, else ±inf with the
        sign the product of the signs."""
        if y == 0.0:
            if x == 0.0:
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y

    def fsqrt(z: int) -> int:
        """§4.3.3 fsqrt: NaN propagates; negative (not -0) is invalid;
        sqrt(-0) = -0."""
        if nan(z):
            return propagate_nan(fmt, z)
        x = value(z)
        if x < 0.0:
            return default_nan
        return to_bits(math.sqrt(x))

    def fmin(z1: int, z2: int) -> int:
        """§4.3.3 fmin: NaN if either is NaN; -0 is below +0."""
        if nan(z1) or nan(z2):
            return propagate_nan(fmt, z2, z1)  # min/max: the second NaN wins
        x1, x2 = value(z1), value(z2)
        if x1 == x2:
            return z1 | z2  # equal: identical bits, or ±0 where the sign wins
        return z1 if x1 < x2 else z2

    def fmax(z1: int, z2: int) -> int:
        """§4.3.3 fmax: NaN if either is NaN; +0 is above -0."""
        if nan(z1) or nan(z2):
            return propagate_nan(fmt, z2, z1)  # min/max: the second NaN wins
        x1, x2 = value(z1), value(z2)
        if x1 == x2:
            return z1 & z2  # equal: identical bits, or ±0 where +0 wins
        return z1 if x1 > x2 else z2

    def fabs(z: int) -> int:
        """§4.3.3 fabs: clear the sign bit (NaNs included, never canonicalized)."""
        return z & magnitude_mask

    def fneg(z: int) -> int:
        """§4.3.3 fneg: flip the sign bit (NaNs included)."""
        return z ^ sign_mask

    def fcopysign(z1: int, z2: int) -> int:
        """§4.3.3 fcopysign: z1's magnitude with z2's sign bit."""
        return (z1 & magnitude_mask) | (z2 & sign_mask)

    def rounding(to_integer: Callable[[float], int], name: str, doc: str) -> Callable[[int], int]:
        """An operator rounding to an integral value in the same format: NaN
        propagates, ±inf, ±0 and values already integral are returned as is,
        a zero result keeps the operand's sign (e.g. ceil(-0.5) = -0)."""

        def op(z: int) -> int:
            if nan(z):
                return propagate_nan(fmt, z)
            if z & magnitude_mask >= integral_from or z & magnitude_mask == 0:
                return z
            integer = to_integer(value(z))
            if integer == 0:
                return z & sign_mask
            return to_bits(float(integer))  # exact: |integer| < 2^precision

        op.__name__ = f"f{name}"
        op.__doc__ = doc
        return op

    def nearest_integer(x: float) -> int:
        below = math.floor(x)
        fraction = x - below  # exact for |x| < 2^precision
        if fraction > 0.5 or (fraction == 0.5 and below & 1):
            return below + 1
        return below

    def comparison(relation: Callable[[float, float], bool], name: str) -> Callable[[int, int], int]:
        """A comparison: 1 or 0; every comparison with a NaN is false except
        ``ne``; -0 equals +0 (IEEE 754 §5.11)."""

        def op(z1: int, z2: int) -> int:
            return int(relation(value(z1), value(z2)))

        op.__name__ = f"f{name}"
        op.__doc__ = f"§4.3.3 f{name}."
        return op

    ops = {
        "add": binary(add, "add"),
        "sub": binary(sub, "sub"),
        "mul": binary(mul, "mul"),
        "div": binary(div, "div"),
        "min": fmin,
        "max": fmax,
        "copysign": fcopysign,
        "abs": fabs,
        "neg": fneg,
        "sqrt": fsqrt,
        "ceil": rounding(math.ceil, "ceil", "§4.3.3 fceil: round toward +inf."),
        "floor": rounding(math.floor, "floor", "§4.3.3 ffloor: round toward -inf."),
        "trunc": rounding(math.trunc, "trunc", "§4.3.3 ftrunc: round toward zero."),
        "nearest": rounding(nearest_integer, "nearest", "§4.3.3 fnearest: round to nearest, ties to even."),
        "eq": comparison(operator.eq, "eq"),
        "ne": comparison(operator.ne, "ne"),
        "lt": comparison(operator.lt, "lt"),
        "gt": comparison(operator.gt, "gt"),
        "le": comparison(operator.le, "le"),
        "ge": comparison(operator.ge, "ge"),
    }
    return {f"{type}.{name}": fn for name, fn in ops.items()}


# ---------------------------------------------------------------------------
# Layer 2d: conversions (§4.3.4)
# ---------------------------------------------------------------------------


def _truncation(result: str, source: str, signed: bool, saturating: bool) -> Callable[[int], int]:
    """§4.3.4 trunc_u/trunc_s (trapping) and trunc_sat_u/trunc_sat_s.

    Trapping: NaN traps ``invalid_conversion_to_integer``, an infinity or a
    value whose truncation is outside the result range traps
    ``integer_overflow`` (the spec tests' two messages).  The range check is
    on the exact truncated integer, so e.g. -2147483648.0 converts and
    2147483648.0 traps, and (-1, 0] truncates to 0 even unsigned.
    Saturating: NaN gives 0, out-of-range clamps to the nearest bound."""
    fmt = FORMATS[source]
    value = _VALUE[source]
    width = _INT_WIDTH[result]
    mask = (1 << width) - 1
    low, high = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, mask)
    mnemonic = f"{result}.trunc{'_sat' if saturating else ''}_{source}_{'s' if signed else 'u'}"

    def convert(z: int) -> int:
        magnitude = z & fmt.magnitude_mask
        if magnitude > fmt.infinity:
            if saturating:
                return 0
            raise _trap(TrapKind.INVALID_CONVERSION_TO_INTEGER, mnemonic)
        if magnitude == fmt.infinity:
            integer = low - 1 if z & fmt.sign_mask else high + 1
        else:
            integer = math.trunc(value(z))  # exact
        if low <= integer <= high:
            return integer & mask
        if saturating:
            return (low if integer < low else high) & mask
        raise _trap(TrapKind.INTEGER_OVERFLOW, mnemonic)

    convert.__name__ = mnemonic
    convert.__doc__ = _truncation.__doc__
    return convert


def _int_to_float(result: str, source: str, signed: bool) -> Callable[[int], int]:
    """§4.3.4 convert_u/convert_s: the nearest float to the exact integer,
    ties to even, rounded once (never through binary64 for an f32 result)."""
    fmt = FORMATS[result]
    width = _INT_WIDTH[source]
    sign_bit = 1 << (width - 1)

    def convert(i: int) -> int:
        if signed and i & sign_bit:
            return round_to_format(True, (1 << width) - i, 0, fmt)
        return round_to_format(False, i, 0, fmt)

    convert.__name__ = f"{result}.convert_{source}_{'s' if signed else 'u'}"
    convert.__doc__ = _int_to_float.__doc__
    return convert


def f32_demote_f64(z: int) -> int:
    """§4.3.4 demote: the nearest binary32 (±inf on overflow, subnormals
    below the normal range).  A NaN keeps its sign and the top 22 bits of its
    payload, quieted (x86-64 ``cvtsd2ss``)."""
    magnitude = z & F64.magnitude_mask
    sign = (z >> 32) & F32.sign_mask
    if magnitude > F64.infinity:
        payload = (magnitude & F64.fraction_mask) >> (F64.fraction_bits - F32.fraction_bits)
        return sign | F32.infinity | F32.quiet_bit | payload
    if magnitude == F64.infinity:
        return sign | F32.infinity
    return round_to_format(*_decompose(z, F64), F32)


def f64_promote_f32(z: int) -> int:
    """§4.3.4 promote: exact.  A NaN keeps its sign and payload (shifted to
    the top of the binary64 fraction), quieted (x86-64 ``cvtss2sd``)."""
    magnitude = z & F32.magnitude_mask
    sign = (z & F32.sign_mask) << 32
    if magnitude > F32.infinity:
        payload = (magnitude & F32.fraction_mask) << (F64.fraction_bits - F32.fraction_bits)
        return sign | F64.infinity | F64.quiet_bit | payload
    if magnitude == F32.infinity:
        return sign | F64.infinity
    return round_to_format(*_decompose(z, F32), F64)


def wrap(i: int, target_width: int) -> int:
    """§4.3.4 wrap_{M,N}: i mod 2^N (what a narrow store writes of its operand, §4.4.7)."""
    return i & ((1 << target_width) - 1)


def extend(i: int, source_width: int, target_width: int, signed: bool) -> int:
    """§4.3.4 extend^sx_{M,N}: the M-bit ``i`` as an N-bit integer, zero-extended
    (``extend_u``: the bit pattern is unchanged) or sign-extended (``extend_s``:
    the two's-complement value kept).  A narrow load extends what it read (§4.4.7)."""
    if signed and i >> (source_width - 1) & 1:
        return (i - (1 << source_width)) & ((1 << target_width) - 1)
    return i


def i32_wrap_i64(i: int) -> int:
    """§4.3.4 wrap_{64,32}."""
    return wrap(i, 32)


def i64_extend_i32_s(i: int) -> int:
    """§4.3.4 extend^s_{32,64}: sign-extend to 64 bits."""
    return extend(i, 32, 64, True)


def i64_extend_i32_u(i: int) -> int:
    """§4.3.4 extend^u_{32,64}: zero-extend (the bit pattern is unchanged)."""
    return i


def reinterpret(i: int) -> int:
    """§4.3.4 reinterpret: the same bits read as the other type."""
    return i


def _conversion_operators() -> dict[str, Callable[..., int]]:
    ops: dict[str, Callable[..., int]] = {
        "i32.wrap_i64": i32_wrap_i64,
        "i64.extend_i32_s": i64_extend_i32_s,
        "i64.extend_i32_u": i64_extend_i32_u,
        "f32.demote_f64": f32_demote_f64,
        "f64.promote_f32": f64_promote_f32,
        "i32.reinterpret_f32": reinterpret,
        "i64.reinterpret_f64": reinterpret,
        "f32.reinterpret_i32": reinterpret,
        "f64.reinterpret_i64": reinterpret,
    }
    for result in ("i32", "i64"):
        for source in ("f32", "f64"):
            for suffix, signed in (("s", True), ("u", False)):
                ops[f"{result}.trunc_{source}_{suffix}"] = _truncation(result, source, signed, False)
                ops[f"{result}.trunc_sat_{source}_{suffix}"] = _truncation(result, source, signed, True)
    for result in ("f32", "f64"):
        for source in ("i32", "i64"):
            for suffix, signed in (("s", True), ("u", False)):
                ops[f"{result}.convert_{source}_{suffix}"] = _int_to_float(result, source, signed)
    return ops


# ---------------------------------------------------------------------------
# Layer 3: NaN canonicalization (wasmtime's cranelift_nan_canonicalization)
# ---------------------------------------------------------------------------

CANONICALIZING_OPERATORS = frozenset(
    f"{type}.{name}"
    for type in ("f32", "f64")
    for name in ("add", "sub", "mul", "div", "sqrt", "min", "max", "ceil", "floor", "trunc", "nearest")
) | {"f32.demote_f64", "f64.promote_f32"}
"""The operators whose NaN results canonicalization replaces, as measured on
wasmtime 50 (see ``spec/findings/nan-canonicalization.md``).  The bit
operators (abs, neg, copysign), reinterpretations, constants and memory never
change a NaN; conversions from integers never produce one."""


def canonicalize_nan(bits: int, type: str) -> int:
    """A NaN becomes the positive canonical NaN; any other value is kept."""
    return CANONICAL_NAN[type] if is_nan(bits, type) else bits


def _canonicalizing(op: Callable[..., int], type: str) -> Callable[..., int]:
    """``op`` followed by :func:`canonicalize_nan` of its ``type`` result."""
    fmt = FORMATS[type]
    magnitude_mask, infinity, canonical = fmt.magnitude_mask, fmt.infinity, CANONICAL_NAN[type]

    def canonicalized(*operands: int) -> int:
        result = op(*operands)
        return canonical if result & magnitude_mask > infinity else result

    canonicalized.__name__ = getattr(op, "__name__", "op")
    canonicalized.__doc__ = op.__doc__
    return canonicalized


# ---------------------------------------------------------------------------
# The table of operators
# ---------------------------------------------------------------------------


_SPEC_OPERATORS: dict[str, Callable[..., int]] = {
    **_integer_operators("i32"),
    **_integer_operators("i64"),
    **_float_operators("f32"),
    **_float_operators("f64"),
    **_conversion_operators(),
}
assert sorted(_SPEC_OPERATORS) == sorted(instructions.NUMERIC_OPERATORS), "numerics and the instruction table differ"

ARITY: dict[str, int] = {
    name: len(instructions.BY_NAME[name].signature[0]) for name in sorted(_SPEC_OPERATORS)
}
"""Number of operands of each numeric instruction (its signature in the instruction table)."""

RESULT_TYPE: dict[str, str] = {
    name: instructions.BY_NAME[name].signature[1][0] for name in sorted(_SPEC_OPERATORS)
}
"""Result type of each numeric instruction (tests and comparisons give i32)."""

OPERAND_TYPES: dict[str, tuple[str, ...]] = {
    name: instructions.BY_NAME[name].signature[0] for name in sorted(_SPEC_OPERATORS)
}
"""Operand types of each numeric instruction, in stack order."""

_TABLES: dict[bool, dict[str, Callable[..., int]]] = {
    False: dict(sorted(_SPEC_OPERATORS.items())),
    True: {
        mnemonic: _canonicalizing(op, RESULT_TYPE[mnemonic]) if mnemonic in CANONICALIZING_OPERATORS else op
        for mnemonic, op in sorted(_SPEC_OPERATORS.items())
    },
}


def operators(nan_canonicalization: bool = True) -> dict[str, Callable[..., int]]:
    """mnemonic -> pure function of unsigned bit-pattern ints returning a
    bit-pattern int (a fresh dict; the functions are shared).

    ``nan_canonicalization=True`` (Pyde, seed §3.2): the operators of
    :data:`CANONICALIZING_OPERATORS` return the positive canonical NaN
    whenever their result is a NaN.  ``False``: NaN results are what
    wasmtime 50 gives on x86-64 (:func:`propagate_nan`, :data:`DEFAULT_NAN`).
    Trapping operators raise :class:`~pyde_ref.wasm.errors.Trap`."""
    return dict(_TABLES[bool(nan_canonicalization)])
