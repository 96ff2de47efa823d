"""Contract code records (seed §3.4, §3.6): the validated wasm bytes, keyed by
their Blake3 code hash, with the parsed ``pyde.abi`` section alongside."""

from __future__ import annotations

from typing import Any

import attrs

from pyde_ref.crypto.hashes import blake3_256


def code_hash(wasm: bytes) -> bytes:
    """The code hash of a module: Blake3 of its bytes (custom sections
    included, so the ABI is part of what the hash commits to)."""
    return blake3_256(wasm)


@attrs.frozen
class ContractCode:
    """Validated wasm plus what deploy derived from it.

    ``abi`` is the parsed :class:`pyde_ref.abi.section.ContractAbi`; it is a
    pure function of ``wasm``, so the state digest commits to ``wasm`` only."""

    wasm: bytes
    abi: Any = attrs.field(default=None, eq=False)

    @property
    def code_hash(self) -> bytes:
        return code_hash(self.wasm)

    def encode(self) -> bytes:
        return self.wasm
