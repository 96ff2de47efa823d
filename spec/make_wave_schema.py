"""Writes ``spec/wave.schema.json``, the JSON Schema of the wave and chain
documents (``spec/wave-format.md``): ``python spec/make_wave_schema.py``.

The schema is written from this description rather than by hand so that the
twenty-odd transaction kinds and the state sections stay consistent;
``tests/commands/test_wave_schema.py`` checks that the file is what this
script writes and that it validates every example document and output.
"""

import json
import os

U = {"$ref": "#/$defs/uint"}
ADDR = {"$ref": "#/$defs/address"}
B = {"$ref": "#/$defs/bytes"}
B32 = {"$ref": "#/$defs/bytes32"}
PK = {"$ref": "#/$defs/public_key"}
NUL_U = {"oneOf": [U, {"type": "null"}]}


def obj(props, required=(), extra=False):
    o = {"type": "object", "properties": props, "additionalProperties": extra}
    if required:
        o["required"] = list(required)
    return o


def amap(values, key="^0x[0-9a-fA-F]{64}$"):
    return {"type": "object", "propertyNames": {"pattern": key}, "additionalProperties": values}


COMMON = {
    "from": ADDR, "gas_limit": U, "nonce": U, "chain_id": U,
    "deadline": NUL_U,
    "fee_payer": {"$ref": "#/$defs/fee_payer"},
    "access_list": {"type": "array", "items": {"$ref": "#/$defs/access_entry"}},
    "signature": B,
    "signatures": {"$ref": "#/$defs/signatures"},
}

FRACTION = {"type": "string", "pattern": "^[0-9]+/[0-9]+$"}
CONFIG = obj({"min_validators": U, "quorum": FRACTION, "threshold": FRACTION, "grace_period_waves": U,
              "xcall_rate_limit": U, "discussion_waves": U, "voting_waves": U,
              "consensus_preset": {"enum": ["simple_bft", "threshold", "optimistic"]},
              "slashing_preset": {"enum": ["minimal", "standard", "strict"]}})
CHOICE = {"enum": ["yes", "no", "abstain"]}
COMMITTEE_SIGNATURES = {"type": "array", "items": obj({"validator": ADDR, "signature": B}, ["validator", "signature"])}
VOTE_CERTS = {"type": "array", "items": obj({"validator": ADDR, "choice": CHOICE, "signature": B},
                                            ["validator", "choice", "signature"])}
CODE = {"$ref": "#/$defs/code"}

KINDS = {
    "transfer": ({"to": ADDR, "value": U}, ["to"]),
    "call": ({"to": ADDR, "function": {"type": "string"}, "calldata": B, "value": U}, ["to"]),
    "deploy": ({"code": {"$ref": "#/$defs/code"}, "calldata": B, "value": U, "salt": B32}, ["code"]),
    "stake_deposit": ({"public_key": B, "value": U}, ["public_key", "value"]),
    "stake_withdraw": ({"validator": ADDR}, ["validator"]),
    "claim_reward": ({"validator": ADDR}, ["validator"]),
    "slash": ({"evidence": obj({"offense": U, "validator": ADDR, "wave": U, "digest_a": B32, "signature_a": B,
                                "digest_b": B32, "signature_b": B},
                               ["offense", "validator", "wave", "digest_a", "signature_a", "digest_b",
                                "signature_b"])}, ["evidence"]),
    "claim_airdrop": ({"index": U, "account": ADDR, "amount": U, "proof": {"type": "array", "items": B32}},
                      ["index", "account", "amount", "proof"]),
    "sweep_airdrop": ({}, []),
    "multisig_tx": ({"target": ADDR, "amount": U, "data_digest": B32, "multisig_nonce": U,
                     "approvals": {"$ref": "#/$defs/signatures"}},
                    ["target", "amount", "data_digest", "multisig_nonce", "approvals"]),
    "rotate_multisig": ({"new_signers": {"type": "array", "items": B}, "new_threshold": U, "multisig_nonce": U,
                         "approvals": {"$ref": "#/$defs/signatures"}},
                        ["new_signers", "new_threshold", "multisig_nonce", "approvals"]),
    "emergency_pause": ({"duration_waves": U, "multisig_nonce": U, "approvals": {"$ref": "#/$defs/signatures"}},
                        ["duration_waves", "multisig_nonce", "approvals"]),
    "emergency_resume": ({"multisig_nonce": U, "approvals": {"$ref": "#/$defs/signatures"}},
                         ["multisig_nonce", "approvals"]),
    "register_pubkey": ({"public_key": B}, ["public_key"]),
    "gas_tank_deposit": ({"target": ADDR, "value": U}, ["target", "value"]),
    "gas_tank_withdraw": ({"target": ADDR, "amount": U, "recipient": ADDR}, ["target", "amount", "recipient"]),
    "upgrade": ({"contract": ADDR, "code": {"$ref": "#/$defs/code"}}, ["contract", "code"]),
    "unjail": ({"validator": ADDR}, ["validator"]),
    "rotate_validator_key": ({"validator": ADDR, "public_key": B}, ["validator", "public_key"]),
    "rotate_auth_keys": ({"auth_keys": {"$ref": "#/$defs/auth_keys"}}, ["auth_keys"]),
    "parachain_register": ({"name": {"type": "string"}, "code": CODE, "validators": {"type": "array", "items": ADDR},
                            "config": CONFIG}, ["name", "code", "validators"]),
    "parachain_pause": ({"parachain": ADDR}, ["parachain"]),
    "parachain_unpause": ({"parachain": ADDR}, ["parachain"]),
    "parachain_kill": ({"parachain": ADDR}, ["parachain"]),
    "parachain_propose_upgrade": ({"parachain": ADDR, "code": CODE, "config": CONFIG}, ["parachain", "code"]),
    "parachain_vote": ({"parachain": ADDR, "proposal": U, "validator": ADDR, "choice": CHOICE,
                        "vote_signature": B}, ["parachain", "proposal", "validator", "choice", "vote_signature"]),
    "parachain_upgrade": ({"parachain": ADDR, "proposal": U, "committee_signatures": COMMITTEE_SIGNATURES},
                          ["parachain", "proposal", "committee_signatures"]),
    "raw": ({"tx_type": U, "to": ADDR, "value": U, "data": B}, ["tx_type"]),
}


def tx_variants():
    out = []
    for kind, (props, required) in KINDS.items():
        p = {"type": {"const": kind}}
        p.update(COMMON)
        p.update(props)
        req = ["type", "from"] + ([] if kind == "register_pubkey" else ["gas_limit"]) + required
        out.append(obj(p, req))
    return out


CONTEXT = obj({"chain_id": U, "block_height": U, "wave_id": U, "block_timestamp": U, "beacon": B32, "base_fee": U},
              ["chain_id", "block_height", "wave_id", "block_timestamp", "base_fee"])

ACCOUNT_IN = obj({"balance": U, "nonce": U, "nonce_bitmap": U, "auth_keys": {"$ref": "#/$defs/auth_keys"},
                  "gas_tank": U, "key_nonce": U})

UPGRADE = obj({"code": {"$ref": "#/$defs/code"}, "code_hash": B32, "proposed_wave": U, "activation_wave": U},
              ["proposed_wave", "activation_wave", "code_hash"])
UPGRADE_IN = obj({"code": {"$ref": "#/$defs/code"}, "code_hash": B32, "proposed_wave": U, "activation_wave": U},
                 ["code", "proposed_wave", "activation_wave"])
HISTORY = {"type": "array", "items": obj({"wave": U, "old_code_hash": B32, "new_code_hash": B32},
                                         ["wave", "old_code_hash", "new_code_hash"])}


def contract(out):
    props = {"code": {"oneOf": [B, {"type": "null"}]} if out else {"$ref": "#/$defs/code"},
             "code_hash": B32, "balance": U, "nonce": U, "storage": {"$ref": "#/$defs/storage"}, "gas_tank": U,
             "owner": {"oneOf": [ADDR, {"type": "null"}]}, "upgrade": UPGRADE if out else UPGRADE_IN,
             "upgrade_history": HISTORY}
    return obj(props, ["code", "code_hash", "balance", "nonce", "storage"] if out else ["code"])


VALIDATOR = obj({
    "stake_account": ADDR, "operator": ADDR, "stake": U,
    "keys": {"type": "array", "minItems": 1, "items": obj({"from_epoch": U, "public_key": PK},
                                                            ["from_epoch", "public_key"])},
    "registered_wave": U, "activation_epoch": U, "phase": {"enum": ["bonded", "unbonding"]},
    "withdrawable_at": U, "jailed_until": NUL_U, "permanently_jailed": {"type": "boolean"}, "jail_count": U,
    "last_jail_wave": NUL_U, "slash_count": U, "escrow_until": U, "last_rotation_epoch": NUL_U, "rewards": U,
}, ["stake_account", "stake", "keys", "registered_wave", "activation_epoch"])

MULTISIG = obj({"signers": {"type": "array", "items": PK, "minItems": 1, "maxItems": 16}, "threshold": U,
                "nonce": U}, ["signers", "threshold"])

PROTOCOL = obj({
    "total_burned": U, "reward_accrued": U, "last_epoch": U, "emergency_pause_end_wave": U,
    "xcall_last_id": U, "threshold_key": {"type": "string", "pattern": "^0x[0-9a-fA-F]{2368}$"},
    "threshold_combined": {"type": "array", "items": obj({"envelope_id": B32, "shared_secret": B32, "from_wave": U},
                                                         ["envelope_id", "shared_secret", "from_wave"])},
    "treasury_multisig": MULTISIG, "emergency_multisig": MULTISIG,
    "airdrop": obj({"root": B32, "deadline": U, "expected_sum": U, "claimed": {"type": "array", "items": U}},
                   ["root", "deadline", "expected_sum"]),
    "slashed_evidence": {"type": "array", "items": B32},
    "reporter_evidence": {"type": "array", "items": obj({"reporter": ADDR, "epoch": U, "count": U},
                                                         ["reporter", "epoch", "count"])},
    "epoch_offenders": {"type": "array", "items": obj({"epoch": U, "validator": ADDR}, ["epoch", "validator"])},
})


VERSION = obj({"code": CODE, "code_hash": B32, "config": CONFIG, "activated_at_wave": U,
               "deactivated_at_wave": NUL_U, "proposal_id": NUL_U, "vote_certs": VOTE_CERTS,
               "committee_signatures": COMMITTEE_SIGNATURES}, ["activated_at_wave"])
PROPOSAL = obj({"proposer": ADDR, "code": CODE, "code_hash": B32, "config": CONFIG, "submitted_wave": U,
                "voting_start": U, "voting_end": U, "votes": VOTE_CERTS,
                "status": {"enum": ["pending", "approved", "rejected", "enacted"]}, "decided_wave": NUL_U,
                "rejection": {"enum": ["none", "quorum", "threshold"]}},
               ["proposer", "submitted_wave", "voting_start", "voting_end"])
PARACHAIN = obj({
    "name": {"type": "string", "pattern": "^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$"}, "owner": ADDR,
    "validators": {"type": "array", "items": ADDR},
    "status": {"enum": ["active", "paused", "upgrading", "killed"]}, "deposit": U,
    "code": CODE, "config": CONFIG, "versions": {"type": "array", "minItems": 1, "items": VERSION},
    "current_version": U, "storage": amap(B, "^0x([0-9a-fA-F]{2})*$"), "proposals": amap(PROPOSAL, "^[0-9]+$"),
    "last_proposal_id": U, "registered_wave": U, "xcall_budget": obj({"wave": U, "count": U}, ["wave", "count"]),
}, ["name", "owner", "validators"])
XCALL_MESSAGE = obj({
    "source": ADDR, "target": ADDR, "message": B, "callback_fn": {"type": "string"}, "max_callback_gas": U,
    "timeout_waves": U, "issued_at_wave": U, "original_caller": ADDR, "original_fn": {"type": "string"},
    "original_args_hash": B32, "status": {"enum": ["queued", "responded"]},
    "outcome": {"enum": ["success", "revert", "trap", "timeout", "target_unavailable", "refused"]},
    "result": B, "responded_at_wave": NUL_U,
}, ["source", "target", "message", "callback_fn", "max_callback_gas", "timeout_waves", "issued_at_wave",
    "original_caller", "original_fn", "original_args_hash"])


def state_sections(out):
    return {
        "accounts": amap({"$ref": "#/$defs/account"}),
        "contracts": amap({"$ref": "#/$defs/contract_out" if out else "#/$defs/contract_in"}),
        "validators": amap({"$ref": "#/$defs/validator"}),
        "protocol": {"$ref": "#/$defs/protocol"},
        "code": amap({"$ref": "#/$defs/code"} if not out else B),
        "parachains": amap({"$ref": "#/$defs/parachain"}),
        "xcalls": amap({"$ref": "#/$defs/xcall"}, "^[0-9]+$"),
    }


WAVE_BODY = {"context": CONTEXT, "txs": {"type": "array", "items": {"$ref": "#/$defs/tx"}}}

wave_in_props = {"unsigned": {"type": "boolean"}}
wave_in_props.update(WAVE_BODY)
wave_in_props.update(state_sections(False))
chain_in_props = {"unsigned": {"type": "boolean"},
                  "waves": {"type": "array", "minItems": 1,
                            "items": obj(WAVE_BODY, ["context", "txs"])}}
chain_in_props.update(state_sections(False))

WRITE = obj({"table": {"enum": ["account", "code", "storage", "contract", "validator", "protocol", "parachain",
                                 "parachain_storage", "xcall"]},
             "key": B, "value": {}}, ["table", "key", "value"])
FEE = {"oneOf": [{"type": "null"}, obj({"payer_kind": {"enum": ["sender", "gas_tank", "paymaster"]}, "payer": ADDR,
                                        "total": U, "burned": U, "reward_pool": U, "treasury": U},
                                       ["payer_kind", "payer", "total", "burned", "reward_pool", "treasury"])]}
RECEIPT_FIELDS = {
    "status": {"enum": ["success", "revert", "trap", "rejected"]},
    "tx_type": {"type": "string"},
    "tx_hash": {"oneOf": [B32, {"type": "null"}]},
    "nonce": {"type": ["integer", "null"], "minimum": 0},
    "code": {"type": ["string", "null"]},
    "reason": {"type": ["string", "null"]},
    "error_code": {"type": ["integer", "null"], "maximum": -1},
    "trap": {"type": ["string", "null"]},
    "gas_used": {"type": "integer", "minimum": 0},
    "fee": FEE,
    "return_data": B,
    "revert_reason": B,
    "contract_address": {"oneOf": [ADDR, {"type": "null"}]},
    "events": {"type": "array", "items": {"$ref": "#/$defs/event"}},
    "writes": {"type": "array", "items": WRITE},
}
RECEIPT_OPTIONAL = {
    "parachain": obj({"id": B32, "version": U, "wasm_hash": B32}, ["id", "version", "wasm_hash"]),
    "xcall": obj({"kind": {"enum": ["XCallDelivery", "XCallCallback"]}, "id": U, "source": B32, "target": B32,
                  "outcome": {"enum": ["success", "revert", "trap", "timeout", "target_unavailable", "refused"]}},
                 ["kind", "id", "source", "target", "outcome"]),
}
RECEIPT = obj({**RECEIPT_FIELDS, **RECEIPT_OPTIONAL}, list(RECEIPT_FIELDS))
RECEIPT["allOf"] = [
    {"if": {"properties": {"status": {"const": "rejected"}}},
     "then": {"properties": {"code": {"type": "string"}, "gas_used": {"const": 0}, "fee": {"type": "null"}}},
     "else": {"properties": {"code": {"type": "null"}}}},
]

WAVE_START = obj({
    "upgrades": {"type": "array", "items": obj({"contract": ADDR, "wave": U, "old_code_hash": B32,
                                                "new_code_hash": B32},
                                               ["contract", "wave", "old_code_hash", "new_code_hash"])},
    "rewards": {"oneOf": [{"type": "null"}, obj({"epoch": U, "amount": U, "shares": amap(U)},
                                               ["epoch", "amount", "shares"])]},
    "writes": {"type": "array", "items": WRITE},
    "parachain_upgrades": {"type": "array", "items": obj({
        "parachain": B32, "wave": U, "old_version": U, "new_version": U, "old_wasm_hash": B32, "new_wasm_hash": B32},
        ["parachain", "wave", "old_version", "new_version", "old_wasm_hash", "new_wasm_hash"])},
    "tallies": {"type": "array", "items": obj({
        "parachain": B32, "proposal": U, "status": {"enum": ["approved", "rejected"]}, "yes": U, "no": U,
        "abstain": U, "validators": U, "rejection": {"enum": ["none", "quorum", "threshold"]}},
        ["parachain", "proposal", "status", "yes", "no", "abstain", "validators", "rejection"])},
}, ["upgrades", "rewards", "writes"])

WAVE_RESULT = {
    "wave_id": U,
    "wave_start": WAVE_START,
    "receipts": {"type": "array", "items": RECEIPT},
    "fees": obj({"total": U, "burned": U, "reward_pool": U, "treasury": U},
                ["total", "burned", "reward_pool", "treasury"]),
    "events_root": B32,
    "events_bloom": {"type": "string", "pattern": "^0x[0-9a-f]{512}$"},
    "state_digest": B32,
    "validators": amap({"enum": ["pending", "active", "jailed", "unbonding", "withdrawable"]}),
}
POST_STATE = obj(state_sections(True), ["accounts", "contracts"])
SYSTEM = amap({"enum": ["treasury", "reward_pool", "airdrop_pool", "accounts", "gas_tanks", "contracts",
                        "staking", "parachains"]})

wave_out_props = {"signatures_checked": {"type": "boolean"}}
wave_out_props.update(WAVE_RESULT)
wave_out_props.update({"post_state": POST_STATE, "system_accounts": SYSTEM})
chain_out_props = {"signatures_checked": {"type": "boolean"},
                   "waves": {"type": "array", "items": obj(WAVE_RESULT, list(WAVE_RESULT))},
                   "state_digest": B32, "post_state": POST_STATE, "system_accounts": SYSTEM}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://pyde-ref/spec/wave.schema.json",
    "title": "pyde-ref wave and chain documents (input and output of `pyde-ref wave` and `pyde-ref chain`)",
    "description": ("See spec/wave-format.md. The input is validated field by field by "
                    "pyde_ref/executor/wave_json.py (parse_wave, parse_chain), whose error messages name the "
                    "offending field; this schema describes the same shape (the reader also refuses what a "
                    "schema cannot say: the same address twice in any letter case, conflicting pre-state)."),
    "$defs": {
        "address": {"type": "string", "pattern": "^0x[0-9a-fA-F]{64}$"},
        "bytes": {"type": "string", "pattern": "^0x([0-9a-fA-F]{2})*$"},
        "bytes32": {"type": "string", "pattern": "^0x[0-9a-fA-F]{64}$"},
        "public_key": {"description": "A FALCON-512 public key: 897 bytes, first byte 0x09.",
                       "type": "string", "pattern": "^0x09[0-9a-fA-F]{1792}$"},
        "uint": {"description": "A non-negative integer: a JSON number or a decimal string (use strings above 2^53).",
                 "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]{1,40}$"}]},
        "code": {"description": "0x + the wasm module's hex, or a path to a .wasm file (relative to the document's directory).",
                 "type": "string", "minLength": 1},
        "storage": amap(B32),
        "auth_keys": {"oneOf": [
            {"const": "none"},
            obj({"single": PK}, ["single"]),
            obj({"multisig": obj({"keys": {"type": "array", "items": PK, "minItems": 1, "maxItems": 16},
                                  "threshold": U}, ["keys", "threshold"])}, ["multisig"]),
        ]},
        "account": ACCOUNT_IN,
        "contract_in": contract(False),
        "contract_out": contract(True),
        "validator": VALIDATOR,
        "protocol": PROTOCOL,
        "parachain": PARACHAIN,
        "xcall": XCALL_MESSAGE,
        "fee_payer": {"oneOf": [{"enum": ["sender", "gas_tank"]}, obj({"paymaster": ADDR}, ["paymaster"])]},
        "access_entry": obj({"address": ADDR, "storage_keys": {"type": "array", "items": B32},
                             "access_type": {"enum": ["read", "read_write"]}}, ["address"]),
        "signatures": {"type": "array", "items": obj({"index": U, "signature": B}, ["index"])},
        "tx": {"oneOf": tx_variants()},
        "event": obj({"contract": ADDR, "topic": B32, "data": B}, ["contract", "topic", "data"]),
        "wave_input": obj(wave_in_props, ["context", "txs"]),
        "chain_input": obj(chain_in_props, ["waves"]),
        "wave_output": obj(wave_out_props, list(wave_out_props)),
        "chain_output": obj(chain_out_props, list(chain_out_props)),
        "input": {"oneOf": [{"$ref": "#/$defs/wave_input"}, {"$ref": "#/$defs/chain_input"}]},
        "output": {"oneOf": [{"$ref": "#/$defs/wave_output"}, {"$ref": "#/$defs/chain_output"}]},
    },
    "oneOf": [{"$ref": "#/$defs/input"}, {"$ref": "#/$defs/output"}],
}

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wave.schema.json")


def render() -> str:
    return json.dumps(schema, indent=1) + "\n"


if __name__ == "__main__":
    with open(SCHEMA_PATH, "w", encoding="utf-8") as f:
        f.write(render())
