"""Reading traces and finding where two differ (``pyde-ref tracediff``).

A trace is read one line at a time (:func:`read_trace`) and never held whole:
only the last few records are kept, as the context of a difference.  Two
records are the same when their JSON values are: key order and whitespace do
not matter, types do (``1``, ``1.0`` and ``true`` differ).  Anything that is
not a trace line -- not UTF-8, not JSON, not an object, a duplicate key, a
NaN, a line longer than :data:`MAX_LINE_BYTES` -- is a :class:`TraceFormatError`
naming the file and line.  Reading stops at the first difference.
"""

from __future__ import annotations

import collections
import json
import sys
from typing import IO, Iterator, NamedTuple, Optional

from pyde_ref.executor.jsonfields import parse_json

MAX_LINE_BYTES = 1 << 20
"""A trace line is at most this long (the format's records are far shorter:
at most ``MAX_STACK`` values, ``MAX_DATA`` bytes of halt data)."""

STDIN = "-"


class TraceFormatError(Exception):
    """A trace that cannot be read (the message names the file and line)."""


class Line(NamedTuple):
    number: int
    """1-based line number (= record number)."""
    text: str
    """The line as written, without its newline."""
    record: dict


def same_record(a: Line, b: Line) -> bool:
    """Whether two lines hold the same JSON value (the same text certainly does)."""
    return a.text == b.text or canonical(a.record) == canonical(b.record)


def _unique_keys(pairs: list) -> dict:
    record = {}
    for key, value in pairs:
        if key in record:
            raise ValueError(f"duplicate key {key!r}")
        record[key] = value
    return record


def canonical(value) -> str:
    """``value``'s JSON with sorted keys: equal values have equal canonical forms."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def parse_line(raw: bytes, name: str, number: int) -> Line:
    """One line of a trace (without its newline) as a :class:`Line`."""
    where = f"{name} line {number}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TraceFormatError(f"{where}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if text.endswith("\r"):
        text = text[:-1]
    if not text.strip():
        raise TraceFormatError(f"{where}: an empty line (every line of a trace is one JSON object)")
    try:  # within the limits of every document pyde-ref reads (depth, integer digits)
        record = parse_json(text, object_pairs_hook=_unique_keys)
    except ValueError as exc:  # not JSON, too deep, an over-long integer, NaN, duplicate keys
        raise TraceFormatError(f"{where}: not JSON ({exc})") from None
    if not isinstance(record, dict):
        raise TraceFormatError(f"{where}: a JSON {type(record).__name__}, not an object")
    return Line(number, text, record)


def read_trace(stream: IO[bytes], name: str) -> Iterator[Line]:
    """The lines of the trace ``stream`` (binary), one at a time."""
    number = 0
    while True:
        try:
            raw = stream.readline(MAX_LINE_BYTES + 1)
        except OSError as exc:
            raise TraceFormatError(f"cannot read {name}: {exc.strerror or exc}") from None
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise TraceFormatError(f"{name} line {number}: longer than {MAX_LINE_BYTES} bytes")
        yield parse_line(raw[:-1] if raw.endswith(b"\n") else raw, name, number)


def open_trace(path: str) -> IO[bytes]:
    """The file at ``path`` (``-``: standard input) for :func:`read_trace`."""
    if path == STDIN:
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise TraceFormatError(f"cannot read {path}: {exc.strerror or exc}") from None


class FieldDifference(NamedTuple):
    field: str
    a: Optional[str]
    """The field's JSON in A (``None``: A has no such field)."""
    b: Optional[str]


class Difference(NamedTuple):
    """The first record where two traces differ: its number, the records
    before it (the same in both), and each side's record (``None`` where that
    trace has already ended)."""

    number: int
    context: tuple[Line, ...]
    a: Optional[Line]
    b: Optional[Line]

    def fields(self) -> list[FieldDifference]:
        """Field by field, in A's key order then B's extra keys."""
        if self.a is None or self.b is None:
            return []
        a, b = self.a.record, self.b.record
        keys = list(a) + [key for key in b if key not in a]
        return [FieldDifference(key, canonical(a[key]) if key in a else None,
                                canonical(b[key]) if key in b else None)
                for key in keys if key not in a or key not in b or canonical(a[key]) != canonical(b[key])]


class Comparison(NamedTuple):
    records: int
    """How many records were compared and found equal."""
    difference: Optional[Difference]


def first_difference(a: Iterator[Line], b: Iterator[Line], context: int = 3) -> Comparison:
    """Walk two traces together up to their first difference."""
    before: collections.deque = collections.deque(maxlen=max(context, 0))
    same = 0
    while True:
        line_a, line_b = next(a, None), next(b, None)
        if line_a is None and line_b is None:
            return Comparison(same, None)
        if line_a is None or line_b is None or not same_record(line_a, line_b):
            return Comparison(same, Difference(same + 1, tuple(before), line_a, line_b))
        same += 1
        before.append(line_a)
