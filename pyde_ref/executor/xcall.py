"""Cross-parachain messages across waves: the engine-generated
``XCallDelivery`` and ``XCallCallback`` transactions (PARACHAIN_DESIGN §9,
ABI §8.4; readings: ``spec/findings/parachain-xcall.md``).

A message queued by ``send_xparachain_message`` in wave N is handled by the
engine at the start of a later wave, before the wave's transactions, in
message-id order, one step per message and wave:

* still queued, and the wave is past ``issued_at_wave + timeout_waves``:
  the source's callback runs with outcome ``timeout`` (§14 "Callback fires
  with ``XCallTimeout``");
* still queued, its target killed: the callback runs with
  ``target_unavailable``;
* still queued, its target paused: it waits (§6.3: no new transaction
  reaches a paused parachain);
* still queued otherwise: ``XCallDelivery`` -- the target's
  ``receive_xparachain_message`` runs with the message as calldata, the
  source as ``pyde::caller`` and :data:`XCALL_DELIVERY_GAS`; its outcome
  (return data, revert reason, trap kind, or the dispatch refusal) is
  recorded in the message (§9 step 6: "recorded in the target's
  outgoing-queue");
* responded in an earlier wave: ``XCallCallback`` -- the source's
  ``callback_fn`` runs with the callback context
  (:func:`pyde_ref.state.parachains.callback_context`), the target as
  ``pyde::caller`` and ``max_callback_gas``; the message is then removed.
  A killed source gets no callback: the message is dropped (§14 "dropped +
  logged"), its receipt ``rejected`` with ``ParachainKilled``.

Engine transactions have no sender, nonce, signature or fee; ``pyde::origin``
is the message's ``original_caller``; their hash
(:func:`engine_tx_hash`) names kind, message and wave.  Each has a receipt
(its ``xcall`` field says what it ran) and takes the next ``tx_index`` of
the wave, so their events are numbered and committed like any others; a
receipt's writes are the frame's (when it succeeded) plus the message's own
bookkeeping, even for a ``rejected`` one, whose frame never ran.
"""

from __future__ import annotations

from typing import Optional

from pyde_ref.abi.env import SubcallResult, SubcallStatus
from pyde_ref.abi.constants import error_name
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import dispatch
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.context import WaveEnv
from pyde_ref.executor.frames import TxRun
from pyde_ref.executor.handlers.common import frame_outcome
from pyde_ref.executor.parachain_frames import parachain_ref, run_parachain_entry, running_module
from pyde_ref.executor.params import XCALL_DELIVERY_GAS, XCALL_RECEIVE_FUNCTION
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import EngineTx, Receipt, StateWrite, Status, XCallRef
from pyde_ref.state.borsh import Writer
from pyde_ref.state.overlay import XCALL
from pyde_ref.state.parachains import (
    ParachainStatus,
    XCallMessage,
    XCallOutcome,
    XCallStatus,
    callback_context,
)

ENGINE_TX_DOMAIN = "pyde-engine-tx"


def engine_tx_hash(kind: str, xcall_id: int, wave_id: int) -> bytes:
    """``Poseidon2("pyde-engine-tx" || kind || xcall_id u64 || wave_id
    u64)`` (strings in Borsh): what ``pyde::tx_hash`` returns in an engine
    transaction and its receipt's ``tx_hash``."""
    return poseidon2_hash(Writer().string(ENGINE_TX_DOMAIN).string(kind).u64(xcall_id).u64(wave_id).out())


class _Engine:
    """The engine transactions of one wave, on the wave's overlay."""

    def __init__(self, executor, layer, env: WaveEnv, first_index: int):
        self.executor = executor
        self.layer = layer
        self.env = env
        self.receipts: list[Receipt] = []
        self.first_index = first_index

    @property
    def wave(self) -> int:
        return self.env.wave_id

    def run_frame(self, tx_layer, kind: str, message: XCallMessage, pid: bytes, entry: str, caller: bytes,
                  calldata: bytes, budget: int):
        """One entry frame of parachain ``pid`` at function ``entry``; the
        outcome, or the ABI §4 code that refused the dispatch."""
        record = tx_layer.parachain(pid)
        module = running_module(self.executor, tx_layer, pid, record)
        target = dispatch.resolve(module.abi, entry, 0)
        if isinstance(target, int) or dispatch.constructor_lockout(target) is not None:
            return target if isinstance(target, int) else dispatch.constructor_lockout(target)
        tx_hash = engine_tx_hash(kind, message.xcall_id, self.wave)
        run = TxRun(self.executor, self.env.block, message.original_caller, tx_hash,
                    self.first_index + len(self.receipts))
        result = run_parachain_entry(run, tx_layer, pid, record, module, target, caller, calldata, 0, budget)
        return result.error_code if result.status == SubcallStatus.REJECTED else result

    def finish(self, tx_layer, kind: str, message: XCallMessage, pid: bytes, outcome: int,
               result, rejection: Optional[Rejection] = None) -> None:
        """The receipt of one engine transaction; ``tx_layer`` merges."""
        ref = XCallRef(kind, message.xcall_id, message.source, message.target, XCallOutcome.NAMES[outcome])
        record = tx_layer.parachain(pid)
        common = dict(
            events=tuple(tx_layer.events),
            writes=tuple(StateWrite(t, k, v) for t, k, v in tx_layer.write_set()),
            tx_hash=engine_tx_hash(kind, message.xcall_id, self.wave),
            parachain=None if record is None else parachain_ref(pid, record),
            xcall=ref,
        )
        if rejection is not None:
            receipt = Receipt(Status.REJECTED, code=rejection.code, reason=rejection.reason,
                              error_code=rejection.error_code, **common)
        else:
            o = frame_outcome(result)
            receipt = Receipt(o.status, gas_used=o.gas_used, trap=o.trap, return_data=o.return_data,
                              revert_reason=o.revert_reason, **common)
        tx_layer.merge()
        self.receipts.append(receipt)

    # -- the two kinds ------------------------------------------------------

    def deliver(self, message: XCallMessage) -> None:
        """``XCallDelivery``: run the target's receiving function, record
        its outcome in the message."""
        tx_layer = self.layer.child()
        result = self.run_frame(tx_layer, EngineTx.XCALL_DELIVERY, message, message.target,
                                XCALL_RECEIVE_FUNCTION, message.source, message.message, XCALL_DELIVERY_GAS)
        rejection = None
        if isinstance(result, int):
            outcome, data = XCallOutcome.REFUSED, result.to_bytes(4, "little", signed=True)
            rejection = Rejection(rj.ENTRY_REFUSED, f"{XCALL_RECEIVE_FUNCTION}: {error_name(result)}",
                                  error_code=result)
        else:
            outcome, data = response_of(result)
        tx_layer.put_xcall(message.evolve(status=XCallStatus.RESPONDED, outcome=outcome, result=data,
                                          responded_at_wave=self.wave))
        self.finish(tx_layer, EngineTx.XCALL_DELIVERY, message, message.target, outcome, result, rejection)

    def call_back(self, message: XCallMessage) -> None:
        """``XCallCallback``: run the source's callback with the context,
        then remove the message; a killed source gets none."""
        tx_layer = self.layer.child()
        source = tx_layer.parachain(message.source)
        rejection = None
        result = None
        if source is None or source.status == ParachainStatus.KILLED:
            rejection = Rejection(rj.PARACHAIN_KILLED, f"message {message.xcall_id} dropped: its source was killed")
        else:
            result = self.run_frame(tx_layer, EngineTx.XCALL_CALLBACK, message, message.source,
                                    message.callback_fn, message.target, callback_context(message),
                                    message.max_callback_gas)
            if isinstance(result, int):
                rejection = Rejection(rj.ENTRY_REFUSED, f"{message.callback_fn}: {error_name(result)}",
                                      error_code=result)
        tx_layer.delete_xcall(message.xcall_id)
        self.finish(tx_layer, EngineTx.XCALL_CALLBACK, message, message.source, message.outcome, result, rejection)

    # -- one step per message -------------------------------------------------

    def step(self, message: XCallMessage) -> None:
        if message.status == XCallStatus.RESPONDED:
            if message.responded_at_wave < self.wave:
                self.call_back(message)
            return
        if self.wave > message.issued_at_wave + message.timeout_waves:
            self.call_back(message.evolve(outcome=XCallOutcome.TIMEOUT, result=b""))
            return
        target = self.layer.parachain(message.target)
        if target is None or target.status == ParachainStatus.KILLED:
            self.call_back(message.evolve(outcome=XCallOutcome.TARGET_UNAVAILABLE, result=b""))
        elif target.status != ParachainStatus.PAUSED:
            self.deliver(message)


def response_of(result: SubcallResult) -> tuple[int, bytes]:
    """The outcome and result bytes a delivery records."""
    if result.status == SubcallStatus.SUCCESS:
        return XCallOutcome.SUCCESS, result.return_data
    if result.status == SubcallStatus.REVERT:
        return XCallOutcome.REVERT, result.return_data
    return XCallOutcome.TRAP, (result.trap or "").encode("utf-8")


def run_engine_transactions(executor, layer, env: WaveEnv) -> list[Receipt]:
    """Every message's step at the start of the wave (module docstring),
    in message-id order; the receipts, numbered from ``tx_index`` 0."""
    engine = _Engine(executor, layer, env, 0)
    for _key, message in layer.items(XCALL):
        engine.step(message)
    return engine.receipts

