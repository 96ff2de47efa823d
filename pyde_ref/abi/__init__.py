"""Pyde's Host Function ABI (``HOST_FN_ABI_SPEC-v1.0.md``), one module per part:

=========================  ==================================================
module                     ABI spec
=========================  ==================================================
:mod:`.env`                §3, §5, §12.6 the interface host functions see
:mod:`.constants`          §4 error codes, §10 gas table, limits
:mod:`.gas`                §5, §10 charging rules (per byte, per word)
:mod:`.halt`               §7.9 return / revert and their exceptions
:mod:`.storage`            §7.1
:mod:`.account`            §7.2
:mod:`.context`            §7.3, §7.4, §7.11
:mod:`.events`             §7.5
:mod:`.hashing`            §7.6
:mod:`.crypto`             §7.7
:mod:`.calls`              §7.8, §13 (the host side of cross-contract calls)
:mod:`.metering`           §7.10
:mod:`.parachain`          §8 (signatures; refused to contracts, §9.2)
:mod:`.registry`           §3.1, §12.6 every function with its wasm type
:mod:`.section`            §3.7 the ``pyde.abi`` custom section's format
:mod:`.memio`              §3.2, §3.4 fixed-size values in linear memory
:mod:`.testing`            helpers for tests (not consensus code)
=========================  ==================================================

The deploy-time checks of the section (§3.5.1, §3.7) and of the imports (§9)
are the executor's (:mod:`pyde_ref.executor.deploy`); the JSON form of an ABI
is ``pyde-ref abi``'s (:mod:`pyde_ref.commands.abi`).

Layers: ``wasm < crypto < state < abi < executor < trace < diff < spectest < commands
< cli``, each importing only the ones below it (the import-linter contracts in
``pyproject.toml``, checked by ``tests/test_layers.py``). This package may
import ``wasm``, ``crypto`` and ``state``; never ``executor`` or anything
above it (in particular nothing of wasmtime).
"""
