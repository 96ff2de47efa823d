"""The state sections of a wave or chain document -- ``accounts``,
``contracts``, ``validators``, ``protocol``, ``code``, ``parachains``,
``xcalls`` (the last two in :mod:`.parachain_json`) -- read into a
:class:`~pyde_ref.executor.genesis.PreState` (:func:`parse_prestate`), and
a state written back in the same shape (:func:`state_json`), so a
``post_state`` can be fed back as a pre-state.

The reader refuses conflicting pre-states with the JSON path of the field
(``spec/wave-format.md`` "Conflicts"): the same address twice in any letter
case, an ``accounts`` entry or a parachain at a contract's address, anything at the
all-zero address, a contract or keys at a system address, a validator whose
id is not its key's, more than three validators per operator, reward
bookkeeping that does not add up, invalid keys and signer sets.
"""

from __future__ import annotations

from typing import Any, Optional

from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.genesis import GenesisContract, PreState
from pyde_ref.executor.handlers.multisig import signer_set_problem
from pyde_ref.executor.jsonfields import (
    WaveFormatError,
    address_key,
    check_keys,
    hex0x,
    read_address,
    read_bool,
    read_bytes,
    read_choice,
    read_code,
    read_int,
    read_list,
    read_object,
    read_optional_int,
    read_u64,
)
from pyde_ref.executor.parachain_json import (
    parachains_json,
    read_parachains,
    read_threshold_records,
    read_xcalls,
    threshold_protocol_json,
    threshold_record_json,
    xcalls_json,
)
from pyde_ref.executor.params import MAX_VALIDATORS_PER_OPERATOR
from pyde_ref.state.accounts import (
    EMPTY_ACCOUNT,
    NO_AUTH_KEYS,
    U16_MAX,
    U32_MAX,
    U64_MAX,
    U128_MAX,
    Account,
    AccountType,
    AuthKeys,
    AuthScheme,
    check_public_key,
)
from pyde_ref.state.code import code_hash
from pyde_ref.state.overlay import ACCOUNT, CODE, PROTOCOL, STORAGE, VALIDATOR
from pyde_ref.state.records import (
    MARKER,
    AirdropConfig,
    ContractMeta,
    Disc,
    MultisigConfig,
    PendingUpgrade,
    Phase,
    Scalar,
    UpgradeRecord,
    Validator,
    ValidatorKey,
    be64,
    protocol_key,
)
from pyde_ref.state.system import FUND_ACCOUNTS, OPERATION_ADDRESSES, REWARD_POOL, ZERO_ADDRESS

STATE_SECTIONS = ("accounts", "contracts", "validators", "protocol", "code", "parachains", "xcalls")


# --------------------------------------------------------------------------
# keys and auth keys
# --------------------------------------------------------------------------


def read_public_key(value: Any, field: str) -> bytes:
    key = read_bytes(value, field)
    problem = check_public_key(key)
    if problem is not None:
        raise WaveFormatError(field, problem)
    return key


def read_auth_keys(value: Any, field: str) -> AuthKeys:
    """``"none"``, ``{"single": "0x<pk>"}`` or ``{"multisig": {"keys":
    [...], "threshold": t}}``."""
    if value == "none":
        return NO_AUTH_KEYS
    obj = read_object(value, field)
    if len(obj) != 1 or next(iter(obj)) not in ("single", "multisig"):
        raise WaveFormatError(field, 'expected "none", {"single": key} or {"multisig": {"keys", "threshold"}}')
    if "single" in obj:
        keys = AuthKeys(AuthScheme.SINGLE, (read_public_key(obj["single"], f"{field}.single"),))
    else:
        sub = f"{field}.multisig"
        ms = read_object(obj["multisig"], sub)
        check_keys(ms, sub, ("keys", "threshold"), ())
        key_list = read_list(ms["keys"], f"{sub}.keys")
        keys = AuthKeys(AuthScheme.MULTISIG,
                        tuple(read_public_key(k, f"{sub}.keys[{i}]") for i, k in enumerate(key_list)),
                        read_int(ms["threshold"], f"{sub}.threshold", U32_MAX))
    problem = keys.problem()
    if problem is not None:
        raise WaveFormatError(field, problem)
    return keys


def auth_keys_json(keys: AuthKeys):
    if keys.scheme == AuthScheme.SINGLE:
        return {"single": hex0x(keys.keys[0])}
    if keys.scheme == AuthScheme.MULTISIG:
        return {"multisig": {"keys": [hex0x(k) for k in keys.keys], "threshold": keys.threshold}}
    return keys.name


# --------------------------------------------------------------------------
# accounts and contracts
# --------------------------------------------------------------------------

ACCOUNT_FIELDS = ("balance", "nonce", "nonce_bitmap", "auth_keys", "gas_tank", "key_nonce")


def read_account(entry: dict, field: str, address: bytes) -> Account:
    if address == ZERO_ADDRESS:
        raise WaveFormatError(field, "the all-zero address is reserved (Address::ZERO) and holds no account")
    if address in OPERATION_ADDRESSES:
        raise WaveFormatError(field, f"system address {OPERATION_ADDRESSES[address]} holds no account")
    if address in FUND_ACCOUNTS:
        check_keys(entry, field, (), ("balance",))
        return Account(read_int(entry.get("balance", 0), f"{field}.balance", U128_MAX),
                       account_type=AccountType.SYSTEM)
    check_keys(entry, field, (), ACCOUNT_FIELDS)
    bitmap = read_int(entry.get("nonce_bitmap", 0), f"{field}.nonce_bitmap", U16_MAX)
    if bitmap & 1:
        raise WaveFormatError(f"{field}.nonce_bitmap", "bit 0 (the window's base) cannot be set: the window slides past it")
    return Account(
        balance=read_int(entry.get("balance", 0), f"{field}.balance", U128_MAX),
        nonce=read_u64(entry.get("nonce", 0), f"{field}.nonce"),
        nonce_bitmap=bitmap,
        auth_keys=read_auth_keys(entry.get("auth_keys", "none"), f"{field}.auth_keys"),
        gas_tank=read_int(entry.get("gas_tank", 0), f"{field}.gas_tank", U128_MAX),
        key_nonce=read_int(entry.get("key_nonce", 0), f"{field}.key_nonce", U32_MAX),
    )


CONTRACT_FIELDS = ("balance", "nonce", "storage", "code_hash", "gas_tank", "owner", "upgrade", "upgrade_history")


def read_hashed_code(entry: dict, field: str, base_dir: Optional[str]) -> bytes:
    code = read_code(entry["code"], f"{field}.code", base_dir)
    if "code_hash" in entry and read_bytes(entry["code_hash"], f"{field}.code_hash", 32) != code_hash(code):
        raise WaveFormatError(f"{field}.code_hash", "does not match Poseidon2 of the code")
    return code


def read_contract(entry: dict, field: str, address: bytes, base_dir: Optional[str]) -> GenesisContract:
    if address == ZERO_ADDRESS:
        raise WaveFormatError(field, "no contract can live at the all-zero address (Address::ZERO)")
    if address in FUND_ACCOUNTS or address in OPERATION_ADDRESSES:
        raise WaveFormatError(field, "no contract can live at a system address")
    check_keys(entry, field, ("code",), CONTRACT_FIELDS)
    storage = []
    for slot_hex, value_hex in read_object(entry.get("storage", {}), f"{field}.storage").items():
        slot_field = f"{field}.storage[{slot_hex}]"
        storage.append((read_bytes(slot_hex, slot_field, 32), read_bytes(value_hex, slot_field, 32)))
    if len({slot for slot, _ in storage}) != len(storage):
        raise WaveFormatError(f"{field}.storage", "the same slot twice (slots compare in any letter case)")
    code = read_hashed_code(entry, field, base_dir)
    owner = None if entry.get("owner") is None else read_address(entry["owner"], f"{field}.owner")
    if owner == ZERO_ADDRESS:
        raise WaveFormatError(f"{field}.owner", "the all-zero address cannot own a contract")
    pending, pending_code = None, None
    if entry.get("upgrade") is not None:
        sub = f"{field}.upgrade"
        up = read_object(entry["upgrade"], sub)
        check_keys(up, sub, ("code", "proposed_wave", "activation_wave"), ("code_hash",))
        pending_code = read_hashed_code(up, sub, base_dir)
        proposed = read_u64(up["proposed_wave"], f"{sub}.proposed_wave")
        activation = read_u64(up["activation_wave"], f"{sub}.activation_wave")
        if activation < proposed:
            raise WaveFormatError(f"{sub}.activation_wave", "before the proposal")
        pending = PendingUpgrade(code_hash(pending_code), proposed, activation)
    history = []
    for i, h in enumerate(read_list(entry.get("upgrade_history", []), f"{field}.upgrade_history")):
        sub = f"{field}.upgrade_history[{i}]"
        h = read_object(h, sub)
        check_keys(h, sub, ("wave", "old_code_hash", "new_code_hash"), ())
        history.append(UpgradeRecord(read_u64(h["wave"], f"{sub}.wave"),
                                     read_bytes(h["old_code_hash"], f"{sub}.old_code_hash", 32),
                                     read_bytes(h["new_code_hash"], f"{sub}.new_code_hash", 32)))
    return GenesisContract(
        address=address, code=code, path=field,
        balance=read_int(entry.get("balance", 0), f"{field}.balance", U128_MAX),
        nonce=read_u64(entry.get("nonce", 0), f"{field}.nonce"),
        gas_tank=read_int(entry.get("gas_tank", 0), f"{field}.gas_tank", U128_MAX),
        storage=tuple(sorted(storage)),
        meta=ContractMeta(owner, pending, tuple(history)),
        pending_code=pending_code,
    )


# --------------------------------------------------------------------------
# validators
# --------------------------------------------------------------------------

VALIDATOR_FIELDS = ("operator", "phase", "withdrawable_at", "jailed_until", "permanently_jailed", "jail_count",
                    "last_jail_wave", "slash_count", "escrow_until", "last_rotation_epoch", "rewards")
VALIDATOR_REQUIRED = ("stake_account", "stake", "keys", "registered_wave", "activation_epoch")


def read_validator(entry: dict, field: str, vid: bytes) -> Validator:
    check_keys(entry, field, VALIDATOR_REQUIRED, VALIDATOR_FIELDS)
    keys = []
    for i, k in enumerate(read_list(entry["keys"], f"{field}.keys")):
        sub = f"{field}.keys[{i}]"
        k = read_object(k, sub)
        check_keys(k, sub, ("from_epoch", "public_key"), ())
        keys.append(ValidatorKey(read_u64(k["from_epoch"], f"{sub}.from_epoch"),
                                 read_public_key(k["public_key"], f"{sub}.public_key")))
    if not keys:
        raise WaveFormatError(f"{field}.keys", "a validator has at least one key")
    if poseidon2_hash(keys[0].public_key) != vid:
        raise WaveFormatError(field, "a validator's id is Poseidon2 of its first key")
    stake_account = read_address(entry["stake_account"], f"{field}.stake_account")
    if stake_account == ZERO_ADDRESS or stake_account in FUND_ACCOUNTS or stake_account in OPERATION_ADDRESSES:
        raise WaveFormatError(f"{field}.stake_account", "the zero address or a system account cannot stake")
    phase = read_choice(entry.get("phase", "bonded"), f"{field}.phase", set(Phase.NAMES.values()))
    return Validator(
        stake_account=stake_account,
        operator=read_address(entry.get("operator", hex0x(stake_account)), f"{field}.operator"),
        stake=read_int(entry["stake"], f"{field}.stake", U128_MAX),
        keys=tuple(keys),
        registered_wave=read_u64(entry["registered_wave"], f"{field}.registered_wave"),
        activation_epoch=read_u64(entry["activation_epoch"], f"{field}.activation_epoch"),
        phase={v: k for k, v in Phase.NAMES.items()}[phase],
        withdrawable_at=read_u64(entry.get("withdrawable_at", 0), f"{field}.withdrawable_at"),
        jailed_until=read_optional_int(entry.get("jailed_until"), f"{field}.jailed_until", U64_MAX),
        permanently_jailed=read_bool(entry.get("permanently_jailed", False), f"{field}.permanently_jailed"),
        jail_count=read_int(entry.get("jail_count", 0), f"{field}.jail_count", U32_MAX),
        last_jail_wave=read_optional_int(entry.get("last_jail_wave"), f"{field}.last_jail_wave", U64_MAX),
        slash_count=read_int(entry.get("slash_count", 0), f"{field}.slash_count", U32_MAX),
        escrow_until=read_u64(entry.get("escrow_until", 0), f"{field}.escrow_until"),
        last_rotation_epoch=read_optional_int(entry.get("last_rotation_epoch"), f"{field}.last_rotation_epoch",
                                              U64_MAX),
        rewards=read_int(entry.get("rewards", 0), f"{field}.rewards", U128_MAX),
    )


def validator_json(v: Validator) -> dict:
    out = {
        "stake_account": hex0x(v.stake_account),
        "stake": str(v.stake),
        "keys": [{"from_epoch": k.from_epoch, "public_key": hex0x(k.public_key)} for k in v.keys],
        "registered_wave": v.registered_wave,
        "activation_epoch": v.activation_epoch,
        "phase": Phase.NAMES[v.phase],
    }
    if v.operator != v.stake_account:
        out["operator"] = hex0x(v.operator)
    optional = {
        "withdrawable_at": (v.withdrawable_at, 0), "jailed_until": (v.jailed_until, None),
        "permanently_jailed": (v.permanently_jailed, False), "jail_count": (v.jail_count, 0),
        "last_jail_wave": (v.last_jail_wave, None), "slash_count": (v.slash_count, 0),
        "escrow_until": (v.escrow_until, 0), "last_rotation_epoch": (v.last_rotation_epoch, None),
    }
    for name, (value, default) in optional.items():
        if value != default:
            out[name] = value
    if v.rewards:
        out["rewards"] = str(v.rewards)
    return out


# --------------------------------------------------------------------------
# protocol records
# --------------------------------------------------------------------------

PROTOCOL_FIELDS = ("total_burned", "reward_accrued", "last_epoch", "emergency_pause_end_wave",
                   "treasury_multisig", "emergency_multisig", "airdrop", "slashed_evidence",
                   "reporter_evidence", "epoch_offenders", "xcall_last_id", "threshold_key", "threshold_combined")


def read_multisig(value: Any, field: str) -> MultisigConfig:
    obj = read_object(value, field)
    check_keys(obj, field, ("signers", "threshold"), ("nonce",))
    signers = tuple(read_public_key(k, f"{field}.signers[{i}]")
                    for i, k in enumerate(read_list(obj["signers"], f"{field}.signers")))
    threshold = read_int(obj["threshold"], f"{field}.threshold", 255)
    problem = signer_set_problem(signers, threshold)
    if problem is not None:
        raise WaveFormatError(field, problem)
    return MultisigConfig(signers, threshold, read_u64(obj.get("nonce", 0), f"{field}.nonce"))


def read_protocol(value: Any, field: str) -> list[tuple[bytes, object]]:
    obj = read_object(value, field)
    check_keys(obj, field, (), PROTOCOL_FIELDS)
    out: list[tuple[bytes, object]] = []
    scalars = (("total_burned", Disc.TOTAL_BURNED, U128_MAX, 16), ("reward_accrued", Disc.REWARD_ACCRUED, U128_MAX, 16),
               ("last_epoch", Disc.LAST_EPOCH, U64_MAX, 8),
               ("emergency_pause_end_wave", Disc.EMERGENCY_PAUSE_END_WAVE, U64_MAX, 8),
               ("xcall_last_id", Disc.XCALL_LAST_ID, U64_MAX, 8))
    for name, disc, maximum, width in scalars:
        if name in obj:
            out.append((protocol_key(disc), Scalar(read_int(obj[name], f"{field}.{name}", maximum), width)))
    for name, disc in (("treasury_multisig", Disc.TREASURY_MULTISIG), ("emergency_multisig", Disc.EMERGENCY_MULTISIG)):
        if name in obj:
            out.append((protocol_key(disc), read_multisig(obj[name], f"{field}.{name}")))
    if "airdrop" in obj:
        sub = f"{field}.airdrop"
        a = read_object(obj["airdrop"], sub)
        check_keys(a, sub, ("root", "deadline", "expected_sum"), ("claimed",))
        out.append((protocol_key(Disc.AIRDROP), AirdropConfig(read_bytes(a["root"], f"{sub}.root", 32),
                                                              read_u64(a["deadline"], f"{sub}.deadline"),
                                                              read_int(a["expected_sum"], f"{sub}.expected_sum",
                                                                       U128_MAX))))
        claimed = [read_int(i, f"{sub}.claimed[{n}]", U32_MAX)
                   for n, i in enumerate(read_list(a.get("claimed", []), f"{sub}.claimed"))]
        if len(set(claimed)) != len(claimed):
            raise WaveFormatError(f"{sub}.claimed", "an index listed twice")
        out += [(protocol_key(Disc.AIRDROP_CLAIMED, be64(i)), MARKER) for i in claimed]
    evidence = [read_bytes(e, f"{field}.slashed_evidence[{i}]", 32)
                for i, e in enumerate(read_list(obj.get("slashed_evidence", []), f"{field}.slashed_evidence"))]
    out += [(protocol_key(Disc.SLASHED_EVIDENCE, e), MARKER) for e in evidence]
    for i, r in enumerate(read_list(obj.get("reporter_evidence", []), f"{field}.reporter_evidence")):
        sub = f"{field}.reporter_evidence[{i}]"
        r = read_object(r, sub)
        check_keys(r, sub, ("reporter", "epoch", "count"), ())
        key = protocol_key(Disc.REPORTER_EVIDENCE, read_address(r["reporter"], f"{sub}.reporter"),
                           be64(read_u64(r["epoch"], f"{sub}.epoch")))
        out.append((key, Scalar(read_u64(r["count"], f"{sub}.count"), 8)))
    for i, r in enumerate(read_list(obj.get("epoch_offenders", []), f"{field}.epoch_offenders")):
        sub = f"{field}.epoch_offenders[{i}]"
        r = read_object(r, sub)
        check_keys(r, sub, ("epoch", "validator"), ())
        out.append((protocol_key(Disc.EPOCH_OFFENDER, be64(read_u64(r["epoch"], f"{sub}.epoch")),
                                 read_address(r["validator"], f"{sub}.validator")), MARKER))
    out += read_threshold_records(obj, field)
    keys = [key for key, _ in out]
    if len(set(keys)) != len(keys):
        raise WaveFormatError(field, "the same record listed twice")
    return out


def multisig_json(record: MultisigConfig) -> dict:
    return {"signers": [hex0x(k) for k in record.signers], "threshold": record.threshold, "nonce": record.nonce}


def airdrop_json(record: AirdropConfig) -> dict:
    return {"root": hex0x(record.root), "deadline": record.deadline, "expected_sum": str(record.expected_sum)}


def scalar_json(record: Scalar):
    return str(record.value) if record.width == 16 else record.value


def protocol_record_json(key: bytes, record) -> dict:
    """One ``protocol`` record as a receipt's write shows it: its
    discriminator's name, the sub-key and the value."""
    if isinstance(record, Scalar):
        value: Any = scalar_json(record)
    elif isinstance(record, MultisigConfig):
        value = multisig_json(record)
    elif isinstance(record, AirdropConfig):
        value = airdrop_json(record)
    elif threshold_record_json(record) is not None:
        value = threshold_record_json(record)
    else:
        value = True
    return {"record": Disc.NAMES.get(key[0], f"0x{key[0]:02x}"), "sub_key": hex0x(key[1:]), "value": value}


def protocol_json(state) -> dict:
    out: dict[str, Any] = {}
    lists: dict[str, list] = {"claimed": [], "slashed_evidence": [], "reporter_evidence": [], "epoch_offenders": []}
    for key, record in state.items(PROTOCOL):
        disc, sub = key[0], key[1:]
        name = Disc.NAMES.get(disc, f"0x{disc:02x}")
        if disc == Disc.REPORTER_EVIDENCE:
            lists["reporter_evidence"].append({"reporter": hex0x(sub[:32]),
                                               "epoch": int.from_bytes(sub[32:], "big"), "count": record.value})
        elif isinstance(record, Scalar):
            out[name] = scalar_json(record)
        elif isinstance(record, MultisigConfig):
            out[name] = multisig_json(record)
        elif isinstance(record, AirdropConfig):
            out[name] = airdrop_json(record)
        elif disc == Disc.AIRDROP_CLAIMED:
            lists["claimed"].append(int.from_bytes(sub, "big"))
        elif disc == Disc.SLASHED_EVIDENCE:
            lists["slashed_evidence"].append(hex0x(sub))
        elif disc == Disc.EPOCH_OFFENDER:
            lists["epoch_offenders"].append({"epoch": int.from_bytes(sub[:8], "big"), "validator": hex0x(sub[8:])})
    if lists["claimed"]:
        out.setdefault("airdrop", {})["claimed"] = lists["claimed"]
    for name in ("slashed_evidence", "reporter_evidence", "epoch_offenders"):
        if lists[name]:
            out[name] = lists[name]
    out.update(threshold_protocol_json(state))
    return out


# --------------------------------------------------------------------------
# the whole pre-state
# --------------------------------------------------------------------------


def parse_prestate(obj: dict, base_dir: Optional[str]) -> PreState:
    """The state sections of document ``obj`` (already checked for unknown
    top-level keys)."""
    seen: dict[bytes, str] = {}
    contracts = []
    for key, entry in read_object(obj.get("contracts", {}), "contracts").items():
        field = f"contracts[{key}]"
        address = address_key(key, field, seen)
        contracts.append(read_contract(read_object(entry, field), field, address, base_dir))
    contract_fields = dict(seen)  # a parachain's id is no contract's address (ABI §15.8: one address space)
    accounts = []
    for key, entry in read_object(obj.get("accounts", {}), "accounts").items():
        field = f"accounts[{key}]"
        address = address_key(key, field, seen)
        accounts.append((address, read_account(read_object(entry, field), field, address)))
    validators = []
    seen_ids: dict[bytes, str] = {}
    operated: dict[bytes, int] = {}
    for key, entry in read_object(obj.get("validators", {}), "validators").items():
        field = f"validators[{key}]"
        vid = address_key(key, field, seen_ids)
        v = read_validator(read_object(entry, field), field, vid)
        operated[v.operator] = operated.get(v.operator, 0) + 1
        if operated[v.operator] > MAX_VALIDATORS_PER_OPERATOR:
            raise WaveFormatError(field, f"operator 0x{v.operator.hex()} has more than "
                                         f"{MAX_VALIDATORS_PER_OPERATOR} validators")
        validators.append((vid, v))
    protocol = read_protocol(obj.get("protocol", {}), "protocol")
    code = []
    for key, wasm in read_object(obj.get("code", {}), "code").items():
        field = f"code[{key}]"
        wasm_bytes = read_code(wasm, field, base_dir)
        if read_bytes(key, field, 32) != code_hash(wasm_bytes):
            raise WaveFormatError(field, "the key is not Poseidon2 of the code")
        code.append((field, wasm_bytes))
    parachains = read_parachains(obj.get("parachains", {}), "parachains", base_dir, contract_fields)
    xcalls = read_xcalls(obj.get("xcalls", {}), "xcalls")
    last_id = dict(protocol).get(protocol_key(Disc.XCALL_LAST_ID))
    if xcalls and (last_id is None or last_id.value < xcalls[-1].xcall_id):
        raise WaveFormatError("protocol.xcall_last_id", f"below message {xcalls[-1].xcall_id} of xcalls")
    pre = PreState(tuple(accounts), tuple(contracts), tuple(validators), tuple(protocol), tuple(code),
                   parachains, xcalls)
    check_reward_bookkeeping(pre)
    return pre


def check_reward_bookkeeping(pre: PreState) -> None:
    """The reward pool holds at least what validators have accrued, and the
    accrued counter is the sum of their unclaimed rewards."""
    accrued = dict(pre.protocol).get(protocol_key(Disc.REWARD_ACCRUED))
    accrued_value = 0 if accrued is None else accrued.value
    owed = sum(v.rewards for _, v in pre.validators)
    if owed != accrued_value:
        raise WaveFormatError("protocol.reward_accrued",
                              f"{accrued_value}, but the validators' rewards add up to {owed}")
    pool = dict(pre.accounts).get(REWARD_POOL, EMPTY_ACCOUNT).balance
    if pool < accrued_value:
        raise WaveFormatError(f"accounts[{hex0x(REWARD_POOL)}].balance",
                              f"the reward pool holds {pool} < the {accrued_value} accrued to validators")


def account_json(account: Account) -> dict:
    out: dict[str, Any] = {"balance": str(account.balance)}
    if account.account_type == AccountType.SYSTEM:
        return out
    out["nonce"] = account.nonce
    if account.nonce_bitmap:
        out["nonce_bitmap"] = account.nonce_bitmap
    if account.auth_keys != NO_AUTH_KEYS:
        out["auth_keys"] = auth_keys_json(account.auth_keys)
    if account.gas_tank:
        out["gas_tank"] = str(account.gas_tank)
    if account.key_nonce:
        out["key_nonce"] = account.key_nonce
    return out


def meta_json(meta: ContractMeta, state=None) -> dict:
    """A contract's owner, pending upgrade (with its module when ``state``
    is given) and upgrade history."""
    out: dict[str, Any] = {}
    if meta.owner is not None:
        out["owner"] = hex0x(meta.owner)
    if meta.pending is not None:
        out["upgrade"] = {"code_hash": hex0x(meta.pending.code_hash),
                          "proposed_wave": meta.pending.proposed_wave,
                          "activation_wave": meta.pending.activation_wave}
        if state is not None:
            out["upgrade"]["code"] = hex0x(state.code(meta.pending.code_hash).wasm)
    if meta.history:
        out["upgrade_history"] = [{"wave": h.wave, "old_code_hash": hex0x(h.old_code_hash),
                                   "new_code_hash": hex0x(h.new_code_hash)} for h in meta.history]
    return out


def state_json(state) -> dict:
    """``post_state``: the state in the document's shape.  ``accounts``
    lists every non-empty account without code (system accounts with their
    balance only), ``contracts`` every account with code (module, code hash,
    balance, nonce, storage, and gas tank, owner, pending upgrade and
    upgrade history when present), ``validators``, ``protocol``, and
    ``code``: stored modules no contract runs or waits for (replaced by an
    upgrade)."""
    accounts: dict[str, dict] = {}
    contracts: dict[str, dict] = {}
    used_code: set[bytes] = set()
    for address, account in state.items(ACCOUNT):
        if not account.is_contract:
            accounts[hex0x(address)] = account_json(account)
            continue
        code = state.code(account.code_hash)
        used_code.add(account.code_hash)
        entry: dict[str, Any] = {
            "code": hex0x(code.wasm) if code is not None else None,
            "code_hash": hex0x(account.code_hash),
            "balance": str(account.balance),
            "nonce": account.nonce,
            "storage": {},
        }
        if account.gas_tank:
            entry["gas_tank"] = str(account.gas_tank)
        meta = state.contract_meta(address)
        if meta.pending is not None:
            used_code.add(meta.pending.code_hash)
        entry.update(meta_json(meta, state))
        contracts[hex0x(address)] = entry
    for key, value in state.items(STORAGE):
        context, slot = key[:32], key[32:]
        entry = contracts.get(hex0x(context))
        if entry is None:
            # Storage under an address without code cannot arise from
            # transactions; shown for completeness.
            entry = contracts.setdefault(hex0x(context), {"code": None, "code_hash": hex0x(bytes(32)),
                                                          "balance": "0", "nonce": 0, "storage": {}})
        entry["storage"][hex0x(slot)] = hex0x(value)
    out: dict[str, Any] = {"accounts": accounts, "contracts": contracts}
    validators = {hex0x(vid): validator_json(v) for vid, v in state.items(VALIDATOR)}
    if validators:
        out["validators"] = validators
    protocol = protocol_json(state)
    if protocol:
        out["protocol"] = protocol
    orphans = {hex0x(h): hex0x(c.wasm) for h, c in state.items(CODE) if h not in used_code}
    if orphans:
        out["code"] = orphans
    parachains = parachains_json(state)
    if parachains:
        out["parachains"] = parachains
    xcalls = xcalls_json(state)
    if xcalls:
        out["xcalls"] = xcalls
    return out

