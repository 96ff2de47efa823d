"""A receipt's ``gas_used`` after a trap, under each fuel model
(``spec/findings/gas-used-after-trap.md``).

The contract runs ten ``i32.const 1; drop`` pairs and then divides by zero
(the first row of the "fuel reported after a trap" table of
``shared/reference/wasmtime-50-observed.md``).
"""

from __future__ import annotations

import pytest

from pyde_ref.executor.testing import Chain, address, build_contract, import_lines, wat_string

SENDER = address(1)
C = address(0xF0E1)

WAT = """(module
  (memory (export "memory") 1)
  (func (export "div0")
    """ + "(drop (i32.const 1)) " * 10 + """
    (drop (i32.div_s (i32.const 1) (i32.const 0))))
  (func (export "loop_then_div0") (local i32)
    (loop $l
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 3))))
    (drop (i32.div_s (i32.const 1) (i32.const 0))))
  (func (export "ok")
    """ + "(drop (i32.const 1)) " * 10 + """))"""


def _receipt(model: str, function: str):
    chain = Chain(fuel_model=model)
    chain.fund(SENDER, 10**12)
    chain.install(C, build_contract(WAT, ["div0", "loop_then_div0", "ok"]))
    before = chain.balance(SENDER)
    r = chain.call(SENDER, C, function, gas_limit=1_000)
    assert before - chain.balance(SENDER) == r.gas_used * chain.block.base_fee
    return r


def test_spec_model_reports_fuel_up_to_the_trap():
    r = _receipt("spec", "div0")
    assert (r.status, r.trap) == ("trap", "integer_divide_by_zero")
    # entry 1 + ten consts + two consts + the div itself
    assert r.gas_used == 1 + 10 + 2 + 1


def test_wasmtime_model_reports_only_what_was_written_back():
    r = _receipt("wasmtime-50", "div0")
    assert (r.status, r.trap) == ("trap", "integer_divide_by_zero")
    assert r.gas_used == 0


def test_loop_then_trap_is_almost_free_under_wasmtime_model():
    spec = _receipt("spec", "loop_then_div0")
    wt = _receipt("wasmtime-50", "loop_then_div0")
    assert spec.gas_used > 20
    assert wt.gas_used == 0


@pytest.mark.parametrize("model", ["spec", "wasmtime-50"])
def test_models_agree_when_nothing_traps(model):
    assert _receipt(model, "ok").gas_used == 11


def test_cross_call_debit_after_a_callee_trap_follows_the_model():
    """The caller is debited the callee's meter: all of it under spec, the
    written-back value (0 here) under wasmtime-50."""
    caller_wat = f"""(module {import_lines(["cross_call"])}
      (memory (export "memory") 1)
      (data (i32.const 0) "{wat_string(C)}")
      (data (i32.const 32) "loop_then_div0")
      (func (export "go")
        (drop (call $cross_call (i32.const 0) (i32.const 32) (i32.const 14) (i32.const 0)
          (i32.const 0) (i32.const 100) (i64.const 500) (i32.const 200) (i32.const 196)))))"""
    used = {}
    for model in ("spec", "wasmtime-50"):
        chain = Chain(fuel_model=model)
        chain.fund(SENDER, 10**12)
        chain.install(C, build_contract(WAT, ["div0", "loop_then_div0", "ok"]))
        chain.install(address(0xCA), build_contract(caller_wat, ["go"]))
        r = chain.call(SENDER, address(0xCA), "go", gas_limit=10_000)
        assert r.status == "success"
        used[model] = r.gas_used
    callee_spec = _receipt("spec", "loop_then_div0").gas_used
    assert used["spec"] - used["wasmtime-50"] == callee_spec
