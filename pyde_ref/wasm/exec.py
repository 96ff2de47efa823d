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

from typing import Optional, Sequence

from . import eval as reading
from . import fast
from .errors import LinkError, Trap, TrapKind, Uninstantiable
from .fuel import FuelMeter, wasmtime_check_fails
from .predecode import module_code
from .runtime import FAST, READING, ExternVal, FuncInstance, InvocationError, ModuleInstance, Store
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
    :meth:`.fuel.FuelModel.failed_segment_cost`)."""
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

    inst = ModuleInstance(module, module.types)
    for imp, ext in zip(module.imports, imports):
        _add_import(store, inst, imp.kind, ext.addr)
    for code in codes:
        func = FuncInstance(code.type, inst, code)
        inst.funcaddrs.append(store.alloc_func(func))
        inst.funcs.append(func)
    for tabletype in module.tables:
        _add_import(store, inst, "table", store.alloc_table(tabletype))
    for memtype in module.mems:
        _add_import(store, inst, "memory", store.alloc_memory(memtype))
    for glob in module.globals:
        _add_import(store, inst, "global", store.alloc_global(glob.type, eval_const(store, inst, glob.init)))
    for elem in module.elems:
        addr = store.alloc_elem(elem.elem_type, [eval_const(store, inst, e) for e in elem.init])
        inst.elemaddrs.append(addr)
        inst.elems.append(store.elems[addr])
    for data in module.datas:
        addr = store.alloc_data(bytes(data.init))
        inst.dataaddrs.append(addr)
        inst.datas.append(store.datas[addr])
    addr_lists = {"func": inst.funcaddrs, "table": inst.tableaddrs, "memory": inst.memaddrs,
                  "global": inst.globaladdrs}
    for export in module.exports:
        inst.exports[export.name] = ExternVal(export.kind, addr_lists[export.kind][export.index])

    _initialise_segments(store, inst, module, fuel)
    _charge_instantiation(store, module, fuel)
    if module.start is not None:
        try:
            invoke(store, inst.funcaddrs[module.start], [], fuel)
        except Trap as trap:
            raise Uninstantiable(f"start function trapped: {trap}", trap) from None
    return inst


def _charge_instantiation(store: Store, module: Module, fuel: Optional[FuelMeter]) -> None:
    """What the fuel model charges for instantiating, besides the start
    function (:meth:`.fuel.FuelModel.instantiation_cost`: nothing in the
    ``spec`` and ``wasmtime-45`` models).  A wasmtime model charges it
    unchecked; without a start function the charge is checked at once, with
    one the start function's entry check sees it."""
    has_passive = any(elem.mode == "passive" for elem in module.elems)
    cost = store.config.fuel.instantiation_cost(has_passive, module.start is not None)
    if fuel is None or not cost:
        return
    fuel.used += cost
    if module.start is None and wasmtime_check_fails(fuel.used, fuel.budget):
        _instantiation_out_of_fuel()


def _instantiation_out_of_fuel() -> None:
    trap = Trap(TrapKind.OUT_OF_FUEL, "instantiation")
    raise Uninstantiable(f"instantiation ran out of fuel: {trap}", trap)


def _initialise_segments(store: Store, inst: ModuleInstance, module: Module, fuel: Optional[FuelMeter]) -> None:
    """§4.5.4 steps 14-15: active element segments, then active data segments,
    each as ``table.init``/``memory.init`` followed by a drop.  A segment that
    does not fit traps (:func:`_segment_does_not_fit`)."""
    for i, elem in enumerate(module.elems):
        if elem.mode == "active":
            offset = eval_const(store, inst, elem.offset)
            try:
                reading.table_init_elements(inst.tables[elem.table_index], inst.elems[i], offset, 0,
                                            len(inst.elems[i].elements))
            except Trap as trap:
                _segment_does_not_fit(store, fuel, (), f"element segment {i} does not fit its table", trap)
        if elem.mode in ("active", "declarative"):
            inst.elems[i].elements = []
    copied: list[int] = []  # lengths of the active data segments copied so far
    for i, data in enumerate(module.datas):
        if data.mode == "active":
            offset = eval_const(store, inst, data.offset)
            memory = inst.mems[data.memory_index]
            segment = inst.datas[i].data
            if offset + len(segment) > len(memory.data):
                trap = Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"data segment {i} of {len(segment)} bytes at {offset}")
                _segment_does_not_fit(store, fuel, copied, f"data segment {i} does not fit memory", trap)
            memory.data[offset:offset + len(segment)] = segment
            inst.datas[i].data = b""
            copied.append(len(segment))


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


def eval_const(store: Store, inst: ModuleInstance, expr) -> object:
    """§4.4.11 evaluate a (validated) constant expression in ``inst``, by the
    reading tier's rules (:func:`.eval.evaluate_constant`) whatever the tier."""
    return reading.evaluate_constant(store, inst, expr)
