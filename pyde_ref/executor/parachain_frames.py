"""Running a parachain's code: its running module (through the module
cache), the frame context its §8 host functions see, and one entry frame
(seed §3.9b ``ParachainCall``; the engine's ``XCallDelivery`` and
``XCallCallback``).

A parachain frame is a contract frame whose addresses are the parachain's
id -- ``self_address``, ``code_address`` and the storage context (ABI §15.8:
"parachains and contracts share the address space") -- plus a
:class:`ParachainContext`.  Its module is the code of the parachain's
*current* version (PARACHAIN_DESIGN §6.2), cached under the id and swapped
when an upgrade activates.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi.env import SubcallResult
from pyde_ref.executor import dispatch
from pyde_ref.executor.cache import CachedModule
from pyde_ref.executor.frames import TxRun
from pyde_ref.executor.transactions import ParachainRef
from pyde_ref.state.parachains import ParachainRecord


class ParachainContext:
    """The :class:`pyde_ref.abi.env.ParachainFrame` of one parachain frame."""

    def __init__(self, run: TxRun, pid: bytes, version: int, entry_function: str, module: CachedModule):
        self.parachain_id = pid
        self.version = version
        self.entry_function = entry_function
        self._run = run
        self._abi = module.abi

    def has_function(self, name: str) -> bool:
        """A public function of the running module (ABI §3.5 ``entry``)."""
        return dispatch.public_function(self._abi, name) is not None

    def next_encryption_index(self) -> int:
        index = self._run.encryptions
        self._run.encryptions += 1
        return index


def parachain_ref(pid: bytes, record: ParachainRecord, version: Optional[int] = None) -> ParachainRef:
    """The receipt's ``(parachain_id, version, wasm_hash)`` (chapter 13
    §13.5), of the current version unless ``version`` says otherwise."""
    v = record.versions[record.current_version if version is None else version]
    return ParachainRef(pid, v.version, v.wasm_hash)


def running_module(executor, layer, pid: bytes, record: ParachainRecord) -> CachedModule:
    """The prepared module of the parachain's current version (ABI §3.6:
    cached under the id; the entry is used only while its code hash is the
    current version's)."""
    wasm_hash = record.current.wasm_hash
    return executor.load_module(pid, wasm_hash, layer.code(wasm_hash))


def run_parachain_entry(run: TxRun, layer, pid: bytes, record: ParachainRecord, module: CachedModule,
                        target: dispatch.Target, caller: bytes, calldata: bytes, value: int,
                        budget: int) -> SubcallResult:
    """One entry frame of the parachain over ``layer`` (merged into it on
    success): ``caller`` is who it sees as ``pyde::caller`` (the sender, or
    for an engine transaction the other parachain); ``value`` moves from
    ``caller`` before the code runs."""
    request = run.entry_request(module, target, pid, caller, calldata, value, budget)
    context = ParachainContext(run, pid, record.current_version, target.name, module)
    return run.run_frame(attrs.evolve(request, parachain=context), layer)
