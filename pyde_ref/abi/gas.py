"""Charging rules for host functions (ABI §5, §10).

Every host function charges its cost *before* doing any work (ABI §5): if the
cost exceeds what is left, ``env.gas.charge`` traps ``out_of_fuel`` and charges
nothing, and the host function does nothing else.

Every charge is a :class:`GasCharge` paid through :func:`pay`: the parts of
its ABI §10 row (base, per-byte, per-word) and what the row does not cover
(``consume_gas``'s amount, a cross-call's sub-call gas).  A host environment
with a ``gas_log`` is told each charge that was paid, so an instruction trace
(``spec/trace-format.md``) shows the split the charging code computed.
"""

from __future__ import annotations

import attrs

from pyde_ref.abi.constants import GAS_TABLE, WORD_SIZE
from pyde_ref.abi.env import HostEnv


@attrs.frozen
class GasCharge:
    """One charge of a host function: ``base`` (its ABI §10 row's base),
    ``per_byte`` and ``per_word`` (the row's per-byte / per-word cost times
    the metered length, in bytes / started words) and ``extra``, gas the
    table does not price (``consume_gas``'s amount, ABI §7.10; a cross-call's
    sub-call gas, ABI §13.5)."""

    base: int = 0
    per_byte: int = 0
    per_word: int = 0
    extra: int = 0

    @property
    def total(self) -> int:
        return self.base + self.per_byte + self.per_word + self.extra


def words(n_bytes: int) -> int:
    """ABI §10: "Per-word = per-8-bytes, rounded up"."""
    return (n_bytes + WORD_SIZE - 1) // WORD_SIZE


def gas_charge(name: str, metered_len: int = 0, extra: int = 0) -> GasCharge:
    """The ABI §10 charge of calling ``name`` with a metered length of
    ``metered_len`` bytes (the per-byte or per-word part; 0 for fixed rows),
    plus ``extra``."""
    row = GAS_TABLE[name]
    return GasCharge(row.base, row.per_byte * metered_len, row.per_word * words(metered_len), extra)


def cost_of(name: str, metered_len: int = 0) -> int:
    """The ABI §10 cost of calling ``name`` with a metered length of
    ``metered_len`` bytes (:func:`gas_charge`'s total)."""
    return gas_charge(name, metered_len).total


def pay(env: HostEnv, cost: GasCharge) -> None:
    """Charge ``cost`` in one step (ABI §5); once it is paid, tell the
    environment's ``gas_log``."""
    env.gas.charge(cost.total)
    if env.gas_log is not None:
        env.gas_log(cost)


def charge(env: HostEnv, name: str, metered_len: int = 0, extra: int = 0) -> None:
    """Charge ``cost_of(name, metered_len) + extra`` in one step (ABI §5)."""
    pay(env, gas_charge(name, metered_len, extra))
