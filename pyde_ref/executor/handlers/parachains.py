"""The parachain lifecycle and its governance (PARACHAIN_DESIGN §6, §7):
system operations at the ``PARACHAINS`` address (chapter 11 §11.8 has no tag
for them: ``spec/findings/parachain-transactions.md``), and the engine's
steps at the start of a wave (tally, activation).

======================  =================================================  =========================
operation               arguments (Borsh)                                   gas
======================  =================================================  =========================
``register``            name String, code Vec<u8>, config, validators       32,000
                        Vec<[u8; 32]>
``pause``, ``unpause``  parachain [u8; 32]                                  21,000
``kill``                parachain [u8; 32]                                  21,000
``propose_upgrade``     parachain, code Vec<u8>, config                     32,000
``vote``                parachain, proposal u64, validator [u8; 32],         21,000 + 50,000
                        choice u8, signature Vec<u8>
``upgrade``             parachain, proposal u64, signatures                 21,000 + 50,000 each
                        Vec<([u8; 32], Vec<u8>)>
======================  =================================================  =========================

``register`` (§6.1): the name is well formed and unused, the module passes
the parachain deploy checks (the §8 imports eligible, nothing outside the
ABI), the configuration is consistent, the validator set is distinct active
main-committee validators, at least ``min_validators``; the sender pays the
registration fee (to the treasury) and the owner deposit (held by the
record), and owns the parachain.  Version 0 is the module.

``pause``/``unpause``/``kill`` (§6.3, §6.4): owner only.  A paused
parachain refuses new transactions; messages to it wait (and may time out);
callbacks it is owed still run.  A killed one refuses everything, its
deposit goes back to the owner minus the cleanup fee, its state and history
stay, its name can never be registered again.

Governance (§7): anyone proposes an upgrade (module + configuration);
after the discussion period each validator of the set votes once, with a
FALCON-512 signature over the vote (verified by ``falcon512_verify``, the
function behind ``pyde::falcon_verify``); when the window closes the engine
tallies (quorum: ``quorum × validators`` voted; threshold: ``threshold ×
voters`` said yes); an approved proposal is enacted by ``upgrade`` carrying
the committee's signature -- modelled as at least ``quorum × validators``
member FALCON signatures over the proposal
(``spec/findings/parachain-committee-signature.md``) -- and activates at
the start of wave ``upgrade wave + grace_period`` (:func:`activate_versions`),
when the module cache entry of the parachain is dropped.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.crypto.falcon import falcon512_verify
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.context import Outcome, Plan, TxContext, sender_pays
from pyde_ref.executor.deploy import DeployRejected, PreparedModule, validate_parachain
from pyde_ref.executor.fees import credit_balance, credit_fund, debit_balance
from pyde_ref.executor.handlers.base import SystemOp
from pyde_ref.executor.handlers.staking import Lifecycle, keys_valid_at, lifecycle
from pyde_ref.executor.parachain_frames import parachain_ref
from pyde_ref.executor.params import (
    DEPLOY_BASE_GAS,
    NATIVE_BASE_GAS,
    PARACHAIN_CLEANUP_FEE,
    PARACHAIN_MAX_VALIDATORS,
    PARACHAIN_MIN_VALIDATORS,
    PARACHAIN_OWNER_DEPOSIT,
    PARACHAIN_REGISTRATION_FEE,
    PROPOSAL_COOLDOWN_WAVES,
    SIGNATURE_VERIFY_GAS,
    epoch_of,
)
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Status
from pyde_ref.state.borsh import Reader, Writer
from pyde_ref.state.code import ContractCode, code_hash
from pyde_ref.state.overlay import PARACHAIN
from pyde_ref.state.parachains import (
    CLUSTER_PREFIX_SIZE,
    REGISTRY_RECORD,
    CommitteeSignature,
    ConsensusPreset,
    ParachainConfig,
    ParachainRecord,
    ParachainStatus,
    ParachainVersion,
    Proposal,
    ProposalStatus,
    RejectionReason,
    SlashingPreset,
    VoteCert,
    VoteChoice,
    name_problem,
    parachain_id,
    quoted_name,
    read_config,
)
from pyde_ref.state.system import PARACHAINS, TREASURY

VOTE_DOMAIN = "pyde-parachain-vote"
COMMITTEE_DOMAIN = "pyde-parachain-upgrade"


# --------------------------------------------------------------------------
# shared rules
# --------------------------------------------------------------------------


def config_problem(config: ParachainConfig) -> Optional[str]:
    """PARACHAIN_DESIGN §6.1 step 7, "Config is internally consistent":
    ``min_validators`` between 7 (§3 "min 7") and 128; quorum and threshold
    fractions in (0, 1]; a grace period and a voting window of at least one
    wave; known presets."""
    if not PARACHAIN_MIN_VALIDATORS <= config.min_validators <= PARACHAIN_MAX_VALIDATORS:
        return f"min_validators {config.min_validators} outside [{PARACHAIN_MIN_VALIDATORS}, {PARACHAIN_MAX_VALIDATORS}]"
    for name, f in (("quorum", config.quorum), ("threshold", config.threshold)):
        if not 0 < f.numerator <= f.denominator:
            return f"{name} {f.numerator}/{f.denominator} is not a fraction in (0, 1]"
    if config.grace_period_waves < 1 or config.voting_waves < 1:
        return "grace_period_waves and voting_waves must be at least 1"
    if config.consensus_preset not in ConsensusPreset.NAMES or config.slashing_preset not in SlashingPreset.NAMES:
        return "unknown consensus or slashing preset"
    return None


def check_config(config: ParachainConfig) -> None:
    problem = config_problem(config)
    if problem is not None:
        raise Rejection(rj.INVALID_PARACHAIN_CONFIG, problem)


def prepare_module(code: bytes) -> PreparedModule:
    """§6.1 steps 3-4: the parachain deploy checks; ``DeployRejected`` names the check."""
    try:
        return validate_parachain(code)
    except DeployRejected as exc:
        raise Rejection(rj.DEPLOY_REJECTED, f"DeployRejected: {exc.text}") from None


def require_parachain(ctx: TxContext, pid: bytes) -> ParachainRecord:
    record = ctx.layer.parachain(pid)
    if record is None:
        raise Rejection(rj.UNKNOWN_PARACHAIN, f"0x{pid.hex()}")
    return record


def require_owner(ctx: TxContext, record: ParachainRecord) -> None:
    if record.owner != ctx.sender:
        raise Rejection(rj.NOT_OWNER, f"only the owner of parachain {record.name!r} may do this")


def require_not_killed(record: ParachainRecord) -> None:
    if record.status == ParachainStatus.KILLED:
        raise Rejection(rj.PARACHAIN_KILLED, f"parachain {record.name!r} was killed")


def check_validator_set(ctx: TxContext, validators: tuple[bytes, ...], config: ParachainConfig) -> None:
    """§6.1 step 5: distinct ids of validators *active* in the main committee
    at this wave (committee selection is outside the execution layer: the
    active validators are the committee, ``spec/findings/validator-lifecycle.md``),
    at least ``min_validators``, at most 128."""
    if len(set(validators)) != len(validators):
        raise Rejection(rj.VALIDATOR_SET_DUPLICATE)
    if len(validators) > PARACHAIN_MAX_VALIDATORS:
        raise Rejection(rj.VALIDATOR_SET_TOO_LARGE, f"{len(validators)} validators")
    for vid in validators:
        v = ctx.layer.validator(vid)
        state = None if v is None else lifecycle(v, ctx.wave_id)
        if state != Lifecycle.ACTIVE:
            raise Rejection(rj.VALIDATOR_NOT_IN_COMMITTEE,
                            f"validator 0x{vid.hex()} is {state or 'not registered'} at wave {ctx.wave_id}")
    if len(validators) < config.min_validators:
        raise Rejection(rj.VALIDATOR_SET_TOO_SMALL,
                        f"{len(validators)} validators, min_validators {config.min_validators}")


def read_pid(reader: Reader) -> bytes:
    return reader.take(32, "parachain")


def _put_code(ctx: TxContext, code: bytes, prepared: PreparedModule) -> bytes:
    return ctx.layer.put_code(ContractCode(bytes(code), prepared.abi))


# --------------------------------------------------------------------------
# register (§6.1)
# --------------------------------------------------------------------------


@attrs.frozen
class Registration:
    name: str
    code: bytes
    config: ParachainConfig
    validators: tuple[bytes, ...]

    def encode(self) -> bytes:
        w = Writer().string(self.name).bytes_vec(self.code)
        self.config.encode_into(w)
        w.u32(len(self.validators))
        for v in self.validators:
            w.fixed(v, 32)
        return w.out()


def read_registration(reader: Reader) -> Registration:
    name = reader.string("name")
    code = reader.bytes_vec("code")
    config = read_config(reader)
    validators = tuple(reader.take(32, "validator") for _ in range(reader.u32("validators")))
    return Registration(name, code, config, validators)


def id_collision(layer, pid: bytes) -> Optional[bytes]:
    """Another parachain whose id shares ``pid``'s 16-byte clustering prefix
    (§4: uniqueness of the id; §5: the prefix is the subtree's)."""
    for key, _record in layer.items(PARACHAIN, pid[:CLUSTER_PREFIX_SIZE]):
        if key[32] == REGISTRY_RECORD and key[:32] != pid:
            return key[:32]
    return None


def plan_register(ctx: TxContext, r: Registration) -> Plan:
    plan_ = sender_pays(ctx, DEPLOY_BASE_GAS, sender_debit=PARACHAIN_REGISTRATION_FEE + PARACHAIN_OWNER_DEPOSIT)
    problem = name_problem(r.name)
    if problem is not None:
        raise Rejection(rj.INVALID_PARACHAIN_NAME, f"{quoted_name(r.name)}: {problem}")
    pid = parachain_id(r.name)
    if ctx.layer.parachain(pid) is not None:
        raise Rejection(rj.PARACHAIN_NAME_TAKEN, f"{r.name!r} is registered (0x{pid.hex()})")
    other = id_collision(ctx.layer, pid)
    if other is not None:
        raise Rejection(rj.PARACHAIN_ID_COLLISION, f"0x{pid.hex()} and 0x{other.hex()}")
    prepared = prepare_module(r.code)
    check_config(r.config)
    check_validator_set(ctx, r.validators, r.config)
    return attrs.evolve(plan_, details=(pid, prepared))


def execute_register(ctx: TxContext, r: Registration, plan_: Plan) -> Outcome:
    pid, prepared = plan_.details
    wasm_hash = _put_code(ctx, r.code, prepared)
    debit_balance(ctx.layer, ctx.sender, PARACHAIN_REGISTRATION_FEE + PARACHAIN_OWNER_DEPOSIT)
    credit_fund(ctx.layer, TREASURY, PARACHAIN_REGISTRATION_FEE)
    record = ParachainRecord(
        name=r.name, owner=ctx.sender, status=ParachainStatus.ACTIVE, current_version=0,
        versions=(ParachainVersion(0, wasm_hash, r.config, ctx.wave_id),),
        validators=r.validators, deposit=PARACHAIN_OWNER_DEPOSIT, registered_wave=ctx.wave_id)
    ctx.layer.put_parachain(pid, record)
    ctx.executor.cache.invalidate(pid)
    return Outcome(Status.SUCCESS, DEPLOY_BASE_GAS, parachain=parachain_ref(pid, record))


# --------------------------------------------------------------------------
# pause, unpause, kill (§6.3, §6.4)
# --------------------------------------------------------------------------


def owner_plan(ctx: TxContext, pid: bytes, allowed: tuple[int, ...], refusal: str) -> Plan:
    """An owner-only operation on a parachain whose status is one of
    ``allowed`` (``refusal`` otherwise)."""
    plan_ = sender_pays(ctx, NATIVE_BASE_GAS)
    record = require_parachain(ctx, pid)
    require_owner(ctx, record)
    if record.status not in allowed:
        raise Rejection(refusal, f"parachain {record.name!r} is {ParachainStatus.NAMES[record.status]}")
    return attrs.evolve(plan_, details=record)


def plan_pause(ctx: TxContext, pid: bytes) -> Plan:
    """§6.3: from active (or upgrading: the upgrade still activates)."""
    return owner_plan(ctx, pid, (ParachainStatus.ACTIVE, ParachainStatus.UPGRADING), rj.PARACHAIN_NOT_ACTIVE)


def plan_unpause(ctx: TxContext, pid: bytes) -> Plan:
    return owner_plan(ctx, pid, (ParachainStatus.PAUSED,), rj.PARACHAIN_NOT_PAUSED)


def plan_kill(ctx: TxContext, pid: bytes) -> Plan:
    """§6.4: from any status but killed (irreversible)."""
    alive = tuple(s for s in ParachainStatus.NAMES if s != ParachainStatus.KILLED)
    return owner_plan(ctx, pid, alive, rj.PARACHAIN_KILLED)


def _set_status(ctx: TxContext, pid: bytes, record: ParachainRecord, status: int) -> Outcome:
    updated = record.evolve(status=status)
    ctx.layer.put_parachain(pid, updated)
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS, parachain=parachain_ref(pid, updated))


def execute_pause(ctx: TxContext, pid: bytes, plan_: Plan) -> Outcome:
    return _set_status(ctx, pid, plan_.details, ParachainStatus.PAUSED)


def execute_unpause(ctx: TxContext, pid: bytes, plan_: Plan) -> Outcome:
    """Back to ``Upgrading`` when an upgrade waits, else ``Active``."""
    record = plan_.details
    status = ParachainStatus.UPGRADING if record.pending is not None else ParachainStatus.ACTIVE
    return _set_status(ctx, pid, record, status)


def execute_kill(ctx: TxContext, pid: bytes, plan_: Plan) -> Outcome:
    """§6.4: ``Killed``; the deposit back to the owner minus the cleanup
    fee (to the treasury); the state, the history and the name stay."""
    record: ParachainRecord = plan_.details
    fee = min(PARACHAIN_CLEANUP_FEE, record.deposit)
    if fee:
        credit_fund(ctx.layer, TREASURY, fee)
    if record.deposit > fee:
        credit_balance(ctx.layer, record.owner, record.deposit - fee)
    return _set_status(ctx, pid, record.evolve(deposit=0), ParachainStatus.KILLED)


# --------------------------------------------------------------------------
# propose_upgrade (§7 step 1)
# --------------------------------------------------------------------------


@attrs.frozen
class UpgradeProposal:
    parachain: bytes
    code: bytes
    config: ParachainConfig

    def encode(self) -> bytes:
        return self.config.encode_into(Writer().fixed(self.parachain, 32).bytes_vec(self.code)).out()


def read_proposal(reader: Reader) -> UpgradeProposal:
    return UpgradeProposal(read_pid(reader), reader.bytes_vec("code"), read_config(reader))


def proposal_hash(pid: bytes, proposal_id: int, wasm_hash: bytes, config: ParachainConfig) -> bytes:
    """What votes and the committee sign about a proposal:
    ``Poseidon2(parachain || proposal_id u64 || wasm_hash || config)``."""
    return poseidon2_hash(config.encode_into(Writer().fixed(pid, 32).u64(proposal_id).fixed(wasm_hash, 32)).out())


def in_cooldown(ctx: TxContext, pid: bytes, wasm_hash: bytes, config: ParachainConfig) -> Optional[int]:
    """§7: a rejected proposal "cannot be re-submitted unchanged for
    PROPOSAL_COOLDOWN": the id of such a proposal still cooling down."""
    for _key, p in ctx.layer.items(PARACHAIN, pid):
        if (isinstance(p, Proposal) and p.status == ProposalStatus.REJECTED and p.code_hash == wasm_hash
                and p.config == config and ctx.wave_id < p.decided_wave + PROPOSAL_COOLDOWN_WAVES):
            return p.proposal_id
    return None


def plan_propose(ctx: TxContext, p: UpgradeProposal) -> Plan:
    plan_ = sender_pays(ctx, DEPLOY_BASE_GAS)
    record = require_parachain(ctx, p.parachain)
    require_not_killed(record)
    prepared = prepare_module(p.code)
    check_config(p.config)
    if p.config.min_validators > len(record.validators):
        raise Rejection(rj.INVALID_PARACHAIN_CONFIG, f"min_validators {p.config.min_validators} above the "
                                                     f"{len(record.validators)} validators of the set")
    wasm_hash = code_hash(p.code)
    if wasm_hash == record.current.wasm_hash and p.config == record.config:
        raise Rejection(rj.PROPOSAL_NO_CHANGE)
    cooling = in_cooldown(ctx, p.parachain, wasm_hash, p.config)
    if cooling is not None:
        raise Rejection(rj.PROPOSAL_COOLDOWN, f"proposal {cooling} with the same module and config was rejected")
    return attrs.evolve(plan_, details=(record, prepared))


def execute_propose(ctx: TxContext, p: UpgradeProposal, plan_: Plan) -> Outcome:
    record, prepared = plan_.details
    wasm_hash = _put_code(ctx, p.code, prepared)
    proposal_id = record.last_proposal_id + 1
    config = record.config
    start = ctx.wave_id + config.discussion_waves
    ctx.layer.put_proposal(p.parachain, Proposal(proposal_id, ctx.sender, wasm_hash, p.config, ctx.wave_id,
                                                 start, start + config.voting_waves))
    updated = record.evolve(last_proposal_id=proposal_id)
    ctx.layer.put_parachain(p.parachain, updated)
    return Outcome(Status.SUCCESS, DEPLOY_BASE_GAS, parachain=parachain_ref(p.parachain, updated))


def require_proposal(ctx: TxContext, pid: bytes, proposal_id: int) -> Proposal:
    proposal = ctx.layer.proposal(pid, proposal_id)
    if proposal is None:
        raise Rejection(rj.UNKNOWN_PROPOSAL, f"proposal {proposal_id}")
    return proposal


# --------------------------------------------------------------------------
# vote (§7 step 2)
# --------------------------------------------------------------------------


@attrs.frozen
class Vote:
    parachain: bytes
    proposal_id: int
    validator: bytes
    choice: int
    signature: bytes

    def encode(self) -> bytes:
        return (Writer().fixed(self.parachain, 32).u64(self.proposal_id).fixed(self.validator, 32)
                .u8(self.choice).bytes_vec(self.signature).out())


def read_vote(reader: Reader) -> Vote:
    pid, proposal_id, validator = read_pid(reader), reader.u64("proposal"), reader.take(32, "validator")
    choice = reader.u8("choice")
    if choice not in VoteChoice.NAMES:
        raise reader.fail(f"choice {choice} (0 yes, 1 no, 2 abstain)")
    return Vote(pid, proposal_id, validator, choice, reader.bytes_vec("signature"))


def vote_message(chain_id: int, pid: bytes, proposal_id: int, p_hash: bytes, choice: int) -> bytes:
    """What a validator signs to vote: ``Poseidon2("pyde-parachain-vote" ||
    chain_id u64 || parachain || proposal_id u64 || proposal hash ||
    choice u8)`` (the domain as a Borsh string)."""
    return poseidon2_hash(Writer().string(VOTE_DOMAIN).u64(chain_id).fixed(pid, 32).u64(proposal_id)
                          .fixed(p_hash, 32).u8(choice).out())


def committee_message(chain_id: int, pid: bytes, proposal_id: int, p_hash: bytes) -> bytes:
    """What the committee signs to enact an approved proposal (§7 step 4,
    "a threshold-signing ceremony over the proposal hash"):
    ``Poseidon2("pyde-parachain-upgrade" || chain_id u64 || parachain ||
    proposal_id u64 || proposal hash)``."""
    return poseidon2_hash(Writer().string(COMMITTEE_DOMAIN).u64(chain_id).fixed(pid, 32).u64(proposal_id)
                          .fixed(p_hash, 32).out())


def signed_by(ctx: TxContext, vid: bytes, message: bytes, signature: bytes) -> bool:
    """A FALCON-512 signature of ``message`` by a consensus key of validator
    ``vid`` valid in this epoch (``falcon512_verify``, the primitive of
    ``pyde::falcon_verify``); always verified, even in an unsigned
    document, like slashing evidence."""
    v = ctx.layer.validator(vid)
    if v is None:
        return False
    return any(falcon512_verify(key, message, signature) for key in keys_valid_at(v, epoch_of(ctx.wave_id)))


def plan_vote(ctx: TxContext, v: Vote) -> Plan:
    plan_ = sender_pays(ctx, NATIVE_BASE_GAS + SIGNATURE_VERIFY_GAS)
    record = require_parachain(ctx, v.parachain)
    proposal = require_proposal(ctx, v.parachain, v.proposal_id)
    if proposal.status != ProposalStatus.PENDING or ctx.wave_id >= proposal.voting_end:
        raise Rejection(rj.VOTING_CLOSED, f"voting on proposal {v.proposal_id} ended at wave {proposal.voting_end}")
    if ctx.wave_id < proposal.voting_start:
        raise Rejection(rj.VOTING_NOT_OPEN, f"voting on proposal {v.proposal_id} opens at wave {proposal.voting_start}")
    if v.validator not in record.validators:
        raise Rejection(rj.NOT_PARACHAIN_VALIDATOR, f"0x{v.validator.hex()}")
    if any(cert.validator == v.validator for cert in proposal.votes):
        raise Rejection(rj.ALREADY_VOTED, f"0x{v.validator.hex()}")
    p_hash = proposal_hash(v.parachain, v.proposal_id, proposal.code_hash, proposal.config)
    if not signed_by(ctx, v.validator, vote_message(ctx.block.chain_id, v.parachain, v.proposal_id, p_hash, v.choice),
                     v.signature):
        raise Rejection(rj.VOTE_BAD_SIGNATURE, f"vote of 0x{v.validator.hex()}")
    return attrs.evolve(plan_, details=(record, proposal))


def execute_vote(ctx: TxContext, v: Vote, plan_: Plan) -> Outcome:
    record, proposal = plan_.details
    cert = VoteCert(v.validator, v.choice, v.signature)
    ctx.layer.put_proposal(v.parachain, proposal.evolve(votes=proposal.votes + (cert,)))
    return Outcome(Status.SUCCESS, NATIVE_BASE_GAS + SIGNATURE_VERIFY_GAS, parachain=parachain_ref(v.parachain, record))


# --------------------------------------------------------------------------
# upgrade (§7 steps 4-5, §6.2)
# --------------------------------------------------------------------------


@attrs.frozen
class Enactment:
    parachain: bytes
    proposal_id: int
    signatures: tuple[CommitteeSignature, ...]

    def encode(self) -> bytes:
        w = Writer().fixed(self.parachain, 32).u64(self.proposal_id).u32(len(self.signatures))
        for s in self.signatures:
            s.encode_into(w)
        return w.out()


def read_enactment(reader: Reader) -> Enactment:
    pid, proposal_id = read_pid(reader), reader.u64("proposal")
    signatures = tuple(CommitteeSignature(reader.take(32, "signer"), reader.bytes_vec("signature"))
                       for _ in range(reader.u32("signatures")))
    return Enactment(pid, proposal_id, signatures)


_TALLY_REFUSALS = {
    RejectionReason.QUORUM: rj.UPGRADE_QUORUM_NOT_MET,
    RejectionReason.THRESHOLD: rj.UPGRADE_THRESHOLD_NOT_MET,
}


def check_decided(proposal: Proposal) -> None:
    """Only an approved proposal can be enacted; the others say why not."""
    if proposal.status == ProposalStatus.PENDING:
        raise Rejection(rj.PROPOSAL_NOT_DECIDED, f"voting ends at wave {proposal.voting_end}")
    if proposal.status == ProposalStatus.REJECTED:
        raise Rejection(_TALLY_REFUSALS[proposal.rejection], tally_text(proposal))
    if proposal.status == ProposalStatus.ENACTED:
        raise Rejection(rj.PROPOSAL_ENACTED, f"proposal {proposal.proposal_id}")


def check_committee(ctx: TxContext, record: ParachainRecord, e: Enactment, proposal: Proposal) -> None:
    """The committee's signature over the proposal: distinct members of the
    set, at least ``quorum × validators`` of them, every one valid."""
    signers = [s.validator for s in e.signatures]
    if len(set(signers)) != len(signers):
        raise Rejection(rj.COMMITTEE_SIGNATURE_DUPLICATE)
    for vid in signers:
        if vid not in record.validators:
            raise Rejection(rj.NOT_PARACHAIN_VALIDATOR, f"signer 0x{vid.hex()}")
    quorum = record.config.quorum
    if not quorum.reached(len(signers), len(record.validators)):
        raise Rejection(rj.COMMITTEE_QUORUM_NOT_MET,
                        f"{len(signers)} of {len(record.validators)} signed, quorum "
                        f"{quorum.numerator}/{quorum.denominator}")
    p_hash = proposal_hash(e.parachain, e.proposal_id, proposal.code_hash, proposal.config)
    message = committee_message(ctx.block.chain_id, e.parachain, e.proposal_id, p_hash)
    for s in e.signatures:
        if not signed_by(ctx, s.validator, message, s.signature):
            raise Rejection(rj.COMMITTEE_BAD_SIGNATURE, f"signer 0x{s.validator.hex()}")


def upgrade_gas(e: Enactment) -> int:
    return NATIVE_BASE_GAS + SIGNATURE_VERIFY_GAS * len(e.signatures)


def plan_upgrade(ctx: TxContext, e: Enactment) -> Plan:
    plan_ = sender_pays(ctx, upgrade_gas(e))
    record = require_parachain(ctx, e.parachain)
    require_not_killed(record)
    proposal = require_proposal(ctx, e.parachain, e.proposal_id)
    check_decided(proposal)
    if record.pending is not None:
        raise Rejection(rj.UPGRADE_PENDING, f"version {record.pending.version} activates at wave "
                                            f"{record.pending.activated_at_wave}")
    check_committee(ctx, record, e, proposal)
    return attrs.evolve(plan_, details=(record, proposal))


def execute_upgrade(ctx: TxContext, e: Enactment, plan_: Plan) -> Outcome:
    """§6.2 steps 2-3: a version record activating at ``wave +
    grace_period``; ``Upgrading`` until then (a paused parachain stays
    paused)."""
    record, proposal = plan_.details
    version = ParachainVersion(
        version=len(record.versions), wasm_hash=proposal.code_hash, config=proposal.config,
        activated_at_wave=ctx.wave_id + record.config.grace_period_waves, proposal_id=proposal.proposal_id,
        vote_certs=proposal.votes, committee_signatures=e.signatures)
    status = ParachainStatus.UPGRADING if record.status == ParachainStatus.ACTIVE else record.status
    updated = record.evolve(versions=record.versions + (version,), status=status)
    ctx.layer.put_parachain(e.parachain, updated)
    ctx.layer.put_proposal(e.parachain, proposal.evolve(status=ProposalStatus.ENACTED))
    return Outcome(Status.SUCCESS, upgrade_gas(e), parachain=parachain_ref(e.parachain, updated, version.version))


SYSTEM_OPS = (
    SystemOp(PARACHAINS, "register", read_registration, plan_register, execute_register),
    SystemOp(PARACHAINS, "pause", read_pid, plan_pause, execute_pause),
    SystemOp(PARACHAINS, "unpause", read_pid, plan_unpause, execute_unpause),
    SystemOp(PARACHAINS, "kill", read_pid, plan_kill, execute_kill),
    SystemOp(PARACHAINS, "propose_upgrade", read_proposal, plan_propose, execute_propose),
    SystemOp(PARACHAINS, "vote", read_vote, plan_vote, execute_vote),
    SystemOp(PARACHAINS, "upgrade", read_enactment, plan_upgrade, execute_upgrade),
)


# --------------------------------------------------------------------------
# the engine's steps at the start of a wave
# --------------------------------------------------------------------------


@attrs.frozen
class Tally:
    """One proposal tallied at the start of ``wave``."""

    parachain: bytes
    proposal_id: int
    status: int
    yes: int
    no: int
    abstain: int
    validators: int
    rejection: int


def tally_counts(proposal: Proposal) -> tuple[int, int, int]:
    choices = [c.choice for c in proposal.votes]
    return choices.count(VoteChoice.YES), choices.count(VoteChoice.NO), choices.count(VoteChoice.ABSTAIN)


def tally_text(proposal: Proposal) -> str:
    yes, no, abstain = tally_counts(proposal)
    return (f"proposal {proposal.proposal_id} rejected at wave {proposal.decided_wave}: {yes} yes, {no} no, "
            f"{abstain} abstain ({RejectionReason.NAMES[proposal.rejection]} not met)")


def decide(proposal: Proposal, record: ParachainRecord) -> tuple[int, int]:
    """§7 step 3: quorum (``quorum × validators`` voted), then threshold
    (``threshold × voters`` said yes; abstentions count as voters, §7's
    "2/3 of voters say YES").  Returns ``(status, rejection reason)``."""
    yes, no, abstain = tally_counts(proposal)
    voters = yes + no + abstain
    config = record.config
    if not config.quorum.reached(voters, len(record.validators)):
        return ProposalStatus.REJECTED, RejectionReason.QUORUM
    if not config.threshold.reached(yes, voters):
        return ProposalStatus.REJECTED, RejectionReason.THRESHOLD
    return ProposalStatus.APPROVED, RejectionReason.NONE


def tally_due_proposals(layer, wave_id: int) -> list[Tally]:
    """Every pending proposal whose voting window has closed, in key order
    (parachain, then proposal id), is decided at the start of the wave."""
    out = []
    for key, p in layer.items(PARACHAIN):
        if not isinstance(p, Proposal) or p.status != ProposalStatus.PENDING or p.voting_end > wave_id:
            continue
        pid = key[:32]
        record = layer.parachain(pid)
        status, reason = decide(p, record)
        layer.put_proposal(pid, p.evolve(status=status, decided_wave=wave_id, rejection=reason))
        yes, no, abstain = tally_counts(p)
        out.append(Tally(pid, p.proposal_id, status, yes, no, abstain, len(record.validators), reason))
    return out


@attrs.frozen
class VersionSwitch:
    """A scheduled version became current at the start of ``wave``."""

    parachain: bytes
    wave: int
    old_version: int
    new_version: int
    old_wasm_hash: bytes
    new_wasm_hash: bytes


def activate_versions(layer, wave_id: int, cache) -> list[VersionSwitch]:
    """§6.2 steps 3-4: at the start of the first wave at or after a pending
    version's activation wave, it becomes current (the previous one is
    deactivated at this wave), an ``Upgrading`` parachain is ``Active``
    again (a paused one stays paused), and the module cache entry of the
    parachain is dropped exactly then.  A killed parachain never switches."""
    switched = []
    for key, record in layer.items(PARACHAIN):
        if not isinstance(record, ParachainRecord) or record.status == ParachainStatus.KILLED:
            continue
        pending = record.pending
        if pending is None or pending.activated_at_wave > wave_id:
            continue
        pid = key[:32]
        old = record.current
        versions = list(record.versions)
        versions[old.version] = attrs.evolve(old, deactivated_at_wave=wave_id)
        versions[pending.version] = attrs.evolve(pending, activated_at_wave=wave_id)
        status = ParachainStatus.ACTIVE if record.status == ParachainStatus.UPGRADING else record.status
        layer.put_parachain(pid, record.evolve(versions=tuple(versions), current_version=pending.version,
                                               status=status))
        cache.invalidate(pid)
        switched.append(VersionSwitch(pid, wave_id, old.version, pending.version, old.wasm_hash,
                                      pending.wasm_hash))
    return switched
