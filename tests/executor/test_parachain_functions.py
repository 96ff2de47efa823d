"""ABI §8 through real transactions: every parachain function, every code
it can return and every term of its §10 gas row, each triggered by a
``ParachainCall`` (or an engine transaction) of a chain document on the
probe parachain (``tests/parachain_helpers.py``).

The gas a host call charged is read off the reading tier's observer
(:class:`pyde_ref.wasm.eval.Observer`): exactly the §10 figure, not the
transaction's total.  Each case is registered with the (function, item)
pairs it shows; :data:`EXPECTED` is the table -- the §4 codes §8 lists, the
ones this reference adds (``spec/findings/parachain-abi.md``), the gas terms
-- and ``test_the_table_is_covered`` keeps the two equal.  Two codes cannot
be reached by a transaction at all, by construction: ``ERR_FORBIDDEN`` of
the mutating functions (deploy refuses a view function that reaches them,
``ViewMutatesState``) and ``ERR_PARACHAIN_ONLY`` (deploy refuses a contract
that imports them, ``ParachainOnly``); their cases show the refusal
through a transaction and the code at the host boundary.
"""

from __future__ import annotations

import attrs
import pytest

from parachain_helpers import (
    BLOB,
    OUT,
    USER,
    ChainDoc,
    call,
    h,
    op,
    probe_calldata,
    probe_module,
    probe_result,
    receipts,
    FAST_CONFIG,
    OWNER,
    PROBE_FUNCTIONS,
    VALIDATOR_IDS,
)
from pyde_ref.abi.constants import (
    ERR_ACCESS_LIST_VIOLATION,
    ERR_CIPHERTEXT_INVALID,
    ERR_FORBIDDEN,
    ERR_INVALID_FUNCTION_NAME,
    ERR_INVALID_INPUT,
    ERR_OUTPUT_BUFFER_TOO_SMALL,
    ERR_PARACHAIN_ONLY,
    ERR_XCALL_RATE_LIMITED,
    GAS_TABLE,
    XCALL_MAX_CALLBACK_GAS,
    XCALL_MAX_MESSAGE_SIZE,
    XCALL_MAX_TIMEOUT_WAVES,
    error_name,
)
from pyde_ref.abi.registry import HOST_FUNCTIONS, call_host
from pyde_ref.abi.testing import make_env
from pyde_ref.crypto import threshold
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.testing import build_contract, build_parachain, import_lines
from pyde_ref.state.parachains import parachain_id, slot_hash
from pyde_ref.wasm.eval import Observer
from pyde_ref.wasm.runtime import READING

PARACHAIN_FUNCTIONS = [n for n, d in HOST_FUNCTIONS.items() if d.parachain_only]

ALPHA = parachain_id("alpha")
BETA = parachain_id("beta")
COMMITTEE_PK, COMMITTEE_SK = threshold.committee_keypair(bytes(range(64)))


# --------------------------------------------------------------------------
# running a probe and observing its host call
# --------------------------------------------------------------------------


class HostCalls(Observer):
    """Every host call, and the fuel left when each began (after its
    ``call`` instruction was charged)."""

    def __init__(self):
        self.events = []
        self.fuel_at_call = []
        self._last = None

    def instruction(self, event):
        self._last = event

    def host_call(self, event):
        self.events.append(event)
        self.fuel_at_call.append(self._last.fuel - self._last.cost)


def observed_run(doc: ChainDoc, calls=None):
    """Run ``doc`` on the reading tier; the output and every host call."""
    calls = calls or HostCalls()
    executor = WasmExecutor(ExecutorConfig())
    executor.machine_config = attrs.evolve(executor.machine_config, tier=READING, observer=calls)
    return doc.run(executor), calls.events


def charged(events, name: str) -> list[int]:
    return [e.gas for e in events if e.name == f"pyde.{name}"]


def setup(*, alpha_code: bytes = None, **alpha_fields) -> ChainDoc:
    doc = ChainDoc()
    doc.parachain("alpha", alpha_code or probe_module(), **alpha_fields)
    doc.parachain("beta", probe_module("beta"))
    return doc


def probe(doc: ChainDoc, name: str, calldata: bytes, **fields):
    """One wave with one call of ``probe_<name>``: its receipt, result,
    window and the gas each call of ``name`` charged."""
    doc.wave(call(ALPHA, f"probe_{name}", calldata, **fields))
    output, events = observed_run(doc)
    receipt = receipts(output, -1)[-1]
    assert receipt["status"] == "success", receipt
    result, window = probe_result(bytes.fromhex(receipt["return_data"][2:]))
    return receipt, result, window, charged(events, name), output


def row(name: str, metered: int = 0) -> int:
    g = GAS_TABLE[name]
    return g.base + g.per_byte * metered


def u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


# --------------------------------------------------------------------------
# the registry of cases and the table
# --------------------------------------------------------------------------

CASES: dict = {}
"""Case name -> the case (a function of no arguments)."""
COVERAGE: list = []
"""``(function, items, case name)`` for every claim a case makes."""


def case(function: str, *items: str):
    def register(f):
        CASES[f.__name__] = f
        COVERAGE.append((function, items, f.__name__))
        return f
    return register


UNREACHABLE = "unreachable by construction"
EXPECTED = {
    "parachain_storage_read": {"OK", "ERR_OUTPUT_BUFFER_TOO_SMALL", "ERR_ACCESS_LIST_VIOLATION",
                               "ERR_PARACHAIN_ONLY", "gas: 250 base", "gas: 1 / byte returned",
                               "trap: out_of_fuel", "trap: access_list_violation"},
    "parachain_storage_write": {"OK", "ERR_FORBIDDEN", "ERR_ACCESS_LIST_VIOLATION", "ERR_PARACHAIN_ONLY",
                                "gas: 5,500 base", "gas: 10 / byte", "trap: out_of_fuel"},
    "parachain_storage_delete": {"OK", "ERR_FORBIDDEN", "ERR_ACCESS_LIST_VIOLATION", "ERR_PARACHAIN_ONLY",
                                 "gas: 250 base", "trap: out_of_fuel"},
    "parachain_id": {"OK", "ERR_PARACHAIN_ONLY", "gas: 5 base", "trap: out_of_fuel"},
    "parachain_version": {"OK", "ERR_PARACHAIN_ONLY", "gas: 5 base", "trap: out_of_fuel"},
    "parachain_emit_event": {"OK", "ERR_FORBIDDEN", "ERR_INVALID_INPUT", "ERR_PARACHAIN_ONLY", "gas: 100 base",
                             "gas: 8 / byte", "trap: out_of_fuel"},
    "send_xparachain_message": {"OK", "ERR_XCALL_RATE_LIMITED", "ERR_INVALID_INPUT", "ERR_INVALID_FUNCTION_NAME",
                                "ERR_FORBIDDEN", "ERR_PARACHAIN_ONLY", "gas: 10,000 base", "gas: 8 / byte",
                                "trap: out_of_fuel"},
    "threshold_encrypt": {"OK", "ERR_OUTPUT_BUFFER_TOO_SMALL", "ERR_PARACHAIN_ONLY", "gas: 80,000 base",
                          "gas: 100 / byte", "trap: out_of_fuel", "trap: host_internal"},
    "threshold_decrypt": {"OK", "ERR_CIPHERTEXT_INVALID", "ERR_FORBIDDEN", "ERR_OUTPUT_BUFFER_TOO_SMALL",
                          "ERR_PARACHAIN_ONLY", "gas: 100,000 base", "gas: 50 / byte", "trap: out_of_fuel"},
}
"""Function -> the codes it can return (ABI §8's, plus
``ERR_ACCESS_LIST_VIOLATION`` of a declared access list, the topic rule of
``emit_event``, the view rule of a message and ``threshold_decrypt``'s
buffer), its §10 gas terms and the traps it can cause."""


# --------------------------------------------------------------------------
# §8.1 storage
# --------------------------------------------------------------------------

KEY = b"balances/alice"


def read_args(capacity: int, key: bytes = KEY, window: int = 16) -> bytes:
    """The out-buffer protocol (``spec/findings/parachain-abi.md``): the
    capacity is the u32 at the length pointer, which here points into the
    calldata blob after the key; the value is written at OUT."""
    cap_at = BLOB + len(key)
    return probe_calldata(BLOB, len(key), OUT, cap_at, window=window, blob=key + u32(capacity))


@case("parachain_storage_read", "OK", "gas: 250 base", "gas: 1 / byte returned")
def case_read_present_and_absent():
    """A key never written reads as success with length 0 (250 gas); a
    5-byte value as success with the value (250 + 5); the length is
    written over the capacity."""
    for stored, expected_gas in ((None, row("parachain_storage_read")),
                                 (b"12345", row("parachain_storage_read", 5))):
        doc = setup(**({"storage": {h(KEY): h(stored)}} if stored else {}))
        _r, result, window, gas, _o = probe(doc, "parachain_storage_read", read_args(16))
        assert result == 0 and gas == [expected_gas]
        assert window[:len(stored or b"")] == (stored or b"")


@case("parachain_storage_read", "ERR_OUTPUT_BUFFER_TOO_SMALL")
def case_read_too_small():
    """Capacity 2 for a 5-byte value: ERR_OUTPUT_BUFFER_TOO_SMALL, the
    length needed written at the length pointer, the base gas only."""
    doc = setup(storage={h(KEY): h(b"12345")})
    key_at, cap_at = BLOB, BLOB + len(KEY)
    calldata = probe_calldata(key_at, len(KEY), OUT, cap_at, window=8, blob=KEY + u32(2))
    # the length needed (5) is written over the capacity, in the blob
    _r, result, window, gas, _o = probe(doc, "parachain_storage_read", calldata)
    assert result == ERR_OUTPUT_BUFFER_TOO_SMALL and gas == [row("parachain_storage_read")]
    assert window == bytes(8)  # nothing written to the buffer


def test_read_value_fits_exactly():
    doc = setup(storage={h(KEY): h(b"abcde")})
    _r, result, window, gas, _o = probe(doc, "parachain_storage_read", read_args(5, window=5))
    assert result == 0 and window == b"abcde" and gas == [row("parachain_storage_read", 5)]


def access_listed_probe() -> bytes:
    """The probe with a declared access list (prefix 0x00, which no slot
    hash of ``alpha`` starts with) on its three storage entries."""
    restricted = {f"probe_{n}" for n in ("parachain_storage_read", "parachain_storage_write",
                                         "parachain_storage_delete")}
    functions = [{"name": f, "attributes": ["entry"], "access_list": [b"\x00"]} if f in restricted else f
                 for f in PROBE_FUNCTIONS]
    return probe_module(functions=functions)


@case("parachain_storage_read", "ERR_ACCESS_LIST_VIOLATION")
@case("parachain_storage_write", "ERR_ACCESS_LIST_VIOLATION")
@case("parachain_storage_delete", "ERR_ACCESS_LIST_VIOLATION")
def case_declared_access_list():
    """ABI §3.7 Layer 3 on the PIP-2 slot hash: a function whose declared
    access list does not cover the key gets ERR_ACCESS_LIST_VIOLATION, after
    its gas, and nothing is written."""
    assert not slot_hash(ALPHA, KEY).startswith(b"\x00")
    for name, calldata, gas in (
            ("parachain_storage_read", read_args(8), row("parachain_storage_read")),
            ("parachain_storage_write", probe_calldata(BLOB, len(KEY), BLOB, 3, blob=KEY),
             row("parachain_storage_write", len(KEY) + 3)),
            ("parachain_storage_delete", probe_calldata(BLOB, len(KEY), blob=KEY), row("parachain_storage_delete"))):
        doc = setup(alpha_code=access_listed_probe(), storage={h(KEY): "0x01"})
        receipt, result, _w, charged_gas, output = probe(doc, name, calldata)
        assert result == ERR_ACCESS_LIST_VIOLATION and charged_gas == [gas], name
        assert output["post_state"]["parachains"][h(ALPHA)]["storage"] == {h(KEY): "0x01"}


@case("parachain_storage_read", "trap: access_list_violation")
def case_transaction_access_list():
    """Chapter 11 §11.6 on parachain storage: the transaction's access list
    names the parachain's id and the slot hashes it may touch; a key
    outside it traps the transaction."""
    doc = setup(storage={h(KEY): "0x01"})
    other = slot_hash(ALPHA, b"other")
    listed = [{"address": h(ALPHA), "storage_keys": [h(other)]}]
    doc.wave(call(ALPHA, "probe_parachain_storage_read", read_args(4), access_list=listed))
    allowed = [{"address": h(ALPHA), "storage_keys": [h(slot_hash(ALPHA, KEY))], "access_type": "read"}]
    doc.wave(call(ALPHA, "probe_parachain_storage_read", read_args(4), access_list=allowed))
    output = doc.run()
    assert receipts(output, 0)[0]["trap"] == "access_list_violation"
    assert receipts(output, 1)[0]["status"] == "success"


@case("parachain_storage_write", "OK", "gas: 5,500 base", "gas: 10 / byte")
def case_write():
    """5,500 + 10 per byte of key and value; an empty value deletes."""
    for value in (b"", b"v", b"a longer value"):
        doc = setup(storage={h(KEY): "0x99"})
        calldata = probe_calldata(BLOB, len(KEY), BLOB + len(KEY), len(value), blob=KEY + value)
        _r, result, _w, gas, output = probe(doc, "parachain_storage_write", calldata)
        assert result == 0 and gas == [row("parachain_storage_write", len(KEY) + len(value))]
        storage = output["post_state"]["parachains"][h(ALPHA)]["storage"]
        assert storage == ({h(KEY): h(value)} if value else {})


def test_write_of_a_new_key_and_its_slot_hash_in_the_receipt():
    doc = setup()
    calldata = probe_calldata(BLOB, 3, BLOB + 3, 2, blob=b"abcXY")
    receipt, result, _w, _g, output = probe(doc, "parachain_storage_write", calldata)
    write = [w for w in receipt["writes"] if w["table"] == "parachain_storage"]
    assert write == [{"table": "parachain_storage", "key": h(slot_hash(ALPHA, b"abc")),
                      "value": {"key": h(b"abc"), "value": h(b"XY")}}]
    assert write[0]["key"].startswith(h(ALPHA[:16]))  # PIP-2: the id's first 16 bytes


@case("parachain_storage_delete", "OK", "gas: 250 base")
def case_delete():
    """250 gas, success whether the key existed or not."""
    for storage in ({h(KEY): "0x01"}, {}):
        doc = setup(storage=storage)
        _r, result, _w, gas, output = probe(doc, "parachain_storage_delete", probe_calldata(BLOB, len(KEY), blob=KEY))
        assert result == 0 and gas == [row("parachain_storage_delete")]
        assert output["post_state"]["parachains"][h(ALPHA)]["storage"] == {}


VIEW_WAT = {
    "parachain_storage_write": "(drop (call $parachain_storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))",
    "parachain_storage_delete": "(drop (call $parachain_storage_delete (i32.const 0) (i32.const 1)))",
    "parachain_emit_event": "(drop (call $parachain_emit_event (i32.const 0) (i32.const 32) (i32.const 0) (i32.const 0)))",
    "send_xparachain_message": ("(drop (call $send_xparachain_message (i32.const 0) (i32.const 0) (i32.const 0) "
                                "(i32.const 0) (i32.const 0) (i64.const 0) (i64.const 1)))"),
}


@case("parachain_storage_write", "ERR_FORBIDDEN")
@case("parachain_storage_delete", "ERR_FORBIDDEN")
@case("parachain_emit_event", "ERR_FORBIDDEN")
@case("send_xparachain_message", "ERR_FORBIDDEN")
def case_view_mode():
    """ERR_FORBIDDEN from a view frame cannot happen in a transaction: a
    parachain whose view function reaches one of these is refused at
    registration (``ViewMutatesState``, ABI §3.7 step 4), and nothing else
    runs a parachain in view mode.  The registration's refusal is shown
    through a transaction; the code at the host boundary."""
    for name, body in VIEW_WAT.items():
        wat = f'(module {import_lines([name])} (memory (export "memory") 1) (func (export "peek") {body}))'
        module = build_parachain(wat, ["peek:view"])
        doc = ChainDoc()
        doc.wave(op("parachain_register", name="viewer", code=module, validators=[h(v) for v in VALIDATOR_IDS]))
        receipt = receipts(doc.run(), 0)[0]
        assert receipt["code"] == "DeployRejected" and f"ViewMutatesState(peek reaches pyde::{name})" in \
            receipt["reason"], receipt
        env = make_env(is_parachain=True, view_mode=True, parachain=_Frame())
        args = [0] * len(HOST_FUNCTIONS[name].type.params)
        assert call_host(HOST_FUNCTIONS[name], env, args)[0] & 0xFFFF_FFFF == ERR_FORBIDDEN & 0xFFFF_FFFF
        assert env.gas.consumed == row(name)  # all lengths 0


class _Frame:
    parachain_id = ALPHA
    version = 0
    entry_function = "peek"

    def has_function(self, name):
        return True

    def next_encryption_index(self):
        return 0


@case("parachain_storage_read", "ERR_PARACHAIN_ONLY")
@case("parachain_storage_write", "ERR_PARACHAIN_ONLY")
@case("parachain_storage_delete", "ERR_PARACHAIN_ONLY")
@case("parachain_id", "ERR_PARACHAIN_ONLY")
@case("parachain_version", "ERR_PARACHAIN_ONLY")
@case("parachain_emit_event", "ERR_PARACHAIN_ONLY")
@case("send_xparachain_message", "ERR_PARACHAIN_ONLY")
@case("threshold_encrypt", "ERR_PARACHAIN_ONLY")
@case("threshold_decrypt", "ERR_PARACHAIN_ONLY")
def case_parachain_only():
    """ABI §8: from a non-parachain context, ERR_PARACHAIN_ONLY -- which no
    transaction reaches: a contract importing any of the nine is refused at
    deploy (ABI §9.2 ``ParachainOnly``), shown here by a ``deploy`` of
    each; and a parachain module cannot be deployed as a contract
    (``ParachainNotDeployable``).  At the host boundary the code is
    returned after the base gas."""
    doc = ChainDoc()
    txs = []
    for name in PARACHAIN_FUNCTIONS:
        wat = f'(module {import_lines([name])} (memory (export "memory") 1) (func (export "f")))'
        txs.append(op("deploy", sender=USER, code=build_contract(wat, ["f"])))
    txs.append(op("deploy", sender=USER, code=probe_module()))
    doc.wave(*txs)
    got = receipts(doc.run(), 0)
    for name, receipt in zip(PARACHAIN_FUNCTIONS, got):
        assert receipt["code"] == "DeployRejected" and f"ParachainOnly(pyde::{name})" in receipt["reason"]
    assert "ParachainNotDeployable" in got[-1]["reason"] or "ParachainOnly" in got[-1]["reason"]
    for name in PARACHAIN_FUNCTIONS:
        env = make_env()
        result = call_host(HOST_FUNCTIONS[name], env, [0] * len(HOST_FUNCTIONS[name].type.params))
        width = 64 if HOST_FUNCTIONS[name].type.results == ("i64",) else 32
        assert result == [ERR_PARACHAIN_ONLY & ((1 << width) - 1)] and env.gas.consumed == GAS_TABLE[name].base


# --------------------------------------------------------------------------
# §8.2 context, §8.3 events
# --------------------------------------------------------------------------


@case("parachain_id", "OK", "gas: 5 base")
def case_parachain_id():
    _r, result, window, gas, _o = probe(setup(), "parachain_id", probe_calldata(OUT, window=32))
    assert result == 0 and window == ALPHA == parachain_id("alpha") and gas == [5]


@case("parachain_version", "OK", "gas: 5 base")
def case_parachain_version():
    """Version 0 is the registered module; the current version otherwise
    (a pre-state at version 1 here; the upgrade flow in
    ``test_parachain_governance.py``)."""
    _r, result, _w, gas, _o = probe(setup(), "parachain_version", probe_calldata())
    assert result == 0 and gas == [5]
    v0, v1 = probe_module("old"), probe_module()
    versions = [{"code": h(v0), "activated_at_wave": 0, "deactivated_at_wave": 50, "config": FAST_CFG},
                {"code": h(v1), "activated_at_wave": 50, "config": FAST_CFG}]
    doc = ChainDoc()
    doc.doc["parachains"] = {h(ALPHA): {**base_entry("alpha"), "versions": versions, "current_version": 1}}
    _r, result, _w, gas, _o = probe(doc, "parachain_version", probe_calldata())
    assert result == 1 and gas == [5]


FAST_CFG = FAST_CONFIG


def base_entry(name: str) -> dict:
    return {"name": name, "owner": h(OWNER.address), "validators": [h(v) for v in VALIDATOR_IDS]}


TOPIC = bytes(range(32))


@case("parachain_emit_event", "OK", "gas: 100 base", "gas: 8 / byte")
def case_emit_event():
    """100 + 8 per byte of topic and data; the event is the parachain's
    (ABI §15.8: ``contract_addr = parachain_id``)."""
    for data in (b"", b"some data"):
        calldata = probe_calldata(BLOB, 32, BLOB + 32, len(data), blob=TOPIC + data)
        receipt, result, _w, gas, output = probe(setup(), "parachain_emit_event", calldata)
        assert result == 0 and gas == [row("parachain_emit_event", 32 + len(data))]
        assert receipt["events"] == [{"contract": h(ALPHA), "topic": h(TOPIC), "data": h(data)}]


@case("parachain_emit_event", "ERR_INVALID_INPUT")
def case_emit_event_topic():
    """A topic of 31 bytes: ERR_INVALID_INPUT after the gas, no event."""
    calldata = probe_calldata(BLOB, 31, BLOB + 31, 1, blob=TOPIC[:31] + b"x")
    receipt, result, _w, gas, _o = probe(setup(), "parachain_emit_event", calldata)
    assert result == ERR_INVALID_INPUT and gas == [row("parachain_emit_event", 32)] and receipt["events"] == []


# --------------------------------------------------------------------------
# §8.4 messages
# --------------------------------------------------------------------------


def send_args(target: bytes = BETA, message: bytes = b"hello", callback: bytes = b"on_reply",
              max_gas: int = 200_000, timeout: int = 10, message_len=None) -> bytes:
    blob = target + message + callback
    return probe_calldata(BLOB, BLOB + 32, len(message) if message_len is None else message_len,
                          BLOB + 32 + len(message), len(callback), max_gas, timeout, blob=blob)


@case("send_xparachain_message", "OK", "gas: 10,000 base", "gas: 8 / byte")
def case_send():
    """A positive XCallId, 10,000 + 8 per byte of the message; the message
    is queued in the post-state until the next wave delivers it."""
    for message, expected_id in ((b"", 1), (b"hello", 1)):
        receipt, result, _w, gas, output = probe(setup(), "send_xparachain_message", send_args(message=message))
        assert result == expected_id and gas == [row("send_xparachain_message", len(message))]
        queued = output["post_state"]["xcalls"]["1"]
        assert queued["message"] == h(message) and queued["status"] == "queued"


@case("send_xparachain_message", "ERR_INVALID_INPUT")
def case_send_invalid_input():
    """ERR_INVALID_INPUT: a target that is no parachain, a killed target, a
    message above 64 KB, a negative or too large ``max_callback_gas``, a
    ``timeout_waves`` of 0, negative or above the maximum; nothing queued."""
    bad = {
        "unknown target": send_args(target=bytes(32)),
        "contract target": send_args(target=USER.address),
        "message above 64 KB": send_args(message=b"", message_len=XCALL_MAX_MESSAGE_SIZE + 1),
        "negative gas": send_args(max_gas=-1),
        "gas above the maximum": send_args(max_gas=XCALL_MAX_CALLBACK_GAS + 1),
        "timeout 0": send_args(timeout=0),
        "negative timeout": send_args(timeout=-5),
        "timeout above the maximum": send_args(timeout=XCALL_MAX_TIMEOUT_WAVES + 1),
    }
    for what, calldata in bad.items():
        _r, result, _w, gas, output = probe(setup(), "send_xparachain_message", calldata)
        assert result == ERR_INVALID_INPUT, what
        assert "xcalls" not in output["post_state"], what
    doc = ChainDoc()
    doc.parachain("alpha", probe_module())
    doc.parachain("beta", probe_module("beta"), status="killed")
    _r, result, _w, _g, _o = probe(doc, "send_xparachain_message", send_args())
    assert result == ERR_INVALID_INPUT


@case("send_xparachain_message", "ERR_INVALID_FUNCTION_NAME")
def case_send_unknown_callback():
    """The callback must be a public function of the sender's running
    module, named in UTF-8."""
    for callback in (b"no_such_function", b"\xff\xfe"):
        _r, result, _w, gas, output = probe(setup(), "send_xparachain_message", send_args(callback=callback))
        assert result == ERR_INVALID_FUNCTION_NAME and "xcalls" not in output["post_state"]


def sends(n: int) -> list[dict]:
    return [call(ALPHA, "probe_send_xparachain_message", send_args()) for _ in range(n)]


@case("send_xparachain_message", "ERR_XCALL_RATE_LIMITED")
def case_rate_limit():
    """The 65th message of a wave (the default budget of 64, ABI §8.4) gets
    ERR_XCALL_RATE_LIMITED (a code, not §9's trap); the next wave has a new
    budget."""
    doc = setup()
    doc.wave(*sends(65))
    doc.wave(*sends(1))
    output = doc.run()
    results = [probe_result(bytes.fromhex(r["return_data"][2:]))[0] for r in receipts(output, 0)]
    assert results == list(range(1, 65)) + [ERR_XCALL_RATE_LIMITED]
    refused = receipts(output, 0)[64]
    assert {w["table"] for w in refused["writes"]} == {"account", "protocol"}  # fee and nonce: nothing queued
    delivered = [r for r in receipts(output, 1) if r.get("xcall")]
    assert len(delivered) == 64
    next_wave = [r for r in receipts(output, 1) if "xcall" not in r]
    assert probe_result(bytes.fromhex(next_wave[0]["return_data"][2:]))[0] == 65  # the refused one used no id


def test_rate_limit_is_the_parachains_configured_budget():
    doc = setup(config={**FAST_CFG, "xcall_rate_limit": 2})
    doc.wave(*sends(3))
    results = [probe_result(bytes.fromhex(r["return_data"][2:]))[0] for r in receipts(doc.run(), 0)]
    assert results == [1, 2, ERR_XCALL_RATE_LIMITED]


# --------------------------------------------------------------------------
# §8.5 threshold cryptography
# --------------------------------------------------------------------------


def threshold_doc(**protocol) -> ChainDoc:
    doc = setup()
    doc.doc["protocol"] = {"threshold_key": h(COMMITTEE_PK), **protocol}
    return doc


def encrypt_args(plaintext: bytes, capacity: int) -> bytes:
    """plaintext at BLOB, the capacity (u32) after it, the envelope at OUT."""
    return probe_calldata(BLOB, len(plaintext), OUT, BLOB + len(plaintext),
                          window=threshold.envelope_size(len(plaintext)), blob=plaintext + u32(capacity))


@case("threshold_encrypt", "OK", "gas: 80,000 base", "gas: 100 / byte")
def case_encrypt():
    """80,000 + 100 per byte of plaintext; the envelope opens with the
    committee's key (the ceremony's stand-in) and is what every validator
    writes (the reference's own deterministic envelope)."""
    for plaintext in (b"", b"sealed bid: 42"):
        size = threshold.envelope_size(len(plaintext))
        _r, result, window, gas, _o = probe(threshold_doc(), "threshold_encrypt", encrypt_args(plaintext, size))
        assert result == 0 and gas == [row("threshold_encrypt", len(plaintext))]
        envelope_id, secret = threshold.ceremony_decapsulate(COMMITTEE_SK, window)
        assert threshold.decrypt(window, {envelope_id: secret}) == plaintext


@case("threshold_encrypt", "ERR_OUTPUT_BUFFER_TOO_SMALL")
def case_encrypt_too_small():
    plaintext = b"x" * 10
    _r, result, window, gas, _o = probe(threshold_doc(), "threshold_encrypt",
                                        encrypt_args(plaintext, threshold.envelope_size(10) - 1))
    assert result == ERR_OUTPUT_BUFFER_TOO_SMALL and gas == [row("threshold_encrypt", 10)] and window == bytes(len(window))


@case("threshold_encrypt", "trap: host_internal")
def case_encrypt_without_a_committee_key():
    """A chain without a threshold key cannot encrypt: ``host_internal``
    (ABI §4 ERR_INTERNAL, "surfaces as a trap"), the gas charged first."""
    doc = setup()
    doc.wave(call(ALPHA, "probe_threshold_encrypt", encrypt_args(b"x", 2000)))
    receipt = receipts(doc.run(), 0)[0]
    assert receipt["status"] == "trap" and receipt["trap"] == "host_internal"


def sealed(plaintext: bytes) -> tuple[bytes, bytes, bytes]:
    context = threshold.EncryptionContext(7, 1, 1, bytes(32), ALPHA, 0)
    envelope = threshold.encrypt(COMMITTEE_PK, plaintext, context)
    envelope_id, secret = threshold.ceremony_decapsulate(COMMITTEE_SK, envelope)
    return envelope, envelope_id, secret


def decrypt_args(envelope: bytes, capacity: int) -> bytes:
    return probe_calldata(BLOB, len(envelope), OUT, BLOB + len(envelope), window=max(capacity, 0),
                          blob=envelope + u32(capacity))


def combined(envelope_id: bytes, secret: bytes, from_wave: int = 0) -> dict:
    return {"threshold_combined": [{"envelope_id": h(envelope_id), "shared_secret": h(secret), "from_wave": from_wave}]}


@case("threshold_decrypt", "OK", "gas: 100,000 base", "gas: 50 / byte")
def case_decrypt():
    """100,000 + 50 per byte of ciphertext; the plaintext and its length."""
    for plaintext in (b"", b"the bid"):
        envelope, envelope_id, secret = sealed(plaintext)
        _r, result, window, gas, _o = probe(threshold_doc(**combined(envelope_id, secret)), "threshold_decrypt",
                                            decrypt_args(envelope, len(plaintext)))
        assert result == 0 and window == plaintext and gas == [row("threshold_decrypt", len(envelope))]


@case("threshold_decrypt", "ERR_CIPHERTEXT_INVALID")
def case_decrypt_invalid():
    """Too short, an unknown version, a tampered tag."""
    envelope, envelope_id, secret = sealed(b"the bid")
    tampered = envelope[:-1] + bytes([envelope[-1] ^ 1])
    doc_fields = combined(threshold.envelope_id(tampered), secret)
    for what, ciphertext, protocol in (("short", envelope[:100], {}),
                                       ("version", b"\x02" + envelope[1:], {}),
                                       ("tag", tampered, doc_fields)):
        _r, result, _w, gas, _o = probe(threshold_doc(**protocol), "threshold_decrypt", decrypt_args(ciphertext, 64))
        assert result == ERR_CIPHERTEXT_INVALID and gas == [row("threshold_decrypt", len(ciphertext))], what


@case("threshold_decrypt", "ERR_FORBIDDEN")
def case_decrypt_not_combined():
    """Before the committee combined its shares (no record), or before the
    wave from which its result counts: ERR_FORBIDDEN."""
    envelope, envelope_id, secret = sealed(b"the bid")
    for protocol in ({}, combined(envelope_id, secret, from_wave=10**6)):
        _r, result, _w, _g, _o = probe(threshold_doc(**protocol), "threshold_decrypt", decrypt_args(envelope, 64))
        assert result == ERR_FORBIDDEN


@case("threshold_decrypt", "ERR_OUTPUT_BUFFER_TOO_SMALL")
def case_decrypt_too_small():
    envelope, envelope_id, secret = sealed(b"the bid")
    _r, result, window, _g, _o = probe(threshold_doc(**combined(envelope_id, secret)), "threshold_decrypt",
                                       decrypt_args(envelope, 6))
    assert result == ERR_OUTPUT_BUFFER_TOO_SMALL and window == bytes(6)


# --------------------------------------------------------------------------
# gas is charged before the work: one unit short traps and changes nothing
# --------------------------------------------------------------------------

SHORT_OF_GAS = {
    "parachain_storage_read": read_args(16),
    "parachain_storage_write": probe_calldata(BLOB, len(KEY), BLOB, len(KEY), blob=KEY),
    "parachain_storage_delete": probe_calldata(BLOB, len(KEY), blob=KEY),
    "parachain_id": probe_calldata(OUT),
    "parachain_version": probe_calldata(),
    "parachain_emit_event": probe_calldata(BLOB, 32, BLOB, 32, blob=TOPIC),
    "send_xparachain_message": send_args(),
    "threshold_encrypt": encrypt_args(b"abc", 2000),
}


@case("parachain_storage_read", "trap: out_of_fuel")
@case("parachain_storage_write", "trap: out_of_fuel")
@case("parachain_storage_delete", "trap: out_of_fuel")
@case("parachain_id", "trap: out_of_fuel")
@case("parachain_version", "trap: out_of_fuel")
@case("parachain_emit_event", "trap: out_of_fuel")
@case("send_xparachain_message", "trap: out_of_fuel")
@case("threshold_encrypt", "trap: out_of_fuel")
@case("threshold_decrypt", "trap: out_of_fuel")
def case_out_of_gas():
    """With one unit of gas less than the call needs, the host function
    traps ``out_of_fuel`` charging nothing (ABI §5), and the transaction's
    writes, events and messages are gone."""
    envelope, envelope_id, secret = sealed(b"x")
    calls = dict(SHORT_OF_GAS, threshold_decrypt=decrypt_args(envelope, 8))
    for name, calldata in calls.items():
        doc = threshold_doc(**combined(envelope_id, secret))
        doc.doc["parachains"][h(ALPHA)]["storage"] = {h(KEY): h(b"12345")}
        doc.wave(call(ALPHA, f"probe_{name}", calldata))
        calls = HostCalls()
        observed_run(doc, calls)
        index = max(i for i, e in enumerate(calls.events) if e.name == f"pyde.{name}")
        limit = doc.doc["waves"][-1]["txs"][0]["gas_limit"]
        used_before = limit - calls.fuel_at_call[index]
        doc.doc["waves"][-1]["txs"][0]["gas_limit"] = used_before + GAS_TABLE[name].base - 1
        output, events = observed_run(doc)
        short = receipts(output, -1)[-1]
        assert short["status"] == "trap" and short["trap"] == "out_of_fuel", name
        assert [e for e in events if e.name == f"pyde.{name}"][-1].gas == 0, name
        assert short["events"] == [] and not any(w["table"] in ("parachain_storage", "xcall")
                                                 for w in short["writes"]), name


# --------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name):
    CASES[name]()


def test_the_table_is_covered():
    """Every function x code x gas term of :data:`EXPECTED` has a case, and
    no case claims anything outside it."""
    covered: dict = {fn: set() for fn in EXPECTED}
    for function, items, _name in COVERAGE:
        covered[function].update(items)
    assert set(EXPECTED) == set(PARACHAIN_FUNCTIONS)
    assert covered == EXPECTED


def test_every_error_code_named_is_an_abi_code():
    for items in EXPECTED.values():
        for item in items:
            if item.startswith("ERR_"):
                assert error_name(globals()[item]) == item
