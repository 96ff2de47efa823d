"""The encoding side of the binary format (core spec §5.2.2, §5.5.2-5.5.3):
whatever :mod:`pyde_ref.wasm.binary` writes, its strict decoder reads back."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyde_ref.wasm.binary import (
    HEADER, Reader, decode_module, encode_custom_section, encode_sleb, encode_uleb,
)

U64 = st.integers(0, 2**64 - 1)
S64 = st.integers(-(2**63), 2**63 - 1)


def read_all(data: bytes, read) -> int:
    """Decode one integer that must fill ``data`` exactly."""
    reader = Reader(data, 0, len(data))
    value = read(reader)
    assert reader.at_end()
    return value


@given(U64)
def test_uleb_is_the_shortest_form_and_reads_back(n):
    encoded = encode_uleb(n)
    assert len(encoded) == max(1, -(-n.bit_length() // 7))
    assert read_all(encoded, lambda r: r.uleb(64)) == n


@given(S64)
def test_sleb_is_the_shortest_form_and_reads_back(n):
    encoded = encode_sleb(n)
    # A signed value needs its magnitude bits plus one sign bit.
    needed_bits = (n if n >= 0 else ~n).bit_length() + 1
    assert len(encoded) == -(-needed_bits // 7)
    assert read_all(encoded, lambda r: r.sleb(64)) == n


def test_known_encodings():
    # The usual LEB128 worked examples, and the one-byte edge cases.
    assert encode_uleb(624485) == bytes([0xE5, 0x8E, 0x26])
    assert encode_sleb(-123456) == bytes([0xC0, 0xBB, 0x78])
    assert encode_uleb(0) == b"\x00" and encode_sleb(0) == b"\x00"
    assert encode_sleb(-1) == b"\x7f" and encode_sleb(64) == b"\xc0\x00"



def test_uleb_refuses_a_negative_value():
    with pytest.raises(ValueError, match="negative"):
        encode_uleb(-1)


@given(st.text(max_size=20), st.binary(max_size=300))
def test_custom_section_is_read_back_by_the_decoder(name, payload):
    module = decode_module(HEADER + encode_custom_section(name, payload))
    assert [(c.name, c.payload) for c in module.customs] == [(name, payload)]
