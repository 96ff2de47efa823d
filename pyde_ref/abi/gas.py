"""Charging rules for host functions (ABI §5, §10).

Every host function charges its cost *before* doing any work (ABI §5): if the
cost exceeds what is left, ``env.gas.charge`` traps ``out_of_fuel`` and charges
nothing, and the host function does nothing else.
"""

from __future__ import annotations

from pyde_ref.abi.constants import GAS_TABLE, WORD_SIZE
from pyde_ref.abi.env import HostEnv


def words(n_bytes: int) -> int:
    """ABI §10: "Per-word = per-8-bytes, rounded up"."""
    return (n_bytes + WORD_SIZE - 1) // WORD_SIZE


def cost_of(name: str, metered_len: int = 0) -> int:
    """The ABI §10 cost of calling ``name`` with a metered length of
    ``metered_len`` bytes (the per-byte or per-word part; 0 for fixed rows)."""
    row = GAS_TABLE[name]
    return row.base + row.per_byte * metered_len + row.per_word * words(metered_len)


def charge(env: HostEnv, name: str, metered_len: int = 0, extra: int = 0) -> None:
    """Charge ``cost_of(name, metered_len) + extra`` in one step (ABI §5)."""
    env.gas.charge(cost_of(name, metered_len) + extra)
