"""pyde-ref: the executable specification of Pyde's WebAssembly execution layer.

Layers, lowest first; each imports only the ones below it, and no package has
an import cycle among its modules (the import-linter contracts in
``pyproject.toml``, checked by ``tests/test_layers.py``):

* :mod:`pyde_ref.wasm`      the WebAssembly machine (decoder, validator, interpreter, fuel);
                            knows nothing of Pyde.
* :mod:`pyde_ref.crypto`    the primitives the host ABI exposes (Blake3, Keccak-256,
                            Poseidon2, FALCON-512, the threshold envelope).
* :mod:`pyde_ref.state`     accounts, code and storage with overlays; event records and
                            their commitment; Borsh.
* :mod:`pyde_ref.abi`       the Host Function ABI v1.0: gas table, error codes, host
                            functions written against a small memory/gas/context interface,
                            the ``pyde.abi`` section format; knows nothing of wasmtime.
* :mod:`pyde_ref.executor`  the WasmExecutor: deploy checks, dispatch, transactions, waves.
* :mod:`pyde_ref.trace`     instruction traces: the format, the writer (an observer of the
                            reading tier and the executor), comparing two traces.
* :mod:`pyde_ref.diff`      the wasmtime twin and the differential oracle (the only
                            package that imports wasmtime).
* :mod:`pyde_ref.spectest`  the runner of the official WebAssembly spec tests.
* :mod:`pyde_ref.commands`  one module per ``pyde-ref`` subcommand; :mod:`pyde_ref.cli`
                            loads the chosen one.
"""

__version__ = "0.1.0"
