"""A wave and a chain of waves (ABI §15.1, §15.2; seed §3.5b).

A wave first runs the engine's own steps (:func:`begin_wave`): owner
upgrades whose grace period is over activate (seed §3.10), at the first
wave of a new epoch the reward pool is credited to the validators
(chapter 10 §10.5), parachain versions whose grace period is over become
current and proposals whose voting window closed are tallied
(PARACHAIN_DESIGN §6.2, §7).  Then the engine's transactions run -- the
deliveries and callbacks of cross-parachain messages queued in earlier
waves (:mod:`.xcall`) -- and then the wave's own transactions, in order,
each on its own overlay merged into the wave's, all within the wave's gas
ceiling (chapter 10 §10.3); the wave's overlay then commits into a copy of
the base state.
The wave's events are every surviving event of every transaction, numbered
``(wave_id, tx_index, event_index)`` in that order (ABI §15.1), committed
by ``events_root`` and ``events_bloom`` (ABI §15.2).

A chain applies waves one after the other, each on the post-state of the
one before; wave ids must increase.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

import attrs

from pyde_ref.abi.env import BlockContext
from pyde_ref.executor.context import WaveEnv
from pyde_ref.executor.deep import run_deep
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.genesis import build_state
from pyde_ref.executor.handlers.contracts import activate_due_upgrades
from pyde_ref.executor.handlers.parachains import Tally, VersionSwitch, activate_versions, tally_due_proposals
from pyde_ref.executor.handlers.staking import RewardDistribution, begin_epoch
from pyde_ref.executor.params import WAVE_GAS_CEILING
from pyde_ref.executor.transactions import Receipt, StateWrite, Transaction
from pyde_ref.executor.xcall import run_engine_transactions
from pyde_ref.state.events import EventRecord, events_bloom, events_root, records_for_tx
from pyde_ref.state.overlay import State
from pyde_ref.state.records import UpgradeRecord
from pyde_ref.wasm import FAST, SPEC


@attrs.frozen
class WaveStart:
    """The engine's steps at the start of a wave: upgrades activated
    (``(contract, record)``), the epoch's reward distribution, parachain
    versions switched and proposals tallied, and their writes."""

    upgrades: tuple[tuple[bytes, UpgradeRecord], ...] = ()
    rewards: Optional[RewardDistribution] = None
    writes: tuple[StateWrite, ...] = ()
    parachain_upgrades: tuple[VersionSwitch, ...] = ()
    tallies: tuple[Tally, ...] = ()


@attrs.frozen
class WaveResult:
    """Receipts in transaction order, the wave's event records and their
    commitments, the post-state with its digest, and what the wave's start
    did."""

    wave_id: int
    receipts: tuple[Receipt, ...]
    records: tuple[EventRecord, ...]
    events_root: bytes
    events_bloom: bytes
    state: State
    state_digest: bytes
    start: WaveStart = WaveStart()
    signatures_checked: bool = True


def begin_wave(executor: WasmExecutor, layer, env: WaveEnv) -> WaveStart:
    """Seed §3.10 upgrade activation, then chapter 10 §10.5's epoch reward
    distribution, in an overlay of their own merged into ``layer``."""
    start_layer = layer.child()
    upgrades = activate_due_upgrades(start_layer, env.wave_id, executor.cache)
    rewards = begin_epoch(start_layer, env.wave_id)
    switches = activate_versions(start_layer, env.wave_id, executor.cache)
    tallies = tally_due_proposals(start_layer, env.wave_id)
    writes = tuple(StateWrite(t, k, v) for t, k, v in start_layer.write_set())
    start_layer.merge()
    return WaveStart(tuple(upgrades), rewards, writes, tuple(switches), tuple(tallies))


def apply_wave(
    state: State,
    block: Union[BlockContext, WaveEnv],
    txs: Iterable[Transaction],
    executor: Optional[WasmExecutor] = None,
) -> WaveResult:
    """Apply one wave to a copy of ``state``; ``state`` is unchanged."""
    executor = executor or WasmExecutor()
    env = block if isinstance(block, WaveEnv) else WaveEnv(block)
    post = state.copy()
    wave_layer = post.child()
    receipts: list[Receipt] = []
    records: list[EventRecord] = []
    started: list[WaveStart] = []

    def run_all() -> None:
        if executor.observer is not None:
            executor.observer.wave_start(env.wave_id)
        started.append(begin_wave(executor, wave_layer, env))
        gas_left = WAVE_GAS_CEILING
        for receipt in run_engine_transactions(executor, wave_layer, env):
            gas_left -= receipt.gas_used
            records.extend(records_for_tx(env.wave_id, len(receipts), receipt.events))
            receipts.append(receipt)
        for tx in txs:
            index = len(receipts)
            receipt = executor.apply(tx, wave_layer, env, index, gas_left)
            gas_left -= receipt.gas_used
            receipts.append(receipt)
            records.extend(records_for_tx(env.wave_id, index, receipt.events))

    run_deep(run_all)  # one execution thread for the whole wave
    wave_layer.merge()
    return WaveResult(
        wave_id=env.wave_id,
        receipts=tuple(receipts),
        records=tuple(records),
        events_root=events_root(records),
        events_bloom=events_bloom(records),
        state=post,
        state_digest=post.digest(),
        start=started[0],
        signatures_checked=env.signatures_checked,
    )


@attrs.frozen
class WaveInput:
    """One wave of a chain: its block context and its transactions."""

    context: BlockContext
    txs: tuple[Transaction, ...]


@attrs.frozen
class ChainResult:
    waves: tuple[WaveResult, ...]
    state: State
    state_digest: bytes


class WaveOrderError(ValueError):
    """Wave ids of a chain do not increase."""


def apply_chain(state: State, waves: Sequence[WaveInput], executor: Optional[WasmExecutor] = None,
                signatures_checked: bool = True) -> ChainResult:
    """Apply ``waves`` in order, each on the post-state of the previous one;
    ``state`` is unchanged."""
    executor = executor or WasmExecutor()
    results = []
    previous: Optional[int] = None
    for wave in waves:
        if previous is not None and wave.context.wave_id <= previous:
            raise WaveOrderError(f"wave_id {wave.context.wave_id} after wave {previous}")
        previous = wave.context.wave_id
        result = apply_wave(state, WaveEnv(wave.context, signatures_checked), wave.txs, executor)
        results.append(result)
        state = result.state
    return ChainResult(tuple(results), state, state.digest())


def run_document(document, fuel_model: str = SPEC, executor: Optional[WasmExecutor] = None,
                 tier: str = FAST, observer=None) -> ChainResult:
    """A parsed wave or chain document (:mod:`.wave_json`): its pre-state,
    then its waves (on the machine's execution tier ``tier``, told to
    ``observer``, an :class:`.observe.ExecutionObserver`, if any)."""
    executor = executor or WasmExecutor(ExecutorConfig(fuel_model=fuel_model, tier=tier, observer=observer))
    return apply_chain(build_state(document.prestate), document.waves, executor, document.signatures_checked)
