"""The differential oracle: pyde-ref diffed against its wasmtime twin.

==========================  ================================================
module                      what it is
==========================  ================================================
:mod:`.wasmtime_backend`    the production path's twin: wasmtime 50 built as
                            seed §3.2 says, a bare module call, and adapters
                            presenting wasmtime's memory and fuel through the
                            host interface
:mod:`.fuel_probe`          wasmtime 50's fuel measured: one tiny module per
                            operator, check points, write-back points
:mod:`.reference_backend`   the same bare call run by :mod:`pyde_ref.wasm`
:mod:`.compare`             field-by-field differences of two outcomes
:mod:`.classify`            explained / known hazard / unexplained
:mod:`.smith`               ``wasm-tools smith`` restricted to pyde-v1
:mod:`.fuzz`                the campaign
==========================  ================================================

Only :mod:`.wasmtime_backend` and its users import ``wasmtime`` (the optional
``wasmtime`` extra of the package); the rest of the package never does.
"""
