"""ABI §7.10 explicit gas metering: ``consume_gas``."""

from __future__ import annotations

from pyde_ref.abi.constants import ERR_INVALID_INPUT, OK
from pyde_ref.abi.env import HostEnv, as_i64
from pyde_ref.abi.gas import charge


def consume_gas(env: HostEnv, amount: int) -> int:
    """ABI §7.10 ``consume_gas(amount: i64) -> i32``: charge ``2 + amount`` in
    one step; if that exceeds what is left the call traps ``out_of_fuel`` and
    charges nothing (the ``ERR_OUT_OF_GAS`` of the spec is "for documentation
    only").  ``amount`` is an i64: a negative amount would be a refund, which
    v1 forbids (ABI §5.1), so it is refused with ``ERR_INVALID_INPUT`` after
    the 2 base gas (``spec/findings/abi-consume-gas-negative.md``)."""
    signed = as_i64(amount)
    if signed < 0:
        charge(env, "consume_gas")
        return ERR_INVALID_INPUT
    charge(env, "consume_gas", extra=signed)
    return OK
