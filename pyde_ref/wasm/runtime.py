"""Runtime structure (core spec §4.2): the store and the instances in it.

Addresses are indices into the store's lists (§4.2.3), never reused.  Values are
bit patterns (see :mod:`.syntax`); references are ``None`` (null) or a function
address.

The machine parameters that are not in the core spec live here, in one place:
:data:`PAGE_SIZE`, :data:`WASM_MAX_MEMORY_PAGES`, :data:`PYDE_MAX_MEMORY_PAGES`
(the single definition of Pyde's 64 MiB cap), :data:`MAX_ACTIVATIONS`,
:data:`MAX_LOCAL_SLOTS`, :data:`MAX_TABLE_ELEMENTS` and :class:`MachineConfig`
(which also names the execution tier).
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Optional, Sequence, Union

import attrs

from . import fuel as fuel_mod
from .errors import Trap, TrapKind, Uninstantiable, WasmError
from .syntax import BIT_WIDTH, FuncType, GlobalType, Limits, MemType, Module, TableType, ValType

# ---------------------------------------------------------------------------
# Machine parameters
# ---------------------------------------------------------------------------

PAGE_SIZE = 65536
"""§4.2.8 the size of a memory page in bytes."""

WASM_MAX_MEMORY_PAGES = 65536
"""§4.2.8 the largest memory a 32-bit address space allows (4 GiB)."""

PYDE_MAX_MEMORY_PAGES = 1024
"""Seed §3.5b: a contract's linear memory is capped at 64 MB (1024 pages).
wasmtime enforces it with ``Store.set_limits(memory_size=64 MiB)``; under the cap
``memory.grow`` past it returns -1 and a module whose initial memory exceeds it
is uninstantiable."""

MAX_ACTIVATIONS = 10_000
"""The most wasm and host function activations that may be live at once (in
all nested invocations of a thread together); the call that would exceed it
traps ``call_stack_exhausted``.  (Not the ABI's limit on cross-contract call
frames, which is a different quantity.)  wasmtime instead
overflows a native stack (512 KiB by default) whose depth depends on frame
sizes; the reference counts frames.  See ``spec/findings/call-depth.md``."""

MAX_TABLE_ELEMENTS = 10_000_000
"""The largest table the machine allocates (80 MB of references in wasmtime).
The core spec allows up to 2**32 - 1 elements; wasmtime 50 allocates tables
eagerly and fails instantiation only when the host runs out of memory (a
4-billion-element table: "out of memory"), i.e. at a host-dependent size.  A
fixed, documented cap keeps the outcome deterministic; no pyde-v1 contract
needs more than a few thousand (one funcref table, no ``table.grow``)."""

MAX_LOCAL_SLOTS = 1 << 20
"""The most locals (parameters included) all live activations may hold
together; a call that would exceed it traps ``call_stack_exhausted``.  It
bounds the reference's memory where :data:`MAX_ACTIVATIONS` alone would not
(10 000 frames of a function with 50 000 locals), as wasmtime's fixed-size
native stack bounds it.  See ``spec/findings/call-depth.md``."""


FAST = "fast"
"""The fast tier: pre-decoded, fused, run-charged code (:mod:`.predecode`, :mod:`.fast`)."""

READING = "reading"
"""The reading tier: the instructions as decoded, executed as §4.4 states (:mod:`.eval`)."""

TIERS = (FAST, READING)
"""The two execution tiers.  Under the ``spec`` fuel model they are
observably identical (``tests/wasm/test_tiers.py``, ``pyde-ref fuzz --tier-check``)."""


@attrs.frozen
class MachineConfig:
    """The machine's parameters; every validator must use the same ones.

    ``tier`` picks the execution tier (:data:`TIERS`); the reading tier
    implements the ``spec`` fuel model only.  ``observer`` (reading tier only,
    not part of the configuration's identity) is told about every executed
    instruction and host call (:class:`.eval.Observer`)."""

    max_memory_pages: int = PYDE_MAX_MEMORY_PAGES
    nan_canonicalization: bool = True
    fuel_model: str = fuel_mod.DEFAULT_FUEL_MODEL
    max_activations: int = MAX_ACTIVATIONS
    tier: str = FAST
    observer: Any = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        model = fuel_mod.model(self.fuel_model)
        if not 0 <= self.max_memory_pages <= WASM_MAX_MEMORY_PAGES:
            raise ValueError(f"max_memory_pages must be in [0, {WASM_MAX_MEMORY_PAGES}]")
        if self.max_activations < 1:
            raise ValueError("max_activations must be at least 1")
        if self.tier not in TIERS:
            raise ValueError(f"unknown tier {self.tier!r}; expected one of {', '.join(TIERS)}")
        if self.tier == READING and model.timing != fuel_mod.PER_INSTRUCTION:
            raise ValueError(f"the reading tier implements the {fuel_mod.SPEC} fuel model only, "
                             f"not {self.fuel_model}")
        if self.observer is not None and self.tier != READING:
            raise ValueError("an observer needs the reading tier")

    @property
    def fuel(self) -> fuel_mod.FuelModel:
        """The fuel model :attr:`fuel_model` names."""
        return fuel_mod.model(self.fuel_model)


# ---------------------------------------------------------------------------
# External values and host functions
# ---------------------------------------------------------------------------

EXTERN_KINDS = ("func", "table", "memory", "global")


@attrs.frozen
class ExternVal:
    """§4.2.11 external value: what an export names and an import receives."""

    kind: str
    addr: int


@attrs.frozen
class HostFunc:
    """A function the embedder provides: ``fn(caller, args) -> results``."""

    type: FuncType
    fn: Callable[["Caller", tuple], Sequence[int]]
    name: str = ""


@attrs.define
class Caller:
    """What a host function sees of the wasm code that called it."""

    instance: Optional["ModuleInstance"]
    memory: Optional["MemoryInstance"]
    fuel: fuel_mod.FuelMeter
    store: Optional["Store"] = None


class InvocationError(WasmError, ValueError):
    """``invoke`` was called wrongly: unknown address, wrong argument count or
    an argument that is not a value of its parameter type (§4.5.5 step 2-4).
    Also raised when a host function returns results not matching its type."""

    status = "error"


# ---------------------------------------------------------------------------
# Instances
# ---------------------------------------------------------------------------


class FuncInstance:
    """§4.2.6 function instance: a wasm function of a module instance or a host function."""

    __slots__ = ("type", "module", "code", "host")

    def __init__(self, type: FuncType, module: Optional["ModuleInstance"] = None, code: Any = None,
                 host: Optional[HostFunc] = None):
        self.type = type
        self.module = module
        self.code = code  # a wasm function's body as its store's tier runs it (eval.Body, predecode.Code)
        self.host = host

    @property
    def is_host(self) -> bool:
        return self.host is not None


DEFAULT_VALUES: dict[ValType, Any] = {"i32": 0, "i64": 0, "f32": 0, "f64": 0, "funcref": None, "externref": None}
"""§4.2.1 the default value of each value type: 0 (all bits clear) for a
number type, the null reference (``None``) for a reference type.  A function's
declared locals start with them (§4.4.10)."""


def value_fits(valtype: ValType, value: Any) -> bool:
    """Whether ``value`` is a value of ``valtype`` (a bit pattern of its width,
    or ``None``/an address for a reference)."""
    width = BIT_WIDTH.get(valtype)
    if width is None:
        return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < (1 << width)


class MemoryInstance:
    """§4.2.8 memory instance.  ``data`` is a ``bytearray`` that only ever grows
    in place, so the interpreter may keep a reference to it across ``grow``."""

    __slots__ = ("type", "data", "max_pages")

    def __init__(self, type: MemType, cap_pages: int):
        self.type = type
        self.data = bytearray(type.limits.min * PAGE_SIZE)
        limit = type.limits.max if type.limits.max is not None else WASM_MAX_MEMORY_PAGES
        self.max_pages = min(limit, cap_pages, WASM_MAX_MEMORY_PAGES)

    @property
    def pages(self) -> int:
        return len(self.data) // PAGE_SIZE

    def grow(self, delta: int) -> int:
        """§4.5.3.9 grow by ``delta`` pages: the old size in pages, or -1 if the
        result would exceed the declared maximum or the machine's cap."""
        old = self.pages
        if delta < 0 or old + delta > self.max_pages:
            return -1
        self.data.extend(bytes(delta * PAGE_SIZE))
        return old

    def check_range(self, addr: int, n: int) -> None:
        """Trap unless ``[addr, addr + n)`` lies inside the memory."""
        if addr < 0 or n < 0 or addr + n > len(self.data):
            raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"{n} bytes at {addr} outside memory of {len(self.data)} bytes")

    def read(self, addr: int, n: int) -> bytes:
        """The ``n`` bytes at ``addr``; traps ``memory_out_of_bounds``."""
        self.check_range(addr, n)
        return bytes(self.data[addr:addr + n])

    def write(self, addr: int, data: bytes) -> None:
        """Store ``data`` at ``addr``; traps before writing anything if it does not fit."""
        self.check_range(addr, len(data))
        self.data[addr:addr + len(data)] = data

    def load_int(self, addr: int, nbytes: int) -> int:
        """Little-endian unsigned integer of ``nbytes`` at ``addr`` (§4.4.7)."""
        return int.from_bytes(self.read(addr, nbytes), "little")

    def store_int(self, addr: int, nbytes: int, value: int) -> None:
        """Store the low ``nbytes`` of ``value`` little-endian at ``addr``."""
        self.write(addr, (value & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "little"))


class TableInstance:
    """§4.2.7 table instance: a list of references (``None`` = null)."""

    __slots__ = ("type", "elements")

    def __init__(self, type: TableType, init: Optional[int] = None):
        self.type = type
        self.elements: list = [init] * type.limits.min

    @property
    def size(self) -> int:
        return len(self.elements)


class GlobalInstance:
    """§4.2.9 global instance."""

    __slots__ = ("type", "value")

    def __init__(self, type: GlobalType, value: Any):
        self.type = type
        self.value = value


class ElemInstance:
    """§4.2.10 element instance; ``elements`` becomes empty when dropped."""

    __slots__ = ("elem_type", "elements")

    def __init__(self, elem_type: ValType, elements: list):
        self.elem_type = elem_type
        self.elements = elements


class DataInstance:
    """§4.2.11 data instance; ``data`` becomes empty when dropped."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data


class ModuleInstance:
    """§4.2.5 module instance.  Besides the spec's address lists it keeps the
    instances themselves (``funcs``, ``tables``, ``mems``, ``globals``) so the
    interpreter resolves an index with one list lookup."""

    def __init__(self, module: Module, types: tuple[FuncType, ...]):
        self.module = module
        self.types = types
        self.funcaddrs: list[int] = []
        self.tableaddrs: list[int] = []
        self.memaddrs: list[int] = []
        self.globaladdrs: list[int] = []
        self.elemaddrs: list[int] = []
        self.dataaddrs: list[int] = []
        self.exports: dict[str, ExternVal] = {}
        # Direct references, index-aligned with the address lists above.
        self.funcs: list[FuncInstance] = []
        self.tables: list[TableInstance] = []
        self.mems: list[MemoryInstance] = []
        self.globals: list[GlobalInstance] = []
        self.elems: list[ElemInstance] = []
        self.datas: list[DataInstance] = []

    @property
    def memory(self) -> Optional[MemoryInstance]:
        """Memory 0, or ``None``."""
        return self.mems[0] if self.mems else None

    def export(self, name: str) -> ExternVal:
        """The export called ``name``; ``KeyError`` with a clear message if absent."""
        try:
            return self.exports[name]
        except KeyError:
            raise KeyError(f"module instance has no export named {name!r}") from None


class Store:
    """§4.2.3 the store: every instance, addressed by position."""

    def __init__(self, config: Optional[MachineConfig] = None):
        self.config = config if config is not None else MachineConfig()
        self.funcs: list[FuncInstance] = []
        self.tables: list[TableInstance] = []
        self.mems: list[MemoryInstance] = []
        self.globals: list[GlobalInstance] = []
        self.elems: list[ElemInstance] = []
        self.datas: list[DataInstance] = []

    # §4.5.3 allocation -----------------------------------------------------

    def alloc_func(self, inst: FuncInstance) -> int:
        self.funcs.append(inst)
        return len(self.funcs) - 1

    def alloc_host_func(self, host: HostFunc) -> int:
        """§4.5.3.2 allocate a host function."""
        return self.alloc_func(FuncInstance(host.type, host=host))

    def alloc_memory(self, type: MemType) -> int:
        """§4.5.3.4 allocate a memory; raises :class:`Uninstantiable` if its
        initial size exceeds the machine's cap."""
        self._check_memory_fits(type)
        self.mems.append(MemoryInstance(type, self.config.max_memory_pages))
        return len(self.mems) - 1

    def _check_memory_fits(self, type: MemType) -> None:
        cap = self.config.max_memory_pages
        if type.limits.min > cap:
            raise Uninstantiable(
                f"initial memory of {type.limits.min} pages exceeds the machine's cap of {cap} pages "
                f"({cap * PAGE_SIZE // (1024 * 1024)} MiB)")

    def alloc_table(self, type: TableType, init: Optional[int] = None) -> int:
        """§4.5.3.3 allocate a table filled with ``init`` (null by default);
        raises :class:`Uninstantiable` above :data:`MAX_TABLE_ELEMENTS`."""
        self._check_table_fits(type)
        self.tables.append(TableInstance(type, init))
        return len(self.tables) - 1

    @staticmethod
    def _check_table_fits(type: TableType) -> None:
        if type.limits.min > MAX_TABLE_ELEMENTS:
            raise Uninstantiable(
                f"initial table of {type.limits.min} elements exceeds the machine's cap of {MAX_TABLE_ELEMENTS}")

    def alloc_global(self, type: GlobalType, value: Any) -> int:
        """§4.5.3.5 allocate a global holding ``value``."""
        if not value_fits(type.valtype, value):
            raise ValueError(f"{value!r} is not a value of type {type.valtype}")
        self.globals.append(GlobalInstance(type, value))
        return len(self.globals) - 1

    def alloc_elem(self, elem_type: ValType, elements: list) -> int:
        self.elems.append(ElemInstance(elem_type, elements))
        return len(self.elems) - 1

    def alloc_data(self, data: bytes) -> int:
        self.datas.append(DataInstance(data))
        return len(self.datas) - 1

    # lookups ----------------------------------------------------------------

    def extern_type(self, ext: ExternVal) -> Union[FuncType, TableType, MemType, GlobalType]:
        """§4.5.2 the type of an external value (current limits for tables and memories)."""
        if ext.kind == "func":
            return self.funcs[ext.addr].type
        if ext.kind == "table":
            t = self.tables[ext.addr]
            return TableType(Limits(t.size, t.type.limits.max), t.type.elem_type)
        if ext.kind == "memory":
            m = self.mems[ext.addr]
            return MemType(Limits(m.pages, m.type.limits.max))
        if ext.kind == "global":
            return self.globals[ext.addr].type
        raise ValueError(f"unknown extern kind {ext.kind!r}")


# ---------------------------------------------------------------------------
# Data derived from a module once (the tiers' forms of its function bodies)
# ---------------------------------------------------------------------------

_DERIVED: dict[int, tuple] = {}


def derived_per_module(module: Module, key: Any, build: Callable[[Module], Any]) -> Any:
    """``build(module)``, computed once per module object and ``key`` and
    kept while the module object lives (instantiating a module many times
    reuses it)."""
    ident = id(module)
    entry = _DERIVED.get(ident)
    if entry is None or entry[0]() is not module:
        entry = (weakref.ref(module, lambda _ref, ident=ident, cache=_DERIVED: cache.pop(ident, None)), {})
        _DERIVED[ident] = entry
    variants = entry[1]
    if key not in variants:
        variants[key] = build(module)
    return variants[key]
