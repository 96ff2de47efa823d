"""The ``WasmExecutor`` (seed §3.2): transactions against a state, on the
WebAssembly machine, through the Host Function ABI.

It owns the machine configuration, the module cache and the host-function
bindings; :meth:`WasmExecutor.apply` applies one transaction through the
pipeline of :mod:`.pipeline` (common checks, the §11.8 handler, the fee).
One transaction, whatever its type, goes through the same layers:

1. ``tx_layer`` -- an overlay over the wave's committed writes that collects
   everything the transaction changes, fee and nonce included;
2. for contract code, the entry frame's overlay over ``tx_layer`` (seed
   §3.5b's per-transaction overlay), merged on success and discarded on
   revert or trap, with one more nested overlay per cross-call (ABI §13.2);
3. settlement in ``tx_layer`` (chapter 10 §10.1 step 3): the nonce is used
   and the payer pays ``gas_used × base_fee``, split 70/20/10, whatever the
   outcome.

A rejected transaction discards ``tx_layer``: nothing of it remains.  The
receipt reports ``tx_layer``'s write set and events before it merges into
the wave.  ``spec/abi/11-native-transactions.md`` lists the rules.
"""

from __future__ import annotations

from typing import Any, Optional, Union

import attrs

import pyde_ref.wasm as machine
from pyde_ref.abi.env import BlockContext
from pyde_ref.executor.cache import MODULE_CACHE_CAPACITY, CachedModule, ModuleCache
from pyde_ref.executor.context import WaveEnv
from pyde_ref.executor.deep import run_deep
from pyde_ref.executor.deploy import validate_stored
from pyde_ref.executor.params import WAVE_GAS_CEILING
from pyde_ref.executor.pipeline import apply_transaction
from pyde_ref.executor.transactions import Receipt, Transaction
from pyde_ref.state.code import ContractCode
from pyde_ref.wasm import FAST, SPEC, fuel


@attrs.define
class ExecutorConfig:
    """Gas is fuel 1:1 (ABI §5); ``fuel_model`` names one of the machine's
    fuel models (:data:`pyde_ref.wasm.FUEL_MODELS`, ``spec`` by default, or
    a variant of them, :func:`pyde_ref.wasm.fuel.variant`)."""

    fuel_model: str = SPEC
    cache_capacity: int = MODULE_CACHE_CAPACITY
    tier: str = FAST
    """The machine's execution tier (``MachineConfig.tier``): ``fast`` or ``reading``."""
    observer: Any = attrs.field(default=None, eq=False, repr=False)
    """An :class:`pyde_ref.executor.observe.ExecutionObserver` (reading tier
    only), told every step of the machine and of the executor around it."""

    def __attrs_post_init__(self) -> None:
        fuel.model(self.fuel_model)  # ValueError naming the choices


class WasmExecutor:
    """Seed §3.2 ``WasmExecutor``: owns the machine configuration, the module
    cache and the host-function bindings; applies transactions."""

    def __init__(self, config: Optional[ExecutorConfig] = None):
        self.config = config or ExecutorConfig()
        self.machine = machine
        self.observer = self.config.observer
        self.machine_config = machine.MachineConfig(fuel_model=self.config.fuel_model, tier=self.config.tier,
                                                    observer=self.observer)
        self.cache = ModuleCache(self.config.cache_capacity)

    def load_module(self, address: bytes, code_hash: bytes, code: ContractCode) -> CachedModule:
        """The prepared module of the contract (or parachain) at ``address``
        (ABI §3.6)."""

        def load() -> CachedModule:
            prepared = validate_stored(code.wasm, code.abi.contract_type)
            return CachedModule(code_hash, prepared.module, prepared.abi)

        return self.cache.get(address, code_hash, load)

    def cache_module(self, address: bytes, module: CachedModule, wasm: bytes) -> None:
        """Install a module a deploy has just prepared from ``wasm`` (its
        constructor runs from the cache like any call)."""
        self.cache.put(address, module)

    def apply(self, tx: Transaction, layer, wave: Union[WaveEnv, BlockContext], tx_index: int = 0,
              gas_left: int = WAVE_GAS_CEILING) -> Receipt:
        """Apply ``tx`` on top of ``layer`` (the wave's overlay) in ``wave``
        (a :class:`WaveEnv`, or a block context: signatures checked); on
        anything but rejection its writes merge into ``layer``.  ``gas_left``
        is what remains of the wave's gas ceiling."""
        env = wave if isinstance(wave, WaveEnv) else WaveEnv(wave)
        if self.observer is None:
            return run_deep(lambda: apply_transaction(self, tx, layer, env, tx_index, gas_left))
        self.observer.transaction_start(env.wave_id, tx_index, tx)
        receipt = run_deep(lambda: apply_transaction(self, tx, layer, env, tx_index, gas_left))
        self.observer.transaction_end(env.wave_id, tx_index, receipt)
        return receipt
