"""Borsh, the canonical binary encoding of Pyde's records (borsh.io
specification), written once for every record that uses it: accounts in the
state digest (:mod:`.accounts`), event records (ABI §15.3, :mod:`.events`) and
the ``pyde.abi`` custom section (ABI §3.7, :mod:`pyde_ref.abi.section`).

* integers (u8, u16, u32, u64, u128): little-endian, fixed width;
* ``[u8; N]``: the N bytes;
* ``Vec<u8>`` and ``String``: a u32 LE count, then the bytes (a String's
  bytes must be UTF-8);
* ``Option<T>``: a byte 0 (None), or 1 then T;
* a field-less enum: one byte, its variant index.

:class:`Writer` encodes field by field; :class:`Reader` decodes strictly: a
count or a field past the end, an option tag other than 0 or 1, an unknown
enum variant, invalid UTF-8 or trailing bytes raise :class:`BorshError`.
"""

from __future__ import annotations

import enum
from typing import Optional, TypeVar

U8_SIZE = 1
U16_SIZE = 2
U32_SIZE = 4
U64_SIZE = 8
U128_SIZE = 16

E = TypeVar("E", bound=enum.Enum)


class BorshError(ValueError):
    """Bytes that are not a Borsh encoding: ``what`` went wrong at byte ``offset``."""

    def __init__(self, what: str, offset: int):
        super().__init__(f"{what} at byte {offset}")
        self.what = what
        self.offset = offset


class Writer:
    """Appends fields in order; :meth:`out` is the encoding.  Every method
    returns the writer, so a record's fields can be chained."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def _uint(self, value: int, size: int) -> "Writer":
        self._parts.append(value.to_bytes(size, "little"))
        return self

    def u8(self, value: int) -> "Writer":
        return self._uint(value, U8_SIZE)

    def u16(self, value: int) -> "Writer":
        return self._uint(value, U16_SIZE)

    def u32(self, value: int) -> "Writer":
        return self._uint(value, U32_SIZE)

    def u64(self, value: int) -> "Writer":
        return self._uint(value, U64_SIZE)

    def u128(self, value: int) -> "Writer":
        return self._uint(value, U128_SIZE)

    def fixed(self, data: bytes, size: int) -> "Writer":
        """``[u8; size]``."""
        if len(data) != size:
            raise ValueError(f"expected {size} bytes, got {len(data)}")
        self._parts.append(bytes(data))
        return self

    def raw(self, encoded: bytes) -> "Writer":
        """Bytes that are already an encoding (a nested record)."""
        self._parts.append(bytes(encoded))
        return self

    def bytes_vec(self, data: bytes) -> "Writer":
        """``Vec<u8>``."""
        self.u32(len(data))
        self._parts.append(bytes(data))
        return self

    def string(self, text: str) -> "Writer":
        return self.bytes_vec(text.encode("utf-8"))

    def option_u32(self, value: Optional[int]) -> "Writer":
        if value is None:
            return self.u8(0)
        return self.u8(1).u32(value)

    def option_u64(self, value: Optional[int]) -> "Writer":
        if value is None:
            return self.u8(0)
        return self.u8(1).u64(value)

    def option_fixed(self, value: Optional[bytes], size: int) -> "Writer":
        """``Option<[u8; size]>``."""
        if value is None:
            return self.u8(0)
        return self.u8(1).fixed(value, size)

    def variant(self, member: enum.Enum) -> "Writer":
        """A field-less enum: its variant index (the member's value)."""
        return self.u8(member.value)

    def out(self) -> bytes:
        return b"".join(self._parts)


class Reader:
    """Reads fields in order from ``data``; ``what`` names the field in errors."""

    def __init__(self, data: bytes):
        self.data = bytes(data)
        self.pos = 0

    def fail(self, what: str) -> BorshError:
        """The error for a problem with the field just read (at the current position)."""
        return BorshError(what, self.pos)

    def take(self, n: int, what: str) -> bytes:
        """``[u8; n]``."""
        if n > len(self.data) - self.pos:
            raise self.fail(f"{what} runs past the end")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def _uint(self, size: int, what: str) -> int:
        return int.from_bytes(self.take(size, what), "little")

    def u8(self, what: str) -> int:
        return self._uint(U8_SIZE, what)

    def u16(self, what: str) -> int:
        return self._uint(U16_SIZE, what)

    def u32(self, what: str) -> int:
        return self._uint(U32_SIZE, what)

    def u64(self, what: str) -> int:
        return self._uint(U64_SIZE, what)

    def u128(self, what: str) -> int:
        return self._uint(U128_SIZE, what)

    def bytes_vec(self, what: str) -> bytes:
        return self.take(self.u32(what + " length"), what)

    def string(self, what: str) -> str:
        raw = self.bytes_vec(what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(f"{what} is not UTF-8") from None

    def option_tag(self, what: str) -> bool:
        """An ``Option``'s tag: ``True`` for ``Some``."""
        tag = self.u8(what + " option tag")
        if tag not in (0, 1):
            raise self.fail(f"{what} option tag {tag} (must be 0 or 1)")
        return tag == 1

    def option_u32(self, what: str) -> Optional[int]:
        return self.u32(what) if self.option_tag(what) else None

    def option_u64(self, what: str) -> Optional[int]:
        return self.u64(what) if self.option_tag(what) else None

    def option_fixed(self, size: int, what: str) -> Optional[bytes]:
        return self.take(size, what) if self.option_tag(what) else None

    def variant(self, kind: type[E], what: str) -> E:
        """A field-less enum of type ``kind`` (values 0, 1, ...)."""
        index = self.u8(what)
        try:
            return kind(index)
        except ValueError:
            allowed = " or ".join(str(member.value) for member in kind)
            raise self.fail(f"{what} variant {index} (must be {allowed})") from None

    def end(self) -> None:
        """Decoding is over: no byte may be left."""
        if self.pos != len(self.data):
            raise self.fail(f"{len(self.data) - self.pos} trailing bytes")
