"""The ``pyde-ref`` subcommands, one module each (``run``, ``spectest``,
``hash``, ``wave``, ``chain``, ``abi``, ``diff``, ``fuzz``, ``tracediff``, ``fuel_diff``): ``add_arguments(parser)``
and ``main(args) -> int``, plus the command's own input formats (the JSON form
of an ABI is :mod:`.abi`'s).  :mod:`pyde_ref.cli` imports only the chosen
command's module.

Layers: ``wasm < crypto < state < abi < executor < trace < diff < spectest < commands
< cli``, each importing only the ones below it (the import-linter contracts in
``pyproject.toml``, checked by ``tests/test_layers.py``). This package may
import every package below it; ``diff`` and ``fuzz`` import the differential
oracle inside a guard, since it needs the optional ``wasmtime`` extra.
"""
