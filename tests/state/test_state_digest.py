"""The sorted state, its canonical "absent = zero" rule, and the state digest."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.state import Account, AccountType, ContractCode, State, code_hash

A, B = bytes([1]) * 32, bytes([2]) * 32
entry = st.tuples(st.sampled_from([A, B]), st.binary(min_size=32, max_size=32),
                  st.binary(min_size=32, max_size=32))


@settings(max_examples=100, deadline=None)
@given(st.lists(entry, max_size=10), st.randoms(use_true_random=False))
def test_digest_is_independent_of_insertion_order(entries, rnd):
    final = {}
    for ctx, slot, value in entries:
        final[(ctx, slot)] = value
    items = list(final.items())
    one, two = State(), State()
    for (ctx, slot), value in items:
        one.sstore(ctx, slot, value)
    rnd.shuffle(items)
    for (ctx, slot), value in items:
        two.sstore(ctx, slot, value)
    assert one.digest() == two.digest()


def test_digest_distinguishes_tables_and_values():
    s = State()
    empty = s.digest()
    s.set_balance(A, 1)
    one = s.digest()
    s.set_balance(A, 2)
    two = s.digest()
    s.sstore(A, bytes(32), bytes([1]) * 32)
    three = s.digest()
    assert len({empty, one, two, three}) == 4
    s.sdelete(A, bytes(32))
    assert s.digest() == two


def test_absent_and_zero_are_one_state():
    s = State()
    d = s.digest()
    s.set_balance(A, 0)
    s.sstore(A, bytes(32), bytes(32))
    s.put_account(B, Account())
    assert s.digest() == d
    assert list(s.entries("account")) == [] and list(s.entries("storage")) == []


def test_storage_is_scoped_by_context_address():
    s = State()
    s.sstore(A, bytes(32), bytes([7]) * 32)
    assert s.sload(B, bytes(32)) == bytes(32)
    keys = [k for k, _ in s.entries("storage")]
    assert keys == [A + bytes(32)]


def test_move_value_is_atomic():
    s = State()
    s.set_balance(A, 10)
    assert s.move_value(A, B, 4) and (s.balance(A), s.balance(B)) == (6, 4)
    assert not s.move_value(A, B, 7) and (s.balance(A), s.balance(B)) == (6, 4)
    s.set_balance(B, (1 << 128) - 1)
    assert not s.move_value(A, B, 1) and s.balance(A) == 6
    assert s.move_value(A, A, 6) and s.balance(A) == 6


def test_code_is_stored_by_hash_and_found_through_the_account():
    s = State()
    wasm = b"\x00asm\x01\x00\x00\x00"
    h = s.put_code(ContractCode(wasm))
    assert h == code_hash(wasm)
    s.put_account(A, Account(code_hash=h, account_type=AccountType.CONTRACT))
    assert s.code_at(A).wasm == wasm
    assert s.code_at(B) is None


@pytest.mark.parametrize("kwargs", [dict(balance=-1), dict(balance=1 << 128), dict(nonce=1 << 64),
                                    dict(code_hash=b"x"), dict(account_type=3)])
def test_account_fields_are_range_checked(kwargs):
    with pytest.raises(ValueError):
        Account(**kwargs)


def test_copy_is_independent():
    s = State()
    s.set_balance(A, 5)
    t = s.copy()
    t.set_balance(A, 6)
    assert s.balance(A) == 5 and s != t and s.digest() != t.digest()


def test_parachain_tables_are_committed_only_when_they_hold_something():
    """The parachain tables came after the first six: empty, they add
    nothing to the digest (a state without parachains keeps the digest it
    had before them, ``spec/findings/parachain-state.md``); holding a
    record, they are committed like any table."""
    from pyde_ref.crypto.hashes import blake3_256
    from pyde_ref.state.overlay import STATE_DIGEST_DOMAIN, TABLES

    empty = State()
    assert TABLES[6:] == ("parachain", "parachain_storage", "xcall")
    six = b"".join(bytes([tag]) + bytes(8) for tag in range(1, 7))
    assert empty.digest() == blake3_256(STATE_DIGEST_DOMAIN + six)
    slot = State()
    slot.put_parachain_slot(b"\x01" * 32, b"key", b"value")
    assert slot.digest() != empty.digest()
    slot.put_parachain_slot(b"\x01" * 32, b"key", b"")  # an empty value deletes
    assert slot.digest() == empty.digest()
