"""``ACCOUNTS.rotate_auth_keys`` (chapter 11 §11.5 "Key rotation"; ABI §11
``RotateKeys (account key rotation) | Native``): "A key rotation transaction
signed by the current auth_keys updates the field and increments key_nonce
by 1."  The new keys must be a valid ``Single`` or ``MultiSig``: an account
cannot rotate itself into ``None`` (locked out) or the v2-reserved
``Programmable``.  The address never changes.
"""

from __future__ import annotations

from pyde_ref.executor.context import Outcome, Plan, TxContext, sender_pays
from pyde_ref.executor.handlers.base import SystemOp
from pyde_ref.executor.params import NATIVE_BASE_GAS
from pyde_ref.executor.rejections import INVALID_AUTH_KEYS, Rejection
from pyde_ref.executor.transactions import Status
from pyde_ref.state.accounts import U32_MAX, AuthKeys, AuthScheme
from pyde_ref.state.borsh import Reader
from pyde_ref.state.system import ACCOUNTS


def read(reader: Reader) -> AuthKeys:
    """Argument: the new ``AuthKeys`` (Borsh enum, :meth:`AuthKeys.encode`)."""
    return AuthKeys.decode_from(reader)


def plan(ctx: TxContext, new_keys: AuthKeys) -> Plan:
    problem = new_keys.problem()
    if problem is None and new_keys.scheme == AuthScheme.NONE:
        problem = "an account cannot rotate to None"
    if problem is not None:
        raise Rejection(INVALID_AUTH_KEYS, problem)
    if ctx.layer.account(ctx.sender).key_nonce == U32_MAX:
        raise Rejection(INVALID_AUTH_KEYS, "key_nonce is at its u32 maximum")
    return sender_pays(ctx, NATIVE_BASE_GAS)


def execute(ctx: TxContext, new_keys: AuthKeys, plan_: Plan) -> Outcome:
    account = ctx.layer.account(ctx.sender)
    ctx.layer.put_account(ctx.sender, account.evolve(auth_keys=new_keys, key_nonce=account.key_nonce + 1))
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS)


SYSTEM_OPS = (SystemOp(ACCOUNTS, "rotate_auth_keys", read, plan, execute),)
