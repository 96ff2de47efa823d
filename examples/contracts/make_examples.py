"""Build the example contracts and write the example wave documents.

    python examples/contracts/make_examples.py

* ``token.wasm``, ``proxy.wasm``, ``caller.wasm``: each ``.wat`` converted
  with ``wasm-tools`` and given its ``pyde.abi`` section from the matching
  ``.abi.json`` -- the same as
  ``pyde-ref abi embed token.wat token.abi.json -o token.wasm``.
* ``deep-chain.wasm`` and ``deep-chain-wave.json``: a contract that
  cross-calls itself to the 1,024-frame cap, and the wave that runs it.
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

from pyde_ref.abi.section import embed_abi  # noqa: E402
from pyde_ref.commands.abi import abi_from_json  # noqa: E402
from pyde_ref.executor.handlers.contracts import create_address  # noqa: E402
from pyde_ref.wasm.text import wat_to_wasm  # noqa: E402

CONTRACTS = ("token", "proxy", "caller", "deep-chain")

ALICE = bytes.fromhex("a1" * 32)
BOB = bytes.fromhex("b0" * 32)
CAROL = bytes.fromhex("c0" * 32)


def build(name: str) -> bytes:
    with open(os.path.join(HERE, f"{name}.wat"), encoding="utf-8") as f:
        wasm = wat_to_wasm(f.read())
    with open(os.path.join(HERE, f"{name}.abi.json"), encoding="utf-8") as f:
        abi = abi_from_json(json.load(f))
    out = embed_abi(wasm, abi)
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
        "unsigned": True,
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


GENESIS_TOKEN = bytes.fromhex("70" * 32)
GENESIS_CALLER = bytes.fromhex("ca" * 32)


def token_slot(contract: bytes, disc: int, key: bytes) -> bytes:
    """token.wat's slot layout: contract[..16] || blake3(disc || key)[..16]."""
    import blake3

    return contract[:16] + blake3.blake3(bytes([disc]) + key).digest()[:16]


def u128_value(n: int) -> bytes:
    return n.to_bytes(16, "little") + bytes(16)


def genesis_wave() -> dict:
    """Contracts already in the pre-state (no deploy): the token with its
    owner and balances given as storage, the caller contract holding tokens
    and PYDE."""
    storage = {
        token_slot(GENESIS_TOKEN, 0, bytes(32)): ALICE,                    # owner
        token_slot(GENESIS_TOKEN, 1, BOB): u128_value(700),                # balance_of(bob)
        token_slot(GENESIS_TOKEN, 1, GENESIS_CALLER): u128_value(300),     # balance_of(caller)
        token_slot(GENESIS_TOKEN, 2, bytes(32)): u128_value(1000),         # total_supply
    }

    def call(sender, to, function, calldata=b"", gas=1_000_000, value=0):
        tx = {"type": "call", "from": h(sender), "to": h(to), "function": function,
              "calldata": h(calldata), "gas_limit": gas}
        if value:
            tx["value"] = str(value)
        return tx

    def call_any(kind, target, name, args=b"", value=0, gas=500_000):
        raw = name.encode()
        return (bytes([kind]) + target + value.to_bytes(16, "little") + gas.to_bytes(8, "little")
                + len(raw).to_bytes(4, "little") + raw + args)

    return {
        "unsigned": True,
        "context": {"chain_id": "31337", "block_height": "9", "wave_id": "9",
                    "block_timestamp": "1750000500", "base_fee": "2"},
        "accounts": {h(ALICE): {"balance": "5000000", "nonce": 3},
                     h(BOB): {"balance": "5000000"}},
        "contracts": {
            h(GENESIS_TOKEN): {"code": "token.wasm",
                               "storage": {h(k): h(v) for k, v in sorted(storage.items())}},
            h(GENESIS_CALLER): {"code": "caller.wasm", "balance": "1000"},
        },
        "txs": [
            call(BOB, GENESIS_TOKEN, "total_supply"),                                   # 0 view
            call(BOB, GENESIS_TOKEN, "mint", BOB + amount(1)),                          # 1 not owner
            call(ALICE, GENESIS_TOKEN, "mint", CAROL + amount(5)),                      # 2 owner
            call(BOB, GENESIS_CALLER, "call_any",                                       # 3 cross_call
                 call_any(0, GENESIS_TOKEN, "transfer", CAROL + amount(100))),
            call(BOB, GENESIS_CALLER, "call_any",                                       # 4 static
                 call_any(1, GENESIS_TOKEN, "balance_of", CAROL)),
            call(BOB, GENESIS_CALLER, "call_any",                                       # 5 not payable
                 call_any(0, GENESIS_TOKEN, "balance_of", CAROL, value=1)),
            call(BOB, GENESIS_CALLER, "call_any",                                       # 6 constructor
                 call_any(0, GENESIS_TOKEN, "constructor")),
            call(BOB, GENESIS_CALLER, "call_any", call_any(0, GENESIS_CALLER, "call_any",  # 7 reentry
                 call_any(1, GENESIS_TOKEN, "total_supply"))),
            call(BOB, GENESIS_CALLER, "", value=10),                                    # 8 no receive
            {"type": "transfer", "from": h(BOB), "to": h(GENESIS_CALLER),             # 9 native
             "value": "10", "gas_limit": "21000"},
        ],
    }


DEEP = bytes.fromhex("de" * 32)


def deep_chain_wave() -> dict:
    """deep-chain.wasm called with down(5), then down(2000): a chain of
    cross-calls to the executor's 1,024-frame cap (ABI §13.4)."""

    def down(n: int, gas: int) -> dict:
        return {"type": "call", "from": h(ALICE), "to": h(DEEP), "function": "down",
                "calldata": h(n.to_bytes(4, "little")), "gas_limit": gas}

    return {
        "unsigned": True,
        "context": {"chain_id": 31337, "block_height": 7, "wave_id": 7, "block_timestamp": 1750000000,
                    "base_fee": 1},
        "accounts": {h(ALICE): {"balance": "1000000000000"}},
        "contracts": {h(DEEP): {"code": "deep-chain.wasm"}},
        "txs": [down(5, 1_000_000), down(2000, 200_000_000)],
    }


def write_json(name: str, document: dict) -> None:
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2)
        f.write("\n")


def main() -> None:
    for name in CONTRACTS:
        build(name)
    write_json("token-wave.json", token_wave())
    write_json("genesis-wave.json", genesis_wave())
    write_json("deep-chain-wave.json", deep_chain_wave())


if __name__ == "__main__":
    main()
