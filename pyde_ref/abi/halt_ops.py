"""ABI §7.9 halt operations ``return`` and ``revert`` (the exceptions they
raise are in :mod:`pyde_ref.abi.halt`)."""

from __future__ import annotations

from typing import NoReturn

from pyde_ref.abi import memio
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge
from pyde_ref.abi.halt import HaltReturn, HaltRevert


def return_(env: HostEnv, data_ptr: int, data_len: int) -> NoReturn:
    """ABI §7.9 ``return(data_ptr, data_len)``: end the frame successfully
    with the bytes as return data.  0 gas; an out-of-range buffer traps
    ``memory_out_of_bounds`` (ABI §3.4) instead of returning."""
    charge(env, "return")
    raise HaltReturn(memio.read(env, data_ptr, data_len))


def revert(env: HostEnv, reason_ptr: int, reason_len: int) -> NoReturn:
    """ABI §7.9 ``revert(reason_ptr, reason_len)``: end the frame as a
    failure carrying the reason bytes; the executor discards the frame's
    overlay."""
    charge(env, "revert")
    raise HaltRevert(memio.read(env, reason_ptr, reason_len))
