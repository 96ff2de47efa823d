"""Production's implementation limits, differentially (issue 10 item 3).

For every limit of :mod:`pyde_ref.wasm.limits` a module at the limit and one
just over it are generated (:mod:`hostile_modules`), and pyde-ref's verdict
(decode and validate) must be the verdict of wasmtime 50 and of wasmtime 45
(the twins compile the module with seed §3.2's engine): deploy acceptance is
consensus.  Where pyde-ref refuses, the refusal names the limit that binds.

Modules of a million entries take seconds to decode and, at the limit,
minutes for wasmtime to compile: those cases are ``slow``.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

import hostile_modules as hm
from pyde_ref.wasm import decode_module, limits, validate_module
from pyde_ref.wasm.errors import WasmError
from pyde_ref.wasm.limits import LimitExceeded

SLOW = pytest.mark.slow

CASES = [
    # (case, limit, build(value), the limit is what refuses the module just over it)
    ("types", limits.TYPES, hm.type_count, True, SLOW),
    ("functions", limits.FUNCTIONS, hm.function_count, True, SLOW),
    ("globals", limits.GLOBALS, hm.global_count, True, SLOW),
    ("element segments", limits.ELEMENT_SEGMENTS, hm.element_segment_count, True, None),
    ("data segments and data count", limits.DATA_SEGMENTS, hm.data_segments_counted, True, None),
    ("export name", limits.STRING_SIZE, hm.export_name, True, None),
    ("import field name", limits.STRING_SIZE, hm.import_field_name, True, None),
    ("import module name", limits.STRING_SIZE, hm.import_module_name, True, None),
    ("custom section name", limits.STRING_SIZE, hm.custom_section_name, True, None),
    ("function body size", limits.FUNCTION_SIZE, hm.body_size, True, SLOW),
    ("declared locals", limits.FUNCTION_LOCALS, hm.declared_locals, True, None),
    ("parameters and locals", limits.FUNCTION_LOCALS, hm.params_and_locals, True, None),
    ("function params", limits.FUNCTION_PARAMS, hm.with_params, True, None),
    ("function results", limits.FUNCTION_RESULTS, hm.with_results, True, None),
    ("effective type size", limits.TYPE_SIZE, hm.effective_type_size, True, SLOW),
    # Reached only past another limit or the feature gate: both engines refuse at and over.
    ("imports", limits.IMPORTS, hm.imports, False, SLOW),
    ("exports", limits.EXPORTS, hm.exports_of_a_global, False, SLOW),
    ("tables", limits.TABLES, hm.table_count, False, None),
    ("memories", limits.MEMORIES, hm.memory_count, False, None),
    ("br_table size", limits.BR_TABLE_SIZE, hm.br_table_count, False, None),
]

PARAMS = [pytest.param(case, limit, build, binding, value, id=f"{case}-{where}",
                       marks=[mark] if mark is not None else [])
          for case, limit, build, binding, mark in CASES
          for where, value in (("at", limit.maximum), ("over", limit.maximum + 1))]


@lru_cache(maxsize=4)
def generated(build, value: int) -> bytes:
    return build(value)


def reference_verdict(wasm: bytes):
    """``None`` when pyde-ref accepts the module, else its refusal."""
    try:
        validate_module(decode_module(wasm))
    except WasmError as exc:
        return exc
    return None


def test_every_limit_has_a_case():
    assert {limit for _, limit, _, _, _ in CASES} == set(limits.ALL)


@pytest.mark.parametrize("case, limit, build, binding, value", PARAMS)
def test_same_verdict_as_wasmtime(twin, case, limit, build, binding, value):
    wasm = generated(build, value)
    refusal = reference_verdict(wasm)
    wasmtime_error = twin.compile_error(wasm)
    assert (refusal is None) == (wasmtime_error is None), (
        f"{case} = {value}: pyde-ref {'accepts' if refusal is None else f'refuses ({refusal})'}, "
        f"wasmtime {twin.version} {'accepts' if wasmtime_error is None else f'refuses ({wasmtime_error})'}")
    if binding and value > limit.maximum:
        assert isinstance(refusal, LimitExceeded) and refusal.limit is limit, refusal
    if binding and value == limit.maximum:
        assert refusal is None
