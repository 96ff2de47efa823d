"""Parachains on the wasmtime twin (issue 12, item 5): the executor is
shared, so registration, governance and the engine's message transactions
are the same code; the parachain modules -- their ABI §8 calls, deliveries
and callbacks -- run on wasmtime.  The example chain and a chain calling
every §8 function agree, under both twins."""

from __future__ import annotations

import json

import pytest

from paths import EXAMPLES

pytest.importorskip("wasmtime")

from parachain_helpers import (  # noqa: E402
    BLOB,
    OUT,
    ChainDoc,
    call,
    h,
    probe_calldata,
    probe_module,
)
from pyde_ref.crypto import threshold  # noqa: E402
from pyde_ref.diff.wave_diff import diff_wave, wave_modules  # noqa: E402
from pyde_ref.executor.wave_json import parse_chain  # noqa: E402
from pyde_ref.state.parachains import parachain_id  # noqa: E402

EXAMPLE = EXAMPLES / "parachains" / "message-and-upgrade.json"
ALPHA, BETA = parachain_id("alpha"), parachain_id("beta")
PK, SK = threshold.committee_keypair(bytes(range(64)))


def test_the_example_chain_agrees(twin):
    verdict, outputs = diff_wave(json.loads(EXAMPLE.read_text(encoding="utf-8")), str(EXAMPLE.parent), twin.version)
    assert verdict.category == "agree", verdict.to_json()
    kinds = [r["tx_type"] for w in outputs["wasmtime"]["waves"] for r in w["receipts"]]
    assert kinds.count("XCallDelivery") == 3 and kinds.count("XCallCallback") == 3


def every_function_chain() -> dict:
    """Each §8 function on its success path, plus refusals that return a
    code, and a message across three waves."""
    envelope = threshold.encrypt(PK, b"bid", threshold.EncryptionContext(1, 1, 1, bytes(32), ALPHA, 0))
    envelope_id, secret = threshold.ceremony_decapsulate(SK, envelope)
    doc = ChainDoc(protocol={"threshold_key": h(PK), "threshold_combined": [
        {"envelope_id": h(envelope_id), "shared_secret": h(secret), "from_wave": 0}]})
    doc.parachain("alpha", probe_module(), storage={h(b"k"): h(b"value")})
    doc.parachain("beta", probe_module("beta"))
    cap = (4096).to_bytes(4, "little")
    send = BETA + b"hi" + b"on_reply"
    doc.wave(
        call(ALPHA, "probe_parachain_storage_read", probe_calldata(BLOB, 1, OUT, BLOB + 1, window=5, blob=b"k" + cap)),
        call(ALPHA, "probe_parachain_storage_read",
             probe_calldata(BLOB, 1, OUT, BLOB + 1, window=4, blob=b"k" + (2).to_bytes(4, "little"))),
        call(ALPHA, "probe_parachain_storage_write", probe_calldata(BLOB, 1, BLOB + 1, 3, blob=b"xyzw")),
        call(ALPHA, "probe_parachain_storage_delete", probe_calldata(BLOB, 1, blob=b"k")),
        call(ALPHA, "probe_parachain_id", probe_calldata(OUT, window=32)),
        call(ALPHA, "probe_parachain_version", probe_calldata()),
        call(ALPHA, "probe_parachain_emit_event", probe_calldata(BLOB, 32, BLOB, 40, blob=bytes(40))),
        call(ALPHA, "probe_parachain_emit_event", probe_calldata(BLOB, 31, BLOB, 1, blob=bytes(32))),
        call(ALPHA, "probe_send_xparachain_message",
             probe_calldata(BLOB, BLOB + 32, 2, BLOB + 34, 8, 200_000, 5, blob=send)),
        call(ALPHA, "probe_send_xparachain_message",
             probe_calldata(BLOB, BLOB + 32, 2, BLOB + 34, 3, 200_000, 5, blob=send)),
        call(ALPHA, "probe_threshold_encrypt",
             probe_calldata(BLOB, 3, OUT, BLOB + 3, window=threshold.envelope_size(3), blob=b"bid" + cap)),
        call(ALPHA, "probe_threshold_decrypt",
             probe_calldata(BLOB, len(envelope), OUT, BLOB + len(envelope), window=3, blob=envelope + cap)),
        call(ALPHA, "probe_threshold_decrypt", probe_calldata(BLOB, 10, OUT, BLOB + 10, blob=bytes(10) + cap)),
        call(ALPHA, "probe_parachain_storage_read", probe_calldata(BLOB, 1, OUT, BLOB + 1, blob=b"k" + cap),
             gas_limit=300),
    )
    doc.wave()
    doc.wave()
    return json.loads(json.dumps(doc.doc))


def test_every_parachain_function_agrees(twin):
    document = every_function_chain()
    verdict, outputs = diff_wave(document, None, twin.version)
    assert verdict.category == "agree", verdict.to_json()
    first = outputs["wasmtime"]["waves"][0]["receipts"]
    assert [r["status"] for r in first] == ["success"] * 13 + ["trap"]
    assert [r["tx_type"] for w in outputs["wasmtime"]["waves"][1:] for r in w["receipts"]] == \
        ["XCallDelivery", "XCallCallback"]


def test_parachain_modules_are_classified_with_the_wave():
    document = parse_chain(every_function_chain())
    assert probe_module() in wave_modules(document) and probe_module("beta") in wave_modules(document)
    example = parse_chain(json.loads(EXAMPLE.read_text(encoding="utf-8")), str(EXAMPLE.parent))
    assert len(wave_modules(example)) == 3  # alpha, beta and the proposed beta v1
