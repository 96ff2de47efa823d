"""Property tests of the ABI's numeric conventions (§3.2, §3.3): signed
readings of bit patterns, little-endian u128, error codes as i32 bits."""

from hypothesis import given
from hypothesis import strategies as st

from pyde_ref.abi import memio
from pyde_ref.abi.constants import ERROR_CODES
from pyde_ref.abi.env import as_i32, as_i64
from pyde_ref.abi.registry import HostFunctionDef, call_host
from pyde_ref.abi.testing import make_env
from pyde_ref.wasm.syntax import FuncType


@given(st.integers(-(2**31), 2**31 - 1))
def test_as_i32_inverts_twos_complement(v):
    assert as_i32(v & 0xFFFF_FFFF) == v


@given(st.integers(-(2**63), 2**63 - 1))
def test_as_i64_inverts_twos_complement(v):
    assert as_i64(v & (2**64 - 1)) == v


@given(st.sampled_from(sorted(ERROR_CODES)))
def test_error_codes_round_trip_through_i32_bits(code):
    returns_code = HostFunctionDef("returns_code", FuncType((), ("i32",)), lambda env: code)
    [bits] = call_host(returns_code, make_env(), [])
    assert 0 <= bits < 2**32 and as_i32(bits) == code


@given(st.integers(0, 2**128 - 1), st.integers(0, 65536 - 16))
def test_u128_is_little_endian_in_memory(value, ptr):
    env = make_env()
    memio.write_u128(env, ptr, value)
    assert env.memory.read(ptr, 16) == value.to_bytes(16, "little")
    assert memio.read_u128(env, ptr) == value
