"""Applying one transaction: the checks every type shares, its handler, the
fee (chapter 11 §11.4-§11.6, §11.8; chapter 10 §10.1, §10.5, §10.9).

Order -- the first rule a transaction breaks is the one its receipt names:

1.  ``tx_type`` is a §11.8 tag (``VacantTxType`` for 2, ``UnknownTxType``);
2.  the encoding fits ``MAX_TX_SIZE`` (``TxTooLarge``);
3.  ``chain_id`` is the wave's (``WrongChainId``);
4.  ``deadline``, when given, is after the wave (``DeadlineExpired``);
5.  no emergency pause, unless the type may run during one (``ChainPaused``);
6.  ``gas_limit`` fits what the wave has left (``WaveGasExceeded``);
7.  the access list lists no address or key twice (``AccessListDuplicate``);
8.  the sender is not the zero address, a system account or a contract;
9.  the payload decodes (``MalformedPayload`` and the type's own codes);
10. the nonce is resolved (an unsigned document may leave it to the
    sender's lowest unused one) and the hash computed (§11.6);
11. the signatures (§11.5), unless the document is unsigned or the type is
    ``RegisterPubkey``;
12. the nonce is in the window and unused (§11.4);
13. the handler's plan: its own rules and the payer;
14. ``gas_limit`` covers the type's fixed cost (``IntrinsicGasTooLow``);
15. the payer can pay ``gas_limit × base_fee``, the sender the value
    (``InsufficientBalance``, ``GasTankInsufficient``);
16. the handler executes;
17. the nonce is used, ``gas_used × base_fee`` charged and split 70/20/10.

Everything of steps 1-16 happens in the transaction's own overlay: a
rejection anywhere discards it, so a rejected transaction changes nothing
(no fee, no nonce, no write).  A revert or trap in step 16 discards the
execution's writes but keeps step 17.
"""

from __future__ import annotations

from typing import Optional

from pyde_ref.executor import rejections as rj
from pyde_ref.executor.auth import authorize
from pyde_ref.executor.context import Handler, PayerKind, TxContext, WaveEnv
from pyde_ref.executor.fees import charge_fee, check_affordable
from pyde_ref.executor.handlers import HANDLERS
from pyde_ref.executor.handlers.multisig import is_paused
from pyde_ref.executor.params import MAX_TX_SIZE
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import (
    Receipt,
    StateWrite,
    Status,
    Transaction,
    TxType,
    encode_transaction,
    tx_hash,
)
from pyde_ref.state.accounts import lowest_unused_nonce, nonce_problem, use_nonce
from pyde_ref.state.system import is_reserved_address


def handler_of(tx: Transaction) -> Handler:
    if tx.tx_type == TxType.VACANT:
        raise Rejection(rj.VACANT_TX_TYPE, "tag 2 is vacant (Batch was removed pre-mainnet, §11.9)")
    handler = HANDLERS.get(tx.tx_type)
    if handler is None:
        raise Rejection(rj.UNKNOWN_TX_TYPE, f"tx_type {tx.tx_type} is not a §11.8 tag")
    return handler


def check_envelope(tx: Transaction, handler: Handler, layer, env: WaveEnv, gas_left: int) -> None:
    """Steps 2-8: rules on the transaction as a whole."""
    size = len(encode_transaction(tx))
    if size > MAX_TX_SIZE:
        raise Rejection(rj.TX_TOO_LARGE, f"{size} bytes (at most {MAX_TX_SIZE})")
    if tx.chain_id != env.block.chain_id:
        raise Rejection(rj.WRONG_CHAIN_ID, f"chain_id {tx.chain_id}, the wave's is {env.block.chain_id}")
    if tx.deadline is not None and env.wave_id >= tx.deadline:
        raise Rejection(rj.DEADLINE_EXPIRED, f"deadline {tx.deadline}, wave {env.wave_id}")
    if not handler.allowed_when_paused and is_paused(layer, env.wave_id):
        raise Rejection(rj.CHAIN_PAUSED)
    if tx.gas_limit > gas_left:
        raise Rejection(rj.WAVE_GAS_EXCEEDED, f"gas_limit {tx.gas_limit}, the wave has {gas_left} left")
    addresses = [entry.address for entry in tx.access_list]
    if len(set(addresses)) != len(addresses) or any(
            len(set(e.storage_keys)) != len(e.storage_keys) for e in tx.access_list):
        raise Rejection(rj.ACCESS_LIST_DUPLICATE)
    if is_reserved_address(tx.sender):
        raise Rejection(rj.INVALID_SENDER, "from is the zero address or a system account")
    if layer.account(tx.sender).is_contract:
        raise Rejection(rj.SENDER_IS_CONTRACT, "a contract cannot sign a transaction")


def resolve_nonce(tx: Transaction, layer) -> Transaction:
    """Step 10: an unsigned document may leave ``nonce`` out; it is then the
    sender's lowest unused nonce (the window's base)."""
    if tx.nonce is not None:
        return tx
    account = layer.account(tx.sender)
    return tx.with_nonce(lowest_unused_nonce(account.nonce, account.nonce_bitmap))


def check_nonce(tx: Transaction, layer) -> None:
    """Step 12, chapter 11 §11.4 ``use_nonce``'s checks."""
    account = layer.account(tx.sender)
    problem = nonce_problem(account.nonce, account.nonce_bitmap, tx.nonce)
    if problem is not None:
        raise Rejection(problem, f"nonce {tx.nonce}, window [{account.nonce}, {account.nonce + 15}]")


def consume_nonce(tx: Transaction, layer) -> None:
    account = layer.account(tx.sender)
    base, bitmap = use_nonce(account.nonce, account.nonce_bitmap, tx.nonce)
    layer.put_account(tx.sender, account.evolve(nonce=base, nonce_bitmap=bitmap))


def apply_transaction(executor, tx: Transaction, layer, env: WaveEnv, tx_index: int, gas_left: int) -> Receipt:
    """Apply ``tx`` on top of ``layer`` (the wave's overlay); its writes
    merge into ``layer`` unless it is rejected."""
    tx_layer = layer.child()
    hashed: Optional[Transaction] = None
    digest: Optional[bytes] = None
    try:
        handler = handler_of(tx)
        check_envelope(tx, handler, tx_layer, env, gas_left)
        payload = handler.decode(tx)
        hashed = resolve_nonce(tx, tx_layer)
        digest = tx_hash(hashed)
        ctx = TxContext(executor, hashed, digest, tx_layer, tx_index, env)
        if handler.signed:
            authorize(tx_layer.account(tx.sender).auth_keys, tx.signatures, digest,
                      verify=env.signatures_checked)
        if handler.uses_nonce:
            check_nonce(hashed, tx_layer)
        plan = handler.plan(ctx, payload)
        if tx.gas_limit < plan.intrinsic_gas:
            raise Rejection(rj.INTRINSIC_GAS_TOO_LOW, f"gas_limit {tx.gas_limit} < {plan.intrinsic_gas}")
        check_affordable(tx_layer, hashed, plan.payer, env.block.base_fee, plan.sender_debit)
        outcome = handler.execute(ctx, payload, plan)
    except Rejection as rej:
        tx_layer.discard()
        return Receipt(Status.REJECTED, error_code=rej.error_code, code=rej.code, reason=rej.reason,
                       tx_type=tx.tx_type, tx_hash=digest, nonce=None if hashed is None else hashed.nonce)
    if handler.uses_nonce:
        consume_nonce(hashed, tx_layer)
    fee = None
    if handler.pays_fee and plan.payer.kind != PayerKind.NONE:
        fee = charge_fee(tx_layer, plan.payer, outcome.gas_used, env.block.base_fee)
    receipt = Receipt(
        outcome.status,
        gas_used=outcome.gas_used,
        trap=outcome.trap,
        return_data=outcome.return_data,
        revert_reason=outcome.revert_reason,
        contract_address=outcome.contract_address,
        events=tuple(tx_layer.events),
        writes=tuple(StateWrite(t, k, v) for t, k, v in tx_layer.write_set()),
        tx_type=tx.tx_type,
        tx_hash=digest,
        nonce=hashed.nonce,
        fee=fee,
        parachain=outcome.parachain,
    )
    tx_layer.merge()
    return receipt
