"""ABI §7.9 halt operations ``return`` and ``revert``, and the exceptions
they end a frame with.

``pyde::return`` and ``pyde::revert`` never return to the contract: they end
the current call frame.  They are *not* traps (ABI §4 lists traps as
unrecoverable failures; a return is a success and a revert is a deliberate,
data-carrying failure), so they raise ordinary exceptions that the machine's
``invoke`` lets propagate unchanged to the executor, which turns them into the
frame's outcome.
"""

from __future__ import annotations

from typing import NoReturn

from pyde_ref.abi import memio
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge


class Halt(Exception):
    """A halt host function ended the current call frame; ``data`` is the
    payload the contract passed (return data or revert reason)."""

    def __init__(self, data: bytes):
        super().__init__(f"{type(self).__name__}({len(data)} bytes)")
        self.data = bytes(data)


class HaltReturn(Halt):
    """``pyde::return(data_ptr, data_len)`` (ABI §7.9): the frame succeeds and
    ``data`` becomes its return data."""


class HaltRevert(Halt):
    """``pyde::revert(reason_ptr, reason_len)`` (ABI §7.9): the frame fails,
    its overlay is discarded, and ``data`` is the revert reason."""


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
