"""ABI §7.1 storage: ``sload``, ``sstore``, ``sdelete``.

Slots live in the frame's storage context, ``env.ctx.storage_address``
(``spec/findings/storage-namespace.md``): the 32-byte slot key a contract
computes names a slot *inside its own context*, never another contract's.

Order inside each function: charge gas (ABI §5); view-mode refusal for the
mutating ones (ABI §3.5, §3.7 Layer 3, before touching memory, as the §15.9
reference flow orders it); read the arguments from memory (out of range traps,
ABI §3.4); the access-list check (ABI §3.7 Layer 3); then the work.
"""

from __future__ import annotations

from pyde_ref.abi import memio
from pyde_ref.abi.constants import (
    ERR_ACCESS_LIST_VIOLATION,
    ERR_FORBIDDEN,
    HostTrapKind,
    OK,
    SLOT_SIZE,
    VALUE_SIZE,
)
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge
from pyde_ref.wasm.errors import Trap


def slot_allowed(env: HostEnv, slot: bytes, write: bool = False) -> bool:
    """ABI §3.7 Layer 3: with a declared access list, only listed slots; with
    none, every slot (``spec/findings/abi-access-list.md``).  The
    transaction's own access list (chapter 11 §11.6) is checked first: a
    slot outside it traps (``access_list_violation``) and marks the
    transaction violated.  The slot lives in the frame's storage context (a
    parachain's is its id, and its slots are the PIP-2 slot hashes of its
    keys: ``spec/findings/parachain-storage.md``)."""
    address = env.ctx.storage_address
    tx_list = env.ctx.tx_access_list
    if tx_list is not None and not tx_list.allows(address, slot, write):
        tx_list.violated = True
        raise Trap(HostTrapKind.ACCESS_LIST_VIOLATION,
                   f"slot 0x{slot.hex()} of 0x{address.hex()} is outside the transaction's access list")
    access_list = env.ctx.access_list
    return access_list is None or access_list.allows(slot)


def sload(env: HostEnv, slot_ptr: int, value_out_ptr: int) -> int:
    """ABI §7.1 ``sload(slot_ptr, value_out_ptr) -> i32``; a never-written or
    deleted slot reads as 32 zero bytes."""
    charge(env, "sload")
    slot = memio.read(env, slot_ptr, SLOT_SIZE)
    if not slot_allowed(env, slot):
        return ERR_ACCESS_LIST_VIOLATION
    value = env.ctx.state.sload(env.ctx.storage_address, slot)
    memio.write(env, value_out_ptr, value)
    return OK


def sstore(env: HostEnv, slot_ptr: int, value_ptr: int) -> int:
    """ABI §7.1 ``sstore(slot_ptr, value_ptr) -> i32``.  Writing 32 zero
    bytes is the same as ``sdelete`` (empty and zero are one state)."""
    charge(env, "sstore")
    if env.ctx.view_mode:
        return ERR_FORBIDDEN
    slot = memio.read(env, slot_ptr, SLOT_SIZE)
    value = memio.read(env, value_ptr, VALUE_SIZE)
    if not slot_allowed(env, slot, write=True):
        return ERR_ACCESS_LIST_VIOLATION
    env.ctx.state.sstore(env.ctx.storage_address, slot, value)
    return OK


def sdelete(env: HostEnv, slot_ptr: int) -> int:
    """ABI §7.1 ``sdelete(slot_ptr) -> i32``; succeeds whether or not the
    slot held a value; no refund (ABI §5.1)."""
    charge(env, "sdelete")
    if env.ctx.view_mode:
        return ERR_FORBIDDEN
    slot = memio.read(env, slot_ptr, SLOT_SIZE)
    if not slot_allowed(env, slot, write=True):
        return ERR_ACCESS_LIST_VIOLATION
    env.ctx.state.sdelete(env.ctx.storage_address, slot)
    return OK
