"""The differential oracle: pyde-ref diffed against its wasmtime twins.

==========================  ================================================
module                      what it is
==========================  ================================================
:mod:`.twin`                the wasmtime version as a parameter: one twin per
                            version (``--wasmtime 45|50``), in this process
                            or in a child speaking :mod:`.twin_server`'s
                            protocol from its :mod:`.twin_env` environment
:mod:`.wasmtime_backend`    the production path's twin: the installed
                            wasmtime built as seed §3.2 says, a bare module
                            call, and adapters presenting wasmtime's memory
                            and fuel through the host interface
:mod:`.wasmtime_machine`    the executor's machine namespace on wasmtime
                            (transactions and waves on the twin)
:mod:`.hostframe`           the import sets of a bare call (none, ``pyde``,
                            ``probe``), identical on both backends
:mod:`.fuel_probe`          a version's fuel measured: one tiny module per
                            operator, check points, write-back points
:mod:`.reference_backend`   the same bare call run by :mod:`pyde_ref.wasm`
:mod:`.compare`             field-by-field differences of two outcomes
:mod:`.classify`            agree / explained / known hazard / unexplained
:mod:`.wave_diff`           a whole wave diffed and classified receipt by
                            receipt
:mod:`.contract_call`       one contract call written as a wave document
                            (``diff --contract``)
:mod:`.smith`               ``wasm-tools smith`` restricted to pyde-v1
:mod:`.fuzz`                the call campaign
:mod:`.actor`, :mod:`.wave_fuzz`  the wave campaign: a template contract
                            driven by its calldata, generated waves
==========================  ================================================

Only :mod:`.wasmtime_backend`, :mod:`.wasmtime_machine` and their users import
``wasmtime`` (the optional ``wasmtime`` extra of the package); the rest of the
package never does, and a twin of another version imports it only in its child.
"""
