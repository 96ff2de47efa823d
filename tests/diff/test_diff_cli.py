"""``pyde-ref diff`` and ``pyde-ref fuzz`` (issue 5, part 3)."""

from __future__ import annotations

from paths import CONTRACTS
import json

import pytest

pytest.importorskip("wasmtime")

from pyde_ref import cli  # noqa: E402
from pyde_ref.diff import fuzz, smith  # noqa: E402

LOOP_THEN_TRAP = """(module (memory (export "memory") 1)
  (func (export "f") (param i32) (result i32) (local i32)
    local.get 0 local.set 1
    loop local.get 1 i32.const 1 i32.sub local.tee 1 br_if 0 end
    i32.const 1 local.get 1 i32.div_u))"""


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def loop_module(tmp_path):
    path = tmp_path / "loop.wat"
    path.write_text(LOOP_THEN_TRAP)
    return str(path)


def test_diff_json_explained(capsys, loop_module):
    code, out, _ = run(capsys, "diff", loop_module, "f", "50", "--json")
    record = json.loads(out)
    assert code == 0
    assert record["verdict"]["category"] == "explained"
    assert record["wasmtime"]["trap"] == "integer_divide_by_zero"
    assert record["wasmtime"]["fuel_consumed"] == 0
    assert record["spec"]["fuel_consumed"] > 250


def test_diff_human_output(capsys, loop_module):
    code, out, _ = run(capsys, "diff", loop_module, "f", "3", "--fuel", "10")
    assert code == 0
    assert out.splitlines()[0] in ("agree", "explained")


@pytest.mark.parametrize("argv,message", [
    (["f"], "takes 1 argument"),
    (["f", "x"], "not an integer"),
    (["f", "1", "--fuel", "-3"], "--fuel"),
    (["f", "1", "--fuel", "\u00b2"], "--fuel"),  # a Unicode digit: isdigit() but not int()
])
def test_diff_usage_errors_are_clear(capsys, loop_module, argv, message):
    code, out, _ = run(capsys, "diff", loop_module, *argv, "--json")
    assert code == 2
    assert message in json.loads(out)["error"]


def test_diff_missing_file(capsys, tmp_path):
    code, out, _ = run(capsys, "diff", str(tmp_path / "none.wasm"), "f", "--json")
    assert code == 2 and "cannot read" in json.loads(out)["error"]


def test_fuzz_is_deterministic_and_summarised(capsys, tmp_path):
    argv = ["fuzz", "--cases", "6", "--seed", "7", "--json", "--no-shrink", "--save", str(tmp_path)]
    code, out, _ = run(capsys, *argv)
    first = json.loads(out)
    assert {"cases", "calls", "explained", "known_hazard", "unexplained"} <= set(first)
    assert first["cases"] + first["smith_declined"] == 6
    assert first["calls"] == first["agree"] + first["explained"] + first["known_hazard"] + first["unexplained"]
    assert code == (3 if first["unexplained"] else 0)
    _, again, _ = run(capsys, *argv)
    assert json.loads(again) == first


def test_smith_options_keep_to_pyde_v1():
    options = dict(smith.SMITH_OPTIONS)
    assert "--ensure-termination" in options
    assert int(options["--max-memory32-bytes"]) <= 64 * 1024 * 1024
    for proposal in ("reference-types", "simd", "relaxed-simd", "threads", "tail-call", "exceptions", "gc",
                     "memory64", "custom-page-sizes", "wide-arithmetic", "extended-const"):
        assert options[f"--{proposal}-enabled"] == "false"
    for proposal in ("bulk-memory", "multi-value", "saturating-float-to-int", "sign-extension-ops"):
        assert options[f"--{proposal}-enabled"] == "true"


def test_generated_modules_are_pyde_v1_and_some_import_host_functions():
    from pyde_ref.diff.fuzz import case_rng, function_exports

    plain, host = smith.Smith(), smith.Smith(with_host=True)
    try:
        for i in range(5):
            rng = case_rng(1, i)
            for generator in (plain, host):
                wasm = generator.generate(rng.randbytes(800))
                if wasm is None:
                    continue
                assert function_exports(wasm) is not None  # wasmtime (pyde-v1) accepts it
        assert host.generate(case_rng(1, 99).randbytes(2000)) is not None
    finally:
        plain.close()
        host.close()


def test_case_generation_is_a_pure_function_of_seed_and_index():
    a, b = fuzz.case_rng(3, 4), fuzz.case_rng(3, 4)
    assert [a.random() for _ in range(5)] == [b.random() for _ in range(5)]
    assert fuzz.case_rng(3, 5).random() != fuzz.case_rng(3, 4).random()


def test_diff_call_depth_is_a_known_hazard(capsys, tmp_path):
    path = tmp_path / "rec.wat"
    path.write_text('(module (func $f call $f) (func (export "f") call $f))')
    code, out, _ = run(capsys, "diff", str(path), "f", "--fuel", "10000000", "--json")
    record = json.loads(out)
    assert code == 1
    assert (record["verdict"]["category"], record["verdict"]["hazard"]) == ("known_hazard", "call-depth")
    assert record["wasmtime"]["trap"] == record["spec"]["trap"] == "call_stack_exhausted"


def test_diff_wave_documents(capsys):
    wave = str(CONTRACTS / "genesis-wave.json")
    code, out, _ = run(capsys, "diff", "--wave", wave, "--json")
    assert code == 0
    record = json.loads(out)
    assert record["verdict"]["category"] == "agree"
    assert record["outputs"]["wasmtime"] == record["outputs"]["spec"]


@pytest.mark.parametrize("document,message", [
    ("{", "not a JSON document"),
    ('{"txs": 3}', "context"),
])
def test_diff_wave_usage_errors(capsys, tmp_path, document, message):
    path = tmp_path / "wave.json"
    path.write_text(document)
    code, out, _ = run(capsys, "diff", "--wave", str(path), "--json")
    assert code == 2 and message in json.loads(out)["error"]


# --------------------------------------------------------------------------
# diff --contract: one contract call with calldata (issue 15, item 4)
# --------------------------------------------------------------------------

ALICE = "a1" * 32
BOB = "b0" * 32


def _amount(n: int) -> str:
    return n.to_bytes(16, "little").hex()


def test_diff_contract_real_token_transfer(capsys):
    """The example token: initialize (owner := sender), mint 1000 to the
    sender, then the call under test: transfer 250 to Bob."""
    code, out, _ = run(capsys, "diff", "--contract", str(CONTRACTS / "token.wasm"), "--function", "transfer",
                       "--calldata", "0x" + BOB + _amount(250),
                       "--before", "initialize", "--before", "mint:0x" + ALICE + _amount(1000), "--json")
    record = json.loads(out)
    assert code == 0, record["verdict"]
    assert record["verdict"]["category"] == "agree"
    transfer = record["outputs"]["wasmtime"]["receipts"][-1]
    assert transfer["status"] == "success" and transfer["revert_reason"] == "0x"
    (event,) = transfer["events"]
    assert event["data"] == "0x" + ALICE + BOB + _amount(250)  # Transfer(from, to, amount)
    assert record["outputs"]["wasmtime"] == record["outputs"]["spec"] == record["outputs"]["model"]


def test_diff_contract_with_storage_instead_of_setup_calls(capsys):
    """The same transfer from a pre-state given slot by slot (the token's
    balance slot: self[0..16] || blake3(disc 1 || holder)[0..16])."""
    import blake3

    contract = bytes.fromhex("c0" * 32)
    slot = contract[:16] + blake3.blake3(b"\x01" + bytes.fromhex(ALICE)).digest()[:16]
    code, out, _ = run(capsys, "diff", "--contract", str(CONTRACTS / "token.wasm"), "--function", "transfer",
                       "--calldata", "0x" + BOB + _amount(250),
                       "--storage", f"0x{slot.hex()}=0x{_amount(1000)}{'00' * 16}", "--json")
    record = json.loads(out)
    assert code == 0 and record["outputs"]["wasmtime"]["receipts"][0]["status"] == "success", record


def test_diff_contract_human_output_and_revert(capsys):
    code, out, _ = run(capsys, "diff", "--contract", str(CONTRACTS / "token.wasm"), "--function", "transfer",
                       "--calldata", "0x00")
    assert code == 0
    assert out.splitlines()[0] == "agree"
    assert "revert" in out and "[transfer]" in out  # "bad calldata": the call reverts on both


def test_diff_contract_with_a_state_document(capsys, tmp_path):
    state = {"accounts": {"0x" + BOB: {"balance": "5"}},
             "context": {"chain_id": 1, "block_height": 2, "wave_id": 2, "block_timestamp": 3, "base_fee": 0}}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    code, out, _ = run(capsys, "diff", "--contract", str(CONTRACTS / "token.wasm"), "--function", "total_supply",
                       "--state", str(path), "--json")
    record = json.loads(out)
    assert code == 0
    assert record["outputs"]["wasmtime"]["receipts"][0]["return_data"] == "0x" + _amount(0)


@pytest.mark.parametrize("argv,message", [
    (["--calldata", "0x1"], "--calldata: hex string has an odd number of digits"),
    (["--calldata", "0xzz"], "--calldata: not a hex string"),
    (["--calldata", "0x01 02"], "--calldata: not a hex string"),
    (["--value", "9" * 5_000], "--value: decimal string too long"),
    (["--gas", "9" * 5_000], "--gas: decimal string too long"),
    (["--balance", "9" * 5_000], "--balance: decimal string too long"),
    (["--gas", str(2**64)], "--gas: 18446744073709551616 is outside [0, 18446744073709551615]"),
    (["--calldata", "12"], "expected 0x"),
    (["--value", "-1"], "--value"),
    (["--storage", "0x01=0x02"], "32 bytes"),
    (["--storage", "nothing"], "0xSLOT=0xVALUE"),
    (["--before", ":0x00"], "--before"),
    (["--state", "/nonexistent/state.json"], "cannot read"),
    (["--state", str(CONTRACTS / "token-wave.json")], "unknown field(s) ['txs']"),
    (["--address", "0x" + "b0" * 32, "--state", "BOB"], "already in"),
])
def test_diff_contract_usage_errors(capsys, tmp_path, argv, message):
    if argv[-1] == "BOB":  # a state document that has an account where the contract should go
        (tmp_path / "state.json").write_text(json.dumps({"accounts": {"0x" + BOB: {"balance": "1"}}}))
        argv = argv[:-1] + [str(tmp_path / "state.json")]
    code, out, _ = run(capsys, "diff", "--contract", str(CONTRACTS / "token.wasm"), "--function", "transfer",
                       *argv, "--json")
    assert code == 2
    assert message in json.loads(out)["error"]


def test_diff_contract_needs_a_function(capsys):
    code, _, err = run(capsys, "diff", "--contract", str(CONTRACTS / "token.wasm"))
    assert code == 2 and "--function" in err


def test_calldata_without_contract_is_explained(capsys, loop_module):
    code, out, _ = run(capsys, "diff", loop_module, "f", "1", "--calldata", "0x00", "--json")
    assert code == 2 and "--contract" in json.loads(out)["error"]


# --------------------------------------------------------------------------
# --wasmtime and --waves
# --------------------------------------------------------------------------


def test_diff_against_wasmtime_45_uses_its_model(capsys, tmp_path):
    from conftest import twin_or_skip

    twin_or_skip("45")
    path = tmp_path / "fill.wat"
    path.write_text('(module (memory (export "memory") 1) '
                    '(func (export "f") i32.const 0 i32.const 0 i32.const 1000 memory.fill))')
    code, out, _ = run(capsys, "diff", str(path), "f", "--wasmtime", "45", "--json")
    record = json.loads(out)
    assert record["wasmtime_version"] == "45"
    assert (record["wasmtime"]["fuel_consumed"], record["model"]["fuel_consumed"], record["spec"]["fuel_consumed"]) \
        == (5, 5, 1005)
    assert (code, record["fuel_model"], record["verdict"]["category"]) == (0, "wasmtime-45", "explained")


def test_fuzz_waves_is_deterministic_and_summarised(capsys, tmp_path):
    argv = ["fuzz", "--waves", "4", "--seed", "2", "--json", "--save", str(tmp_path)]
    code, out, _ = run(capsys, *argv)
    first = json.loads(out)
    assert first["waves"] == 4 and first["wasmtime"] == "50"
    assert first["agree"] + first["explained"] + first["known_hazard"] + first["unexplained"] == 4
    assert code == (3 if first["unexplained"] else 0)
    _, again, _ = run(capsys, *argv)
    assert json.loads(again) == first


def test_fuzz_takes_cases_or_waves(capsys):
    with pytest.raises(SystemExit):
        cli.main(["fuzz", "--cases", "1", "--waves", "1", "--seed", "1"])
    assert "not allowed with" in capsys.readouterr().err


def test_interrupted_campaign_reports_what_it_ran(tmp_path):
    def stop(report, summary):
        raise KeyboardInterrupt

    summary = fuzz.campaign(11, 50, False, save_dir=str(tmp_path), do_shrink=False, progress=stop)
    assert summary["interrupted"] is True
    assert summary["cases"] + summary["smith_declined"] == 1


def test_diff_on_the_reading_tier(capsys, loop_module):
    outputs = []
    for tier in ("fast", "reading"):
        code, out, _ = run(capsys, "diff", loop_module, "f", "50", "--json", "--tier", tier)
        outputs.append((code, json.loads(out)))
    assert outputs[0] == outputs[1]
    code, out, _ = run(capsys, "diff", "--wave", str(CONTRACTS / "genesis-wave.json"), "--json", "--tier", "reading")
    assert code == 0 and json.loads(out)["verdict"]["category"] == "agree"


def test_fuzz_tier_check_counts_every_call_and_saves_differences(capsys, tmp_path, monkeypatch):
    from pyde_ref.diff import tiers

    argv = ["fuzz", "--cases", "8", "--seed", "5", "--with-host", "--json", "--no-shrink", "--save", str(tmp_path),
            "--tier-check"]
    code, out, _ = run(capsys, *argv)
    summary = json.loads(out)
    assert summary["tier_checked"] == summary["calls"] > 0
    assert summary["tier_differences"] == [] and code == (3 if summary["unexplained"] else 0)
    # A (simulated) difference between the tiers fails the campaign and saves the module.
    real = tiers.check_call

    def broken(wasm, func, args, fuel, with_host):
        check = real(wasm, func, args, fuel, with_host)
        return tiers.TierCheck(check.func, check.args, check.fuel, check.fast, check.reading, ("fuel_consumed",))

    monkeypatch.setattr(tiers, "check_call", broken)
    code, out, _ = run(capsys, *argv)
    summary = json.loads(out)
    assert code == 3 and len(summary["tier_differences"]) == summary["calls"]
    saved = summary["tier_differences"][0]["saved"]
    assert json.loads(open(saved + ".json").read())["differences"] == ["fuel_consumed"]
    assert open(saved + ".wasm", "rb").read().startswith(b"\0asm")


def test_diff_help_says_wave_takes_a_chain_document_too(capsys):
    with pytest.raises(SystemExit):
        cli.main(["diff", "--help"])
    assert "a wave or chain document" in " ".join(capsys.readouterr().out.split())
