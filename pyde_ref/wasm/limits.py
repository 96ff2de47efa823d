"""The implementation limits production enforces on a module, in one place.

The core spec lets an implementation refuse modules that exceed limits of
its own (Appendix A.2, "Implementation Limitations").  Production is
wasmtime, which validates with wasmparser; wasmparser's limits
(``crates/wasmparser/src/limits.rs``, "agreed upon with other engines for
consistency") are the same in the wasmparser of wasmtime 45 and of wasmtime
50, so a module over one of them is refused at deploy by either, and the
reference must refuse it too: deploy acceptance is consensus.

Each limit is a :class:`Limit`: what is counted, the largest allowed value,
and its source; :func:`check` raises :class:`LimitExceeded` (an
:class:`~.errors.InvalidModule`: wasmtime reports these as validation
errors) naming it.  The decoder checks every count as soon as it reads it,
before anything of that size is allocated; the validator checks the ones
that need the module's types (locals count the parameters too).
``tests/diff/test_module_limits.py`` generates modules at and just over every limit
and requires the verdict of both wasmtime versions.

Limits with no effect under pyde-v1 are kept for completeness: ``tables``
and ``memories`` (the feature gate allows one of each), and the ``br_table``
size, which equals the function size limit and so is reached only by a
count no body could hold.  wasmparser's ``MAX_WASM_TABLE_ENTRIES`` is not
one of them: wasmtime compiles a module whose table is larger and
allocates it at instantiation (where the machine's own cap,
:data:`.runtime.MAX_TABLE_ELEMENTS`, applies); and ``imports``/``exports``
are reached only past :data:`TYPE_SIZE`, which every import and export
adds to.
"""

from __future__ import annotations

from typing import Optional

import attrs

from .errors import InvalidModule

WASMPARSER = "wasmparser limits.rs (wasmtime 45 and 50)"


@attrs.frozen
class Limit:
    """What is counted (wasmtime's word for it), the largest value allowed,
    and where the limit comes from."""

    what: str
    maximum: int
    source: str


TYPES = Limit("types", 1_000_000, f"MAX_WASM_TYPES, {WASMPARSER}")
FUNCTIONS = Limit("functions", 1_000_000, f"MAX_WASM_FUNCTIONS, {WASMPARSER}; imported functions count")
IMPORTS = Limit("imports", 1_000_000, f"MAX_WASM_IMPORTS, {WASMPARSER}")
EXPORTS = Limit("exports", 1_000_000, f"MAX_WASM_EXPORTS, {WASMPARSER}")
GLOBALS = Limit("globals", 1_000_000, f"MAX_WASM_GLOBALS, {WASMPARSER}; imported globals count")
ELEMENT_SEGMENTS = Limit("element segments", 100_000, f"MAX_WASM_ELEMENT_SEGMENTS, {WASMPARSER}")
DATA_SEGMENTS = Limit("data segments", 100_000,
                      f"MAX_WASM_DATA_SEGMENTS, {WASMPARSER}; also the data count section's value")
STRING_SIZE = Limit("string size", 100_000,
                    f"MAX_WASM_STRING_SIZE, {WASMPARSER}: import, export and custom section names, in bytes")
FUNCTION_SIZE = Limit("function body size", 7_654_321,
                      f"MAX_WASM_FUNCTION_SIZE, {WASMPARSER}: a code entry's size, in bytes")
FUNCTION_LOCALS = Limit("locals", 50_000,
                        f"MAX_WASM_FUNCTION_LOCALS, {WASMPARSER}: parameters and declared locals together")
FUNCTION_PARAMS = Limit("function params", 1_000, f"MAX_WASM_FUNCTION_PARAMS, {WASMPARSER}: per function type")
FUNCTION_RESULTS = Limit("function results", 1_000,
                         f"MAX_WASM_FUNCTION_RETURNS, {WASMPARSER}: per function type")
TABLES = Limit("tables", 100, f"MAX_WASM_TABLES, {WASMPARSER}; imported tables count")
MEMORIES = Limit("memories", 100, f"MAX_WASM_MEMORIES, {WASMPARSER}; imported memories count")
BR_TABLE_SIZE = Limit("br_table size", 7_654_321, f"MAX_WASM_BR_TABLE_SIZE, {WASMPARSER}: its label count")
TYPE_SIZE = Limit("effective type size", 999_999,
                  f"MAX_WASM_TYPE_SIZE = 1,000,000, {WASMPARSER}: the module's type, 1 + the size of every import "
                  "and export (a function: 2 + params + results; any other entity: 1), must stay below it")

ALL = (TYPES, FUNCTIONS, IMPORTS, EXPORTS, GLOBALS, ELEMENT_SEGMENTS, DATA_SEGMENTS, STRING_SIZE, FUNCTION_SIZE,
       FUNCTION_LOCALS, FUNCTION_PARAMS, FUNCTION_RESULTS, TABLES, MEMORIES, BR_TABLE_SIZE, TYPE_SIZE)
"""Every limit, for the documentation and the differential test."""


class LimitExceeded(InvalidModule):
    """The module exceeds one of production's implementation limits.

    ``limit`` is the :class:`Limit`, ``value`` the module's count."""

    def __init__(self, limit: Limit, value: int, offset: Optional[int] = None):
        super().__init__(f"{limit.what} count {value} exceeds the implementation limit of {limit.maximum} "
                         f"({limit.source})", offset)
        self.limit = limit
        self.value = value


def entity_type_size(kind: str, functype=None) -> int:
    """What an import or export of ``kind`` adds to the module's effective
    type size (:data:`TYPE_SIZE`): a function 2 + its parameters and
    results, anything else 1 (measured on wasmtime 45 and 50)."""
    if kind == "func":
        return 2 + len(functype.params) + len(functype.results)
    return 1


def check(limit: Limit, value: int, offset: Optional[int] = None) -> None:
    """Raise :class:`LimitExceeded` if ``value`` exceeds ``limit``."""
    if value > limit.maximum:
        raise LimitExceeded(limit, value, offset)
