"""The bare module call, run by the reference machine (:mod:`pyde_ref.wasm`).

The exact counterpart of :func:`pyde_ref.diff.wasmtime_backend.run_bare`:
decode and validate, instantiate with :data:`~pyde_ref.diff.outcome.INSTANTIATE_FUEL`,
call one export with a fresh :class:`FuelMeter`, and report a
:class:`CallOutcome` with the same conventions (exported memory hashed,
exported mutable globals listed).  :class:`ReferenceMachine` asks it the
way :meth:`pyde_ref.diff.twin.Twin.call` asks a twin, so a probe or a
campaign runs either side with the same code.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from pyde_ref import wasm as machine
from pyde_ref.diff import hostframe
from pyde_ref.diff import outcome as oc
from pyde_ref.diff.outcome import INSTANTIATE_FUEL, CallOutcome
from pyde_ref.wasm.errors import InvalidModule, LinkError, MalformedModule, Trap, Uninstantiable


class ReferenceMachine:
    """The reference machine under ``fuel_model`` on the execution tier
    ``tier``, called like a twin (:meth:`pyde_ref.diff.twin.Twin.call`)."""

    def __init__(self, fuel_model: str, tier: str = "fast"):
        self.fuel_model = fuel_model
        self.tier = tier

    def call(self, wasm: bytes, func: str, args: Sequence[int], fuel: int, *, host: Optional[str] = None,
             instantiate_fuel: int = INSTANTIATE_FUEL) -> CallOutcome:
        ctx = hostframe.context_for(host)
        out = run_bare(wasm, func, args, fuel, fuel_model=self.fuel_model,
                       imports=hostframe.reference_imports(host, ctx), instantiate_fuel=instantiate_fuel,
                       tier=self.tier)
        return hostframe.with_state(out, ctx)


def run_bare(
    wasm: bytes,
    func_name: str,
    args: Sequence[int],
    fuel: int,
    *,
    fuel_model: str = "spec",
    imports: Optional[Callable[[object, object], list]] = None,
    instantiate_fuel: int = INSTANTIATE_FUEL,
    tier: str = "fast",
) -> CallOutcome:
    """Instantiate ``wasm`` and call ``func_name`` under ``fuel_model`` on the
    machine's execution tier ``tier``.

    ``imports(store, module)`` returns the :class:`ExternVal` list (none by
    default)."""
    try:
        module = machine.decode_module(wasm)
        machine.validate_module(module)
    except (MalformedModule, InvalidModule) as e:
        return CallOutcome(oc.REJECTED, detail=str(e))
    store = machine.Store(machine.MachineConfig(fuel_model=fuel_model, tier=tier))
    try:
        externs = imports(store, module) if imports else []
        meter = machine.FuelMeter(instantiate_fuel)
        instance = machine.instantiate(store, module, externs, fuel=meter)
    except LinkError as e:
        return CallOutcome(oc.UNLINKABLE, detail=str(e))
    except Uninstantiable as e:
        if e.trap is None:  # nothing ran (a memory above the cap)
            return CallOutcome(oc.UNINSTANTIABLE, detail=str(e))
        return CallOutcome(oc.UNINSTANTIABLE, trap=e.trap.kind, instantiate_fuel=meter.consumed, detail=str(e))
    except Exception as e:  # the start function halted through pyde::return / revert
        halt = oc.halt_outcome(e)
        if halt is None:
            raise
        return CallOutcome(halt[0], trap=halt[1], detail="start function: " + halt[2])
    used_by_instantiation = meter.consumed
    export = instance.exports.get(func_name)
    if export is None or export.kind != "func":
        return CallOutcome(oc.NO_SUCH_EXPORT, instantiate_fuel=used_by_instantiation, detail=func_name)

    meter = machine.FuelMeter(fuel)
    status, results, kind, detail = oc.OK, (), None, ""
    try:
        results = tuple(machine.invoke(store, export.addr, list(args), meter))
    except Trap as e:
        status, kind, detail = oc.TRAP, e.kind, str(e)
    except Exception as e:
        halt = oc.halt_outcome(e)
        if halt is None:
            raise
        status, kind, detail = halt
    return CallOutcome(
        status,
        results=results,
        trap=kind,
        instantiate_fuel=used_by_instantiation,
        fuel_consumed=meter.consumed,
        memory_hash=_memory_hash(store, instance),
        globals=_mutable_globals(store, instance),
        detail=detail,
    )


def _memory_hash(store, instance) -> Optional[str]:
    for _name, ext in sorted(instance.exports.items()):
        if ext.kind == "memory":
            return oc.memory_digest(store.mems[ext.addr].data)
    return None


def _mutable_globals(store, instance) -> tuple[tuple[str, str, int], ...]:
    found = []
    for name, ext in instance.exports.items():
        if ext.kind == "global":
            glob = store.globals[ext.addr]
            if glob.type.mutable:
                found.append((name, glob.type.valtype, glob.value))
    return tuple(sorted(found))
