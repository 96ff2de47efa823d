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
    """``n`` functions of two ``nop``s (``run`` is the first): 6 bytes each,
    so 4 MiB stays under production's million functions."""
    return module(type_section(FUNC_TYPE_VOID), func_section(*[0] * n), RUN_EXPORT,
                  code_section(*[code_entry(NOP * 2)] * n))


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
    """``n`` function types (the first is ``run``'s, the others ``[i32 i32]
    -> []``: 5 bytes each, so 4 MiB stays under production's million types)."""
    return module(type_section(FUNC_TYPE_VOID, *[functype(2, 0)] * (n - 1)), func_section(0), RUN_EXPORT,
                  code_section(code_entry(b"")))


def exports(n: int) -> bytes:
    """``n`` exports of function 0, named by their index in 8 hex digits
    (11 bytes each, so 4 MiB stays under production's effective type size)."""
    entries = [("run", 0x00, 0)] + [(f"{i:08x}", 0x00, 0) for i in range(n - 1)]
    return module(type_section(FUNC_TYPE_VOID), func_section(0), export_section(*entries),
                  code_section(code_entry(b"")))


def data_segments(n: int) -> bytes:
    """``n`` active 40-byte data segments into a one-page memory (45 bytes
    each, so 4 MiB stays under production's 100,000 segments)."""
    segment = b"\x00" + I32_CONST_0 + END + b"\x28" + b"\x2a" * 40
    return one_function(b"", before_code=(memory_section(1),), after_code=(section(11, vec([segment] * n)),))


def elem_segments(n: int) -> bytes:
    """``n`` active 40-entry element segments into a 40-element table (45
    bytes each, so 4 MiB stays under production's 100,000 segments)."""
    segment = b"\x00" + I32_CONST_0 + END + b"\x28" + b"\x00" * 40
    return one_function(b"", before_code=(table_section(40),), after_exports=(section(9, vec([segment] * n)),))


def if_else(n: int) -> bytes:
    """``n`` ``if``/``else`` pairs in a row (many fuel runs and labels)."""
    return one_function((I32_CONST_0 + b"\x04\x40" + NOP + b"\x05" + NOP + END) * n)


FAMILIES: dict[str, tuple[Callable[[int], bytes], int]] = {
    "straight": (straight, 3),
    "nops": (nops, 1),
    "functions": (functions, 6),
    "nesting": (nesting, 3),
    "br_table": (br_table, 1),
    "if_else": (if_else, 8),
    "globals": (globals_, 5),
    "types": (types, 5),
    "exports": (exports, 11),
    "data_segments": (data_segments, 45),
    "elem_segments": (elem_segments, 45),
}
"""Family name -> (builder of ``n`` units, about how many bytes a unit takes)."""


def of_size(family: str, size: int) -> bytes:
    """A member of ``family`` of about ``size`` bytes (at least one unit)."""
    build, unit = FAMILIES[family]
    return build(max(1, size // unit))


# -- modules at a given value of each of production's limits ---------------------
# Each builder takes the value of the quantity the limit bounds and returns a
# valid pyde-v1 module (apart from that quantity) whose quantity is exactly it.


def functype(params: int, results: int) -> bytes:
    """``[i32 x params] -> [i32 x results]``."""
    return b"\x60" + uleb(params) + b"\x7f" * params + uleb(results) + b"\x7f" * results


def import_entry(module_name: str, field: str, kind_and_desc: bytes) -> bytes:
    return name(module_name) + name(field) + kind_and_desc


FUNC_IMPORT_0 = b"\x00\x00"  # a function of type 0
GLOBAL_IMPORT_I32 = b"\x03\x7f\x00"  # an immutable i32 global


def with_params(n: int) -> bytes:
    """A function type with ``n`` parameters (and the exported ``run``)."""
    return module(type_section(FUNC_TYPE_VOID, functype(n, 0)), func_section(0), RUN_EXPORT,
                  code_section(code_entry(b"")))


def with_results(n: int) -> bytes:
    return module(type_section(FUNC_TYPE_VOID, functype(0, n)), func_section(0), RUN_EXPORT,
                  code_section(code_entry(b"")))


def declared_locals(n: int) -> bytes:
    """``run`` declaring ``n`` i32 locals."""
    return one_function(b"", vec([uleb(n) + b"\x7f"]))


def params_and_locals(n: int) -> bytes:
    """A function of 1,000 parameters declaring ``n - 1000`` locals: ``n`` locals in all."""
    return module(type_section(functype(1000, 0)), func_section(0),
                  code_section(code_entry(b"", vec([uleb(n - 1000) + b"\x7f"]))))


def body_size(n: int) -> bytes:
    """``run``'s code entry is exactly ``n`` bytes (its locals vector, nops, its end)."""
    return one_function(NOP * (n - 2))


def export_name(n: int) -> bytes:
    return module(type_section(FUNC_TYPE_VOID), func_section(0), export_section(("x" * n, 0x00, 0)),
                  code_section(code_entry(b"")))


def import_field_name(n: int) -> bytes:
    return module(type_section(FUNC_TYPE_VOID), section(2, vec([import_entry("m", "x" * n, FUNC_IMPORT_0)])))


def import_module_name(n: int) -> bytes:
    return module(type_section(FUNC_TYPE_VOID), section(2, vec([import_entry("m" * n, "x", FUNC_IMPORT_0)])))


def custom_section_name(n: int) -> bytes:
    return module(section(0, name("c" * n) + b"payload"))


def data_segments_counted(n: int) -> bytes:
    """``n`` passive data segments, announced by a data count section of ``n``."""
    return module(type_section(FUNC_TYPE_VOID), func_section(0), memory_section(1), RUN_EXPORT,
                  section(12, uleb(n)), code_section(code_entry(b"")), section(11, vec([b"\x01\x00"] * n)))


def imports(n: int) -> bytes:
    """``n`` imported immutable globals (each adds 1 to the effective type size)."""
    return module(section(2, vec([import_entry("m", "g", GLOBAL_IMPORT_I32)] * n)))


def exports_of_a_global(n: int) -> bytes:
    """One global exported ``n`` times under distinct names."""
    glob = b"\x7f\x00" + I32_CONST_0 + END
    return module(section(6, vec([glob])), export_section(*[(f"{i:x}", 0x03, 0) for i in range(n)]))


def effective_type_size(size: int) -> bytes:
    """Imports making the module's effective type size exactly ``size``:
    1, plus 2 for each ``[] -> []`` function import, plus 1 for a global import."""
    functions, extra = divmod(size - 1, 2)
    entries = [import_entry("m", "f", FUNC_IMPORT_0)] * functions + [import_entry("m", "g", GLOBAL_IMPORT_I32)] * extra
    return module(type_section(FUNC_TYPE_VOID), section(2, vec(entries)))


def function_count(n: int) -> bytes:
    return functions(n)


def type_count(n: int) -> bytes:
    return types(n)


def global_count(n: int) -> bytes:
    return globals_(n)


def data_segment_count(n: int) -> bytes:
    return data_segments(n)


def element_segment_count(n: int) -> bytes:
    return elem_segments(n)


def memory_count(n: int) -> bytes:
    return module(section(5, vec([b"\x00\x00"] * n)))


def table_count(n: int) -> bytes:
    return module(section(4, vec([b"\x70\x00\x00"] * n)))


def br_table_count(n: int) -> bytes:
    """A ``br_table`` announcing ``n`` labels in a body that holds far fewer."""
    return one_function(BLOCK_EMPTY + I32_CONST_0 + b"\x0e" + uleb(n) + b"\x00\x00" + END)
