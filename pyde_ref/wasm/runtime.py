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

import mmap
import sys
import weakref
from collections import defaultdict
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import attrs

from . import fuel as fuel_mod
from .errors import Trap, TrapKind, Uninstantiable, WasmError
from .syntax import BIT_WIDTH, WASM_MAX_MEMORY_PAGES, FuncType, GlobalType, Limits, MemType, Module, TableType, ValType

# ---------------------------------------------------------------------------
# Machine parameters
# ---------------------------------------------------------------------------

PAGE_SIZE = 65536
"""§4.2.8 the size of a memory page in bytes."""

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
"""The largest table the machine allocates: wasmparser's
``MAX_WASM_TABLE_ENTRIES``, which wasmtime does not enforce.  The core spec
allows up to 2**32 - 1 elements; wasmtime (45 and 50) compiles any, reserves
a table's memory at instantiation and commits it lazily (a billion elements
instantiate), and fails only when the reservation itself fails (2**32 - 1
elements: "out of memory (failed to allocate 34359738360 bytes)"), i.e. at a
host-dependent size.  A fixed, documented cap keeps the outcome
deterministic (``spec/findings/module-limits.md``); no pyde-v1 contract needs
more than a few thousand (one funcref table, no ``table.grow``)."""

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


EAGER_LOCALS_MAX = 256
"""A function declaring at most this many locals gets them on every call as
a list of their default values (§4.4.10); one declaring more (wasmparser
allows 50,000, ``limits.FUNCTION_LOCALS``) gets a mapping that gives a
local's default value until it is first written (:func:`lazy_locals`), so
that a call costs time in proportion to the locals it uses, not to those it
declares: the call costs a few fuel either way (``spec/findings/gas-and-work.md``)."""


def declared_locals(local_decls: Sequence[tuple[int, ValType]]) -> Optional[list]:
    """The default values of a function's declared locals (§4.2.1), which
    start a frame's locals after the arguments: a list, or ``None`` when the
    frame is to start them lazily (:func:`lazy_locals`): more than
    :data:`EAGER_LOCALS_MAX` locals, all numbers (default 0)."""
    count = sum(n for n, _ in local_decls)
    if count > EAGER_LOCALS_MAX and all(BIT_WIDTH.get(t) for _, t in local_decls):
        return None
    return [DEFAULT_VALUES[t] for n, t in local_decls for _ in range(n)]


def lazy_locals(args: list) -> defaultdict:
    """A frame's locals as a mapping: the arguments at 0, 1, ..., and every
    other (declared, numeric) local 0 until written.  Indexing it is
    indexing a list of the same values (validation keeps indices in range)."""
    return defaultdict(int, enumerate(args))


def value_fits(valtype: ValType, value: Any) -> bool:
    """Whether ``value`` is a value of ``valtype`` (a bit pattern of its width,
    or ``None``/an address for a reference)."""
    width = BIT_WIDTH.get(valtype)
    if width is None:
        return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < (1 << width)


def reserve_zeroed(nbytes: int):
    """``nbytes`` of zeros whose pages the operating system commits only when
    first written: an anonymous private mapping (POSIX: ``MAP_NORESERVE``
    too, so that the reservation is not counted against the memory the
    system may overcommit), or ``None`` when the system refuses one that
    large (address-space limits, ``RLIMIT_AS``, strict overcommit)."""
    if nbytes == 0:
        return bytearray()
    try:
        if hasattr(mmap, "MAP_PRIVATE"):
            return mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | _MAP_NORESERVE)
        return mmap.mmap(-1, nbytes)
    except (OSError, ValueError, OverflowError):
        return None


_MAP_NORESERVE = getattr(mmap, "MAP_NORESERVE", 0x4000 if sys.platform.startswith("linux") else 0)
"""``MAP_NORESERVE`` (Python exposes it from 3.13 on; 0x4000 on Linux)."""


class MemoryInstance:
    """§4.2.8 memory instance, committed lazily.

    The bytes live in a *reservation* (:func:`reserve_zeroed`) as large as
    the memory may ever grow (its maximum, capped by the machine); ``data``
    is a ``memoryview`` of the reservation cut to the current size, so that
    reading an untouched page reads zeros and costs nothing, and a frame
    costs memory in proportion to the pages it writes, not to its declared
    size (``spec/findings/executor-frame-memory.md``).  ``memory.grow`` makes
    ``data`` a longer view of the same reservation (its new pages were never
    written, so they are zeros).  Where the system refuses a reservation that
    large, the memory reserves only what it needs and a grow past it moves
    the contents to a reservation twice as large (or just large enough).

    ``data`` behaves like a ``bytearray`` of fixed length: ``len``, slicing,
    slice assignment of the same length (overlapping ranges as ``memmove``),
    and the ``struct`` codecs, which raise ``struct.error`` past the end.
    It is a new object after every ``grow``: a holder must take it again."""

    __slots__ = ("type", "data", "max_pages", "_reservation", "_view")

    def __init__(self, type: MemType, cap_pages: int):
        self.type = type
        limit = type.limits.max if type.limits.max is not None else WASM_MAX_MEMORY_PAGES
        self.max_pages = min(limit, cap_pages, WASM_MAX_MEMORY_PAGES)
        size = type.limits.min * PAGE_SIZE
        reservation = reserve_zeroed(max(self.max_pages * PAGE_SIZE, size))
        if reservation is None:
            reservation = self._reserve_at_least(size, size)
        self._reservation = reservation
        self._view = memoryview(reservation)
        self.data = self._view[:size]

    @staticmethod
    def _reserve_at_least(needed: int, wanted: int):
        """A reservation of ``wanted`` bytes, else of ``needed``; ``MemoryError`` if neither."""
        reservation = reserve_zeroed(wanted)
        if reservation is None and wanted != needed:
            reservation = reserve_zeroed(needed)
        if reservation is None:
            raise MemoryError(f"cannot reserve {needed} bytes of linear memory")
        return reservation

    @property
    def pages(self) -> int:
        return len(self.data) // PAGE_SIZE

    def grow(self, delta: int) -> int:
        """§4.5.3.9 grow by ``delta`` pages: the old size in pages, or -1 if the
        result would exceed the declared maximum or the machine's cap."""
        old = self.pages
        if delta < 0 or old + delta > self.max_pages:
            return -1
        size = (old + delta) * PAGE_SIZE
        if size > len(self._view):
            self._move_to(self._reserve_at_least(size, min(max(size, 2 * len(self._view)),
                                                           self.max_pages * PAGE_SIZE)))
        self.data = self._view[:size]
        return old

    def _move_to(self, reservation) -> None:
        """Copy the current contents into a larger ``reservation`` (the fallback path of :meth:`grow`)."""
        view = memoryview(reservation)
        view[:len(self.data)] = self.data
        self._reservation = reservation
        self._view = view

    def release(self) -> None:
        """Give the reservation back now (the memory is then empty and must
        not be used again), rather than when the garbage collector finds the
        instances that refer to it: a frame's memory is freed when the frame
        ends (:meth:`Store.release`)."""
        self.data = self._view = memoryview(b"")
        self._reservation = None
        self.max_pages = 0

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


SPARSE_TABLE_MIN = 4096
"""Tables larger than this keep only their non-null elements
(:class:`SparseElements`), so that a frame of a contract declaring a huge
table costs memory and time for the elements it sets, as in wasmtime, which
commits table pages lazily; smaller ones are plain lists."""


class SparseElements:
    """The elements of a large table: ``length`` slots, the non-null ones in
    a dict.  Behaves like the ``list`` a small table uses for what the
    machine does with elements: ``len``, indexing, slicing, slice assignment
    of the same length, iteration and equality."""

    __slots__ = ("length", "entries")

    def __init__(self, length: int, entries: Optional[dict] = None):
        self.length = length
        self.entries = entries if entries is not None else {}

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.entries.get(i) for i in range(*index.indices(self.length))]
        if not 0 <= index < self.length:
            raise IndexError(index)
        return self.entries.get(index)

    def __setitem__(self, index, values) -> None:
        if not isinstance(index, slice):
            index = slice(index, index + 1)
            values = [values]
        positions = range(*index.indices(self.length))
        values = list(values)
        if len(values) != len(positions):
            raise ValueError("a table cannot change size by slice assignment")
        for i, value in zip(positions, values):
            if value is None:
                self.entries.pop(i, None)
            else:
                self.entries[i] = value

    def __iter__(self):
        return (self.entries.get(i) for i in range(self.length))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


class TableInstance:
    """§4.2.7 table instance: ``elements`` holds references: ``None`` (null),
    a function address (>= 0), or, in a table a module instance allocated
    for itself (``owner``), ``~i`` (< 0) for "function ``i`` of the owner",
    whose address is allocated when first needed (:meth:`address`).  An
    element copied into a table of another owner is resolved first
    (:meth:`own_references`)."""

    __slots__ = ("type", "elements", "owner")

    def __init__(self, type: TableType, init: Optional[int] = None, owner: Optional["ModuleInstance"] = None,
                 elements=None):
        self.type = type
        self.owner = owner
        if elements is not None:
            self.elements = elements
        elif type.limits.min > SPARSE_TABLE_MIN:
            self.elements = SparseElements(type.limits.min, {} if init is None else dict.fromkeys(
                range(type.limits.min), init))
        else:
            self.elements = [init] * type.limits.min

    @property
    def size(self) -> int:
        return len(self.elements)

    def address(self, reference: int) -> int:
        """The function address an element that is not null stands for."""
        return reference if reference >= 0 else self.owner.function_address(~reference)

    def own_references(self, references: list, owner: Optional["ModuleInstance"]) -> list:
        """``references`` (from a table or element segment of ``owner``) as
        this table holds them: as they are if it has the same owner, else
        with every ``~i`` resolved to its address."""
        if owner is self.owner or owner is None:
            return references
        return [r if r is None or r >= 0 else owner.function_address(~r) for r in references]


class GlobalInstance:
    """§4.2.9 global instance."""

    __slots__ = ("type", "value")

    def __init__(self, type: GlobalType, value: Any):
        self.type = type
        self.value = value


class ElemInstance:
    """§4.2.10 element instance; ``elements`` becomes empty when dropped.
    Its references are as a table of ``owner`` holds them (:class:`TableInstance`)."""

    __slots__ = ("elem_type", "elements", "owner")

    def __init__(self, elem_type: ValType, elements: list, owner: Optional["ModuleInstance"] = None):
        self.elem_type = elem_type
        self.elements = elements
        self.owner = owner


class DataInstance:
    """§4.2.11 data instance; ``data`` becomes empty when dropped."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data


DROPPED_ELEM = ElemInstance("funcref", [])
DROPPED_DATA = DataInstance(b"")
"""The element and data instance of every segment dropped at instantiation
(active and declarative ones): empty for good (``elem.drop``/``data.drop``
only ever empty an instance), so all instances share these two."""


class Deferred:
    """How a module instance allocates what it defers (see
    :class:`ModuleInstance`): set by instantiation (:mod:`.exec`)."""

    def function(self, inst: "ModuleInstance", index: int) -> FuncInstance:
        raise NotImplementedError

    def global_(self, inst: "ModuleInstance", index: int) -> GlobalInstance:
        raise NotImplementedError

    def elem(self, inst: "ModuleInstance", index: int) -> ElemInstance:
        raise NotImplementedError

    def data(self, inst: "ModuleInstance", index: int) -> DataInstance:
        raise NotImplementedError


class ModuleInstance:
    """§4.2.5 module instance.  Besides the spec's address lists it keeps the
    instances themselves (``funcs``, ``tables``, ``mems``, ``globals``,
    ``elems``, ``datas``) so the interpreter resolves an index with one list
    lookup.

    Allocation (§4.5.3) of the instance's own functions, globals and passive
    segments is *deferred*: their entries are ``None`` until first used, and
    :meth:`function`, :meth:`global_instance`, :meth:`elem`, :meth:`data`
    (and the ``*_address`` methods) allocate them then, exactly as
    instantiation would have.  Nothing observable depends on when an
    allocation happens (an address is never seen by wasm code or a host), and
    a frame of a large module then costs time and memory for what it uses,
    not for the module's size.  ``exports`` is a mapping computed the same way."""

    def __init__(self, module: Module, types: tuple[FuncType, ...]):
        self.module = module
        self.types = types
        self.funcaddrs: list[Optional[int]] = []
        self.tableaddrs: list[int] = []
        self.memaddrs: list[int] = []
        self.globaladdrs: list[Optional[int]] = []
        self.elemaddrs: list[Optional[int]] = []
        self.dataaddrs: list[Optional[int]] = []
        self.exports: Mapping[str, ExternVal] = {}
        # Direct references, index-aligned with the address lists above.
        self.funcs: list[Optional[FuncInstance]] = []
        self.tables: list[TableInstance] = []
        self.mems: list[MemoryInstance] = []
        self.globals: list[Optional[GlobalInstance]] = []
        self.elems: list[Optional[ElemInstance]] = []
        self.datas: list[Optional[DataInstance]] = []
        self.deferred: Deferred = Deferred()

    @property
    def memory(self) -> Optional[MemoryInstance]:
        """Memory 0, or ``None``."""
        return self.mems[0] if self.mems else None

    def function(self, index: int) -> FuncInstance:
        """Function ``index`` of the instance's function index space."""
        func = self.funcs[index]
        return func if func is not None else self.deferred.function(self, index)

    def function_address(self, index: int) -> int:
        self.function(index)
        return self.funcaddrs[index]

    def global_instance(self, index: int) -> GlobalInstance:
        """Global ``index`` of the instance's global index space."""
        glob = self.globals[index]
        return glob if glob is not None else self.deferred.global_(self, index)

    def global_address(self, index: int) -> int:
        self.global_instance(index)
        return self.globaladdrs[index]

    def elem(self, index: int) -> ElemInstance:
        elem = self.elems[index]
        return elem if elem is not None else self.deferred.elem(self, index)

    def data(self, index: int) -> DataInstance:
        data = self.datas[index]
        return data if data is not None else self.deferred.data(self, index)

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

    def release(self) -> None:
        """The store is done with: free its memories' pages now and break the
        cycles between its instances (a function instance refers to its
        module instance, which refers to it), so that everything is freed as
        the last reference goes, not when the cyclic garbage collector next
        runs -- a transaction's sequential frames would otherwise hold many
        memories at once, and the collector's full passes cost time in
        proportion to everything alive.  The store must not be used afterwards."""
        for memory in self.mems:
            memory.release()
        for func in self.funcs:
            func.module = None
        for table in self.tables:
            table.owner = None
        for elem in self.elems:
            elem.owner = None
        for entries in (self.funcs, self.tables, self.mems, self.globals, self.elems, self.datas):
            entries.clear()

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

    def alloc_table(self, type: TableType, init: Optional[int] = None, owner: Optional[ModuleInstance] = None,
                    elements=None) -> int:
        """§4.5.3.3 allocate a table filled with ``init`` (null by default),
        or holding ``elements`` (a module's table image, :mod:`.exec`);
        raises :class:`Uninstantiable` above :data:`MAX_TABLE_ELEMENTS`."""
        self._check_table_fits(type)
        self.tables.append(TableInstance(type, init, owner, elements))
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

    def alloc_elem(self, elem_type: ValType, elements: list, owner: Optional[ModuleInstance] = None) -> int:
        self.elems.append(ElemInstance(elem_type, elements, owner))
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
