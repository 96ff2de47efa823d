"""The differential oracle's comparison and classification (issue 5, part 2)."""

from __future__ import annotations

import json

import pytest
from paths import TESTS

pytest.importorskip("wasmtime")

import attrs  # noqa: E402
import wasmtime  # noqa: E402

from pyde_ref.diff import classify as cl  # noqa: E402
from pyde_ref.diff.compare import CALL_FIELDS, diff_calls, diff_records  # noqa: E402
from pyde_ref.diff.outcome import CallOutcome  # noqa: E402

OK = CallOutcome("ok", results=(5,), instantiate_fuel=0, fuel_consumed=8, memory_hash="aa", globals=(("g", "i32", 1),))


# --------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------


def test_identical_outcomes_have_no_difference():
    assert diff_calls(OK, attrs.evolve(OK, detail="another message")) == []


@pytest.mark.parametrize("field,value", [("results", (6,)), ("fuel_consumed", 9), ("memory_hash", "bb"),
                                         ("globals", (("g", "i32", 2),)), ("instantiate_fuel", 1),
                                         ("state_hash", "cc")])
def test_each_field_is_compared(field, value):
    found = diff_calls(OK, attrs.evolve(OK, **{field: value}))
    assert [(d.field, d.reference, d.wasmtime) for d in found] == [(field, getattr(OK, field), value)]


def test_every_outcome_field_but_detail_is_compared():
    assert set(CALL_FIELDS) == {f.name for f in attrs.fields(CallOutcome)} - {"detail"}


def test_rejected_modules_compare_by_status_only():
    assert diff_calls(CallOutcome("rejected", detail="a"), CallOutcome("rejected", detail="b")) == []
    assert [d.field for d in diff_calls(CallOutcome("rejected"), OK)] == ["status"]


def test_table_out_of_bounds_matches_wasmtimes_single_trap_code():
    ref = attrs.evolve(OK, status="trap", trap="table_out_of_bounds")
    assert diff_calls(ref, attrs.evolve(ref, trap="undefined_element")) == []
    assert diff_calls(attrs.evolve(ref, trap="undefined_element"), attrs.evolve(ref, trap="table_out_of_bounds"))


def test_record_diff_recurses_into_nested_fields():
    a = {"receipt": {"gas_used": 5, "events": [{"topic": "x"}]}, "root": "r"}
    b = {"receipt": {"gas_used": 6, "events": [{"topic": "y"}]}, "root": "r"}
    assert [d.field for d in diff_records(a, b)] == ["receipt.events[0].topic", "receipt.gas_used"]


# --------------------------------------------------------------------------
# classify
# --------------------------------------------------------------------------


def test_agree():
    assert cl.classify(OK, OK, OK).category == cl.AGREE


def test_explained_when_only_the_spec_model_differs():
    spec = attrs.evolve(OK, status="trap", trap="out_of_fuel", results=())
    verdict = cl.classify(OK, spec, OK)
    assert verdict.category == cl.EXPLAINED
    assert {d.field for d in verdict.spec_differences} == {"status", "trap", "results"}


def test_unexplained_when_the_model_differs():
    verdict = cl.classify(OK, OK, attrs.evolve(OK, fuel_consumed=7))
    assert verdict.category == cl.UNEXPLAINED
    assert [d.field for d in verdict.model_differences] == ["fuel_consumed"]


def test_call_depth_is_a_known_hazard():
    wt = attrs.evolve(OK, status="trap", trap="call_stack_exhausted", results=(), fuel_consumed=65516)
    ref = attrs.evolve(wt, fuel_consumed=20000)
    verdict = cl.classify(wt, ref, ref)
    assert (verdict.category, verdict.hazard) == (cl.KNOWN_HAZARD, "call-depth")


def test_a_crash_is_never_agreement():
    crash = CallOutcome(cl.CRASH, detail="RecursionError")
    assert cl.classify(crash, crash, crash).category == cl.UNEXPLAINED


def _wasm(body: str, params: str = "") -> bytes:
    return wasmtime.wat2wasm(f'(module (memory (export "memory") 1) (func (export "f") {params} {body}))')


@pytest.mark.parametrize("body,ambiguous", [
    ("i32.const 0 i32.const 0 i32.const 9 memory.fill", False),
    ("i32.const 0 i32.const 0 i32.const 9 i32.const 1 i32.add memory.fill", False),
    ("i32.const 0 i32.const 0 local.get 0 memory.fill", True),
    ("local.get 0 memory.grow drop", True),
    ("i32.const 0 i32.const 0 block (result i32) i32.const 3 end memory.fill", True),
])
def test_ambiguous_length_sites(body, ambiguous):
    assert cl.has_ambiguous_length(_wasm(body, "(param i32)")) is ambiguous


def test_bulk_length_hazard_needs_an_ambiguous_site_and_a_fuel_only_difference():
    wt = attrs.evolve(OK, fuel_consumed=20)
    model = attrs.evolve(OK, fuel_consumed=19)
    ambiguous = _wasm("i32.const 0 i32.const 0 local.get 0 memory.fill", "(param i32)")
    clear = _wasm("i32.const 0 i32.const 0 i32.const 9 memory.fill")
    assert cl.classify(wt, model, model, ambiguous).hazard == "bulk-length-constness"
    assert cl.classify(wt, model, model, clear).category == cl.UNEXPLAINED
    # a different result is not a fuel effect
    assert cl.classify(attrs.evolve(wt, results=(6,)), model, model, ambiguous).category == cl.UNEXPLAINED


# --------------------------------------------------------------------------
# Real calls through the three backends
# --------------------------------------------------------------------------


def test_run_case_agrees_on_plain_arithmetic():
    result = cl.run_case(_wasm("(result i32) local.get 0 i32.const 2 i32.mul", "(param i32)"), "f", [21], 1000)
    assert result.verdict.category == cl.AGREE
    assert result.wasmtime.results == result.spec.results == (42,)


def test_run_case_explains_the_loop_then_trap_fuel():
    body = ("(local i32) i32.const 100 local.set 0 loop local.get 0 i32.const 1 i32.sub local.tee 0 "
            "br_if 0 end i32.const 1 i32.const 0 i32.div_s drop")
    result = cl.run_case(_wasm(body), "f", [], 100_000)
    assert result.wasmtime.fuel_consumed == 0
    assert result.spec.fuel_consumed > 500
    assert result.verdict.category == cl.EXPLAINED


def test_run_case_explains_an_overdraft():
    result = cl.run_case(_wasm("i32.const 1 drop " * 50), "f", [], 10)
    assert (result.wasmtime.status, result.spec.trap) == ("ok", "out_of_fuel")
    assert result.verdict.category == cl.EXPLAINED


@pytest.mark.parametrize("start_body,status,trap", [
    ("i32.const 0 i32.const 4 call $ret", "host_halt", "return:61626364"),
    ("i32.const 0 i32.const 4 call $rev", "host_halt", "revert:61626364"),
    ("i32.const 70000 call $caller drop", "uninstantiable", "memory_out_of_bounds"),
])
def test_host_functions_called_by_a_start_function(start_body, status, trap):
    wasm = wasmtime.wat2wasm(
        '(module (import "pyde" "return" (func $ret (param i32 i32))) '
        '(import "pyde" "revert" (func $rev (param i32 i32))) '
        '(import "pyde" "caller" (func $caller (param i32) (result i32))) '
        '(memory (export "memory") 1) (data (i32.const 0) "abcd") '
        f'(func $s {start_body}) (start $s) (func (export "f")))')
    result = cl.run_case(wasm, "f", [], 100, with_host=True)
    assert result.verdict.model_differences == ()
    # a trapped start function: the fuel it consumed is compared too (the spec model's differs)
    assert result.verdict.category == (cl.EXPLAINED if status == "uninstantiable" else cl.AGREE)
    assert (result.wasmtime.status, result.wasmtime.trap) == (status, trap)


# --------------------------------------------------------------------------
# Each version against its own fuel model
# --------------------------------------------------------------------------

FILL = "i32.const 0 i32.const 0 i32.const 1000 memory.fill"


def test_a_fuel_difference_against_the_versions_own_model_is_unexplained():
    """Every version has its model: no difference is put down to a missing one."""
    wt, model = attrs.evolve(OK, fuel_consumed=5), attrs.evolve(OK, fuel_consumed=1005)
    for version in ("45", "50"):
        assert cl.classify(wt, model, model, _wasm(FILL), version=version).category == cl.UNEXPLAINED


def test_fifty_only_hazards_do_not_apply_to_45():
    wt, model = attrs.evolve(OK, instantiate_fuel=0), attrs.evolve(OK, instantiate_fuel=5)
    sparse = wasmtime.wat2wasm('(module (memory 623) (data (i32.const 0) "a") (data (i32.const 20971520) "b") '
                               '(func (export "f")))')
    assert cl.classify(wt, model, model, sparse).hazard == "sparse-memory-image"
    assert cl.classify(wt, model, model, sparse, version="45").category == cl.UNEXPLAINED


def test_call_depth_is_a_hazard_on_every_version():
    wt = attrs.evolve(OK, status="trap", trap="call_stack_exhausted", results=(), fuel_consumed=65516)
    ref = attrs.evolve(wt, fuel_consumed=20000)
    for version in ("45", "50"):
        assert cl.classify(wt, ref, ref, b"", version=version).hazard == "call-depth"


def test_run_case_uses_the_versions_own_model(twin):
    result = cl.run_case(_wasm(FILL), "f", [], 100_000, wasmtime=twin.version)
    # the spec model charges the 1,000 bytes: on 45 that is the explained difference
    assert result.verdict.category == {"45": cl.EXPLAINED, "50": cl.AGREE}[twin.version]
    assert result.verdict.model_differences == ()
    assert result.model.fuel_consumed == {"45": 5, "50": 1005}[twin.version]
    assert result.to_json()["fuel_model"] == f"wasmtime-{twin.version}"


# --------------------------------------------------------------------------
# Waves: the hazard step, receipt by receipt
# --------------------------------------------------------------------------


def _receipt(**fields) -> dict:
    base = {"status": "success", "trap": None, "error_code": None, "reason": None, "gas_used": 100,
            "return_data": "0x", "revert_reason": "0x", "contract_address": None, "events": [], "writes": []}
    return dict(base, **fields)


def _output(*receipts, digest="0xaa") -> dict:
    return {"receipts": list(receipts), "events_root": "0x00", "events_bloom": "0x00", "state_digest": digest,
            "post_state": {"accounts": {}, "contracts": {}}}


def test_wave_agree_and_explained():
    from pyde_ref.diff.wave_diff import classify_wave

    same = _output(_receipt())
    assert classify_wave({"wasmtime": same, "spec": same, "model": same}, []).category == cl.AGREE
    spec = _output(_receipt(gas_used=300), digest="0xbb")
    assert classify_wave({"wasmtime": same, "spec": spec, "model": same}, []).category == cl.EXPLAINED


def test_wave_sparse_memory_image_and_its_consequences():
    """A frame instantiating a module with sparse data (wasmtime 50 runs code
    for it, the model does not): its gas differs, and so does what the
    later transactions see."""
    from pyde_ref.diff.wave_diff import classify_wave

    sparse = wasmtime.wat2wasm('(module (memory 623) (data (i32.const 0) "a") (data (i32.const 20971520) "b") '
                               '(func (export "f")))')
    wt = _output(_receipt(gas_used=105), _receipt(writes=[{"balance": "10"}]), digest="0x01")
    model = _output(_receipt(gas_used=100), _receipt(writes=[{"balance": "9"}]), digest="0x02")
    outputs = {"wasmtime": wt, "spec": model, "model": model}
    verdict = classify_wave(outputs, [sparse], "50")
    assert (verdict.category, verdict.hazard) == (cl.KNOWN_HAZARD, "sparse-memory-image")
    assert classify_wave(outputs, [sparse], "45").category == cl.UNEXPLAINED
    assert classify_wave(outputs, [_wasm(FILL)], "50").category == cl.UNEXPLAINED


def test_wave_difference_before_any_explained_one_is_unexplained():
    from pyde_ref.diff.wave_diff import classify_wave

    depth = {"status": "trap", "trap": "call_stack_exhausted"}
    wt = _output(_receipt(return_data="0x01"), _receipt(gas_used=70000, **depth))
    model = _output(_receipt(return_data="0x02"), _receipt(gas_used=20000, **depth))
    verdict = classify_wave({"wasmtime": wt, "spec": model, "model": model}, [_wasm(FILL)])
    assert verdict.category == cl.UNEXPLAINED
    # the hazard alone is explained
    verdict = classify_wave({"wasmtime": _output(wt["receipts"][1]), "spec": _output(model["receipts"][1]),
                             "model": _output(model["receipts"][1])}, [_wasm(FILL)])
    assert verdict.hazard == "call-depth"


def test_wave_state_difference_with_equal_receipts_is_unexplained():
    from pyde_ref.diff.wave_diff import classify_wave

    outputs = {"wasmtime": _output(_receipt(), digest="0x01"), "spec": _output(_receipt(), digest="0x02"),
               "model": _output(_receipt(), digest="0x02")}
    assert classify_wave(outputs, [_wasm(FILL)], "45").category == cl.UNEXPLAINED


def test_wave_call_depth_receipt_is_a_known_hazard():
    from pyde_ref.diff.wave_diff import classify_wave

    wt = _output(_receipt(status="trap", trap="call_stack_exhausted", gas_used=70000))
    model = _output(_receipt(status="trap", trap="call_stack_exhausted", gas_used=20000))
    verdict = classify_wave({"wasmtime": wt, "spec": model, "model": model}, [])
    assert (verdict.category, verdict.hazard) == (cl.KNOWN_HAZARD, "call-depth")


def test_a_wave_backend_crash_is_unexplained():
    from pyde_ref.diff.wave_diff import classify_wave

    same = _output(_receipt())
    verdict = classify_wave({"wasmtime": {"crash": "RecursionError: too deep"}, "spec": same, "model": same}, [])
    assert verdict.category == cl.UNEXPLAINED and "RecursionError" in verdict.crash


def test_a_receipts_trap_compares_as_a_calls():
    """wasmtime has one code for an out-of-range call_indirect and an
    out-of-bounds table.init/copy: in a receipt as in a call (a wave of
    seed 20261130 found the receipt form, tests/diff/regressions/waves/)."""
    ref = {"receipts": [{"trap": "table_out_of_bounds", "status": "trap"}]}
    wt = {"receipts": [{"trap": "undefined_element", "status": "trap"}]}
    assert diff_records(ref, wt) == []
    assert diff_records(wt, ref)  # not the other way round


def test_data_that_does_not_fit_is_modelled():
    """wasmtime 50 traps out_of_fuel while initializing data that does not
    fit when the frame has too little fuel (found by wave 699 of seed
    20261130, once the known hazard ``data-out-of-bounds``); the
    ``wasmtime-50`` model does the same now, so the regression wave agrees
    and the same difference would be a defect."""
    from pyde_ref.diff.wave_diff import diff_wave

    wave = TESTS / "diff" / "regressions" / "waves" / "wave-20261130-699" / "wave.json"
    verdict, _outputs = diff_wave(json.loads(wave.read_text()), None, "50")
    assert verdict.category in (cl.AGREE, cl.EXPLAINED), verdict.to_json()
    oob = wasmtime.wat2wasm('(module (memory 0) (data (i32.const 0) "a") (func (export "f")))')
    wt = CallOutcome("uninstantiable", trap="out_of_fuel", instantiate_fuel=1)
    model = CallOutcome("uninstantiable", trap="memory_out_of_bounds", instantiate_fuel=0)
    assert cl.classify(wt, model, model, oob).category == cl.UNEXPLAINED
