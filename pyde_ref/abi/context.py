"""ABI §7.3 execution context, §7.4 transaction context, §7.11 beacon.

Every value comes from ``env.ctx`` (the block context of the wave and the
frame's addresses, value and calldata): nothing here reads a clock or any
source outside the chain's inputs (ABI §6).
"""

from __future__ import annotations

from pyde_ref.abi import memio
from pyde_ref.abi.constants import ERR_INVALID_INPUT, OK
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge

I64_MAX = (1 << 63) - 1


# -- §7.3 addresses ----------------------------------------------------------


def caller(env: HostEnv, addr_out_ptr: int) -> int:
    """ABI §7.3 ``caller(addr_out_ptr) -> i32``: the immediate caller."""
    charge(env, "caller")
    memio.write(env, addr_out_ptr, env.ctx.caller)
    return OK


def origin(env: HostEnv, addr_out_ptr: int) -> int:
    """ABI §7.3 ``origin(addr_out_ptr) -> i32``: the transaction's signer."""
    charge(env, "origin")
    memio.write(env, addr_out_ptr, env.ctx.origin)
    return OK


def self_address(env: HostEnv, addr_out_ptr: int) -> int:
    """ABI §7.3 ``self_address(addr_out_ptr) -> i32`` (inside a
    ``delegate_call``: the delegating contract, ABI §7.8)."""
    charge(env, "self_address")
    memio.write(env, addr_out_ptr, env.ctx.self_address)
    return OK


# -- §7.3 chain scalars --------------------------------------------------------


def block_height(env: HostEnv) -> int:
    """ABI §7.3 ``block_height() -> i64`` (u64 bits)."""
    charge(env, "block_height")
    return env.ctx.block.block_height


def wave_id(env: HostEnv) -> int:
    """ABI §7.3 ``wave_id() -> i64`` (u64 bits)."""
    charge(env, "wave_id")
    return env.ctx.block.wave_id


def block_timestamp(env: HostEnv) -> int:
    """ABI §7.3 ``block_timestamp() -> i64``: the wave's attested timestamp."""
    charge(env, "block_timestamp")
    return env.ctx.block.block_timestamp


def chain_id(env: HostEnv) -> int:
    """ABI §7.3 ``chain_id() -> i64``."""
    charge(env, "chain_id")
    return env.ctx.block.chain_id


# -- §7.4 transaction context --------------------------------------------------


def tx_hash(env: HostEnv, hash_out_ptr: int) -> int:
    """ABI §7.4 ``tx_hash(hash_out_ptr) -> i32``: the transaction's hash.
    ABI §7.4 calls it "Blake3"; the hash a transaction has, and signs, is
    chapter 11 §11.6's Poseidon2 hash, and that is what this returns
    (``spec/findings/tx-hash.md``)."""
    charge(env, "tx_hash")
    memio.write(env, hash_out_ptr, env.ctx.tx_hash)
    return OK


def tx_value(env: HostEnv, value_out_ptr: int) -> int:
    """ABI §7.4 ``tx_value(value_out_ptr) -> i32``: the value attached to the
    current call (u128 LE)."""
    charge(env, "tx_value")
    memio.write_u128(env, value_out_ptr, env.ctx.value)
    return OK


def tx_gas_remaining(env: HostEnv) -> int:
    """ABI §7.4 ``tx_gas_remaining() -> i64``: the frame's gas left *after*
    this call's own 2 gas.  An unlimited meter (outside consensus only)
    reports the largest i64."""
    charge(env, "tx_gas_remaining")
    remaining = env.gas.remaining
    return I64_MAX if remaining is None else min(remaining, I64_MAX)


def calldata_size(env: HostEnv) -> int:
    """ABI §7.4 ``calldata_size() -> i32``."""
    charge(env, "calldata_size")
    return len(env.ctx.calldata)


def calldata_copy(env: HostEnv, offset: int, length: int, out_ptr: int) -> int:
    """ABI §7.4 ``calldata_copy(offset, len, out_ptr) -> i32``: copy
    ``calldata[offset : offset + len]``; ``ERR_INVALID_INPUT`` when the range
    passes the end of the calldata.  ``offset`` and ``len`` are unsigned.  The
    per-byte gas is charged on ``len`` before the range is checked (ABI §5:
    gas before work)."""
    charge(env, "calldata_copy", length)
    calldata = env.ctx.calldata
    if offset + length > len(calldata):
        return ERR_INVALID_INPUT
    memio.write(env, out_ptr, calldata[offset : offset + length])
    return OK


# -- §7.11 beacon --------------------------------------------------------------


def beacon_get(env: HostEnv, out_ptr: int) -> int:
    """ABI §7.11 ``beacon_get(out_ptr) -> i32``: the wave's 32-byte beacon."""
    charge(env, "beacon_get")
    memio.write(env, out_ptr, env.ctx.block.beacon)
    return OK


