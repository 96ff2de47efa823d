"""Invocation (core spec §4.5.5) and instantiation (§4.5.4), for both tiers.

Instructions (§4.4) are executed by the tier the store's
``MachineConfig.tier`` names: the reading tier (:mod:`.eval`, §4.4 as the spec
states it) or the fast tier (:mod:`.fast` over :mod:`.predecode`'s code), which
is proven equal to it.  What happens around the instructions is here, once:
checking the arguments, calling a host function directly, matching imports,
allocating instances, applying segments, running the start function.

:func:`invoke` is re-entrant: a host function may call it again (on this or
another store), and nested invocations share the activation limits
(:data:`.eval.ACTIVATIONS`).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any, Optional, Sequence

import attrs

from . import eval as reading
from . import fast, instructions
from .errors import LinkError, Trap, TrapKind, Uninstantiable
from .fuel import FuelMeter, wasmtime_check_fails
from .predecode import module_code
from .runtime import (
    DROPPED_DATA, DROPPED_ELEM, FAST, PAGE_SIZE, READING, SPARSE_TABLE_MIN, DataInstance, Deferred, ElemInstance,
    ExternVal, FuncInstance, GlobalInstance, InvocationError, ModuleInstance, SparseElements, Store,
    derived_per_module,
)
from .syntax import FuncType, GlobalType, Limits, MemType, Module, TableType

EXECUTE_BY_TIER = {READING: reading.execute, FAST: fast.execute}
"""Tier name -> the function that runs a wasm function to completion."""


# ---------------------------------------------------------------------------
# Invocation (§4.5.5)
# ---------------------------------------------------------------------------


def invoke(store: Store, funcaddr: int, args: Sequence[int], fuel: Optional[FuelMeter] = None) -> list:
    """§4.5.5 invoke the function at ``funcaddr`` with ``args`` (bit patterns).

    Returns the results; raises :class:`Trap` (the meter then holds the fuel the
    model says was consumed), :class:`InvocationError` for wrong arguments, or
    whatever a host function raised."""
    if not isinstance(funcaddr, int) or not 0 <= funcaddr < len(store.funcs):
        raise InvocationError(f"no function at address {funcaddr!r}")
    func = store.funcs[funcaddr]
    reading.check_values("argument", func.type.params, args)
    meter = fuel if fuel is not None else FuelMeter(None)
    if func.host is not None:
        outer_depth = reading.ACTIVATIONS.depth
        if outer_depth + 1 > store.config.max_activations:
            raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "call depth limit reached")
        reading.ACTIVATIONS.depth = outer_depth + 1
        try:
            return reading.call_host(store, func, None, tuple(args), meter, store.config.observer)
        finally:
            reading.ACTIVATIONS.depth = outer_depth
    return EXECUTE_BY_TIER[store.config.tier](store, func, list(args), meter)


# ---------------------------------------------------------------------------
# Instantiation (§4.5.4)
# ---------------------------------------------------------------------------


def instantiate(store: Store, module: Module, imports: Sequence[ExternVal],
                fuel: Optional[FuelMeter] = None) -> ModuleInstance:
    """§4.5.4 instantiate a *validated* module.

    Steps, in the spec's order: match the imports (:class:`LinkError`); check
    memories and tables against the machine's caps (:class:`Uninstantiable`,
    before anything is allocated); allocate functions, tables, memories, globals
    (their initialisers evaluated in order), element and data segments;
    apply the active element segments then the active data segments, in
    order, each as ``table.init``/``memory.init`` followed by a drop (a
    segment that does not fit traps: :class:`Uninstantiable`, and the earlier
    segments stay applied, as the current spec says); drop the declarative
    element segments; run the start function under ``fuel`` (a trap there:
    :class:`Uninstantiable`).  Segment initialisation costs no fuel in the
    ``spec`` and ``wasmtime-45`` models; ``wasmtime-50`` charges what its
    initialization code does (:meth:`.fuel.FuelModel.instantiation_cost`,
    :meth:`.fuel.FuelModel.failed_segment_cost`).

    What a module allocates for itself is read from its
    :class:`InstancePlan` (computed once per module), and the allocation of
    its functions, globals and passive segments is deferred to their first
    use (:class:`~.runtime.ModuleInstance`); where every active segment has
    a constant offset inside its table or memory, the segments are applied
    as the plan's precomputed table images and memory runs, which is the
    same as applying them one by one, none of them failing.  So
    instantiating costs time and memory in proportion to what the instance
    uses, not to the module's size (``spec/findings/gas-and-work.md``)."""
    imports = list(imports)
    _match_imports(store, module, imports)
    for memtype in module.mems:
        store._check_memory_fits(memtype)
    for tabletype in module.tables:
        store._check_table_fits(tabletype)
    config = store.config
    if config.tier == READING:
        codes = reading.bodies(module)
    else:
        codes = module_code(module, config.fuel_model, config.nan_canonicalization)
    plan = instance_plan(module)

    inst = ModuleInstance(module, module.types)
    for imp, ext in zip(module.imports, imports):
        _add_import(store, inst, imp.kind, ext.addr)
    inst.deferred = DeferredAllocation(store, plan, codes)
    _defer(inst.funcs, inst.funcaddrs, len(codes))
    for i, tabletype in enumerate(module.tables):
        image = plan.table_images[i] if plan.table_images is not None else None
        _add_import(store, inst, "table", store.alloc_table(tabletype, owner=inst, elements=_copy_image(image)))
    for memtype in module.mems:
        _add_import(store, inst, "memory", store.alloc_memory(memtype))
    _defer(inst.globals, inst.globaladdrs, len(plan.globals))
    inst.elems.extend(plan.elem_instances)
    inst.elemaddrs.extend([None] * len(plan.elems))
    inst.datas.extend(plan.data_instances)
    inst.dataaddrs.extend([None] * len(plan.datas))
    inst.exports = InstanceExports(inst, plan.exports)

    if plan.table_images is None:
        _initialise_segments(store, inst, plan, fuel)
    else:
        _write_memory_runs(inst, plan.memory_runs)
    _charge_instantiation(store, module, fuel)
    if module.start is not None:
        try:
            invoke(store, inst.function_address(module.start), [], fuel)
        except Trap as trap:
            raise Uninstantiable(f"start function trapped: {trap}", trap) from None
    return inst


def _defer(instances: list, addresses: list, count: int) -> None:
    """Append ``count`` entries whose allocation is deferred to their first use."""
    instances.extend([None] * count)
    addresses.extend([None] * count)


def _copy_image(image):
    """A table's own copy of a table image (``None``: no image, an empty table)."""
    if image is None:
        return None
    if isinstance(image, SparseElements):
        return SparseElements(image.length, dict(image.entries))
    return list(image)


def _charge_instantiation(store: Store, module: Module, fuel: Optional[FuelMeter]) -> None:
    """What the fuel model charges for instantiating, besides the start
    function (:meth:`.fuel.FuelModel.instantiation_cost`: nothing in the
    ``spec`` and ``wasmtime-45`` models).  A wasmtime model charges it
    unchecked; without a start function the charge is checked at once, with
    one the start function's entry check sees it."""
    has_passive = instance_plan(module).has_passive_elem
    cost = store.config.fuel.instantiation_cost(has_passive, module.start is not None)
    if fuel is None or not cost:
        return
    fuel.used += cost
    if module.start is None and wasmtime_check_fails(fuel.used, fuel.budget):
        _instantiation_out_of_fuel()


def _instantiation_out_of_fuel() -> None:
    trap = Trap(TrapKind.OUT_OF_FUEL, "instantiation")
    raise Uninstantiable(f"instantiation ran out of fuel: {trap}", trap)


def _initialise_segments(store: Store, inst: ModuleInstance, plan: "InstancePlan",
                         fuel: Optional[FuelMeter]) -> None:
    """§4.5.4 steps 14-15, one segment at a time: active element segments,
    then active data segments, each as ``table.init``/``memory.init``
    followed by a drop.  A segment that does not fit traps
    (:func:`_segment_does_not_fit`).  (A module whose segments all fit at
    constant offsets has them applied from its plan instead:
    :func:`instantiate`.)"""
    for i, elem in enumerate(plan.elems):
        if elem.mode != "active":
            continue
        offset = initial_value(elem.offset, store, inst)
        segment = ElemInstance(elem.elem_type, [initial_reference(item, store, inst) for item in elem.items], inst)
        try:
            reading.table_init_elements(inst.tables[elem.table_index], segment, offset, 0, len(segment.elements))
        except Trap as trap:
            _segment_does_not_fit(store, fuel, (), f"element segment {i} does not fit its table", trap)
    copied: list[int] = []  # lengths of the active data segments copied so far
    for i, data in enumerate(plan.datas):
        if data.mode != "active":
            continue
        offset = initial_value(data.offset, store, inst)
        memory = inst.mems[data.memory_index]
        if offset + len(data.data) > len(memory.data):
            trap = Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"data segment {i} of {len(data.data)} bytes at {offset}")
            _segment_does_not_fit(store, fuel, copied, f"data segment {i} does not fit memory", trap)
        memory.data[offset:offset + len(data.data)] = data.data
        copied.append(len(data.data))


def _segment_does_not_fit(store: Store, fuel: Optional[FuelMeter], copied: Sequence[int], what: str,
                          trap: Trap) -> None:
    """An active segment does not fit: instantiation fails with its trap.  A
    model that initializes such an instance by running code
    (:meth:`.fuel.FuelModel.failed_segment_cost`: ``wasmtime-50``) charges that
    code up to the failing segment, checked like a function entry: with too
    little fuel the trap is ``out_of_fuel``; else the segment's trap, and the
    meter keeps what it held (nothing is written back after that trap)."""
    cost = store.config.fuel.failed_segment_cost(copied)
    if cost is not None and fuel is not None and wasmtime_check_fails(fuel.used + cost, fuel.budget):
        fuel.used += cost
        _instantiation_out_of_fuel()
    raise Uninstantiable(f"{what}: {trap}", trap) from None


def _write_memory_runs(inst: ModuleInstance, runs: tuple) -> None:
    """The plan's memory runs: what the active data segments write, merged."""
    if runs:
        data = inst.mems[0].data
        for offset, chunk in runs:
            data[offset:offset + len(chunk)] = chunk


# ---------------------------------------------------------------------------
# The instance plan: what instantiation needs of a module, read once
# ---------------------------------------------------------------------------

VALUE, FUNC, GLOBAL, EXPR = "value", "func", "global", "expr"


@attrs.frozen
class Initializer:
    """A constant expression (§3.3.10) read once per module: ``VALUE`` (a
    ``t.const`` or ``ref.null``: the value needs no instance), ``FUNC``
    (``ref.func i``: the address of function ``i``), ``GLOBAL``
    (``global.get i``: the value of global ``i``), or ``EXPR`` (any other
    expression, evaluated by :func:`.eval.evaluate_constant`)."""

    kind: str
    arg: Any


def read_initializer(expr) -> Initializer:
    """The :class:`Initializer` of a (validated) constant expression."""
    if len(expr) == 2 and expr[1].op == "end":
        instr = expr[0]
        if instr.op in instructions.CONSTANTS:
            return Initializer(VALUE, instr.value)
        if instr.op == "ref.null":
            return Initializer(VALUE, None)
        if instr.op == "ref.func":
            return Initializer(FUNC, instr.func_index)
        if instr.op == "global.get":
            return Initializer(GLOBAL, instr.global_index)
    return Initializer(EXPR, expr)


def initial_value(init: Initializer, store: Store, inst: ModuleInstance) -> Any:
    """§4.4.11 the value of a constant expression in ``inst``."""
    if init.kind == VALUE:
        return init.arg
    if init.kind == FUNC:
        return inst.function_address(init.arg)
    if init.kind == GLOBAL:
        return inst.global_instance(init.arg).value
    return reading.evaluate_constant(store, inst, init.arg)


def initial_reference(init: Initializer, store: Store, inst: ModuleInstance) -> Optional[int]:
    """The reference a constant expression gives, as a table of ``inst``
    holds it: ``ref.func i`` stays "function ``i`` of ``inst``" (``~i``,
    see :class:`~.runtime.TableInstance`) until its address is needed."""
    if init.kind == FUNC:
        return ~init.arg
    return initial_value(init, store, inst)


@attrs.frozen
class ElemPlan:
    mode: str
    elem_type: str
    table_index: int
    offset: Optional[Initializer]
    items: tuple[Initializer, ...]


@attrs.frozen
class DataPlan:
    mode: str
    memory_index: int
    offset: Optional[Initializer]
    data: bytes


@attrs.frozen
class InstancePlan:
    """What instantiating a module allocates for itself, read once per
    module (:func:`instance_plan`).  ``table_images`` (one per table the
    module defines) and ``memory_runs`` (``(offset, bytes)``, disjoint, in
    order) are what its active segments write, precomputed, when every one
    of them targets a table or memory of the module's own at a constant
    offset where it fits; else ``None`` and the segments are applied one by
    one at instantiation, where one may fail (§4.5.4)."""

    imported_funcs: int
    imported_globals: int
    globals: tuple[tuple[GlobalType, Initializer], ...]
    elems: tuple[ElemPlan, ...]
    datas: tuple[DataPlan, ...]
    exports: dict
    table_images: Optional[tuple]
    memory_runs: Optional[tuple]

    elem_instances: tuple
    """An instance's element instances right after instantiation: the
    active and declarative segments dropped (:data:`~.runtime.DROPPED_ELEM`),
    the passive ones deferred (``None``)."""
    data_instances: tuple
    """The same for data segments (:data:`~.runtime.DROPPED_DATA`)."""
    has_passive_elem: bool


def instance_plan(module: Module) -> InstancePlan:
    """The :class:`InstancePlan` of ``module``, computed once per module object."""
    return derived_per_module(module, "instance-plan", _build_plan)


def _build_plan(module: Module) -> InstancePlan:
    imported = {kind: len(module.imports_of(kind)) for kind in ("func", "table", "memory", "global")}
    elems = tuple(ElemPlan(e.mode, e.elem_type, e.table_index,
                           read_initializer(e.offset) if e.offset is not None else None,
                           tuple(read_initializer(item) for item in e.init)) for e in module.elems)
    datas = tuple(DataPlan(d.mode, d.memory_index, read_initializer(d.offset) if d.offset is not None else None,
                           bytes(d.init)) for d in module.datas)
    images = _table_images(module, imported["table"], elems)
    runs = _memory_runs(module, imported["memory"], datas)
    if images is None or runs is None:  # one segment may fail: all are applied one by one
        images = runs = None
    return InstancePlan(
        imported_funcs=imported["func"],
        imported_globals=imported["global"],
        globals=tuple((g.type, read_initializer(g.init)) for g in module.globals),
        elems=elems,
        datas=datas,
        exports={e.name: (e.kind, e.index) for e in module.exports},
        table_images=images,
        memory_runs=runs,
        elem_instances=tuple(None if e.mode == "passive" else DROPPED_ELEM for e in elems),
        data_instances=tuple(None if d.mode == "passive" else DROPPED_DATA for d in datas),
        has_passive_elem=any(e.mode == "passive" for e in elems),
    )


def _table_images(module: Module, imported_tables: int, elems: tuple[ElemPlan, ...]) -> Optional[tuple]:
    """The module's own tables after its active element segments, if each
    of those writes a table of the module's own at a constant offset where
    it fits, with constants and ``ref.func``s; else ``None``."""
    images = [SparseElements(t.limits.min) if t.limits.min > SPARSE_TABLE_MIN else [None] * t.limits.min
              for t in module.tables]
    for elem in elems:
        if elem.mode != "active":
            continue
        own = elem.table_index - imported_tables
        if own < 0 or elem.offset.kind != VALUE or any(i.kind not in (VALUE, FUNC) for i in elem.items):
            return None
        offset, count = elem.offset.arg, len(elem.items)
        if offset + count > len(images[own]):
            return None
        images[own][offset:offset + count] = [~i.arg if i.kind == FUNC else i.arg for i in elem.items]
    return tuple(images)


def _memory_runs(module: Module, imported_mems: int, datas: tuple[DataPlan, ...]) -> Optional[tuple]:
    """What the module's active data segments write into its own memory,
    as disjoint ``(offset, bytes)`` runs, if each writes at a constant
    offset where it fits the initial memory; else ``None``."""
    writes = []
    for data in datas:
        if data.mode != "active":
            continue
        if data.memory_index < imported_mems or data.offset.kind != VALUE:
            return None
        size = module.mems[data.memory_index - imported_mems].limits.min * PAGE_SIZE
        if data.offset.arg + len(data.data) > size:
            return None
        if data.data:
            writes.append((data.offset.arg, data.data))
    if not writes:
        return ()
    low = min(offset for offset, _ in writes)
    high = max(offset + len(chunk) for offset, chunk in writes)
    painted = bytearray(high - low)
    for offset, chunk in writes:  # in order: a later segment overwrites an earlier one
        painted[offset - low:offset - low + len(chunk)] = chunk
    runs = []
    for offset, end in _union(sorted((offset, offset + len(chunk)) for offset, chunk in writes)):
        runs.append((offset, bytes(painted[offset - low:end - low])))
    return tuple(runs)


def _union(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted half-open intervals merged where they overlap or touch."""
    merged: list[list[int]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


class DeferredAllocation(Deferred):
    """§4.5.3 allocation of a module instance's own functions, globals and
    passive segments, on first use, from its :class:`InstancePlan`."""

    def __init__(self, store: Store, plan: InstancePlan, codes):
        self.store = store
        self.plan = plan
        self.codes = codes

    def function(self, inst: ModuleInstance, index: int) -> FuncInstance:
        """§4.5.3.1 allocate function ``index`` (a defined one)."""
        code = self.codes[index - self.plan.imported_funcs]
        func = FuncInstance(code.type, inst, code)
        inst.funcaddrs[index] = self.store.alloc_func(func)
        inst.funcs[index] = func
        return func

    def global_(self, inst: ModuleInstance, index: int) -> GlobalInstance:
        """§4.5.3.5 allocate global ``index`` (a defined one) with its initial value."""
        gtype, init = self.plan.globals[index - self.plan.imported_globals]
        addr = self.store.alloc_global(gtype, initial_value(init, self.store, inst))
        inst.globaladdrs[index] = addr
        inst.globals[index] = self.store.globals[addr]
        return inst.globals[index]

    def elem(self, inst: ModuleInstance, index: int) -> ElemInstance:
        """§4.5.3.6 allocate passive element segment ``index``."""
        plan = self.plan.elems[index]
        references = [initial_reference(item, self.store, inst) for item in plan.items]
        addr = self.store.alloc_elem(plan.elem_type, references, inst)
        inst.elemaddrs[index] = addr
        inst.elems[index] = self.store.elems[addr]
        return inst.elems[index]

    def data(self, inst: ModuleInstance, index: int) -> DataInstance:
        """§4.5.3.7 allocate passive data segment ``index``."""
        addr = self.store.alloc_data(self.plan.datas[index].data)
        inst.dataaddrs[index] = addr
        inst.datas[index] = self.store.datas[addr]
        return inst.datas[index]


class InstanceExports(Mapping):
    """§4.5.3.1 the export instances of a module instance, as a mapping
    name -> :class:`~.runtime.ExternVal` (an exported function or global is
    allocated when its export is first looked up)."""

    def __init__(self, inst: ModuleInstance, exports: dict):
        self._inst = weakref.ref(inst)  # no cycle: the instance is freed with its last reference
        self._exports = exports

    def __getitem__(self, name: str) -> ExternVal:
        kind, index = self._exports[name]
        inst = self._inst()
        if kind == "func":
            return ExternVal(kind, inst.function_address(index))
        if kind == "global":
            return ExternVal(kind, inst.global_address(index))
        return ExternVal(kind, (inst.tableaddrs if kind == "table" else inst.memaddrs)[index])

    def __iter__(self):
        return iter(self._exports)

    def __len__(self) -> int:
        return len(self._exports)


def _add_import(store: Store, inst: ModuleInstance, kind: str, addr: int) -> None:
    if kind == "func":
        inst.funcaddrs.append(addr)
        inst.funcs.append(store.funcs[addr])
    elif kind == "table":
        inst.tableaddrs.append(addr)
        inst.tables.append(store.tables[addr])
    elif kind == "memory":
        inst.memaddrs.append(addr)
        inst.mems.append(store.mems[addr])
    else:
        inst.globaladdrs.append(addr)
        inst.globals.append(store.globals[addr])


_STORE_LISTS = {"func": "funcs", "table": "tables", "memory": "mems", "global": "globals"}


def _match_imports(store: Store, module: Module, imports: list) -> None:
    """§4.5.4 steps 3-4 with §4.5.2 external typing and import subtyping."""
    if len(imports) != len(module.imports):
        raise LinkError(f"module has {len(module.imports)} imports, {len(imports)} external values given")
    for imp, ext in zip(module.imports, imports):
        where = f"import {imp.module!r} {imp.name!r}"
        if not isinstance(ext, ExternVal) or ext.kind != imp.kind:
            raise LinkError(f"{where}: expected a {imp.kind}, got {ext!r}")
        if not isinstance(ext.addr, int) or not 0 <= ext.addr < len(getattr(store, _STORE_LISTS[ext.kind])):
            raise LinkError(f"{where}: no {ext.kind} at address {ext.addr!r}")
        actual = store.extern_type(ext)
        expected = module.types[imp.desc] if imp.kind == "func" else imp.desc
        if not extern_type_matches(actual, expected):
            raise LinkError(f"{where}: incompatible import type, expected {expected}, got {actual}")


def limits_match(actual: Limits, expected: Limits) -> bool:
    """§4.5.2 import matching of limits: at least the expected minimum, and
    a maximum no greater than the expected one when that one is given."""
    if actual.min < expected.min:
        return False
    if expected.max is None:
        return True
    return actual.max is not None and actual.max <= expected.max


def extern_type_matches(actual, expected) -> bool:
    """Import subtyping: function and global types exactly, limits by :func:`limits_match`."""
    if isinstance(expected, FuncType):
        return isinstance(actual, FuncType) and actual == expected
    if isinstance(expected, TableType):
        return (isinstance(actual, TableType) and actual.elem_type == expected.elem_type
                and limits_match(actual.limits, expected.limits))
    if isinstance(expected, MemType):
        return isinstance(actual, MemType) and limits_match(actual.limits, expected.limits)
    if isinstance(expected, GlobalType):
        return isinstance(actual, GlobalType) and actual == expected
    return False
