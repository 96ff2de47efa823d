"""Reading the fields of pyde-ref's JSON documents (``spec/wave-format.md``):
every refusal is a :class:`WaveFormatError` naming the JSON path of the
field (``txs[2].gas_limit: ...``).

Encodings: addresses are ``0x`` + 64 hex digits, byte strings ``0x`` + an
even number of hex digits, integers JSON numbers or decimal strings
(booleans are not integers).  :func:`load_json` decodes a document keeping
every key of every object, so that a key given twice is refused
(:func:`read_object`) instead of the last one silently winning.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional

from pyde_ref.state.accounts import U64_MAX


class WaveFormatError(ValueError):
    """The document is malformed; ``field`` is the JSON path of the
    offending field (e.g. ``txs[0].to``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class JsonObject(dict):
    """A decoded JSON object that remembers the first key it saw twice."""

    duplicate: Optional[str] = None


def _pairs(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def load_json(stream) -> Any:
    """``json.load`` with :class:`JsonObject` objects."""
    return json.load(stream, object_pairs_hook=_pairs)


def join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def read_object(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise WaveFormatError(field, "expected a JSON object")
    duplicate = getattr(value, "duplicate", None)
    if duplicate is not None:
        raise WaveFormatError(join(field, duplicate), "the same key appears twice in this object")
    return value


def read_list(value: Any, field: str) -> list:
    if not isinstance(value, list):
        raise WaveFormatError(field, "expected a JSON array")
    return value


def check_keys(obj: dict, field: str, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    for key in required:
        if key not in obj:
            raise WaveFormatError(join(field, key), "missing required field")
    for key in obj:
        if key not in required and key not in optional:
            raise WaveFormatError(join(field, key), "unknown field")


def read_int(value: Any, field: str, maximum: int) -> int:
    """A JSON number or a decimal string, in ``[0, maximum]``."""
    if isinstance(value, bool):
        raise WaveFormatError(field, "expected an integer, got a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise WaveFormatError(field, f"expected an integer, got {value!r}")
        number = int(value)
        if float(number) != value or abs(number) > 2**53:
            raise WaveFormatError(field, "a non-integral or inexact number; use a decimal string")
    elif isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            raise WaveFormatError(field, f"expected a decimal string, got {value[:50]!r}")
        if len(value) > 40:
            raise WaveFormatError(field, "decimal string too long")
        number = int(value, 10)
    else:
        raise WaveFormatError(field, "expected an integer (JSON number or decimal string)")
    if not 0 <= number <= maximum:
        raise WaveFormatError(field, f"{number} is outside [0, {maximum}]")
    return number


def read_optional_int(value: Any, field: str, maximum: int) -> Optional[int]:
    """An integer or ``null``."""
    return None if value is None else read_int(value, field, maximum)


def read_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise WaveFormatError(field, "expected true or false")
    return value


def read_bytes(value: Any, field: str, length: Optional[int] = None) -> bytes:
    """``0x``-prefixed hex; exactly ``length`` bytes when given."""
    if not isinstance(value, str):
        raise WaveFormatError(field, "expected a 0x-prefixed hex string")
    if not value.startswith("0x"):
        raise WaveFormatError(field, "hex string must start with 0x")
    digits = value[2:]
    if len(digits) % 2:
        raise WaveFormatError(field, "hex string has an odd number of digits")
    if not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise WaveFormatError(field, "not a hex string")
    data = bytes.fromhex(digits)
    if length is not None and len(data) != length:
        raise WaveFormatError(field, f"expected {length} bytes, got {len(data)}")
    return data


def read_address(value: Any, field: str) -> bytes:
    return read_bytes(value, field, 32)


def read_u64(value: Any, field: str) -> int:
    return read_int(value, field, U64_MAX)


def read_code(value: Any, field: str, base_dir: Optional[str]) -> bytes:
    """``0x`` + wasm hex, or a path to a ``.wasm`` file (relative paths are
    relative to the document's directory)."""
    if isinstance(value, str) and value.startswith("0x"):
        return read_bytes(value, field)
    if not isinstance(value, str) or not value:
        raise WaveFormatError(field, "expected 0x-prefixed wasm hex or a file path")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise WaveFormatError(field, "the path is not valid UTF-8") from None
    path = value if os.path.isabs(value) or base_dir is None else os.path.join(base_dir, value)
    try:
        with open(path, "rb") as f:
            return f.read()
    except (OSError, ValueError) as exc:
        raise WaveFormatError(field, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def read_name(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise WaveFormatError(field, "expected a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise WaveFormatError(field, "not valid UTF-8") from None
    return value


def read_choice(value: Any, field: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise WaveFormatError(field, f"expected one of {sorted(choices)}, got {str(value)[:50]!r}")
    return value


def hex0x(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def address_key(value: Any, field: str, seen: dict) -> bytes:
    """An object key that is an address, unique in any letter case within
    the document's address maps (``seen``: address -> path of its first
    occurrence)."""
    address = read_address(value, field)
    first = seen.get(address)
    if first is not None:
        raise WaveFormatError(field, f"the same address as {first} (addresses compare in any letter case)")
    seen[address] = field
    return address
