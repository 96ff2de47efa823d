"""The interface every host function is written against (ABI §3, §5, §12.6).

A host function of ABI §7/§8 is written once, as a plain Python function

    def sload(env: HostEnv, slot_ptr: int, value_out_ptr: int) -> int

whose arguments are the wasm arguments as the machine delivers them (unsigned
bit patterns; :func:`as_i32`/:func:`as_i64` give the signed reading where the
spec means a signed integer), and whose result is the spec's return value as a
Python ``int`` (negative for the error codes of ABI §4; the binding in
:mod:`pyde_ref.abi.registry` turns it into a bit pattern).  The function sees
exactly three things:

``env.memory``  -- :class:`Memory`: the calling instance's linear memory.
``env.gas``     -- :class:`GasMeter`: the calling frame's fuel (gas = fuel 1:1,
                   ABI §5).
``env.ctx``     -- :class:`ExecutionContext`: who is running, on which state,
                   with which block and transaction context.

The machine's ``MemoryInstance`` and ``FuelMeter`` satisfy :class:`Memory` and
:class:`GasMeter` as they are; the wasmtime backend provides adapters.  Nothing
in a host function depends on which engine runs the contract.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol

import attrs

from pyde_ref.state.overlay import Overlay

__all__ = [
    "Memory",
    "GasMeter",
    "SubcallRunner",
    "SubcallKind",
    "SubcallStatus",
    "SubcallResult",
    "BlockContext",
    "AccessList",
    "TxAccessList",
    "ParachainFrame",
    "ExecutionContext",
    "HostEnv",
    "as_i32",
    "as_i64",
]


class Memory(Protocol):
    """Linear memory as a host function sees it (ABI §3.2, §3.4).

    Both methods raise ``Trap(TrapKind.MEMORY_OUT_OF_BOUNDS)`` when any byte of the
    range lies outside the memory, and then read or write nothing."""

    def read(self, addr: int, n: int) -> bytes: ...

    def write(self, addr: int, data: bytes) -> None: ...


class GasMeter(Protocol):
    """The frame's gas (= fuel, ABI §5).

    ``charge(n)`` raises ``Trap(TrapKind.OUT_OF_FUEL)`` and charges nothing when ``n``
    exceeds ``remaining``; ``remaining`` is ``None`` when the budget is
    unlimited (only outside consensus, e.g. ``pyde-ref run``)."""

    remaining: Optional[int]

    def charge(self, n: int) -> None: ...


class SubcallKind:
    """The three cross-contract call host functions of ABI §7.8."""

    CALL = "call"  # pyde::cross_call
    STATIC = "static"  # pyde::cross_call_static
    DELEGATE = "delegate"  # pyde::delegate_call


class SubcallStatus:
    """How a sub-call ended (ABI §13.1 step 12)."""

    SUCCESS = "success"  # the callee returned (normally or via pyde::return)
    REVERT = "revert"  # the callee called pyde::revert
    TRAP = "trap"  # the callee trapped; ``trap`` names the kind
    REJECTED = "rejected"  # a pre-check refused the call; ``error_code`` says why


@attrs.frozen
class SubcallResult:
    """What the executor reports back to a cross-call host function.

    ``gas_used`` is the callee's actual fuel consumption (ABI §13.5): for a
    rejected call it is 0.  ``return_data`` is the callee's return data on
    success and its revert reason on revert, empty otherwise.  ``error_code``
    is one of the ABI §4 codes when ``status`` is ``REJECTED`` (e.g.
    ``ERR_INVALID_FUNCTION_NAME``, ``ERR_REENTRANCY_BLOCKED``,
    ``ERR_VALUE_TRANSFER_NOT_PAYABLE``, ``ERR_CROSS_CALL_FAILED`` for a target
    without code or a call past the depth cap, ``ERR_FORBIDDEN`` for a static
    call to a non-view function)."""

    status: str
    gas_used: int = 0
    return_data: bytes = b""
    trap: Optional[str] = None
    error_code: Optional[int] = None


class SubcallRunner(Protocol):
    """The executor's side of a cross-contract call (ABI §13.1 steps 3-12).

    The host function (``pyde_ref.abi.calls``) decodes the arguments and
    charges the caller's base gas; then it calls ``run_subcall`` once, with
    the target address (32 bytes), the function name (``str``), the calldata
    copied out of the caller's memory, the value (u128; always 0 for static
    and delegate calls) and the gas budget the callee's fresh fuel meter gets.
    The executor validates the target, runs the callee in a nested overlay on
    a fresh instance, merges or discards, and reports the outcome.  It never
    touches the caller's gas meter: the host function debits ``gas_used``.
    A sub-call made from a frame in view mode runs in view mode too
    (``spec/findings/abi-cross-call-from-view.md``)."""

    def run_subcall(
        self,
        kind: str,
        target: bytes,
        fn_name: str,
        calldata: bytes,
        value: int,
        gas_limit: int,
    ) -> SubcallResult: ...


@attrs.frozen
class BlockContext:
    """The chain context of the wave being executed (ABI §7.3, §7.11).

    ``block_height`` and ``wave_id`` are the same number in v1 (ABI §7.3),
    but both are carried so the input decides and nothing is assumed."""

    chain_id: int
    block_height: int
    wave_id: int
    block_timestamp: int
    beacon: bytes = bytes(32)
    base_fee: int = 0


@attrs.frozen
class AccessList:
    """A function's declared access list as the runtime checks it (ABI §3.7
    Layer 3): a slot is allowed when it starts with one of the declared
    prefixes (``spec/findings/abi-access-list.md``; the declaration is the
    ``pyde.abi`` section's ``AccessListEntry``)."""

    slot_prefixes: tuple[bytes, ...]

    def allows(self, slot: bytes) -> bool:
        return any(slot.startswith(prefix) for prefix in self.slot_prefixes)


@attrs.define
class TxAccessList:
    """A transaction's access list as the runtime checks it (chapter 11
    §11.6 ``access_list``): ``slots`` maps a storage-context address to the
    storage keys listed for it and whether they may be written
    (``ReadWrite``).  A storage access outside it traps the frame and marks
    the whole transaction violated (``violated``), so the transaction
    reverts even if a caller survives the trapped sub-call
    (``spec/findings/tx-access-list.md``).  One object is shared by every
    frame of the transaction."""

    slots: dict[bytes, tuple[frozenset, bool]]
    violated: bool = False

    def allows(self, address: bytes, slot: bytes, write: bool) -> bool:
        entry = self.slots.get(address)
        if entry is None:
            return False
        keys, writable = entry
        return slot in keys and (writable or not write)


class ParachainFrame(Protocol):
    """What a parachain frame's §8 host functions know about the parachain
    beyond the state (ABI §8; PARACHAIN_DESIGN §9): its id, the version
    running, the entry function the frame was called at (the callback
    context's ``original_fn``), whether a public function of the running
    module has a given name (``send_xparachain_message``'s callback check),
    and the ordinal of the next ``threshold_encrypt`` call of the
    transaction (its envelope's derivation, ``spec/cryptography.md``)."""

    parachain_id: bytes
    version: int
    entry_function: str

    def has_function(self, name: str) -> bool: ...

    def next_encryption_index(self) -> int: ...


def _default_storage_address(ctx: "ExecutionContext") -> bytes:
    return ctx.self_address


@attrs.define
class ExecutionContext:
    """Everything a host function may know about the frame it runs in.

    Addresses (32 bytes each):

    * ``self_address`` -- what ``pyde::self_address`` returns and whose
      balance ``pyde::transfer`` debits: the called contract, or, inside a
      ``delegate_call``, the delegating contract (ABI §7.8).
    * ``code_address`` -- the contract whose code runs (differs from
      ``self_address`` only inside a ``delegate_call``).
    * ``storage_address`` -- the storage context: the namespace
      ``sload``/``sstore``/``sdelete`` slots live in (see
      ``spec/findings/storage-namespace.md``).  Defaults to
      ``self_address``; ABI §7.8 makes them equal in every frame.
    * ``caller`` -- the immediate caller (ABI §7.3); inside a
      ``delegate_call`` the caller of the outer function.
    * ``origin`` -- the account that signed the transaction.

    ``state`` is the frame's top overlay (ABI §13.2); emitted events go to
    ``state.events`` (ABI §15.1).  ``access_list`` is ``None`` when the
    running function declares none (no restriction), else its
    :class:`AccessList`; ``tx_access_list`` the transaction's (``None``: the
    transaction declares none).  ``calls`` runs sub-calls
    (:class:`SubcallRunner`).  ``depth`` is 0 for the transaction's entry
    frame.  ``tx_index`` is the transaction's position in the wave (event
    records, ABI §15.3).  ``is_parachain`` gates the §8 functions;
    ``parachain`` is the :class:`ParachainFrame` of a parachain frame
    (``None`` in a contract frame).
    """

    self_address: bytes
    caller: bytes
    origin: bytes
    state: Overlay
    block: BlockContext
    calls: Optional[SubcallRunner] = None
    code_address: Optional[bytes] = None
    value: int = 0
    calldata: bytes = b""
    view_mode: bool = False
    access_list: Optional[AccessList] = None
    tx_access_list: Optional[TxAccessList] = None
    tx_hash: bytes = bytes(32)
    tx_index: int = 0
    depth: int = 0
    is_parachain: bool = False
    parachain: Optional[ParachainFrame] = None
    storage_address: bytes = attrs.field(
        default=attrs.Factory(_default_storage_address, takes_self=True)
    )

    def __attrs_post_init__(self) -> None:
        if self.code_address is None:
            self.code_address = self.self_address


@attrs.define
class HostEnv:
    """The three parts a host function works with (module docstring), and
    ``gas_log``: told each charge once it is paid (``pyde_ref.abi.gas.pay``;
    ``None``: nobody listens)."""

    memory: Memory
    gas: GasMeter
    ctx: ExecutionContext
    gas_log: Optional[Callable[[Any], None]] = None


def as_i32(bits: int) -> int:
    """The signed reading of an i32 bit pattern (core spec §4.3.1 signed_32)."""
    bits &= 0xFFFF_FFFF
    return bits - (1 << 32) if bits >= (1 << 31) else bits


def as_i64(bits: int) -> int:
    """The signed reading of an i64 bit pattern (core spec §4.3.1 signed_64)."""
    bits &= 0xFFFF_FFFF_FFFF_FFFF
    return bits - (1 << 64) if bits >= (1 << 63) else bits

