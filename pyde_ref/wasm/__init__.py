"""The WebAssembly machine: decoder, feature gate, validator, two execution tiers, fuel.

It knows nothing of Pyde: no host functions, no state.  It is shaped like the
WebAssembly reference interpreter, one module per part of the core spec:

==========================  ================================================
module                      core spec
==========================  ================================================
:mod:`.syntax`              §2 structure (the abstract syntax)
:mod:`.instructions`        the instruction table: every fact about every
                            pyde-v1 instruction, once (opcode, immediates,
                            typing, feature, fuel class, memory access)
:mod:`.binary`              §5 binary format (strict decoder)
:mod:`.features`            the pyde-v1 feature gate
:mod:`.valid`               §3 validation
:mod:`.numerics`            §4.3 numerics, bit-exact, plus NaN canonicalization
:mod:`.fuel`                the one cost table and the fuel models
:mod:`.runtime`             §4.2 runtime structure (store, instances), machine limits
:mod:`.eval`                §4.4 instructions: the *reading tier*, the rule as
                            the spec states it
:mod:`.predecode`,          §4.4 instructions: the *fast tier*, pre-decoded,
:mod:`.fast`                fused, run-charged code, proven equal to the reading tier
:mod:`.exec`                §4.5.4-4.5.5 instantiation and invocation (both tiers)
==========================  ================================================

Public interface (what the spec-test runner, the CLI, the Pyde executor and
the differential oracle use):

``decode_module(data: bytes) -> Module``
    §5; raises :class:`MalformedModule`, or :class:`UnsupportedFeature`
    where the bytes use an encoding only a non-pyde-v1 proposal defines.
``validate_module(module: Module) -> None``
    §3 under pyde-v1; raises :class:`InvalidModule` / :class:`UnsupportedFeature`.
``MachineConfig(max_memory_pages=PYDE_MAX_MEMORY_PAGES, nan_canonicalization=True,
fuel_model="spec", max_activations=MAX_ACTIVATIONS, tier="fast", observer=None)``
    ``tier`` is ``"fast"`` or ``"reading"`` (:data:`TIERS`; the reading tier
    implements the ``spec`` fuel model only); ``observer`` (reading tier) is an
    :class:`Observer` told about every instruction and host call.
``Store(config)``
    with ``alloc_host_func(HostFunc) -> addr``, ``alloc_memory(MemType) -> addr``,
    ``alloc_table(TableType) -> addr``, ``alloc_global(GlobalType, value) -> addr``
    for host-provided externals, and lists ``funcs``, ``mems``, ``tables``,
    ``globals`` of instances.
``ExternVal(kind, addr)``
``HostFunc(type: FuncType, fn, name="")``
    ``fn(caller: Caller, args: tuple[int, ...]) -> Sequence[int]``; ``caller``
    gives ``caller.instance`` (the calling :class:`ModuleInstance`),
    ``caller.memory`` (its memory 0 or ``None``) and ``caller.fuel`` (the
    :class:`FuelMeter`, exact before the host function runs and read back
    after it).  A host function stops the computation by raising; a
    :class:`Trap` is a trap, any other exception propagates unchanged to the
    caller of :func:`invoke` (Pyde's ``return``/``revert`` halts use this).
``FuelMeter(budget: int | None)``
    ``.consumed``, ``.remaining`` (``None`` when unlimited), ``.charge(n)``
    (raises ``Trap(TrapKind.OUT_OF_FUEL)`` when ``n`` exceeds what is left,
    charging nothing).
``instantiate(store, module, imports: Sequence[ExternVal], fuel=None) -> ModuleInstance``
    §4.5.4 for a validated module; raises :class:`LinkError` or
    :class:`Uninstantiable`.
``invoke(store, funcaddr, args: Sequence[int], fuel: FuelMeter | None = None) -> list[int]``
    §4.5.5; values are bit patterns (see :mod:`.syntax`); raises :class:`Trap`
    (its ``kind`` one of :class:`TrapKind`).
"""

from .binary import decode_module
from .errors import (
    InvalidModule, LinkError, MalformedModule, Trap, TrapKind, Uninstantiable, UnsupportedFeature, WasmError,
)
from .eval import EntryEvent, HostCallEvent, InstructionEvent, Observer
from .exec import instantiate, invoke
from .fuel import FUEL_MODELS, SPEC, WASMTIME_45, WASMTIME_50, FuelMeter
from .runtime import (
    FAST, MAX_ACTIVATIONS, MAX_LOCAL_SLOTS, MAX_TABLE_ELEMENTS, PAGE_SIZE, PYDE_MAX_MEMORY_PAGES, READING, TIERS,
    WASM_MAX_MEMORY_PAGES, Caller, ExternVal, FuncInstance, GlobalInstance, HostFunc, InvocationError,
    MachineConfig, MemoryInstance, ModuleInstance, Store, TableInstance,
)
from .valid import validate_module
