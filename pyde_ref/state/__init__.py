"""Pyde's state as the execution layer sees it (chapter 4, seed §3.5b, ABI §13.2, §15).

==========================  =================================================
module                      contents
==========================  =================================================
:mod:`.accounts`            account records (balance, nonce, code hash, type)
:mod:`.code`                contract code records (wasm + parsed ABI)
:mod:`.overlay`             the sorted base :class:`State`, :class:`Overlay`,
                            the state digest
:mod:`.events`              event records, Borsh, events_root, events_bloom
==========================  =================================================
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
    STORAGE,
    TABLES,
    Overlay,
    OverlayClosed,
    State,
    StateView,
    storage_key,
)

__all__ = [
    "Account", "AccountType", "EMPTY_ACCOUNT", "ContractCode", "code_hash",
    "Event", "EventRecord", "events_bloom", "events_root", "records_for_tx",
    "ACCOUNT", "CODE", "STORAGE", "TABLES", "Overlay", "OverlayClosed", "State",
    "StateView", "storage_key",
]
