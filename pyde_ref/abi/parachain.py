"""ABI §8: the nine parachain-only host functions.

Deploy refuses any contract that imports one of these (ABI §9.2), so a
contract never reaches them; a call from a non-parachain frame (reachable
only by bypassing deploy) charges the base gas and returns
``ERR_PARACHAIN_ONLY`` (ABI §8).  Inside a parachain frame
(``env.ctx.parachain``, a :class:`~pyde_ref.abi.env.ParachainFrame`) each
function does what §8 says, with the §10 gas charged first and the §4 codes
§8 lists.  Order in every function, as for the §7 functions: gas, view-mode
refusal, argument reads (an out-of-range pointer traps), checks, work,
outputs.  Readings: ``spec/findings/parachain-abi.md`` (the out-buffer
protocol, per-byte gas, the view rule of ``send_xparachain_message``), and
where PARACHAIN_DESIGN and ABI §8 differ (the ABI wins):
``parachain-context-functions.md``, ``parachain-xcall-signature.md``,
``parachain-xcall-rate-limit.md``, ``parachain-import-allowlist.md``.

State: storage lives in the ``parachain_storage`` table under the PIP-2 slot
hash of the key (:func:`pyde_ref.state.parachains.slot_hash`); a message is
an ``xcall`` record the engine delivers in a later wave
(:mod:`pyde_ref.executor.xcall`); the threshold key and the ceremony results
are ``protocol`` records.
"""

from __future__ import annotations

from typing import Optional

from pyde_ref.abi import memio
from pyde_ref.abi.constants import (
    ADDRESS_SIZE,
    ERR_ACCESS_LIST_VIOLATION,
    ERR_CIPHERTEXT_INVALID,
    ERR_FORBIDDEN,
    ERR_INVALID_FUNCTION_NAME,
    ERR_INVALID_INPUT,
    ERR_OUTPUT_BUFFER_TOO_SMALL,
    ERR_PARACHAIN_ONLY,
    ERR_XCALL_RATE_LIMITED,
    HostTrapKind,
    OK,
    XCALL_MAX_CALLBACK_GAS,
    XCALL_MAX_MESSAGE_SIZE,
    XCALL_MAX_TIMEOUT_WAVES,
)
from pyde_ref.abi.env import HostEnv, ParachainFrame, as_i64
from pyde_ref.abi.events import emit
from pyde_ref.abi.gas import GasCharge, charge, gas_charge, pay
from pyde_ref.abi.storage import slot_allowed
from pyde_ref.crypto import threshold
from pyde_ref.crypto.errors import CryptoError, CryptoFailure
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.state.parachains import (
    CombinedShares,
    ParachainSlot,
    ParachainStatus,
    ThresholdKey,
    XCallBudget,
    XCallMessage,
    slot_hash,
)
from pyde_ref.state.records import Disc, Scalar, protocol_key
from pyde_ref.wasm import Trap

PARACHAIN_FUNCTIONS = (
    "parachain_storage_read",
    "parachain_storage_write",
    "parachain_storage_delete",
    "parachain_id",
    "parachain_version",
    "parachain_emit_event",
    "send_xparachain_message",
    "threshold_encrypt",
    "threshold_decrypt",
)

THRESHOLD_KEY = protocol_key(Disc.THRESHOLD_KEY)
XCALL_LAST_ID = protocol_key(Disc.XCALL_LAST_ID)


def combined_key(envelope_id: bytes) -> bytes:
    return protocol_key(Disc.THRESHOLD_COMBINED, envelope_id)


class _ParachainOnly(Exception):
    """A §8 function called from a non-parachain frame."""


def _frame(env: HostEnv, name: str) -> ParachainFrame:
    """ABI §8: the calling frame's parachain; outside one, the base gas is
    charged and the function returns ``ERR_PARACHAIN_ONLY``."""
    if not env.ctx.is_parachain:
        charge(env, name)
        raise _ParachainOnly
    if env.ctx.parachain is None:
        raise Trap(HostTrapKind.HOST_INTERNAL, "a parachain module running without its parachain context")
    return env.ctx.parachain


def _parachain_only(fn):
    """Map :class:`_ParachainOnly` to its return code."""

    def host(env: HostEnv, *args: int) -> int:
        try:
            return fn(env, *args)
        except _ParachainOnly:
            return ERR_PARACHAIN_ONLY

    host.__name__ = fn.__name__
    host.__doc__ = fn.__doc__
    return host


def _write_out(env: HostEnv, data: bytes, out_ptr: int, out_len_ptr: int) -> None:
    """Write ``data`` at ``out_ptr`` and its length (u32 LE) at
    ``out_len_ptr``; all or nothing (ABI §3.4): the length slot is probed
    before the data is written."""
    memio.read(env, out_len_ptr, 4)
    memio.write(env, out_ptr, data)
    memio.write_u32(env, out_len_ptr, len(data))


def _too_small(env: HostEnv, needed: int, out_len_ptr: int) -> int:
    """The out-buffer protocol (``spec/findings/parachain-abi.md``): the
    capacity is the u32 at ``out_len_ptr``; when it is below ``needed``,
    the length needed is written there and nothing else."""
    memio.write_u32(env, out_len_ptr, needed)
    return ERR_OUTPUT_BUFFER_TOO_SMALL


# --------------------------------------------------------------------------
# §8.1 storage
# --------------------------------------------------------------------------


def _slot(env: HostEnv, pid: bytes, key: bytes,
          write: bool) -> tuple[Optional[int], bytes, Optional[ParachainSlot]]:
    """The access-list checks of the key's slot hash (the transaction's list
    traps; a function's declared list returns ``ERR_ACCESS_LIST_VIOLATION``),
    then the collision check: ``(refusal, slot, found)``, the refusal
    ``None`` when the key may be used, ``found`` the entry under the slot.
    The slot hash is computed once: it is a Poseidon2 of a key whose length
    read and delete do not price (``spec/findings/gas-and-work.md``)."""
    slot = slot_hash(pid, key)
    if not slot_allowed(env, slot, write):
        return ERR_ACCESS_LIST_VIOLATION, slot, None
    found = env.ctx.state.parachain_slot(pid, key, slot)
    if found is not None and found.key != key:
        raise Trap(HostTrapKind.PARACHAIN_SLOT_COLLISION,
                   f"keys 0x{key.hex()} and 0x{found.key.hex()} share a slot hash")
    return None, slot, found


@_parachain_only
def parachain_storage_read(env: HostEnv, key_ptr: int, key_len: int, value_out_ptr: int,
                           value_out_len_ptr: int) -> int:
    """ABI §8.1 ``parachain_storage_read(key_ptr, key_len, value_out_ptr,
    value_out_len_ptr) -> i32``: 250 gas, then 1 per byte returned, charged
    before the bytes are written.  The capacity of the buffer is the u32 at
    ``value_out_len_ptr``; a value longer than it is
    ``ERR_OUTPUT_BUFFER_TOO_SMALL`` with the value's length written there
    (nothing returned, nothing more charged).  A key never written reads as
    success with length 0."""
    parachain = _frame(env, "parachain_storage_read")
    charge(env, "parachain_storage_read")
    key = memio.read(env, key_ptr, key_len)
    capacity = memio.read_u32(env, value_out_len_ptr)
    refused, _, found = _slot(env, parachain.parachain_id, key, write=False)
    if refused is not None:
        return refused
    value = b"" if found is None else found.value
    if len(value) > capacity:
        return _too_small(env, len(value), value_out_len_ptr)
    returned = gas_charge("parachain_storage_read", len(value))
    pay(env, GasCharge(per_byte=returned.per_byte))  # ABI §10: "1 / byte returned", once the length is known
    _write_out(env, value, value_out_ptr, value_out_len_ptr)
    return OK


@_parachain_only
def parachain_storage_write(env: HostEnv, key_ptr: int, key_len: int, value_ptr: int, value_len: int) -> int:
    """ABI §8.1 ``parachain_storage_write(key_ptr, key_len, value_ptr,
    value_len) -> i32``: 5,500 + 10 per byte stored (key and value), charged
    first; ``ERR_FORBIDDEN`` from a view frame.  An empty value deletes the
    key (empty and absent read alike)."""
    parachain = _frame(env, "parachain_storage_write")
    charge(env, "parachain_storage_write", key_len + value_len)
    if env.ctx.view_mode:
        return ERR_FORBIDDEN
    key = memio.read(env, key_ptr, key_len)
    value = memio.read(env, value_ptr, value_len)
    refused, slot, _ = _slot(env, parachain.parachain_id, key, write=True)
    if refused is not None:
        return refused
    env.ctx.state.put_parachain_slot(parachain.parachain_id, key, value, slot)
    return OK


@_parachain_only
def parachain_storage_delete(env: HostEnv, key_ptr: int, key_len: int) -> int:
    """ABI §8.1 ``parachain_storage_delete(key_ptr, key_len) -> i32``: 250
    gas; 0 whether or not the key existed; ``ERR_FORBIDDEN`` from a view
    frame; no refund (ABI §5.1)."""
    parachain = _frame(env, "parachain_storage_delete")
    charge(env, "parachain_storage_delete")
    if env.ctx.view_mode:
        return ERR_FORBIDDEN
    key = memio.read(env, key_ptr, key_len)
    refused, slot, _ = _slot(env, parachain.parachain_id, key, write=True)
    if refused is not None:
        return refused
    env.ctx.state.put_parachain_slot(parachain.parachain_id, key, b"", slot)
    return OK


# --------------------------------------------------------------------------
# §8.2 context
# --------------------------------------------------------------------------


@_parachain_only
def parachain_id(env: HostEnv, out_ptr: int) -> int:
    """ABI §8.2 ``parachain_id(out_ptr) -> i32``: 5 gas; writes the 32-byte
    id (Poseidon2 of ``"pyde-parachain:" || name``); 0 always."""
    parachain = _frame(env, "parachain_id")
    charge(env, "parachain_id")
    memio.write(env, out_ptr, parachain.parachain_id)
    return OK


@_parachain_only
def parachain_version(env: HostEnv) -> int:
    """ABI §8.2 ``parachain_version() -> i32``: 5 gas; the active version
    (u32; 0 is the registered module)."""
    parachain = _frame(env, "parachain_version")
    charge(env, "parachain_version")
    return parachain.version


# --------------------------------------------------------------------------
# §8.3 events
# --------------------------------------------------------------------------


@_parachain_only
def parachain_emit_event(env: HostEnv, topic_ptr: int, topic_len: int, data_ptr: int, data_len: int) -> int:
    """ABI §8.3 ``parachain_emit_event(topic_ptr, topic_len, data_ptr,
    data_len) -> i32``: 100 + 8 per byte (topic and data); ``ERR_FORBIDDEN``
    from a view frame; the topic is 32 bytes (``ERR_INVALID_INPUT``
    otherwise, as ``emit_event``).  The event is filed under the parachain's
    id (ABI §15.8: ``contract_addr = parachain_id``), in the same buffer,
    root and bloom as every other event."""
    parachain = _frame(env, "parachain_emit_event")
    return emit(env, "parachain_emit_event", parachain.parachain_id, topic_ptr, topic_len, data_ptr, data_len)


# --------------------------------------------------------------------------
# §8.4 cross-parachain messages
# --------------------------------------------------------------------------


def _decode_name(raw: bytes) -> Optional[str]:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def next_xcall_id(state) -> int:
    """A positive XCallId, one more than the last issued (ABI §8.4:
    "positive XCallId (u64)")."""
    last = state.protocol(XCALL_LAST_ID)
    xcall_id = (0 if last is None else last.value) + 1
    state.put_protocol(XCALL_LAST_ID, Scalar(xcall_id, 8))
    return xcall_id


@_parachain_only
def send_xparachain_message(env: HostEnv, target_id_ptr: int, msg_ptr: int, msg_len: int,
                            callback_fn_name_ptr: int, callback_fn_name_len: int,
                            max_callback_gas: int, timeout_waves: int) -> int:
    """ABI §8.4 ``send_xparachain_message(...) -> i64``: 10,000 + 8 per byte
    of the message, charged first; ``ERR_FORBIDDEN`` from a view frame.
    Then, in order: ``ERR_INVALID_INPUT`` for a target that names no live
    parachain, a message above 64 KB, a negative ``max_callback_gas`` or one
    above :data:`XCALL_MAX_CALLBACK_GAS`, a ``timeout_waves`` outside ``[1,
    XCALL_MAX_TIMEOUT_WAVES]``; ``ERR_INVALID_FUNCTION_NAME`` when the
    callback is not a public function of this parachain's running module;
    ``ERR_XCALL_RATE_LIMITED`` past the configured messages per wave (ABI
    §4's code, not PARACHAIN_DESIGN §9's trap).  Otherwise the message is
    queued (the frame's overlay: a revert drops it) and its positive XCallId
    returned; the engine delivers it in a later wave."""
    parachain = _frame(env, "send_xparachain_message")
    charge(env, "send_xparachain_message", msg_len)
    if env.ctx.view_mode:
        return ERR_FORBIDDEN
    target = memio.read(env, target_id_ptr, ADDRESS_SIZE)
    message = memio.read(env, msg_ptr, msg_len)
    callback = _decode_name(memio.read(env, callback_fn_name_ptr, callback_fn_name_len))
    gas, timeout = as_i64(max_callback_gas), as_i64(timeout_waves)
    state = env.ctx.state
    record = state.parachain(target)
    if record is None or record.status == ParachainStatus.KILLED:
        return ERR_INVALID_INPUT
    if len(message) > XCALL_MAX_MESSAGE_SIZE or not 0 <= gas <= XCALL_MAX_CALLBACK_GAS \
            or not 1 <= timeout <= XCALL_MAX_TIMEOUT_WAVES:
        return ERR_INVALID_INPUT
    if callback is None or not parachain.has_function(callback):
        return ERR_INVALID_FUNCTION_NAME
    wave = env.ctx.block.wave_id
    source = state.parachain(parachain.parachain_id)
    budget = state.xcall_budget(parachain.parachain_id)
    sent = budget.count if budget is not None and budget.wave == wave else 0
    if sent >= source.config.xcall_rate_limit:
        return ERR_XCALL_RATE_LIMITED
    state.put_xcall_budget(parachain.parachain_id, XCallBudget(wave, sent + 1))
    xcall_id = next_xcall_id(state)
    state.put_xcall(XCallMessage(
        xcall_id=xcall_id, source=parachain.parachain_id, target=target, message=message,
        callback_fn=callback, max_callback_gas=gas, timeout_waves=timeout, issued_at_wave=wave,
        original_caller=env.ctx.origin, original_fn=parachain.entry_function,
        original_args_hash=poseidon2_hash(env.ctx.calldata)))
    return xcall_id


# --------------------------------------------------------------------------
# §8.5 threshold cryptography
# --------------------------------------------------------------------------


def committee_key(state) -> bytes:
    """The threshold key the chain holds; a chain without one cannot serve
    ``threshold_encrypt`` (``host_internal``: an engine-side gap, not the
    contract's fault, ABI §4 ``ERR_INTERNAL``)."""
    record = state.protocol(THRESHOLD_KEY)
    if not isinstance(record, ThresholdKey):
        raise Trap(HostTrapKind.HOST_INTERNAL, "the chain has no threshold encryption key")
    return record.public_key


class CombinedView:
    """The ceremony results visible at ``wave``: ``envelope id -> shared
    secret`` for every :class:`CombinedShares` whose ``from_wave`` has come
    (the ``combined`` mapping of :func:`pyde_ref.crypto.threshold.decrypt`)."""

    def __init__(self, state, wave: int):
        self.state = state
        self.wave = wave

    def get(self, envelope_id: bytes, default=None):
        record = self.state.protocol(combined_key(envelope_id))
        if isinstance(record, CombinedShares) and record.from_wave <= self.wave:
            return record.shared_secret
        return default


@_parachain_only
def threshold_encrypt(env: HostEnv, plaintext_ptr: int, plaintext_len: int, ciphertext_out_ptr: int,
                      ciphertext_out_len_ptr: int) -> int:
    """ABI §8.5 ``threshold_encrypt(...) -> i32``: 80,000 + 100 per byte of
    plaintext, charged first.  The buffer's capacity is the u32 at
    ``ciphertext_out_len_ptr``: below ``1117 + plaintext_len`` it is
    ``ERR_OUTPUT_BUFFER_TOO_SMALL`` (the size needed written there).  The
    envelope (``spec/cryptography.md``) is derived from the chain, block,
    wave, transaction, parachain and the transaction's count of encryptions
    so far, so every validator writes the same bytes."""
    parachain = _frame(env, "threshold_encrypt")
    charge(env, "threshold_encrypt", plaintext_len)
    plaintext = memio.read(env, plaintext_ptr, plaintext_len)
    capacity = memio.read_u32(env, ciphertext_out_len_ptr)
    needed = threshold.envelope_size(plaintext_len)
    if capacity < needed:
        return _too_small(env, needed, ciphertext_out_len_ptr)
    key = committee_key(env.ctx.state)
    block = env.ctx.block
    context = threshold.EncryptionContext(block.chain_id, block.block_height, block.wave_id, env.ctx.tx_hash,
                                          parachain.parachain_id, parachain.next_encryption_index())
    try:
        envelope = threshold.encrypt(key, plaintext, context)
    except CryptoError as exc:
        raise Trap(HostTrapKind.HOST_INTERNAL, exc.reason) from None
    _write_out(env, envelope, ciphertext_out_ptr, ciphertext_out_len_ptr)
    return OK


_DECRYPT_CODES = {
    CryptoFailure.CIPHERTEXT_INVALID: ERR_CIPHERTEXT_INVALID,
    CryptoFailure.NOT_COMBINED: ERR_FORBIDDEN,
}


@_parachain_only
def threshold_decrypt(env: HostEnv, ciphertext_ptr: int, ciphertext_len: int, plaintext_out_ptr: int,
                      plaintext_out_len_ptr: int) -> int:
    """ABI §8.5 ``threshold_decrypt(...) -> i32``: 100,000 + 50 per byte of
    ciphertext, charged first.  ``ERR_CIPHERTEXT_INVALID`` for a malformed
    envelope or one whose tag does not verify; ``ERR_FORBIDDEN`` until the
    committee's ceremony for the envelope has been combined (a
    :class:`CombinedShares` whose ``from_wave`` has come); then the
    out-buffer protocol (``ERR_OUTPUT_BUFFER_TOO_SMALL``, a code §8.5 does
    not list but the buffer needs) and the plaintext with its length."""
    _frame(env, "threshold_decrypt")
    charge(env, "threshold_decrypt", ciphertext_len)
    envelope = memio.read(env, ciphertext_ptr, ciphertext_len)
    capacity = memio.read_u32(env, plaintext_out_len_ptr)
    try:
        plaintext = threshold.decrypt(envelope, CombinedView(env.ctx.state, env.ctx.block.wave_id))
    except CryptoError as exc:
        if exc.failure not in _DECRYPT_CODES:
            raise Trap(HostTrapKind.HOST_INTERNAL, exc.reason) from None
        return _DECRYPT_CODES[exc.failure]
    if len(plaintext) > capacity:
        return _too_small(env, len(plaintext), plaintext_out_len_ptr)
    _write_out(env, plaintext, plaintext_out_ptr, plaintext_out_len_ptr)
    return OK


IMPLEMENTATIONS = {
    "parachain_storage_read": parachain_storage_read,
    "parachain_storage_write": parachain_storage_write,
    "parachain_storage_delete": parachain_storage_delete,
    "parachain_id": parachain_id,
    "parachain_version": parachain_version,
    "parachain_emit_event": parachain_emit_event,
    "send_xparachain_message": send_xparachain_message,
    "threshold_encrypt": threshold_encrypt,
    "threshold_decrypt": threshold_decrypt,
}
assert tuple(IMPLEMENTATIONS) == PARACHAIN_FUNCTIONS
