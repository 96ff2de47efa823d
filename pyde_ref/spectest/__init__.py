"""The official WebAssembly spec tests, run against the pyde-ref machine.

=====================  ====================================================
module                 role
=====================  ====================================================
:mod:`.convert`        ``.wast`` -> JSON commands + binaries (wasm-tools, cached)
:mod:`.host`           the ``spectest`` host module
:mod:`.values`         script values, NaN patterns, trap texts -> trap kinds
:mod:`.script`         the script semantics: one file, command by command
:mod:`.suite`          a whole checkout: workers, totals, the report
=====================  ====================================================

Scope and counts follow ``../shared/wasm-testsuite/SOURCE.md``; see
``pyde-ref spectest --help``.

Layers: ``wasm < crypto < state < abi < executor < trace < diff < spectest < commands
< cli``, each importing only the ones below it (the import-linter contracts in
``pyproject.toml``, checked by ``tests/test_layers.py``). This package may
import every package below it; it uses ``wasm`` only.
"""
