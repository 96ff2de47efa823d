"""Rules and steps several handlers share."""

from __future__ import annotations

from typing import Optional

from pyde_ref.abi.constants import error_name
from pyde_ref.abi.env import SubcallResult, SubcallStatus
from pyde_ref.executor import dispatch
from pyde_ref.executor.cache import CachedModule
from pyde_ref.executor.context import Outcome, TxContext
from pyde_ref.executor.frames import TxRun
from pyde_ref.executor.rejections import (
    ENTRY_REFUSED,
    INVALID_PUBLIC_KEY,
    INVALID_RECIPIENT,
    PARACHAIN_KILLED,
    PARACHAIN_PAUSED,
    UNEXPECTED_VALUE,
    Rejection,
)
from pyde_ref.executor.transactions import Status, Transaction
from pyde_ref.state.accounts import check_public_key
from pyde_ref.state.parachains import ParachainRecord, ParachainStatus
from pyde_ref.state.system import ZERO_ADDRESS, is_reserved_address


def require_zero_to(ctx: TxContext) -> None:
    """The native types other than ``Standard`` address nobody: ``to`` is
    ``Address::ZERO`` (chapter 11 §11.7 states it for ``MultisigTx``; the
    others have no use for a recipient either)."""
    if ctx.tx.to != ZERO_ADDRESS:
        raise Rejection(INVALID_RECIPIENT, "to must be the zero address for this transaction type")


def require_no_value(ctx: TxContext) -> None:
    if ctx.tx.value:
        raise Rejection(UNEXPECTED_VALUE, f"value {ctx.tx.value} attached; this transaction takes none")


def require_plain_recipient(address: bytes, what: str = "recipient") -> None:
    """An address value may be credited to: not the zero address, not a
    system account (chapter 11 §11.3)."""
    if is_reserved_address(address):
        raise Rejection(INVALID_RECIPIENT, f"{what} 0x{address.hex()} is the zero address or a system account")


def require_running(record: ParachainRecord, pid: bytes) -> None:
    """PARACHAIN_DESIGN §6.3 "New transactions targeting the parachain are
    rejected at ingress" while it is paused; §6.4 likewise once killed."""
    if record.status == ParachainStatus.PAUSED:
        raise Rejection(PARACHAIN_PAUSED, f"parachain {record.name!r} (0x{pid.hex()}) is paused")
    if record.status == ParachainStatus.KILLED:
        raise Rejection(PARACHAIN_KILLED, f"parachain {record.name!r} (0x{pid.hex()}) was killed")


def decode_public_key(tx: Transaction) -> bytes:
    """A ``data`` that is one FALCON-512 public key (``StakeDeposit``,
    ``RegisterPubkey``: "data = FALCON pubkey 897 B")."""
    problem = check_public_key(tx.data)
    if problem is not None:
        raise Rejection(INVALID_PUBLIC_KEY, problem)
    return bytes(tx.data)


def contract_module(ctx: TxContext, address: bytes) -> Optional[CachedModule]:
    """The prepared module of the contract at ``address`` (through the
    module cache), ``None`` when it has no code."""
    account = ctx.layer.account(address)
    code = ctx.layer.code(account.code_hash) if account.is_contract else None
    return None if code is None else ctx.executor.load_module(address, account.code_hash, code)


def tx_run(ctx: TxContext, tx_access_list=None) -> TxRun:
    return TxRun(ctx.executor, ctx.block, ctx.sender, ctx.tx_hash, ctx.tx_index, tx_access_list)


def run_entry(ctx: TxContext, layer, module: CachedModule, target: dispatch.Target, contract: bytes,
              calldata: bytes, value: int, budget: int, tx_access_list=None) -> SubcallResult:
    """One entry frame (a call's function, a constructor, a paymaster's
    ``validate_sponsorship``) over ``layer``: merged into it on success."""
    run = tx_run(ctx, tx_access_list)
    request = run.entry_request(module, target, contract, ctx.sender, calldata, value, budget)
    return run.run_frame(request, layer)


def frame_outcome(result: SubcallResult, extra_gas: int = 0) -> Outcome:
    """The outcome of an entry frame, plus ``extra_gas`` spent before it; a
    frame refused before it ran is ``EntryRefused`` with its ABI §4 code."""
    gas = extra_gas + result.gas_used
    if result.status == SubcallStatus.SUCCESS:
        return Outcome(Status.SUCCESS, gas, return_data=result.return_data)
    if result.status == SubcallStatus.REVERT:
        return Outcome(Status.REVERT, gas, revert_reason=result.return_data)
    if result.status == SubcallStatus.TRAP:
        return Outcome(Status.TRAP, gas, trap=result.trap)
    raise Rejection(ENTRY_REFUSED, f"entry frame refused: {error_name(result.error_code)}",
                    error_code=result.error_code)
