"""The parachain example (``examples/parachains/``), as the README's tour
runs it: two parachains exchanging a message with a callback, and an
upgrade of one activating after its grace period.  Pinned: the summary
(receipts per wave under both fuel models), the document as the generator
writes it; read out of the JSON: the delivery and the callback with its
context, the version switch at the activation wave."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json

import jsonschema
import pytest

from paths import EXAMPLES, REPO
from pyde_ref.cli import main
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.testing import load_keys
from pyde_ref.state.borsh import Reader
from pyde_ref.state.parachains import parachain_id

HERE = EXAMPLES / "parachains"
DOCUMENT = HERE / "message-and-upgrade.json"
ALPHA, BETA = parachain_id("alpha"), parachain_id("beta")
BOB = load_keys(REPO / "vectors" / "test-keys.json")["bob"]

PINNED = """\
== wave 100
tx 0: success  Standard gas_used=32000 fee=32000000(sender) parachain=0xa915a594@v0 events=0
tx 1: success  Standard gas_used=32000 fee=32000000(sender) parachain=0x2e4447bd@v0 events=0
tx 2: success  Standard gas_used=10114 fee=10114000(sender) return_data=0x0100000000000000 parachain=0xa915a594@v0 events=0
fees         total=74114000 burned=51879800 reward_pool=14822800 treasury=7411400
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x4752ab42a64500121e08071d531a855316a41783a48e7855390acd31303f958e
== wave 101
tx 0: success  XCallDelivery gas_used=6471 return_data=0x706f6e672066726f6d2076303a2068656c6c6f xcall=1 0xa915a594->0x2e4447bd outcome=success parachain=0x2e4447bd@v0 events=1
tx 1: success  Standard gas_used=32000 fee=32000000(sender) parachain=0x2e4447bd@v0 events=0
fees         total=32000000 burned=22400000 reward_pool=6400000 treasury=3200000
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0x1141e4acbf7f0ac37c9ec5797bc85d37f04a6ad3b3e066ba579f411e29b84c92
state_digest 0x274ef78215333c1437ceb6b74658521ba2f9a71eb36f8c65935fb27224feda9c
== wave 102
tx 0: success  XCallCallback gas_used=8669 xcall=1 0xa915a594->0x2e4447bd outcome=success parachain=0xa915a594@v0 events=1
tx 1: success  Standard gas_used=407 fee=407000(sender) return_data=0x0100000000000000e6aee8f46722a4d32acb53592cfb4d124ec3bd81e30de34c52987acd181cdf080400000070696e677be8591bf79cb0336780006574b9ee971c1df8a0282b9cc7aca2220e027c4f3c64000000000000002e4447bd4abb11cfa543e0be1f53cec78934b2ecb9c1a9c7648064d953949c420013000000706f6e672066726f6d2076303a2068656c6c6f parachain=0xa915a594@v0 events=0
fees         total=407000 burned=284900 reward_pool=81400 treasury=40700
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0xb09a22eeded7bdbc2ffcee015fbe652c15aca1d498326e97a5875160a53e257a
state_digest 0x2dd639dcfe67e5e4a4ae0ebf4787cf9292b8cffe1fceff82f695ef4bcfbeb8e5
== wave 103
tx 0: success  Standard gas_used=71000 fee=71000000(sender) parachain=0x2e4447bd@v0 events=0
tx 1: success  Standard gas_used=71000 fee=71000000(sender) parachain=0x2e4447bd@v0 events=0
tx 2: success  Standard gas_used=71000 fee=71000000(sender) parachain=0x2e4447bd@v0 events=0
tx 3: success  Standard gas_used=71000 fee=71000000(sender) parachain=0x2e4447bd@v0 events=0
tx 4: success  Standard gas_used=71000 fee=71000000(sender) parachain=0x2e4447bd@v0 events=0
tx 5: success  Standard gas_used=71000 fee=71000000(sender) parachain=0x2e4447bd@v0 events=0
tx 6: rejected Standard gas_used=0 code=ProposalNotDecided reason=voting ends at wave 107 events=0
fees         total=426000000 burned=298200000 reward_pool=85200000 treasury=42600000
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x4deb86e63e91ae4e283ea903ededca95fa71ee558f4ae15920f2afd21351cc09
== wave 107
tally: parachain 0x2e4447bd4abb11cfa543e0be1f53cec78934b2ecb9c1a9c7648064d953949c42 proposal 1 approved (5 yes, 1 no, 0 abstain of 7)
tx 0: rejected Standard gas_used=0 code=CommitteeQuorumNotMet error_code=-17 (ERR_SIGNATURE_INVALID) reason=4 of 7 signed, quorum 2/3 events=0
tx 1: success  Standard gas_used=271000 fee=271000000(sender) parachain=0x2e4447bd@v1 events=0
tx 2: success  Standard gas_used=10114 fee=10114000(sender) return_data=0x0200000000000000 parachain=0xa915a594@v0 events=0
fees         total=281114000 burned=196779800 reward_pool=56222800 treasury=28111400
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x50b570b8e6e92f0203e19aae0dd8f2d1dbd361ef4286a02d5e1012d3338093f8
== wave 108
tx 0: success  XCallDelivery gas_used=6479 return_data=0x706f6e672066726f6d2076303a20616761696e xcall=2 0xa915a594->0x2e4447bd outcome=success parachain=0x2e4447bd@v0 events=1
fees         total=0 burned=0 reward_pool=0 treasury=0
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0x56437658c7c768ff2ccdc691e94d4c5378c2baf0d1627391b5b9c8a3782df3f8
state_digest 0xb3f5e87d29e1a2bb5838a4cfba9574bd4a3010d2e02a981fd5f95f403a25da86
== wave 111
tx 0: success  XCallCallback gas_used=8669 xcall=2 0xa915a594->0x2e4447bd outcome=success parachain=0xa915a594@v0 events=1
tx 1: success  Standard gas_used=12 fee=12000(sender) return_data=0x00000000 parachain=0x2e4447bd@v0 events=0
tx 2: success  Standard gas_used=10150 fee=10150000(sender) return_data=0x0300000000000000 parachain=0xa915a594@v0 events=0
fees         total=10162000 burned=7113400 reward_pool=2032400 treasury=1016200
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0xa2f420fa2834fbb96e2298a2ec0b15b16d71666e0ef3cc300522b5e5051d53eb
state_digest 0x95bc6c03136de3d099af9fe1b217802ce4bad8bb019bde0b0046d453201f0e7d
== wave 112
parachain 0x2e4447bd4abb11cfa543e0be1f53cec78934b2ecb9c1a9c7648064d953949c42 version 0 -> 1 (0x6e14409e932fec81de6b50ce04c9862f847bad7526337078a493b78c8ad8b356 -> 0x4670d4426dcf092b10cd9cc84db8ad78018252a29cf3060e9496aeb9baf88861)
tx 0: success  XCallDelivery gas_used=6515 return_data=0x706f6e672066726f6d2076313a206f6e6365206d6f7265 xcall=3 0xa915a594->0x2e4447bd outcome=success parachain=0x2e4447bd@v1 events=1
tx 1: success  Standard gas_used=12 fee=12000(sender) return_data=0x01000000 parachain=0x2e4447bd@v1 events=0
fees         total=12000 burned=8400 reward_pool=2400 treasury=1200
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0x8bad5568b4d551ad75258ff2286c00f0807454c064d2f5bee606bd3944c97354
state_digest 0x5afdac42e1d8cfe5bf44345472d640b0836f22408bf5d4240f8c938502e33501
== wave 113
tx 0: success  XCallCallback gas_used=8745 xcall=3 0xa915a594->0x2e4447bd outcome=success parachain=0xa915a594@v0 events=1
tx 1: success  Standard gas_used=411 fee=411000(sender) return_data=0x0300000000000000e6aee8f46722a4d32acb53592cfb4d124ec3bd81e30de34c52987acd181cdf080400000070696e67f08f63f29e649eddfad40f2e1d2aab60005c4c1db75df57b59582e7df47cebe16f000000000000002e4447bd4abb11cfa543e0be1f53cec78934b2ecb9c1a9c7648064d953949c420017000000706f6e672066726f6d2076313a206f6e6365206d6f7265 parachain=0xa915a594@v0 events=0
fees         total=411000 burned=287700 reward_pool=82200 treasury=41100
validator    0x03c2d5975d4194953c351944cabe1e7df563cb27e53652362d574040f54528d1 active
validator    0x0926504441dca6151b8b6552910eba0b7d6123e5b616def007d53b47a8946787 active
validator    0x347f1c47d93d54e9ad4541e25e04e751914ca3c0734c084d291c4faa136d9d43 active
validator    0x39af6facb8d71a69e7c54a8acc489aeaf92af771e758f23327551ecf590c8044 active
validator    0x4c88c95615cca20905681c8dad365068222e302b3c810ad4a032043299650854 active
validator    0x5b37e7900d7ab1ad849bfaeddb971b794c0eadff920d96d14da685d3730141c0 active
validator    0xdd7279c1625d63cadc55460ee74c213bffa5bd1e287bd3883fafc7b422786ed7 active
events_root  0x0f44cb990fd97a5986bead643c6efc2a5e8b5e0f891f156e2135801a10dde8c2
state_digest 0xdd689e2b179ef43f383817496fe3baa609d5ec6297795b1832711fec7be6768a
== final state_digest 0xdd689e2b179ef43f383817496fe3baa609d5ec6297795b1832711fec7be6768a"""


def run(*extra: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["chain", str(DOCUMENT), *extra]) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def output() -> dict:
    return json.loads(run("--json"))


@pytest.mark.parametrize("fuel_model", ["spec", "wasmtime-50"])
def test_summary_pinned(fuel_model):
    assert run("--fuel-model", fuel_model).rstrip("\n") == PINNED


def test_the_readme_tour_runs_it():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pyde-ref chain examples/parachains/message-and-upgrade.json" in readme
    assert {p.name for p in HERE.glob("*.json") if not p.name.endswith(".abi.json")} == {DOCUMENT.name}


def test_document_and_modules_are_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("make_parachains", HERE / "make_examples.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    built = {name: make.module(wat, abi) for name, (wat, abi) in make.MODULES.items()}
    for name, wasm in built.items():
        assert wasm == (HERE / name).read_bytes(), name
    doc, document = make.message_and_upgrade(built["beta-v1.wasm"])
    assert doc.render(document) == DOCUMENT.read_text(encoding="utf-8")


def test_document_and_output_match_the_schema(output):
    schema = json.loads((REPO / "spec" / "wave.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(DOCUMENT.read_text(encoding="utf-8")), schema)
    jsonschema.validate(output, schema)
    assert output["signatures_checked"] is True


def reply(output: dict, wave: int) -> dict:
    """The callback context alpha's last_reply returned in ``wave``."""
    data = bytes.fromhex(output["waves"][wave]["receipts"][-1]["return_data"][2:])
    r = Reader(data)
    return {"id": r.u64("id"), "caller": r.take(32, "caller"), "fn": r.string("fn"), "args": r.take(32, "args"),
            "issued": r.u64("issued"), "target": r.take(32, "target"), "outcome": r.u8("outcome"),
            "result": r.bytes_vec("result")}


def test_the_message_is_delivered_and_called_back(output):
    """Sent at wave 100, delivered at 101 (beta v0 answers), called back at
    102 with the callback context; alpha's ``last_reply`` returns it."""
    waves = output["waves"]
    assert [w["wave_id"] for w in waves] == [100, 101, 102, 103, 107, 108, 111, 112, 113]
    delivery = waves[1]["receipts"][0]
    assert (delivery["tx_type"], delivery["xcall"]["id"], delivery["xcall"]["target"]) == \
        ("XCallDelivery", 1, "0x" + BETA.hex())
    assert bytes.fromhex(delivery["return_data"][2:]) == b"pong from v0: hello"
    callback = waves[2]["receipts"][0]
    assert (callback["tx_type"], callback["xcall"]["outcome"], callback["parachain"]["id"]) == \
        ("XCallCallback", "success", "0x" + ALPHA.hex())
    ping = json.loads(DOCUMENT.read_text(encoding="utf-8"))["waves"][0]["txs"][2]
    assert reply(output, 2) == {"id": 1, "caller": BOB.address, "fn": "ping",
                                "args": poseidon2_hash(bytes.fromhex(ping["calldata"][2:])), "issued": 100,
                                "target": BETA, "outcome": 0, "result": b"pong from v0: hello"}


def test_the_upgrade_activates_after_its_grace_period(output):
    """Proposed at 101, votes at 103 (5 yes, 1 no), an early enactment
    refused; tallied at 107, 4 committee signatures refused, 5 enact it:
    active from 107 + 5 = 112.  At 111 beta says version 0; at 112 the
    switch is in wave_start, beta says version 1 and answers the message
    sent at 111 as v1; the callback at 113 carries v1's reply."""
    waves = output["waves"]
    assert [r["code"] for r in waves[3]["receipts"]] == [None] * 6 + ["ProposalNotDecided"]
    assert waves[4]["wave_start"]["tallies"][0]["status"] == "approved"
    assert [r["code"] for r in waves[4]["receipts"][:2]] == ["CommitteeQuorumNotMet", None]
    assert "parachain_upgrades" not in waves[6]["wave_start"]
    assert bytes.fromhex(waves[6]["receipts"][1]["return_data"][2:]) == (0).to_bytes(4, "little")
    [switch] = waves[7]["wave_start"]["parachain_upgrades"]
    assert (switch["parachain"], switch["wave"], switch["old_version"], switch["new_version"]) == \
        ("0x" + BETA.hex(), 112, 0, 1)
    assert bytes.fromhex(waves[7]["receipts"][0]["return_data"][2:]) == b"pong from v1: once more"
    assert bytes.fromhex(waves[7]["receipts"][1]["return_data"][2:]) == (1).to_bytes(4, "little")
    assert reply(output, 8)["result"] == b"pong from v1: once more"
    beta = output["post_state"]["parachains"]["0x" + BETA.hex()]
    assert beta["current_version"] == 1 and [v.get("deactivated_at_wave") for v in beta["versions"]] == [112, None]
    assert beta["storage"] == {"0x" + b"received".hex(): "0x" + (3).to_bytes(8, "little").hex()}


def test_both_tiers_give_the_same_output(output):
    """The reading tier (spec-literal §4.4) runs the parachains as the fast
    tier does."""
    assert json.loads(run("--json", "--tier", "reading")) == output
