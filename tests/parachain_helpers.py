"""Parachain tests as chain documents: a *probe* parachain module with one
entry per ABI §8 function, seven committee validators whose keys sign
votes, and :class:`ChainDoc`, which builds a ``pyde-ref chain`` document
(the format of ``spec/wave-format.md``, so every test is a document a
fixture generator can take as it is) and runs it.

The probe's entries (``probe_<function>``) take their arguments from the
calldata: eight u64 slots (little-endian) then a blob.  The calldata is
copied to :data:`CALLDATA` (so the blob starts at :data:`BLOB`); slot ``k``
is the ``k``-th argument of the host function (pointers are absolute
memory addresses); slot 7 is the length of the memory window returned.
The entry returns ``result (i64 LE) || memory[OUT .. OUT + window]``.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Optional

from paths import REPO
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.handlers.parachains import committee_message, proposal_hash, vote_message
from pyde_ref.executor.testing import build_parachain, import_lines, load_keys, wat_string
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import document_output, parse_chain
from pyde_ref.state.parachains import VoteChoice, parachain_id

KEYS = load_keys(REPO / "vectors" / "test-keys.json")
PARACHAIN_VALIDATORS = load_keys(REPO / "vectors" / "parachain-validator-keys.json")
VALIDATOR_KEYS = [PARACHAIN_VALIDATORS[f"parachain-validator-{i}"] for i in range(1, 8)]
VALIDATOR_IDS = [poseidon2_hash(k.public_key) for k in VALIDATOR_KEYS]

CHAIN_ID = 7
CALLDATA = 0x10000
BLOB = CALLDATA + 64
OUT = 0x2000
RESULT = OUT - 8

OWNER = KEYS["alice"]
USER = KEYS["bob"]
RICH = 10**24

HOST_ARGS = {
    # name: wasm types of the arguments, result type
    "parachain_storage_read": ("i32 i32 i32 i32", "i32"),
    "parachain_storage_write": ("i32 i32 i32 i32", "i32"),
    "parachain_storage_delete": ("i32 i32", "i32"),
    "parachain_id": ("i32", "i32"),
    "parachain_version": ("", "i32"),
    "parachain_emit_event": ("i32 i32 i32 i32", "i32"),
    "send_xparachain_message": ("i32 i32 i32 i32 i32 i64 i64", "i64"),
    "threshold_encrypt": ("i32 i32 i32 i32", "i32"),
    "threshold_decrypt": ("i32 i32 i32 i32", "i32"),
}
PROBES = [f"probe_{name}" for name in HOST_ARGS]


def h(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def _probe(name: str) -> str:
    params, result = HOST_ARGS[name]
    loads = " ".join(f"(i{t[1:]}.load (i32.const {CALLDATA + 8 * k}))" for k, t in enumerate(params.split()))
    value = f"(call ${name} {loads})"
    if result == "i32":
        value = f"(i64.extend_i32_s {value})"
    return f"""
  (func (export "probe_{name}")
    (call $load)
    (i64.store (i32.const {RESULT}) {value})
    (call $return (i32.const {RESULT}) (i32.add (i32.const 8) (i32.load (i32.const {CALLDATA + 56})))))"""


REPLY_KEY = b"last_reply"
MESSAGE_KEY = b"last_message"
CALLER_KEY = b"last_caller"
REPLY_TOPIC = b"pyde-ref parachain probe: reply.."
MESSAGE_TOPIC = b"pyde-ref parachain probe: message"[:32]


def probe_wat(marker: str = "v0") -> str:
    """The probe parachain; ``marker`` makes a different module (an upgrade)."""
    data = [(0x100, REPLY_KEY), (0x140, MESSAGE_KEY), (0x180, CALLER_KEY), (0x200, REPLY_TOPIC),
            (0x240, MESSAGE_TOPIC), (0x280, marker.encode())]
    segments = "\n".join(f'  (data (i32.const {a}) "{wat_string(b)}")' for a, b in data)
    imports = import_lines(["calldata_size", "calldata_copy", "return", "caller"] + list(HOST_ARGS))
    return f"""(module
{imports}
  (memory (export "memory") 4)
{segments}
  (func $load (drop (call $calldata_copy (i32.const 0) (call $calldata_size) (i32.const {CALLDATA}))))
{''.join(_probe(n) for n in HOST_ARGS)}
  (func (export "on_reply")
    (call $load)
    (drop (call $parachain_storage_write (i32.const 0x100) (i32.const {len(REPLY_KEY)})
                                         (i32.const {CALLDATA}) (call $calldata_size)))
    (drop (call $parachain_emit_event (i32.const 0x200) (i32.const 32) (i32.const {CALLDATA}) (call $calldata_size))))
  (func (export "receive_xparachain_message")
    (call $load)
    (drop (call $parachain_storage_write (i32.const 0x140) (i32.const {len(MESSAGE_KEY)})
                                         (i32.const {CALLDATA}) (call $calldata_size)))
    (drop (call $caller (i32.const 0x3000)))
    (drop (call $parachain_storage_write (i32.const 0x180) (i32.const {len(CALLER_KEY)})
                                         (i32.const 0x3000) (i32.const 32)))
    (drop (call $parachain_emit_event (i32.const 0x240) (i32.const 32) (i32.const {CALLDATA}) (call $calldata_size)))
    (call $return (i32.const {CALLDATA}) (call $calldata_size)))
  (func (export "marker") (call $return (i32.const 0x280) (i32.const {len(marker)})))
)"""


PROBE_FUNCTIONS = PROBES + ["on_reply", "receive_xparachain_message", "marker"]


def probe_module(marker: str = "v0", functions=None) -> bytes:
    return build_parachain(probe_wat(marker), functions if functions is not None else PROBE_FUNCTIONS)


def probe_calldata(*args: int, window: int = 0, blob: bytes = b"") -> bytes:
    """Slots 0-6 from ``args`` (each a u64, two's complement for negative
    i64s), slot 7 the window, then the blob (at :data:`BLOB`)."""
    slots = list(args) + [0] * (7 - len(args))
    return b"".join((a & (2**64 - 1)).to_bytes(8, "little") for a in slots) + window.to_bytes(8, "little") + blob


def probe_result(return_data: bytes) -> tuple[int, bytes]:
    """``(signed result, window)`` of a probe's return data."""
    return int.from_bytes(return_data[:8], "little", signed=True), return_data[8:]


# --------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------


def account(key, balance: int = RICH) -> dict:
    return {"balance": str(balance), "auth_keys": {"single": h(key.public_key)}}


def validators_section(keys=VALIDATOR_KEYS, activation_epoch: int = 0) -> dict:
    """Validators active from ``activation_epoch`` (their ids: Poseidon2 of
    their keys), each staked by its own key's address."""
    out = {}
    for k in keys:
        out[h(poseidon2_hash(k.public_key))] = {
            "stake_account": h(k.address), "stake": str(10_000 * 10**9),
            "keys": [{"from_epoch": 0, "public_key": h(k.public_key)}],
            "registered_wave": 0, "activation_epoch": activation_epoch}
    return out


FAST_CONFIG = {"discussion_waves": 1, "voting_waves": 2, "grace_period_waves": 3}


def genesis_parachain(name: str, code: bytes, owner=OWNER, validators=None, config=None, **fields) -> dict:
    entry = {"name": name, "owner": h(owner.address), "code": h(code),
             "validators": [h(v) for v in (VALIDATOR_IDS if validators is None else validators)],
             "config": dict(FAST_CONFIG if config is None else config), "deposit": str(1_000 * 10**9)}
    entry.update(fields)
    return entry


class ChainDoc:
    """A chain document under construction: ``prestate`` sections, then
    :meth:`wave` after :meth:`wave`; :meth:`run` applies it."""

    def __init__(self, first_wave: int = 100, **sections):
        self.doc: dict[str, Any] = {"unsigned": True, "waves": [],
                                    "accounts": {h(OWNER.address): account(OWNER), h(USER.address): account(USER)},
                                    "validators": validators_section()}
        for key, value in sections.items():
            self.doc[key] = value
        self.next_wave = first_wave

    def parachain(self, name: str, code: bytes, **fields) -> bytes:
        pid = parachain_id(name)
        self.doc.setdefault("parachains", {})[h(pid)] = genesis_parachain(name, code, **fields)
        return pid

    def wave(self, *txs: dict, wave_id: Optional[int] = None) -> int:
        wave_id = self.next_wave if wave_id is None else wave_id
        self.doc["waves"].append({"context": {"chain_id": CHAIN_ID, "block_height": wave_id, "wave_id": wave_id,
                                              "block_timestamp": 1_750_000_000 + wave_id, "base_fee": 1},
                                  "txs": list(txs)})
        self.next_wave = wave_id + 1
        return wave_id

    def run(self, executor: Optional[WasmExecutor] = None) -> dict:
        document = json.loads(json.dumps(self.doc))
        parsed = parse_chain(document)
        executor = executor or WasmExecutor(ExecutorConfig())
        return document_output(parsed, run_document(parsed, executor=executor))


def call(to: bytes, function: str, calldata: bytes = b"", sender=USER, gas_limit: int = 2_000_000, **fields) -> dict:
    return {"type": "call", "from": h(sender.address), "to": h(to), "function": function,
            "calldata": h(calldata), "gas_limit": gas_limit, **fields}


def op(kind: str, sender=OWNER, gas_limit: int = 2_000_000, **fields) -> dict:
    out = {"type": kind, "from": h(sender.address), "gas_limit": gas_limit}
    out.update({k: (h(v) if isinstance(v, bytes) else v) for k, v in fields.items()})
    return out


def vote(pid: bytes, proposal_id: int, wasm_hash: bytes, config, signer_index: int, choice: str = "yes",
         sender=USER, validator: Optional[bytes] = None) -> dict:
    """A ``parachain_vote`` signed by parachain validator ``signer_index``
    (``config`` the proposal's, as a :class:`ParachainConfig`)."""
    key = VALIDATOR_KEYS[signer_index]
    message = vote_message(CHAIN_ID, pid, proposal_id, proposal_hash(pid, proposal_id, wasm_hash, config),
                           {n: v for v, n in VoteChoice.NAMES.items()}[choice])
    return op("parachain_vote", sender=sender, parachain=pid, proposal=proposal_id,
              validator=validator or VALIDATOR_IDS[signer_index], choice=choice, vote_signature=key.sign(message))


def committee(pid: bytes, proposal_id: int, wasm_hash: bytes, config, signers) -> list:
    message = committee_message(CHAIN_ID, pid, proposal_id, proposal_hash(pid, proposal_id, wasm_hash, config))
    return [{"validator": h(VALIDATOR_IDS[i]), "signature": h(VALIDATOR_KEYS[i].sign(message))} for i in signers]


def receipts(output: dict, wave: int) -> list[dict]:
    return output["waves"][wave]["receipts"]


def assert_rejected_in(doc: ChainDoc, wave: int, index: int, code: str, output: Optional[dict] = None) -> dict:
    """Transaction ``index`` of wave ``wave`` is rejected with ``code`` and
    changes nothing (spec/transaction-rejections.md: no fee, no nonce, no
    write): its receipt charges nothing, and the chain run without it ends
    in the same state -- every wave's state digest and the whole post-state
    equal.  ``output`` is ``doc.run()`` when the caller already has it."""
    output = output or doc.run()
    txs = doc.doc["waves"][wave]["txs"]
    got = receipts(output, wave)
    receipt = got[len(got) - len(txs) + index]  # engine receipts come first
    assert (receipt["status"], receipt["code"]) == ("rejected", code), receipt
    assert (receipt["gas_used"], receipt["fee"], receipt["writes"], receipt["events"]) == (0, None, [], []), receipt
    without = copy.deepcopy(doc)
    del without.doc["waves"][wave]["txs"][index]
    twin = without.run()
    assert [w["state_digest"] for w in output["waves"]] == [w["state_digest"] for w in twin["waves"]]
    assert (output["state_digest"], output["post_state"]) == (twin["state_digest"], twin["post_state"])
    return receipt
