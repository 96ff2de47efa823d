"""The wave and chain documents (``spec/wave-format.md``): chains of waves,
every transaction kind, pre-states that contradict themselves refused with
the JSON path of the field (issue 10 item 9), every malformed field of the
new formats named in one line (never a traceback), and post-states that
read back as pre-states."""

from __future__ import annotations

import json

import pytest

from paths import EXAMPLES
from pyde_ref.cli import main
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.genesis import GenesisError, build_state
from pyde_ref.executor.jsonfields import WaveFormatError, load_json
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import parse_chain, parse_document, parse_wave
from pyde_ref.executor.tx_json import KINDS
from pyde_ref.state.system import GAS_TANKS, PARACHAINS, REWARD_POOL, TREASURY
from tx_helpers import (
    BAD_VALUES,
    leaves,
    mutated,
    ALICE,
    ALL_KINDS,
    BOB,
    CAROL,
    CONTEXT,
    PK_ALICE,
    PK_V1,
    TOKEN,
    V1,
    VID1,
    A,
    B,
    C,
    wave_doc,
)

TRANSACTIONS = EXAMPLES / "transactions"


def refused(doc, field: str, chain: bool = False):
    """The document is refused naming ``field`` (at parse or genesis time)."""
    with pytest.raises((WaveFormatError, GenesisError)) as info:
        parsed = (parse_chain if chain else parse_wave)(doc)
        build_state(parsed.prestate)
    assert info.value.field == field, str(info.value)
    return info.value


# --------------------------------------------------------------------------
# chains
# --------------------------------------------------------------------------


def chain_doc(*wave_ids) -> dict:
    return {"unsigned": True, "accounts": {A: {"balance": "1000000000"}},
            "waves": [{"context": {**CONTEXT, "wave_id": w, "block_height": w},
                       "txs": [{"type": "transfer", "from": A, "to": B, "value": 1, "gas_limit": 21000}]}
                      for w in wave_ids]}


def test_a_chain_carries_state_from_wave_to_wave():
    result = run_document(parse_chain(chain_doc(5, 6, 100)))
    assert [w.wave_id for w in result.waves] == [5, 6, 100]
    assert [r.nonce for w in result.waves for r in w.receipts] == [0, 1, 2]
    assert result.state.balance(bytes.fromhex(B[2:])) == 3
    assert result.state_digest == result.waves[-1].state_digest


@pytest.mark.parametrize("waves, field", [((5, 5), "waves[1].context.wave_id"),
                                          ((6, 5), "waves[1].context.wave_id"),
                                          ((), "waves")])
def test_wave_ids_must_increase(waves, field):
    refused(chain_doc(*waves), field, chain=True)


def test_wave_and_chain_documents_are_told_apart(tmp_path, capsys):
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(chain_doc(5)))
    assert main(["wave", str(path)]) == 2
    assert "pyde-ref chain" in capsys.readouterr().err
    assert main(["chain", str(path)]) == 0
    assert parse_document(chain_doc(5)).single is False
    wave = tmp_path / "wave.json"
    wave.write_text(json.dumps(wave_doc()))
    assert main(["chain", str(wave)]) == 2
    assert "pyde-ref chain: waves: missing required field" in capsys.readouterr().err


# --------------------------------------------------------------------------
# every transaction kind reads
# --------------------------------------------------------------------------



def test_every_kind_reads_and_runs_to_a_receipt():
    txs = [{**kind, "from": A, **({} if kind["type"] == "register_pubkey" else {"gas_limit": 200_000})}
           for kind in ALL_KINDS]
    doc = parse_wave(wave_doc(txs=txs))
    tags = [tx.tx_type for tx in doc.waves[0].txs]
    assert tags == [0, 0, 1, 3, 4, 6, 5, 7, 8, 9, 10, 11, 12, 13, 0, 0, 0, 0, 0, 0] + [0] * 7 + [2]
    assert doc.waves[0].txs[14].to == GAS_TANKS and doc.waves[0].txs[20].to == PARACHAINS
    result = run_document(doc)
    assert len(result.waves[0].receipts) == len(ALL_KINDS)
    assert {kind["type"] for kind in ALL_KINDS} == set(KINDS)


def test_common_transaction_fields():
    tx = {"type": "transfer", "from": A, "to": B, "gas_limit": 21000, "nonce": 3, "deadline": 9, "chain_id": 4,
          "fee_payer": {"paymaster": C}, "access_list": [{"address": B, "storage_keys": [C],
                                                          "access_type": "read"}]}
    (parsed,) = parse_wave(wave_doc(txs=[tx])).waves[0].txs
    assert (parsed.nonce, parsed.deadline, parsed.chain_id) == (3, 9, 4)
    assert parsed.fee_payer.paymaster == bytes.fromhex(C[2:])
    assert parsed.access_list[0].access_type == 0


@pytest.mark.parametrize("tx, field", [
    ({"type": "transfer", "from": A, "to": B, "gas_limit": 1, "signature": "0x00"}, "txs[0].signature"),
    ({"type": "transfer", "from": A, "to": B, "gas_limit": 1, "fee_payer": "tank"}, "txs[0].fee_payer"),
    ({"type": "transfer", "from": A, "to": B, "gas_limit": 1, "fee_payer": {"paymaster": "0x1"}},
     "txs[0].fee_payer.paymaster"),
    ({"type": "transfer", "from": A, "to": B, "gas_limit": 1, "access_list": [{"address": B, "access_type": "w"}]},
     "txs[0].access_list[0].access_type"),
    ({"type": "transfer", "from": A, "to": B, "gas_limit": 1, "deadline": -1}, "txs[0].deadline"),
    ({"type": "raw", "from": A, "gas_limit": 1, "tx_type": 256}, "txs[0].tx_type"),
    ({"type": "slash", "from": A, "gas_limit": 1, "evidence": {"offense": 1}}, "txs[0].evidence.validator"),
    ({"type": "rotate_auth_keys", "from": A, "gas_limit": 1, "auth_keys": {"single": "0x09"}},
     "txs[0].auth_keys.single"),
    ({"type": "multisig_tx", "from": A, "gas_limit": 1, "target": B, "amount": 1, "data_digest": C,
      "multisig_nonce": 0, "approvals": [{"signature": "0x"}]}, "txs[0].approvals[0].index"),
    ({"type": ["call"], "from": A}, "txs[0].type"),
])
def test_malformed_transaction_fields_are_named(tx, field):
    refused(wave_doc(txs=[tx]), field)


@pytest.mark.parametrize("value", ["bob", 7, ["paymaster"]])
def test_a_bad_fee_payer_names_the_valid_forms(value):
    tx = {"type": "transfer", "from": A, "to": B, "gas_limit": 1, "fee_payer": value}
    with pytest.raises(WaveFormatError) as info:
        parse_wave(wave_doc(txs=[tx]))
    assert info.value.field == "txs[0].fee_payer"
    assert '"sender", "gas_tank" or {"paymaster": "0x<address>"}' in str(info.value)


def test_signed_documents_need_nonces():
    doc = wave_doc(txs=[{"type": "transfer", "from": A, "to": B, "gas_limit": 21000}])
    del doc["unsigned"]
    refused(doc, "txs[0].nonce")


# --------------------------------------------------------------------------
# issue 10 item 9: conflicting pre-states
# --------------------------------------------------------------------------

UPPER_A = "0x" + "A1" * 32


def test_the_same_address_in_another_case_is_refused():
    """Before: the last entry won (a 10^30 balance became 5)."""
    refused(wave_doc(accounts={A: {"balance": str(10**30)}, UPPER_A: {"balance": 5}}), f"accounts[{UPPER_A}]")


def test_a_key_given_twice_is_refused(tmp_path, capsys):
    path = tmp_path / "wave.json"
    text = json.dumps(wave_doc()).replace('"accounts": {', f'"accounts": {{"{A}": {{"balance": 5}}, ', 1)
    path.write_text(text)
    assert main(["wave", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"pyde-ref wave: accounts.{A}: the same key appears twice")
    with open(path, encoding="utf-8") as f:
        with pytest.raises(WaveFormatError):
            parse_wave(load_json(f))


def test_an_account_at_a_contracts_address_is_refused():
    """Before: the accounts entry was silently dropped."""
    doc = wave_doc(accounts={UPPER_A: {"balance": 7}}, contracts={A: {"code": TOKEN}})
    error = refused(doc, f"accounts[{UPPER_A}]")
    assert f"contracts[{A}]" in error.message


@pytest.mark.parametrize("doc, field", [
    (wave_doc(contracts={"0x" + "00" * 32: {"code": TOKEN}}), f"contracts[0x{'00' * 32}]"),
    (wave_doc(accounts={"0x" + "00" * 32: {"balance": 1}}), f"accounts[0x{'00' * 32}]"),
    (wave_doc(contracts={"0x" + TREASURY.hex(): {"code": TOKEN}}), f"contracts[0x{TREASURY.hex()}]"),
    (wave_doc(accounts={"0x" + GAS_TANKS.hex(): {"balance": 1}}), f"accounts[0x{GAS_TANKS.hex()}]"),
    (wave_doc(contracts={"0x" + PARACHAINS.hex(): {"code": TOKEN}}), f"contracts[0x{PARACHAINS.hex()}]"),
    (wave_doc(accounts={"0x" + PARACHAINS.hex().upper(): {"balance": 1}}), f"accounts[0x{PARACHAINS.hex().upper()}]"),
    (wave_doc(accounts={"0x" + TREASURY.hex(): {"balance": 1, "nonce": 2}}), f"accounts[0x{TREASURY.hex()}].nonce"),
    (wave_doc(accounts={A: {"nonce_bitmap": 1}}), f"accounts[{A}].nonce_bitmap"),
    (wave_doc(accounts={A: {"auth_keys": {"multisig": {"keys": [PK_ALICE, PK_ALICE], "threshold": 1}}}}),
     f"accounts[{A}].auth_keys"),
    (wave_doc(accounts={A: {"auth_keys": "programmable"}}), f"accounts[{A}].auth_keys"),
    (wave_doc(contracts={B: {"code": TOKEN, "storage": {"0x" + "ab" * 32: B, "0x" + "AB" * 32: B}}}),
     f"contracts[{B}].storage"),
    (wave_doc(contracts={B: {"code": TOKEN, "owner": "0x" + "00" * 32}}), f"contracts[{B}].owner"),
    (wave_doc(contracts={B: {"code": TOKEN, "upgrade": {"code": TOKEN, "proposed_wave": 5,
                                                        "activation_wave": 4}}}),
     f"contracts[{B}].upgrade.activation_wave"),
    (wave_doc(contracts={B: {"code": TOKEN, "upgrade": {"code": "0x00", "proposed_wave": 5,
                                                        "activation_wave": 6}}}),
     f"contracts[{B}].upgrade.code"),
    (wave_doc(code={"0x" + "00" * 32: TOKEN}), f"code[0x{'00' * 32}]"),
    (wave_doc(protocol={"treasury_multisig": {"signers": [PK_ALICE], "threshold": 2}}),
     "protocol.treasury_multisig"),
    (wave_doc(protocol={"airdrop": {"root": C, "deadline": 1, "expected_sum": 1, "claimed": [3, 3]}}),
     "protocol.airdrop.claimed"),
    (wave_doc(protocol={"reward_accrued": 5}), "protocol.reward_accrued"),
    (wave_doc(protocol={"unknown": 5}), "protocol.unknown"),
])
def test_conflicting_or_invalid_prestates_are_refused(doc, field):
    refused(doc, field)


def validator(**changes) -> dict:
    entry = {"stake_account": A, "stake": "10000000000000", "keys": [{"from_epoch": 0, "public_key": PK_V1}],
             "registered_wave": 0, "activation_epoch": 1}
    entry.update(changes)
    return entry


def test_validator_prestate_conflicts():
    refused(wave_doc(validators={B: validator()}), f"validators[{B}]")  # id is not Poseidon2(key)
    refused(wave_doc(validators={VID1: validator(stake_account="0x" + "00" * 32)}),
            f"validators[{VID1}].stake_account")
    refused(wave_doc(validators={VID1: validator(keys=[])}), f"validators[{VID1}].keys")
    refused(wave_doc(validators={VID1: validator(rewards=5)}), "protocol.reward_accrued")
    many = {"0x" + poseidon2_hash(k.public_key).hex(): validator(keys=[{"from_epoch": 0, "public_key":
                                                                         "0x" + k.public_key.hex()}])
            for k in (V1, ALICE, BOB, CAROL)}
    last = list(many)[-1]
    refused(wave_doc(validators=many), f"validators[{last}]")
    # rewards accrued beyond what the pool holds
    doc = wave_doc(validators={VID1: validator(rewards=5)}, protocol={"reward_accrued": 5})
    refused(doc, f"accounts[0x{REWARD_POOL.hex()}].balance")
    doc["accounts"]["0x" + REWARD_POOL.hex()] = {"balance": 5}
    assert parse_wave(doc).prestate.validators


def test_the_cli_reports_a_conflict_in_one_line(tmp_path, capsys):
    path = tmp_path / "wave.json"
    path.write_text(json.dumps(wave_doc(accounts={A: {"balance": 1}, UPPER_A: {"balance": 2}})))
    assert main(["wave", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"pyde-ref wave: accounts[{UPPER_A}]: the same address as")


# --------------------------------------------------------------------------
# no traceback on any malformed field
# --------------------------------------------------------------------------

def json_path(path) -> str:
    out = ""
    for i, part in enumerate(path):
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("0x") and i > 0:
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@pytest.mark.parametrize("name", ["sponsored-transfer.json", "multisig-treasury.json", "validator-life.json",
                                  "owner-upgrade.json"])
def test_every_field_of_the_examples_survives_every_bad_value(name):
    """Each leaf (and each object) of a signed example replaced by each of
    a set of bad values: the reader either refuses it with a
    :class:`WaveFormatError`/:class:`GenesisError` whose path leads to the
    mutated field, or accepts it and the document runs to receipts -- never
    any other exception."""
    document = json.loads((TRANSACTIONS / name).read_text(encoding="utf-8"))
    paths = [p for p in leaves(document) if p]
    assert len(paths) > 40
    for path in paths:
        for bad in BAD_VALUES:
            doc = mutated(document, path, bad)
            try:
                parsed = parse_document(doc, str(TRANSACTIONS))
                build_state(parsed.prestate)
            except (WaveFormatError, GenesisError) as exc:
                where, field = json_path(path), exc.field
                related = field.startswith(where) or where.startswith(field)
                # rules that tie fields together report the field they check
                tied = field in ("protocol.reward_accrued", f"accounts[0x{REWARD_POOL.hex()}].balance") or (
                    field.endswith("context.wave_id") and "wave_id" in where)
                assert related or tied, (where, str(exc))
            else:
                run_document(parsed)


# --------------------------------------------------------------------------
# post-states read back
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sponsored-transfer.json", "multisig-treasury.json", "validator-life.json",
                                  "owner-upgrade.json"])
def test_post_state_reads_back_as_a_prestate(name, cli_json):
    """Every section of ``post_state`` is valid input: a wave with no
    transactions on it, at the last wave, reproduces the digest."""
    command = "chain" if "waves" in (TRANSACTIONS / name).read_text(encoding="utf-8")[:200] or name in (
        "validator-life.json", "owner-upgrade.json") else "wave"
    out = cli_json([command, str(TRANSACTIONS / name), "--json"])
    last = out["waves"][-1] if command == "chain" else out
    context = {**CONTEXT, "wave_id": last["wave_id"], "block_height": last["wave_id"]}
    doc = {"unsigned": True, "context": context, **out["post_state"], "txs": []}
    result = run_document(parse_wave(doc))
    assert "0x" + result.state_digest.hex() == (out["state_digest"])


@pytest.mark.parametrize("content", [b"[" * 5000 + b"]" * 5000,
                                     b'{"context": {"chain_id": ' + b"9" * 5000 + b"}}",
                                     b"\xff\xfe{}"])
@pytest.mark.parametrize("command", ["wave", "chain"])
def test_documents_that_are_not_json_are_one_line(content, command, tmp_path, capsys):
    """Nested beyond Python's recursion, an integer beyond its 4,300-digit
    conversion limit, bytes that are not UTF-8: one line, exit 2."""
    path = tmp_path / "doc.json"
    path.write_bytes(content)
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pyde-ref {command}: ") and "not a JSON document" in err and err.count("\n") == 1
