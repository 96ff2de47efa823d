"""The record of a system operation (:mod:`.system`)."""

from __future__ import annotations

from typing import Any, Callable

import attrs

from pyde_ref.executor.context import Outcome, Plan, TxContext
from pyde_ref.executor.transactions import decode_payload
from pyde_ref.state.borsh import Reader


@attrs.frozen
class SystemOp:
    """One system operation: the system ``address`` and operation ``name`` a
    ``Standard`` transaction names, the Borsh decoder of its arguments
    (``read(reader) -> args``), its planner and its executor (as a
    :class:`~pyde_ref.executor.context.Handler`'s); ``takes_value``: the
    attached value is part of the operation (a gas-tank deposit)."""

    address: bytes
    name: str
    read: Callable[[Reader], Any]
    plan: Callable[[TxContext, Any], Plan]
    execute: Callable[[TxContext, Any, Plan], Outcome]
    takes_value: bool = False

    def decode_args(self, args: bytes) -> Any:
        return decode_payload(args, self.read)
