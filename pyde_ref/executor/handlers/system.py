"""System operations: what a ``Standard`` transaction addressed to a system
operation address does (chapter 11 §11.3; ABI §11's "via system contract").

The ``data`` is a call (:func:`~pyde_ref.executor.transactions.encode_call`):
the operation's name, then its Borsh arguments.  Each operation is a
:class:`SystemOp` registered in :data:`SYSTEM_OPS` under ``(address,
name)``; only the sender pays for them.

=================  ===================  ====================================
address            operation            module
=================  ===================  ====================================
``ACCOUNTS``       ``rotate_auth_keys`` :mod:`.accounts`
``GAS_TANKS``      ``deposit``,         :mod:`.gas_tanks`
                   ``withdraw``
``CONTRACTS``      ``upgrade``          :mod:`.upgrade`
``STAKING``        ``unjail``,          :mod:`.staking`
                   ``rotate_keys``
``PARACHAINS``     ``register``,        :mod:`.parachains`
                   ``pause``,
                   ``unpause``, ``kill``,
                   ``propose_upgrade``,
                   ``vote``, ``upgrade``
=================  ===================  ====================================
"""

from __future__ import annotations

from pyde_ref.executor.handlers import accounts, contracts, gas_tanks, parachains, staking
from pyde_ref.executor.handlers.base import SystemOp

SYSTEM_OPS: dict[tuple[bytes, str], SystemOp] = {
    (op.address, op.name): op
    for module in (accounts, gas_tanks, contracts, staking, parachains)
    for op in module.SYSTEM_OPS
}
