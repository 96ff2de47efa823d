"""Every way the WebAssembly machine can refuse a module or stop a computation.

Each class maps to one outcome of the core spec's script semantics, and to the
``status`` field of ``pyde-ref run --json``:

=========================  ====================  =================================
class                      status                spec
=========================  ====================  =================================
:class:`MalformedModule`   ``malformed``         §5 binary format not matched
:class:`UnsupportedFeature` ``invalid``          outside the pyde-v1 feature set
:class:`InvalidModule`     ``invalid``           §3 validation failed
:class:`LinkError`         ``unlinkable``        §4.5.4 step 3-4 (imports)
:class:`Uninstantiable`    ``uninstantiable``    §4.5.4 segments/start trap
:class:`Trap`              ``trap``              §4.4 execution trapped
=========================  ====================  =================================
"""

from __future__ import annotations

from typing import Optional


class WasmError(Exception):
    """Base of every error the machine raises on purpose."""

    status = "error"


class MalformedModule(WasmError):
    """The bytes are not a module in the binary format (§5).

    ``offset`` is the byte offset where decoding failed, ``rule`` names the
    rule of §5 that was broken (e.g. ``"section size mismatch"``).
    ``feature`` names the proposal whose encoding the bytes would be, when
    the rule is one a later proposal relaxed (a padded reserved zero byte is
    the reference-types encoding of a table index), else ``None``."""

    status = "malformed"

    def __init__(self, offset: int, rule: str, feature: Optional[str] = None):
        super().__init__(f"malformed module at byte {offset:#x}: {rule}")
        self.offset = offset
        self.rule = rule
        self.feature = feature


class InvalidModule(WasmError):
    """The module decodes but does not validate (§3)."""

    status = "invalid"

    def __init__(self, message: str, offset: Optional[int] = None):
        where = f" (at byte {offset:#x})" if offset is not None else ""
        super().__init__(f"invalid module: {message}{where}")
        self.offset = offset
        self.reason = message


class UnsupportedFeature(InvalidModule):
    """The module uses a WebAssembly feature outside the pyde-v1 set.

    ``feature`` is the proposal's name, e.g. ``"simd"``, ``"tail-call"``,
    ``"reference-types"``."""

    def __init__(self, feature: str, detail: str, offset: Optional[int] = None):
        super().__init__(f"{detail} requires the {feature} feature, which pyde-v1 does not enable", offset)
        self.feature = feature


class LinkError(WasmError):
    """An import is missing or has the wrong type (§4.5.4)."""

    status = "unlinkable"


class Uninstantiable(WasmError):
    """Instantiation failed after linking: a segment does not fit, the start
    function trapped, or the initial memory exceeds the machine's cap."""

    status = "uninstantiable"

    def __init__(self, message: str, trap: Optional["Trap"] = None):
        super().__init__(message)
        self.trap = trap


class TrapKind:
    """The stable names of trap kinds (the ``trap`` field of every output)."""

    UNREACHABLE = "unreachable"
    MEMORY_OUT_OF_BOUNDS = "memory_out_of_bounds"
    INTEGER_DIVIDE_BY_ZERO = "integer_divide_by_zero"
    INTEGER_OVERFLOW = "integer_overflow"
    INVALID_CONVERSION_TO_INTEGER = "invalid_conversion_to_integer"
    INDIRECT_CALL_TYPE_MISMATCH = "indirect_call_type_mismatch"
    UNDEFINED_ELEMENT = "undefined_element"
    TABLE_OUT_OF_BOUNDS = "table_out_of_bounds"
    UNINITIALIZED_ELEMENT = "uninitialized_element"
    CALL_STACK_EXHAUSTED = "call_stack_exhausted"
    OUT_OF_FUEL = "out_of_fuel"


class Trap(WasmError):
    """Execution trapped (§4.4.1).  ``kind`` is one of :class:`TrapKind` (or a
    host-defined kind for traps raised by host functions)."""

    status = "trap"

    def __init__(self, kind: str, message: str = ""):
        super().__init__(f"trap: {kind}" + (f" ({message})" if message else ""))
        self.kind = kind
        self.detail = message
