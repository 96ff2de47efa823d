"""Writing a trace as the reading tier runs: :class:`TraceWriter`.

The writer is the machine's and the executor's observer
(:class:`pyde_ref.executor.observe.ExecutionObserver`): each event becomes one
line, written at once to the stream (a trace of a long run is large; nothing
of it is kept but three counters).  A stream that cannot be written raises
:class:`TraceWriteError` out of the run, which the command reports.
"""

from __future__ import annotations

import contextlib
import sys
from typing import IO, Optional, Sequence

from pyde_ref.abi.gas import GasCharge
from pyde_ref.executor.observe import ExecutionObserver
from pyde_ref.trace import records as rec

STDOUT = "-"
"""The path that means standard output."""

WRITE_BUFFER = 1 << 16


class TraceWriteError(Exception):
    """The trace could not be opened or written; ``broken_pipe`` when its
    reader went away (standard output closed)."""

    def __init__(self, message: str, broken_pipe: bool = False):
        super().__init__(message)
        self.broken_pipe = broken_pipe


class TraceWriter(ExecutionObserver):
    """Streams the trace of one command to ``stream``: the header at once,
    a line per event, the summary at :meth:`finish`."""

    def __init__(self, stream: IO[str], command: str, name: str = "the trace", owned: bool = False):
        self._stream = stream
        self._name = name
        self._owned = owned
        self.records = 0
        self.instructions = 0
        self.host_calls = 0
        self._charges: Optional[tuple[GasCharge, ...]] = None
        self._write(rec.header_record(command))

    @classmethod
    def open(cls, path: str, command: str) -> "TraceWriter":
        """A writer to the file ``path`` (created or truncated), or to
        standard output for ``-``."""
        if path == STDOUT:
            return cls(sys.stdout, command, "standard output")
        try:
            stream = open(path, "w", encoding="ascii", newline="\n", buffering=WRITE_BUFFER)
        except OSError as exc:
            raise TraceWriteError(f"cannot write the trace to {path}: {exc.strerror or exc}") from None
        return cls(stream, command, path, owned=True)

    def _write(self, record: dict) -> None:
        try:
            self._stream.write(rec.dumps(record) + "\n")
        except BrokenPipeError:
            raise TraceWriteError(f"{self._name} was closed by its reader", broken_pipe=True) from None
        except OSError as exc:
            raise TraceWriteError(f"cannot write the trace to {self._name}: {exc.strerror or exc}") from None
        self.records += 1

    # -- the machine's events ----------------------------------------------

    def instruction(self, event) -> None:
        self.instructions += 1
        self._write(rec.instruction_record(event))

    def function_entry(self, event) -> None:
        self._write(rec.entry_record(event))

    def host_charges(self, charges: tuple[GasCharge, ...]) -> None:
        self._charges = charges

    def host_call(self, event) -> None:
        charges, self._charges = self._charges, None
        self.host_calls += 1
        self._write(rec.host_record(event, charges))

    # -- the executor's events ---------------------------------------------

    def wave_start(self, wave_id: int) -> None:
        self._write(rec.wave_record(wave_id))

    def transaction_start(self, wave_id: int, index: int, tx) -> None:
        self._write(rec.transaction_record(wave_id, index, tx))

    def transaction_end(self, wave_id: int, index: int, receipt) -> None:
        self._write(rec.transaction_end_record(wave_id, index, receipt))

    def frame_start(self, request) -> None:
        self._write(rec.frame_record(request))

    def frame_end(self, request, result) -> None:
        self._write(rec.frame_end_record(request, result))

    # -- the command's own --------------------------------------------------

    def invoke(self, name: str, types: Sequence[str], args: Sequence[int], budget: Optional[int]) -> None:
        """``run``: the call starts."""
        self._write(rec.invoke_record(name, types, args, budget))

    def finish(self, fuel_used: Optional[int], outcome: dict) -> None:
        """Write the summary and flush (and close the file this writer opened)."""
        self._write(rec.summary_record(self.records, self.instructions, self.host_calls, fuel_used, outcome))
        self.close()

    def abandon(self) -> None:
        """Close the file this writer opened, writing nothing more (after its
        stream failed, or the run did)."""
        if self._owned:
            self._owned = False
            with contextlib.suppress(OSError):
                self._stream.close()

    def close(self) -> None:
        """Flush, and close the file this writer opened; safe to call twice."""
        try:
            if self._owned:
                self._owned = False
                self._stream.close()
            elif not self._stream.closed:
                self._stream.flush()
        except BrokenPipeError:
            raise TraceWriteError(f"{self._name} was closed by its reader", broken_pipe=True) from None
        except OSError as exc:
            raise TraceWriteError(f"cannot write the trace to {self._name}: {exc.strerror or exc}") from None
