"""ABI §8 parachain-only host functions: their signatures and the runtime
refusal for non-parachain frames.

Deploy refuses any contract that imports one of these (ABI §9.2), so a
contract never reaches them.  ABI §8: "Attempting to call a parachain function
from a non-parachain context ... returns ``ERR_PARACHAIN_ONLY``" -- which is
what :func:`refuse` does, after charging the function's base gas (ABI §5).
Executing them for a parachain is outside this reference's scope (the issue
asks for the core functions of §7); such a call traps ``host_unsupported``
rather than pretending to work.
"""

from __future__ import annotations

from typing import Callable

from pyde_ref.abi.constants import ERR_PARACHAIN_ONLY, TRAP_HOST_UNSUPPORTED
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge
from pyde_ref.wasm import Trap

PARACHAIN_FUNCTIONS = (
    "parachain_storage_read",
    "parachain_storage_write",
    "parachain_storage_delete",
    "parachain_id",
    "parachain_version",
    "parachain_emit_event",
    "send_xparachain_message",
    "threshold_encrypt",
    "threshold_decrypt",
)


def refuse(name: str) -> Callable[..., int]:
    """The implementation bound for parachain-only function ``name``."""

    def parachain_only(env: HostEnv, *args: int) -> int:
        charge(env, name)
        if not env.ctx.is_parachain:
            return ERR_PARACHAIN_ONLY
        raise Trap(TRAP_HOST_UNSUPPORTED, f"pyde::{name} is not implemented by pyde-ref")

    parachain_only.__name__ = name
    parachain_only.__doc__ = f"ABI §8 ``{name}``: ERR_PARACHAIN_ONLY outside a parachain."
    return parachain_only
