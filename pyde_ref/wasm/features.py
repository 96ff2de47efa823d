"""The pyde-v1 feature gate: which WebAssembly proposals a Pyde module may use.

pyde-v1 is the MVP plus the five proposals the seed (§3.2) enables:
mutable-global import/export, sign-extension operators, non-trapping
float-to-int conversions, multi-value and bulk memory (with exactly one
``funcref`` table and one memory).  Everything else is refused with
:class:`~pyde_ref.wasm.errors.UnsupportedFeature` naming the proposal.

The scope oracle is ``wasm-tools validate --features`` :data:`WASM_TOOLS_FEATURES`
(see ``shared/wasm-testsuite/SOURCE.md``): decode + validate must accept exactly
the modules that command accepts.

Everything the gate knows is data in this file: :data:`PROPOSALS` says, for
every refused proposal, how it is detected; the encoding tables below it are
what the decoder (:mod:`.binary`) and the validator (:mod:`.valid`) look up.
Where a refusal is detected:

* at **decode time** when the bytes use an encoding only that proposal
  defines (an opcode, a prefix, a value-type byte, a type form, a section id,
  an import/export kind, a limits flag bit) -- the syntax of :mod:`.syntax`
  cannot even represent such a module;
* at **validation time** for rules about counts and indices (a second table
  or memory, a non-zero memory index, ``ref.*`` in a function body, extended
  constant expressions), since the module is representable but out of scope.
"""

from __future__ import annotations

from typing import NoReturn, Optional

from .errors import UnsupportedFeature

ENABLED_PROPOSALS = (
    "mvp",
    "mutable-global",
    "sign-extension",
    "saturating-float-to-int",
    "multi-value",
    "bulk-memory",
)
"""The proposals pyde-v1 enables (seed §3.2), in ``wasm-tools`` spelling."""

WASM_TOOLS_FEATURES = ",".join(ENABLED_PROPOSALS)
"""Argument of ``wasm-tools validate --features`` that defines the same set."""

# ---------------------------------------------------------------------------
# The refused proposals and how each is detected (documentation as data).
# ---------------------------------------------------------------------------

PROPOSALS: dict[str, str] = {
    "simd": "0xFD opcode prefix; value type v128 (0x7B)",
    "relaxed-simd": "0xFD sub-opcodes 0x100-0x113",
    "threads": "0xFE opcode prefix (atomics); shared flag (0x02) in memory limits",
    "reference-types": (
        "value type externref (0x6F); funcref as a local/param/result/global type; "
        "typed select (0x1C); table.get/set (0x25/0x26); table.grow/size/fill "
        "(0xFC 15-17); ref.null/ref.is_null/ref.func in a function body; a second "
        "table; a non-zero table index; element segments written with expressions "
        "(forms 4-7, whatever their contents: wasm-tools and wasmtime refuse them "
        "without reference types)"
    ),
    "tail-call": "return_call (0x12), return_call_indirect (0x13)",
    "extended-const": "i32/i64 add, sub, mul in a constant expression",
    "exceptions": (
        "try/catch/throw/rethrow/throw_ref/delegate/catch_all/try_table opcodes "
        "(0x06-0x0A, 0x18, 0x19, 0x1F); tag section (13); tag import/export kind "
        "(0x04); exnref value types (0x69, 0x74)"
    ),
    "wide-arithmetic": "i64.add128, i64.sub128, i64.mul_wide_s/u (0xFC 19-22)",
    "memory64": "memory64/table64 limits flag bit 0x04",
    "multi-memory": "more than one memory; a memory index != 0 (memarg flag bit 6, memory.* immediates, data segments)",
    "custom-page-sizes": "limits flag bit 0x08",
    "gc": (
        "0xFB opcode prefix; rec/sub/struct/array type forms (0x4E, 0x50, 0x4F, "
        "0x5F, 0x5E); abstract heap value types (0x6A-0x6E, 0x71-0x73); ref.eq (0xD3)"
    ),
    "function-references": (
        "call_ref (0x14), return_call_ref (0x15), ref.as_non_null (0xD4), "
        "br_on_null (0xD5), br_on_non_null (0xD6); typed references (0x63, 0x64); "
        "table with an initializer (0x40 0x00)"
    ),
    "stack-switching": "cont type form (0x5D); cont.* / suspend / resume / switch opcodes (0xE0-0xE6); contref types (0x68, 0x75)",
}

# ---------------------------------------------------------------------------
# Encoding tables (consulted by the decoder).
# ---------------------------------------------------------------------------

PREFIX_FEATURES: dict[int, str] = {0xFB: "gc", 0xFD: "simd", 0xFE: "threads"}
"""Opcode prefixes whose every instruction belongs to a refused proposal."""

RELAXED_SIMD_SUBOPCODES = range(0x100, 0x114)
"""0xFD sub-opcodes of relaxed SIMD (reported as ``relaxed-simd``)."""

OPCODE_FEATURES: dict[int, tuple[str, str]] = {
    0x06: ("exceptions", "try"),
    0x07: ("exceptions", "catch"),
    0x08: ("exceptions", "throw"),
    0x09: ("exceptions", "rethrow"),
    0x0A: ("exceptions", "throw_ref"),
    0x12: ("tail-call", "return_call"),
    0x13: ("tail-call", "return_call_indirect"),
    0x14: ("function-references", "call_ref"),
    0x15: ("function-references", "return_call_ref"),
    0x18: ("exceptions", "delegate"),
    0x19: ("exceptions", "catch_all"),
    0x1C: ("reference-types", "typed select"),
    0x1F: ("exceptions", "try_table"),
    0x25: ("reference-types", "table.get"),
    0x26: ("reference-types", "table.set"),
    0xD3: ("gc", "ref.eq"),
    0xD4: ("function-references", "ref.as_non_null"),
    0xD5: ("function-references", "br_on_null"),
    0xD6: ("function-references", "br_on_non_null"),
    0xE0: ("stack-switching", "cont.new"),
    0xE1: ("stack-switching", "cont.bind"),
    0xE2: ("stack-switching", "suspend"),
    0xE3: ("stack-switching", "resume"),
    0xE4: ("stack-switching", "resume_throw"),
    0xE5: ("stack-switching", "switch"),
    0xE6: ("stack-switching", "resume_throw_ref"),
}
"""Single-byte opcodes that belong to a refused proposal."""

FC_FEATURES: dict[int, tuple[str, str]] = {
    15: ("reference-types", "table.grow"),
    16: ("reference-types", "table.size"),
    17: ("reference-types", "table.fill"),
    19: ("wide-arithmetic", "i64.add128"),
    20: ("wide-arithmetic", "i64.sub128"),
    21: ("wide-arithmetic", "i64.mul_wide_s"),
    22: ("wide-arithmetic", "i64.mul_wide_u"),
}
"""0xFC sub-opcodes that belong to a refused proposal."""

VALTYPE_FEATURES: dict[int, tuple[str, str]] = {
    0x7B: ("simd", "v128"),
    0x6F: ("reference-types", "externref"),
    0x64: ("function-references", "(ref ht)"),
    0x63: ("function-references", "(ref null ht)"),
    0x6E: ("gc", "anyref"),
    0x6D: ("gc", "eqref"),
    0x6C: ("gc", "i31ref"),
    0x6B: ("gc", "structref"),
    0x6A: ("gc", "arrayref"),
    0x71: ("gc", "nullref"),
    0x72: ("gc", "nullexternref"),
    0x73: ("gc", "nullfuncref"),
    0x69: ("exceptions", "exnref"),
    0x74: ("exceptions", "nullexnref"),
    0x68: ("stack-switching", "contref"),
    0x75: ("stack-switching", "nullcontref"),
}
"""Value-type bytes that only refused proposals define."""

TYPE_FORM_FEATURES: dict[int, tuple[str, str]] = {
    0x4E: ("gc", "rec group"),
    0x50: ("gc", "sub type"),
    0x4F: ("gc", "final sub type"),
    0x5F: ("gc", "struct type"),
    0x5E: ("gc", "array type"),
    0x5D: ("stack-switching", "cont type"),
}
"""Type-section forms other than ``0x60`` (function type)."""

SECTION_FEATURES: dict[int, tuple[str, str]] = {13: ("exceptions", "tag section")}

EXTERN_KIND_FEATURES: dict[int, tuple[str, str]] = {0x04: ("exceptions", "tag import/export")}

LIMITS_FLAG_FEATURES: tuple[tuple[int, str, str], ...] = (
    (0x02, "threads", "shared memory"),
    (0x04, "memory64", "64-bit index type"),
    (0x08, "custom-page-sizes", "custom page size"),
)
"""``(bit, feature, detail)`` for the limits flag bits beyond 'has max'."""

EXTENDED_CONST_INSTRUCTIONS = frozenset(
    ("i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub", "i64.mul")
)
"""Instructions the extended-const proposal admits in constant expressions."""

MAX_TABLES = 1
"""pyde-v1 has one table; a second needs reference types."""

MAX_MEMORIES = 1
"""pyde-v1 has one memory; a second needs multi-memory."""


def reject(feature: str, detail: str, offset: Optional[int] = None) -> NoReturn:
    """Refuse a module that needs ``feature`` (one of :data:`PROPOSALS`)."""
    assert feature in PROPOSALS, feature
    raise UnsupportedFeature(feature, detail, offset)
