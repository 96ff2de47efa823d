"""ABI §7.5 emit_event and §15.1 per-overlay event buffering."""

import pytest

from pyde_ref.abi import events
from pyde_ref.abi.constants import ERR_FORBIDDEN, ERR_INVALID_INPUT, OK
from pyde_ref.abi.testing import PAGE, address, make_env
from pyde_ref.state import Event
from pyde_ref.wasm.errors import Trap

TOPIC = bytes(range(32))


def test_emit_appends_to_the_top_overlay_attributed_to_self():
    env = make_env()
    env.memory.write(0, TOPIC)
    env.memory.write(100, b"payload")
    assert events.emit_event(env, 0, 32, 100, 7) == OK
    assert env.ctx.state.events == [Event(address(0xA1), TOPIC, b"payload")]


def test_gas_is_100_plus_8_per_topic_and_data_byte():
    env = make_env()
    events.emit_event(env, 0, 32, 100, 7)
    assert env.gas.consumed == 100 + 8 * (32 + 7)
    env = make_env(gas=100 + 8 * 39 - 1)
    with pytest.raises(Trap) as e:
        events.emit_event(env, 0, 32, 100, 7)
    assert e.value.kind == "out_of_fuel"
    assert env.ctx.state.events == [] and env.gas.consumed == 0


def test_view_mode_forbids_events():
    env = make_env(view_mode=True)
    assert events.emit_event(env, 0, 32, 100, 7) == ERR_FORBIDDEN
    assert env.ctx.state.events == []


@pytest.mark.parametrize("topic_len", [0, 31, 33])
def test_topic_must_be_32_bytes(topic_len):
    env = make_env()
    assert events.emit_event(env, 0, topic_len, 100, 1) == ERR_INVALID_INPUT
    assert env.gas.consumed == 100 + 8 * (topic_len + 1)  # charged before the check
    assert env.ctx.state.events == []


def test_empty_data_is_fine():
    env = make_env()
    assert events.emit_event(env, 0, 32, 0, 0) == OK
    assert env.ctx.state.events[0].data == b""


@pytest.mark.parametrize("args", [(PAGE - 31, 32, 0, 1), (0, 32, PAGE - 2, 3), (0, 32, 0xFFFF_FFFF, 2)])
def test_out_of_range_buffers_trap_and_emit_nothing(args):
    env = make_env()
    with pytest.raises(Trap) as e:
        events.emit_event(env, *args)
    assert e.value.kind == "memory_out_of_bounds"
    assert env.ctx.state.events == []


def test_events_follow_overlay_merge_and_discard():
    env = make_env()
    tx = env.ctx.state
    tx.emit(Event(address(1), TOPIC, b"a"))
    ok = tx.child()
    ok.emit(Event(address(2), TOPIC, b"b"))
    ok.merge()
    failed = tx.child()
    failed.emit(Event(address(3), TOPIC, b"c"))
    failed.discard()
    tx.emit(Event(address(1), TOPIC, b"d"))
    assert [e.data for e in tx.events] == [b"a", b"b", b"d"]
