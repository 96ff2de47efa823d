"""The halt operations of ABI §7.9 as Python exceptions.

``pyde::return`` and ``pyde::revert`` never return to the contract: they end
the current call frame.  They are *not* traps (ABI §4 lists traps as
unrecoverable failures; a return is a success and a revert is a deliberate,
data-carrying failure), so they are ordinary exceptions that the machine's
``invoke`` lets propagate unchanged to the executor, which turns them into the
frame's outcome.
"""

from __future__ import annotations


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
