"""The Pyde executor (seed §3.2 ``WasmExecutor``): transactions against a
sorted state, run on the WebAssembly machine through the Host Function ABI.

=========================  ==================================================
module                     contents
=========================  ==================================================
:mod:`.transactions`       Transfer, ContractCall, ContractDeploy, Receipt
:mod:`.deploy`             deploy validation (seed §3.4, ABI §3.5.1, §3.7, §9)
:mod:`.hints`              what an author can do about a deploy rejection
:mod:`.cache`              the module cache (ABI §3.6)
:mod:`.dispatch`           per-call dispatch (ABI §3.5, §3.5.2)
:mod:`.frames`             call frames and the cross-call flow (ABI §13)
:mod:`.deep`               Python stack room for 1024 nested frames
:mod:`.executor`           transactions, settlement (chapter 10 §10.1)
:mod:`.wave`               a wave, events root and bloom (ABI §15)
:mod:`.wave_json`          the JSON wave format of ``pyde-ref wave``
:mod:`.testing`            helpers for tests and examples (not consensus code)
=========================  ==================================================

This ``__init__`` imports none of the modules: import the one you need.

Layers: ``wasm < crypto < state < abi < executor < diff < spectest < commands
< cli``, each importing only the ones below it (the import-linter contracts in
``pyproject.toml``, checked by ``tests/test_layers.py``). This package may
import ``wasm``, ``crypto``, ``state`` and ``abi``; never ``diff`` or anything
above it.
"""
