"""``RegisterPubkey`` (tag 13, chapter 11 §11.8): "First-time pubkey
registration for a funded-but-unregistered account.  No signature, no gas,
no value -- proof of pubkey ownership is the address-derivation check [...].
Allowed only when ``balance > 0`` and ``auth_keys == AuthKeys::None``.
After execution, ``auth_keys = AuthKeys::Single(tx.data)``."

``data`` is the 897-byte FALCON-512 public key; ``Poseidon2(data)`` must be
the sender's address (chapter 11 §11.2).  It pays no fee and uses no nonce
(nothing about it can be replayed: a second registration finds
``auth_keys`` set).
"""

from __future__ import annotations

from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.context import Handler, Outcome, Payer, PayerKind, Plan, TxContext
from pyde_ref.executor.handlers.common import decode_public_key, require_no_value, require_zero_to
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import FeePayerKind, Status
from pyde_ref.state.accounts import AuthScheme, single_key


def plan(ctx: TxContext, public_key: bytes) -> Plan:
    require_zero_to(ctx)
    require_no_value(ctx)
    if ctx.tx.fee_payer.kind != FeePayerKind.SENDER:
        raise Rejection(rj.FEE_PAYER_NOT_APPLICABLE, "RegisterPubkey pays no fee")
    if poseidon2_hash(public_key) != ctx.sender:
        raise Rejection(rj.PUBKEY_MISMATCH, "Poseidon2(public key) is not the sender's address")
    account = ctx.layer.account(ctx.sender)
    if account.auth_keys.scheme != AuthScheme.NONE:
        raise Rejection(rj.ALREADY_REGISTERED, f"auth_keys is {account.auth_keys.name}")
    if account.balance == 0:
        raise Rejection(rj.UNFUNDED_ACCOUNT)
    return Plan(Payer(PayerKind.NONE, ctx.sender))


def execute(ctx: TxContext, public_key: bytes, plan_: Plan) -> Outcome:
    account = ctx.layer.account(ctx.sender)
    ctx.layer.put_account(ctx.sender, account.evolve(auth_keys=single_key(public_key)))
    return Outcome(Status.SUCCESS, 0)


HANDLER = Handler("RegisterPubkey", decode_public_key, plan, execute, signed=False, uses_nonce=False, pays_fee=False)
