"""The imports of a bare call, identical on both backends.

A bare call names a *host set* (:data:`HOST_SETS`):

``"pyde"``
    the ABI's host functions (module ``pyde``) in one call frame.  They need
    an :class:`ExecutionContext` (addresses, block, a state overlay):
    :func:`make_context` builds the same fixed context for every run, from a
    fresh empty state, so the reference and the twin start from equal frames;
    :func:`state_digest` reduces what the call did to the frame (overlay
    writes, events) to one hash, compared as ``state_hash``.
``"probe"``
    two functions of module ``probe`` that let a module observe and spend the
    fuel a host function sees (:data:`PROBE_FUNCTIONS`), used to characterize
    a wasmtime version's fuel from inside a module: the figures come back as
    results or globals, so the same probe runs in any process.
``None``
    no imports.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi import registry
from pyde_ref.abi.env import BlockContext, ExecutionContext
from pyde_ref.crypto.hashes import blake3_hasher
from pyde_ref.state.overlay import State
from pyde_ref.wasm.errors import LinkError
from pyde_ref.wasm.runtime import ExternVal, HostFunc
from pyde_ref.wasm.syntax import FuncType


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
    base = State()
    base.set_balance(SELF, SELF_BALANCE)
    block = BlockContext(chain_id=31337, block_height=7, wave_id=7, block_timestamp=1_700_000_000,
                         beacon=bytes(range(32)), base_fee=1)
    return ExecutionContext(self_address=SELF, caller=CALLER, origin=ORIGIN, state=base.child(),
                            block=block, calldata=CALLDATA, value=TX_VALUE, tx_hash=bytes(range(32, 64)))


def state_digest(ctx) -> str:
    """Blake3 over the overlay's write set (sorted tables and keys) and its
    events in emission order, each field length-prefixed."""
    h = blake3_hasher()

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


HOST_SETS = (None, "pyde", "probe")
"""The import sets a bare call can ask for (module docstring)."""

PROBE_MODULE = "probe"
#: ``probe`` host functions: name -> (params, results, fn(env, *args)).
#: ``remaining() -> i64`` is the fuel the host sees (``env.gas.remaining``);
#: ``charge(n: i64)`` charges ``n`` with the host rule (refused, and
#: ``out_of_fuel``, when more than is left).
PROBE_FUNCTIONS = {
    "remaining": ((), ("i64",), lambda env: env.gas.remaining),
    "charge": (("i64",), (), lambda env, n: env.gas.charge(n)),
}


def _probe(module: str, name: str):
    return PROBE_FUNCTIONS.get(name) if module == PROBE_MODULE else None


def context_for(host):
    """The frame a call with host set ``host`` runs in (``None`` unless ``"pyde"``)."""
    if host not in HOST_SETS:
        raise ValueError(f"unknown host set {host!r}; expected one of {HOST_SETS}")
    return make_context() if host == "pyde" else None


def reference_imports(host, ctx):
    """``imports`` for :func:`pyde_ref.diff.reference_backend.run_bare`:
    each import of the module bound to the host set ``host`` (``pyde`` ones
    with ``registry.bind`` in frame ``ctx``); ``None`` for no imports."""
    if host is None:
        return None

    def bind_probe(params, results, fn):
        def call(caller, args):
            out = fn(_ProbeEnv(caller), *args)
            return [] if not results else [int(out) & 0xFFFF_FFFF_FFFF_FFFF]

        return HostFunc(FuncType(tuple(params), tuple(results)), call)

    def imports(store, module) -> list:
        found = []
        for imp in module.imports:
            probe = _probe(imp.module, imp.name) if host == "probe" else None
            defn = registry.lookup(imp.module, imp.name) if host == "pyde" else None
            if imp.kind != "func" or (probe is None and defn is None):
                raise LinkError(f"unknown import {imp.module}::{imp.name}")
            func = registry.bind(defn, ctx) if defn is not None else bind_probe(*probe)
            found.append(ExternVal("func", store.alloc_host_func(func)))
        return found

    return imports


class _ProbeEnv:
    """The ``env`` a probe function sees on the reference machine: the
    caller's fuel meter as ``gas``."""

    def __init__(self, caller):
        self.gas = caller.fuel
        self.memory = caller.memory


def wasmtime_imports(host, ctx):
    """``imports`` for :func:`pyde_ref.diff.wasmtime_backend.run_bare` (see
    :func:`reference_imports`)."""
    if host is None:
        return None
    from pyde_ref.diff import wasmtime_backend as wb  # wasmtime is optional: only the twin's side needs it

    if host == "pyde":
        return wb.pyde_host_imports(ctx)

    def imports(store, module) -> list:
        found = []
        for imp in module.imports:
            probe = _probe(imp.module, imp.name or "")
            if probe is None:
                raise LookupError(f"unknown import {imp.module}::{imp.name}")
            params, results, fn = probe
            found.append(wb.wrap_host_function(store, params, results, fn))
        return found

    return imports


def with_state(outcome, ctx: Optional[object]):
    """``outcome`` with ``state_hash`` filled in from ``ctx`` (when given)."""
    if ctx is None or outcome.status not in ("ok", "trap", "host_halt"):
        return outcome
    return attrs.evolve(outcome, state_hash=state_digest(ctx))
