"""Small stand-ins for testing host functions without the machine: a
bounds-checked bytearray memory, a context builder, and a scripted sub-call
runner.  They implement exactly the :mod:`pyde_ref.abi.env` interface."""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi.constants import TRAP_MEMORY_OUT_OF_BOUNDS
from pyde_ref.abi.env import BlockContext, ExecutionContext, HostEnv, SubcallResult
from pyde_ref.state.overlay import State, StateView
from pyde_ref.wasm.errors import Trap
from pyde_ref.wasm.fuel import FuelMeter

PAGE = 65536


class FakeMemory:
    """A linear memory of ``pages`` 64 KiB pages (ABI §3.4 bounds rule)."""

    def __init__(self, pages: int = 1):
        self.data = bytearray(pages * PAGE)

    def _check(self, addr: int, n: int) -> None:
        if addr < 0 or n < 0 or addr + n > len(self.data):
            raise Trap(TRAP_MEMORY_OUT_OF_BOUNDS, f"[{addr}, {addr + n}) outside {len(self.data)}")

    def read(self, addr: int, n: int) -> bytes:
        self._check(addr, n)
        return bytes(self.data[addr : addr + n])

    def write(self, addr: int, data: bytes) -> None:
        self._check(addr, len(data))
        self.data[addr : addr + len(data)] = data


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
    return HostEnv(FakeMemory(pages), FuelMeter(gas), ExecutionContext(**fields))
