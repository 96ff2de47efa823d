"""Borsh (:mod:`pyde_ref.state.borsh`), the one encoder and decoder of every
Borsh record: any sequence of fields written is read back unchanged, and the
decoder refuses every byte string that is not exactly such an encoding."""

from __future__ import annotations

import enum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.state.borsh import BorshError, Reader, Writer


class Colour(enum.Enum):
    RED = 0
    GREEN = 1


# (field kind, strategy of its values)
FIELDS = {
    "u8": st.integers(0, 2**8 - 1),
    "u32": st.integers(0, 2**32 - 1),
    "u64": st.integers(0, 2**64 - 1),
    "u128": st.integers(0, 2**128 - 1),
    "fixed": st.binary(max_size=40),
    "bytes_vec": st.binary(max_size=40),
    "string": st.text(max_size=12),
    "option_u32": st.none() | st.integers(0, 2**32 - 1),
    "variant": st.sampled_from(Colour),
}
field = st.sampled_from(sorted(FIELDS)).flatmap(lambda kind: st.tuples(st.just(kind), FIELDS[kind]))


def write(fields) -> bytes:
    w = Writer()
    for kind, value in fields:
        if kind == "fixed":
            w.fixed(value, len(value))
        else:
            getattr(w, kind)(value)
    return w.out()


def read(data: bytes, fields) -> list:
    r = Reader(data)
    out = []
    for i, (kind, value) in enumerate(fields):
        if kind == "fixed":
            out.append((kind, r.take(len(value), f"field {i}")))
        elif kind == "variant":
            out.append((kind, r.variant(Colour, f"field {i}")))
        else:
            out.append((kind, getattr(r, kind)(f"field {i}")))
    r.end()
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(field, max_size=8))
def test_round_trip(fields):
    assert read(write(fields), fields) == fields


@settings(max_examples=200, deadline=None)
@given(st.lists(field, min_size=1, max_size=6), st.data())
def test_truncated_or_extended_input_is_refused(fields, data):
    encoded = write(fields)
    if encoded:
        cut = data.draw(st.integers(0, len(encoded) - 1))
        with pytest.raises(BorshError):
            read(encoded[:cut], fields)
    with pytest.raises(BorshError, match="trailing"):
        read(encoded + b"\x00", fields)


def test_layout_is_little_endian_with_u32_counts():
    encoded = (Writer().u8(1).u32(2).u64(3).u128(4).bytes_vec(b"ab").string("é")
               .option_u32(None).option_u32(5).variant(Colour.GREEN).out())
    assert encoded == (b"\x01" + (2).to_bytes(4, "little") + (3).to_bytes(8, "little")
                       + (4).to_bytes(16, "little") + b"\x02\x00\x00\x00ab" + b"\x02\x00\x00\x00\xc3\xa9"
                       + b"\x00" + b"\x01\x05\x00\x00\x00" + b"\x01")


@pytest.mark.parametrize("data,decode,what", [
    (b"\x02", lambda r: r.option_u32("x"), "x option tag 2 (must be 0 or 1)"),
    (b"\x02", lambda r: r.variant(Colour, "colour"), "colour variant 2 (must be 0 or 1)"),
    (b"\x02\x00\x00\x00\xff\xfe", lambda r: r.string("name"), "name is not UTF-8"),
    (b"\x05\x00\x00\x00ab", lambda r: r.bytes_vec("data"), "data runs past the end"),
])
def test_malformed_fields_name_the_field_and_the_offset(data, decode, what):
    with pytest.raises(BorshError) as e:
        decode(Reader(data))
    assert e.value.what == what


def test_fixed_refuses_the_wrong_length():
    with pytest.raises(ValueError):
        Writer().fixed(b"abc", 4)
