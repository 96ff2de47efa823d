"""Families of hostile WebAssembly modules, each one shape repeated ``n``
times: the inputs that made instantiation quadratic or memory-hungry
(issue 10), built by hand (no tool needed) so that big ones are generated
where they are used, never checked in.

``FAMILIES`` maps a family name to ``(build(n) -> bytes, bytes per unit)``;
:func:`of_size` builds a member of about a given size.  Every module here
is valid under pyde-v1 and exports ``run: [] -> []``, except where a family
says otherwise.  The scaling benchmark (``benchmarks/scaling.py``) and the
hostile-input tests (``tests/hostile/``) use them.
"""

from __future__ import annotations

from typing import Callable

from wasm_sections import (
    FUNC_TYPE_VOID, code_entry, code_section, func_section, module, name, section, type_section, uleb, vec,
)

I32_CONST_0 = b"\x41\x00"
DROP = b"\x1a"
NOP = b"\x01"
BLOCK_EMPTY = b"\x02\x40"
END = b"\x0b"


def export_section(*entries: tuple[str, int, int]) -> bytes:
    """§5.5.10 exports: ``(name, kind code, index)``."""
    return section(7, vec(name(n) + bytes([kind]) + uleb(index) for n, kind, index in entries))


RUN_EXPORT = export_section(("run", 0x00, 0))


def memory_section(minimum: int, maximum: int | None = None) -> bytes:
    limits = b"\x00" + uleb(minimum) if maximum is None else b"\x01" + uleb(minimum) + uleb(maximum)
    return section(5, vec([limits]))


def table_section(minimum: int) -> bytes:
    return section(4, vec([b"\x70\x00" + uleb(minimum)]))


def one_function(body: bytes, local_decls: bytes = b"\x00", before_code: tuple = (), after_exports: tuple = (),
                 after_code: tuple = ()) -> bytes:
    """A module whose function 0 is ``run: [] -> []`` with ``body``;
    ``before_code``: sections between the function and export sections
    (table, memory, global), ``after_exports``: between the export and code
    sections (start, element, data count), ``after_code``: the data section."""
    return module(type_section(FUNC_TYPE_VOID), func_section(0), *before_code, RUN_EXPORT, *after_exports,
                  code_section(code_entry(body, local_decls)), *after_code)


# -- the families ------------------------------------------------------------


def straight(n: int) -> bytes:
    """One function of ``n`` x ``i32.const 0; drop``: one fuel run of 2n instructions."""
    return one_function((I32_CONST_0 + DROP) * n)


def nops(n: int) -> bytes:
    """One function of ``n`` ``nop``s: the most instructions per byte."""
    return one_function(NOP * n)


def functions(n: int) -> bytes:
    """``n`` empty functions (``run`` is the first)."""
    return module(type_section(FUNC_TYPE_VOID), func_section(*[0] * n), RUN_EXPORT,
                  code_section(*[code_entry(b"")] * n))


def nesting(n: int) -> bytes:
    """``n`` nested empty blocks, then a branch out of all of them."""
    return one_function(BLOCK_EMPTY * n + b"\x0c" + uleb(n - 1) + END * n)


def br_table(n: int) -> bytes:
    """A ``br_table`` of ``n`` entries (all to the enclosing block)."""
    return one_function(BLOCK_EMPTY + I32_CONST_0 + b"\x0e" + uleb(n) + b"\x00" * n + b"\x00" + END)


def globals_(n: int) -> bytes:
    """``n`` immutable i32 globals (each evaluated at instantiation)."""
    glob = b"\x7f\x00" + I32_CONST_0 + END
    return one_function(b"", before_code=(section(6, vec([glob] * n)),))


def types(n: int) -> bytes:
    """``n`` function types (the first is ``run``'s)."""
    return module(type_section(*[FUNC_TYPE_VOID] * n), func_section(0), RUN_EXPORT, code_section(code_entry(b"")))


def exports(n: int) -> bytes:
    """``n`` exports of function 0, named by their index in hex."""
    entries = [("run", 0x00, 0)] + [(f"{i:x}", 0x00, 0) for i in range(n - 1)]
    return module(type_section(FUNC_TYPE_VOID), func_section(0), export_section(*entries),
                  code_section(code_entry(b"")))


def data_segments(n: int) -> bytes:
    """``n`` active one-byte data segments into a one-page memory."""
    segment = b"\x00" + I32_CONST_0 + END + b"\x01\x2a"
    return one_function(b"", before_code=(memory_section(1),), after_code=(section(11, vec([segment] * n)),))


def elem_segments(n: int) -> bytes:
    """``n`` active one-entry element segments into a one-element table."""
    segment = b"\x00" + I32_CONST_0 + END + b"\x01\x00"
    return one_function(b"", before_code=(table_section(1),), after_exports=(section(9, vec([segment] * n)),))


def if_else(n: int) -> bytes:
    """``n`` ``if``/``else`` pairs in a row (many fuel runs and labels)."""
    return one_function((I32_CONST_0 + b"\x04\x40" + NOP + b"\x05" + NOP + END) * n)


FAMILIES: dict[str, tuple[Callable[[int], bytes], int]] = {
    "straight": (straight, 3),
    "nops": (nops, 1),
    "functions": (functions, 4),
    "nesting": (nesting, 3),
    "br_table": (br_table, 1),
    "if_else": (if_else, 8),
    "globals": (globals_, 5),
    "types": (types, 3),
    "exports": (exports, 7),
    "data_segments": (data_segments, 6),
    "elem_segments": (elem_segments, 6),
}
"""Family name -> (builder of ``n`` units, about how many bytes a unit takes)."""


def of_size(family: str, size: int) -> bytes:
    """A member of ``family`` of about ``size`` bytes (at least one unit)."""
    build, unit = FAMILIES[family]
    return build(max(1, size // unit))
