"""The ABI §16 matrix: what a conformance suite must exercise, and coverage
measured from what the fixtures made the reference do.

ABI §16 asks every function of §7 and §8 to be exercised "with valid inputs
returning expected outputs, each error code's trigger condition, each gas
cost (charged before execution begins), memory bounds at the WASM limits
(0, 1, 64 MB − 1, 64 MB boundary), each forbidden-import case at deploy
time"; issue 13 adds every native transaction type and its rejections,
cross-call depth and reentrancy, and the machine's fuel cost per operator.

The *rows* and *columns* (:func:`rows`) come from the reference's own tables
wherever one exists -- the host functions and their §10 gas rows
(:data:`pyde_ref.abi.registry.HOST_FUNCTIONS`, ``GAS_TABLE``), the
transaction types and system operations (``HANDLERS``, ``SYSTEM_OPS``), the
rejection codes and their groups (``rejections.CODES``), the refused
proposals (``features.PROPOSALS``), the instruction table -- and from the
ABI text where the reference has none: which ABI §4 codes each function can
return (:data:`RETURNS`), which arguments are pointers and how far they
reach (:data:`POINTERS`, :data:`METERED`), which rejection codes belong to
which transaction type (:data:`TYPE_CODES`).

A *cell* is covered only when filling a fixture made the reference do it
(:func:`cells`, from :class:`pyde_ref.conformance.observe.Recorder` and the
receipts): a host call returning the code, a charge equal to the §10 row's
base, a call refused for one gas short having charged nothing, a pointer
range ending on the last byte of a 64 MiB memory, a receipt rejected with
the code, a deploy refused for the import, an operator charged its cost.
What the fixtures did that no column names is reported too
(:attr:`Coverage.outside`), so these tables cannot silently fall behind
the reference.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Union

import attrs

from pyde_ref.abi.constants import (
    ERR_ACCESS_LIST_VIOLATION,
    ERR_CIPHERTEXT_INVALID,
    ERR_CROSS_CALL_FAILED,
    ERR_CROSS_CALL_OUT_OF_GAS,
    ERR_FORBIDDEN,
    ERR_INSUFFICIENT_BALANCE,
    ERR_INVALID_ADDRESS,
    ERR_INVALID_FUNCTION_NAME,
    ERR_INVALID_INPUT,
    ERR_OUTPUT_BUFFER_TOO_SMALL,
    ERR_PARACHAIN_ONLY,
    ERR_REENTRANCY_BLOCKED,
    ERR_SIGNATURE_INVALID,
    ERR_VALUE_TRANSFER_NOT_PAYABLE,
    ERR_XCALL_RATE_LIMITED,
    GAS_TABLE,
    MAX_CROSS_CALL_DEPTH,
    MAX_MEMORY_BYTES,
    OK,
    HostTrapKind,
    error_name,
)
from pyde_ref.abi.env import as_i32, as_i64
from pyde_ref.abi.gas import cost_of, words
from pyde_ref.abi.registry import HOST_FUNCTIONS
from pyde_ref.conformance.observe import HALT_RETURN, HALT_REVERT, RETURNED, HostCallRecord, Recorder
from pyde_ref.crypto.falcon import PUBLIC_KEY_SIZE
from pyde_ref.executor import rejections
from pyde_ref.executor.handlers import HANDLERS, standard
from pyde_ref.executor.handlers.contracts import decode_deploy
from pyde_ref.executor.handlers.system import SYSTEM_OPS
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Transaction, TxType
from pyde_ref.state.system import CONTRACTS, SYSTEM_ADDRESSES
from pyde_ref.wasm import decode_module, instructions
from pyde_ref.wasm.features import ENABLED_PROPOSALS, PROPOSALS
from pyde_ref.wasm.fuel import COSTS
from pyde_ref.wasm.errors import TrapKind

# --------------------------------------------------------------------------
# What the ABI text says about each host function
# --------------------------------------------------------------------------

RETURNS: dict[str, tuple[int, ...]] = {
    # §7.1
    "sload": (ERR_ACCESS_LIST_VIOLATION,),
    "sstore": (ERR_FORBIDDEN, ERR_ACCESS_LIST_VIOLATION),
    "sdelete": (ERR_FORBIDDEN, ERR_ACCESS_LIST_VIOLATION),
    # §7.2 (ERR_INVALID_INPUT: a recipient pushed past 2^128 - 1, spec/abi/04-error-codes.md)
    "balance": (ERR_INVALID_ADDRESS,),
    "transfer": (ERR_INSUFFICIENT_BALANCE, ERR_INVALID_ADDRESS, ERR_FORBIDDEN, ERR_INVALID_INPUT),
    # §7.4, §7.5 (a topic of another length than 32: findings/abi-event-topic.md)
    "calldata_copy": (ERR_INVALID_INPUT,),
    "emit_event": (ERR_FORBIDDEN, ERR_INVALID_INPUT),
    # §7.7
    "falcon_verify": (ERR_SIGNATURE_INVALID,),
    # §7.8, §13.1 (ERR_INVALID_INPUT: a negative gas_limit, findings/abi-gas-limit-negative.md;
    # ERR_FORBIDDEN: value from a view frame, a constructor, a static call of a non-view function)
    "cross_call": (ERR_INVALID_INPUT, ERR_INSUFFICIENT_BALANCE, ERR_FORBIDDEN, ERR_REENTRANCY_BLOCKED,
                   ERR_CROSS_CALL_FAILED, ERR_CROSS_CALL_OUT_OF_GAS, ERR_VALUE_TRANSFER_NOT_PAYABLE,
                   ERR_INVALID_FUNCTION_NAME),
    "cross_call_static": (ERR_INVALID_INPUT, ERR_FORBIDDEN, ERR_CROSS_CALL_FAILED, ERR_CROSS_CALL_OUT_OF_GAS,
                          ERR_INVALID_FUNCTION_NAME),
    "delegate_call": (ERR_INVALID_INPUT, ERR_FORBIDDEN, ERR_REENTRANCY_BLOCKED, ERR_CROSS_CALL_FAILED,
                      ERR_CROSS_CALL_OUT_OF_GAS, ERR_INVALID_FUNCTION_NAME),
    # §7.10 (a negative amount: findings/abi-consume-gas-negative.md)
    "consume_gas": (ERR_INVALID_INPUT,),
    # §8 as pyde_ref.abi.parachain implements it (spec/findings/parachain-abi.md): every one
    # returns ERR_PARACHAIN_ONLY outside a parachain frame (no document reaches it: UNREACHABLE)
    "parachain_storage_read": (ERR_ACCESS_LIST_VIOLATION, ERR_OUTPUT_BUFFER_TOO_SMALL, ERR_PARACHAIN_ONLY),
    "parachain_storage_write": (ERR_FORBIDDEN, ERR_ACCESS_LIST_VIOLATION, ERR_PARACHAIN_ONLY),
    "parachain_storage_delete": (ERR_FORBIDDEN, ERR_ACCESS_LIST_VIOLATION, ERR_PARACHAIN_ONLY),
    "parachain_id": (ERR_PARACHAIN_ONLY,),
    "parachain_version": (ERR_PARACHAIN_ONLY,),
    "parachain_emit_event": (ERR_FORBIDDEN, ERR_INVALID_INPUT, ERR_PARACHAIN_ONLY),
    "send_xparachain_message": (ERR_FORBIDDEN, ERR_INVALID_INPUT, ERR_INVALID_FUNCTION_NAME, ERR_XCALL_RATE_LIMITED,
                                ERR_PARACHAIN_ONLY),
    "threshold_encrypt": (ERR_OUTPUT_BUFFER_TOO_SMALL, ERR_PARACHAIN_ONLY),
    "threshold_decrypt": (ERR_CIPHERTEXT_INVALID, ERR_FORBIDDEN, ERR_OUTPUT_BUFFER_TOO_SMALL, ERR_PARACHAIN_ONLY),
}
"""The ABI §4 codes each host function can return (functions not listed
return none).  Every code a fixture sees returned is checked against it."""

VALUE_RESULTS = frozenset({"block_height", "wave_id", "block_timestamp", "chain_id", "tx_gas_remaining",
                           "calldata_size", "parachain_version"})
"""Functions whose result is a value, not an ABI §4 code."""


@attrs.frozen
class Arg:
    """A length argument: the extent of a pointer is argument ``index``."""

    index: int


Extent = Union[int, Arg, None]

POINTERS: dict[str, tuple[tuple[int, Extent], ...]] = {
    "sload": ((0, 32), (1, 32)),
    "sstore": ((0, 32), (1, 32)),
    "sdelete": ((0, 32),),
    "balance": ((0, 32), (1, 16)),
    "transfer": ((0, 32), (1, 16)),
    "caller": ((0, 32),),
    "origin": ((0, 32),),
    "self_address": ((0, 32),),
    "tx_hash": ((0, 32),),
    "tx_value": ((0, 16),),
    "calldata_copy": ((2, Arg(1)),),
    "emit_event": ((0, Arg(1)), (2, Arg(3))),
    "hash_blake3": ((0, Arg(1)), (2, 32)),
    "hash_poseidon2": ((0, Arg(1)), (2, 32)),
    "hash_keccak256": ((0, Arg(1)), (2, 32)),
    "falcon_verify": ((0, PUBLIC_KEY_SIZE), (1, Arg(2)), (3, Arg(4))),
    # the return data buffer's extent is the callee's payload: not known from the arguments
    "cross_call": ((0, 32), (1, Arg(2)), (3, Arg(4)), (5, 16), (7, None), (8, 4)),
    "cross_call_static": ((0, 32), (1, Arg(2)), (3, Arg(4)), (6, None), (7, 4)),
    "delegate_call": ((0, 32), (1, Arg(2)), (3, Arg(4)), (6, None), (7, 4)),
    "return": ((0, Arg(1)),),
    "revert": ((0, Arg(1)),),
    "beacon_get": ((0, 32),),
    # §8
    "parachain_storage_read": ((0, Arg(1)), (2, None), (3, 4)),
    "parachain_storage_write": ((0, Arg(1)), (2, Arg(3))),
    "parachain_storage_delete": ((0, Arg(1)),),
    "parachain_id": ((0, 32),),
    "parachain_emit_event": ((0, Arg(1)), (2, Arg(3))),
    "send_xparachain_message": ((0, 32), (1, Arg(2)), (3, Arg(4))),
    "threshold_encrypt": ((0, Arg(1)), (2, None), (3, 4)),
    "threshold_decrypt": ((0, Arg(1)), (2, None), (3, 4)),
}
"""ABI §7/§8 signatures: each pointer argument and how many bytes it
reaches (a fixed size, a length argument, or ``None`` when only the call
knows)."""

METERED: dict[str, tuple[int, ...]] = {
    "calldata_copy": (1,), "emit_event": (1, 3), "hash_blake3": (1,), "hash_poseidon2": (1,),
    "hash_keccak256": (1,), "cross_call": (4,), "delegate_call": (4,),
    # §8 (parachain_storage_read charges its per-byte term on the value returned: host_cells)
    "parachain_storage_write": (1, 3), "parachain_emit_event": (1, 3), "send_xparachain_message": (2,),
    "threshold_encrypt": (1,), "threshold_decrypt": (1,),
}
"""The arguments whose sum is the metered length of a §10 row with a
per-byte or per-word part."""

CALLEE_GAS = ("cross_call", "delegate_call")
"""Rows charging the sub-call's ``gas_used`` on top of the §10 row (ABI §13.5)."""

SECTION_CORE = "§7 host functions"
SECTION_PARACHAIN = "§8 parachain host functions"
SECTION_TX = "transactions (chapter 11 §11.8)"
SECTION_DEPLOY = "deploy (ABI §9)"
SECTION_MEMORY = "memory at the WASM limits (ABI §3.4)"
SECTION_OPERATORS = "the machine's fuel per operator"

DEFERRED_SECTIONS: dict[str, str] = {}
"""Sections whose gaps are expected, with the reason (an entry is added when
a section's rows exist before their sources, and removed when the sources
are added; spec/conformance.md)."""

PARACHAIN_FUNCTIONS = tuple(name for name, defn in HOST_FUNCTIONS.items() if defn.parachain_only)
PARACHAIN_STORAGE = ("parachain_storage_read", "parachain_storage_write", "parachain_storage_delete")

_PARACHAIN_ONLY_WHY = (
    "a §8 function returns it only in a frame that is not a parachain's, and no document makes one: deploy, "
    "the pre-state and a module upgrade refuse a contract that imports a §8 function (ABI §9.2; the cell "
    "deploy:ParachainOnly); spec/findings/conformance-unreachable.md")
_VIEW_FORBIDDEN_WHY = (
    "a parachain frame is in view mode only in a view function, and every module check (registration, "
    "upgrade proposal, the pre-state) refuses a view function that reaches a mutating §8 function "
    "(ViewMutatesState); no host function cross-calls a parachain; spec/findings/conformance-unreachable.md")

UNREACHABLE: dict[tuple[str, str], str] = {
    ("tx:(every type) common checks", "AuthSchemeReserved"):
        "no document can give an account Programmable keys: the pre-state format has no such value and "
        "ACCOUNTS.rotate_auth_keys refuses them (InvalidAuthKeys); spec/findings/conformance-unreachable.md",
    ("tx:Standard → parachains.register", "ParachainIdCollision"):
        "two names whose Poseidon2 ids share their first 16 bytes: no such pair is known (finding one is a "
        "2^64 search); spec/findings/conformance-unreachable.md",
    **{(f"host:{name}", error_name(ERR_PARACHAIN_ONLY)): _PARACHAIN_ONLY_WHY for name in PARACHAIN_FUNCTIONS},
    **{(f"host:{name}", error_name(ERR_FORBIDDEN)): _VIEW_FORBIDDEN_WHY
       for name in ("parachain_storage_write", "parachain_storage_delete", "parachain_emit_event",
                    "send_xparachain_message")},
}
"""Cells no wave or chain document can reach, with the reason: not gaps, and
listed as such (a cell that becomes reachable is simply covered)."""

CAP = MAX_MEMORY_BYTES

MEMORY_COLUMNS = ("mem:0", "mem:1", "mem:64MiB-1", "mem:64MiB")
"""A range starting at 0, at 1, ending on the last byte of a 64 MiB memory,
and reaching past it (which must trap)."""


def metered_length(name: str, args: tuple[int, ...]) -> int:
    return sum(args[i] & 0xFFFF_FFFF for i in METERED.get(name, ()))


def ranges(name: str, args: tuple[int, ...]) -> list[tuple[int, int]]:
    """The ``(start, length)`` of every pointer argument with a known extent."""
    found = []
    for index, extent in POINTERS.get(name, ()):
        if extent is None:
            continue
        n = args[extent.index] & 0xFFFF_FFFF if isinstance(extent, Arg) else extent
        found.append((args[index] & 0xFFFF_FFFF, n))
    return found


def host_columns(name: str) -> tuple[str, ...]:
    row = GAS_TABLE[name]
    columns = ["valid"] + [error_name(code) for code in RETURNS.get(name, ())]
    columns.append("gas:base")
    if row.per_byte:
        columns.append("gas:per_byte")
    if row.per_word:
        columns.append("gas:per_word")
    if name == "consume_gas":
        columns.append("gas:amount")
    if name in CALLEE_GAS:
        columns.append("gas:callee")
    if GAS_TABLE[name].base:
        columns.append("gas:charged_first")
    if any(extent is not None for _, extent in POINTERS.get(name, ())):
        columns += MEMORY_COLUMNS
    if name in ("sload", "sstore", "sdelete") + PARACHAIN_STORAGE:
        columns.append(f"trap:{HostTrapKind.ACCESS_LIST_VIOLATION}")
    if name in ("cross_call", "cross_call_static", "delegate_call"):
        columns.append("depth:cap")
    if name in ("cross_call", "cross_call_static", "delegate_call"):
        columns.append("reentry:allowed")
    if HOST_FUNCTIONS[name].parachain_only:
        columns.append("deploy:ParachainOnly")
    return tuple(columns)


def result_code(record: HostCallRecord) -> Optional[int]:
    """The ABI §4 code a call returned (0 for success), ``None`` for a
    value-returning function or a call that did not return."""
    if record.outcome != RETURNED or not record.results or record.name in VALUE_RESULTS:
        return None
    ftype = HOST_FUNCTIONS[record.name].type
    value = as_i32(record.results[0]) if ftype.results[0] == "i32" else as_i64(record.results[0])
    return value if value < 0 else OK


def host_cells(record: HostCallRecord) -> set[tuple[str, str]]:
    """The cells one host call covers (row = the function's name)."""
    name, args, outcome = record.name, record.args, record.outcome
    row = ("host", name)
    cells: set[str] = set()
    spans = ranges(name, args)
    oob = outcome == f"trap:{TrapKind.MEMORY_OUT_OF_BOUNDS}"
    ended = outcome in (RETURNED, HALT_RETURN, HALT_REVERT)
    code = result_code(record)
    if ended:
        if code is None or code == OK:
            cells.add("valid")
        else:
            cells.add(error_name(code))
        length = metered_length(name, args)
        table = GAS_TABLE[name]
        if length == 0 and record.gas == table.base:
            cells.add("gas:base")
        if length and record.gas >= cost_of(name, length) and (name in CALLEE_GAS or record.gas == cost_of(name, length)):
            if table.per_byte:
                cells.add("gas:per_byte")
            if table.per_word and length % 8 and record.gas >= table.base + table.per_word * words(length):
                cells.add("gas:per_word")
        if name == "parachain_storage_read" and code == OK and record.gas > table.base:
            cells.add("gas:per_byte")  # 1 per byte of the value returned, which no argument gives
        if name == "consume_gas" and code == OK and as_i64(args[0]) > 0 and record.gas == table.base + args[0]:
            cells.add("gas:amount")
        if name in CALLEE_GAS and record.gas > cost_of(name, length):
            cells.add("gas:callee")
        if name in ("cross_call", "cross_call_static", "delegate_call"):
            if record.depth == MAX_CROSS_CALL_DEPTH and code == ERR_CROSS_CALL_FAILED:
                cells.add("depth:cap")
            if record.callee_reentered and code == OK:
                cells.add("reentry:allowed")
    if ended or (outcome.startswith("trap:") and not oob):
        for start, n in spans:
            if n and start == 0:
                cells.add("mem:0")
            if n and start == 1:
                cells.add("mem:1")
            if n and record.memory_size == CAP and start + n == CAP and ended:
                cells.add("mem:64MiB-1")
    if oob and record.memory_size == CAP and any(n and start + n > CAP for start, n in spans):
        cells.add("mem:64MiB")
    if outcome == f"trap:{TrapKind.OUT_OF_FUEL}" and record.gas == 0:
        cells.add("gas:charged_first")
    if outcome == f"trap:{HostTrapKind.ACCESS_LIST_VIOLATION}":
        cells.add(f"trap:{HostTrapKind.ACCESS_LIST_VIOLATION}")
    return {(f"{row[0]}:{row[1]}", c) for c in cells}


# --------------------------------------------------------------------------
# Transactions
# --------------------------------------------------------------------------

PIPELINE_GROUPS = ("transaction", "authorization", "fees")
"""Rejection groups every type goes through (the pipeline's steps 1-15):
one row, whatever type a fixture uses to trigger them."""

APPROVAL_CODES = ("NoMultisig", "MultisigNonceMismatch", "ApprovalIndexInvalid", "ApprovalDuplicate",
                  "ApprovalThresholdNotMet", "ApprovalBadSignature")
"""The approval checks the four multisig types share (chapter 15 §15.4): one row."""

ROW_PIPELINE = "(every type) common checks"
ROW_APPROVALS = "(multisig types) approvals"

TYPE_CODES: dict[str, tuple[str, ...]] = {
    "Standard (transfer)": ("RecipientOverflow",),
    "Standard (call)": ("TargetHasNoCode", "UnknownFunction", "NotPayable", "ConstructorLockout", "EntryRefused",
                        "UnknownSystemOperation", "ParachainPaused", "ParachainKilled"),
    "Standard → accounts.rotate_auth_keys": ("InvalidAuthKeys",),
    "Standard → gas_tanks.deposit": ("ZeroAmount", "RecipientOverflow"),
    "Standard → gas_tanks.withdraw": ("ZeroAmount", "NotOwner", "GasTankTooLow"),
    "Standard → contracts.upgrade": ("NotAContract", "NotOwner", "UpgradePending", "DeployRejected",
                                     "UpgradeSameCode"),
    "Standard → staking.unjail": ("UnknownValidator", "NotStakeAccount", "PermanentlyJailed", "NotJailed",
                                  "JailPeriodNotOver", "StakeBelowMinimum"),
    "Standard → staking.rotate_keys": ("UnknownValidator", "NotStakeAccount", "ValidatorJailed", "NotActive",
                                       "RotationTooSoon", "InvalidPublicKey"),
    "Deploy": ("DeployRejected", "AddressInUse", "NotPayable"),
    "StakeDeposit": ("InvalidPublicKey", "StakeBelowMinimum", "ValidatorExists", "OperatorCapReached"),
    "StakeWithdraw": ("UnknownValidator", "NotStakeAccount", "NotActive", "ValidatorJailed", "StillUnbonding",
                      "EscrowPending"),
    "Slash": ("UnsupportedOffense", "UnknownValidator", "NotEquivocation", "EvidenceStale",
              "EvidenceAlreadyUsed", "ReporterCooldown", "EvidenceBadSignature"),
    "ClaimReward": ("UnknownValidator", "NotStakeAccount", "NoRewards"),
    "ClaimAirdrop": ("NoAirdrop", "AirdropExpired", "AirdropAlreadyClaimed", "AirdropBadProof",
                     "AirdropPoolShort"),
    "SweepAirdrop": ("NoAirdrop", "AirdropNotOver", "NothingToSweep"),
    "MultisigTx": ("ZeroSpend", "InvalidSpendTarget", "TreasuryInsufficient"),
    "RotateMultisig": ("InvalidSignerSet",),
    "EmergencyPause": ("InvalidPauseDuration",),
    "EmergencyResume": ("NotPaused",),
    "RegisterPubkey": ("InvalidPublicKey", "PubkeyMismatch", "AlreadyRegistered", "UnfundedAccount"),
    # PARACHAIN_DESIGN §6, §7 (pyde_ref.executor.handlers.parachains)
    "Standard → parachains.register": ("InvalidParachainName", "ParachainNameTaken", "ParachainIdCollision",
                                       "DeployRejected", "InvalidParachainConfig", "ValidatorSetDuplicate",
                                       "ValidatorSetTooLarge", "ValidatorNotInCommittee", "ValidatorSetTooSmall"),
    "Standard → parachains.pause": ("UnknownParachain", "NotOwner", "ParachainNotActive"),
    "Standard → parachains.unpause": ("UnknownParachain", "NotOwner", "ParachainNotPaused"),
    "Standard → parachains.kill": ("UnknownParachain", "NotOwner", "ParachainKilled"),
    "Standard → parachains.propose_upgrade": ("UnknownParachain", "ParachainKilled", "DeployRejected",
                                              "InvalidParachainConfig", "ProposalNoChange", "ProposalCooldown"),
    "Standard → parachains.vote": ("UnknownParachain", "UnknownProposal", "VotingClosed", "VotingNotOpen",
                                   "NotParachainValidator", "AlreadyVoted", "VoteBadSignature"),
    "Standard → parachains.upgrade": ("UnknownParachain", "ParachainKilled", "UnknownProposal",
                                      "ProposalNotDecided", "UpgradeQuorumNotMet", "UpgradeThresholdNotMet",
                                      "ProposalEnacted", "UpgradePending", "CommitteeSignatureDuplicate",
                                      "NotParachainValidator", "CommitteeQuorumNotMet", "CommitteeBadSignature"),
}
"""Each type's (or system operation's) own rejection codes: those of the
groups other than :data:`PIPELINE_GROUPS`, as its handler raises them."""


def pipeline_codes() -> tuple[str, ...]:
    return tuple(name for name, code in rejections.CODES.items() if code.group in PIPELINE_GROUPS)


def tx_rows() -> list[str]:
    """A row per type of :data:`HANDLERS` (``Standard`` split into a
    transfer, a call and each system operation)."""
    names = []
    for tag in sorted(HANDLERS):
        if tag == TxType.STANDARD:
            names += ["Standard (transfer)", "Standard (call)"]
            names += [system_op_row(address, op) for address, op in SYSTEM_OPS]
        else:
            names.append(TxType.name_of(tag))
    return names


def system_op_row(address: bytes, op: str) -> str:
    return f"Standard → {SYSTEM_ADDRESSES[address]}.{op}"


def tx_row(tx: Transaction) -> str:
    """The row of a transaction, by what its handler decodes it as."""
    if tx.tx_type != TxType.STANDARD:
        return TxType.name_of(tx.tx_type)
    try:
        payload = standard.decode(tx)
    except Rejection:
        return "Standard (call)"
    if isinstance(payload, standard.SystemPayload):
        return system_op_row(payload.op.address, payload.op.name)
    return "Standard (transfer)" if isinstance(payload, standard.TransferPayload) else "Standard (call)"


def deployed_code(tx: Transaction) -> Optional[bytes]:
    """The module a ``Deploy`` or an owner upgrade submits, if it decodes."""
    try:
        if tx.tx_type == TxType.DEPLOY:
            return bytes(decode_deploy(tx).code)
        payload = standard.decode(tx) if tx.tx_type == TxType.STANDARD else None
    except (Rejection, ValueError):
        return None
    if isinstance(payload, standard.SystemPayload) and payload.op.address == CONTRACTS:
        return bytes(payload.args.code)
    return None


_DEPLOY_REASON = re.compile(r"^DeployRejected: (\w+)\((.*)$", re.S)
COMPONENT_HEADER = b"\x00asm\x0d\x00\x01\x00"
"""A component binary's preamble (magic, version 0x0d, layer 1)."""


SHARED_ENCODINGS = {"relaxed-simd": "simd"}
"""Refused proposals whose modules the gate names by another one: relaxed
SIMD's opcodes sit behind SIMD's 0xFD prefix, so a relaxed-SIMD module is
refused as ``UnsupportedFeature(simd)`` (ABI §9.3 lists both under SIMD)."""


def deploy_columns() -> dict[str, tuple[str, ...]]:
    imports = ("wasi_snapshot_preview1", "wasi_unstable", "wasi:*", "env", "another module",
               "pyde: a name not in the spec", "pyde: not a function", "pyde: another type")
    features = tuple(p for p in PROPOSALS if p not in SHARED_ENCODINGS) + ("component-model",)
    return {"§9.1 forbidden imports": imports, "§9.3 forbidden features": features}


def deploy_cells(reason: str, code: Optional[bytes]) -> set[tuple[str, str]]:
    """What a ``DeployRejected`` receipt covers."""
    match = _DEPLOY_REASON.match(reason or "")
    if match is None:
        return set()
    kind, detail = match.groups()
    cells: set[tuple[str, str]] = set()
    if kind == "ForbiddenImport":
        module, _, rest = detail.partition("::")
        if module == "pyde":
            column = "pyde: a name not in the spec"
            if code is not None and _imports_non_function(code, rest.split(" ", 1)[0]):
                column = "pyde: not a function"
        elif module in ("wasi_snapshot_preview1", "wasi_unstable", "env"):
            column = module
        elif module.startswith("wasi:"):
            column = "wasi:*"
        else:
            column = "another module"
        cells.add(("deploy:§9.1 forbidden imports", column))
    elif kind == "ImportTypeMismatch":
        cells.add(("deploy:§9.1 forbidden imports", "pyde: another type"))
    elif kind == "ParachainOnly":
        name = detail.split("::", 1)[-1].split(")", 1)[0]
        cells.add((f"host:{name}", "deploy:ParachainOnly"))
    elif kind == "UnsupportedFeature":
        cells.add(("deploy:§9.3 forbidden features", detail.split(")", 1)[0]))
    elif kind == "Malformed" and code is not None and code.startswith(COMPONENT_HEADER):
        cells.add(("deploy:§9.3 forbidden features", "component-model"))
    elif kind == "MemoryExceedsCap":
        cells.add(("memory", "initial memory above the cap refused"))
    return cells


def _imports_non_function(code: bytes, name: str) -> bool:
    try:
        module = decode_module(code)
    except Exception:  # noqa: BLE001 - refused for another reason: not this column
        return False
    return any(i.module == "pyde" and i.name == name and i.kind != "func" for i in module.imports)


def transaction_cells(document, output: dict) -> set[tuple[str, str]]:
    """What the receipts of a parsed document's output cover."""
    waves_out = output["waves"] if "waves" in output else [output]
    pipeline = set(pipeline_codes())
    cells: set[tuple[str, str]] = set()
    for wave, out in zip(document.waves, waves_out):
        for tx, receipt in zip(wave.txs, out["receipts"]):
            row = tx_row(tx)
            code = receipt["code"]
            if receipt["status"] != "rejected":
                cells.add((f"tx:{row}", "applied"))
            elif code in pipeline:
                cells.add((f"tx:{ROW_PIPELINE}", code))
            elif code in APPROVAL_CODES:
                cells.add((f"tx:{ROW_APPROVALS}", code))
            else:
                cells.add((f"tx:{row}", code))
            if code == "DeployRejected":
                cells |= deploy_cells(receipt["reason"], deployed_code(tx))
    return cells


# --------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------


def operator_rows() -> list[tuple[str, tuple[str, ...]]]:
    """Every instruction a pyde-v1 function body may contain, with its
    columns: ``charged`` for fixed costs; a zero and a positive length for
    the length-charged ones."""
    rows = []
    for info in instructions.INSTRUCTIONS:
        if info.feature not in ENABLED_PROPOSALS:
            continue  # ref.* in a body is reference types: refused (features.PROPOSALS)
        columns = ("length 0", "length > 0") if COSTS[info.name].per_unit else ("charged",)
        rows.append((info.name, columns))
    return rows


MEMORY_ROW = ("a host call from a 64 MiB memory", "initial memory above the cap refused",
              "memory.grow past the cap fails")


def machine_cells(recorder: Recorder) -> set[tuple[str, str]]:
    cells = set()
    for op, length in recorder.operators:
        column = {"": "charged", "zero": "length 0", "positive": "length > 0"}[length]
        cells.add((f"op:{op}", column))
    if any(r.memory_size == CAP for r in recorder.host_calls):
        cells.add(("memory", MEMORY_ROW[0]))
    if recorder.grow_at_cap:
        cells.add(("memory", MEMORY_ROW[2]))
    return cells


def cells(document, output: dict, recorder: Recorder) -> set[tuple[str, str]]:
    """Every cell one filled fixture covers."""
    found = set()
    for record in recorder.host_calls:
        found |= host_cells(record)
    return found | transaction_cells(document, output) | machine_cells(recorder)


# --------------------------------------------------------------------------
# The matrix and its coverage
# --------------------------------------------------------------------------


@attrs.frozen
class Row:
    section: str
    key: str
    """``host:<name>``, ``tx:<row>``, ``deploy:<row>``, ``memory``, ``op:<name>``."""
    label: str
    columns: tuple[str, ...]


def rows() -> list[Row]:
    """The whole matrix, in report order."""
    out = []
    for name, defn in HOST_FUNCTIONS.items():
        section = SECTION_PARACHAIN if defn.parachain_only else SECTION_CORE
        out.append(Row(section, f"host:{name}", name, host_columns(name)))
    out.append(Row(SECTION_TX, f"tx:{ROW_PIPELINE}", ROW_PIPELINE, pipeline_codes()))
    out.append(Row(SECTION_TX, f"tx:{ROW_APPROVALS}", ROW_APPROVALS, APPROVAL_CODES))
    for name in tx_rows():
        out.append(Row(SECTION_TX, f"tx:{name}", name, ("applied",) + TYPE_CODES.get(name, ())))
    for name, columns in deploy_columns().items():
        out.append(Row(SECTION_DEPLOY, f"deploy:{name}", name, columns))
    out.append(Row(SECTION_MEMORY, "memory", "memory", MEMORY_ROW))
    for name, columns in operator_rows():
        out.append(Row(SECTION_OPERATORS, f"op:{name}", name, columns))
    return out


@attrs.frozen
class RowCoverage:
    row: Row
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    deferred: Optional[str]
    unreachable: tuple[tuple[str, str], ...] = ()
    """``(column, reason)`` of the row's cells no document can reach."""


@attrs.frozen
class Coverage:
    rows: tuple[RowCoverage, ...]
    outside: tuple[tuple[str, str], ...]
    """Cells the fixtures covered that no row has: a table above is behind."""

    @property
    def gaps(self) -> list[tuple[RowCoverage, str]]:
        """Missing cells of rows that are not deferred."""
        return [(r, c) for r in self.rows if r.deferred is None for c in r.missing]

    @property
    def deferred_gaps(self) -> list[tuple[RowCoverage, str]]:
        return [(r, c) for r in self.rows if r.deferred is not None for c in r.missing]

    @property
    def unreachable(self) -> list[tuple[RowCoverage, str, str]]:
        return [(r, c, why) for r in self.rows for c, why in r.unreachable]

    def totals(self) -> dict:
        cells = sum(len(r.covered) + len(r.missing) for r in self.rows)
        covered = sum(len(r.covered) for r in self.rows)
        return {"rows": len(self.rows), "cells": cells, "covered": covered, "gaps": len(self.gaps),
                "deferred": len(self.deferred_gaps), "unreachable": len(self.unreachable),
                "outside": len(self.outside)}

    def to_json(self) -> dict:
        return {
            "totals": self.totals(),
            "rows": [{"section": r.row.section, "row": r.row.label, "columns": list(r.row.columns),
                      "covered": list(r.covered), "missing": list(r.missing), "deferred": r.deferred,
                      "unreachable": {c: why for c, why in r.unreachable}}
                     for r in self.rows],
            "outside": [list(c) for c in self.outside],
        }


def coverage(found: Iterable[tuple[str, str]]) -> Coverage:
    found = set(found)
    result = []
    known = set()
    for row in rows():
        covered = tuple(c for c in row.columns if (row.key, c) in found)
        unreachable = tuple((c, UNREACHABLE[(row.key, c)]) for c in row.columns
                            if (row.key, c) in UNREACHABLE and (row.key, c) not in found)
        missing = tuple(c for c in row.columns if (row.key, c) not in found and (row.key, c) not in UNREACHABLE)
        known |= {(row.key, c) for c in row.columns}
        result.append(RowCoverage(row, covered, missing, DEFERRED_SECTIONS.get(row.section), unreachable))
    return Coverage(tuple(result), tuple(sorted(found - known)))
