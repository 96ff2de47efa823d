"""Nested frames against a model (hypothesis): seed §3.5b / ABI §13.2 — each
cross-call's writes merge into its caller on success and vanish on revert or
trap, whatever the nesting.

``step`` (reentrant) reads levels from calldata: each level is five bytes
``slot_a, val_a, slot_b, val_b, mode``.  It writes ``val_a`` to ``slot_a``,
cross_calls itself with the remaining levels (ignoring the result), writes
``val_b`` to ``slot_b``, then returns (mode 0), reverts (1) or traps (2).
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pyde_ref.executor.testing import Chain, address, build_contract, import_lines

SENDER = address(1)
NODE = address(0x40DE)

WAT = f"""(module
{import_lines(["calldata_size", "calldata_copy", "sstore", "self_address", "cross_call",
               "tx_gas_remaining", "revert"])}
  (memory (export "memory") 1)
  (data (i32.const 64) "step")
  (func $write (param $slot i32) (param $val i32)
    (i32.store8 (i32.const 100) (local.get $slot))
    (i32.store8 (i32.const 200) (local.get $val))
    (drop (call $sstore (i32.const 100) (i32.const 200))))
  (func (export "step") (local $size i32)
    (local.set $size (call $calldata_size))
    (drop (call $calldata_copy (i32.const 0) (local.get $size) (i32.const 1000)))
    (call $write (i32.load8_u (i32.const 1000)) (i32.load8_u (i32.const 1001)))
    (if (i32.gt_u (local.get $size) (i32.const 5))
      (then
        (drop (call $self_address (i32.const 0)))
        (drop (call $cross_call (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 1005)
          (i32.sub (local.get $size) (i32.const 5)) (i32.const 300)
          (i64.sub (call $tx_gas_remaining) (i64.const 5000)) (i32.const 3000) (i32.const 2996)))))
    (call $write (i32.load8_u (i32.const 1002)) (i32.load8_u (i32.const 1003)))
    (if (i32.eq (i32.load8_u (i32.const 1004)) (i32.const 1))
      (then (call $revert (i32.const 0) (i32.const 0))))
    (if (i32.eq (i32.load8_u (i32.const 1004)) (i32.const 2))
      (then unreachable))))"""

level = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
                  st.integers(0, 2))


def model(levels, base: dict):
    """The storage after running ``levels`` on ``base``, or None on failure."""
    slot_a, val_a, slot_b, val_b, mode = levels[0]
    local = dict(base)
    local[slot_a] = val_a
    if len(levels) > 1:
        child = model(levels[1:], local)
        if child is not None:
            local = child
    local[slot_b] = val_b
    return local if mode == 0 else None


@settings(max_examples=40, deadline=None)
@given(st.lists(level, min_size=1, max_size=6))
def test_nested_writes_match_the_model(levels):
    chain = Chain()
    chain.fund(SENDER, 10**12)
    chain.install(NODE, build_contract(WAT, ["step:reentrant"]))
    calldata = b"".join(bytes(lvl) for lvl in levels)
    receipt = chain.call(SENDER, NODE, "step", calldata, gas_limit=5_000_000)
    expected = model(levels, {})
    assert receipt.status == ("success" if levels[0][4] == 0 else
                              "revert" if levels[0][4] == 1 else "trap")
    final = expected if expected is not None else {}
    for slot in range(4):
        stored = chain.state.sload(NODE, bytes([slot]) + bytes(31))[0]
        assert stored == final.get(slot, 0), (slot, levels)
