"""Values and expectations of the spec-test scripts, as ``wasm-tools
json-from-wast`` writes them.

A value is ``{"type": T, "value": V}``.  Numbers are decimal strings of the
value's bit pattern: integers may be written signed (``"-1"``) or unsigned,
floats are the unsigned decimal of their IEEE-754 bits.  An expected float may
instead be ``"nan:canonical"`` or ``"nan:arithmetic"`` (core spec, script
semantics of the reference interpreter; §4.3.3 defines both NaN classes).
Results are compared by bits, never as Python floats, so NaN payloads and
signed zeros count.
"""

from __future__ import annotations

from typing import Any, Optional

from pyde_ref.wasm import TrapKind
from pyde_ref.wasm.numerics import is_arithmetic_nan, is_canonical_nan
from pyde_ref.wasm.syntax import BIT_WIDTH

REFERENCE_TYPES = ("funcref", "externref")


NAN_PATTERNS = {"nan:canonical": is_canonical_nan, "nan:arithmetic": is_arithmetic_nan}
"""The two NaN expectations and the §4.3.3 class each one accepts."""

TRAP_TEXT_TO_KIND = {
    "unreachable": TrapKind.UNREACHABLE,
    "integer divide by zero": TrapKind.INTEGER_DIVIDE_BY_ZERO,
    "integer overflow": TrapKind.INTEGER_OVERFLOW,
    "invalid conversion to integer": TrapKind.INVALID_CONVERSION_TO_INTEGER,
    "out of bounds memory access": TrapKind.MEMORY_OUT_OF_BOUNDS,
    "indirect call type mismatch": TrapKind.INDIRECT_CALL_TYPE_MISMATCH,
    "undefined element": TrapKind.UNDEFINED_ELEMENT,
    "uninitialized element": TrapKind.UNINITIALIZED_ELEMENT,
    # table.init, table.copy and active element segments that overrun a table
    # (the spec interpreter's "out of bounds table access") are a kind of
    # their own, distinct from call_indirect's "undefined element".
    "out of bounds table access": TrapKind.TABLE_OUT_OF_BOUNDS,
    "call stack exhausted": TrapKind.CALL_STACK_EXHAUSTED,
}
"""The failure texts of ``assert_trap``/``assert_exhaustion``/
``assert_uninstantiable`` and the trap kind each one means.  A script text is a
*prefix* of the message (the reference interpreter's rule): ``"uninitialized
element 2"`` means ``uninitialized_element``."""


class UnsupportedValue(ValueError):
    """A script value of a type pyde-v1 cannot have (``v128``, GC references...)."""


def trap_kind_of_text(text: str) -> Optional[str]:
    """The trap kind a script failure text names (longest known prefix), or ``None``."""
    best = None
    for known, kind in TRAP_TEXT_TO_KIND.items():
        if text.startswith(known) and (best is None or len(known) > len(best[0])):
            best = (known, kind)
    return best[1] if best else None


def parse_number(type_: str, text: str) -> int:
    """The unsigned bit pattern of a script number of type ``type_``."""
    width = BIT_WIDTH[type_]
    value = int(text, 10)
    if not -(1 << (width - 1)) <= value < (1 << width):
        raise ValueError(f"{text} does not fit in {type_}")
    return value & ((1 << width) - 1)


def parse_arg(value: dict) -> Any:
    """The machine value of a script argument (a bit pattern, or a reference)."""
    type_ = value.get("type")
    if type_ in BIT_WIDTH:
        return parse_number(type_, value["value"])
    if type_ in REFERENCE_TYPES:
        text = value.get("value")
        return None if text in (None, "null") else int(text)
    raise UnsupportedValue(f"argument of type {type_!r} is outside pyde-v1")


def check_result(expected: dict, got: Any, got_type: Optional[str]) -> bool:
    """Whether the result ``got`` (of declared type ``got_type``) matches the
    script expectation ``expected`` (by bits; NaN patterns by class)."""
    type_ = expected.get("type")
    if type_ == "either":
        return any(check_result(option, got, got_type) for option in expected["values"])
    if type_ in BIT_WIDTH:
        if got_type != type_ or not isinstance(got, int):
            return False
        text = expected["value"]
        if text in NAN_PATTERNS:
            return NAN_PATTERNS[text](got, type_)
        return got == parse_number(type_, text)
    if type_ in REFERENCE_TYPES:
        if got_type != type_:
            return False
        text = expected.get("value")
        if text is None:  # any non-null reference of the type
            return got is not None
        return got is None if text == "null" else got == int(text)
    if type_ == "refnull":
        return got_type in REFERENCE_TYPES and got is None
    raise UnsupportedValue(f"expected value of type {type_!r} is outside pyde-v1")


def format_value(type_: Optional[str], value: Any) -> str:
    """A result as the failure report shows it: type and zero-padded hex bits."""
    if type_ in BIT_WIDTH and isinstance(value, int):
        return f"{type_}:0x{value:0{BIT_WIDTH[type_] // 4}x}"
    return f"{type_}:{'null' if value is None else value}"


def format_expected(expected: dict) -> str:
    """A script expectation as the failure report shows it."""
    type_ = expected.get("type")
    if type_ == "either":
        return " | ".join(format_expected(option) for option in expected["values"])
    text = expected.get("value")
    if type_ in BIT_WIDTH and isinstance(text, str) and text not in NAN_PATTERNS:
        try:
            return format_value(type_, parse_number(type_, text))
        except ValueError:
            pass
    return f"{type_}:{text}"
