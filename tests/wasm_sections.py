"""Hand assembly of WebAssembly modules from sections (core spec §5), with
no test dependency: the tests (through :mod:`wasm_builders`), the hostile
module families (:mod:`hostile_modules`) and the benchmarks use it."""

from __future__ import annotations

from pyde_ref.wasm.binary import HEADER, encode_section, encode_sleb, encode_uleb

# ---------------------------------------------------------------------------
# Hand assembly (§5)
# ---------------------------------------------------------------------------

# The §5.2.2/§5.5.2 encoders are the binary module's own; these short names
# keep the hand-assembled modules in the tests readable.
uleb = encode_uleb
sleb = encode_sleb
section = encode_section


def name(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return uleb(len(raw)) + raw


def vec(items) -> bytes:
    items = list(items)
    return uleb(len(items)) + b"".join(items)


def module(*sections: bytes) -> bytes:
    return HEADER + b"".join(sections)


FUNC_TYPE_VOID = b"\x60\x00\x00"


def type_section(*functypes: bytes) -> bytes:
    return section(1, vec(functypes))


def func_section(*type_indices: int) -> bytes:
    return section(3, vec(uleb(i) for i in type_indices))


def code_entry(body: bytes, local_decls: bytes = b"\x00") -> bytes:
    """``body`` without the final ``end``, which is appended."""
    content = local_decls + body + b"\x0b"
    return uleb(len(content)) + content


def code_section(*entries: bytes) -> bytes:
    return section(10, vec(entries))


def one_func_module(body: bytes, local_decls: bytes = b"\x00", extra: tuple = ()) -> bytes:
    """A module with one ``[] -> []`` function, optional extra sections
    (already in order, placed between the function and code sections)."""
    return module(
        type_section(FUNC_TYPE_VOID),
        func_section(0),
        *extra,
        code_section(code_entry(body, local_decls)),
    )
