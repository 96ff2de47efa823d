"""The Pyde executor (seed §3.2 ``WasmExecutor``): transactions against a
sorted state, run on the WebAssembly machine through the Host Function ABI.

=========================  ==================================================
module                     contents
=========================  ==================================================
:mod:`.transactions`       the chapter 11 §11.6 record, its hash, receipts
:mod:`.pipeline`           applying one transaction: the shared checks, the
                           handler, the fee
:mod:`.handlers`           one handler per §11.8 type, and the system
                           operations (:mod:`.handlers.system`)
:mod:`.context`            what a handler sees (``TxContext``) and returns
:mod:`.auth`               signatures against ``auth_keys`` (§11.5)
:mod:`.fees`               payers, the fee, the 70/20/10 split (ch. 10)
:mod:`.rejections`         the named rejection codes
:mod:`.params`             every protocol figure, with its source
:mod:`.deploy`             deploy validation (seed §3.4, ABI §3.5.1, §3.7, §9)
:mod:`.hints`              what an author can do about a deploy rejection
:mod:`.cache`              the module cache (ABI §3.6)
:mod:`.dispatch`           per-call dispatch (ABI §3.5, §3.5.2)
:mod:`.frames`             call frames and the cross-call flow (ABI §13)
:mod:`.deep`               Python stack room for 1024 nested frames
:mod:`.executor`           ``WasmExecutor``: machine, cache, ``apply``
:mod:`.observe`            ``ExecutionObserver``: the executor's steps told to
                           an observer (instruction traces)
:mod:`.wave`               a wave, a chain, the engine's steps at a wave's
                           start, events root and bloom (ABI §15)
:mod:`.genesis`            the pre-state and the state built from it
:mod:`.wave_json`          the JSON wave and chain documents, with
                           :mod:`.prestate_json`, :mod:`.tx_json`,
                           :mod:`.jsonfields`
:mod:`.testing`            helpers for tests and examples (not consensus code)
=========================  ==================================================

This ``__init__`` imports none of the modules: import the one you need.

Layers: ``wasm < crypto < state < abi < executor < trace < diff < spectest < commands
< cli``, each importing only the ones below it (the import-linter contracts in
``pyproject.toml``, checked by ``tests/test_layers.py``). This package may
import ``wasm``, ``crypto``, ``state`` and ``abi``; never ``diff`` or anything
above it.
"""
