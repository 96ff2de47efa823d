"""pyde-ref: the executable specification of Pyde's WebAssembly execution layer.

Layers, each knowing only the ones before it:

* :mod:`pyde_ref.wasm`     the WebAssembly machine (decoder, validator, interpreter, fuel);
                           knows nothing of Pyde.
* :mod:`pyde_ref.crypto`   the primitives the host ABI exposes (Blake3, Keccak-256,
                           Poseidon2, FALCON-512, the threshold envelope).
* :mod:`pyde_ref.abi`      the Host Function ABI v1.0: gas table, error codes, host
                           functions written against a small memory/gas/context interface;
                           knows nothing of wasmtime.
* :mod:`pyde_ref.state`    accounts, code and storage with overlays.
* :mod:`pyde_ref.executor` the WasmExecutor: deploy, dispatch, transactions, waves.
* :mod:`pyde_ref.diff`     the wasmtime twin and the differential oracle.
"""

__version__ = "0.1.0"
