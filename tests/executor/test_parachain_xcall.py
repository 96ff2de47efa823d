"""Cross-parachain messages across waves (PARACHAIN_DESIGN §9, §14; ABI
§8.4, §15.8): a message queued in wave N is delivered by an engine
``XCallDelivery`` in wave N+1, its outcome comes back to the caller's
callback by an ``XCallCallback`` in wave N+2 with the callback context
preserved; a paused target makes it wait (and time out), a killed one
answers ``target_unavailable``, a killed source gets no callback."""

from __future__ import annotations

from parachain_helpers import (
    BLOB,
    CALLER_KEY,
    MESSAGE_KEY,
    REPLY_KEY,
    USER,
    ChainDoc,
    call,
    h,
    op,
    probe_calldata,
    probe_module,
    probe_result,
    receipts,
)
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.testing import build_parachain, import_lines, wat_string
from pyde_ref.executor.xcall import engine_tx_hash
from pyde_ref.state.borsh import Reader
from pyde_ref.state.events import EventRecord, bloom_contains, events_root
from pyde_ref.state.parachains import parachain_id

ALPHA, BETA = parachain_id("alpha"), parachain_id("beta")


def send_calldata(target=BETA, message=b"hello", callback=b"on_reply", max_gas=200_000, timeout=10) -> bytes:
    blob = target + message + callback
    return probe_calldata(BLOB, BLOB + 32, len(message), BLOB + 32 + len(message), len(callback), max_gas, timeout,
                          blob=blob)


def send(**kwargs) -> dict:
    return call(ALPHA, "probe_send_xparachain_message", send_calldata(**kwargs))


def two(beta_code=None, **beta_fields) -> ChainDoc:
    doc = ChainDoc()
    doc.parachain("alpha", probe_module())
    doc.parachain("beta", beta_code or probe_module("beta"), **beta_fields)
    return doc


def storage(output, pid) -> dict:
    return {bytes.fromhex(k[2:]): bytes.fromhex(v[2:])
            for k, v in output["post_state"]["parachains"][h(pid)]["storage"].items()}


def context(data: bytes) -> dict:
    """The callback context (``pyde_ref.state.parachains.callback_context``)."""
    r = Reader(data)
    out = {"callback_id": r.u64("id"), "original_caller": r.take(32, "caller"), "original_fn": r.string("fn"),
           "original_args_hash": r.take(32, "hash"), "issued_at_wave": r.u64("wave"),
           "target_id": r.take(32, "target"), "outcome": r.u8("outcome"), "result": r.bytes_vec("result")}
    r.end()
    return out


def test_a_message_is_delivered_in_the_next_wave_and_called_back_in_the_one_after():
    doc = two()
    doc.wave(send())                                               # 100: queued
    doc.wave(call(ALPHA, "marker"))                                # 101: delivered, before the wave's tx
    doc.wave()                                                     # 102: called back
    output = doc.run()
    sent = receipts(output, 0)
    assert probe_result(bytes.fromhex(sent[0]["return_data"][2:]))[0] == 1
    queued = [w for w in sent[0]["writes"] if w["table"] == "xcall"]
    assert queued[0]["value"]["status"] == "queued" and queued[0]["value"]["issued_at_wave"] == 100

    delivery, user_tx = receipts(output, 1)
    assert delivery["tx_type"] == "XCallDelivery" and delivery["status"] == "success"
    assert delivery["xcall"] == {"kind": "XCallDelivery", "id": 1, "source": h(ALPHA), "target": h(BETA),
                                 "outcome": "success"}
    assert delivery["parachain"]["id"] == h(BETA) and delivery["fee"] is None and delivery["nonce"] is None
    assert delivery["tx_hash"] == h(engine_tx_hash("XCallDelivery", 1, 101))
    assert bytes.fromhex(delivery["return_data"][2:]) == b"hello"
    assert user_tx["tx_type"] == "Standard"

    callback = receipts(output, 2)[0]
    assert callback["tx_type"] == "XCallCallback" and callback["status"] == "success"
    assert callback["parachain"]["id"] == h(ALPHA)
    assert "xcalls" not in output["post_state"]  # done: the message is gone

    beta = storage(output, BETA)
    assert beta[MESSAGE_KEY] == b"hello" and beta[CALLER_KEY] == ALPHA  # pyde::caller is the source
    ctx = context(storage(output, ALPHA)[REPLY_KEY])
    assert ctx == {"callback_id": 1, "original_caller": USER.address,
                   "original_fn": "probe_send_xparachain_message",
                   "original_args_hash": poseidon2_hash(send_calldata()), "issued_at_wave": 100,
                   "target_id": BETA, "outcome": 0, "result": b"hello"}


def test_engine_receipts_are_numbered_and_committed_like_any_other():
    """Their events take ``tx_index`` 0, 1, ... of the wave (the wave's
    transactions follow), under the emitting parachain's id (ABI §15.8);
    the wave's events_root and bloom cover them."""
    doc = two()
    doc.wave(send(), send(message=b"second"))
    doc.wave(send(message=b"third"))
    output = doc.run()
    wave = output["waves"][1]
    got = wave["receipts"]
    assert [r["tx_type"] for r in got] == ["XCallDelivery", "XCallDelivery", "Standard"]
    records = [EventRecord(101, i, j, bytes.fromhex(e["contract"][2:]), bytes.fromhex(e["topic"][2:]),
                           bytes.fromhex(e["data"][2:]))
               for i, r in enumerate(got) for j, e in enumerate(r["events"])]
    assert {r.contract_addr for r in records} == {BETA}
    assert h(events_root(records)) == wave["events_root"]
    bloom = bytes.fromhex(wave["events_bloom"][2:])
    assert bloom_contains(bloom, BETA)
    callbacks = output["waves"][1]["receipts"]
    assert all(e["contract"] == h(BETA) for r in callbacks[:2] for e in r["events"])


def test_a_paused_target_makes_the_message_wait_then_time_out():
    """§6.3: no new transaction reaches a paused parachain; the message
    waits, and past ``issued + timeout_waves`` the callback fires with
    outcome ``timeout`` (§14)."""
    doc = two(status="paused")
    doc.wave(send(timeout=2))            # 100
    doc.wave()                           # 101: waits
    doc.wave()                           # 102: waits (102 = 100 + 2 is still in time)
    doc.wave()                           # 103: timed out
    output = doc.run()
    assert receipts(output, 1) == [] and receipts(output, 2) == []
    callback = receipts(output, 3)[0]
    assert callback["tx_type"] == "XCallCallback" and callback["xcall"]["outcome"] == "timeout"
    ctx = context(storage(output, ALPHA)[REPLY_KEY])
    assert (ctx["outcome"], ctx["result"]) == (3, b"")
    assert MESSAGE_KEY not in storage(output, BETA)


def test_an_unpaused_target_receives_a_waiting_message():
    doc = two(status="paused")
    doc.wave(send(timeout=5))
    doc.wave(op("parachain_unpause", parachain=BETA))
    doc.wave()
    output = doc.run()
    assert receipts(output, 2)[0]["tx_type"] == "XCallDelivery"


def test_a_killed_target_answers_target_unavailable():
    doc = two()
    doc.wave(send(), op("parachain_kill", parachain=BETA))
    doc.wave()
    output = doc.run()
    callback = receipts(output, 1)[0]
    assert callback["tx_type"] == "XCallCallback" and callback["xcall"]["outcome"] == "target_unavailable"
    assert context(storage(output, ALPHA)[REPLY_KEY])["outcome"] == 4


def test_a_killed_source_gets_no_callback():
    """§14 "Message dropped + logged": the callback's receipt is rejected
    ``ParachainKilled``, its only write the message's removal."""
    doc = two()
    doc.wave(send())
    doc.wave(op("parachain_kill", parachain=ALPHA))
    doc.wave()
    output = doc.run()
    assert receipts(output, 1)[0]["tx_type"] == "XCallDelivery"
    dropped = receipts(output, 2)[0]
    assert (dropped["status"], dropped["code"], dropped["tx_type"]) == ("rejected", "ParachainKilled", "XCallCallback")
    assert [(w["table"], w["value"]) for w in dropped["writes"]] == [("xcall", None)]
    assert REPLY_KEY not in storage(output, ALPHA) and "xcalls" not in output["post_state"]


def tiny(body: str, imports=("revert",)) -> bytes:
    wat = f"""(module {import_lines(list(imports))} (memory (export "memory") 1)
      (data (i32.const 0) "no")
      (func (export "receive_xparachain_message") {body}))"""
    return build_parachain(wat, ["receive_xparachain_message"])


def test_the_targets_outcome_reaches_the_callback():
    """A revert (its reason), a trap (its kind), and a target without a
    receiving entry (``EntryRefused``, the ABI §4 code in the result)."""
    no_entry = build_parachain('(module (memory (export "memory") 1) (func (export "noop")))', ["noop"])
    for code, outcome, number, result, delivery_status in (
            (tiny("(call $revert (i32.const 0) (i32.const 2))"), "revert", 1, b"no", "revert"),
            (tiny("unreachable", ()), "trap", 2, b"unreachable", "trap"),
            (no_entry, "refused", 5, (-13).to_bytes(4, "little", signed=True), "rejected")):
        doc = two(beta_code=code)
        doc.wave(send())
        doc.wave()
        doc.wave()
        output = doc.run()
        delivery = receipts(output, 1)[0]
        assert (delivery["status"], delivery["xcall"]["outcome"]) == (delivery_status, outcome)
        if delivery_status == "rejected":
            assert (delivery["code"], delivery["error_code"]) == ("EntryRefused", -13)
        ctx = context(storage(output, ALPHA)[REPLY_KEY])
        assert (ctx["outcome"], ctx["result"]) == (number, result)


def test_the_callback_runs_on_max_callback_gas():
    doc = two()
    doc.wave(send(max_gas=50))
    doc.wave()
    doc.wave()
    output = doc.run()
    callback = receipts(output, 2)[0]
    assert (callback["status"], callback["trap"]) == ("trap", "out_of_fuel") and callback["gas_used"] <= 50
    assert REPLY_KEY not in storage(output, ALPHA) and "xcalls" not in output["post_state"]


def test_a_send_whose_frame_fails_queues_nothing():
    """The message is part of the frame's writes: a trap after the send
    drops it (and its budget and id)."""
    wat = f"""(module {import_lines(["send_xparachain_message"])} (memory (export "memory") 1)
      (data (i32.const 0) "{wat_string(BETA + b'on_reply')}")
      (func (export "send_then_trap")
        (drop (call $send_xparachain_message (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 32) (i32.const 8)
                                             (i64.const 1000) (i64.const 5)))
        unreachable)
      (func (export "on_reply")))"""
    doc = ChainDoc()
    doc.parachain("alpha", build_parachain(wat, ["send_then_trap", "on_reply"]))
    doc.parachain("beta", probe_module("beta"))
    doc.wave(call(ALPHA, "send_then_trap"))
    doc.wave()
    output = doc.run()
    assert receipts(output, 0)[0]["trap"] == "unreachable" and receipts(output, 0)[0]["writes"][0]["table"] == "account"
    assert receipts(output, 1) == [] and "xcalls" not in output["post_state"]
    assert "xcall_last_id" not in output["post_state"].get("protocol", {})


def test_a_parachain_may_message_itself():
    doc = two()
    doc.wave(send(target=ALPHA))
    doc.wave()
    doc.wave()
    output = doc.run()
    assert [r["tx_type"] for r in receipts(output, 1) + receipts(output, 2)] == ["XCallDelivery", "XCallCallback"]
    assert storage(output, ALPHA)[CALLER_KEY] == ALPHA


def test_messages_survive_a_post_state_round_trip():
    """A chain stopped between send and delivery (or between delivery and
    callback) resumes from its post-state as if it had not stopped."""
    doc = two()
    doc.wave(send())
    doc.wave()
    doc.wave()
    whole = doc.run()
    first = two()
    first.wave(send())
    middle = first.run()["post_state"]
    resumed = ChainDoc(first_wave=101, **middle)
    resumed.doc.pop("unsigned", None)
    resumed.doc["unsigned"] = True
    resumed.wave()
    resumed.wave()
    rest = resumed.run()
    assert rest["state_digest"] == whole["state_digest"]
    assert rest["waves"][1]["receipts"] == whole["waves"][2]["receipts"]
