"""ABI §7.5 ``emit_event``."""

from __future__ import annotations

from pyde_ref.abi import memio
from pyde_ref.abi.constants import ERR_FORBIDDEN, ERR_INVALID_INPUT, OK
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge
from pyde_ref.state.events import TOPIC_SIZE, Event


def emit_event(env: HostEnv, topic_ptr: int, topic_len: int, data_ptr: int, data_len: int) -> int:
    """ABI §7.5 ``emit_event(topic_ptr, topic_len, data_ptr, data_len) -> i32``.

    Gas: 100 + 8 per byte of topic and data, charged first (ABI §10).  A view
    frame gets ``ERR_FORBIDDEN``.  The topic must be exactly 32 bytes
    (``ERR_INVALID_INPUT`` otherwise): §7.5 calls it variable-length, but the
    event record, the bloom and the indexes of §15 all hold a 32-byte topic and
    the §15.9 reference flow rejects any other length
    (``spec/findings/abi-event-topic.md``).  The event goes to the top
    overlay's buffer (ABI §15.1), attributed to ``self_address``."""
    return emit(env, "emit_event", env.ctx.self_address, topic_ptr, topic_len, data_ptr, data_len)


def emit(env: HostEnv, name: str, contract: bytes, topic_ptr: int, topic_len: int,
         data_ptr: int, data_len: int) -> int:
    """The body of ``emit_event`` and ``parachain_emit_event`` (ABI §8.3):
    charge ``name``'s row, refuse a view frame and a topic that is not 32
    bytes, buffer the event under ``contract``."""
    charge(env, name, topic_len + data_len)
    if env.ctx.view_mode:
        return ERR_FORBIDDEN
    if topic_len != TOPIC_SIZE:
        return ERR_INVALID_INPUT
    topic = memio.read(env, topic_ptr, topic_len)
    data = memio.read(env, data_ptr, data_len)
    env.ctx.state.emit(Event(contract, topic, data))
    return OK
