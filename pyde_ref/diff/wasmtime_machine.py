"""The executor on wasmtime: transactions and waves run by the twin (issue 5, part 1).

The executor (:mod:`pyde_ref.executor`) reaches the WebAssembly machine only
through a small namespace (``executor.machine``: ``Store``, ``instantiate``,
``invoke``, ``FuelMeter``, ``ExternVal``, ``HostFunc``); here ``FuelMeter``
is :class:`WasmtimeFuelMeter`.  :class:`WasmtimeMachine`
is that namespace implemented on wasmtime, so the same executor, the same host
functions and the same state code run a transaction or a wave on the
production engine; :func:`wasmtime_executor` builds such an executor.

What changes is only the machine: compilation and execution by the installed
wasmtime with seed §3.2's engine, the 64 MB memory cap, fuel from the wasmtime store
(checked and written back where wasmtime does, see
spec/findings/wasmtime-fuel-checks.md), host functions seeing the caller's
exported memory and the store's fuel through the adapters of
:mod:`.wasmtime_backend`.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import wasmtime

from pyde_ref.diff import wasmtime_backend as wb
from pyde_ref.executor.executor import WasmExecutor
from pyde_ref.wasm.errors import LinkError, Trap, Uninstantiable

# The machine's own plain records (no machine logic): the executor builds them
# the same way whichever machine runs the frame.
from pyde_ref.wasm.runtime import ExternVal, HostFunc, MachineConfig


class WasmtimeFuelMeter:
    """A budget that becomes a wasmtime store's fuel when the frame's store is
    instantiated; ``consumed``/``remaining`` then read the store (the value
    last written back, clamped, exactly what wasmtime reports)."""

    def __init__(self, budget: Optional[int] = None):
        self.budget = budget
        self._store: Optional[wasmtime.Store] = None
        self._unlimited = 1 << 62

    def bind(self, store: wasmtime.Store) -> None:
        self._store = store
        store.set_fuel(self._unlimited if self.budget is None else self.budget)

    def _start(self) -> int:
        return self._unlimited if self.budget is None else self.budget

    @property
    def remaining(self) -> Optional[int]:
        if self.budget is None:
            return None
        return self.budget if self._store is None else self._store.get_fuel()

    @property
    def consumed(self) -> int:
        if self._store is None:
            return 0
        return self._start() - self._store.get_fuel()

    def charge(self, amount: int) -> None:
        if self._store is None:
            raise RuntimeError("fuel meter used before its store was instantiated")
        wb.WasmtimeGas(self._store).charge(amount)


class Store:
    """One frame's wasmtime store plus the host functions allocated in it."""

    def __init__(self, config: Any = None):
        self.config = config
        self.wasmtime = wb.new_store()
        self.funcs: list[Any] = []  # HostFunc (allocated) or wasmtime.Func (exported)

    def alloc_host_func(self, host: HostFunc) -> int:
        self.funcs.append(host)
        return len(self.funcs) - 1

    def release(self) -> None:
        """The machine interface's end of a frame (``pyde_ref.wasm.Store.release``);
        wasmtime frees its store when the last reference goes."""


class _Caller:
    """What the executor's host binding reads: ``memory`` and ``fuel``."""

    def __init__(self, memory, fuel):
        self.memory = memory
        self.fuel = fuel
        self.instance = None


class Instance:
    def __init__(self, exports: dict):
        self.exports = exports


class WasmtimeMachine:
    """The executor's machine namespace on wasmtime.

    The executor hands ``instantiate`` the decoded module; wasmtime needs the
    bytes, which :meth:`remember` records when the executor loads a module
    (:func:`wasmtime_executor` wires it)."""

    def __init__(self) -> None:
        self.MachineConfig = MachineConfig
        self.ExternVal = ExternVal
        self.HostFunc = HostFunc
        self.FuelMeter = WasmtimeFuelMeter
        self.Store = Store
        self._bytes: dict[int, tuple[Any, bytes]] = {}
        self._compiled: dict[bytes, wasmtime.Module] = {}

    def remember(self, module: Any, wasm: bytes) -> None:
        self._bytes[id(module)] = (module, wasm)  # the module is kept alive with its id

    def _compile(self, module: Any) -> wasmtime.Module:
        entry = self._bytes.get(id(module))
        if entry is None or entry[0] is not module:
            raise RuntimeError("module bytes unknown to the wasmtime machine")
        wasm = entry[1]
        if wasm not in self._compiled:
            self._compiled[wasm] = wb.compile_module(wasm)
        return self._compiled[wasm]

    def instantiate(self, store: Store, module: Any, imports: Sequence[ExternVal],
                    fuel: Optional[WasmtimeFuelMeter] = None) -> Instance:
        compiled = self._compile(module)
        meter = fuel if fuel is not None else WasmtimeFuelMeter(None)
        meter.bind(store.wasmtime)
        externs = []
        for imp, ext in zip(compiled.imports, imports):
            host = store.funcs[ext.addr]
            externs.append(self._host_func(store, compiled, host, meter))
        if len(externs) != len(compiled.imports):
            raise LinkError("module imports are not provided")
        try:
            instance = wasmtime.Instance(store.wasmtime, compiled, externs)
        except wasmtime.Trap as e:
            raise Uninstantiable(f"start function trapped: {e.message}", Trap(wb.trap_kind(e))) from None
        except wasmtime.WasmtimeError as e:
            raise Uninstantiable(str(e).split("\n", 1)[0]) from None
        exports = {}
        for name, ext in wb._exports(store.wasmtime, instance):
            if isinstance(ext, wasmtime.Func):
                store.funcs.append(ext)
                exports[name] = ExternVal("func", len(store.funcs) - 1)
        return Instance(exports)

    def _host_func(self, store: Store, compiled: wasmtime.Module, host: HostFunc, meter: WasmtimeFuelMeter):
        names = sorted(e.name for e in compiled.exports if isinstance(e.type, wasmtime.MemoryType))
        memory_export = "memory" if "memory" in names else (names[0] if names else "memory")

        def env_factory(memory, gas, _ctx):
            return _Caller(memory if memory._memory is not None else None, meter)

        return wb.wrap_host_function(store.wasmtime, host.type.params, host.type.results,
                                     lambda caller, *args: host.fn(caller, tuple(args)) or None,
                                     None, env_factory=env_factory, memory_export=memory_export)

    def invoke(self, store: Store, funcaddr: int, args: Sequence[int],
               fuel: Optional[WasmtimeFuelMeter] = None) -> list:
        func = store.funcs[funcaddr]
        try:
            return wb.call_raw(store.wasmtime, func, list(args))
        except wasmtime.Trap as e:
            raise Trap(wb.trap_kind(e)) from None


def wasmtime_executor(config=None):
    """A :class:`WasmExecutor` whose machine is :class:`WasmtimeMachine`."""
    class WasmtimeExecutor(WasmExecutor):
        def __init__(self, cfg=None):
            super().__init__(cfg)
            self.machine = WasmtimeMachine()

        def load_module(self, address, code_hash, code):
            cached = super().load_module(address, code_hash, code)
            self.machine.remember(cached.module, code.wasm)
            return cached

        def cache_module(self, address, cached, wasm):
            # A deploy's module is decoded by the deploy handler and put in
            # the cache for its constructor: record its bytes as it goes in.
            self.machine.remember(cached.module, bytes(wasm))
            super().cache_module(address, cached, wasm)

    return WasmtimeExecutor(config)
