"""Parachains in the JSON documents (``spec/wave-format.md`` "Parachains"):
the ``parachains`` and ``xcalls`` state sections, the threshold records of
``protocol``, the parachain transaction kinds, and their records in
receipts, ``wave_start`` and ``post_state``.

Every reader refuses a malformed field with the JSON path
(:class:`~pyde_ref.executor.jsonfields.WaveFormatError`); every writer
gives back what its reader reads, so a ``post_state`` is a pre-state again.
"""

from __future__ import annotations

from typing import Any, Optional

from pyde_ref.crypto.threshold import KEM_PUBLIC_KEY_SIZE
from pyde_ref.executor.genesis import GenesisParachain
from pyde_ref.executor.handlers.parachains import (
    Enactment,
    Registration,
    UpgradeProposal,
    Vote,
    config_problem,
)
from pyde_ref.executor.jsonfields import (
    WaveFormatError,
    address_key,
    check_keys,
    hex0x,
    read_address,
    read_bytes,
    read_choice,
    read_code,
    read_int,
    read_list,
    read_name,
    read_object,
    read_optional_int,
    read_u64,
)
from pyde_ref.state.accounts import U32_MAX, U64_MAX, U128_MAX
from pyde_ref.state.code import code_hash
from pyde_ref.state.overlay import PARACHAIN, PARACHAIN_STORAGE, XCALL
from pyde_ref.state.parachains import (
    DEFAULT_CONFIG,
    CombinedShares,
    CommitteeSignature,
    ConsensusPreset,
    Fraction,
    ParachainConfig,
    ParachainRecord,
    ParachainSlot,
    ParachainStatus,
    ParachainVersion,
    Proposal,
    ProposalStatus,
    RejectionReason,
    SlashingPreset,
    ThresholdKey,
    VoteCert,
    VoteChoice,
    XCallBudget,
    XCallMessage,
    XCallOutcome,
    XCallStatus,
    name_problem,
    parachain_id,
    slot_hash,
)
from pyde_ref.state.records import Disc, protocol_key

# --------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------

CONFIG_FIELDS = ("min_validators", "quorum", "threshold", "grace_period_waves", "xcall_rate_limit",
                 "discussion_waves", "voting_waves", "consensus_preset", "slashing_preset")


def _by_name(names: dict) -> dict:
    return {name: value for value, name in names.items()}


def read_fraction(value: Any, field: str) -> Fraction:
    """``"n/d"``."""
    if not isinstance(value, str) or value.count("/") != 1:
        raise WaveFormatError(field, 'expected a fraction "numerator/denominator"')
    n, d = value.split("/")
    return Fraction(read_int(n, field, U32_MAX), read_int(d, field, U32_MAX))


def read_config_json(value: Any, field: str) -> ParachainConfig:
    """A ``config`` object; every field optional (PARACHAIN_DESIGN's
    defaults).  Its consistency (§6.1 step 7) is a transaction rule, checked
    when a transaction uses it."""
    obj = read_object(value, field)
    check_keys(obj, field, (), CONFIG_FIELDS)
    d = DEFAULT_CONFIG

    def number(name: str, maximum: int, default: int) -> int:
        return read_int(obj.get(name, default), f"{field}.{name}", maximum)

    consensus = _by_name(ConsensusPreset.NAMES)
    slashing = _by_name(SlashingPreset.NAMES)
    return ParachainConfig(
        min_validators=number("min_validators", U32_MAX, d.min_validators),
        quorum=read_fraction(obj["quorum"], f"{field}.quorum") if "quorum" in obj else d.quorum,
        threshold=read_fraction(obj["threshold"], f"{field}.threshold") if "threshold" in obj else d.threshold,
        grace_period_waves=number("grace_period_waves", U64_MAX, d.grace_period_waves),
        xcall_rate_limit=number("xcall_rate_limit", U32_MAX, d.xcall_rate_limit),
        discussion_waves=number("discussion_waves", U64_MAX, d.discussion_waves),
        voting_waves=number("voting_waves", U64_MAX, d.voting_waves),
        consensus_preset=consensus[read_choice(obj.get("consensus_preset", ConsensusPreset.NAMES[d.consensus_preset]),
                                               f"{field}.consensus_preset", set(consensus))],
        slashing_preset=slashing[read_choice(obj.get("slashing_preset", SlashingPreset.NAMES[d.slashing_preset]),
                                             f"{field}.slashing_preset", set(slashing))],
    )


def config_json(c: ParachainConfig) -> dict:
    return {
        "min_validators": c.min_validators,
        "quorum": f"{c.quorum.numerator}/{c.quorum.denominator}",
        "threshold": f"{c.threshold.numerator}/{c.threshold.denominator}",
        "grace_period_waves": c.grace_period_waves,
        "xcall_rate_limit": c.xcall_rate_limit,
        "discussion_waves": c.discussion_waves,
        "voting_waves": c.voting_waves,
        "consensus_preset": ConsensusPreset.NAMES.get(c.consensus_preset, str(c.consensus_preset)),
        "slashing_preset": SlashingPreset.NAMES.get(c.slashing_preset, str(c.slashing_preset)),
    }


# --------------------------------------------------------------------------
# transactions
# --------------------------------------------------------------------------


def read_validators(value: Any, field: str) -> tuple[bytes, ...]:
    return tuple(read_address(v, f"{field}[{i}]") for i, v in enumerate(read_list(value, field)))


def _config(r, default: ParachainConfig = DEFAULT_CONFIG) -> ParachainConfig:
    return read_config_json(r.obj["config"], r.path("config")) if "config" in r.obj else default


def registration(r) -> bytes:
    return Registration(read_name(r.obj["name"], r.path("name")), r.code("code"), _config(r),
                        read_validators(r.obj["validators"], r.path("validators"))).encode()


def proposal_payload(r) -> bytes:
    return UpgradeProposal(r.address("parachain"), r.code("code"), _config(r)).encode()


def vote_payload(r) -> bytes:
    choices = _by_name(VoteChoice.NAMES)
    choice = choices[read_choice(r.obj["choice"], r.path("choice"), set(choices))]
    return Vote(r.address("parachain"), r.int("proposal", U64_MAX), r.address("validator"), choice,
                r.bytes("vote_signature")).encode()


def committee_signatures(value: Any, field: str) -> tuple[CommitteeSignature, ...]:
    out = []
    for i, item in enumerate(read_list(value, field)):
        sub = f"{field}[{i}]"
        item = read_object(item, sub)
        check_keys(item, sub, ("validator", "signature"), ())
        out.append(CommitteeSignature(read_address(item["validator"], f"{sub}.validator"),
                                      read_bytes(item["signature"], f"{sub}.signature")))
    return tuple(out)


def enactment_payload(r) -> bytes:
    return Enactment(r.address("parachain"), r.int("proposal", U64_MAX),
                     committee_signatures(r.obj["committee_signatures"], r.path("committee_signatures"))).encode()


PARACHAIN_KINDS = {
    # kind: (required, optional, operation, payload builder)
    "parachain_register": (("name", "code", "validators"), ("config",), "register", registration),
    "parachain_pause": (("parachain",), (), "pause", lambda r: r.address("parachain")),
    "parachain_unpause": (("parachain",), (), "unpause", lambda r: r.address("parachain")),
    "parachain_kill": (("parachain",), (), "kill", lambda r: r.address("parachain")),
    "parachain_propose_upgrade": (("parachain", "code"), ("config",), "propose_upgrade", proposal_payload),
    "parachain_vote": (("parachain", "proposal", "validator", "choice", "vote_signature"), (), "vote", vote_payload),
    "parachain_upgrade": (("parachain", "proposal", "committee_signatures"), (), "upgrade", enactment_payload),
}
"""The parachain operations as JSON kinds: ``Standard`` transactions to the
``PARACHAINS`` system address (ParachainCall is the ``call`` kind with a
parachain's id as ``to``).  A vote's FALCON signature is ``vote_signature``
and the committee's are ``committee_signatures``: ``signature`` and
``signatures`` are the transaction's own."""


# --------------------------------------------------------------------------
# the pre-state: parachains
# --------------------------------------------------------------------------

PARACHAIN_FIELDS = ("owner", "validators", "status", "deposit", "code", "config", "versions", "current_version",
                    "storage", "proposals", "last_proposal_id", "registered_wave", "xcall_budget")
VERSION_FIELDS = ("code", "code_hash", "config", "activated_at_wave", "deactivated_at_wave", "proposal_id",
                  "vote_certs", "committee_signatures")
PROPOSAL_FIELDS = ("proposer", "code_hash", "config", "submitted_wave", "voting_start", "voting_end", "votes",
                   "status", "decided_wave", "rejection")


def read_vote_certs(value: Any, field: str) -> tuple[VoteCert, ...]:
    choices = _by_name(VoteChoice.NAMES)
    out = []
    for i, item in enumerate(read_list(value, field)):
        sub = f"{field}[{i}]"
        item = read_object(item, sub)
        check_keys(item, sub, ("validator", "choice", "signature"), ())
        out.append(VoteCert(read_address(item["validator"], f"{sub}.validator"),
                            choices[read_choice(item["choice"], f"{sub}.choice", set(choices))],
                            read_bytes(item["signature"], f"{sub}.signature")))
    return tuple(out)


def _module_hash(obj: dict, field: str, base_dir: Optional[str], modules: list) -> bytes:
    """A version's (or proposal's) module: ``code`` inline (kept in
    ``modules``) or ``code_hash`` (a module of the ``code`` section)."""
    if ("code" in obj) == ("code_hash" in obj):
        raise WaveFormatError(field, "give code or code_hash, not both or neither")
    if "code" in obj:
        wasm = read_code(obj["code"], f"{field}.code", base_dir)
        modules.append((f"{field}.code", wasm))
        return code_hash(wasm)
    return read_bytes(obj["code_hash"], f"{field}.code_hash", 32)


def read_version(obj: dict, field: str, number: int, base_dir: Optional[str], modules: list) -> ParachainVersion:
    check_keys(obj, field, ("activated_at_wave",), VERSION_FIELDS)
    return ParachainVersion(
        version=number,
        wasm_hash=_module_hash(obj, field, base_dir, modules),
        config=_config_of(obj, field),
        activated_at_wave=read_u64(obj["activated_at_wave"], f"{field}.activated_at_wave"),
        deactivated_at_wave=read_optional_int(obj.get("deactivated_at_wave"), f"{field}.deactivated_at_wave", U64_MAX),
        proposal_id=read_optional_int(obj.get("proposal_id"), f"{field}.proposal_id", U64_MAX),
        vote_certs=read_vote_certs(obj.get("vote_certs", []), f"{field}.vote_certs"),
        committee_signatures=committee_signatures(obj.get("committee_signatures", []),
                                                  f"{field}.committee_signatures"),
    )


def _config_of(obj: dict, field: str) -> ParachainConfig:
    return read_config_json(obj["config"], f"{field}.config") if "config" in obj else DEFAULT_CONFIG


def read_proposal_json(obj: dict, field: str, proposal_id: int, base_dir: Optional[str],
                       modules: list) -> Proposal:
    check_keys(obj, field, ("proposer", "submitted_wave", "voting_start", "voting_end"),
               PROPOSAL_FIELDS + ("code",))
    statuses, reasons = _by_name(ProposalStatus.NAMES), _by_name(RejectionReason.NAMES)
    proposal = Proposal(
        proposal_id=proposal_id,
        proposer=read_address(obj["proposer"], f"{field}.proposer"),
        code_hash=_module_hash(obj, field, base_dir, modules),
        config=_config_of(obj, field),
        submitted_wave=read_u64(obj["submitted_wave"], f"{field}.submitted_wave"),
        voting_start=read_u64(obj["voting_start"], f"{field}.voting_start"),
        voting_end=read_u64(obj["voting_end"], f"{field}.voting_end"),
        votes=read_vote_certs(obj.get("votes", []), f"{field}.votes"),
        status=statuses[read_choice(obj.get("status", "pending"), f"{field}.status", set(statuses))],
        decided_wave=read_optional_int(obj.get("decided_wave"), f"{field}.decided_wave", U64_MAX),
        rejection=reasons[read_choice(obj.get("rejection", "none"), f"{field}.rejection", set(reasons))],
    )
    if (proposal.status == ProposalStatus.PENDING) != (proposal.decided_wave is None):
        raise WaveFormatError(f"{field}.decided_wave", "a decided proposal has a decided_wave, a pending one none")
    if (proposal.status == ProposalStatus.REJECTED) != (proposal.rejection != RejectionReason.NONE):
        raise WaveFormatError(f"{field}.rejection", "a rejected proposal names its reason, no other does")
    return proposal


def read_storage(value: Any, field: str, pid: bytes) -> tuple[tuple[bytes, bytes], ...]:
    out, hashes = [], set()
    for key_hex, value_hex in read_object(value, field).items():
        sub = f"{field}[{key_hex}]"
        key, data = read_bytes(key_hex, sub), read_bytes(value_hex, sub)
        if not data:
            raise WaveFormatError(sub, "an empty value is an absent key: leave it out")
        h = slot_hash(pid, key)
        if h in hashes:
            raise WaveFormatError(sub, "the same key twice (keys compare in any letter case)")
        hashes.add(h)
        out.append((key, data))
    return tuple(sorted(out))


def read_parachain(entry: dict, field: str, pid: bytes, base_dir: Optional[str]) -> GenesisParachain:
    """One ``parachains`` entry (``spec/wave-format.md``): the id must be
    the name's; ``code`` (+ ``config``) is the short form of one version 0
    activated at ``registered_wave``, ``versions`` (+ ``current_version``)
    the full one."""
    check_keys(entry, field, ("name", "owner", "validators"), PARACHAIN_FIELDS + ("name",))
    name = read_name(entry["name"], f"{field}.name")
    problem = name_problem(name)
    if problem is not None:
        raise WaveFormatError(f"{field}.name", problem)
    if parachain_id(name) != pid:
        raise WaveFormatError(field, f"the id of {name!r} is {hex0x(parachain_id(name))}")
    validators = read_validators(entry["validators"], f"{field}.validators")
    if len(set(validators)) != len(validators):
        raise WaveFormatError(f"{field}.validators", "a validator listed twice")
    registered = read_u64(entry.get("registered_wave", 0), f"{field}.registered_wave")
    modules: list = []
    if ("code" in entry) == ("versions" in entry):
        raise WaveFormatError(field, "give code (one version) or versions, not both or neither")
    if "code" in entry:
        check_keys(entry, field, ("name", "owner", "validators", "code"),
                   tuple(f for f in PARACHAIN_FIELDS if f not in ("versions", "current_version")) + ("name",))
        versions = (ParachainVersion(0, _module_hash(entry, field, base_dir, modules), _config_of(entry, field),
                                     registered),)
        current = 0
    else:
        if "config" in entry:
            raise WaveFormatError(f"{field}.config", "with versions, each version has its config")
        items = read_list(entry["versions"], f"{field}.versions")
        versions = tuple(read_version(read_object(v, f"{field}.versions[{i}]"), f"{field}.versions[{i}]", i,
                                      base_dir, modules) for i, v in enumerate(items))
        if not versions:
            raise WaveFormatError(f"{field}.versions", "a parachain has at least one version")
        current = read_int(entry.get("current_version", 0), f"{field}.current_version", len(versions) - 1)
        if len(versions) > current + 2:
            raise WaveFormatError(f"{field}.versions", "at most one version after the current one (the pending upgrade)")
    for v in versions[:current + 1]:
        problem = config_problem(v.config)
        if problem is not None:
            raise WaveFormatError(f"{field}.config", problem)
    statuses = _by_name(ParachainStatus.NAMES)
    proposals = []
    for key, p in read_object(entry.get("proposals", {}), f"{field}.proposals").items():
        sub = f"{field}.proposals[{key}]"
        proposals.append(read_proposal_json(read_object(p, sub), sub, read_int(key, sub, U64_MAX), base_dir, modules))
    last = read_u64(entry.get("last_proposal_id", max((p.proposal_id for p in proposals), default=0)),
                    f"{field}.last_proposal_id")
    if any(p.proposal_id > last or p.proposal_id == 0 for p in proposals):
        raise WaveFormatError(f"{field}.proposals", "proposal ids run from 1 to last_proposal_id")
    budget = None
    if "xcall_budget" in entry:
        b = read_object(entry["xcall_budget"], f"{field}.xcall_budget")
        check_keys(b, f"{field}.xcall_budget", ("wave", "count"), ())
        budget = XCallBudget(read_u64(b["wave"], f"{field}.xcall_budget.wave"),
                             read_int(b["count"], f"{field}.xcall_budget.count", U32_MAX))
    owner = read_address(entry["owner"], f"{field}.owner")
    record = ParachainRecord(
        name=name, owner=owner,
        status=statuses[read_choice(entry.get("status", "active"), f"{field}.status", set(statuses))],
        current_version=current, versions=versions, validators=validators,
        deposit=read_int(entry.get("deposit", 0), f"{field}.deposit", U128_MAX),
        last_proposal_id=last, registered_wave=registered)
    return GenesisParachain(pid, record, field, tuple(modules),
                            read_storage(entry.get("storage", {}), f"{field}.storage", pid),
                            tuple(sorted(proposals, key=lambda p: p.proposal_id)), budget)


def read_parachains(value: Any, field: str, base_dir: Optional[str], seen: dict) -> tuple[GenesisParachain, ...]:
    out = []
    for key, entry in read_object(value, field).items():
        sub = f"{field}[{key}]"
        pid = address_key(key, sub, seen)
        out.append(read_parachain(read_object(entry, sub), sub, pid, base_dir))
    return tuple(out)


# --------------------------------------------------------------------------
# the pre-state: messages and threshold records
# --------------------------------------------------------------------------

XCALL_FIELDS = ("source", "target", "message", "callback_fn", "max_callback_gas", "timeout_waves",
                "issued_at_wave", "original_caller", "original_fn", "original_args_hash")


def read_xcalls(value: Any, field: str) -> tuple[XCallMessage, ...]:
    out = []
    statuses, outcomes = _by_name(XCallStatus.NAMES), _by_name(XCallOutcome.NAMES)
    for key, m in read_object(value, field).items():
        sub = f"{field}[{key}]"
        m = read_object(m, sub)
        check_keys(m, sub, XCALL_FIELDS, ("status", "outcome", "result", "responded_at_wave"))
        xcall_id = read_int(key, sub, U64_MAX)
        if xcall_id == 0:
            raise WaveFormatError(sub, "XCallIds are positive")
        message = XCallMessage(
            xcall_id=xcall_id, source=read_address(m["source"], f"{sub}.source"),
            target=read_address(m["target"], f"{sub}.target"), message=read_bytes(m["message"], f"{sub}.message"),
            callback_fn=read_name(m["callback_fn"], f"{sub}.callback_fn"),
            max_callback_gas=read_u64(m["max_callback_gas"], f"{sub}.max_callback_gas"),
            timeout_waves=read_u64(m["timeout_waves"], f"{sub}.timeout_waves"),
            issued_at_wave=read_u64(m["issued_at_wave"], f"{sub}.issued_at_wave"),
            original_caller=read_address(m["original_caller"], f"{sub}.original_caller"),
            original_fn=read_name(m["original_fn"], f"{sub}.original_fn"),
            original_args_hash=read_bytes(m["original_args_hash"], f"{sub}.original_args_hash", 32),
            status=statuses[read_choice(m.get("status", "queued"), f"{sub}.status", set(statuses))],
            outcome=outcomes[read_choice(m.get("outcome", "success"), f"{sub}.outcome", set(outcomes))],
            result=read_bytes(m.get("result", "0x"), f"{sub}.result"),
            responded_at_wave=read_optional_int(m.get("responded_at_wave"), f"{sub}.responded_at_wave", U64_MAX))
        if (message.status == XCallStatus.RESPONDED) != (message.responded_at_wave is not None):
            raise WaveFormatError(f"{sub}.responded_at_wave", "a responded message has one, a queued one none")
        out.append(message)
    return tuple(sorted(out, key=lambda m: m.xcall_id))


def read_threshold_records(obj: dict, field: str) -> list[tuple[bytes, object]]:
    """``threshold_key`` (the ML-KEM-768 encapsulation key) and
    ``threshold_combined`` (``[{envelope_id, shared_secret, from_wave}]``)
    of the ``protocol`` section."""
    out: list[tuple[bytes, object]] = []
    if "threshold_key" in obj:
        out.append((protocol_key(Disc.THRESHOLD_KEY),
                    ThresholdKey(read_bytes(obj["threshold_key"], f"{field}.threshold_key", KEM_PUBLIC_KEY_SIZE))))
    for i, c in enumerate(read_list(obj.get("threshold_combined", []), f"{field}.threshold_combined")):
        sub = f"{field}.threshold_combined[{i}]"
        c = read_object(c, sub)
        check_keys(c, sub, ("envelope_id", "shared_secret", "from_wave"), ())
        out.append((protocol_key(Disc.THRESHOLD_COMBINED, read_bytes(c["envelope_id"], f"{sub}.envelope_id", 32)),
                    CombinedShares(read_bytes(c["shared_secret"], f"{sub}.shared_secret", 32),
                                   read_u64(c["from_wave"], f"{sub}.from_wave"))))
    return out


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------


def vote_certs_json(certs) -> list:
    return [{"validator": hex0x(c.validator), "choice": VoteChoice.NAMES[c.choice], "signature": hex0x(c.signature)}
            for c in certs]


def version_json(v: ParachainVersion) -> dict:
    out: dict[str, Any] = {"code_hash": hex0x(v.wasm_hash), "config": config_json(v.config),
                           "activated_at_wave": v.activated_at_wave}
    if v.deactivated_at_wave is not None:
        out["deactivated_at_wave"] = v.deactivated_at_wave
    if v.proposal_id is not None:
        out["proposal_id"] = v.proposal_id
    if v.vote_certs:
        out["vote_certs"] = vote_certs_json(v.vote_certs)
    if v.committee_signatures:
        out["committee_signatures"] = [{"validator": hex0x(s.validator), "signature": hex0x(s.signature)}
                                       for s in v.committee_signatures]
    return out


def record_json(r: ParachainRecord) -> dict:
    """A registry record (the ``parachains`` entry without its storage,
    proposals and budget)."""
    return {
        "name": r.name, "owner": hex0x(r.owner), "status": ParachainStatus.NAMES[r.status],
        "validators": [hex0x(v) for v in r.validators], "deposit": str(r.deposit),
        "current_version": r.current_version, "versions": [version_json(v) for v in r.versions],
        "last_proposal_id": r.last_proposal_id, "registered_wave": r.registered_wave,
    }


def proposal_json(p: Proposal) -> dict:
    out: dict[str, Any] = {
        "proposer": hex0x(p.proposer), "code_hash": hex0x(p.code_hash), "config": config_json(p.config),
        "submitted_wave": p.submitted_wave, "voting_start": p.voting_start, "voting_end": p.voting_end,
        "votes": vote_certs_json(p.votes), "status": ProposalStatus.NAMES[p.status],
    }
    if p.decided_wave is not None:
        out["decided_wave"] = p.decided_wave
    if p.rejection != RejectionReason.NONE:
        out["rejection"] = RejectionReason.NAMES[p.rejection]
    return out


def xcall_json(m: XCallMessage) -> dict:
    out: dict[str, Any] = {
        "source": hex0x(m.source), "target": hex0x(m.target), "message": hex0x(m.message),
        "callback_fn": m.callback_fn, "max_callback_gas": m.max_callback_gas, "timeout_waves": m.timeout_waves,
        "issued_at_wave": m.issued_at_wave, "original_caller": hex0x(m.original_caller),
        "original_fn": m.original_fn, "original_args_hash": hex0x(m.original_args_hash),
        "status": XCallStatus.NAMES[m.status],
    }
    if m.status == XCallStatus.RESPONDED:
        out.update({"outcome": XCallOutcome.NAMES[m.outcome], "result": hex0x(m.result),
                    "responded_at_wave": m.responded_at_wave})
    return out


def parachain_record_write(key: bytes, value) -> dict:
    """A write of the ``parachain`` table, in its state-section shape."""
    if isinstance(value, ParachainRecord):
        return record_json(value)
    if isinstance(value, Proposal):
        return proposal_json(value)
    return {"wave": value.wave, "count": value.count}


def table_write_json(table: str, key: bytes, value) -> Optional[dict]:
    """The rendering of a write to one of the parachain tables (``None``
    for another table)."""
    if table == PARACHAIN:
        return parachain_record_write(key, value)
    if table == PARACHAIN_STORAGE:
        return {"key": hex0x(value.key), "value": hex0x(value.value)}
    if table == XCALL:
        return xcall_json(value)
    return None


def threshold_record_json(record) -> Any:
    """A threshold record of the ``protocol`` table (``None`` for another)."""
    if isinstance(record, ThresholdKey):
        return hex0x(record.public_key)
    if isinstance(record, CombinedShares):
        return {"shared_secret": hex0x(record.shared_secret), "from_wave": record.from_wave}
    return None


def threshold_protocol_json(state) -> dict:
    out: dict[str, Any] = {}
    combined = []
    for key, record in state.items("protocol"):
        if isinstance(record, ThresholdKey):
            out["threshold_key"] = hex0x(record.public_key)
        elif isinstance(record, CombinedShares):
            combined.append({"envelope_id": hex0x(key[1:]), "shared_secret": hex0x(record.shared_secret),
                             "from_wave": record.from_wave})
    if combined:
        out["threshold_combined"] = combined
    return out


def parachains_json(state) -> dict:
    """The ``parachains`` section of ``post_state`` (modules in ``code``)."""
    out: dict[str, dict] = {}
    prefixes: dict[bytes, dict] = {}
    for key, value in state.items(PARACHAIN):
        pid = key[:32]
        if isinstance(value, ParachainRecord):
            entry = record_json(value)
            entry["storage"] = {}
            out[hex0x(pid)] = entry
            prefixes[pid[:16]] = entry
    for key, value in state.items(PARACHAIN):
        entry = out.get(hex0x(key[:32]))
        if entry is None:
            continue
        if isinstance(value, Proposal):
            entry.setdefault("proposals", {})[str(value.proposal_id)] = proposal_json(value)
        elif isinstance(value, XCallBudget):
            entry["xcall_budget"] = {"wave": value.wave, "count": value.count}
    for key, slot in state.items(PARACHAIN_STORAGE):
        entry = prefixes.get(key[:16])
        if entry is not None and isinstance(slot, ParachainSlot):
            entry["storage"][hex0x(slot.key)] = hex0x(slot.value)
    return out


def xcalls_json(state) -> dict:
    return {str(m.xcall_id): xcall_json(m) for _key, m in state.items(XCALL)}


def receipt_extras(receipt) -> dict:
    """The ``parachain`` and ``xcall`` fields of a receipt (present only
    when set, so receipts of documents without parachains keep their
    shape)."""
    out: dict[str, Any] = {}
    if receipt.parachain is not None:
        p = receipt.parachain
        out["parachain"] = {"id": hex0x(p.parachain_id), "version": p.version, "wasm_hash": hex0x(p.wasm_hash)}
    if receipt.xcall is not None:
        x = receipt.xcall
        out["xcall"] = {"kind": x.kind, "id": x.xcall_id, "source": hex0x(x.source), "target": hex0x(x.target),
                        "outcome": x.outcome}
    return out


def wave_start_extras(start) -> dict:
    """``parachain_upgrades`` and ``tallies`` of ``wave_start``, when any."""
    out: dict[str, Any] = {}
    if start.parachain_upgrades:
        out["parachain_upgrades"] = [
            {"parachain": hex0x(s.parachain), "wave": s.wave, "old_version": s.old_version,
             "new_version": s.new_version, "old_wasm_hash": hex0x(s.old_wasm_hash),
             "new_wasm_hash": hex0x(s.new_wasm_hash)} for s in start.parachain_upgrades]
    if start.tallies:
        out["tallies"] = [
            {"parachain": hex0x(t.parachain), "proposal": t.proposal_id, "status": ProposalStatus.NAMES[t.status],
             "yes": t.yes, "no": t.no, "abstain": t.abstain, "validators": t.validators,
             "rejection": RejectionReason.NAMES[t.rejection]} for t in start.tallies]
    return out
