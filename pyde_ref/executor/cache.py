"""The module cache (ABI §3.6, seed §3.4).

Keyed by contract address, least-recently-used eviction with a capacity of
:data:`MODULE_CACHE_CAPACITY` modules (seed §3.4: "default ~256 modules
resident"), invalidated on upgrade.  An entry holds the decoded, validated
module and its parsed ABI, so a hit skips decoding, validation and parsing.

The cache changes speed only, never results: an entry is used only when its
code hash equals the code hash the state holds for the address *now*, so a
stale entry (an upgraded contract, or the same address reused by another
state) is a miss, never a wrong module.  ABI §3.6's byte-size cap and TTL in
waves are node-operator tuning of the same idea and are not modelled.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Optional

import attrs

MODULE_CACHE_CAPACITY = 256
"""Seed §3.4: "LRU-style eviction ... (default ~256 modules resident)"."""


@attrs.frozen
class CachedModule:
    """ABI §3.6 ``CachedModule``: the prepared module and its parsed ABI,
    plus the code hash they were prepared from."""

    code_hash: bytes
    module: Any
    abi: Any


class ModuleCache:
    """LRU map contract address -> :class:`CachedModule` (ABI §3.6)."""

    def __init__(self, capacity: int = MODULE_CACHE_CAPACITY):
        if capacity < 0:
            raise ValueError("capacity must be >= 0")
        self.capacity = capacity
        self._entries: "OrderedDict[bytes, CachedModule]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, address: bytes) -> bool:
        return address in self._entries

    def get(
        self,
        address: bytes,
        code_hash: bytes,
        load: Callable[[], CachedModule],
    ) -> CachedModule:
        """The entry for ``address`` if it was prepared from ``code_hash``;
        otherwise ``load()`` it, install it and evict the least recently
        used entry beyond capacity."""
        entry = self._entries.get(address)
        if entry is not None and entry.code_hash == code_hash:
            self._entries.move_to_end(address)
            self.hits += 1
            return entry
        self.misses += 1
        entry = load()
        self.put(address, entry)
        return entry

    def put(self, address: bytes, entry: CachedModule) -> None:
        if self.capacity == 0:
            return
        self._entries[address] = entry
        self._entries.move_to_end(address)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def invalidate(self, address: bytes) -> None:
        """Seed §3.4: "On contract upgrade, the cache entry is invalidated"."""
        self._entries.pop(address, None)

    def peek(self, address: bytes) -> Optional[CachedModule]:
        """The entry without touching recency (for tests and tools)."""
        return self._entries.get(address)

    def addresses(self) -> list[bytes]:
        """Cached addresses, least recently used first."""
        return list(self._entries)
