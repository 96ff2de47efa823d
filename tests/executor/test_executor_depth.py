"""The 1024-frame cap of ABI §13.4, through real nested cross-calls.

``deep(n)`` (reentrant) cross_calls itself with ``n - 1`` until ``n`` is 0
and returns the innermost status code: 0 when every call was allowed, the
refusal otherwise.  The transaction's entry frame is frame 1, so ``n`` =
1023 makes 1024 frames (allowed) and ``n`` = 1024 asks for a 1025th (refused
with ``ERR_CROSS_CALL_FAILED``).  This also proves the Python stack has room
for the deepest legal chain (``pyde_ref.executor.deep``).
"""

from __future__ import annotations

import sys

import pytest

from pyde_ref.abi.constants import ERR_CROSS_CALL_FAILED, MAX_CROSS_CALL_DEPTH
from pyde_ref.executor import deep, frames
from pyde_ref.executor.testing import Chain, address, build_contract, import_lines

SENDER = address(1)
DEEP = address(0xDEE9)

DEEP_WAT = f"""(module
{import_lines(["calldata_copy", "self_address", "cross_call", "tx_gas_remaining", "return"])}
  (memory (export "memory") 1)
  (data (i32.const 64) "deep")
  (func (export "deep") (local $n i32)
    (drop (call $calldata_copy (i32.const 0) (i32.const 4) (i32.const 200)))
    (local.set $n (i32.load (i32.const 200)))
    (if (i32.eqz (local.get $n))
      (then (i32.store (i32.const 300) (i32.const 0))
            (call $return (i32.const 300) (i32.const 4))))
    (i32.store (i32.const 200) (i32.sub (local.get $n) (i32.const 1)))
    (drop (call $self_address (i32.const 0)))
    (i32.store (i32.const 300)
      (call $cross_call (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 200) (i32.const 4)
        (i32.const 100) (i64.sub (call $tx_gas_remaining) (i64.const 3000))
        (i32.const 304) (i32.const 400)))
    (if (i32.load (i32.const 300))
      (then (call $return (i32.const 300) (i32.const 4))))
    (call $return (i32.const 304) (i32.const 4))))"""


def _run_deep(n: int):
    chain = Chain()
    chain.fund(SENDER, 10**15)
    chain.install(DEEP, build_contract(DEEP_WAT, ["deep:reentrant"]))
    receipt = chain.call(SENDER, DEEP, "deep", n.to_bytes(4, "little"), gas_limit=50_000_000)
    assert receipt.status == "success", receipt
    return int.from_bytes(receipt.return_data, "little", signed=True)


def test_shallow_recursion():
    assert _run_deep(3) == 0


def test_1024_frames_allowed_1025th_refused():
    assert MAX_CROSS_CALL_DEPTH == 1024
    assert _run_deep(MAX_CROSS_CALL_DEPTH - 1) == 0
    assert _run_deep(MAX_CROSS_CALL_DEPTH) == ERR_CROSS_CALL_FAILED


def test_python_frames_per_level_within_bound():
    """Measure the Python frames one cross-call level adds, and check the
    documented bound that sizes the recursion limit."""
    depths = {}
    original = frames.TxRun.run_frame

    def spy(self, req, parent_layer):
        depths.setdefault(req.depth, _stack_depth())
        return original(self, req, parent_layer)

    frames.TxRun.run_frame = spy
    try:
        assert _run_deep(5) == 0
    finally:
        frames.TxRun.run_frame = original
    per_level = {depths[d + 1] - depths[d] for d in range(5)}
    assert len(per_level) == 1
    assert per_level.pop() <= deep.PY_FRAMES_PER_CROSS_CALL


def _stack_depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


def test_run_deep_restores_the_recursion_limit():
    before = sys.getrecursionlimit()
    assert deep.run_deep(lambda: sys.getrecursionlimit()) >= deep.RECURSION_LIMIT
    assert sys.getrecursionlimit() == before


def test_run_deep_reraises():
    with pytest.raises(ZeroDivisionError):
        deep.run_deep(lambda: 1 // 0)
