"""What one bare module call produced, the same shape for both backends.

The differential oracle diffs two :class:`CallOutcome` objects field by field
(:mod:`.compare`).  Everything is plain data: values are bit patterns (the
convention of :mod:`pyde_ref.wasm.syntax`), the memory is reduced to a hash.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi.halt import Halt, HaltReturn
from pyde_ref.crypto.hashes import blake3_hasher

#: ``status`` values.  wasmtime cannot tell a malformed module from an invalid
#: one (both are a compile error), so both backends report ``"rejected"`` for
#: either; the reference keeps the finer reason in ``detail``.
OK = "ok"
TRAP = "trap"
REJECTED = "rejected"
UNLINKABLE = "unlinkable"
UNINSTANTIABLE = "uninstantiable"
NO_SUCH_EXPORT = "no_such_export"
HOST_HALT = "host_halt"
#: A backend raised an unexpected Python exception (or a twin's process
#: died): never an answer, always unexplained.
CRASH = "crash"

#: Fuel given to instantiation (segments, start function) when a bare call
#: measures it, on every backend.
INSTANTIATE_FUEL = 1_000_000


def halt_outcome(error: BaseException) -> Optional[tuple[str, str, str]]:
    """``(status, trap, detail)`` for a Pyde halt (``pyde::return`` /
    ``pyde::revert``, ABI §7.9) raised out of a call, else ``None``.  The halt
    and its data go into ``trap`` so they are compared."""
    if not isinstance(error, Halt):
        return None
    which = "return" if isinstance(error, HaltReturn) else "revert"
    return HOST_HALT, f"{which}:{error.data.hex()}", type(error).__name__


def memory_digest(data) -> Optional[str]:
    """Blake3 of the final linear memory (``None`` when there is no memory).

    ``data`` is any bytes-like buffer (hashed in place, not copied: memories
    reach 64 MB).  The length is hashed first, so memories differing only in
    size (trailing zero pages) hash differently."""
    if data is None:
        return None
    view = memoryview(data).cast("B")
    digest = blake3_hasher(len(view).to_bytes(8, "little"))
    digest.update(view)
    return digest.hexdigest()


@attrs.frozen
class CallOutcome:
    """One backend's view of: instantiate ``module``, call export ``func``.

    ``instantiate_fuel``: fuel the instantiation consumed (element/data
    segments, start function), measured with an ample budget unless the
    caller gives another; also reported when the instantiation trapped (a
    segment that does not fit, a start function: what the meter then shows).
    ``fuel_consumed``: fuel the call consumed, ``budget - remaining``, where
    remaining is what the backend reports after the call (for wasmtime: the
    last written-back value, clamped at 0).
    ``globals``: exported mutable globals after the call, ``(name, type, bits)``
    sorted by name.
    ``state_hash``: with host functions, what the call wrote to its overlay
    and the events it emitted (:mod:`.hostframe`).
    """

    status: str
    results: tuple[int, ...] = ()
    trap: Optional[str] = None
    instantiate_fuel: Optional[int] = None
    fuel_consumed: Optional[int] = None
    memory_hash: Optional[str] = None
    globals: tuple[tuple[str, str, int], ...] = ()
    #: with host functions: blake3 of the frame's state writes and events
    state_hash: Optional[str] = None
    detail: str = ""

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "results": list(self.results),
            "trap": self.trap,
            "instantiate_fuel": self.instantiate_fuel,
            "fuel_consumed": self.fuel_consumed,
            "memory_hash": self.memory_hash,
            "globals": [list(g) for g in self.globals],
            "state_hash": self.state_hash,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, record: dict) -> "CallOutcome":
        """The inverse of :meth:`to_json`."""
        return cls(
            record["status"],
            results=tuple(record["results"]),
            trap=record["trap"],
            instantiate_fuel=record["instantiate_fuel"],
            fuel_consumed=record["fuel_consumed"],
            memory_hash=record["memory_hash"],
            globals=tuple(tuple(g) for g in record["globals"]),
            state_hash=record["state_hash"],
            detail=record["detail"],
        )
