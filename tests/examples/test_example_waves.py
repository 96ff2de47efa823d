"""The example waves of the C and AssemblyScript contracts (``examples/c/``,
``examples/assemblyscript/``), as the README's tour runs them: the whole
``pyde-ref wave`` summary pinned, under both fuel models (the contracts use
no instruction on which the two models differ)."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from paths import EXAMPLES, REPO
from pyde_ref.cli import main

PINNED = {
    "c/deep-chain-wave.json": """\
signatures   not checked (the document is unsigned)
tx 0: success  Standard gas_used=35700 fee=35700(sender) return_data=0x0000000000000000 events=0
tx 1: success  Standard gas_used=6276103 fee=6276103(sender) return_data=0xd1030000f6ffffff events=0
fees         total=6311803 burned=4418262 reward_pool=1262360 treasury=631181
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x8562ca49fe94776244de86b52724e9d220b02b7c0b6542a25afea83e3154ea88""",
    "c/token-wave.json": """\
signatures   not checked (the document is unsigned)
tx 0: success  Deploy gas_used=48928 fee=48928(sender) contract=0x906cebcd931fc2d66ab613c68d6450af4cae4f69f6c64fd335753207a788c2ab events=1
tx 1: success  Standard gas_used=12026 fee=12026(sender) events=1
tx 2: success  Standard gas_used=6308 fee=6308(sender) events=1
tx 3: success  Standard gas_used=17509 fee=17509(sender) events=1
tx 4: revert   Standard gas_used=449 fee=449(sender) revert_reason=0x616c6c6f77616e6365206578636565646564 events=0
tx 5: revert   Standard gas_used=338 fee=338(sender) revert_reason=0x6e6f74206f776e6572 events=0
tx 6: success  Standard gas_used=335 fee=335(sender) return_data=0xb0040000000000000000000000000000 events=0
tx 7: success  Standard gas_used=401 fee=401(sender) return_data=0x2c010000000000000000000000000000 events=0
tx 8: success  Standard gas_used=270 fee=270(sender) return_data=0x40420f00000000000000000000000000 events=0
tx 9: success  Standard gas_used=4 fee=4(sender) return_data=0x50796465204578616d706c6520546f6b656e events=0
tx 10: success  Standard gas_used=4 fee=4(sender) return_data=0x12 events=0
tx 11: revert   Standard gas_used=15 fee=15(sender) revert_reason=0x6261642063616c6c64617461 events=0
fees         total=86587 burned=60605 reward_pool=17312 treasury=8670
events_root  0xbe5e0bcf800655a59631b9a72c1d13048000af5650575ab96158f0f581a2aa29
state_digest 0x37a200ce8d5dff2644ba609842e965d64f164e9b884916a507ec7e65a07add60""",
    "c/wallet-wave.json": """\
signatures   not checked (the document is unsigned)
tx 0: success  Deploy gas_used=48928 fee=48928(sender) contract=0x906cebcd931fc2d66ab613c68d6450af4cae4f69f6c64fd335753207a788c2ab events=1
tx 1: success  Deploy gas_used=37048 fee=37048(sender) contract=0xc9d1333cfc084719d398c90fc5af17df12459ebea3e314f59e75adb452665f98 events=0
tx 2: success  Standard gas_used=12026 fee=12026(sender) events=1
tx 3: success  Standard gas_used=14219 fee=14219(sender) events=1
tx 4: success  Standard gas_used=138 fee=138(sender) return_data=0xd80e0000000000000000000000000000 events=0
tx 5: revert   Standard gas_used=365 fee=365(sender) revert_reason=0x6e6f74206f776e6572 events=0
tx 6: revert   Standard gas_used=2585 fee=2585(sender) revert_reason=0x696e73756666696369656e742062616c616e6365 events=0
tx 7: success  Standard gas_used=805 fee=805(sender) events=1
tx 8: success  Standard gas_used=7759 fee=7759(sender) events=0
tx 9: success  Standard gas_used=144 fee=144(sender) return_data=0x58020000000000000000000000000000 events=0
tx 10: revert   Standard gas_used=4 fee=4(sender) revert_reason=0x77616c6c65743a206e6f20737563682066756e6374696f6e events=0
fees         total=124021 burned=86809 reward_pool=24799 treasury=12413
events_root  0xed0926dbdb0b3966bd26aa69e0af679524c824fce3f33330d67d220a3c634dae
state_digest 0x43ff5d2e344f30b581c48f527450e3269212dcd6fce0a3fdc3c92aa40ec85913""",
    "c/compute-wave.json": """\
signatures   not checked (the document is unsigned)
tx 0: success  Deploy gas_used=32000 fee=32000(sender) contract=0x906cebcd931fc2d66ab613c68d6450af4cae4f69f6c64fd335753207a788c2ab events=0
tx 1: success  Standard gas_used=29059 fee=29059(sender) return_data=0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470 events=0
tx 2: success  Standard gas_used=64 fee=64(sender) return_data=0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470 events=0
tx 3: success  Standard gas_used=57781 fee=57781(sender) return_data=0x615e8163bf2e073c637dceb3b7b73819367ba308a4846b2c0d90e1a741f8f28a events=0
tx 4: success  Standard gas_used=382 fee=382(sender) return_data=0x615e8163bf2e073c637dceb3b7b73819367ba308a4846b2c0d90e1a741f8f28a events=0
tx 5: success  Standard gas_used=337297 fee=337297(sender) return_data=0xcd040000 events=0
tx 6: revert   Standard gas_used=41 fee=41(sender) revert_reason=0x6e2061626f7665203635353336 events=0
fees         total=456624 burned=319633 reward_pool=91322 treasury=45669
events_root  0x0000000000000000000000000000000000000000000000000000000000000000
state_digest 0x52a64010ef91245b76f4843995fba4c2dd948f9f1a0fd564c6fb2aec8a4db609""",
    "assemblyscript/counter-wave.json": """\
signatures   not checked (the document is unsigned)
tx 0: success  Deploy gas_used=42163 fee=42163(sender) contract=0x906cebcd931fc2d66ab613c68d6450af4cae4f69f6c64fd335753207a788c2ab events=0
tx 1: success  Standard gas_used=6212 fee=6212(sender) return_data=0x2a00000000000000 events=1
tx 2: success  Standard gas_used=6228 fee=6228(sender) return_data=0x8e00000000000000 events=1
tx 3: revert   Standard gas_used=522 fee=522(sender) revert_reason=0x6f766572666c6f77 events=0
tx 4: revert   Standard gas_used=576 fee=576(sender) revert_reason=0x6e6f74206f776e6572 events=0
tx 5: success  Standard gas_used=268 fee=268(sender) return_data=0x8e00000000000000 events=0
tx 6: success  Standard gas_used=5468 fee=5468(sender) events=0
tx 7: success  Standard gas_used=268 fee=268(sender) return_data=0x0000000000000000 events=0
tx 8: revert   Standard gas_used=360 fee=360(sender) revert_reason=0x6261642063616c6c64617461 events=0
fees         total=62065 burned=43442 reward_pool=12409 treasury=6214
events_root  0x0567d7795a940785238947f8dccd454460e8cb58f73087e6220c4cc7c9dbdc0b
state_digest 0x6df50d696e667147477f175ab4d69153509f59829aef189493535bd08e31f44f""",
}


def wave_summary(path, *extra: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["wave", str(path), *extra]) == 0
    return out.getvalue().rstrip("\n")


@pytest.mark.parametrize("fuel_model", ["spec", "wasmtime-50"])
@pytest.mark.parametrize("wave", sorted(PINNED))
def test_wave_summary_pinned(wave, fuel_model):
    assert wave_summary(EXAMPLES / wave, "--fuel-model", fuel_model) == PINNED[wave]


def test_the_readme_tour_runs_every_example_wave():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    toured = set(re.findall(r"pyde-ref wave examples/((?:c|assemblyscript)/[\w-]+-wave\.json)", readme))
    on_disk = {p.relative_to(EXAMPLES).as_posix()
               for d in ("c", "assemblyscript") for p in (EXAMPLES / d).glob("*-wave.json")}
    assert toured == on_disk == set(PINNED)


def returns(wave: str) -> list[str]:
    return [line.split("return_data=0x")[1].split()[0] if "return_data=" in line else None
            for line in PINNED[wave].splitlines() if line.startswith("tx ")]


def test_what_the_pinned_outputs_say():
    """The pinned numbers, read: the behaviour each example is there to show."""
    u128 = lambda n: n.to_bytes(16, "little").hex()  # noqa: E731
    token = returns("c/token-wave.json")
    assert token[6] == u128(1000 + 200)       # bob: transfer + transfer_from
    assert token[7] == u128(500 - 200)        # allowance(alice, carol) left
    assert token[8] == u128(1_000_000)        # total supply
    assert bytes.fromhex(token[9]) == b"Pyde Example Token"
    wallet = returns("c/wallet-wave.json")
    assert wallet[4] == u128(5000 - 1200)     # cross_call_static token.balance_of(wallet)
    assert wallet[9] == u128(1000 - 400)      # PYDE received, then withdrawn
    compute = returns("c/compute-wave.json")
    assert compute[1] == compute[2] == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert compute[3] == compute[4]           # Keccak in wasm == pyde::hash_keccak256
    assert int.from_bytes(bytes.fromhex(compute[5]), "little") == 1229  # primes below 10000
    deep = returns("c/deep-chain-wave.json")  # as examples/contracts/deep-chain.wat's
    assert deep == ["0" * 16, (977).to_bytes(4, "little").hex() + (-10).to_bytes(4, "little", signed=True).hex()]
    counter = returns("assemblyscript/counter-wave.json")
    assert [int.from_bytes(bytes.fromhex(counter[i]), "little") for i in (1, 2, 5, 7)] == [42, 142, 142, 0]
