"""Room for 1024 nested cross-calls in Python (ABI §13.4).

The interpreter keeps wasm calls on an explicit frame stack, but a cross-call
is a Python call chain: the interpreter loop calls the host function, which
calls ``run_subcall``, which instantiates and invokes the callee, whose loop
calls the next host function...  Each level costs a bounded number of Python
frames (:data:`PY_FRAMES_PER_CROSS_CALL`, measured by
``tests/executor/test_executor_depth.py``), so the deepest legal chain needs about
``MAX_CROSS_CALL_DEPTH * PY_FRAMES_PER_CROSS_CALL`` Python frames.

CPython's default recursion limit (1000) is far too small for that, and the
caller's own stack depth (a CLI, a test runner) is unknown.  :func:`run_deep` therefore
runs the work on a dedicated thread whose C stack is :data:`DEEP_STACK_BYTES`
and, for the duration, raises the recursion limit to :data:`RECURSION_LIMIT`.
The thread is joined before ``run_deep`` returns, so execution stays strictly
sequential and deterministic; the thread is an implementation detail of the
reference, not a concurrency primitive visible to contracts (ABI §6).
"""

from __future__ import annotations

import sys
import threading
from typing import Callable, TypeVar

from pyde_ref.abi.constants import MAX_CROSS_CALL_DEPTH

T = TypeVar("T")

PY_FRAMES_PER_CROSS_CALL = 24
"""An upper bound on the Python frames one level of cross-call nesting uses
(measured at 12 when this was written; the bound leaves room for changes in
the interpreter and the host functions)."""

RECURSION_LIMIT = MAX_CROSS_CALL_DEPTH * PY_FRAMES_PER_CROSS_CALL + 2_000
"""Recursion limit while a transaction runs: the deepest legal cross-call
chain plus headroom for the frames below the executor (CLI, tests)."""

DEEP_STACK_BYTES = 64 * 1024 * 1024
"""C stack of the execution thread.  CPython 3.11 runs Python-to-Python calls
without growing the C stack, so the full 1024-frame chain was measured to
complete with a 1 MiB thread stack; 64 MiB leaves a wide margin for calls that
do pass through C (and costs only address space: pages are touched only as
deep as a chain actually goes).  The wasmtime twin of the differential oracle
runs the same executor through wasmtime's native frames and ctypes callbacks:
14 Python frames and about 6 KiB of C stack per level, so its 1,024-frame chain
needs about 6 MiB (measured; ``tests/diff/test_deep_chain.py``)."""


def run_deep(work: Callable[[], T]) -> T:
    """Run ``work()`` on a thread with a deep stack and a raised recursion
    limit; return its result or re-raise its exception.  Called from inside
    such a thread (a wave runs its transactions this way) it just runs
    ``work()``."""
    if getattr(_local, "inside", False):
        return work()
    outcome: dict = {}

    def target() -> None:
        _local.inside = True
        try:
            outcome["value"] = work()
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    with _lock:
        old_limit = sys.getrecursionlimit()
        old_stack = threading.stack_size()
        try:
            sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
            threading.stack_size(DEEP_STACK_BYTES)
            thread = threading.Thread(target=target, name="pyde-ref-executor")
            thread.start()
        finally:
            threading.stack_size(old_stack)
        thread.join()
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


_lock = threading.Lock()
_local = threading.local()
