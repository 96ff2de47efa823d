"""Pyde's state as the execution layer sees it (chapter 4, seed §3.5b, ABI §13.2, §15).

==========================  =================================================
module                      contents
==========================  =================================================
:mod:`.accounts`            account records (chapter 11 §11.1), ``AuthKeys``,
                            the nonce window (§11.4)
:mod:`.code`                contract code records (wasm + parsed ABI)
:mod:`.overlay`             the sorted base :class:`State`, :class:`Overlay`,
                            the state digest
:mod:`.events`              event records, events_root, events_bloom
:mod:`.records`             contract metadata, validators, protocol records
:mod:`.system`              system accounts and reserved addresses (§11.3)
:mod:`.borsh`               Borsh, the encoding of accounts, event records and
                            the ``pyde.abi`` section
==========================  =================================================

Layers: ``wasm < crypto < state < abi < executor < trace < diff < spectest < commands
< cli``, each importing only the ones below it (the import-linter contracts in
``pyproject.toml``, checked by ``tests/test_layers.py``). This package may
import ``wasm`` and ``crypto`` (it hashes with :mod:`pyde_ref.crypto.hashes`);
never ``abi`` or anything above it.
"""

from pyde_ref.state.accounts import EMPTY_ACCOUNT, Account, AccountType
from pyde_ref.state.code import ContractCode, code_hash
from pyde_ref.state.events import (
    Event,
    EventRecord,
    events_bloom,
    events_root,
    records_for_tx,
)
from pyde_ref.state.overlay import (
    ACCOUNT,
    CODE,
    CONTRACT,
    PROTOCOL,
    STORAGE,
    TABLES,
    VALIDATOR,
    Overlay,
    OverlayClosed,
    State,
    StateView,
    storage_key,
)

__all__ = [
    "Account", "AccountType", "EMPTY_ACCOUNT", "ContractCode", "code_hash",
    "Event", "EventRecord", "events_bloom", "events_root", "records_for_tx",
    "ACCOUNT", "CODE", "STORAGE", "CONTRACT", "VALIDATOR", "PROTOCOL", "TABLES", "Overlay", "OverlayClosed", "State",
    "StateView", "storage_key",
]
