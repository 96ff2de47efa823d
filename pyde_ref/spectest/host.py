"""The ``spectest`` host module every spec-test script may import from.

Its contents are fixed by the reference interpreter's ``spectest`` module (and
repeated by every engine's wast runner): ``print*`` functions that do nothing
observable, four constant globals holding 666 / 666.6, a funcref table of
10..20 elements and a memory of 1..2 pages.
"""

from __future__ import annotations

from pyde_ref.wasm import ExternVal, HostFunc, Store
from pyde_ref.wasm.syntax import FuncType, GlobalType, Limits, MemType, TableType

SPECTEST_MODULE_NAME = "spectest"

PRINT_FUNCTIONS = {
    "print": FuncType((), ()),
    "print_i32": FuncType(("i32",), ()),
    "print_i64": FuncType(("i64",), ()),
    "print_f32": FuncType(("f32",), ()),
    "print_f64": FuncType(("f64",), ()),
    "print_i32_f32": FuncType(("i32", "f32"), ()),
    "print_f64_f64": FuncType(("f64", "f64"), ()),
}

SPECTEST_GLOBALS = {
    "global_i32": (GlobalType("i32", False), 666),
    "global_i64": (GlobalType("i64", False), 666),
    # 666.6 rounded to nearest (ties to even) in binary32 and binary64; the
    # test suite re-derives both from the decimal with exact arithmetic.
    "global_f32": (GlobalType("f32", False), 0x4426A666),
    "global_f64": (GlobalType("f64", False), 0x4084D4CCCCCCCCCD),
}

SPECTEST_TABLE = TableType(Limits(10, 20), "funcref")
SPECTEST_MEMORY = MemType(Limits(1, 2))


def _print(caller, args) -> list:
    """The ``print*`` functions: results nothing, prints nothing (a spec run's
    output must not depend on what the tests print)."""
    return []


def spectest_exports(store: Store) -> dict[str, ExternVal]:
    """Allocate the ``spectest`` module's externals in ``store``; its exports by name."""
    exports: dict[str, ExternVal] = {}
    for name, type_ in PRINT_FUNCTIONS.items():
        exports[name] = ExternVal("func", store.alloc_host_func(HostFunc(type_, _print, name)))
    for name, (type_, value) in SPECTEST_GLOBALS.items():
        exports[name] = ExternVal("global", store.alloc_global(type_, value))
    exports["table"] = ExternVal("table", store.alloc_table(SPECTEST_TABLE))
    exports["memory"] = ExternVal("memory", store.alloc_memory(SPECTEST_MEMORY))
    return exports
