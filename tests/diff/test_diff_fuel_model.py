"""Each wasmtime version's fuel model against that version (issue 5, part 4:
"make the wasmtime-50 model match it"; issue 14, item 1 for wasmtime 45).

Every probe of ``tests/diff/test_wasmtime_fuel.py`` that pins a figure is run on
the twin and on the reference under the version's model (``wasmtime-50``,
``wasmtime-45``); every compared field (status, trap, results, fuel,
instantiation fuel, memory, globals) must agree.  Every version the oracle
knows has its model (``tests/diff/test_twin.py``), so nothing is skipped but
a twin that cannot run here.
"""

from __future__ import annotations

import pytest

pytest.importorskip("wasmtime")


from pyde_ref.diff import fuel_probe as fp  # noqa: E402
from pyde_ref.diff.compare import diff_calls  # noqa: E402
from pyde_ref.diff.reference_backend import ReferenceMachine  # noqa: E402
from pyde_ref.diff.twin import reference_fuel_model  # noqa: E402


@pytest.fixture(scope="module")
def probes(twin):
    """(the twin's probe, the probe of the reference under its model)."""
    return fp.FuelProbe(twin), fp.FuelProbe(ReferenceMachine(reference_fuel_model(twin.version)))

TEN = "i32.const 1 drop " * 10
DIV0 = " i32.const 1 i32.const 0 i32.div_s drop"
LOOP = "i32.const {n} local.set 0 loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end"


def same(probes, wat: str, fuel: int = fp.AMPLE, func: str = "probe", args=(), **kw):
    on_twin, on_model = probes
    wt = on_twin.run_wat(wat, fuel, func, args, **kw)
    model = on_model.run_wat(wat, fuel, func, args, **kw)
    assert diff_calls(model, wt) == [], (wat[-300:], fuel, wt, model)


@pytest.mark.parametrize("op", fp.catalogue(), ids=lambda op: op.name)
def test_operator_cost(op, probes):
    same(probes, fp.module_wat(op.body, locals_=op.locals_, results=op.fn_results))


@pytest.mark.parametrize("op", ["memory.fill", "memory.copy", "memory.init $d", "table.init $e", "table.copy"])
@pytest.mark.parametrize("length", ["i32.const 0", "i32.const 3", "i32.const 26", "local.get 0"])
@pytest.mark.parametrize("fuel", [3, 8, fp.AMPLE])
def test_length_charges(op, length, fuel, probes):
    wat = fp.module_wat(f"i32.const 0 i32.const 0 {length} {op} i32.const 1 drop")
    same(probes, wat.replace('(func (export "probe")', '(func (export "probe") (param i32)'), fuel, args=[2])


@pytest.mark.parametrize("pages,delta", [(1, 0), (1, 5), (1, 200), (1, 1024), (1000, 24), (1000, 100),
                                         (1000, 200), (1024, 1)])
@pytest.mark.parametrize("dynamic", [False, True])
def test_memory_grow(pages, delta, dynamic, probes):
    operand = "local.get 0" if dynamic else f"i32.const {delta}"
    wat = (f'(module (memory (export "m") {pages}) (func (export "probe") (param i32) (result i32) '
           f'{operand} memory.grow))')
    for fuel in (3, fp.AMPLE):
        same(probes, wat, fuel, args=[delta])


@pytest.mark.parametrize("body", [
    TEN + DIV0, TEN + "unreachable", TEN + "i32.const 70000 i32.load drop",
    TEN + "call $nop" + DIV0, TEN + "i32.const 0 call_indirect (type $v)" + DIV0,
    TEN + "i32.const 1 call_indirect (type $v)", TEN + "i32.const 9 call_indirect (type $v)",
    TEN + "i32.const 1 memory.grow drop" + DIV0,
    TEN + "i32.const 0 i32.const 0 i32.const 10 memory.fill" + DIV0,
    TEN + "block br 0 end i32.const 1 if nop end" + DIV0,
])
def test_write_back_points(body, probes):
    same(probes, fp.module_wat(body))


@pytest.mark.parametrize("n", [1, 3, 10])
@pytest.mark.parametrize("fuel", [2, 4, 9, 14, 40, fp.AMPLE])
def test_loop_checks(n, fuel, probes):
    same(probes, fp.module_wat(LOOP.format(n=n) + DIV0, locals_="(local i32)"), fuel)
    same(probes, fp.module_wat(LOOP.format(n=n) + " i32.const 1 drop" * 20, locals_="(local i32)"), fuel)


@pytest.mark.parametrize("fuel", [1, 2, 3, 10, 52, 53, 54])
def test_overdraft_and_entry_checks(fuel, probes):
    same(probes, fp.module_wat("i32.const 1 drop " * 50), fuel)
    same(probes, fp.module_wat("i32.const 1 drop " * 50 + "call $nop"), fuel)


@pytest.mark.parametrize("decls", [
    "", "(elem (i32.const 0) func $n)", "(elem $e func $n)", "(start $n)",
    "(func $s call $n) (start $s)", "(elem $e func $n) (start $n)", '(data "abc")',
    "(func $s i32.const 1 drop i32.const 1 drop) (start $s)", "(func $s unreachable) (start $s)",
    "(func $s i32.const 1 drop unreachable) (start $s)", "(func $s call $n unreachable) (start $s)",
])
@pytest.mark.parametrize("fuel", [0, 1, 2, 3, 4, 5, 1000])
def test_instantiation(decls, fuel, probes):
    wat = f'(module (memory 1) (table 10 funcref) (func $n) {decls} (func (export "p")))'
    same(probes, wat, 10, "p", instantiate_fuel=fuel)


@pytest.mark.parametrize("decls", [
    '(memory 0) (data (i32.const 0) "a")',
    '(memory 1) (data (i32.const 65537) "")',
    '(memory 1) (data (i32.const 10) "a") (data (i32.const 65536) "b")',
    '(memory 1) (data (i32.const 10) "") (data (i32.const 20) "xyz") (data (i32.const -1) "b") (data "p")',
    '(memory 1) (table 2 funcref) (func $n) (elem $e func $n) (data (i32.const 10) "ab") (data (i32.const 65536) "b")',
    '(memory 1) (table 2 funcref) (func $n) (start $n) (data (i32.const 10) "ab") (data (i32.const 65536) "b")',
    '(memory 1) (table 2 funcref) (func $n) (elem (i32.const 0) func $n) (data (i32.const 0) "a") '
    '(data (i32.const 65536) "b")',
    '(memory 1) (table 2 funcref) (func $n) (elem (i32.const 5) func $n) (data (i32.const 65536) "b")',
    '(memory 1) (table 20 funcref) (func $n) (elem $p func $n) (elem (i32.const 0) func $n $n $n) '
    '(elem (i32.const 19) func $n $n)',
])
@pytest.mark.parametrize("fuel", [0, 1, 2, 3, 4, 5, 6, 1000])
def test_segment_that_does_not_fit(decls, fuel, probes):
    """wasmtime 50 initializes such an instance by code that costs fuel
    (spec/findings/wasmtime-fuel-instantiation.md); wasmtime 45 does not."""
    same(probes, f'(module {decls} (func (export "p")))', 10, "p", instantiate_fuel=fuel)


@pytest.mark.parametrize("offset_delta", [-8, -7, 0, 100])
def test_load_beyond_the_maximum(offset_delta, probes):
    offset = 986 * 65536 + offset_delta
    same(probes, f'(module (memory 5 986) (func (export "probe") i32.const 0 i64.load offset={offset} drop))')


@pytest.mark.parametrize("k,budget", [(0, 100), (10, 100), (50, 100), (50, 54), (50, 20)])
def test_what_a_host_function_sees(k, budget, probes):
    """The fuel a host function reads (``probe.remaining``, into the global
    ``seen``) and a host charge the next check sees (``probe.charge``)."""
    wat = ('(module (import "probe" "remaining" (func $remaining (result i64))) '
           '(import "probe" "charge" (func $charge (param i64))) (func $n) '
           '(global $seen (export "seen") (mut i64) (i64.const -1)) (func (export "p") '
           f'{"i32.const 1 drop " * k} call $remaining global.set $seen i64.const 7 call $charge call $n))')
    same(probes, wat, budget, "p", host="probe")
