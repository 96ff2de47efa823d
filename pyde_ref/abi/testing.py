"""Small helpers for testing host functions without the machine: a memory
(the machine's own :class:`~pyde_ref.wasm.runtime.MemoryInstance`), a context
builder, and a scripted sub-call runner.  They implement exactly the
:mod:`pyde_ref.abi.env` interface."""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi.env import BlockContext, ExecutionContext, HostEnv, SubcallResult
from pyde_ref.state.overlay import State, StateView
from pyde_ref.wasm.fuel import FuelMeter
from pyde_ref.wasm.runtime import PAGE_SIZE, MemoryInstance
from pyde_ref.wasm.syntax import Limits, MemType

PAGE = PAGE_SIZE


def fresh_memory(pages: int = 1) -> MemoryInstance:
    """The machine's own memory instance (core spec §4.2.8), ``pages`` 64 KiB
    pages, not growable: its bounds check is the ABI §3.4 rule host functions
    meet at run time."""
    return MemoryInstance(MemType(Limits(pages, pages)), cap_pages=pages)


@attrs.define
class ScriptedCalls:
    """A :class:`~pyde_ref.abi.env.SubcallRunner` that records each request and
    answers with ``result``."""

    result: SubcallResult
    requests: list = attrs.Factory(list)

    def run_subcall(self, kind, target, fn_name, calldata, value, gas_limit):
        self.requests.append((kind, target, fn_name, calldata, value, gas_limit))
        return self.result


def address(n: int) -> bytes:
    """A recognisable non-zero 32-byte address."""
    return n.to_bytes(32, "big")


def make_env(
    *,
    gas: Optional[int] = 1_000_000,
    pages: int = 1,
    state: Optional[StateView] = None,
    **ctx_fields,
) -> HostEnv:
    """A HostEnv on a fresh memory, a real FuelMeter and an overlay over an
    empty base state (unless ``state`` is given); ``ctx_fields`` override the
    context's defaults (self 0x..a1, caller 0x..c1, origin 0x..01)."""
    if state is None:
        state = State().child()
    fields = dict(
        self_address=address(0xA1),
        caller=address(0xC1),
        origin=address(0x01),
        state=state,
        block=BlockContext(chain_id=31337, block_height=7, wave_id=7,
                           block_timestamp=1_700_000_000, beacon=bytes(range(32)), base_fee=1),
    )
    fields.update(ctx_fields)
    return HostEnv(fresh_memory(pages), FuelMeter(gas), ExecutionContext(**fields))
