"""ABI §7.6 hashing primitives: ``hash_blake3``, ``hash_poseidon2``,
``hash_keccak256``.

Each reads ``in_len`` bytes, writes the 32-byte digest at ``out_ptr`` and
returns 0.  Gas is base + per-word (8 bytes, rounded up) on ``in_len``,
charged first (ABI §10).  The primitives are :mod:`pyde_ref.crypto`'s.
"""

from __future__ import annotations

from typing import Callable

from pyde_ref.abi import memio
from pyde_ref.abi.constants import OK
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge
from pyde_ref.crypto.hashes import blake3_256, keccak256
from pyde_ref.crypto.poseidon2 import poseidon2_hash


def _hash_call(env: HostEnv, name: str, digest: Callable[[bytes], bytes],
               in_ptr: int, in_len: int, out_ptr: int) -> int:
    charge(env, name, in_len)
    data = memio.read(env, in_ptr, in_len)
    memio.write(env, out_ptr, digest(data))
    return OK


def hash_blake3(env: HostEnv, in_ptr: int, in_len: int, out_ptr: int) -> int:
    """ABI §7.6 ``hash_blake3(in_ptr, in_len, out_ptr) -> i32``; 15 + 3/word."""
    return _hash_call(env, "hash_blake3", blake3_256, in_ptr, in_len, out_ptr)


def hash_poseidon2(env: HostEnv, in_ptr: int, in_len: int, out_ptr: int) -> int:
    """ABI §7.6 ``hash_poseidon2(in_ptr, in_len, out_ptr) -> i32``; 100 + 30/word."""
    return _hash_call(env, "hash_poseidon2", poseidon2_hash, in_ptr, in_len, out_ptr)


def hash_keccak256(env: HostEnv, in_ptr: int, in_len: int, out_ptr: int) -> int:
    """ABI §7.6 ``hash_keccak256(in_ptr, in_len, out_ptr) -> i32``; 30 + 6/word."""
    return _hash_call(env, "hash_keccak256", keccak256, in_ptr, in_len, out_ptr)
