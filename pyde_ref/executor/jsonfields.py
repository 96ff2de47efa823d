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
import math
import os
import re
from functools import lru_cache
from itertools import accumulate
from typing import Any, Optional

from pyde_ref.executor.params import MAX_DOCUMENT_SIZE, MAX_MODULE_SIZE
from pyde_ref.state.accounts import U64_MAX
from pyde_ref.wasm.text import read_bounded


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


MAX_JSON_DEPTH = 64
"""The deepest nesting of arrays and objects pyde-ref reads (its documents
nest about 8 deep); deeper is refused before parsing, so no document can
exhaust the parser's recursion."""

MAX_INTEGER_DIGITS = 40
"""The most digits of an integer pyde-ref reads, as a JSON number or a
decimal string: a u128 has 39 (Python refuses to convert more than 4,300,
with an error that is not a document's)."""

MAX_NUMBER_LENGTH = 64
"""The longest JSON number that is not an integer (every integer field
refuses a fraction or exponent anyway)."""


class JsonDocumentError(ValueError):
    """The bytes are not a JSON document pyde-ref reads: not UTF-8, not
    JSON, too large, too deep, an integer with too many digits, or
    ``NaN``/``Infinity`` (which are not JSON)."""


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def check_depth(text: str) -> None:
    """Refuse ``text`` if its arrays and objects nest deeper than
    :data:`MAX_JSON_DEPTH` (strings, which may hold brackets, removed first)."""
    brackets = re.sub(r"[^\[\]{}]+", "", _JSON_STRING.sub("", text))
    deepest = max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)
    if deepest > MAX_JSON_DEPTH:
        raise JsonDocumentError(f"nested {deepest} deep (at most {MAX_JSON_DEPTH})")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JsonDocumentError(f"an integer of {len(text.lstrip('-'))} digits (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def _number(text: str) -> float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise JsonDocumentError(f"a number of {len(text)} characters (at most {MAX_NUMBER_LENGTH})")
    value = float(text)
    if not math.isfinite(value):
        raise JsonDocumentError(f"{text} is too large for a number")
    return value


def _constant(name: str):
    raise JsonDocumentError(f"{name} is not JSON")


def parse_json(text: str, object_pairs_hook=_pairs) -> Any:
    """Parse a JSON text within pyde-ref's limits, objects as
    :class:`JsonObject` (duplicate keys remembered for :func:`read_object`),
    or as ``object_pairs_hook`` makes them."""
    check_depth(text)
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook, parse_int=_integer, parse_float=_number,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise JsonDocumentError(str(exc)) from None
    except RecursionError:  # pragma: no cover - check_depth refuses such documents first
        raise JsonDocumentError("nested too deeply") from None


def decode_document(raw: bytes, max_bytes: int = MAX_DOCUMENT_SIZE) -> Any:
    """A JSON document from its bytes: at most ``max_bytes``, UTF-8, then :func:`parse_json`."""
    if len(raw) > max_bytes:
        raise JsonDocumentError(f"larger than {max_bytes} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonDocumentError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return parse_json(text)


def load_json(source, max_bytes: int = MAX_DOCUMENT_SIZE) -> Any:
    """The JSON document in the file at path ``source`` (``str``/path), or
    read from the binary stream ``source``, within the limits above and
    :data:`~pyde_ref.executor.params.MAX_DOCUMENT_SIZE`: the one reader of
    every JSON document pyde-ref takes (wave and chain documents,
    ``--state``, ABI JSON); a text stream is read the same way.  Raises :class:`OSError` when the file cannot be
    read (too large included), :class:`JsonDocumentError` when it is not a
    document pyde-ref reads."""
    if isinstance(source, (str, os.PathLike)):
        return decode_document(read_bounded(source, max_bytes), max_bytes)
    raw = source.read(max_bytes + 1)
    if isinstance(raw, str):  # a text stream: already decoded
        if len(raw) > max_bytes:
            raise JsonDocumentError(f"larger than {max_bytes} characters")
        return parse_json(raw)
    return decode_document(raw, max_bytes)


def read_error(path, exc: Exception) -> str:
    """The one-line message for :func:`load_json` failing on the file at
    ``path`` with ``exc`` (an :class:`OSError` or a :class:`JsonDocumentError`)."""
    if isinstance(exc, OSError):
        return f"cannot read {path}: {exc.strerror or exc}"
    return f"{path}: not a JSON document ({exc})"


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
        if len(value) > MAX_INTEGER_DIGITS:
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
    if not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise WaveFormatError(field, "not a hex string")
    if len(digits) % 2:
        raise WaveFormatError(field, "hex string has an odd number of digits")
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
    relative to the document's directory) of at most
    :data:`~pyde_ref.executor.params.MAX_MODULE_SIZE` bytes."""
    if isinstance(value, str) and value.startswith("0x"):
        code = read_bytes(value, field)
        if len(code) > MAX_MODULE_SIZE:
            raise WaveFormatError(field, f"{len(code)} bytes of code (a module has at most {MAX_MODULE_SIZE})")
        return code
    if not isinstance(value, str) or not value:
        raise WaveFormatError(field, "expected 0x-prefixed wasm hex or a file path")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise WaveFormatError(field, "the path is not valid UTF-8") from None
    path = value if os.path.isabs(value) or base_dir is None else os.path.join(base_dir, value)
    try:
        status = os.stat(path)
        return _code_file(os.path.abspath(path), status.st_mtime_ns, status.st_size, status.st_ino)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise WaveFormatError(field, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


@lru_cache(maxsize=32)
def _code_file(path: str, _mtime_ns: int, _size: int, _inode: int) -> bytes:
    """A code file's bytes, read once however many fields name it (a
    document may name one file for thousands of contracts: they then share
    one copy); re-read when the file changes."""
    return read_bounded(path, MAX_MODULE_SIZE)


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
