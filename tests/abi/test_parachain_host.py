"""ABI §8 at the host boundary, for what no transaction can reach or what
is easier to see without one: the slot-hash collision refusal, the
out-buffer protocol's all-or-nothing writes, and the message record a
send leaves.  (Every function, code and gas term through real
transactions: ``tests/executor/test_parachain_functions.py``.)"""

from __future__ import annotations

import pytest

from pyde_ref.abi.constants import ERR_OUTPUT_BUFFER_TOO_SMALL, GAS_TABLE
from pyde_ref.abi.parachain import (
    CombinedView,
    combined_key,
    parachain_storage_read,
    parachain_storage_write,
    parachain_version,
    send_xparachain_message,
)
from pyde_ref.abi.testing import make_env
from pyde_ref.state.overlay import PARACHAIN_STORAGE, State
from pyde_ref.state.parachains import (
    DEFAULT_CONFIG,
    CombinedShares,
    ParachainRecord,
    ParachainSlot,
    ParachainVersion,
    parachain_id,
    slot_hash,
)
from pyde_ref.wasm.errors import Trap

PID = parachain_id("alpha")
TARGET = parachain_id("beta")


class Frame:
    parachain_id = PID
    version = 3
    entry_function = "go"

    def has_function(self, name):
        return name == "cb"

    def next_encryption_index(self):
        return 0


def env(**fields):
    state = State()
    for pid, name in ((PID, "alpha"), (TARGET, "beta")):
        state.put_parachain(pid, ParachainRecord(name, bytes(32), 0, 0, (ParachainVersion(0, bytes(32), DEFAULT_CONFIG, 0),),
                                                 ()))
    return make_env(is_parachain=True, parachain=Frame(), state=state.child(), **fields)


def test_a_slot_hash_collision_traps():
    """Keys are kept in full beside their 16-byte hash: a different key
    under the same slot hash is refused (``parachain_slot_collision``),
    never read or overwritten as if it were the same key."""
    e = env()
    e.ctx.state.set(PARACHAIN_STORAGE, slot_hash(PID, b"mine"), ParachainSlot(b"theirs", b"v"))
    e.memory.write(0, b"mine")
    for call in (lambda: parachain_storage_read(e, 0, 4, 100, 200),
                 lambda: parachain_storage_write(e, 0, 4, 0, 1)):
        with pytest.raises(Trap) as info:
            call()
        assert info.value.kind == "parachain_slot_collision"


def test_too_small_writes_only_the_length_needed():
    e = env()
    e.ctx.state.put_parachain_slot(PID, b"k", b"value")
    e.memory.write(0, b"k")
    e.memory.write(200, (3).to_bytes(4, "little"))
    e.memory.write(100, b"\xee" * 8)
    assert parachain_storage_read(e, 0, 1, 100, 200) == ERR_OUTPUT_BUFFER_TOO_SMALL
    assert e.memory.read(200, 4) == (5).to_bytes(4, "little") and e.memory.read(100, 8) == b"\xee" * 8
    assert e.gas.consumed == GAS_TABLE["parachain_storage_read"].base


def test_an_out_of_range_length_pointer_traps_with_memory_untouched():
    e = env()
    e.ctx.state.put_parachain_slot(PID, b"k", b"value")
    e.memory.write(0, b"k")
    with pytest.raises(Trap) as info:
        parachain_storage_read(e, 0, 1, 100, 65536 - 2)
    assert info.value.kind == "memory_out_of_bounds" and e.memory.read(100, 5) == bytes(5)


def test_version_is_the_frames():
    assert parachain_version(env()) == 3


def test_a_send_records_the_callback_context():
    e = env(calldata=b"args", origin=b"\x07" * 32)
    e.memory.write(0, TARGET + b"msg" + b"cb")
    assert send_xparachain_message(e, 0, 32, 3, 35, 2, 1000, 4) == 1
    message = e.ctx.state.xcall(1)
    assert (message.source, message.target, message.message, message.callback_fn) == (PID, TARGET, b"msg", "cb")
    assert (message.original_caller, message.original_fn, message.issued_at_wave) == (b"\x07" * 32, "go", 7)
    assert e.ctx.state.xcall_budget(PID).count == 1
    assert send_xparachain_message(e, 0, 32, 3, 35, 2, 1000, 4) == 2


def test_combined_shares_count_from_their_wave():
    state = State()
    state.put_protocol(combined_key(b"\x01" * 32), CombinedShares(b"\x02" * 32, 10))
    assert CombinedView(state, 9).get(b"\x01" * 32) is None
    assert CombinedView(state, 10).get(b"\x01" * 32) == b"\x02" * 32
    assert CombinedView(state, 10).get(b"\x03" * 32) is None
