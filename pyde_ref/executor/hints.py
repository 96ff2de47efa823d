"""What a contract author can do about a deploy rejection.

Deploy (:mod:`.deploy`) refuses a module with a named reason; this module
adds a *hint*: the compiler flag or toolchain fix that usually avoids it,
and where the author's guide (``spec/authoring.md``) says more.  Hints are
advice for people and change nothing about what is accepted: every rule
stays in the checks themselves.  The WebAssembly machine knows nothing of
compilers; it only says which proposal an encoding belongs to
(``UnsupportedFeature.feature``, ``MalformedModule.feature``), and the
toolchain knowledge lives here.

The flags are those of clang (14 to 22 tried, ``spec/authoring.md``),
AssemblyScript 0.28 and rustc's documented wasm targets.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Optional

GUIDE = "spec/authoring.md"
"""The author's guide, relative to the repository root."""

FLAGS_SECTION = f"{GUIDE}#compiler-flags"
ENTRY_SECTION = f"{GUIDE}#entry-points"
ABI_JSON_SECTION = f"{GUIDE}#the-abi-json"
IMPORTS_SECTION = f"{GUIDE}#imports"

# ---------------------------------------------------------------------------
# Features outside pyde-v1 (the keys are pyde_ref.wasm.features.PROPOSALS)
# ---------------------------------------------------------------------------

FEATURE_FIXES: dict[str, str] = {
    "reference-types": (
        "clang >= 19 and Rust >= 1.82 enable it by default: build with clang -mcpu=mvp, "
        "Rust --target wasm32v1-none; AssemblyScript: drop --enable reference-types"
    ),
    "simd": "drop clang -msimd128, Rust -C target-feature=+simd128, AssemblyScript --enable simd",
    "relaxed-simd": "drop clang -mrelaxed-simd, Rust +relaxed-simd, AssemblyScript --enable relaxed-simd",
    "threads": (
        "drop clang -pthread/-matomics/-Wl,--shared-memory, Rust +atomics, "
        "AssemblyScript --enable threads/--sharedMemory"
    ),
    "tail-call": "drop clang -mtail-call (and -mcpu=bleeding-edge), Rust +tail-call: build with clang -mcpu=mvp",
    "extended-const": "clang -mcpu=lime1 and -mextended-const turn it on: build with clang -mcpu=mvp",
    "exceptions": (
        "drop clang -fwasm-exceptions/-mexception-handling; Rust: panic = \"abort\" "
        "(the wasm default) and no +exception-handling"
    ),
    "wide-arithmetic": "drop clang -mwide-arithmetic, Rust +wide-arithmetic",
    "memory64": "build for wasm32 (clang --target=wasm32, Rust wasm32v1-none), not wasm64",
    "multi-memory": "one memory only: drop clang -mmulti-memory and any second memory",
    "custom-page-sizes": "drop the custom page size (64 KiB pages only)",
    "gc": "drop AssemblyScript --enable gc/stringref and any GC-targeting compiler option",
    "function-references": "drop typed function references (a GC-era compiler option)",
    "stack-switching": "drop stack switching (a compiler option outside pyde-v1)",
}
"""For each proposal pyde-v1 refuses: the flags that usually produce it, or
the one that avoids it."""


def feature_hint(feature: Optional[str]) -> str:
    """The hint for a module refused because it needs ``feature``."""
    if feature is None:
        return ""
    fix = FEATURE_FIXES.get(feature, "build with clang -mcpu=mvp or Rust --target wasm32v1-none")
    return f"{feature} is outside pyde-v1: {fix} (see {FLAGS_SECTION})"


def padded_index_hint(feature: Optional[str]) -> str:
    """The hint for a reserved zero byte written as a padded LEB128 (what
    the linker emits for ``call_indirect``'s table index once reference
    types are on)."""
    if feature is None:
        return ""
    return f"a padded index is the {feature} encoding; " + feature_hint(feature)


# ---------------------------------------------------------------------------
# Imports (ABI §9.1): the toolchain fixes known for imports deploy refuses
# ---------------------------------------------------------------------------

LIBC_FUNCTIONS = ("memcpy", "memset", "memmove", "memcmp", "strlen")

IMPORT_FIXES: dict[tuple[str, Optional[str]], str] = {
    ("env", "abort"): (
        "AssemblyScript imports env.abort for assertions: build with --use abort= "
        "(or --use abort=FILE/yourAbort) and --runtime stub"
    ),
    ("env", "trace"): "AssemblyScript trace() imports env.trace: remove the trace calls",
    ("env", "seed"): (
        "AssemblyScript Math.random imports env.seed, which is not deterministic: "
        "use pyde::beacon_get for chain randomness"
    ),
    ("env", "memory"): (
        "the memory is imported (clang -Wl,--import-memory, AssemblyScript --importMemory): "
        "define it in the module and export it as \"memory\""
    ),
    ("env", "__indirect_function_table"): "an unlinked or -shared/-pie build: link with wasm-ld -Wl,--no-entry",
    ("env", "__linear_memory"): "an unlinked object file: link with wasm-ld -Wl,--no-entry",
    ("env", "__stack_pointer"): "an unlinked or -shared/-pie build: link with wasm-ld -Wl,--no-entry",
    ("env", None): (
        "an undefined function became an env import (-Wl,--allow-undefined or "
        "--import-undefined): define it, or declare it as a pyde import "
        "(clang __attribute__((import_module(\"pyde\"))), Rust #[link(wasm_import_module = \"pyde\")], "
        "AssemblyScript @external(\"pyde\", ...))"
    ),
    ("wasi_snapshot_preview1", None): (
        "a WASI build: use clang --target=wasm32 -nostdlib, Rust wasm32v1-none or "
        "wasm32-unknown-unknown, TinyGo -target=wasm-unknown"
    ),
    ("wasi_unstable", None): "a WASI build: use clang --target=wasm32 -nostdlib, Rust wasm32v1-none",
    ("__wbindgen_placeholder__", None): "wasm-bindgen output: a contract cannot use wasm-bindgen",
    ("__wbindgen_externref_xform__", None): "wasm-bindgen output: a contract cannot use wasm-bindgen",
}
"""``(module, name)`` -> fix; ``name`` ``None`` matches any name of the module."""

for _name in LIBC_FUNCTIONS:
    IMPORT_FIXES[("env", _name)] = (
        f"clang calls {_name} even with -nostdlib and it was left undefined: define it "
        "(examples/c/pyde.h defines memcpy and memset)"
    )


def _import_fix(module: str, name: str) -> Optional[str]:
    if module.startswith("wasi:") or module.startswith("wasi_"):
        return IMPORT_FIXES.get((module, name)) or IMPORT_FIXES[("wasi_snapshot_preview1", None)]
    return IMPORT_FIXES.get((module, name)) or IMPORT_FIXES.get((module, None))


def _pyde_fix(name: str, known: Iterable[str]) -> Optional[str]:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        return f"did you mean pyde::{close[0]}?"
    return None


def import_hint(imports: Iterable, known_pyde_names: Iterable[str]) -> str:
    """The hint for a module whose imports deploy refuses: the fix for the
    first import (in the module's order) that has a known one.  ``imports``
    are the module's import entries (``.module``, ``.name``);
    ``known_pyde_names`` the functions of ABI v1.0."""
    known = set(known_pyde_names)
    for imp in imports:
        if imp.module == "pyde":
            fix = None if imp.name in known else _pyde_fix(imp.name, known)
        else:
            fix = _import_fix(imp.module, imp.name)
        if fix:
            return f"{imp.module}::{imp.name}: {fix} (see {IMPORTS_SECTION})"
    return f"the only import module is \"pyde\", with the functions of ABI §7 (see {IMPORTS_SECTION})"


# ---------------------------------------------------------------------------
# The pyde.abi section and the entry convention
# ---------------------------------------------------------------------------

REASON_HINTS: dict[str, str] = {
    "BadEntrySignature": (
        "every exported entry, fallback and receive included, has wasm type [] -> [] "
        "(C: void f(void), AssemblyScript: (): void, Rust: extern \"C\" fn f()); "
        "read the arguments with pyde::calldata_size/calldata_copy and return data "
        f"with pyde::return (see {ENTRY_SECTION})"
    ),
    "MissingAbiSection": (
        "write the section with `pyde-ref abi embed MODULE ABI.json -o OUT.wasm` "
        f"(see {ABI_JSON_SECTION})"
    ),
    "UndeclaredExport": (
        "declare it in the ABI JSON, or stop exporting it (clang: no -Wl,--export-all or "
        "--export-dynamic; AssemblyScript: no --exportRuntime/--exportStart) "
        f"(see {ABI_JSON_SECTION})"
    ),
    "FunctionNotExported": (
        "export it under that name (clang __attribute__((export_name(\"NAME\"))), "
        f"Rust #[no_mangle] pub extern \"C\", AssemblyScript export function) (see {ABI_JSON_SECTION})"
    ),
    "MissingMemoryExport": (
        "export the memory as \"memory\" (clang and AssemblyScript do by default: drop "
        f"-Wl,--import-memory, --noExportMemory, --importMemory) (see {ENTRY_SECTION})"
    ),
    "ImportTypeMismatch": (
        "declare the import with its ABI §7 type: pointers, lengths and codes are i32, "
        f"gas and u64 results i64 (examples/c/pyde.h has every prototype) (see {IMPORTS_SECTION})"
    ),
}
"""Reasons of :mod:`pyde_ref.abi.section` whose fix does not depend on the module."""


def reason_hint(reason: str) -> str:
    """The hint for a ``pyde.abi``/import rejection ``reason``, or ``""``."""
    return REASON_HINTS.get(reason, "")
