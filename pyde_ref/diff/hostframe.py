"""One call frame with the ``pyde`` host functions, identical on both backends.

A bare call with host imports needs an :class:`ExecutionContext` (addresses,
block, a state overlay).  :func:`make_context` builds the same fixed context
for every run, from a fresh empty state, so the reference and the twin start
from equal frames; :func:`state_digest` reduces what the call did to the frame
(overlay writes, events) to one hash, compared as ``state_hash``.
"""

from __future__ import annotations

from typing import Optional

import blake3

#: The frame's fixed parameters (any values do: both backends get the same).
SELF = (0xA1).to_bytes(32, "big")
CALLER = (0xC1).to_bytes(32, "big")
ORIGIN = (0x01).to_bytes(32, "big")
CALLDATA = bytes(range(64))
TX_VALUE = 0
SELF_BALANCE = 10**9


def make_context():
    """A fresh frame: empty base state (the called contract holds
    :data:`SELF_BALANCE`), an overlay over it, fixed block and transaction."""
    from pyde_ref.abi.env import BlockContext, ExecutionContext
    from pyde_ref.state.overlay import State

    base = State()
    base.set_balance(SELF, SELF_BALANCE)
    block = BlockContext(chain_id=31337, block_height=7, wave_id=7, block_timestamp=1_700_000_000,
                         beacon=bytes(range(32)), base_fee=1)
    return ExecutionContext(self_address=SELF, caller=CALLER, origin=ORIGIN, state=base.child(),
                            block=block, calldata=CALLDATA, value=TX_VALUE, tx_hash=bytes(range(32, 64)))


def state_digest(ctx) -> str:
    """Blake3 over the overlay's write set (sorted tables and keys) and its
    events in emission order, each field length-prefixed."""
    h = blake3.blake3()

    def put(data: bytes) -> None:
        h.update(len(data).to_bytes(8, "little") + data)

    for table, key, value in ctx.state.write_set():
        put(table.encode())
        put(key)
        put(b"" if value is None else _encode(value))
    for event in ctx.state.events:
        put(event.contract)
        put(event.topic)
        put(event.data)
    return h.hexdigest()


def _encode(value: object) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return b"b" + bytes(value)
    if isinstance(value, int):
        return b"i" + str(value).encode()
    return b"r" + repr(value).encode()


def reference_imports(ctx):
    """``imports`` for :func:`pyde_ref.diff.reference_backend.run_bare`: each
    ``pyde`` import bound with ``registry.bind`` in frame ``ctx``."""
    from pyde_ref.abi import registry
    from pyde_ref.wasm.errors import LinkError
    from pyde_ref.wasm.runtime import ExternVal

    def imports(store, module) -> list:
        found = []
        for imp in module.imports:
            defn = registry.lookup(imp.module, imp.name)
            if defn is None or imp.kind != "func":
                raise LinkError(f"unknown import {imp.module}::{imp.name}")
            found.append(ExternVal("func", store.alloc_host_func(registry.bind(defn, ctx))))
        return found

    return imports


def wasmtime_imports(ctx):
    from pyde_ref.diff.wasmtime_backend import pyde_host_imports

    return pyde_host_imports(ctx)


def with_state(outcome, ctx: Optional[object]):
    """``outcome`` with ``state_hash`` filled in from ``ctx`` (when given)."""
    import attrs

    if ctx is None or outcome.status not in ("ok", "trap", "host_halt"):
        return outcome
    return attrs.evolve(outcome, state_hash=state_digest(ctx))
