"""Observing the executor on the reading tier.

An :class:`ExecutionObserver` is a machine observer (:class:`pyde_ref.wasm.Observer`:
every instruction, function entry and host call) that the executor also tells
where the machine's steps belong: which wave and transaction run, which
contract frame (an entry frame, or a cross-call's callee, ABI §13.1) starts
and how it ends, and how each host call's gas splits into the parts of its
ABI §10 row (:class:`pyde_ref.abi.gas.GasCharge`, as the charging code
computed them).  Pass one as ``ExecutorConfig(tier="reading", observer=...)``;
``pyde-ref wave --trace`` writes what it is told as an instruction trace
(``spec/trace-format.md``).

Order: ``wave_start``; per transaction ``transaction_start``, then for each
frame ``frame_start``, the machine's events (a cross-call's callee frame
nested inside the host call that asked for it), ``frame_end``; then
``transaction_end``.  ``host_charges`` comes right before the machine's
``host_call`` for the same call.
"""

from __future__ import annotations

from pyde_ref.abi.env import SubcallResult
from pyde_ref.abi.gas import GasCharge
from pyde_ref.executor.transactions import Receipt, Transaction
from pyde_ref.wasm import Observer


class ExecutionObserver(Observer):
    """Subclass it and override what you need; every method does nothing here."""

    def wave_start(self, wave_id: int) -> None:
        """A wave begins (before the engine's own steps at its start)."""

    def transaction_start(self, wave_id: int, index: int, tx: Transaction) -> None:
        """Transaction ``index`` of the wave is about to be applied."""

    def transaction_end(self, wave_id: int, index: int, receipt: Receipt) -> None:
        """Transaction ``index`` was applied (or rejected): its receipt."""

    def frame_start(self, request) -> None:
        """A contract frame starts (:class:`pyde_ref.executor.frames.FrameRequest`)."""

    def frame_end(self, request, result: SubcallResult) -> None:
        """The frame of ``request`` ended with ``result`` (its gas, status, trap)."""

    def host_charges(self, charges: tuple[GasCharge, ...]) -> None:
        """The charges the host call about to be reported paid, in order."""
