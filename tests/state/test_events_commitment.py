"""ABI §15.2: events_root (Blake3 Merkle over Borsh EventRecords) and
events_bloom (2048 bits, three indexes per item)."""

import struct

import blake3
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.state.events import (
    Event, EventRecord, bloom_contains, bloom_indexes, events_bloom, events_root, records_for_tx,
)


def H(b):
    return blake3.blake3(b).digest()


def rec(i, data=b"d"):
    return EventRecord(5, 2, i, bytes([0xC0 + i]) * 32, bytes([i]) * 32, data)


def test_borsh_layout_of_an_event_record():
    r = EventRecord(0x0102030405060708, 9, 10, b"C" * 32, b"T" * 32, b"xyz")
    expected = struct.pack("<QII", 0x0102030405060708, 9, 10) + b"C" * 32 + b"T" * 32 + struct.pack("<I", 3) + b"xyz"
    assert r.borsh() == expected


def test_no_events_root_is_all_zero():
    assert events_root([]) == bytes(32)


def test_one_event_root_is_its_leaf():
    assert events_root([rec(0)]) == H(rec(0).borsh())


def test_three_events_pad_with_a_zero_leaf():
    leaves = [H(rec(i).borsh()) for i in range(3)] + [bytes(32)]
    expected = H(H(leaves[0] + leaves[1]) + H(leaves[2] + leaves[3]))
    assert events_root([rec(0), rec(1), rec(2)]) == expected


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 20))
def test_root_matches_a_recursive_definition(n):
    records = [rec(i, bytes([i]) * i) for i in range(n)]
    width = 1 << (n - 1).bit_length()
    leaves = [H(r.borsh()) for r in records] + [bytes(32)] * (width - n)

    def root(xs):
        return xs[0] if len(xs) == 1 else H(root(xs[: len(xs) // 2]) + root(xs[len(xs) // 2:]))

    assert events_root(records) == root(leaves)


def test_root_depends_on_order_and_position():
    a, b = rec(0), rec(1)
    assert events_root([a, b]) != events_root([b, a])


def test_records_for_tx_numbers_events_in_order():
    evs = [Event(b"C" * 32, b"T" * 32, bytes([i])) for i in range(3)]
    assert [(r.wave_id, r.tx_index, r.event_index, r.data) for r in records_for_tx(7, 4, evs)] == [
        (7, 4, 0, b"\x00"), (7, 4, 1, b"\x01"), (7, 4, 2, b"\x02")]


def test_bloom_indexes_are_le_u64_slices_of_blake3_mod_2048():
    item = b"T" * 32
    h = H(item)
    assert bloom_indexes(item) == [int.from_bytes(h[k:k + 8], "little") % 2048 for k in (0, 8, 16)]


def test_empty_bloom_is_256_zero_bytes():
    assert events_bloom([]) == bytes(256)


def test_bloom_sets_bits_of_topic_and_contract_and_nothing_else():
    r = rec(3)
    bloom = events_bloom([r])
    expected = set(bloom_indexes(r.topic)) | set(bloom_indexes(r.contract_addr))
    set_bits = {i for i in range(2048) if bloom[i // 8] >> (i % 8) & 1}
    assert set_bits == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32)), max_size=30))
def test_bloom_has_no_false_negatives(pairs):
    records = [EventRecord(1, 0, i, c, t, b"") for i, (c, t) in enumerate(pairs)]
    bloom = events_bloom(records)
    for c, t in pairs:
        assert bloom_contains(bloom, c) and bloom_contains(bloom, t)
