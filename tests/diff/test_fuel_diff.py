"""``pyde-ref fuel-diff``'s engine: what an upgrade from one wasmtime
version's fuel model to another's changes, and why (issue 14, item 2).

One contract exercises each rule in which ``wasmtime-45`` and
``wasmtime-50`` differ (``pyde_ref.wasm.fuel.RULES``), once per transaction,
so every cause can be checked against the charge the model documents; two
tight gas limits make rules interact and act only together.
"""

from __future__ import annotations

import pytest

from pyde_ref.diff import fuel_diff as fd
from pyde_ref.executor.testing import build_contract
from pyde_ref.wasm import fuel

BULK = '''(module
  (memory (export "memory") 1)
  (global $n (mut i32) (i32.const 1000)) (global $p (mut i32) (i32.const 3))
  (table 4 funcref) (func $nop) (elem (i32.const 0) $nop $nop)
  (func (export "fill") (memory.fill (i32.const 0) (i32.const 7) (global.get $n)))
  (func (export "grow") (drop (memory.grow (global.get $p))))
  (func (export "tcopy") (table.copy (i32.const 1) (i32.const 0) (i32.const 2)))
  (func (export "both") (memory.fill (i32.const 0) (i32.const 7) (global.get $n)) (drop (memory.grow (global.get $p))))
  (func (export "plain") (drop (i32.const 1))))'''
"""Lengths read from globals: wasmtime 50 charges them after the operation
succeeded, and checks on the spot (its runtime path)."""

START = '''(module (memory (export "memory") 1) (table 1 funcref) (func $s) (elem func $s) (start $s)
  (func (export "plain") (drop (i32.const 1))))'''
"""wasmtime 50 runs initialization code for the start function (2 more per frame)."""

SENDER, BULK_AT, START_AT = "0x" + "a1" * 32, "0x" + "b0" * 32, "0x" + "c0" * 32

CALLS = [(BULK_AT, "fill", 100_000), (BULK_AT, "grow", 100_000), (BULK_AT, "tcopy", 100_000),
         (BULK_AT, "plain", 100_000), (START_AT, "plain", 100_000),
         # wasmtime-45 costs 7, fill alone 1007, grow alone 10, both 1010:
         (BULK_AT, "both", 1008),  # each rule alone fits, both do not
         (BULK_AT, "both", 8)]  # either rule alone exhausts it


def document() -> dict:
    return {
        "unsigned": True,
        "context": {"chain_id": 1, "block_height": 1, "wave_id": 1, "block_timestamp": 1, "base_fee": 1},
        "accounts": {SENDER: {"balance": "1000000000"}},
        "contracts": {BULK_AT: {"code": "0x" + build_contract(BULK, ["fill", "grow", "tcopy", "both", "plain"]).hex()},
                      START_AT: {"code": "0x" + build_contract(START, ["plain"]).hex()}},
        "txs": [{"type": "call", "from": SENDER, "to": to, "function": name, "calldata": "0x", "gas_limit": gas}
                for to, name, gas in CALLS],
    }


@pytest.fixture(scope="module")
def upgrade():
    return fd.fuel_diff(document(), None, "wasmtime-45", "wasmtime-50")


def causes(change) -> dict:
    return {c.rule: c.gas_delta for c in change.causes}


def test_the_rules_in_which_the_versions_differ(upgrade):
    assert upgrade.rules == ("bulk-memory-length", "memory-grow-pages", "table-length", "instantiation")
    assert fuel.differing_rules(fuel.model("wasmtime-50"), fuel.model("wasmtime-50")) == []


def test_each_rule_is_the_cause_of_its_own_transaction(upgrade):
    by_index = {c.index: c for c in upgrade.changes}
    assert (by_index[0].gas_delta, causes(by_index[0])) == (1000, {"bulk-memory-length": 1000})  # 1 per byte
    assert (by_index[1].gas_delta, causes(by_index[1])) == (3, {"memory-grow-pages": 3})  # 1 per page
    assert (by_index[2].gas_delta, causes(by_index[2])) == (2, {"table-length": 2})  # 1 per element
    assert (by_index[4].gas_delta, causes(by_index[4])) == (2, {"instantiation": 2})  # the start function's code
    for i in (0, 1, 2, 4):
        assert by_index[i].kinds == ("gas", "state") and not by_index[i].inherited  # the fee
        assert by_index[i].interaction is None


def test_a_difference_left_by_earlier_transactions_is_inherited(upgrade):
    plain = next(c for c in upgrade.changes if c.index == 3)
    assert plain.kinds == ("state",) and plain.inherited and plain.causes == ()
    assert all(f.startswith("writes") for f in plain.fields)  # the sender's balance after earlier fees
    assert "an earlier transaction's difference" in fd.change_line(plain)


def test_rules_that_interact(upgrade):
    """Gas limit 1008: each rule alone fits (+1000, +3), both run out of gas
    at the limit (+1001): the interaction is the -2 the clamp takes."""
    both = next(c for c in upgrade.changes if c.index == 5)
    assert (both.before["status"], both.after["status"], both.after["trap"]) == ("success", "trap", "out_of_fuel")
    assert causes(both) == {"bulk-memory-length": 1000, "memory-grow-pages": 3}
    assert (both.gas_delta, both.interaction) == (1001, -2)
    assert fd.change_line(both) == ("wave 1 tx 5 [both]: gas 7 -> 1008 (+1001) status success -> trap(out_of_fuel); "
                                    "cause: bulk-memory-length +1000, memory-grow-pages +3, interaction -2")


def test_rules_that_act_only_together():
    """Downgrading, gas limit 8: wasmtime 50 runs out of gas, and still does
    with either rule of wasmtime 45 alone; only both together let it succeed."""
    downgrade = fd.fuel_diff(document(), None, "wasmtime-50", "wasmtime-45")
    tight = next(c for c in downgrade.changes if c.index == 6)
    assert (tight.before["status"], tight.after["status"]) == ("trap", "success")
    assert [(c.rule, c.alone) for c in tight.causes] == [("bulk-memory-length", False), ("memory-grow-pages", False)]
    assert fd.change_line(tight).endswith("cause: only together: bulk-memory-length, memory-grow-pages")


def test_the_report_counts_and_waves(upgrade):
    assert (upgrade.transactions, len(upgrade.changes), upgrade.changed) == (7, 7, True)
    assert upgrade.wave_differences == ((1, "fees"), (1, "state_digest"))
    assert fd.report_lines(upgrade)[-1] == "7 of 7 transactions change (gas 6, status 2, result 0, state only 1)"
    cause = upgrade.to_json()["changes"][0]["causes"][0]
    assert {k: cause[k] for k in ("rule", "meaning", "alone", "gas_delta")} == {
        "rule": "bulk-memory-length", "meaning": fd.RULE_MEANINGS["bulk-memory-length"], "alone": True,
        "gas_delta": 1000}
    assert "gas_used" in cause["fields"] and "fee.total" in cause["fields"]  # and the writes the fee changes
    assert {fd._top(f) for f in cause["fields"]} == {"fee", "gas_used", "writes"}


def test_same_model_changes_nothing():
    same = fd.fuel_diff(document(), None, "wasmtime-50", "wasmtime-50")
    assert (same.rules, same.changes, same.wave_differences, same.changed) == ((), (), (), False)


def test_models_of_different_timing_are_refused():
    with pytest.raises(ValueError, match="more than their rules"):
        fd.fuel_diff(document(), None, "spec", "wasmtime-50")


def test_a_variant_is_a_model_of_its_own():
    name = fuel.variant("wasmtime-45", "wasmtime-50", ["memory-grow-pages"])
    grown = fuel.model(name)
    assert grown.costs["memory.grow"] == fuel.COSTS["memory.grow"] and grown.costs["memory.fill"].per_unit == 0
    assert (grown.static_length_max, grown.initialization_code) == (128, False)
    assert fuel.variant("wasmtime-45", "wasmtime-50", ["memory-grow-pages"]) == name
    assert fuel.variant("wasmtime-45", "wasmtime-50", []) == "wasmtime-45"
    with pytest.raises(ValueError, match="unknown fuel rule"):
        fuel.variant("wasmtime-45", "wasmtime-50", ["gas"])
    assert name not in fuel.FUEL_MODELS  # never a --fuel-model choice


@pytest.mark.parametrize("wat,rules", [
    ('(module (memory 1) (func (drop (i32.const 1))))', set()),
    ('(module (memory 1) (func (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))))', {"bulk-memory-length"}),
    ('(module (memory 1) (func (drop (memory.grow (i32.const 1)))))', {"memory-grow-pages"}),
    ('(module (table 2 funcref) (elem func 0) (func (table.init 0 (i32.const 0) (i32.const 0) (i32.const 1))))',
     {"table-length", "instantiation"}),  # and a passive element segment
    ('(module (memory 1) (func) (start 0))', {"instantiation"}),
    ('(module (memory 1) (data (i32.const 65535) "a"))', set()),  # fits exactly
    ('(module (memory 1) (data (i32.const 65535) "ab"))', {"instantiation"}),  # does not
    ('(module (table 1 funcref) (func) (elem (i32.const 1) func 0))', {"instantiation"}),
])
def test_rules_in_play(wat, rules):
    from pyde_ref.wasm.text import wat_to_wasm

    assert fd.rules_in_play(wat_to_wasm(wat)) == rules
    assert fd.rules_in_play(b"not wasm") == set()
