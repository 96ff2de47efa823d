"""What the reference does while it fills a fixture, observed.

Coverage of ABI §16 is measured, never declared: a fixture covers a cell of
the matrix (:mod:`.matrix`) only if running it made the reference do that
thing.  Filling runs every document on the reading tier with
:class:`Recorder` attached, through :class:`ObservedExecutor`:

* the machine's observer (:class:`pyde_ref.wasm.Observer`) reports every
  host call -- its name, arguments, the gas it charged, its results or what
  it raised -- and every instruction before it is charged (its operator,
  cost and the size of the memory);
* the executor reaches its machine through one namespace
  (``executor.machine``); :class:`FrameTracker` wraps it, so each
  contract frame (one ``invoke`` per frame, ABI §13.1 step 11) is seen
  entering and leaving: the cross-call depth of every host call, and
  whether a sub-call's frame re-entered a contract already on the stack.

Nothing here changes what the reference computes: the executor is the
ordinary one with an observer, and fills are checked against unobserved
runs on both tiers by ``pyde-ref consume``.
"""

from __future__ import annotations

from typing import Optional

import attrs

import pyde_ref.wasm as machine
from pyde_ref.abi.constants import MAX_MEMORY_BYTES
from pyde_ref.abi.halt import HaltReturn, HaltRevert
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.wasm import READING, SPEC, Observer, Trap
from pyde_ref.wasm.fuel import COSTS

RETURNED = "returned"
HALT_RETURN = "halt_return"
HALT_REVERT = "halt_revert"

CROSS_CALLS = ("cross_call", "cross_call_static", "delegate_call")
"""The host functions that run a callee frame (ABI §7.8)."""


@attrs.frozen
class HostCallRecord:
    """One host call as the fill saw it."""

    name: str
    args: tuple[int, ...]
    gas: int
    """Gas the host function charged (for a cross-call: with the callee's)."""
    results: Optional[tuple[int, ...]]
    outcome: str
    """``returned``, ``halt_return``, ``halt_revert``, ``trap:<kind>`` or
    ``error:<exception>``."""
    memory_size: int
    """The calling instance's memory, in bytes, when it called."""
    depth: int
    """The calling contract frame's depth: 1 for the transaction's entry frame."""
    callee_reentered: Optional[bool]
    """For a cross-call whose callee frame ran: whether the callee's contract
    already had a frame on the stack (``None``: no frame ran, or unknown)."""


def outcome_of(error: Optional[BaseException]) -> str:
    if error is None:
        return RETURNED
    if isinstance(error, HaltReturn):
        return HALT_RETURN
    if isinstance(error, HaltRevert):
        return HALT_REVERT
    if isinstance(error, Trap):
        return f"trap:{error.kind}"
    return f"error:{type(error).__name__}"


class FrameTracker:
    """The machine namespace of the executor (``pyde_ref.wasm``), with
    ``invoke`` counted: ``depth`` is the number of contract frames running,
    ``addresses`` the contract of each (``None`` when unknown)."""

    def __init__(self, inner=machine):
        self._inner = inner
        self.depth = 0
        self.addresses: list[Optional[bytes]] = []
        self.pending: Optional[bytes] = None
        #: depth -> (address, already on the stack) of the latest frame entered at it
        self.entered: dict[int, tuple[Optional[bytes], bool]] = {}

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def invoke(self, store, addr, args, fuel=None):
        address, self.pending = self.pending, None
        reentered = address is not None and address in self.addresses
        self.depth += 1
        self.entered[self.depth] = (address, reentered)
        self.addresses.append(address)
        try:
            return self._inner.invoke(store, addr, args, fuel)
        finally:
            self.addresses.pop()
            self.depth -= 1


class Recorder(Observer):
    """Collects what :mod:`.matrix` turns into coverage cells."""

    def __init__(self) -> None:
        self.frames: Optional[FrameTracker] = None
        self.host_calls: list[HostCallRecord] = []
        #: (operator, length class) -> seen; length class "" for fixed-cost
        #: operators, "zero" / "positive" for the length-charged ones
        self.operators: set[tuple[str, str]] = set()
        self.grow_at_cap = False
        self.max_depth = 0
        self._memory: dict[int, int] = {}

    def instruction(self, event) -> None:
        depth = self.frames.depth if self.frames is not None else 0
        self._memory[depth] = event.memory_size
        cost = COSTS[event.op]
        if cost.per_unit:
            self.operators.add((event.op, "positive" if event.cost > cost.static else "zero"))
        else:
            self.operators.add((event.op, ""))
        if event.op == "memory.grow" and event.stack and event.stack[-1] > 0 \
                and event.memory_size == MAX_MEMORY_BYTES:
            self.grow_at_cap = True
        if depth > self.max_depth:
            self.max_depth = depth

    def host_call(self, event) -> None:
        frames = self.frames
        depth = frames.depth if frames is not None else 0
        name = event.name.split(".", 1)[-1]
        reentered = None
        if frames is not None and name in CROSS_CALLS:
            entered = frames.entered.pop(depth + 1, None)
            if entered is not None:
                reentered = entered[1] if entered[0] is not None else None
        self.host_calls.append(HostCallRecord(
            name=name,
            args=tuple(event.args),
            gas=event.gas,
            results=None if event.results is None else tuple(event.results),
            outcome=outcome_of(event.error),
            memory_size=self._memory.get(depth, 0),
            depth=depth,
            callee_reentered=reentered,
        ))


class ObservedExecutor(WasmExecutor):
    """The reference's executor on the reading tier under the ``spec`` fuel
    model, reporting to ``recorder`` (module docstring)."""

    def __init__(self, recorder: Recorder):
        super().__init__(ExecutorConfig(fuel_model=SPEC, tier=READING))
        self.machine = FrameTracker(self.machine)
        recorder.frames = self.machine
        self.machine_config = attrs.evolve(self.machine_config, observer=recorder)

    def load_module(self, address, code_hash, code):
        self.machine.pending = address
        return super().load_module(address, code_hash, code)

    def cache_module(self, address, module, wasm):
        self.machine.pending = address
        super().cache_module(address, module, wasm)
