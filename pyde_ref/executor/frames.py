"""Call frames: running one contract function, and the cross-call flow of
ABI §13.1 (the executor's side of ``cross_call``, ``cross_call_static`` and
``delegate_call``; the host functions' side is :mod:`pyde_ref.abi.calls`).

A *frame* is one activation of one contract function on a fresh instance
with a fresh linear memory (ABI §13.1 step 8, §13.3) and a fresh fuel meter,
over its own overlay (§13.1 step 7, §13.2).  :meth:`TxRun.run_frame` runs one
frame and merges its overlay on success or discards it on revert or trap
(seed §3.5b, ABI §15.1).  :class:`FrameCalls` is the ``ctx.calls`` object a
frame's host functions use; its :meth:`FrameCalls.run_subcall` is ABI §13.1
steps 3-12 in order.

Python recursion: a chain of nested cross-calls recurses through
``invoke`` -> host function -> ``run_subcall`` -> ``run_frame`` ->
``invoke``.  ``MAX_CROSS_CALL_DEPTH`` (ABI §13.4) bounds the chain, and
:func:`pyde_ref.executor.deep.run_deep` runs every wave (and every
transaction applied on its own) on a thread whose stack and recursion limit
are sized for that bound.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi.constants import (
    ATTR_VIEW,
    ERR_CROSS_CALL_FAILED,
    ERR_INSUFFICIENT_BALANCE,
    HostTrapKind,
    MAX_CROSS_CALL_DEPTH,
)
from pyde_ref.abi.env import (
    BlockContext,
    ExecutionContext,
    SubcallKind,
    SubcallResult,
    SubcallStatus,
    TxAccessList,
)
from pyde_ref.abi.halt import HaltReturn, HaltRevert
from pyde_ref.abi.registry import bind, lookup
from pyde_ref.abi.section import ContractType
from pyde_ref.executor import dispatch
from pyde_ref.executor.cache import CachedModule
from pyde_ref.wasm.errors import LinkError, Trap, Uninstantiable

@attrs.frozen
class FrameRequest:
    """Everything one frame needs (ABI §7.8 lists what changes for each kind
    of call).  ``value_from`` is the account the attached ``value`` is moved
    from before the code runs (ABI §13.1 step 10), ``None`` when no value
    moves (``delegate_call``)."""

    module: CachedModule
    target: dispatch.Target
    code_address: bytes
    self_address: bytes
    storage_address: bytes
    caller: bytes
    value: int
    value_from: Optional[bytes]
    calldata: bytes
    gas_budget: int
    view_mode: bool
    access_list: object
    depth: int
    guard_pair: tuple[bytes, str]
    kind: str = "entry"
    """``entry`` (a transaction's entry frame), else the :class:`SubcallKind`
    of the cross-call that runs it."""
    parachain: object = None
    """The :class:`~pyde_ref.abi.env.ParachainFrame` of a parachain's entry
    frame (``None`` for a contract)."""


def rejected(code: int) -> SubcallResult:
    return SubcallResult(SubcallStatus.REJECTED, error_code=code)


class TxRun:
    """The execution of one transaction: its origin, hash and position, its
    access list, the active ``(contract, function)`` stack (ABI §13.1 step 5)
    and the machine it runs on."""

    def __init__(self, executor, block: BlockContext, origin: bytes, tx_hash: bytes, tx_index: int,
                 tx_access_list: Optional[TxAccessList] = None):
        self.executor = executor
        self.block = block
        self.origin = origin
        self.tx_hash = tx_hash
        self.tx_index = tx_index
        self.tx_access_list = tx_access_list
        self.active: list[tuple[bytes, str]] = []
        self.encryptions = 0
        """``threshold_encrypt`` calls so far (``spec/cryptography.md``'s
        ``call_index``; never rolled back)."""

    # -- one frame -----------------------------------------------------------

    def run_frame(self, req: FrameRequest, parent_layer) -> SubcallResult:
        """ABI §13.1 steps 7-12 for one frame over ``parent_layer``.  The
        outcome's ``gas_used`` is what the frame's meter reports (see
        ``spec/findings/gas-used-after-trap.md``)."""
        observer = self.executor.observer
        if observer is None:
            return self._run_frame(req, parent_layer)
        observer.frame_start(req)
        outcome = self._run_frame(req, parent_layer)
        observer.frame_end(req, outcome)
        return outcome

    def _run_frame(self, req: FrameRequest, parent_layer) -> SubcallResult:
        overlay = parent_layer.child()  # step 7
        if req.value > 0 and req.value_from is not None:  # step 10
            if not overlay.move_value(req.value_from, req.self_address, req.value):
                overlay.discard()
                return rejected(ERR_INSUFFICIENT_BALANCE)
        ctx = ExecutionContext(
            self_address=req.self_address,
            caller=req.caller,
            origin=self.origin,
            state=overlay,
            block=self.block,
            code_address=req.code_address,
            value=req.value,
            calldata=req.calldata,
            view_mode=req.view_mode,
            access_list=req.access_list,
            tx_access_list=self.tx_access_list,
            tx_hash=self.tx_hash,
            tx_index=self.tx_index,
            depth=req.depth,
            is_parachain=is_parachain(req.module.abi.contract_type),
            parachain=req.parachain,
            storage_address=req.storage_address,
        )
        ctx.calls = FrameCalls(self, ctx)
        machine = self.executor.machine
        fuel = machine.FuelMeter(req.gas_budget)
        self.active.append(req.guard_pair)
        try:
            outcome = self._invoke(machine, req, ctx, fuel)
        finally:
            self.active.pop()
            ctx.calls = None  # ctx <-> FrameCalls: no cycle left for the garbage collector
        if outcome.status == SubcallStatus.SUCCESS:  # step 12
            overlay.merge()
        else:
            overlay.discard()
        return outcome

    def _invoke(self, machine, req: FrameRequest, ctx: ExecutionContext, fuel) -> SubcallResult:
        """Steps 8, 9, 11: a fresh store and instance, calldata reachable via
        ``calldata_copy``, the entry function invoked with no arguments."""
        store = machine.Store(self.executor.machine_config)
        try:
            imports = host_imports(machine, store, req.module.module, ctx, self.executor.observer)
            instance = machine.instantiate(store, req.module.module, imports, fuel=fuel)
            entry = instance.exports[req.target.name]
            machine.invoke(store, entry.addr, [], fuel)
        except HaltReturn as halt:
            return SubcallResult(SubcallStatus.SUCCESS, fuel.consumed, halt.data)
        except HaltRevert as halt:
            return SubcallResult(SubcallStatus.REVERT, fuel.consumed, halt.data)
        except Trap as trap:
            return SubcallResult(SubcallStatus.TRAP, fuel.consumed, trap=trap.kind)
        except Uninstantiable as exc:
            # A start function that trapped, or an initial memory above the
            # cap.  (A start function's pyde::return/revert is a Halt and
            # ends the frame like the entry's would, above.)
            kind = exc.trap.kind if exc.trap is not None else HostTrapKind.UNINSTANTIABLE
            return SubcallResult(SubcallStatus.TRAP, fuel.consumed, trap=kind)
        except LinkError:
            return SubcallResult(SubcallStatus.TRAP, fuel.consumed, trap=HostTrapKind.UNLINKABLE)
        finally:
            store.release()  # the frame's memory is freed as the frame ends, not at the next GC
        return SubcallResult(SubcallStatus.SUCCESS, fuel.consumed)

    # -- requests ------------------------------------------------------------

    def entry_request(self, module: CachedModule, target: dispatch.Target, contract: bytes,
                      sender: bytes, calldata: bytes, value: int, gas_limit: int) -> FrameRequest:
        """The entry frame of a ContractCall or of a constructor."""
        return FrameRequest(
            module=module,
            target=target,
            code_address=contract,
            self_address=contract,
            storage_address=contract,
            caller=sender,
            value=value,
            value_from=sender,
            calldata=calldata,
            gas_budget=gas_limit,
            view_mode=target.has(ATTR_VIEW),
            access_list=target.access_list,
            depth=0,
            guard_pair=(contract, target.name),
        )


def host_imports(machine, store, module, ctx: ExecutionContext, observer=None) -> list:
    """Bind every import of ``module`` to its host function in frame ``ctx``
    (ABI §12.6: the same table for every instance); an import the registry
    does not know is a :class:`LinkError` (deploy refuses such modules).  An
    ``observer`` is told each call's gas charges (``host_charges``)."""
    on_charges = observer.host_charges if observer is not None else None
    externs = []
    for imp in module.imports:
        defn = lookup(imp.module, imp.name) if imp.kind == "func" else None
        if defn is None:
            raise LinkError(f"no host function {imp.module}.{imp.name}")
        externs.append(machine.ExternVal("func", store.alloc_host_func(bind(defn, ctx, on_charges))))
    return externs


def is_parachain(contract_type: ContractType) -> bool:
    """Whether the module declared ``contract_type = Parachain`` (ABI §3.7)."""
    return contract_type is ContractType.PARACHAIN


class FrameCalls:
    """``ctx.calls`` of one frame: runs the sub-calls its host functions ask
    for (the :class:`pyde_ref.abi.env.SubcallRunner` protocol)."""

    def __init__(self, run: TxRun, parent: ExecutionContext):
        self.run = run
        self.parent = parent

    def run_subcall(self, kind: str, target: bytes, fn_name: str, calldata: bytes,
                    value: int, gas_limit: int) -> SubcallResult:
        """ABI §13.1 steps 3-12 (step 1 is the trap into the host, step 2 the
        host function's gas charge)."""
        parent = self.parent
        # §13.4: at most MAX_CROSS_CALL_DEPTH frames; the entry frame of a
        # transaction is frame 1 (depth 0), so the deepest has depth 1023.
        if parent.depth + 1 >= MAX_CROSS_CALL_DEPTH:
            return rejected(ERR_CROSS_CALL_FAILED)
        account = parent.state.account(target)  # step 3
        code = parent.state.code(account.code_hash) if account.is_contract else None
        if code is None:
            return rejected(ERR_CROSS_CALL_FAILED)
        module = self.run.executor.load_module(target, account.code_hash, code)
        resolved = dispatch.resolve(module.abi, fn_name, value)  # step 4
        if isinstance(resolved, int):
            return rejected(resolved)
        refusal = dispatch.constructor_lockout(resolved)
        if refusal is None and kind == SubcallKind.STATIC:
            refusal = dispatch.static_requires_view(resolved)
        if kind == SubcallKind.DELEGATE:
            pair = (parent.self_address, resolved.name)
        else:
            pair = (target, resolved.name)
        if refusal is None:  # step 5
            refusal = dispatch.reentrancy_check(pair, resolved, self.run.active)
        if refusal is None:  # step 6
            refusal = dispatch.payable_check(resolved, value)
        if refusal is not None:
            return rejected(refusal)
        request = self._request(kind, target, module, resolved, calldata, value, gas_limit, pair)
        return self.run.run_frame(request, parent.state)  # steps 7-12

    def _request(self, kind: str, target: bytes, module: CachedModule, resolved: dispatch.Target,
                 calldata: bytes, value: int, gas_limit: int, pair) -> FrameRequest:
        """ABI §7.8: who the callee is, whose storage it uses, who it sees as
        its caller, and whether it runs in view mode (a view frame's callees
        stay in view mode: ABI §3.5 forbids a view to modify state through
        any path)."""
        parent = self.parent
        view = parent.view_mode or resolved.has(ATTR_VIEW) or kind == SubcallKind.STATIC
        if kind == SubcallKind.DELEGATE:
            return FrameRequest(
                module=module,
                target=resolved,
                code_address=target,
                self_address=parent.self_address,
                storage_address=parent.storage_address,
                caller=parent.caller,
                value=parent.value,
                value_from=None,
                calldata=calldata,
                gas_budget=gas_limit,
                view_mode=view,
                access_list=parent.access_list,
                depth=parent.depth + 1,
                guard_pair=pair,
                kind=kind,
            )
        return FrameRequest(
            module=module,
            target=resolved,
            code_address=target,
            self_address=target,
            storage_address=target,
            caller=parent.self_address,
            value=value if kind == SubcallKind.CALL else 0,
            value_from=parent.self_address if kind == SubcallKind.CALL else None,
            calldata=calldata,
            gas_budget=gas_limit,
            view_mode=view,
            access_list=resolved.access_list,
            depth=parent.depth + 1,
            guard_pair=pair,
            kind=kind,
        )
