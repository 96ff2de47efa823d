"""NaN results, bit for bit: canonicalization on (Pyde), off (x86-64), and
the differential check of both against wasmtime 50.

The off-mode expectations below are measurements of wasmtime 50.0.1 on
x86-64 (``spec/findings/nan-canonicalization.md`` says how they were taken);
the differential tests at the end re-measure them whenever wasmtime is
importable.
"""

from __future__ import annotations

import itertools
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.wasm import numerics
from pyde_ref.wasm.errors import Trap, TrapKind

ON = numerics.operators(nan_canonicalization=True)
OFF = numerics.operators(nan_canonicalization=False)
WIDTH = {"i32": 32, "i64": 64, "f32": 32, "f64": 64}
CANONICAL = numerics.CANONICAL_NAN

# Named operands: quiet NaN, negative quiet NaN, signalling NaN, negative
# signalling NaN with a payload, quiet NaN with a payload, and ordinary values.
F32_Q, F32_NQ, F32_S, F32_NS, F32_P = 0x7FC00000, 0xFFC00000, 0x7FA00001, 0xFF812345, 0x7FC0BEEF
F32_ONE, F32_M1, F32_Z, F32_INF, F32_NINF = 0x3F800000, 0xBF800000, 0x0, 0x7F800000, 0xFF800000
F64_Q, F64_NQ, F64_S, F64_NS, F64_P = (
    0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000001, 0xFFF0123456789ABC, 0x7FF800000000BEEF,
)
F64_ONE, F64_M1, F64_Z, F64_INF, F64_NINF = (
    0x3FF0000000000000, 0xBFF0000000000000, 0x0, 0x7FF0000000000000, 0xFFF0000000000000,
)

# (operator, operands, result measured on wasmtime 50 / x86-64 with
# cranelift_nan_canonicalization = false).  With it true, every result is the
# positive canonical NaN of the result type.
MEASURED_X86_64 = [
    ("f32.add", (F32_S, F32_ONE), 0x7FE00001),
    ("f32.add", (F32_ONE, F32_NS), 0xFFC12345),
    ("f32.add", (F32_S, F32_NQ), 0x7FE00001),
    ("f32.add", (F32_NS, F32_P), 0xFFC12345),
    ("f32.add", (F32_INF, F32_NINF), 0xFFC00000),
    ("f32.sub", (F32_P, F32_ONE), 0x7FC0BEEF),
    ("f32.sub", (F32_ONE, F32_S), 0x7FE00001),
    ("f32.sub", (F32_NQ, F32_S), 0xFFC00000),
    ("f32.sub", (F32_INF, F32_INF), 0xFFC00000),
    ("f32.mul", (F32_NS, F32_Z), 0xFFC12345),
    ("f32.mul", (F32_Z, F32_P), 0x7FC0BEEF),
    ("f32.mul", (F32_S, F32_NS), 0x7FE00001),
    ("f32.mul", (F32_Z, F32_INF), 0xFFC00000),
    ("f32.div", (F32_S, F32_Z), 0x7FE00001),
    ("f32.div", (F32_ONE, F32_NS), 0xFFC12345),
    ("f32.div", (F32_P, F32_S), 0x7FC0BEEF),
    ("f32.div", (F32_Z, F32_Z), 0xFFC00000),
    ("f32.div", (F32_INF, F32_NINF), 0xFFC00000),
    ("f32.min", (F32_S, F32_ONE), 0x7FE00001),
    ("f32.min", (F32_ONE, F32_NS), 0xFFC12345),
    ("f32.min", (F32_S, F32_NS), 0xFFC12345),
    ("f32.min", (F32_NS, F32_P), 0x7FC0BEEF),
    ("f32.max", (F32_P, F32_M1), 0x7FC0BEEF),
    ("f32.max", (F32_M1, F32_S), 0x7FE00001),
    ("f32.max", (F32_S, F32_NS), 0xFFC12345),
    ("f32.max", (F32_NQ, F32_P), 0x7FC0BEEF),
    ("f32.sqrt", (F32_S,), 0x7FE00001),
    ("f32.sqrt", (F32_NS,), 0xFFC12345),
    ("f32.sqrt", (F32_M1,), 0xFFC00000),
    ("f32.sqrt", (F32_NINF,), 0xFFC00000),
    ("f32.ceil", (F32_S,), 0x7FE00001),
    ("f32.ceil", (F32_NS,), 0xFFC12345),
    ("f32.floor", (F32_S,), 0x7FE00001),
    ("f32.floor", (F32_NQ,), 0xFFC00000),
    ("f32.trunc", (F32_NS,), 0xFFC12345),
    ("f32.trunc", (F32_P,), 0x7FC0BEEF),
    ("f32.nearest", (F32_S,), 0x7FE00001),
    ("f32.nearest", (F32_NS,), 0xFFC12345),
    ("f64.add", (F64_S, F64_ONE), 0x7FFC000000000001),
    ("f64.add", (F64_ONE, F64_NS), 0xFFF8123456789ABC),
    ("f64.add", (F64_S, F64_NQ), 0x7FFC000000000001),
    ("f64.add", (F64_NS, F64_P), 0xFFF8123456789ABC),
    ("f64.add", (F64_INF, F64_NINF), 0xFFF8000000000000),
    ("f64.sub", (F64_P, F64_ONE), 0x7FF800000000BEEF),
    ("f64.sub", (F64_ONE, F64_S), 0x7FFC000000000001),
    ("f64.sub", (F64_NQ, F64_S), 0xFFF8000000000000),
    ("f64.sub", (F64_INF, F64_INF), 0xFFF8000000000000),
    ("f64.mul", (F64_NS, F64_Z), 0xFFF8123456789ABC),
    ("f64.mul", (F64_Z, F64_P), 0x7FF800000000BEEF),
    ("f64.mul", (F64_S, F64_NS), 0x7FFC000000000001),
    ("f64.mul", (F64_Z, F64_INF), 0xFFF8000000000000),
    ("f64.div", (F64_S, F64_Z), 0x7FFC000000000001),
    ("f64.div", (F64_ONE, F64_NS), 0xFFF8123456789ABC),
    ("f64.div", (F64_P, F64_S), 0x7FF800000000BEEF),
    ("f64.div", (F64_Z, F64_Z), 0xFFF8000000000000),
    ("f64.div", (F64_INF, F64_NINF), 0xFFF8000000000000),
    ("f64.min", (F64_S, F64_ONE), 0x7FFC000000000001),
    ("f64.min", (F64_ONE, F64_NS), 0xFFF8123456789ABC),
    ("f64.min", (F64_S, F64_NS), 0xFFF8123456789ABC),
    ("f64.min", (F64_NS, F64_P), 0x7FF800000000BEEF),
    ("f64.max", (F64_P, F64_M1), 0x7FF800000000BEEF),
    ("f64.max", (F64_M1, F64_S), 0x7FFC000000000001),
    ("f64.max", (F64_S, F64_NS), 0xFFF8123456789ABC),
    ("f64.max", (F64_NQ, F64_P), 0x7FF800000000BEEF),
    ("f64.sqrt", (F64_S,), 0x7FFC000000000001),
    ("f64.sqrt", (F64_NS,), 0xFFF8123456789ABC),
    ("f64.sqrt", (F64_M1,), 0xFFF8000000000000),
    ("f64.sqrt", (F64_NINF,), 0xFFF8000000000000),
    ("f64.ceil", (F64_S,), 0x7FFC000000000001),
    ("f64.ceil", (F64_NS,), 0xFFF8123456789ABC),
    ("f64.floor", (F64_S,), 0x7FFC000000000001),
    ("f64.floor", (F64_NQ,), 0xFFF8000000000000),
    ("f64.trunc", (F64_NS,), 0xFFF8123456789ABC),
    ("f64.trunc", (F64_P,), 0x7FF800000000BEEF),
    ("f64.nearest", (F64_S,), 0x7FFC000000000001),
    ("f64.nearest", (F64_NS,), 0xFFF8123456789ABC),
    ("f32.demote_f64", (F64_Q,), 0x7FC00000),
    ("f32.demote_f64", (F64_NQ,), 0xFFC00000),
    ("f32.demote_f64", (F64_S,), 0x7FE00000),
    ("f32.demote_f64", (F64_NS,), 0xFFC091A2),
    ("f32.demote_f64", (F64_P,), 0x7FC00000),
    ("f64.promote_f32", (F32_Q,), 0x7FF8000000000000),
    ("f64.promote_f32", (F32_NQ,), 0xFFF8000000000000),
    ("f64.promote_f32", (F32_S,), 0x7FFC000020000000),
    ("f64.promote_f32", (F32_NS,), 0xFFF82468A0000000),
    ("f64.promote_f32", (F32_P,), 0x7FF817DDE0000000),
]


def result_type(mnemonic: str) -> str:
    return numerics.RESULT_TYPE[mnemonic]


@pytest.mark.parametrize("mnemonic, operands, measured", MEASURED_X86_64)
def test_nan_result_with_canonicalization_on_is_canonical(mnemonic, operands, measured):
    assert ON[mnemonic](*operands) == CANONICAL[result_type(mnemonic)]


@pytest.mark.parametrize("mnemonic, operands, measured", MEASURED_X86_64)
def test_nan_result_with_canonicalization_off_is_the_x86_64_nan(mnemonic, operands, measured):
    assert OFF[mnemonic](*operands) == measured


def test_the_off_mode_rule_in_words():
    # Invalid operation without NaN operands: the x86 "default NaN", negative.
    assert OFF["f32.div"](F32_Z, F32_Z) == numerics.DEFAULT_NAN["f32"] == 0xFFC00000
    assert OFF["f64.sqrt"](F64_M1) == numerics.DEFAULT_NAN["f64"] == 0xFFF8000000000000
    # One NaN operand: it is returned quieted, sign and payload kept.
    assert OFF["f32.mul"](F32_ONE, F32_NS) == F32_NS | 0x00400000
    # Two NaN operands: the first wins for add/sub/mul/div, the second for min/max.
    assert OFF["f64.sub"](F64_NS, F64_S) == F64_NS | (1 << 51)
    assert OFF["f64.max"](F64_NS, F64_S) == F64_S | (1 << 51)


BIT_OPERATORS = [
    ("f32.abs", (F32_NS,), F32_NS & 0x7FFFFFFF),
    ("f32.neg", (F32_S,), F32_S ^ 0x80000000),
    ("f32.copysign", (F32_S, F32_M1), F32_S | 0x80000000),
    ("f32.copysign", (F32_ONE, F32_NQ), F32_M1),
    ("f64.abs", (F64_NS,), F64_NS & (2**63 - 1)),
    ("f64.neg", (F64_P,), F64_P ^ 2**63),
    ("f64.copysign", (F64_NS, F64_P), F64_NS & (2**63 - 1)),
    ("f32.reinterpret_i32", (F32_S,), F32_S),
    ("f64.reinterpret_i64", (F64_NS,), F64_NS),
    ("i32.reinterpret_f32", (F32_NS,), F32_NS),
    ("i64.reinterpret_f64", (F64_S,), F64_S),
]


@pytest.mark.parametrize("mnemonic, operands, expected", BIT_OPERATORS)
def test_bit_operators_never_canonicalize(mnemonic, operands, expected):
    assert mnemonic not in numerics.CANONICALIZING_OPERATORS
    assert ON[mnemonic](*operands) == OFF[mnemonic](*operands) == expected


def test_canonicalizing_set():
    names = ("add", "sub", "mul", "div", "sqrt", "min", "max", "ceil", "floor", "trunc", "nearest")
    expected = {f"{t}.{n}" for t in ("f32", "f64") for n in names} | {"f32.demote_f64", "f64.promote_f32"}
    assert numerics.CANONICALIZING_OPERATORS == expected


def bits_with_nans(t: str):
    """Bit patterns biased towards NaNs of every sign, quietness and payload."""
    w = WIDTH[t]
    if t in ("i32", "i64"):
        return st.integers(0, 2**w - 1)
    exponent = (2 ** (w - 1) - 1) & ~((1 << (23 if t == "f32" else 52)) - 1)
    any_nan = st.integers(0, 2**w - 1).map(lambda b: b | exponent).filter(lambda b: numerics.is_nan(b, t))
    return st.one_of(any_nan, st.integers(0, 2**w - 1), st.sampled_from([0, 2 ** (w - 1), exponent, exponent | 2 ** (w - 1)]))


FLOAT_RESULT_OPERATORS = sorted(m for m in numerics.ARITY if result_type(m) in ("f32", "f64"))


@pytest.mark.parametrize("mnemonic", FLOAT_RESULT_OPERATORS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_canonicalization_touches_nans_only(mnemonic, data):
    operands = [data.draw(bits_with_nans(t)) for t in numerics.OPERAND_TYPES[mnemonic]]
    t = result_type(mnemonic)
    on, off = ON[mnemonic](*operands), OFF[mnemonic](*operands)
    if mnemonic in numerics.CANONICALIZING_OPERATORS:
        assert on == numerics.canonicalize_nan(off, t)
        if numerics.is_nan(off, t):
            assert on == CANONICAL[t]
        else:
            assert on == off
    else:
        assert on == off
    # Every NaN an arithmetic operator yields is an arithmetic (quiet) NaN:
    # core spec §4.3.3 nans_N, so nan:arithmetic holds in both modes.
    if mnemonic in numerics.CANONICALIZING_OPERATORS and numerics.is_nan(off, t):
        assert numerics.is_arithmetic_nan(off, t) and numerics.is_arithmetic_nan(on, t)


@pytest.mark.parametrize(
    "bits, t, is_nan, canonical, arithmetic",
    [
        (0x7FC00000, "f32", True, True, True),
        (0xFFC00000, "f32", True, True, True),
        (0x7FC00001, "f32", True, False, True),
        (0xFFE00000, "f32", True, False, True),
        (0x7FA00000, "f32", True, False, False),
        (0x7F800001, "f32", True, False, False),
        (0x7F800000, "f32", False, False, False),
        (0x3F800000, "f32", False, False, False),
        (0x7FF8000000000000, "f64", True, True, True),
        (0xFFF8000000000000, "f64", True, True, True),
        (0x7FF8000000000001, "f64", True, False, True),
        (0x7FF4000000000000, "f64", True, False, False),
        (0xFFF0000000000001, "f64", True, False, False),
        (0xFFF0000000000000, "f64", False, False, False),
        (0x7FC00000, "f64", False, False, False),
    ],
)
def test_nan_classification(bits, t, is_nan, canonical, arithmetic):
    assert numerics.is_nan(bits, t) is is_nan
    assert numerics.is_canonical_nan(bits, t) is canonical
    assert numerics.is_arithmetic_nan(bits, t) is arithmetic
    assert numerics.canonicalize_nan(bits, t) == (CANONICAL[t] if is_nan else bits)


# ---------------------------------------------------------------------------
# Differential: the same operators compiled by wasmtime 50
# ---------------------------------------------------------------------------

CARRIER = {"i32": "i32", "f32": "i32", "i64": "i64", "f64": "i64"}
FROM_CARRIER = {"f32": "f32.reinterpret_i32", "f64": "f64.reinterpret_i64"}
TO_CARRIER = {"f32": "i32.reinterpret_f32", "f64": "i64.reinterpret_f64"}
WASMTIME_TRAP_KIND = {
    "INTEGER_DIVISION_BY_ZERO": TrapKind.INTEGER_DIVIDE_BY_ZERO,
    "INTEGER_OVERFLOW": TrapKind.INTEGER_OVERFLOW,
    "BAD_CONVERSION_TO_INTEGER": TrapKind.INVALID_CONVERSION_TO_INTEGER,
}


def operator_function_wat(mnemonic: str) -> str:
    """One exported function per operator.  Floats cross the boundary as
    integer bit patterns (reinterpretations never touch the bits), so NaN
    payloads survive the Python <-> wasm conversion."""
    operand_types = numerics.OPERAND_TYPES[mnemonic]
    body = []
    for index, t in enumerate(operand_types):
        body.append(f"local.get {index}")
        if t in FROM_CARRIER:
            body.append(FROM_CARRIER[t])
    body.append(mnemonic)
    if result_type(mnemonic) in TO_CARRIER:
        body.append(TO_CARRIER[result_type(mnemonic)])
    params = " ".join(CARRIER[t] for t in operand_types)
    return (
        f'(func (export "{mnemonic}") (param {params}) (result {CARRIER[result_type(mnemonic)]}) '
        + " ".join(body) + ")"
    )


class WasmtimeOperators:
    """Every numeric operator, compiled by wasmtime with the given setting."""

    def __init__(self, wasmtime, nan_canonicalization: bool):
        config = wasmtime.Config()
        config.cranelift_nan_canonicalization = nan_canonicalization
        config.cranelift_opt_level = "speed"  # the seed's setting (§3.2)
        engine = wasmtime.Engine(config)
        wat = "(module\n" + "\n".join(operator_function_wat(m) for m in sorted(numerics.ARITY)) + ")"
        self.wasmtime = wasmtime
        self.engine = engine
        self.store = wasmtime.Store(engine)
        instance = wasmtime.Instance(self.store, wasmtime.Module(engine, wasmtime.wat2wasm(wat)), [])
        exports = instance.exports(self.store)
        self.funcs = {m: exports[m] for m in numerics.ARITY}

    def close(self) -> None:
        """Free the native objects now, not at interpreter exit."""
        self.funcs.clear()
        self.store.close()
        self.engine.close()

    def __call__(self, mnemonic: str, *operands: int):
        """The result bits, or the trap kind."""
        signed_operands = []
        for bits, t in zip(operands, numerics.OPERAND_TYPES[mnemonic]):
            w = WIDTH[t]
            signed_operands.append(bits - 2**w if bits >> (w - 1) else bits)
        try:
            result = self.funcs[mnemonic](self.store, *signed_operands)
        except self.wasmtime.Trap as trap:
            return WASMTIME_TRAP_KIND.get(trap.trap_code.name, trap.trap_code.name)
        return result % 2 ** WIDTH[result_type(mnemonic)]


def ours(table, mnemonic: str, *operands: int):
    try:
        return table[mnemonic](*operands)
    except Trap as trap:
        return trap.kind


@pytest.fixture(scope="module", params=[True, False], ids=["canonicalization-on", "canonicalization-off"])
def wasmtime_pair(request):
    wasmtime = pytest.importorskip("wasmtime", reason="the differential tests need wasmtime-py 50")
    compiled = WasmtimeOperators(wasmtime, request.param)
    yield compiled, numerics.operators(request.param), request.param
    compiled.close()


def f32(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


_SPECIAL_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5, -0.3, -0.99, float("inf"), float("-inf"),
                   2147483648.0, -2147483648.0, 4294967296.0, 9.2233720368547758e18, -9.2233720368547758e18,
                   1.8446744073709552e19]
SPECIALS = {
    "f32": [f32(x) for x in _SPECIAL_FLOATS]
    + [0x7F7FFFFF, 0xFF7FFFFF, 0x00800000, 0x00000001, 0x80000001, 0x007FFFFF, 0x4EFFFFFF, 0xCF000001,
       0x4F7FFFFF, 0x5EFFFFFF, 0xDF000001, 0x5F7FFFFF]
    + [F32_Q, F32_NQ, F32_S, F32_NS, F32_P, 0x7F800001, 0xFFFFFFFF],
    "f64": [f64(x) for x in _SPECIAL_FLOATS + [2147483647.9, -2147483648.9, 4294967295.9, 3.4028235677973366e38,
                                                3.4028235677973368e38, 1e-46, 7e-46]]
    + [0x7FEFFFFFFFFFFFFF, 0x0010000000000000, 0x0000000000000001, 0x800FFFFFFFFFFFFF]
    + [F64_Q, F64_NQ, F64_S, F64_NS, F64_P, 0x7FF0000000000001, 0xFFFFFFFFFFFFFFFF, 0x7FF00000E0000000],
    "i32": [0, 1, 2, 31, 32, 33, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF, 0xFFFFFFFE, 0x01000001, 0xFFFFFF80],
    "i64": [0, 1, 2, 63, 64, 65, 2**63 - 1, 2**63, 2**63 + 1, 2**64 - 1, 0x0020000020000001, 2**64 - 0x0020000020000001],
}


@pytest.mark.parametrize("mnemonic", sorted(numerics.ARITY))
def test_differential_grid_of_special_values(wasmtime_pair, mnemonic):
    """Every operator on every combination of special values (NaNs of every
    kind, zeros, infinities, extremes, truncation boundaries)."""
    theirs, table, _ = wasmtime_pair
    grids = [SPECIALS[t] for t in numerics.OPERAND_TYPES[mnemonic]]
    mismatches = [
        (tuple(map(hex, operands)), ours(table, mnemonic, *operands), theirs(mnemonic, *operands))
        for operands in itertools.product(*grids)
        if ours(table, mnemonic, *operands) != theirs(mnemonic, *operands)
    ]
    assert not mismatches, mismatches[:5]


def random_operand(rng: random.Random, t: str) -> int:
    w = WIDTH[t]
    if t in ("f32", "f64") and rng.random() < 0.4:  # a NaN with a random sign and payload
        fraction_bits = 23 if t == "f32" else 52
        return (rng.getrandbits(1) << (w - 1)) | (((1 << (w - 1 - fraction_bits)) - 1) << fraction_bits) | rng.randrange(1, 1 << fraction_bits)
    return rng.getrandbits(w)


@pytest.mark.parametrize("mnemonic", sorted(numerics.ARITY))
def test_differential_random_operands(wasmtime_pair, mnemonic):
    theirs, table, _ = wasmtime_pair
    rng = random.Random(f"pyde-ref numerics differential {mnemonic}")  # seeded: reproducible
    mismatches = []
    for _ in range(150):
        operands = [random_operand(rng, t) for t in numerics.OPERAND_TYPES[mnemonic]]
        if ours(table, mnemonic, *operands) != theirs(mnemonic, *operands):
            mismatches.append((tuple(map(hex, operands)), ours(table, mnemonic, *operands), theirs(mnemonic, *operands)))
    assert not mismatches, mismatches[:5]


@pytest.mark.parametrize("mnemonic", FLOAT_RESULT_OPERATORS)
def test_wasmtime_canonicalizes_exactly_our_set(wasmtime_pair, mnemonic):
    """The measurement behind CANONICALIZING_OPERATORS, independent of our
    implementation.  Canonicalization on: an operator in the set never yields
    a non-canonical NaN, one outside it passes some NaN through unchanged.
    Off: every operator that can yield a NaN yields non-canonical ones."""
    theirs, _table, nan_canonicalization = wasmtime_pair
    t = result_type(mnemonic)
    nan_results = set()
    for operands in itertools.product(*[SPECIALS[s] for s in numerics.OPERAND_TYPES[mnemonic]]):
        result = theirs(mnemonic, *operands)
        if isinstance(result, int) and numerics.is_nan(result, t):
            nan_results.add(result)
    if mnemonic.split(".")[1].startswith("convert_"):
        assert nan_results == set()  # an integer never converts to a NaN
    elif nan_canonicalization and mnemonic in numerics.CANONICALIZING_OPERATORS:
        assert nan_results == {CANONICAL[t]}
    else:
        assert nan_results - {CANONICAL[t]}
