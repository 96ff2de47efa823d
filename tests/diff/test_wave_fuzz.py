"""Whole-wave fuzzing (issue 14, item 3): generated contracts that import the
host ABI, random pre-states and transaction sequences, diffed whole."""

from __future__ import annotations

from paths import REPO
import json
import random

import pytest

pytest.importorskip("wasmtime")

from pyde_ref.diff import actor as ac  # noqa: E402
from pyde_ref.diff import classify as cl  # noqa: E402
from pyde_ref.diff import wave_fuzz as wf  # noqa: E402
from pyde_ref.executor.deploy import validate_deploy  # noqa: E402
from pyde_ref.executor.testing import Chain, address  # noqa: E402

SENDER = address(1)
ACTOR = address(0xAC)
OTHER = address(0xAD)


def _variant(seed: int = 1, **changes) -> ac.ActorVariant:
    import attrs

    return attrs.evolve(ac.ActorVariant.random(random.Random(seed)), **changes)


def _chain(*variants):
    chain = Chain()
    chain.fund(SENDER, 10**15)
    for where, variant in zip((ACTOR, OTHER), variants):
        chain.install(where, ac.build_actor(variant))
    return chain


def test_actor_variants_deploy_and_differ():
    modules = {ac.build_actor(ac.ActorVariant.random(random.Random(i))) for i in range(8)}
    assert len(modules) == 8
    for module in modules:
        names = {f.name for f in validate_deploy(module).abi.functions}
        assert {"run", "peek"} <= names


def test_actor_program_storage_events_and_output():
    variant = _variant(payable=True)
    chain = _chain(variant)
    prog = ac.program(ac.op("SSTORE", bytes([3, 0x42])), ac.op("SLOAD", bytes([3])), ac.op("EMIT", bytes([7, 4])))
    receipt = chain.call(SENDER, ACTOR, "run", prog, gas_limit=5_000_000)
    assert receipt.status == "success", receipt
    out = receipt.return_data
    # prologue value (4), sstore status (4), sload status (4) + value (32), emit status (4)
    assert out[4:8] == bytes(4) and out[8:12] == bytes(4) and out[12:44] == b"\x42" * 32 and out[44:48] == bytes(4)
    assert receipt.events and receipt.events[0].topic == b"\x07" * 32
    assert chain.state.sload(ACTOR, ac.slot_of(variant, 3)) == b"\x42" * 32


def test_actor_cross_calls_carry_programs():
    chain = _chain(_variant(1), _variant(2, reentrant=True))
    inner = ac.op("SSTORE", bytes([1, 9]))
    call = ac.op("CALL", bytes([0]), OTHER, bytes([3]), b"run", bytes([0, 0]), len(inner).to_bytes(2, "little"), inner)
    receipt = chain.call(SENDER, ACTOR, "run", call, gas_limit=5_000_000)
    assert receipt.status == "success", receipt
    assert receipt.return_data[4:8] == bytes(4)  # the cross_call's status: OK
    assert chain.state.sload(OTHER, ac.slot_of(_variant(2), 1)) == b"\x09" * 32


def test_view_entry_refuses_nothing_it_can_reach():
    chain = _chain(_variant(3))
    receipt = chain.call(SENDER, ACTOR, "peek", ac.op("SSTORE", bytes([1, 1])) + ac.op("GAS"), gas_limit=1_000_000)
    # SSTORE is not in the view interpreter: the program stops there
    assert receipt.status == "success" and len(receipt.return_data) == 4


def test_smith_modules_become_contracts():
    from pyde_ref.diff.smith import Smith

    smith = Smith(with_host=True, overrides=wf.WAVE_SMITH_OVERRIDES)
    made = 0
    try:
        for i in range(12):
            rng = random.Random(i)
            wasm = smith.generate(rng.randbytes(800))
            result = wf.contractify(wasm, rng) if wasm is not None else None
            if result is None:
                continue
            module, names = result
            abi = validate_deploy(module).abi
            assert sorted(f.name for f in abi.functions) == sorted(names)
            made += 1
    finally:
        smith.close()
    assert made >= 3


def test_a_wave_is_a_pure_function_of_seed_and_index():
    a, b = wf.generate_wave(7, 3), wf.generate_wave(7, 3)
    assert a.document == b.document and a.modules == b.modules
    assert wf.generate_wave(7, 4).document != a.document


def test_generated_waves_follow_the_wave_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "spec" / "wave.schema.json").read_text())
    input_schema = dict(schema, **{"$ref": "#/$defs/input"})
    for i in range(5):
        jsonschema.validate(wf.generate_wave(11, i).document, input_schema)


def test_a_short_campaign_finds_nothing_unexplained(tmp_path):
    summary = wf.campaign(3, 8, save_dir=str(tmp_path))
    assert summary["waves"] == 8 and summary["txs"] > 8
    assert summary[cl.UNEXPLAINED] == 0, summary["regressions"]
    assert summary[cl.AGREE] + summary[cl.EXPLAINED] + summary[cl.KNOWN_HAZARD] == 8


def test_an_unexplained_wave_is_saved_whole(tmp_path):
    wave = wf.generate_wave(5, 0)
    saved = {"document": wave.document, "modules": [m.hex() for m in wave.modules],
             "verdict": {"category": "unexplained"}}
    path = wf.save_wave(str(tmp_path), "wave-5-0", saved)
    assert json.loads((tmp_path / "waves" / "wave-5-0" / "wave.json").read_text()) == wave.document
    assert len(list((tmp_path / "waves" / "wave-5-0").glob("module-*.wasm"))) == len(wave.modules)
    assert path.endswith("wave-5-0")


@pytest.mark.slow
def test_a_wave_with_a_chain_to_the_frame_cap(twin):
    """The generator's deep chain: DEEP 1100 runs frames until the cap
    refuses the 1,025th, on every backend."""
    from pyde_ref.diff.wave_diff import diff_wave

    document = wf.generate_wave(1, 0).document
    actor_address = next(iter(document["contracts"]))
    document["txs"] = [{"type": "call", "from": next(iter(document["accounts"])), "to": actor_address,
                        "function": "run", "calldata": wf.hex0x(ac.op("DEEP", (1100).to_bytes(2, "little"))),
                        "value": "0", "gas_limit": 200_000_000}]
    document["accounts"][next(iter(document["accounts"]))]["balance"] = str(10**15)
    document["context"]["base_fee"] = 1
    verdict, outputs = diff_wave(document, None, twin.version)
    assert verdict.category in (cl.AGREE, cl.EXPLAINED), verdict.to_json()
    receipt = outputs["wasmtime"]["receipts"][0]
    assert receipt["status"] == "success", receipt
