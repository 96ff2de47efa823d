"""The ABI §16 matrix (``pyde_ref/conformance/matrix.py``): its rows come
from the reference's own tables, its hand-kept tables agree with the host
functions' signatures and behaviour, and a host call covers exactly the
cells it should."""

from __future__ import annotations

import pytest

from pyde_ref.abi.env import SubcallResult, SubcallStatus
from pyde_ref.abi.halt import Halt
from pyde_ref.abi.registry import HOST_FUNCTIONS, call_host
from pyde_ref.abi.testing import PAGE, ScriptedCalls, make_env
from pyde_ref.conformance import matrix
from pyde_ref.conformance.hostcases import shared_args
from pyde_ref.conformance.observe import RETURNED, HostCallRecord
from pyde_ref.executor.handlers.system import SYSTEM_OPS
from pyde_ref.executor import rejections
from pyde_ref.executor.handlers import HANDLERS
from pyde_ref.wasm.errors import Trap

CORE = [n for n, d in HOST_FUNCTIONS.items() if not d.parachain_only]


def test_every_host_function_and_type_has_a_row():
    keys = {r.key for r in matrix.rows()}
    assert {f"host:{n}" for n in HOST_FUNCTIONS} <= keys
    sections = {r.key: r.section for r in matrix.rows()}
    assert all(sections[f"host:{n}"] == matrix.SECTION_PARACHAIN for n, d in HOST_FUNCTIONS.items()
               if d.parachain_only)
    assert len([r for r in matrix.rows() if r.section == matrix.SECTION_TX]) == len(HANDLERS) + 1 + len(SYSTEM_OPS) + 2
    assert set(matrix.TYPE_CODES) <= set(matrix.tx_rows()), "a TYPE_CODES key names no row"


def test_every_rejection_code_is_a_column_or_unreachable():
    columns = {c for r in matrix.rows() if r.section == matrix.SECTION_TX for c in r.columns}
    assert set(rejections.CODES) <= columns
    for (row, column) in matrix.UNREACHABLE:
        assert column in {c for r in matrix.rows() if r.key == row for c in r.columns}


@pytest.mark.parametrize("name", HOST_FUNCTIONS)
def test_pointer_and_length_arguments_match_the_signature(name):
    params = HOST_FUNCTIONS[name].type.params
    for index, extent in matrix.POINTERS.get(name, ()):
        assert params[index] == "i32"
        if isinstance(extent, matrix.Arg):
            assert params[extent.index] == "i32"
    for index in matrix.METERED.get(name, ()):
        assert params[index] == "i32"
    if not HOST_FUNCTIONS[name].parachain_only:  # §8: "per byte returned" is no argument (provisional rows)
        assert bool(matrix.METERED.get(name)) == bool(matrix.GAS_TABLE[name].per_byte or matrix.GAS_TABLE[name].per_word)


def _call(name, args):
    runner = ScriptedCalls(SubcallResult(SubcallStatus.SUCCESS, gas_used=0, return_data=b""))
    env = make_env(gas=10**9, calls=runner, calldata=bytes(64))
    env.memory.write(0, b"\x01" * 1024)  # non-zero inputs (an address that is not the zero one)
    try:
        call_host(HOST_FUNCTIONS[name], env, args)
    except Halt:
        pass
    except Trap as trap:
        return trap.kind
    return RETURNED


@pytest.mark.parametrize("name", [n for n in CORE if any(e is not None for _, e in matrix.POINTERS.get(n, ()))])
def test_pointer_extents_are_what_the_function_touches(name):
    """Every pointer with a known extent, placed to end on the last byte of a
    one-page memory, is in bounds; one byte further, it traps."""
    for index, extent in matrix.POINTERS[name]:
        if extent is None:
            continue
        n = 32 if isinstance(extent, matrix.Arg) else extent
        at_end = shared_args(name, lambda i, size: (PAGE - n) if i == index else 0)
        assert _call(name, at_end) != "memory_out_of_bounds", (name, index)
        past = shared_args(name, lambda i, size: (PAGE - n + 1) if i == index else 0)
        assert _call(name, past) == "memory_out_of_bounds", (name, index)


def record(name, args, gas, results=(0,), outcome=RETURNED, memory=PAGE, depth=1, reentered=None):
    return HostCallRecord(name, tuple(args), gas, results, outcome, memory, depth, reentered)


def cells(rec):
    return {column for _, column in matrix.host_cells(rec)}


def test_cells_of_host_calls():
    assert cells(record("sload", (0, 1), 200)) == {"valid", "gas:base", "mem:0", "mem:1"}
    assert cells(record("sload", (5, 6), 200, (0xFFFFFFFA,))) == {"ERR_ACCESS_LIST_VIOLATION", "gas:base"}
    assert cells(record("sload", (5, 6), 0, None, "trap:out_of_fuel")) == {"gas:charged_first"}
    cap = matrix.CAP
    assert cells(record("sload", (cap - 32, cap - 32), 200, memory=cap)) >= {"mem:64MiB-1"}
    assert cells(record("sload", (cap - 31, 0), 200, None, "trap:memory_out_of_bounds", memory=cap)) == {"mem:64MiB"}
    # per word: a length that is not a multiple of 8
    assert "gas:per_word" in cells(record("hash_blake3", (0, 9, 64), 15 + 3 * 2))
    assert "gas:per_word" not in cells(record("hash_blake3", (0, 8, 64), 15 + 3))
    assert "gas:callee" in cells(record("cross_call", (0, 0, 0, 0, 4, 0, 100, 0, 0), 1032 + 77))
    assert "depth:cap" in cells(record("cross_call", (0,) * 9, 1000, (0xFFFFFFF6,), depth=1024))
    assert "reentry:allowed" in cells(record("cross_call_static", (0,) * 8, 50, reentered=True))
    assert cells(record("consume_gas", (5,), 7, (0,))) == {"valid", "gas:amount"}
    assert "valid" in cells(record("block_height", (), 2, (7,)))


def test_transaction_rows():
    assert "AuthSchemeReserved" in matrix.pipeline_codes()
    assert matrix.deploy_cells("DeployRejected: UnsupportedFeature(simd); hint: ...", None) == {
        ("deploy:§9.3 forbidden features", "simd")}
    assert matrix.deploy_cells("DeployRejected: ForbiddenImport(wasi:io/streams::read (only ...))", None) == {
        ("deploy:§9.1 forbidden imports", "wasi:*")}
    assert matrix.deploy_cells("DeployRejected: ParachainOnly(pyde::parachain_id)", None) == {
        ("host:parachain_id", "deploy:ParachainOnly")}
    assert matrix.deploy_cells("not a deploy rejection", None) == set()


def test_coverage_names_gaps_deferred_unreachable_and_outside():
    cov = matrix.coverage({("host:sload", "valid"), ("host:nowhere", "valid")})
    assert ("host:nowhere", "valid") in cov.outside
    gaps = {(r.row.key, c) for r, c in cov.gaps}
    assert ("host:sload", "gas:base") in gaps and ("host:sload", "valid") not in gaps
    assert cov.deferred_gaps == []
    unreachable = [(r.row.key, c) for r, c, _ in cov.unreachable]
    assert ("tx:(every type) common checks", "AuthSchemeReserved") in unreachable
    assert ("tx:Standard → parachains.register", "ParachainIdCollision") in unreachable
    assert {("host:" + n, "ERR_PARACHAIN_ONLY") for n in matrix.PARACHAIN_FUNCTIONS} <= set(unreachable)
    t = cov.totals()
    assert t["covered"] == 1 and t["cells"] == t["covered"] + t["gaps"] + t["deferred"]
