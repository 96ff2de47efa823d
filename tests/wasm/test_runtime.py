"""Runtime structure (core spec §4.2): store, instances, machine parameters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pyde_ref.wasm as wasm
from pyde_ref.wasm.errors import Trap, TrapKind, Uninstantiable
from pyde_ref.wasm import runtime
from pyde_ref.wasm.runtime import (
    MAX_ACTIVATIONS, PAGE_SIZE, PYDE_MAX_MEMORY_PAGES, WASM_MAX_MEMORY_PAGES, ExternVal, HostFunc,
    MachineConfig, MemoryInstance, ModuleInstance, Store, value_fits,
)
from pyde_ref.wasm.syntax import FuncType, GlobalType, Limits, MemType, Module, TableType


def test_public_interface_is_re_exported():
    for name in ("decode_module", "validate_module", "MachineConfig", "Store", "ExternVal", "HostFunc",
                 "FuelMeter", "instantiate", "invoke", "Trap", "LinkError", "Uninstantiable", "Caller"):
        assert hasattr(wasm, name), name


def test_machine_parameters():
    assert PAGE_SIZE == 65536
    assert PYDE_MAX_MEMORY_PAGES * PAGE_SIZE == 64 * 1024 * 1024
    assert WASM_MAX_MEMORY_PAGES * PAGE_SIZE == 1 << 32
    config = MachineConfig()
    assert (config.max_memory_pages, config.nan_canonicalization, config.fuel_model, config.max_activations) == (
        PYDE_MAX_MEMORY_PAGES, True, "spec", MAX_ACTIVATIONS)
    for bad in (dict(fuel_model="fast"), dict(max_memory_pages=WASM_MAX_MEMORY_PAGES + 1),
                dict(max_memory_pages=-1), dict(max_activations=0), dict(tier="slow"), dict(tier="reading", fuel_model="wasmtime-50"),
                dict(tier="reading", fuel_model="wasmtime-45")):
        with pytest.raises(ValueError):
            MachineConfig(**bad)


def test_memory_read_write_and_bounds():
    mem = MemoryInstance(MemType(Limits(1, None)), PYDE_MAX_MEMORY_PAGES)
    mem.write(PAGE_SIZE - 3, b"abc")
    assert mem.read(PAGE_SIZE - 3, 3) == b"abc"
    assert mem.read(PAGE_SIZE, 0) == b""
    for addr, n in ((PAGE_SIZE - 2, 3), (PAGE_SIZE + 1, 0), (-1, 1), ((1 << 32) - 1, 2)):
        with pytest.raises(Trap) as info:
            mem.read(addr, n)
        assert info.value.kind == TrapKind.MEMORY_OUT_OF_BOUNDS
    before = bytes(mem.data)
    with pytest.raises(Trap):
        mem.write(PAGE_SIZE - 2, b"xyz")
    assert bytes(mem.data) == before  # nothing written


@given(addr=st.integers(0, 120), value=st.integers(0, (1 << 64) - 1), nbytes=st.sampled_from([1, 2, 4, 8]))
def test_memory_integers_are_little_endian_and_truncated(addr, value, nbytes):
    mem = MemoryInstance(MemType(Limits(1, None)), 1)
    mem.store_int(addr, nbytes, value)
    assert mem.load_int(addr, nbytes) == value % (1 << (8 * nbytes))
    assert mem.read(addr, 1)[0] == value & 0xFF


def test_memory_grow_respects_max_and_cap():
    mem = MemoryInstance(MemType(Limits(1, 3)), cap_pages=2)
    mem.write(PAGE_SIZE - 2, b"ab")
    reservation = mem.data.obj
    assert mem.grow(0) == 1
    assert mem.grow(1) == 1
    assert mem.grow(1) == -1  # the cap (2) binds before the declared max (3)
    assert mem.pages == 2 and len(mem.data) == 2 * PAGE_SIZE
    assert mem.data.obj is reservation  # a longer view of the same reservation: nothing copied
    assert mem.read(PAGE_SIZE - 2, 4) == b"ab\0\0"  # the new page reads as zeros
    assert MemoryInstance(MemType(Limits(0, None)), 65536).max_pages == 65536


def test_memory_is_reserved_at_its_maximum_and_committed_lazily():
    """The reservation covers the maximum (cap included), so growing never
    copies; untouched pages read as zeros."""
    mem = MemoryInstance(MemType(Limits(1, None)), cap_pages=1024)
    assert len(mem.data.obj) == 1024 * PAGE_SIZE and len(mem.data) == PAGE_SIZE
    assert mem.grow(1023) == 1
    assert mem.read(1024 * PAGE_SIZE - 8, 8) == bytes(8)
    with pytest.raises(Trap):
        mem.read(1024 * PAGE_SIZE - 7, 8)


def test_memory_without_a_large_reservation_moves_when_it_grows(monkeypatch):
    """Where the system refuses a reservation of the maximum (RLIMIT_AS,
    strict overcommit), the memory reserves what it needs and a grow past
    that moves the contents: same bytes, same results."""
    real = runtime.reserve_zeroed
    monkeypatch.setattr(runtime, "reserve_zeroed", lambda n: real(n) if n <= 4 * PAGE_SIZE else None)
    mem = MemoryInstance(MemType(Limits(1, None)), cap_pages=64)
    assert len(mem.data.obj) == PAGE_SIZE
    mem.write(10, b"xyz")
    assert mem.grow(1) == 1 and len(mem.data.obj) == 2 * PAGE_SIZE  # twice as large
    assert mem.grow(2) == 2 and len(mem.data.obj) == 4 * PAGE_SIZE
    assert mem.read(10, 3) == b"xyz" and mem.read(3 * PAGE_SIZE, 4) == bytes(4)
    with pytest.raises(MemoryError):
        mem.grow(1)  # 5 pages: refused by the (simulated) system


def test_store_allocation_and_extern_types():
    store = Store()
    f = store.alloc_host_func(HostFunc(FuncType(("i32",), ()), lambda c, a: [], "f"))
    t = store.alloc_table(TableType(Limits(2, 5)))
    m = store.alloc_memory(MemType(Limits(1, 4)))
    g = store.alloc_global(GlobalType("i64", True), 5)
    assert (f, t, m, g) == (0, 0, 0, 0)
    assert store.extern_type(ExternVal("func", f)) == FuncType(("i32",), ())
    assert store.extern_type(ExternVal("table", t)) == TableType(Limits(2, 5))
    store.mems[m].grow(2)
    assert store.extern_type(ExternVal("memory", m)) == MemType(Limits(3, 4))  # current size
    assert store.extern_type(ExternVal("global", g)) == GlobalType("i64", True)
    with pytest.raises(ValueError):
        store.alloc_global(GlobalType("i32", False), 1 << 32)
    with pytest.raises(Uninstantiable, match="cap"):
        store.alloc_memory(MemType(Limits(PYDE_MAX_MEMORY_PAGES + 1, None)))
    assert len(store.mems) == 1  # the refused memory was not allocated


def test_value_fits():
    assert value_fits("i32", 0) and value_fits("i32", (1 << 32) - 1)
    assert not value_fits("i32", 1 << 32) and not value_fits("i32", -1) and not value_fits("i32", True)
    assert value_fits("f64", (1 << 64) - 1) and not value_fits("f64", 1.0)
    assert value_fits("funcref", None) and value_fits("funcref", 3)


def test_module_instance_export_lookup():
    inst = ModuleInstance(Module(), ())
    inst.exports["f"] = ExternVal("func", 3)
    assert inst.export("f") == ExternVal("func", 3)
    with pytest.raises(KeyError, match="no export named 'g'"):
        inst.export("g")
    assert inst.memory is None


def test_table_cap_refuses_huge_tables_before_allocating():
    from pyde_ref.wasm.exec import instantiate
    from pyde_ref.wasm.runtime import MAX_TABLE_ELEMENTS

    store = Store()
    with pytest.raises(Uninstantiable, match="table"):
        instantiate(store, Module(tables=(TableType(Limits(MAX_TABLE_ELEMENTS + 1, None)),)), [])
    with pytest.raises(Uninstantiable):
        store.alloc_table(TableType(Limits(0xFFFFFFFF, None)))
    assert store.tables == [] and store.funcs == []
    store.alloc_table(TableType(Limits(1000, None)))
