"""``Standard`` (tag 0, chapter 11 §11.8): "Value transfer or contract call".

What it does depends on ``to`` and ``data``:

* ``to`` is a system operation address: the operation named by ``data``
  (:mod:`.system`);
* ``data`` is empty: a native value transfer (ABI §11, seed §3.9b): fixed
  21,000 gas, no wasm, even to a contract (no ``receive`` runs);
* otherwise a contract call: ``data`` is the function name and the calldata
  (:func:`~pyde_ref.executor.transactions.encode_call`), dispatched as ABI
  §3.5.2 says and run in one entry frame;
* ``to`` is a registered parachain's id: the seed §3.9b ``ParachainCall``
  (a call routed to the parachain's current version, or with empty
  ``data`` a transfer to its account), refused while the parachain is
  paused or killed (PARACHAIN_DESIGN §6.3, §6.4).  A parachain has no gas
  tank: only its sender or a paymaster pays
  (``spec/findings/parachain-lifecycle.md``).

Who pays (chapter 10 §10.7, ABI §3.5): a ``sponsored`` function is paid by
its contract's gas tank whatever ``fee_payer`` says; otherwise
``FeePayer::GasTank`` names the target contract's tank, and
``FeePayer::Paymaster(p)`` the paymaster's tank after ``p``'s
``validate_sponsorship(user, target, data)`` returned true within 100,000
gas (its gas is part of the transaction's, its writes stay, a refusal
rejects the transaction).
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from pyde_ref.abi.constants import (
    ATTR_SPONSORED,
    ERR_FORBIDDEN,
    ERR_INVALID_FUNCTION_NAME,
    ERR_VALUE_TRANSFER_NOT_PAYABLE,
    HostTrapKind,
    NATIVE_TRANSFER_GAS,
)
from pyde_ref.abi.env import SubcallStatus, TxAccessList
from pyde_ref.executor import dispatch
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.context import Handler, Outcome, Payer, PayerKind, Plan, TxContext
from pyde_ref.executor.fees import credit_balance, debit_balance
from pyde_ref.executor.handlers.base import SystemOp
from pyde_ref.executor.handlers.common import (
    contract_module,
    frame_outcome,
    require_no_value,
    require_plain_recipient,
    require_running,
    run_entry,
    tx_run,
)
from pyde_ref.executor.handlers.system import SYSTEM_OPS
from pyde_ref.executor.parachain_frames import parachain_ref, run_parachain_entry, running_module
from pyde_ref.executor.params import MAX_CALLDATA, PAYMASTER_VALIDATE_FUNCTION, PAYMASTER_VALIDATION_GAS
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import (
    AccessType,
    FeePayerKind,
    Status,
    Transaction,
    decode_call,
)
from pyde_ref.state.borsh import Writer
from pyde_ref.state.parachains import ParachainRecord
from pyde_ref.state.system import OPERATION_ADDRESSES


@attrs.frozen
class TransferPayload:
    """Empty ``data``: move ``value`` to ``to``."""


@attrs.frozen
class CallPayload:
    function: str
    calldata: bytes


@attrs.frozen
class SystemPayload:
    op: SystemOp
    args: Any


def decode(tx: Transaction):
    if tx.to in OPERATION_ADDRESSES:
        if not tx.data:
            raise Rejection(rj.UNKNOWN_SYSTEM_OPERATION,
                            f"system address {OPERATION_ADDRESSES[tx.to]} takes operations, not transfers")
        function, args = decode_call(tx.data)
        op = SYSTEM_OPS.get((tx.to, function))
        if op is None:
            raise Rejection(rj.UNKNOWN_SYSTEM_OPERATION,
                            f"no operation {function!r} at system address {OPERATION_ADDRESSES[tx.to]}")
        return SystemPayload(op, op.decode_args(args))
    if not tx.data:
        return TransferPayload()
    return CallPayload(*decode_call(tx.data))


# --------------------------------------------------------------------------
# plan: validation and the payer
# --------------------------------------------------------------------------

_DISPATCH_CODES = {
    ERR_INVALID_FUNCTION_NAME: rj.UNKNOWN_FUNCTION,
    ERR_VALUE_TRANSFER_NOT_PAYABLE: rj.NOT_PAYABLE,
    ERR_FORBIDDEN: rj.CONSTRUCTOR_LOCKOUT,
}


def _dispatch_refusal(code: int, what: str) -> Rejection:
    return Rejection(_DISPATCH_CODES[code], what)


def tx_payer(ctx: TxContext, contract: Optional[bytes]) -> Payer:
    """The payer ``fee_payer`` names: the sender, the tank of the target
    contract ``contract`` (``None`` when the target has no code:
    ``FeePayerNotApplicable``) or the paymaster's tank."""
    fee_payer = ctx.tx.fee_payer
    if fee_payer.kind == FeePayerKind.GAS_TANK:
        if contract is None:
            raise Rejection(rj.FEE_PAYER_NOT_APPLICABLE, "FeePayer::GasTank needs a contract target")
        return Payer(PayerKind.GAS_TANK, contract)
    if fee_payer.kind == FeePayerKind.PAYMASTER:
        if not ctx.layer.account(fee_payer.paymaster).is_contract:
            raise Rejection(rj.PAYMASTER_NOT_CONTRACT, f"paymaster 0x{fee_payer.paymaster.hex()} has no code")
        return Payer(PayerKind.PAYMASTER, fee_payer.paymaster)
    return Payer(PayerKind.SENDER, ctx.sender)


def resolve_entry(module, payload: CallPayload, value: int) -> dispatch.Target:
    """ABI §3.5.2 dispatch of a transaction's call, or its rejection."""
    if len(payload.calldata) > MAX_CALLDATA:
        raise Rejection(rj.CALLDATA_TOO_LARGE, f"{len(payload.calldata)} bytes of calldata (at most {MAX_CALLDATA})")
    target = dispatch.resolve(module.abi, payload.function, value)
    if isinstance(target, int):
        raise _dispatch_refusal(target, f"dispatch of {payload.function!r}")
    for refusal in (dispatch.constructor_lockout(target), dispatch.payable_check(target, value)):
        if refusal is not None:
            raise _dispatch_refusal(refusal, f"dispatch of {target.name!r}")
    return target


@attrs.frozen
class ParachainCallPlan:
    """A ``ParachainCall``: the parachain's record, running module and the
    function the call resolved to."""

    record: ParachainRecord
    module: Any
    target: dispatch.Target


def plan_parachain(ctx: TxContext, payload, record: ParachainRecord) -> Plan:
    """Seed §3.9b ``ParachainCall`` (or a transfer to the parachain's
    account): refused while paused or killed; paid by the sender or a
    paymaster."""
    require_running(record, ctx.tx.to)
    payer = tx_payer(ctx, None)
    if isinstance(payload, TransferPayload):
        return Plan(payer, NATIVE_TRANSFER_GAS)
    module = running_module(ctx.executor, ctx.layer, ctx.tx.to, record)
    target = resolve_entry(module, payload, ctx.tx.value)
    if target.has(ATTR_SPONSORED):
        raise Rejection(rj.FEE_PAYER_NOT_APPLICABLE, "a parachain has no gas tank to sponsor a call")
    return Plan(payer, 0, details=ParachainCallPlan(record, module, target))


def plan(ctx: TxContext, payload) -> Plan:
    tx = ctx.tx
    if isinstance(payload, SystemPayload):
        if tx.value and not payload.op.takes_value:
            require_no_value(ctx)
        return payload.op.plan(ctx, payload.args)
    require_plain_recipient(tx.to)
    record = ctx.layer.parachain(tx.to)
    if record is not None:
        return plan_parachain(ctx, payload, record)
    target_is_contract = ctx.layer.account(tx.to).is_contract
    if isinstance(payload, TransferPayload):
        payer = tx_payer(ctx, tx.to if target_is_contract else None)
        return Plan(payer, NATIVE_TRANSFER_GAS)
    if not target_is_contract:
        raise Rejection(rj.TARGET_HAS_NO_CODE, f"0x{tx.to.hex()} has no code")
    module = contract_module(ctx, tx.to)
    target = resolve_entry(module, payload, tx.value)
    if target.has(ATTR_SPONSORED):  # ABI §3.5: the contract's tank pays
        payer = Payer(PayerKind.GAS_TANK, tx.to)
    else:
        payer = tx_payer(ctx, tx.to)
    return Plan(payer, 0, details=(module, target))


# --------------------------------------------------------------------------
# execute
# --------------------------------------------------------------------------


def paymaster_calldata(user: bytes, target: bytes, data: bytes) -> bytes:
    """The calldata of ``validate_sponsorship(user, target, calldata)``:
    Borsh ``([u8; 32], [u8; 32], Vec<u8>)`` -- the sender, the target and the
    transaction's whole ``data``."""
    return Writer().fixed(user, 32).fixed(target, 32).bytes_vec(data).out()


def validate_sponsorship(ctx: TxContext, paymaster: bytes, budget: int) -> int:
    """Chapter 10 §10.7: run the paymaster's ``validate_sponsorship`` with at
    most ``budget`` (<= 100,000) gas; it sponsors when it returns the single
    byte ``0x01``.  Returns the gas it used; ``PaymasterRefused`` otherwise."""
    module = contract_module(ctx, paymaster)
    fn = dispatch.public_function(module.abi, PAYMASTER_VALIDATE_FUNCTION)
    if fn is None:
        raise Rejection(rj.PAYMASTER_REFUSED, f"the paymaster has no {PAYMASTER_VALIDATE_FUNCTION} entry")
    target = dispatch.resolve(module.abi, PAYMASTER_VALIDATE_FUNCTION, 0)
    if dispatch.constructor_lockout(target) is not None:
        raise Rejection(rj.PAYMASTER_REFUSED, f"{PAYMASTER_VALIDATE_FUNCTION} is a constructor")
    calldata = paymaster_calldata(ctx.sender, ctx.tx.to, ctx.tx.data)
    result = run_entry(ctx, ctx.layer, module, target, paymaster, calldata, 0, budget)
    if result.status != SubcallStatus.SUCCESS or result.return_data != b"\x01":
        detail = result.trap or result.status
        raise Rejection(rj.PAYMASTER_REFUSED, f"validate_sponsorship: {detail}, returned 0x{result.return_data.hex()}")
    return result.gas_used


def _validation_gas(ctx: TxContext, plan_: Plan) -> int:
    if plan_.payer.kind != PayerKind.PAYMASTER:
        return 0
    budget = min(PAYMASTER_VALIDATION_GAS, ctx.tx.gas_limit - plan_.intrinsic_gas)
    return validate_sponsorship(ctx, plan_.payer.account, budget)


def tx_access_list(tx: Transaction) -> Optional[TxAccessList]:
    """The runtime form of the transaction's access list (``None`` when it
    declares none)."""
    if not tx.access_list:
        return None
    return TxAccessList({entry.address: (frozenset(entry.storage_keys),
                                         entry.access_type == AccessType.READ_WRITE)
                         for entry in tx.access_list})


def execute(ctx: TxContext, payload, plan_: Plan) -> Outcome:
    if isinstance(payload, SystemPayload):
        return payload.op.execute(ctx, payload.args, plan_)
    validation_gas = _validation_gas(ctx, plan_)
    tx = ctx.tx
    if isinstance(payload, TransferPayload):
        if tx.value and tx.sender != tx.to:
            debit_balance(ctx.layer, tx.sender, tx.value)
            credit_balance(ctx.layer, tx.to, tx.value)
        record = ctx.layer.parachain(tx.to)
        ref = None if record is None else parachain_ref(tx.to, record)
        return Outcome(Status.SUCCESS, NATIVE_TRANSFER_GAS + validation_gas, parachain=ref)
    access = tx_access_list(tx)
    budget = tx.gas_limit - validation_gas
    call_layer = ctx.layer.child()
    if isinstance(plan_.details, ParachainCallPlan):
        p = plan_.details
        result = run_parachain_entry(tx_run(ctx, access), call_layer, tx.to, p.record, p.module, p.target,
                                     ctx.sender, payload.calldata, tx.value, budget)
        ref = parachain_ref(tx.to, p.record)
    else:
        module, target = plan_.details
        result = run_entry(ctx, call_layer, module, target, tx.to, payload.calldata, tx.value, budget, access)
        ref = None
    if access is not None and access.violated:
        # chapter 11 §11.6: the transaction "reverts cleanly", whatever a
        # caller of the violating frame did with its failure.
        call_layer.discard()
        return Outcome(Status.TRAP, validation_gas + result.gas_used, trap=HostTrapKind.ACCESS_LIST_VIOLATION,
                       parachain=ref)
    call_layer.merge()
    return attrs.evolve(frame_outcome(result, validation_gas), parachain=ref)


HANDLER = Handler("Standard", decode, plan, execute)
