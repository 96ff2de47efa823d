"""Reading and writing the ABI's fixed-size values in linear memory (ABI §3.2,
§3.4).

Pointers and lengths arrive as unsigned i32 bit patterns; ``env.memory``
bounds-checks every access and traps ``memory_out_of_bounds`` (ABI §3.4), so a
range that wraps past 2**32 or leaves the memory never reads or writes a byte.
All integers are little-endian (ABI §3.2).
"""

from __future__ import annotations

from pyde_ref.abi.constants import ADDRESS_SIZE, U32_SIZE, U128_SIZE
from pyde_ref.abi.env import HostEnv


def read(env: HostEnv, ptr: int, n: int) -> bytes:
    return bytes(env.memory.read(ptr, n))


def write(env: HostEnv, ptr: int, data: bytes) -> None:
    env.memory.write(ptr, bytes(data))


def read_address(env: HostEnv, ptr: int) -> bytes:
    return read(env, ptr, ADDRESS_SIZE)


def read_u128(env: HostEnv, ptr: int) -> int:
    return int.from_bytes(read(env, ptr, U128_SIZE), "little")


def write_u128(env: HostEnv, ptr: int, value: int) -> None:
    write(env, ptr, value.to_bytes(U128_SIZE, "little"))


def read_u32(env: HostEnv, ptr: int) -> int:
    return int.from_bytes(read(env, ptr, U32_SIZE), "little")


def write_u32(env: HostEnv, ptr: int, value: int) -> None:
    write(env, ptr, value.to_bytes(U32_SIZE, "little"))
