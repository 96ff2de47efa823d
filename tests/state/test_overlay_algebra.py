"""Property tests of the overlay algebra (seed §3.5b, ABI §13.2, §15.1)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pyde_ref.state import ContractCode, Event, Overlay, OverlayClosed, State
from pyde_ref.state.overlay import EMPTY_SLOT_VALUE

import pytest

CTX = [bytes([c]) * 32 for c in (1, 2)]
SLOTS = [bytes([s]) * 32 for s in (1, 2, 3)]
VALUES = [EMPTY_SLOT_VALUE] + [bytes([v]) * 32 for v in (1, 2, 3)]

# An op: ("store", ctx, slot, value) | ("delete", ctx, slot) | ("bal", ctx, amount) | ("emit", n)
op = st.one_of(
    st.tuples(st.just("store"), st.sampled_from(CTX), st.sampled_from(SLOTS), st.sampled_from(VALUES)),
    st.tuples(st.just("delete"), st.sampled_from(CTX), st.sampled_from(SLOTS)),
    st.tuples(st.just("bal"), st.sampled_from(CTX), st.integers(0, 3)),
    st.tuples(st.just("emit"), st.integers(0, 9)),
    st.tuples(st.just("code"), st.integers(0, 2)),
)
CODES = [ContractCode(b"\x00asm" + bytes([n])) for n in range(3)]
ops = st.lists(op, max_size=12)


def apply(layer, operations):
    for o in operations:
        if o[0] == "store":
            layer.sstore(o[1], o[2], o[3])
        elif o[0] == "delete":
            layer.sdelete(o[1], o[2])
        elif o[0] == "bal":
            layer.set_balance(o[1], o[2])
        elif o[0] == "code":
            layer.put_code(CODES[o[1]])
        elif isinstance(layer, Overlay):
            layer.emit(Event(CTX[0], bytes(32), bytes([o[1]])))


def model_apply(model, operations):
    """The reference model: one plain dict of what reads return."""
    for o in operations:
        if o[0] == "store":
            model[("s", o[1], o[2])] = o[3]
        elif o[0] == "delete":
            model[("s", o[1], o[2])] = EMPTY_SLOT_VALUE
        elif o[0] == "bal":
            model[("b", o[1])] = o[2]
        elif o[0] == "code":
            model[("c", o[1])] = CODES[o[1]].wasm


def reads(layer):
    out = {("c", n): (layer.code(c.code_hash).wasm if layer.code(c.code_hash) else None)
           for n, c in enumerate(CODES)}
    for c in CTX:
        out[("b", c)] = layer.balance(c)
        for s in SLOTS:
            out[("s", c, s)] = layer.sload(c, s)
    return out


def model_reads(model):
    out = {("c", n): model.get(("c", n)) for n in range(len(CODES))}
    for c in CTX:
        out[("b", c)] = model.get(("b", c), 0)
        for s in SLOTS:
            out[("s", c, s)] = model.get(("s", c, s), EMPTY_SLOT_VALUE)
    return out


def base_with(operations):
    base = State()
    apply(base, operations)
    return base


@settings(max_examples=150, deadline=None)
@given(st.lists(ops, min_size=1, max_size=4))
def test_reads_walk_the_stack_top_down(layers_ops):
    """Every layer reads as the model of all writes from the base up to it."""
    model = {}
    layer = base_with(layers_ops[0])
    model_apply(model, layers_ops[0])
    assert reads(layer) == model_reads(model)
    for operations in layers_ops[1:]:
        layer = layer.child()
        apply(layer, operations)
        model_apply(model, operations)
        assert reads(layer) == model_reads(model)


@settings(max_examples=150, deadline=None)
@given(ops, ops, ops)
def test_merge_equals_applying_the_writes_to_the_parent(base_ops, parent_ops, child_ops):
    merged = base_with(base_ops).child()
    apply(merged, parent_ops)
    child = merged.child()
    apply(child, child_ops)
    child.merge()
    direct = base_with(base_ops).child()
    apply(direct, parent_ops)
    apply(direct, child_ops)
    assert reads(merged) == reads(direct)
    assert [e.data for e in merged.events] == [e.data for e in direct.events]


@settings(max_examples=150, deadline=None)
@given(ops, ops, ops)
def test_discard_leaves_the_parent_unchanged(base_ops, parent_ops, child_ops):
    base = base_with(base_ops)
    digest = base.digest()
    parent = base.child()
    apply(parent, parent_ops)
    before = (reads(parent), parent.write_set(), list(parent.events))
    child = parent.child()
    apply(child, child_ops)
    child.discard()
    assert (reads(parent), parent.write_set(), list(parent.events)) == before
    assert base.digest() == digest


@settings(max_examples=150, deadline=None)
@given(ops, ops, ops, ops)
def test_nested_merges_are_associative(base_ops, a_ops, b_ops, c_ops):
    """(C into B) into A gives the same state and events as B into A then a
    fresh C on A; committing either to the base gives equal digests."""
    def run(order):
        base = base_with(base_ops)
        a = base.child()
        apply(a, a_ops)
        if order == "nested":
            b = a.child()
            apply(b, b_ops)
            c = b.child()
            apply(c, c_ops)
            c.merge()
            b.merge()
        else:
            b = a.child()
            apply(b, b_ops)
            b.merge()
            c = a.child()
            apply(c, c_ops)
            c.merge()
        events = [e.data for e in a.events]
        a.merge()
        return base.digest(), events

    assert run("nested") == run("flat")


@settings(max_examples=100, deadline=None)
@given(ops)
def test_deletes_are_tombstones_that_hide_lower_layers(base_ops):
    base = base_with(base_ops)
    base.sstore(CTX[0], SLOTS[0], VALUES[1])
    top = base.child().child()
    top.sdelete(CTX[0], SLOTS[0])
    assert top.sload(CTX[0], SLOTS[0]) == EMPTY_SLOT_VALUE
    assert top.parent.sload(CTX[0], SLOTS[0]) == VALUES[1]
    top.merge()
    top.parent.merge()
    assert base.sload(CTX[0], SLOTS[0]) == EMPTY_SLOT_VALUE
    assert all(k[32:] != SLOTS[0] or k[:32] != CTX[0] for k, _ in base.entries("storage"))


@settings(max_examples=100, deadline=None)
@given(ops)
def test_commit_to_base_equals_direct_application(operations):
    via_overlay = State()
    o = via_overlay.child()
    apply(o, operations)
    o.merge()
    assert via_overlay == base_with(operations)
    assert via_overlay.digest() == base_with(operations).digest()


def test_closed_overlay_refuses_use():
    o = State().child()
    o.merge()
    with pytest.raises(OverlayClosed):
        o.sload(CTX[0], SLOTS[0])
    d = State().child()
    d.discard()
    with pytest.raises(OverlayClosed):
        d.merge()
