"""Write the parachain example: two parachains exchanging a message with a
callback, and an upgrade of one that activates after its grace period.

    python examples/parachains/make_examples.py

* ``alpha.wasm`` (``alpha.wat`` + ``alpha.abi.json``): pings another
  parachain, keeps the reply its callback receives;
* ``beta.wasm``, ``beta-v1.wasm`` (``beta.wat``, ``beta-v1.wat`` +
  ``beta.abi.json``): answers "pong from v0/v1: <message>";
* ``message-and-upgrade.json``: the chain (``pyde-ref chain``).

Every transaction, vote and committee signature is signed with committed
test keys (``vectors/test-keys.json``, ``vectors/parachain-validator-keys.json``).
FALCON-512 signing is randomized: a signature already in the existing
document is kept when it still verifies, so running this again leaves the
document byte-identical (``tests/examples/test_parachain_example.py``
checks it).  The transaction examples' document builder is reused.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, REPO)

from pyde_ref.abi.section import embed_abi  # noqa: E402
from pyde_ref.commands.abi import abi_from_json  # noqa: E402
from pyde_ref.crypto.poseidon2 import poseidon2_hash  # noqa: E402
from pyde_ref.executor.handlers.parachains import committee_message, proposal_hash, vote_message  # noqa: E402
from pyde_ref.executor.parachain_json import read_config_json  # noqa: E402
from pyde_ref.executor.testing import load_keys  # noqa: E402
from pyde_ref.state.code import code_hash  # noqa: E402
from pyde_ref.state.parachains import VoteChoice, parachain_id  # noqa: E402
from pyde_ref.wasm.text import wat_to_wasm  # noqa: E402


def _transaction_examples():
    path = os.path.join(REPO, "examples", "transactions", "make_examples.py")
    spec = importlib.util.spec_from_file_location("transaction_examples", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tx_examples = _transaction_examples()
Document, account, context, h = tx_examples.Document, tx_examples.account, tx_examples.context, tx_examples.h

KEYS = load_keys(os.path.join(REPO, "vectors", "test-keys.json"))
VALIDATOR_KEYS = [k for _n, k in sorted(load_keys(os.path.join(REPO, "vectors",
                                                               "parachain-validator-keys.json")).items())]
CHAIN_ID = 9
FEE = 1_000  # quanta per gas: small, so the balances read easily
START = 100

ALPHA_CONFIG = {}  # PARACHAIN_DESIGN's defaults: it is never upgraded here
BETA_CONFIG = {"discussion_waves": 2, "voting_waves": 4, "grace_period_waves": 5}
BETA_V1_CONFIG = {**BETA_CONFIG, "xcall_rate_limit": 16}


def module(wat: str, abi: str) -> bytes:
    with open(os.path.join(HERE, wat), encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(HERE, abi), encoding="utf-8") as f:
        return embed_abi(wat_to_wasm(text), abi_from_json(json.load(f)))


MODULES = {"alpha.wasm": ("alpha.wat", "alpha.abi.json"), "beta.wasm": ("beta.wat", "beta.abi.json"),
           "beta-v1.wasm": ("beta-v1.wat", "beta.abi.json")}


def validators() -> dict:
    """Seven main-committee validators, active since genesis."""
    out = {}
    for key in VALIDATOR_KEYS:
        out[h(poseidon2_hash(key.public_key))] = {
            "stake_account": h(key.address), "stake": str(10_000 * 10**9),
            "keys": [{"from_epoch": 0, "public_key": h(key.public_key)}], "registered_wave": 0,
            "activation_epoch": 0}
    return out


def message_and_upgrade(beta_v1: bytes) -> tuple:
    """alpha pings beta (delivery, callback); beta's upgrade is proposed,
    voted on, tallied, enacted by its committee and activates five waves
    later -- one more ping is answered by v0 before, one by v1 at the
    activation wave."""
    alice, bob = KEYS["alice"], KEYS["bob"]
    doc = Document("message-and-upgrade.json", chain_id=CHAIN_ID, here=HERE)
    alpha, beta = parachain_id("alpha"), parachain_id("beta")
    ids = [h(poseidon2_hash(k.public_key)) for k in VALIDATOR_KEYS]
    v1_hash, v1_config = code_hash(beta_v1), read_config_json(BETA_V1_CONFIG, "config")
    p_hash = proposal_hash(beta, 1, v1_hash, v1_config)

    def ping(message: bytes):
        return doc.tx("call", bob, to=h(alpha), function="ping", calldata=h(beta + message), gas_limit=100_000)

    def ask(target, function):
        return doc.tx("call", bob, to=h(target), function=function, gas_limit=100_000)

    def vote(i: int, choice: str = "yes"):
        message = vote_message(CHAIN_ID, beta, 1, p_hash, {n: v for v, n in VoteChoice.NAMES.items()}[choice])
        return doc.tx("parachain_vote", bob, parachain=h(beta), proposal=1, validator=ids[i], choice=choice,
                      vote_signature=h(doc.book.sign(VALIDATOR_KEYS[i], message)), gas_limit=100_000)

    def enact(signers):
        message = committee_message(CHAIN_ID, beta, 1, p_hash)
        signatures = [{"validator": ids[i], "signature": h(doc.book.sign(VALIDATOR_KEYS[i], message))}
                      for i in signers]
        return doc.tx("parachain_upgrade", alice, parachain=h(beta), proposal=1, committee_signatures=signatures,
                      gas_limit=400_000)

    waves = [
        (START, [doc.tx("parachain_register", alice, name="alpha", code="alpha.wasm", validators=ids,
                        config=ALPHA_CONFIG),
                 doc.tx("parachain_register", alice, name="beta", code="beta.wasm", validators=ids,
                        config=BETA_CONFIG),
                 ping(b"hello")]),                                    # message 1 queued
        (START + 1, [doc.tx("parachain_propose_upgrade", alice, parachain=h(beta), code="beta-v1.wasm",
                            config=BETA_V1_CONFIG)]),                 # delivered (v0); proposal 1
        (START + 2, [ask(alpha, "last_reply")]),                      # called back; the reply kept
        (START + 3, [vote(i) for i in range(5)] + [vote(5, "no"),     # voting opens: 5 yes, 1 no
                                                   enact(range(5))]),  # too early: not tallied
        (START + 7, [enact(range(4)),                                 # tallied at this wave's start;
                     enact(range(5)),                                 # 4 signatures: no quorum; 5: enacted
                     ping(b"again")]),                                # message 2 queued
        (START + 8, []),                                              # delivered: v0 answers
        (START + 11, [ask(beta, "version"), ping(b"once more")]),    # one wave before: version 0
        (START + 12, [ask(beta, "version")]),                         # v1 from this wave's start; it answers
        (START + 13, [ask(alpha, "last_reply")]),                     # the callback with v1's reply
    ]
    return doc, {
        "accounts": {h(alice.address): account(alice, 10**15), h(bob.address): account(bob, 10**15)},
        "validators": validators(),
        "waves": [{"context": context(CHAIN_ID, wave, FEE), "txs": txs} for wave, txs in waves],
    }


def main() -> None:
    built = {}
    for name, (wat, abi) in MODULES.items():
        built[name] = module(wat, abi)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(built[name])
    doc, document = message_and_upgrade(built["beta-v1.wasm"])
    doc.write(document)


if __name__ == "__main__":
    main()
