"""ABI §7.1 storage host functions, through a fake HostEnv."""

import pytest

from pyde_ref.abi import storage
from pyde_ref.abi.constants import ERR_ACCESS_LIST_VIOLATION, ERR_FORBIDDEN, OK
from pyde_ref.abi.env import AccessList
from pyde_ref.abi.testing import PAGE, address, make_env
from pyde_ref.wasm.errors import Trap

SLOT, VALUE, OUT = 0, 32, 64


def put(env, slot=b"\x05" * 32, value=b"\x07" * 32):
    env.memory.write(SLOT, slot)
    env.memory.write(VALUE, value)


def test_sload_of_unwritten_slot_is_zero_not_error():
    env = make_env()
    put(env)
    env.memory.write(OUT, b"\xff" * 32)
    assert storage.sload(env, SLOT, OUT) == OK
    assert env.memory.read(OUT, 32) == bytes(32)


def test_sstore_then_sload_round_trips_and_is_scoped_by_storage_context():
    env = make_env()
    put(env)
    assert storage.sstore(env, SLOT, VALUE) == OK
    assert storage.sload(env, SLOT, OUT) == OK
    assert env.memory.read(OUT, 32) == b"\x07" * 32
    # Same slot key, another storage context: a different slot.
    assert env.ctx.state.sload(address(0xA1), b"\x05" * 32) == b"\x07" * 32
    assert env.ctx.state.sload(address(0xB2), b"\x05" * 32) == bytes(32)


def test_storage_address_not_self_address_decides_the_namespace():
    env = make_env(storage_address=address(0xD0))
    put(env)
    storage.sstore(env, SLOT, VALUE)
    assert env.ctx.state.sload(address(0xD0), b"\x05" * 32) == b"\x07" * 32
    assert env.ctx.state.sload(address(0xA1), b"\x05" * 32) == bytes(32)


def test_sdelete_clears_and_succeeds_on_missing_slot():
    env = make_env()
    put(env)
    assert storage.sdelete(env, SLOT) == OK  # never written: still 0
    storage.sstore(env, SLOT, VALUE)
    assert storage.sdelete(env, SLOT) == OK
    storage.sload(env, SLOT, OUT)
    assert env.memory.read(OUT, 32) == bytes(32)


def test_storing_zero_is_deleting():
    env = make_env()
    put(env)
    storage.sstore(env, SLOT, VALUE)
    env.memory.write(VALUE, bytes(32))
    storage.sstore(env, SLOT, VALUE)
    env.ctx.state.merge()
    assert list(env.ctx.state.parent.entries("storage")) == []


@pytest.mark.parametrize("fn,args", [(storage.sstore, (SLOT, VALUE)), (storage.sdelete, (SLOT,))])
def test_view_mode_forbids_writes_and_charges_gas(fn, args):
    env = make_env(view_mode=True)
    put(env)
    assert fn(env, *args) == ERR_FORBIDDEN
    assert env.ctx.state.write_set() == []
    assert env.gas.consumed > 0


def test_view_mode_allows_sload():
    env = make_env(view_mode=True)
    put(env)
    assert storage.sload(env, SLOT, OUT) == OK


def test_access_list_violation_on_every_storage_function():
    allowed = b"\x05" * 32
    env = make_env(access_list=AccessList((allowed[:4],)))
    put(env, slot=b"\x06" * 32)
    assert storage.sload(env, SLOT, OUT) == ERR_ACCESS_LIST_VIOLATION
    assert storage.sstore(env, SLOT, VALUE) == ERR_ACCESS_LIST_VIOLATION
    assert storage.sdelete(env, SLOT) == ERR_ACCESS_LIST_VIOLATION
    assert env.ctx.state.write_set() == []
    put(env, slot=allowed)
    assert storage.sstore(env, SLOT, VALUE) == OK
    assert storage.sload(env, SLOT, OUT) == OK


@pytest.mark.parametrize("name,fn,cost,args", [
    ("sload", storage.sload, 200, (SLOT, OUT)),
    ("sstore", storage.sstore, 5000, (SLOT, VALUE)),
    ("sdelete", storage.sdelete, 150, (SLOT,)),
])
def test_gas_figures_and_charged_before_work(name, fn, cost, args):
    env = make_env()
    put(env)
    fn(env, *args)
    assert env.gas.consumed == cost
    # One short: traps out_of_fuel, charges nothing, writes nothing.
    env = make_env(gas=cost - 1)
    put(env)
    env.memory.write(OUT, b"\xee" * 32)
    with pytest.raises(Trap) as e:
        fn(env, *args)
    assert e.value.kind == "out_of_fuel"
    assert env.gas.consumed == 0
    assert env.ctx.state.write_set() == []
    assert env.memory.read(OUT, 32) == b"\xee" * 32


@pytest.mark.parametrize("fn,args", [
    (storage.sload, (PAGE - 31, OUT)),
    (storage.sload, (SLOT, PAGE - 1)),
    (storage.sstore, (PAGE, VALUE)),
    (storage.sstore, (SLOT, 0xFFFF_FFFF)),
    (storage.sdelete, (PAGE - 16,)),
])
def test_out_of_range_pointers_trap(fn, args):
    env = make_env()
    with pytest.raises(Trap) as e:
        fn(env, *args)
    assert e.value.kind == "memory_out_of_bounds"
    assert env.ctx.state.write_set() == []


def test_last_slot_of_memory_is_in_range():
    env = make_env()
    env.memory.write(PAGE - 32, b"\x09" * 32)
    assert storage.sstore(env, PAGE - 32, PAGE - 32) == OK
    assert storage.sload(env, PAGE - 32, PAGE - 32) == OK
