"""ABI §16 conformance surface: memory bounds at the limits (0, 1,
64 MB − 1, 64 MB) with a full 64 MB memory (ABI §3.4)."""

import pytest

from pyde_ref.abi import context, hashing, storage
from pyde_ref.abi.constants import MAX_MEMORY_BYTES, OK
from pyde_ref.abi.testing import PAGE, make_env
from pyde_ref.wasm.errors import Trap

PAGES = MAX_MEMORY_BYTES // PAGE
TOP = MAX_MEMORY_BYTES


@pytest.fixture(scope="module")
def env():
    return make_env(gas=None, pages=PAGES, calldata=b"z")


@pytest.mark.parametrize("ptr", [0, 1, TOP - 32])
def test_slot_ranges_inside_the_cap(env, ptr):
    assert storage.sload(env, ptr, ptr) == OK


@pytest.mark.parametrize("ptr", [TOP - 31, TOP - 1, TOP, 0xFFFF_FFFF])
def test_slot_ranges_crossing_the_cap_trap(env, ptr):
    with pytest.raises(Trap) as e:
        storage.sload(env, ptr, 0)
    assert e.value.kind == "memory_out_of_bounds"


def test_last_byte_and_one_past(env):
    assert context.calldata_copy(env, 0, 1, TOP - 1) == OK
    assert env.memory.read(TOP - 1, 1) == b"z"
    with pytest.raises(Trap):
        context.calldata_copy(env, 0, 1, TOP)
    assert hashing.hash_blake3(env, TOP, 0, 0) == OK  # empty input at the very end
    with pytest.raises(Trap):
        hashing.hash_blake3(env, TOP - 1, 2, 0)
