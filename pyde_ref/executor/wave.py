"""A wave (ABI §15.1, §15.2; seed §3.5b).

Transactions apply in order, each on its own overlay (the ``tx_layer`` of
:mod:`.executor`) merged into the wave's overlay, within the wave's gas
ceiling (chapter 10 §10.3: a transaction whose ``gas_limit`` exceeds what
the earlier ones left is rejected); the wave's overlay then commits into a
copy of the base state.  The wave's events are every surviving event
of every transaction, numbered ``(wave_id, tx_index, event_index)`` in that
order (ABI §15.1), committed by ``events_root`` and ``events_bloom``
(ABI §15.2, computed by :mod:`pyde_ref.state.events`).
"""

from __future__ import annotations

from typing import Iterable, Optional

import attrs

from pyde_ref.abi.env import BlockContext
from pyde_ref.executor.deep import run_deep
from pyde_ref.executor.deploy import DeployRejected, validate_deploy
from pyde_ref.executor.executor import WAVE_GAS_CEILING, ExecutorConfig, WasmExecutor
from pyde_ref.executor.transactions import Receipt, Transaction
from pyde_ref.state.accounts import Account, AccountType
from pyde_ref.state.code import ContractCode
from pyde_ref.state.events import EventRecord, events_bloom, events_root, records_for_tx
from pyde_ref.state.overlay import State
from pyde_ref.wasm import FAST, SPEC


@attrs.frozen
class WaveResult:
    """Receipts in transaction order, the wave's event records and their
    commitments, and the post-state with its digest."""

    receipts: tuple[Receipt, ...]
    records: tuple[EventRecord, ...]
    events_root: bytes
    events_bloom: bytes
    state: State
    state_digest: bytes


def apply_wave(
    state: State,
    block: BlockContext,
    txs: Iterable[Transaction],
    executor: Optional[WasmExecutor] = None,
) -> WaveResult:
    """Apply ``txs`` in order to a copy of ``state``; ``state`` is unchanged."""
    executor = executor or WasmExecutor()
    post = state.copy()
    wave_layer = post.child()
    receipts: list[Receipt] = []
    records: list[EventRecord] = []

    def run_all() -> None:
        gas_left = WAVE_GAS_CEILING
        for index, tx in enumerate(txs):
            receipt = executor.apply(tx, wave_layer, block, index, gas_left)
            gas_left -= receipt.gas_used
            receipts.append(receipt)
            records.extend(records_for_tx(block.wave_id, index, receipt.events))

    run_deep(run_all)  # one execution thread for the whole wave
    wave_layer.merge()
    return WaveResult(
        receipts=tuple(receipts),
        records=tuple(records),
        events_root=events_root(records),
        events_bloom=events_bloom(records),
        state=post,
        state_digest=post.digest(),
    )


class GenesisError(ValueError):
    """A pre-deployed contract of the wave document fails deploy validation."""

    def __init__(self, address: bytes, rejection: DeployRejected):
        super().__init__(f"contracts[0x{address.hex()}].code: {rejection}")
        self.address = address
        self.rejection = rejection


def install_contract(state, address: bytes, wasm: bytes, balance: int = 0, nonce: int = 0) -> None:
    """Put a contract into ``state`` directly (a genesis contract): its code
    passes the same deploy validation as a ``ContractDeploy``
    (:class:`DeployRejected` otherwise), its constructor does not run."""
    prepared = validate_deploy(wasm)
    code_hash = state.put_code(ContractCode(bytes(wasm), prepared.abi))
    state.put_account(address, Account(balance, nonce, code_hash, AccountType.CONTRACT))


def genesis_state(accounts, contracts) -> State:
    """The pre-state of a wave document: plain accounts, then contracts
    (:func:`install_contract`) with the storage the document gives."""
    state = State()
    for address, acct in accounts:
        state.put_account(address, Account(acct.balance, acct.nonce))
    for address, contract in contracts:
        try:
            install_contract(state, address, contract.code, contract.balance, contract.nonce)
        except DeployRejected as exc:
            raise GenesisError(address, exc) from None
        for slot, value in contract.storage:
            state.sstore(address, slot, value)
    return state


def run_wave_input(wave_input, fuel_model: str = SPEC, tier: str = FAST) -> WaveResult:
    """Genesis state from the document, then the wave (on the machine's
    execution tier ``tier``)."""
    state = genesis_state(wave_input.accounts, wave_input.contracts)
    executor = WasmExecutor(ExecutorConfig(fuel_model=fuel_model, tier=tier))
    return apply_wave(state, wave_input.context, wave_input.txs, executor)
