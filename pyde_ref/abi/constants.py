"""Every number of the Host Function ABI, in one place.

* :data:`ERROR_CODES` -- ABI §4, the master table of negative i32 results.
* :data:`GAS_TABLE` -- ABI §10, the authoritative gas table (the ABI says it
  is the source of truth; chapter 10 §10.8 disagrees on most rows, see
  ``spec/findings/gas-table-vs-chapter-10.md``).
* Sizes of ABI §3.2 and limits of ABI §3.4, §7.8, §13.4.

The numbers of the event commitment (ABI §15.2) live with the commitment in
:mod:`pyde_ref.state.events`, the integer ranges (``U64_MAX``, ``U128_MAX``)
with the account record in :mod:`pyde_ref.state.accounts`: the state layer
sits below this one.
"""

from __future__ import annotations

import attrs

from pyde_ref.wasm import PAGE_SIZE, PYDE_MAX_MEMORY_PAGES, LinkError, TrapKind, Uninstantiable

# --------------------------------------------------------------------------
# ABI §2.1 version
# --------------------------------------------------------------------------

PYDE_ABI_VERSION = 0x0001_0000
"""v1.0, semver-packed (high 16 bits major, low 16 bits minor), ABI §2.1."""

IMPORT_MODULE = "pyde"
"""The single permitted import module (ABI §3.1, §9.1)."""

# --------------------------------------------------------------------------
# ABI §3.2 fixed sizes
# --------------------------------------------------------------------------

ADDRESS_SIZE = 32
SLOT_SIZE = 32
VALUE_SIZE = 32
HASH_SIZE = 32
U128_SIZE = 16
U32_SIZE = 4
WORD_SIZE = 8
"""ABI §10: "Per-word = per-8-bytes, rounded up"."""

# --------------------------------------------------------------------------
# ABI §3.4, §7.8, §13.4 limits
# --------------------------------------------------------------------------

MAX_MEMORY_BYTES = PYDE_MAX_MEMORY_PAGES * PAGE_SIZE
"""ABI §3.4: linear memory hard cap, 64 MB: the machine's cap
(:data:`pyde_ref.wasm.PYDE_MAX_MEMORY_PAGES`, 1024 pages of 64 KiB) in bytes."""

MAX_CROSS_CALL_DEPTH = 1024
"""ABI §13.4: the cross-call stack holds at most 1024 frames (contract calls,
not wasm activations: those are the machine's own limit)."""

VIEW_FUEL_CAP = 10_000_000
"""ABI §7.8: the default fuel cap of one ``cross_call_static`` sub-call."""

# --------------------------------------------------------------------------
# ABI §4 error codes
# --------------------------------------------------------------------------

OK = 0

ERR_INVALID_INPUT = -1
ERR_NOT_FOUND = -2
ERR_INSUFFICIENT_BALANCE = -3
ERR_OUT_OF_GAS = -4
ERR_FORBIDDEN = -5
ERR_ACCESS_LIST_VIOLATION = -6
ERR_OUTPUT_BUFFER_TOO_SMALL = -7
ERR_INVALID_ADDRESS = -8
ERR_REENTRANCY_BLOCKED = -9
ERR_CROSS_CALL_FAILED = -10
ERR_CROSS_CALL_OUT_OF_GAS = -11
ERR_VALUE_TRANSFER_NOT_PAYABLE = -12
ERR_INVALID_FUNCTION_NAME = -13
ERR_XCALL_RATE_LIMITED = -14
ERR_PARACHAIN_ONLY = -15
ERR_CIPHERTEXT_INVALID = -16
ERR_SIGNATURE_INVALID = -17
ERR_INTERNAL = -100

ERROR_CODES: dict[int, str] = {
    ERR_INVALID_INPUT: "ERR_INVALID_INPUT",
    ERR_NOT_FOUND: "ERR_NOT_FOUND",
    ERR_INSUFFICIENT_BALANCE: "ERR_INSUFFICIENT_BALANCE",
    ERR_OUT_OF_GAS: "ERR_OUT_OF_GAS",
    ERR_FORBIDDEN: "ERR_FORBIDDEN",
    ERR_ACCESS_LIST_VIOLATION: "ERR_ACCESS_LIST_VIOLATION",
    ERR_OUTPUT_BUFFER_TOO_SMALL: "ERR_OUTPUT_BUFFER_TOO_SMALL",
    ERR_INVALID_ADDRESS: "ERR_INVALID_ADDRESS",
    ERR_REENTRANCY_BLOCKED: "ERR_REENTRANCY_BLOCKED",
    ERR_CROSS_CALL_FAILED: "ERR_CROSS_CALL_FAILED",
    ERR_CROSS_CALL_OUT_OF_GAS: "ERR_CROSS_CALL_OUT_OF_GAS",
    ERR_VALUE_TRANSFER_NOT_PAYABLE: "ERR_VALUE_TRANSFER_NOT_PAYABLE",
    ERR_INVALID_FUNCTION_NAME: "ERR_INVALID_FUNCTION_NAME",
    ERR_XCALL_RATE_LIMITED: "ERR_XCALL_RATE_LIMITED",
    ERR_PARACHAIN_ONLY: "ERR_PARACHAIN_ONLY",
    ERR_CIPHERTEXT_INVALID: "ERR_CIPHERTEXT_INVALID",
    ERR_SIGNATURE_INVALID: "ERR_SIGNATURE_INVALID",
    ERR_INTERNAL: "ERR_INTERNAL",
}
"""Code -> symbol, exactly the rows of the ABI §4 table."""


def error_name(code: int) -> str:
    """The ABI §4 symbol of ``code`` (``"OK"`` for 0)."""
    return "OK" if code == OK else ERROR_CODES.get(code, f"UNKNOWN({code})")


# --------------------------------------------------------------------------
# Trap kinds (the ``trap`` field of receipts; ABI §4 "Critical failures").
# --------------------------------------------------------------------------


class HostTrapKind(TrapKind):
    """Every trap kind a Pyde receipt may carry, in one enumeration: the
    machine's own (inherited from :class:`pyde_ref.wasm.TrapKind`:
    out-of-bounds memory, ABI §3.4, and out-of-fuel, ABI §5, among them) and
    the ones only a host gives.  The machine knows nothing of Pyde, so the
    host's kinds cannot live in its class; they extend it here, the lowest
    layer that knows them."""

    HOST_NO_MEMORY = "host_no_memory"
    """A host function needing memory was called by an instance without one
    (deploy refuses such contracts; reachable only by bypassing deploy)."""
    HOST_INTERNAL = "host_internal"
    """ABI §4 ``ERR_INTERNAL``: "surfaces as a trap in practice"."""
    PARACHAIN_SLOT_COLLISION = "parachain_slot_collision"
    """Two parachain keys whose slot hashes (PIP-2: 16 bytes of Poseidon2) are
    equal: a 2^-64 event the reference refuses rather than aliasing the keys
    (``spec/findings/parachain-storage.md``)."""
    ACCESS_LIST_VIOLATION = "access_list_violation"
    """A storage access outside the *transaction's* access list (chapter 11
    §11.6: the transaction "reverts cleanly with ``AccessListViolation``"; a
    function's own declared list, ABI §3.7, returns
    ``ERR_ACCESS_LIST_VIOLATION`` instead)."""
    UNINSTANTIABLE = Uninstantiable.status
    """A frame whose instance could not be created (its start function trapped
    without a kind, or its initial memory exceeds the cap)."""
    UNLINKABLE = LinkError.status
    """A frame whose imports could not be linked (deploy rules this out;
    reachable only by a state that bypassed deploy)."""

# --------------------------------------------------------------------------
# ABI §8.4 cross-parachain messages: limits no document gives
# (spec/findings/parachain-xcall.md)
# --------------------------------------------------------------------------

XCALL_MAX_MESSAGE_SIZE = 64 * 1024
"""A message becomes the target's calldata: at most chapter 10 §10.9's
``MAX_CALLDATA`` (64 KB)."""
XCALL_MAX_CALLBACK_GAS = 10_000_000
"""The largest ``max_callback_gas`` (the view fuel cap's figure)."""
XCALL_MAX_TIMEOUT_WAVES = 30 * 24 * 3600 * 2
"""The longest ``timeout_waves``: 30 days at 2 waves per second."""

# --------------------------------------------------------------------------
# ABI §10 gas table
# --------------------------------------------------------------------------


@attrs.frozen
class GasCost:
    """One row of ABI §10: ``base`` plus ``per_byte`` per byte or ``per_word``
    per started 8-byte word of the metered length (at most one is non-zero)."""

    base: int
    per_byte: int = 0
    per_word: int = 0


GAS_TABLE: dict[str, GasCost] = {
    # §7.1 storage
    "sload": GasCost(200),
    "sstore": GasCost(5_000),
    "sdelete": GasCost(150),
    # §7.2 account & balance
    "balance": GasCost(100),
    "transfer": GasCost(7_000),
    # §7.3 execution context
    "caller": GasCost(5),
    "origin": GasCost(5),
    "self_address": GasCost(5),
    "block_height": GasCost(2),
    "wave_id": GasCost(2),
    "block_timestamp": GasCost(2),
    "chain_id": GasCost(2),
    # §7.4 transaction context
    "tx_hash": GasCost(5),
    "tx_value": GasCost(5),
    "tx_gas_remaining": GasCost(2),
    "calldata_size": GasCost(2),
    "calldata_copy": GasCost(8, per_byte=1),
    # §7.5 events
    "emit_event": GasCost(100, per_byte=8),
    # §7.6 hashing
    "hash_blake3": GasCost(15, per_word=3),
    "hash_poseidon2": GasCost(100, per_word=30),
    "hash_keccak256": GasCost(30, per_word=6),
    # §7.7 post-quantum crypto
    "falcon_verify": GasCost(50_000),
    # §7.8 cross-contract calls (+ the sub-call's gas, see pyde_ref.abi.calls)
    "cross_call": GasCost(1_000, per_byte=8),
    "cross_call_static": GasCost(50),
    "delegate_call": GasCost(1_200, per_byte=8),
    # §7.9 halts
    "return": GasCost(0),
    "revert": GasCost(0),
    # §7.10 explicit metering (+ amount, see pyde_ref.abi.metering)
    "consume_gas": GasCost(2),
    # §7.11 beacon
    "beacon_get": GasCost(50),
    # §8 parachain-only
    "parachain_storage_read": GasCost(250, per_byte=1),
    "parachain_storage_write": GasCost(5_500, per_byte=10),
    "parachain_storage_delete": GasCost(250),
    "parachain_id": GasCost(5),
    "parachain_version": GasCost(5),
    "parachain_emit_event": GasCost(100, per_byte=8),
    "send_xparachain_message": GasCost(10_000, per_byte=8),
    "threshold_encrypt": GasCost(80_000, per_byte=100),
    "threshold_decrypt": GasCost(100_000, per_byte=50),
}
"""ABI §10, row by row (function -> cost)."""

NATIVE_TRANSFER_GAS = 21_000
"""ABI §11 / seed §3.9b: a native ``Transfer`` transaction costs 21,000 gas."""

# --------------------------------------------------------------------------
# ABI §3.5 attribute bits (the ``attributes`` field of FunctionAbi, §3.7)
# --------------------------------------------------------------------------

ATTR_VIEW = 1 << 0
ATTR_PAYABLE = 1 << 1
ATTR_REENTRANT = 1 << 2
ATTR_SPONSORED = 1 << 3
ATTR_CONSTRUCTOR = 1 << 4
ATTR_FALLBACK = 1 << 5
ATTR_RECEIVE = 1 << 6
ATTR_ENTRY = 1 << 7

ATTRIBUTE_NAMES: dict[int, str] = {
    ATTR_VIEW: "view",
    ATTR_PAYABLE: "payable",
    ATTR_REENTRANT: "reentrant",
    ATTR_SPONSORED: "sponsored",
    ATTR_CONSTRUCTOR: "constructor",
    ATTR_FALLBACK: "fallback",
    ATTR_RECEIVE: "receive",
    ATTR_ENTRY: "entry",
}
ATTRIBUTE_BITS: dict[str, int] = {name: bit for bit, name in ATTRIBUTE_NAMES.items()}
"""Attribute name -> bit."""
ALL_ATTRIBUTES = 0xFF
