"""What a transaction handler sees and returns.

Every transaction type of chapter 11 §11.8 (and every system operation a
``Standard`` transaction can address, :mod:`.handlers.system`) is a
:class:`Handler`: three plain functions and three flags.

``decode(tx) -> payload``
    the type-specific payload out of ``tx.data`` (``MalformedPayload``
    otherwise);
``plan(ctx, payload) -> Plan``
    every type-specific validation that needs no write, and who pays the fee
    (:class:`Payer`); raises :class:`~.rejections.Rejection`;
``execute(ctx, payload, plan) -> Outcome``
    the state effects, written into ``ctx.layer`` (the transaction's overlay,
    discarded entirely if anything raises a rejection).

The pipeline (:mod:`.pipeline`) runs the checks common to all types around
them, in a fixed order, and settles the fee.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import attrs

from pyde_ref.abi.env import BlockContext
from pyde_ref.executor.params import epoch_of
from pyde_ref.executor.rejections import FEE_PAYER_NOT_APPLICABLE, Rejection
from pyde_ref.executor.transactions import FeePayerKind, Transaction


@attrs.frozen
class WaveEnv:
    """The wave a transaction is applied in: its block context and whether
    the document's signatures are checked (``False`` for a document that
    says it carries unsigned transactions)."""

    block: BlockContext
    signatures_checked: bool = True

    @property
    def wave_id(self) -> int:
        return self.block.wave_id

    @property
    def epoch(self) -> int:
        return epoch_of(self.block.wave_id)


class PayerKind:
    SENDER = "sender"
    GAS_TANK = "gas_tank"
    PAYMASTER = "paymaster"
    NONE = "none"


@attrs.frozen
class Payer:
    """Who pays the fee: the sender's balance, or the ``gas_tank`` of
    ``account`` (a contract for ``GAS_TANK``, the paymaster for
    ``PAYMASTER``), or nobody (``RegisterPubkey``)."""

    kind: str
    account: bytes

    @property
    def from_tank(self) -> bool:
        return self.kind in (PayerKind.GAS_TANK, PayerKind.PAYMASTER)


@attrs.frozen
class Plan:
    """What :func:`Handler.plan` decided: the payer, the gas the type costs
    before any metered work (``gas_limit`` below it is rejected) and what
    else the sender's balance must cover beyond ``value`` and the fee (the
    unjail fee)."""

    payer: Payer
    intrinsic_gas: int = 0
    sender_debit: int = 0
    details: Any = None


@attrs.frozen
class Outcome:
    """What :func:`Handler.execute` reports; the pipeline adds the fee,
    nonce, hash, events and writes.  ``status`` is a
    :class:`~.transactions.Status` other than ``REJECTED``."""

    status: str
    gas_used: int
    return_data: bytes = b""
    revert_reason: bytes = b""
    trap: Optional[str] = None
    contract_address: Optional[bytes] = None
    parachain: Any = None
    """The :class:`~.transactions.ParachainRef` of a parachain transaction."""


@attrs.define
class TxContext:
    """One transaction being applied: the executor (machine, module cache),
    the transaction with its nonce resolved and its hash, its overlay, its
    position and the wave."""

    executor: Any
    tx: Transaction
    tx_hash: bytes
    layer: Any
    tx_index: int
    env: WaveEnv

    @property
    def block(self) -> BlockContext:
        return self.env.block

    @property
    def wave_id(self) -> int:
        return self.env.wave_id

    @property
    def epoch(self) -> int:
        return self.env.epoch

    @property
    def sender(self) -> bytes:
        return self.tx.sender


@attrs.frozen
class Handler:
    """A transaction type (or system operation): its name, payload decoder,
    planner and executor.

    ``signed``: the sender's ``auth_keys`` must sign it (all but
    ``RegisterPubkey``).  ``uses_nonce``: it consumes a nonce of the window.
    ``pays_fee``: its gas is paid at ``base_fee``.  ``allowed_when_paused``:
    it runs during an emergency pause (``EmergencyResume`` only)."""

    name: str
    decode: Callable[[Transaction], Any]
    plan: Callable[[TxContext, Any], Plan]
    execute: Callable[[TxContext, Any, Plan], Outcome]
    signed: bool = True
    uses_nonce: bool = True
    pays_fee: bool = True
    allowed_when_paused: bool = False


def sender_pays(ctx: TxContext, intrinsic_gas: int = 0, sender_debit: int = 0, details: Any = None) -> Plan:
    """The plan of a type only its sender can pay for (every type but a
    ``Standard`` transfer or contract call): any other ``fee_payer`` is
    ``FeePayerNotApplicable``."""
    if ctx.tx.fee_payer.kind != FeePayerKind.SENDER:
        raise Rejection(FEE_PAYER_NOT_APPLICABLE,
                        f"{FeePayerKind.NAMES[ctx.tx.fee_payer.kind]} cannot pay for this transaction type")
    return Plan(Payer(PayerKind.SENDER, ctx.sender), intrinsic_gas, sender_debit, details)
