"""Events: buffered records, their Borsh encoding, and the wave's commitment
(ABI §7.5, §15.1, §15.2, §15.3).

During execution an event is an :class:`Event` (contract, topic, data) in the
top overlay's buffer.  Its position ``(wave_id, tx_index, event_index)`` is
assigned only when the transaction's events are final (ABI §15.1: "positions
assigned ... in canonical order"), by :func:`records_for_tx`; the
``event_index`` is the event's index among the *surviving* events of its
transaction (see ``spec/findings/abi-event-index.md``).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import attrs

from pyde_ref.crypto.hashes import blake3_256
from pyde_ref.state.borsh import Writer

EVENTS_BLOOM_BITS = 2048
"""ABI §15.2.2: the wave's events bloom is 2048 bits (256 bytes)."""
EVENTS_BLOOM_BYTES = EVENTS_BLOOM_BITS // 8
EVENTS_BLOOM_HASHES = 3
"""ABI §15.2.2: each inserted item sets 3 bits."""
EMPTY_EVENTS_ROOT = bytes(32)
"""ABI §15.2.1: the events root of a wave without events."""
TOPIC_SIZE = 32
"""ABI §15.3 ``topic: [u8; 32]``."""


@attrs.frozen
class Event:
    """One emitted event, before its position is known."""

    contract: bytes  # 32-byte address of the emitting contract (self_address)
    topic: bytes  # 32 bytes (ABI §15.3 ``topic: [u8; 32]``)
    data: bytes


@attrs.frozen
class EventRecord:
    """ABI §15.3 ``EventRecord``, field order as the spec lists it."""

    wave_id: int
    tx_index: int
    event_index: int
    contract_addr: bytes
    topic: bytes
    data: bytes

    def borsh(self) -> bytes:
        """Borsh, fields in order: u64, u32, u32, [u8; 32], [u8; 32], Vec<u8>."""
        return (
            Writer().u64(self.wave_id).u32(self.tx_index).u32(self.event_index)
            .fixed(self.contract_addr, 32).fixed(self.topic, TOPIC_SIZE).bytes_vec(self.data).out()
        )


def records_for_tx(wave_id: int, tx_index: int, events: Sequence[Event]) -> list[EventRecord]:
    """Number one transaction's surviving events 0, 1, 2, ... in emission order."""
    return [
        EventRecord(wave_id, tx_index, i, e.contract, e.topic, e.data)
        for i, e in enumerate(events)
    ]


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """ABI §15.2.1: binary Blake3 tree, ``node = Blake3(left || right)``,
    leaves padded with zero leaves (32 zero bytes) to the next power of two;
    no leaves -> 32 zero bytes.  One leaf is its own root."""
    if not leaves:
        return EMPTY_EVENTS_ROOT
    width = 1
    while width < len(leaves):
        width *= 2
    level = list(leaves) + [bytes(32)] * (width - len(leaves))
    while len(level) > 1:
        level = [blake3_256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def events_root(records: Iterable[EventRecord]) -> bytes:
    """ABI §15.2.1: ``leaf_i = Blake3(borsh_encode(EventRecord_i))``."""
    return merkle_root([blake3_256(r.borsh()) for r in records])


def bloom_indexes(item: bytes) -> list[int]:
    """ABI §15.2.2: bytes [0..8), [8..16), [16..24) of Blake3(item), each read
    as a little-endian u64 (ABI §3.2: all integers little-endian), mod 2048."""
    h = blake3_256(item)
    return [
        int.from_bytes(h[8 * k : 8 * k + 8], "little") % EVENTS_BLOOM_BITS
        for k in range(EVENTS_BLOOM_HASHES)
    ]


def bloom_insert(bloom: bytearray, item: bytes) -> None:
    """Set the item's three bits; bit ``i`` is bit ``i % 8`` (LSB first) of
    byte ``i // 8``."""
    for i in bloom_indexes(item):
        bloom[i // 8] |= 1 << (i % 8)


def bloom_contains(bloom: bytes, item: bytes) -> bool:
    return all(bloom[i // 8] & (1 << (i % 8)) for i in bloom_indexes(item))


def events_bloom(records: Iterable[EventRecord]) -> bytes:
    """ABI §15.2.2: insert every event's topic and contract address."""
    bloom = bytearray(EVENTS_BLOOM_BYTES)
    for r in records:
        bloom_insert(bloom, r.topic)
        bloom_insert(bloom, r.contract_addr)
    return bytes(bloom)
