"""Build the example contracts and write the example wave documents.

    python examples/contracts/make_examples.py

* ``token.wasm``, ``proxy.wasm``, ``caller.wasm``: each ``.wat`` converted
  with ``wasm-tools`` and given its ``pyde.abi`` section from the matching
  ``.abi.json`` -- the same as
  ``pyde-ref abi embed token.wat token.abi.json -o token.wasm``.
* ``token-wave.json``: one wave that deploys the three contracts and uses
  them (mint, transfer, events, the proxy's delegate_call, the caller's
  cross_call and cross_call_static, a revert, a trap, a native transfer).

Contract addresses of deploys are chapter 4's CREATE addresses,
Poseidon2(deployer || nonce as u64 LE), computed here so later transactions
can name them.
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from pyde_ref.abi import section  # noqa: E402
from pyde_ref.executor.executor import create_address  # noqa: E402
from pyde_ref.wasm.text import wat_to_wasm  # noqa: E402

CONTRACTS = ("token", "proxy", "caller")

ALICE = bytes.fromhex("a1" * 32)
BOB = bytes.fromhex("b0" * 32)
CAROL = bytes.fromhex("c0" * 32)


def build(name: str) -> bytes:
    with open(os.path.join(HERE, f"{name}.wat"), encoding="utf-8") as f:
        wasm = wat_to_wasm(f.read())
    with open(os.path.join(HERE, f"{name}.abi.json"), encoding="utf-8") as f:
        abi = section.abi_from_json(json.load(f))
    out = section.embed_abi(wasm, abi)
    with open(os.path.join(HERE, f"{name}.wasm"), "wb") as f:
        f.write(out)
    return out


def h(data: bytes) -> str:
    return "0x" + data.hex()


def amount(n: int) -> bytes:
    return n.to_bytes(16, "little")


def via_proxy(function: str, args: bytes = b"") -> bytes:
    """Calldata of proxy.forward / forward_view: name length, name, arguments."""
    name = function.encode("utf-8")
    return bytes([len(name)]) + name + args


def token_wave() -> dict:
    token = create_address(ALICE, 0)
    proxy = create_address(ALICE, 1)
    caller = create_address(ALICE, 2)

    def call(sender, to, function, calldata=b"", gas=2_000_000, value=0):
        tx = {"type": "call", "from": h(sender), "to": h(to), "function": function,
              "calldata": h(calldata), "gas_limit": gas}
        if value:
            tx["value"] = value
        return tx

    def deploy(code, calldata=b""):
        return {"type": "deploy", "from": h(ALICE), "code": code, "calldata": h(calldata),
                "gas_limit": 2_000_000}

    return {
        "context": {"chain_id": 31337, "block_height": 42, "wave_id": 42,
                    "block_timestamp": 1_750_000_000, "beacon": "0x" + "5a" * 32,
                    "base_fee": 1},
        "accounts": {h(ALICE): {"balance": "1000000000000"},
                     h(BOB): {"balance": "1000000000000"}},
        "contracts": {},
        "txs": [
            deploy("token.wasm"),                                   # 0 token, owner alice
            deploy("proxy.wasm", token),                            # 1 proxy -> token
            deploy("caller.wasm"),                                  # 2 caller
            call(ALICE, token, "mint", BOB + amount(1000)),         # 3
            call(BOB, token, "transfer", CAROL + amount(250)),      # 4
            call(ALICE, proxy, "forward", via_proxy("mint", BOB + amount(500))),       # 5
            call(BOB, proxy, "forward", via_proxy("transfer", CAROL + amount(100))),   # 6
            call(ALICE, token, "mint", caller + amount(300)),       # 7
            call(BOB, caller, "send", token + CAROL + amount(50)),  # 8 cross_call
            call(BOB, caller, "peek", token + CAROL),               # 9 cross_call_static
            call(BOB, token, "transfer", CAROL + amount(10_000)),   # 10 revert
            call(BOB, proxy, "forward_view", via_proxy("balance_of", BOB)),  # 11 view
            {"type": "transfer", "from": h(ALICE), "to": h(CAROL),  # 12 native
             "value": 5000, "gas_limit": 21000},
            call(BOB, caller, "send", token + CAROL + amount(10**6)),  # 13 failed sub-call
            call(BOB, token, "transfer", CAROL + amount(1), gas=3000),  # 14 out of fuel
            call(BOB, token, "no_such_function"),                   # 15 rejected
        ],
    }


def main() -> None:
    for name in CONTRACTS:
        build(name)
    with open(os.path.join(HERE, "token-wave.json"), "w", encoding="utf-8") as f:
        json.dump(token_wave(), f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
