"""Contract code records (seed §3.4, §3.6): the validated wasm bytes, keyed by
their code hash, with the parsed ``pyde.abi`` section alongside."""

from __future__ import annotations

from typing import Any

import attrs

from pyde_ref.crypto.poseidon2 import poseidon2_hash


def code_hash(wasm: bytes) -> bytes:
    """The code hash of a module (chapter 11 §11.10 ``code_hash =
    Poseidon2(runtime_bytecode)``): Poseidon2 of the deployed module's bytes,
    custom sections included, so the ABI is part of what the hash commits to.
    Under the ABI's model the deployed module *is* the runtime code
    (``spec/findings/deploy-model.md``)."""
    return poseidon2_hash(bytes(wasm))


@attrs.frozen
class ContractCode:
    """Validated wasm plus what deploy derived from it.

    ``abi`` is the parsed :class:`pyde_ref.abi.section.ContractAbi`; it is a
    pure function of ``wasm``, so the state digest commits to ``wasm`` only."""

    wasm: bytes
    abi: Any = attrs.field(default=None, eq=False)
    code_hash: bytes = attrs.field(init=False, eq=False, repr=False)

    @code_hash.default
    def _hash(self) -> bytes:
        return code_hash(self.wasm)

    def encode(self) -> bytes:
        return self.wasm
