"""The production path's twin: wasmtime, configured as seed §3.2 says.

This module drives whichever wasmtime-py is importable in the running
process (wasmtime 50 in the project's own environment; wasmtime 45 in the
managed environment :mod:`.twin_env` builds for it).  :mod:`.twin` chooses
the process a given wasmtime version runs in.

Three parts:

* :func:`build_engine`: the engine.  Every flag is listed in
  :data:`ENGINE_FLAGS` with the reason it has the value it has.
* :func:`run_bare`: instantiate a module and call one export, reporting a
  :class:`~pyde_ref.diff.outcome.CallOutcome` (values as bit patterns, fuel,
  memory hash, mutable globals) exactly as the reference backend does.
* :class:`WasmtimeMemory`, :class:`WasmtimeGas`, :class:`WasmtimeHostEnv`,
  :func:`wrap_host_function`: adapters presenting wasmtime's caller memory and
  store fuel through the small interface the reference's host functions are
  written against (``env.memory.read/write``, ``env.gas.charge/remaining``,
  ``env.ctx``), so the host functions run unchanged on both backends.

Values cross the boundary as raw bits: wasmtime-py would turn an ``f32`` into
a Python ``float`` (a conversion that can quiet a signalling NaN), so calls and
global reads here go through the C API's ``wasmtime_val_t`` union directly.
"""

from __future__ import annotations

import ctypes
import importlib.metadata
from typing import Any, Callable, Optional, Sequence

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime._func import enter_wasm

from pyde_ref.abi import registry
from pyde_ref.abi.env import HostEnv as AbiHostEnv
from pyde_ref.diff import outcome as oc
from pyde_ref.diff.outcome import CallOutcome
from pyde_ref.wasm.errors import Trap, TrapKind
from pyde_ref.wasm.runtime import PAGE_SIZE, PYDE_MAX_MEMORY_PAGES

#: The installed wasmtime-py's version (e.g. ``"50.0.1"``).
WASMTIME_VERSION = importlib.metadata.version("wasmtime")

#: The epoch deadline.  Seed §3.2 turns epoch interruption on (a wall-clock
#: safety net).  Wall clocks are not deterministic, so the twin never advances
#: the epoch: the deadline is set once, far beyond reach, and is never hit.
EPOCH_DEADLINE = 1 << 62

# (flag, value, why).  ``config`` flags are wasmtime-py ``Config`` properties;
# ``capi`` flags are ``wasmtime_config_<flag>_set`` C functions that
# wasmtime-py does not expose (or exposes without effect before engine build).
# A flag the installed wasmtime's API does not have is skipped and reported
# by absent_engine_flags() (wasmtime 45 has no branch-hinting or
# compact-imports switch: spec/findings/wasmtime-45-vs-50.md).
ENGINE_FLAGS: tuple[tuple[str, str, Any, str], ...] = (
    ("config", "consume_fuel", True, "seed §3.2: fuel is gas"),
    ("config", "epoch_interruption", True, "seed §3.2 (deadline never reached, see EPOCH_DEADLINE)"),
    ("config", "cranelift_nan_canonicalization", True, "seed §3.2: determinism of NaN bits"),
    ("config", "wasm_threads", False, "seed §3.2: threads are nondeterministic"),
    ("config", "wasm_simd", False, "seed §3.2"),
    ("config", "wasm_relaxed_simd", False, "seed §3.2: relaxed SIMD is nondeterministic"),
    # wasmtime 50 aborts the process (Rust panic) when reference types are off
    # while component-model-async is on; it must be switched off first
    # (shared/reference/wasmtime-50-observed.md).
    ("capi", "wasm_component_model_async", False, "needed to switch reference types off"),
    ("capi", "wasm_component_model_async_stackful", False, "needed with component-model-async off"),
    ("config", "wasm_reference_types", False, "seed §3.2"),
    ("config", "wasm_bulk_memory", True, "seed §3.2: safe, deterministic, useful"),
    ("config", "wasm_multi_memory", False, "seed §3.2"),
    ("config", "wasm_memory64", False, "seed §3.2"),
    ("config", "wasm_function_references", False, "seed §3.2"),
    ("config", "wasm_gc", False, "seed §3.2"),
    ("config", "wasm_component_model", False, "seed §3.2: no components, no WASI"),
    # Not named by the seed but on by default in wasmtime 50: switched off so the
    # twin accepts exactly pyde-v1 (spec/findings/wasmtime-50-feature-set.md).
    ("config", "wasm_tail_call", False, "not in pyde-v1 (wasmtime default: on)"),
    ("config", "wasm_exceptions", False, "not in pyde-v1 (wasmtime default: on)"),
    ("config", "wasm_wide_arithmetic", False, "not in pyde-v1"),
    ("config", "wasm_custom_page_sizes", False, "not in pyde-v1"),
    ("config", "wasm_stack_switching", False, "not in pyde-v1"),
    ("capi", "wasm_branch_hinting", False, "not in pyde-v1 (a custom section only, kept off)"),
    ("capi", "wasm_compact_imports", False, "not in pyde-v1 (import-section encoding)"),
    # Extended constant expressions have no switch in the C API: see
    # uses_extended_const() (tests/wasm/feature_probes/extended_const.wat).
    # Multi-value, sign extension, saturating float-to-int and mutable globals
    # stay at wasmtime's default (on): they are WebAssembly 2.0 and in pyde-v1.
)


def _capi_setter(flag: str):
    """The C API's ``wasmtime_config_<flag>_set``, or ``None`` when the
    installed wasmtime does not have it."""
    try:
        setter = getattr(ffi.dll, f"wasmtime_config_{flag}_set")
    except AttributeError:
        return None
    setter.argtypes = [ctypes.c_void_p, ctypes.c_bool]
    setter.restype = None
    return setter


def flag_exists(how: str, flag: str) -> bool:
    """Whether the installed wasmtime's API has the switch ``flag``."""
    if how == "config":
        return isinstance(getattr(wasmtime.Config, flag, None), property)
    return _capi_setter(flag) is not None


#: The flags seed §3.2 itself sets, plus the switch without which wasmtime
#: cannot build an engine with reference types off: the configuration the
#: seed's text alone gives (:func:`build_config` with ``seed_only``), kept to
#: measure what it leaves on (spec/findings/wasmtime-50-feature-set.md,
#: wasmtime-45-vs-50.md).
SEED_FLAGS = frozenset({
    "consume_fuel", "epoch_interruption", "cranelift_nan_canonicalization", "wasm_threads", "wasm_simd",
    "wasm_relaxed_simd", "wasm_reference_types", "wasm_bulk_memory", "wasm_multi_memory", "wasm_memory64",
    "wasm_function_references", "wasm_gc", "wasm_component_model",
    "wasm_component_model_async", "wasm_component_model_async_stackful",
})


def absent_engine_flags() -> tuple[str, ...]:
    """The :data:`ENGINE_FLAGS` the installed wasmtime has no switch for."""
    return tuple(flag for how, flag, _value, _why in ENGINE_FLAGS if not flag_exists(how, flag))


def build_config(seed_only: bool = False) -> wasmtime.Config:
    """The twin's configuration, flag by flag, in :data:`ENGINE_FLAGS` order
    (flags the installed wasmtime lacks are skipped: :func:`absent_engine_flags`);
    with ``seed_only``, only the :data:`SEED_FLAGS`, every other proposal at
    wasmtime's default."""
    config = wasmtime.Config()
    for how, flag, value, _why in ENGINE_FLAGS:
        if not flag_exists(how, flag) or (seed_only and flag not in SEED_FLAGS):
            continue
        if how == "config":
            setattr(config, flag, value)
        else:
            _capi_setter(flag)(config.ptr(), value)
    return config


_ENGINES: dict[bool, wasmtime.Engine] = {}


def build_engine(seed_only: bool = False) -> wasmtime.Engine:
    """The twin's engine, or with ``seed_only`` the seed text's own
    (:func:`build_config`); each built once per process (engines are immutable)."""
    if seed_only not in _ENGINES:
        _ENGINES[seed_only] = wasmtime.Engine(build_config(seed_only))
    return _ENGINES[seed_only]


def new_store(engine: Optional[wasmtime.Engine] = None, data: Any = None) -> wasmtime.Store:
    """A store with Pyde's memory cap (:data:`~pyde_ref.wasm.runtime.PYDE_MAX_MEMORY_PAGES`
    pages, 64 MiB) and an unreachable epoch deadline."""
    store = wasmtime.Store(engine or build_engine(), data)
    store.set_limits(memory_size=PYDE_MAX_MEMORY_PAGES * PAGE_SIZE)
    store.set_epoch_deadline(EPOCH_DEADLINE)
    return store


# --------------------------------------------------------------------------
# Traps
# --------------------------------------------------------------------------

#: wasmtime trap codes -> the reference's trap kinds (pyde_ref.wasm.errors.TrapKind).
TRAP_KINDS = {
    "STACK_OVERFLOW": "call_stack_exhausted",
    "MEMORY_OUT_OF_BOUNDS": "memory_out_of_bounds",
    "TABLE_OUT_OF_BOUNDS": "undefined_element",
    "INDIRECT_CALL_TO_NULL": "uninitialized_element",
    "BAD_SIGNATURE": "indirect_call_type_mismatch",
    "INTEGER_OVERFLOW": "integer_overflow",
    "INTEGER_DIVISION_BY_ZERO": "integer_divide_by_zero",
    "BAD_CONVERSION_TO_INTEGER": "invalid_conversion_to_integer",
    "UNREACHABLE": "unreachable",
    "OUT_OF_FUEL": "out_of_fuel",
    "INTERRUPT": "interrupt",
}


def trap_kind(trap: wasmtime.Trap) -> str:
    """The reference's name for a wasmtime trap.  (A host function traps by
    raising the machine's :class:`Trap`, which comes out of the call as is.)"""
    code = trap.trap_code
    if code is None:
        return "host"
    return TRAP_KINDS.get(code.name, "wasmtime:" + code.name.lower())


# --------------------------------------------------------------------------
# Raw values (bit patterns both ways)
# --------------------------------------------------------------------------

_KIND_CODE = {
    "i32": ffi.WASMTIME_I32.value,
    "i64": ffi.WASMTIME_I64.value,
    "f32": ffi.WASMTIME_F32.value,
    "f64": ffi.WASMTIME_F64.value,
}
_WIDTH = {"i32": 32, "i64": 64, "f32": 32, "f64": 64}


def _to_signed(bits: int, width: int) -> int:
    bits &= (1 << width) - 1
    return bits - (1 << width) if bits >> (width - 1) else bits


def _raw_val(valtype: str, bits: int) -> ffi.wasmtime_val_t:
    """A ``wasmtime_val_t`` holding ``bits``; floats are written through the
    integer member of the same width so no float conversion touches them."""
    if valtype not in _KIND_CODE:
        raise TypeError(f"the twin passes only numeric values, not {valtype}")
    raw = ffi.wasmtime_val_t(kind=_KIND_CODE[valtype])
    if _WIDTH[valtype] == 32:
        raw.of.i32 = _to_signed(bits, 32)
    else:
        raw.of.i64 = _to_signed(bits, 64)
    return raw


def _raw_bits(valtype: str, raw: ffi.wasmtime_val_t) -> int:
    if _WIDTH.get(valtype) == 32:
        return raw.of.i32 & 0xFFFF_FFFF
    if _WIDTH.get(valtype) == 64:
        return raw.of.i64 & 0xFFFF_FFFF_FFFF_FFFF
    raise TypeError(f"the twin reads only numeric values, not {valtype}")


def call_raw(store: wasmtime.Store, func: wasmtime.Func, args: Sequence[int]) -> list[int]:
    """Call ``func`` with bit-pattern arguments, return bit-pattern results.

    Raises ``wasmtime.Trap`` on a trap, and re-raises an exception a host
    function raised (wasmtime-py keeps it aside while the trap unwinds)."""
    ty = func.type(store)
    params = [str(t) for t in ty.params]
    results = [str(t) for t in ty.results]
    if len(args) != len(params):
        raise ValueError(f"{len(params)} argument(s) expected, {len(args)} given")
    params_raw = (ffi.wasmtime_val_t * max(len(params), 1))()
    for i, (t, bits) in enumerate(zip(params, args)):
        params_raw[i] = _raw_val(t, bits)
    results_raw = (ffi.wasmtime_val_t * max(len(results), 1))()
    with enter_wasm(store) as trap:
        error = ffi.wasmtime_func_call(
            store._context(), ctypes.byref(func._func),
            params_raw, len(params), results_raw, len(results), trap)
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
    return [_raw_bits(t, results_raw[i]) for i, t in enumerate(results)]


def global_bits(store: wasmtime.Store, glob: wasmtime.Global) -> tuple[str, int]:
    raw = ffi.wasmtime_val_t()
    ffi.wasmtime_global_get(store._context(), ctypes.byref(glob._global), ctypes.byref(raw))
    valtype = str(glob.type(store).content)
    return valtype, _raw_bits(valtype, raw)


def exported_mutable_globals(store: wasmtime.Store, instance: wasmtime.Instance) -> tuple[tuple[str, str, int], ...]:
    found = []
    for name, ext in _exports(store, instance):
        if isinstance(ext, wasmtime.Global) and ext.type(store).mutable:
            valtype, bits = global_bits(store, ext)
            found.append((name, valtype, bits))
    return tuple(sorted(found))


def _exports(store: wasmtime.Store, instance: wasmtime.Instance):
    exports = instance.exports(store)
    return [(name, exports[name]) for name in exports]


def exported_memory(store: wasmtime.Store, instance: wasmtime.Instance) -> Optional[wasmtime.Memory]:
    """Memory 0 if exported (pyde-v1 has at most one memory)."""
    for _name, ext in _exports(store, instance):
        if isinstance(ext, wasmtime.Memory):
            return ext
    return None


def memory_bytes(store: wasmtime.Store, memory: wasmtime.Memory):
    """The memory's bytes as a buffer over wasmtime's own memory (no copy;
    valid until the memory next changes)."""
    length = memory.data_len(store)
    if length == 0:
        return b""
    return memory.get_buffer_ptr(store, length)


# --------------------------------------------------------------------------
# Extended constant expressions: the switch the C API lacks
# --------------------------------------------------------------------------

#: ``i32.add i32.sub i32.mul i64.add i64.sub i64.mul``: the operators the
#: extended-const proposal admits in constant expressions.
EXTENDED_CONST_OPCODES = frozenset({0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E})


class _Cursor:
    """Just enough of §5 to walk the constant expressions of a module.

    Deliberately independent of :mod:`pyde_ref.wasm.binary`: the wasmtime twin
    must not rely on the reference decoder it is compared against."""

    def __init__(self, data: bytes, pos: int = 0, end: Optional[int] = None):
        self.data, self.pos, self.end = data, pos, len(data) if end is None else end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise ValueError("unexpected end")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def leb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result
            if shift > 70:
                raise ValueError("LEB128 too long")

    def skip(self, n: int) -> None:
        if self.pos + n > self.end:
            raise ValueError("unexpected end")
        self.pos += n

    def expr_is_extended(self) -> bool:
        """Walk one constant expression up to its ``end``; True when it uses
        an extended-const operator."""
        extended = False
        while True:
            op = self.byte()
            if op == 0x0B:
                return extended
            if op in EXTENDED_CONST_OPCODES:
                extended = True
            elif op in (0x41, 0x42, 0x23, 0xD2):
                self.leb()
            elif op == 0x43:
                self.skip(4)
            elif op == 0x44:
                self.skip(8)
            elif op == 0xD0:
                self.byte()
            else:
                raise ValueError(f"opcode {op:#x} in a constant expression")


def _elem_segment_is_extended(c: _Cursor) -> bool:
    flags = c.leb()
    extended = False
    if (flags & 1) == 0:  # active
        if flags & 2:
            c.leb()  # table index
        extended |= c.expr_is_extended()
    if flags & 3:  # element kind / reference type byte present
        c.byte()
    for _ in range(c.leb()):
        if flags & 4:
            extended |= c.expr_is_extended()
        else:
            c.leb()
    return extended


def _data_segment_is_extended(c: _Cursor) -> bool:
    flags = c.leb()
    extended = False
    if flags != 1:
        if flags == 2:
            c.leb()  # memory index
        extended = c.expr_is_extended()
    c.skip(c.leb())
    return extended


def uses_extended_const(wasm: bytes) -> bool:
    """Whether any global initializer or segment offset of ``wasm`` uses the
    extended-const proposal.

    wasmtime 50 enables extended-const by default and its C API (hence
    wasmtime-py) has no ``wasmtime_config_wasm_extended_const_set``; the Rust
    ``Config::wasm_extended_const(false)`` the production node would call is
    emulated by this check before compilation.  Bytes this walk cannot read are
    left to wasmtime to reject (False)."""
    try:
        c = _Cursor(wasm, 8)
        while c.pos < c.end:
            section_id = c.byte()
            size = c.leb()
            body = _Cursor(wasm, c.pos, c.pos + size)
            c.skip(size)
            if section_id == 6:  # globals
                for _ in range(body.leb()):
                    body.skip(2)  # value type, mutability
                    if body.expr_is_extended():
                        return True
            elif section_id == 9:  # elements
                for _ in range(body.leb()):
                    if _elem_segment_is_extended(body):
                        return True
            elif section_id == 11:  # data
                for _ in range(body.leb()):
                    if _data_segment_is_extended(body):
                        return True
    except ValueError:
        return False
    return False


# --------------------------------------------------------------------------
# The bare module call
# --------------------------------------------------------------------------


class ExtendedConstRejected(wasmtime.WasmtimeError):
    """Raised by :func:`compile_module` for an extended constant expression."""

    def __init__(self):
        Exception.__init__(self, "extended constant expressions are not enabled (pyde-v1)")

    def __str__(self) -> str:
        return "extended constant expressions are not enabled (pyde-v1)"


def compile_module(wasm: bytes, engine: Optional[wasmtime.Engine] = None) -> wasmtime.Module:
    """Compile (decode + validate); raises ``wasmtime.WasmtimeError``.

    The extended-const gate (:func:`uses_extended_const`) runs first."""
    if uses_extended_const(wasm):
        raise ExtendedConstRejected()
    return wasmtime.Module(engine or build_engine(), wasm)


def run_bare(
    wasm: bytes,
    func_name: str,
    args: Sequence[int],
    fuel: int,
    *,
    imports: Optional[Callable[[wasmtime.Store, wasmtime.Module], list]] = None,
    instantiate_fuel: int = oc.INSTANTIATE_FUEL,
) -> CallOutcome:
    """Instantiate ``wasm`` with ``instantiate_fuel`` and call ``func_name``
    with ``args`` (bit patterns) and a budget of ``fuel``.

    ``imports(store, module)`` supplies the imports (none by default).  The
    memory hash covers the memory the module exports; a module that does not
    export its memory reports ``None`` on both backends (the reference backend
    follows the same rule)."""
    engine = build_engine()
    try:
        module = compile_module(wasm, engine)
    except wasmtime.WasmtimeError as e:
        return CallOutcome(oc.REJECTED, detail=_first_line(e))
    store = new_store(engine)
    store.set_fuel(instantiate_fuel)
    try:
        externs = imports(store, module) if imports else []
    except LookupError as e:
        return CallOutcome(oc.UNLINKABLE, detail=str(e))
    if len(externs) != len(module.imports):
        return CallOutcome(oc.UNLINKABLE, detail="module imports are not provided")
    try:
        instance = wasmtime.Instance(store, module, externs)
    except wasmtime.Trap as e:
        return CallOutcome(oc.UNINSTANTIABLE, trap=trap_kind(e), instantiate_fuel=instantiate_fuel - store.get_fuel(),
                           detail=_trap_text(e))
    except Trap as e:  # a host function called by the start function trapped
        return CallOutcome(oc.UNINSTANTIABLE, trap=e.kind, instantiate_fuel=instantiate_fuel - store.get_fuel(),
                           detail=str(e))
    except wasmtime.WasmtimeError as e:
        text = str(e)
        linking = "unknown import" in text or ("import" in text and "incompatible" in text)
        return CallOutcome(oc.UNLINKABLE if linking else oc.UNINSTANTIABLE, detail=_first_line(e))
    except Exception as e:  # the start function halted through pyde::return / revert
        halt = oc.halt_outcome(e)
        if halt is None:
            raise
        return CallOutcome(halt[0], trap=halt[1], detail="start function: " + halt[2])
    used_by_instantiation = instantiate_fuel - store.get_fuel()
    func = dict(_exports(store, instance)).get(func_name)
    if not isinstance(func, wasmtime.Func):
        return CallOutcome(oc.NO_SUCH_EXPORT, instantiate_fuel=used_by_instantiation, detail=func_name)

    store.set_fuel(fuel)
    status, results, kind, detail = oc.OK, (), None, ""
    try:
        results = tuple(call_raw(store, func, args))
    except wasmtime.Trap as e:
        status, kind, detail = oc.TRAP, trap_kind(e), _trap_text(e)
    except Trap as e:  # raised by a host function
        status, kind, detail = oc.TRAP, e.kind, str(e)
    except Exception as e:
        halt = oc.halt_outcome(e)
        if halt is None:
            raise
        status, kind, detail = halt
    consumed = fuel - store.get_fuel()
    memory = exported_memory(store, instance)
    return CallOutcome(
        status,
        results=results,
        trap=kind,
        instantiate_fuel=used_by_instantiation,
        fuel_consumed=consumed,
        memory_hash=oc.memory_digest(memory_bytes(store, memory)) if memory is not None else None,
        globals=exported_mutable_globals(store, instance),
        detail=detail,
    )


def _first_line(e: BaseException) -> str:
    return _first_line_of(str(e))


def _first_line_of(text: str) -> str:
    return text.strip().split("\n", 1)[0]


def _trap_text(trap: wasmtime.Trap) -> str:
    """The cause line of a trap message (``wasm trap: ...``), not its backtrace."""
    lines = [line.strip() for line in trap.message.splitlines() if line.strip()]
    return lines[-1] if lines else ""


# --------------------------------------------------------------------------
# Host interface adapters
# --------------------------------------------------------------------------


class WasmtimeMemory:
    """The caller's memory 0 seen through ``read(addr, n)`` / ``write(addr, data)``
    (:class:`pyde_ref.abi.env.Memory`): an access outside the memory raises
    ``Trap("memory_out_of_bounds")`` and touches nothing (ABI §3.4)."""

    def __init__(self, store: Any, memory: Optional[wasmtime.Memory]):
        self._store = store
        self._memory = memory

    def size(self) -> int:
        return 0 if self._memory is None else self._memory.data_len(self._store)

    def _check(self, addr: int, length: int) -> None:
        if self._memory is None:
            # the registry's rule for an instance without memory
            raise Trap("host_no_memory", "host function needs the contract's memory")
        if addr < 0 or length < 0 or addr + length > self.size():
            raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"[{addr}, {addr + length}) outside {self.size()}")

    def read(self, addr: int, length: int) -> bytes:
        self._check(addr, length)
        if length == 0:
            return b""
        return bytes(self._memory.read(self._store, addr, addr + length))

    def write(self, addr: int, data: bytes) -> None:
        self._check(addr, len(data))
        if data:
            self._memory.write(self._store, bytes(data), addr)


class WasmtimeGas:
    """The store's fuel seen through ``remaining`` / ``charge(n)``
    (:class:`pyde_ref.abi.env.GasMeter`).

    ``remaining`` is what wasmtime reports to a host function: the fuel last
    written back, clamped at 0 after an overdraft
    (spec/findings/wasmtime-fuel-host-view.md).  ``charge(n)`` takes ``n`` from
    it or, when ``n`` is more than is left, charges nothing and raises
    ``Trap("out_of_fuel")``: the rule of :meth:`FuelMeter.charge`, so a host
    function behaves the same on both backends."""

    def __init__(self, store: wasmtime.Store):
        self._store = store

    @property
    def remaining(self) -> int:
        return self._store.get_fuel()

    def charge(self, amount: int) -> None:
        if amount < 0:
            raise ValueError(f"cannot charge a negative amount of fuel ({amount})")
        left = self._store.get_fuel()
        if amount > left:
            raise Trap(TrapKind.OUT_OF_FUEL, f"charging {amount} with {left} left")
        self._store.set_fuel(left - amount)


class WasmtimeHostEnv:
    """``env`` handed to a host function: ``memory``, ``gas``, ``ctx``."""

    def __init__(self, memory: WasmtimeMemory, gas: WasmtimeGas, ctx: Any):
        self.memory = memory
        self.gas = gas
        self.ctx = ctx


def wrap_host_function(
    store: wasmtime.Store,
    params: Sequence[str],
    results: Sequence[str],
    fn: Callable[..., Any],
    ctx: Any = None,
    *,
    env_factory: Optional[Callable[[Any, Any, Any], Any]] = None,
    memory_export: str = "memory",
) -> wasmtime.Func:
    """A ``wasmtime.Func`` calling ``fn(env, *args)`` with bit-pattern args.

    ``fn`` returns a result, a sequence of results or ``None``; ints are bit
    patterns (negative ints are taken modulo 2**width).  The caller's memory
    is its export ``memory_export`` (pyde contracts export ``"memory"``, ABI
    §2; a wasmtime host function reaches memory only through an export).
    ``env_factory(memory, gas, ctx)`` builds the env (default
    :class:`WasmtimeHostEnv`; the ABI's own ``HostEnv`` fits).  An exception ``fn``
    raises (a :class:`Trap`, a halt) unwinds the wasm caller and comes out of
    :func:`call_raw` unchanged."""
    functype = wasmtime.FuncType([_valtype(t) for t in params], [_valtype(t) for t in results])
    make_env = env_factory or WasmtimeHostEnv

    def trampoline(caller: wasmtime.Caller, *raw_args: Any) -> Any:
        memory = caller.get(memory_export)
        env = make_env(WasmtimeMemory(caller, memory if isinstance(memory, wasmtime.Memory) else None),
                       WasmtimeGas(store), ctx)
        args = [a & ((1 << _WIDTH[t]) - 1) for a, t in zip(raw_args, params)]
        out = fn(env, *args)
        if not results:
            return None
        values = [out] if len(results) == 1 and not isinstance(out, (list, tuple)) else list(out)
        signed = [_to_signed(v, _WIDTH[t]) for v, t in zip(values, results)]
        return signed[0] if len(results) == 1 else signed

    return wasmtime.Func(store, functype, trampoline, access_caller=True)


def _valtype(name: str) -> wasmtime.ValType:
    return {"i32": wasmtime.ValType.i32, "i64": wasmtime.ValType.i64,
            "f32": wasmtime.ValType.f32, "f64": wasmtime.ValType.f64}[name]()


def pyde_host_imports(ctx: Any) -> Callable[[wasmtime.Store, wasmtime.Module], list]:
    """``imports`` for :func:`run_bare`: every ``pyde`` import bound to the
    reference's own host function (:data:`pyde_ref.abi.registry.HOST_FUNCTIONS`,
    run by ``registry.call_host`` unchanged) in the frame ``ctx``.  An import
    the registry does not know raises ``LookupError`` (unlinkable)."""
    def imports(store: wasmtime.Store, module: wasmtime.Module) -> list:
        # pyde-v1 has at most one memory, so any exported memory is memory 0,
        # the memory the reference's host functions see; "memory" first.
        names = sorted(e.name for e in module.exports if isinstance(e.type, wasmtime.MemoryType))
        memory_export = "memory" if "memory" in names else (names[0] if names else "memory")
        found = []
        for imp in module.imports:
            defn = registry.lookup(imp.module, imp.name or "")
            if defn is None or not isinstance(imp.type, wasmtime.FuncType):
                raise LookupError(f"unknown import {imp.module}::{imp.name}")
            found.append(wrap_host_function(
                store, defn.type.params, defn.type.results,
                lambda env, *args, _d=defn: registry.call_host(_d, env, args),
                ctx, env_factory=AbiHostEnv, memory_export=memory_export))
        return found

    return imports
