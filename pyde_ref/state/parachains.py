"""Parachain state: identity, the registry record, governance proposals,
PIP-2-clustered parachain storage and cross-parachain messages
(PARACHAIN_DESIGN §4-§7, §9; ABI §8; PIP-0002).

Three tables of :mod:`.overlay` hold them:

=====================  ====================================  ==========================
table                  key                                   value
=====================  ====================================  ==========================
``parachain``          parachain id (32) || 0x00             :class:`ParachainRecord`
                       parachain id || 0x01 || proposal u64  :class:`Proposal`
                       parachain id || 0x02                  :class:`XCallBudget`
``parachain_storage``  slot hash (32): ``id[..16] ||         :class:`ParachainSlot`
                       Poseidon2(key)[..16]``                (the key and its value)
``xcall``              message id (u64 big-endian)           :class:`XCallMessage`
=====================  ====================================  ==========================

A parachain's records all start with its id, and its storage with the id's
first 16 bytes (PARACHAIN_DESIGN §5, PIP-0002's clustering): each is one
contiguous range of its table.  Every record encodes itself in Borsh for the
state digest.  Readings: ``spec/findings/parachain-state.md``.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.state.borsh import Reader, Writer

PARACHAIN_ID_DOMAIN = b"pyde-parachain:"
"""PARACHAIN_DESIGN §4: ``parachain_id = Poseidon2("pyde-parachain:" || name)``."""

CLUSTER_PREFIX_SIZE = 16
"""PARACHAIN_DESIGN §5 / PIP-0002: the first 16 bytes of every slot hash are
the parachain id's first 16 bytes."""


def parachain_id(name: str) -> bytes:
    """PARACHAIN_DESIGN §4: the 32-byte id of the parachain called ``name``
    (its UTF-8 bytes; names are ASCII, see :func:`name_problem`)."""
    return poseidon2_hash(PARACHAIN_ID_DOMAIN + name.encode("utf-8"))


def slot_hash(pid: bytes, key: bytes) -> bytes:
    """PARACHAIN_DESIGN §5: ``parachain_id[..16] || Hash(key)[..16]`` with
    Poseidon2 as the hash (PIP-0002).  The parachain's own key bytes carry
    any namespace it uses (ABI §8.1 has no namespace argument)."""
    return pid[:CLUSTER_PREFIX_SIZE] + poseidon2_hash(bytes(key))[:CLUSTER_PREFIX_SIZE]


# --------------------------------------------------------------------------
# enums
# --------------------------------------------------------------------------


class ParachainStatus:
    """PARACHAIN_DESIGN §3, §6: ``Active | Paused | Upgrading | Killed``
    (``Upgrading``: an approved upgrade waits for its activation wave)."""

    ACTIVE = 0
    PAUSED = 1
    UPGRADING = 2
    KILLED = 3

    NAMES = {ACTIVE: "active", PAUSED: "paused", UPGRADING: "upgrading", KILLED: "killed"}

    @classmethod
    def runs_calls(cls, status: int) -> bool:
        """Whether new transactions may target it (§6.3, §6.4): the current
        version keeps running while an upgrade waits."""
        return status in (cls.ACTIVE, cls.UPGRADING)


class ConsensusPreset:
    """Chapter 13 §13.5 ``consensus_preset``."""

    SIMPLE_BFT = 0
    THRESHOLD = 1
    OPTIMISTIC = 2

    NAMES = {SIMPLE_BFT: "simple_bft", THRESHOLD: "threshold", OPTIMISTIC: "optimistic"}


class SlashingPreset:
    """PARACHAIN_DESIGN §12: ``minimal / standard / strict``."""

    MINIMAL = 0
    STANDARD = 1
    STRICT = 2

    NAMES = {MINIMAL: "minimal", STANDARD: "standard", STRICT: "strict"}


class VoteChoice:
    """PARACHAIN_DESIGN §7 ``vote: yes|no|abstain``."""

    YES = 0
    NO = 1
    ABSTAIN = 2

    NAMES = {YES: "yes", NO: "no", ABSTAIN: "abstain"}


class ProposalStatus:
    """PARACHAIN_DESIGN §7: ``Pending`` (discussion and voting), then
    ``Approved`` or ``Rejected`` at the tally; ``Enacted`` once an
    ``UpgradeParachain`` scheduled it."""

    PENDING = 0
    APPROVED = 1
    REJECTED = 2
    ENACTED = 3

    NAMES = {PENDING: "pending", APPROVED: "approved", REJECTED: "rejected", ENACTED: "enacted"}


class RejectionReason:
    """Why a tally rejected a proposal."""

    NONE = 0
    QUORUM = 1
    THRESHOLD = 2

    NAMES = {NONE: "none", QUORUM: "quorum", THRESHOLD: "threshold"}


# --------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------


@attrs.frozen
class Fraction:
    """``numerator / denominator`` (PARACHAIN_DESIGN §7's "2/3")."""

    numerator: int
    denominator: int

    def reached(self, count: int, total: int) -> bool:
        """``count / total >= numerator / denominator``, in integers."""
        return count * self.denominator >= self.numerator * total

    def encode_into(self, w: Writer) -> Writer:
        return w.u32(self.numerator).u32(self.denominator)


TWO_THIRDS = Fraction(2, 3)


@attrs.frozen
class ParachainConfig:
    """PARACHAIN_DESIGN's ``ParachainConfig`` (its fields are spread over
    §3, §6.2, §7, §9, §12 and chapter 13 §13.5); defaults are the
    documents' where they give one (``spec/findings/parachain-lifecycle.md``)."""

    min_validators: int = 7
    quorum: Fraction = TWO_THIRDS
    threshold: Fraction = TWO_THIRDS
    grace_period_waves: int = 100
    xcall_rate_limit: int = 64
    discussion_waves: int = 7 * 24 * 3600 * 2
    voting_waves: int = 3 * 24 * 3600 * 2
    consensus_preset: int = ConsensusPreset.SIMPLE_BFT
    slashing_preset: int = SlashingPreset.STANDARD

    def encode_into(self, w: Writer) -> Writer:
        w.u32(self.min_validators)
        self.quorum.encode_into(w)
        self.threshold.encode_into(w)
        return (w.u64(self.grace_period_waves).u32(self.xcall_rate_limit).u64(self.discussion_waves)
                .u64(self.voting_waves).u8(self.consensus_preset).u8(self.slashing_preset))

    def encode(self) -> bytes:
        return self.encode_into(Writer()).out()


DEFAULT_CONFIG = ParachainConfig()


def read_config(reader: Reader) -> ParachainConfig:
    """Inverse of :meth:`ParachainConfig.encode_into`."""
    min_validators = reader.u32("min_validators")
    quorum = Fraction(reader.u32("quorum numerator"), reader.u32("quorum denominator"))
    threshold = Fraction(reader.u32("threshold numerator"), reader.u32("threshold denominator"))
    return ParachainConfig(min_validators, quorum, threshold, reader.u64("grace_period_waves"),
                           reader.u32("xcall_rate_limit"), reader.u64("discussion_waves"),
                           reader.u64("voting_waves"), reader.u8("consensus_preset"), reader.u8("slashing_preset"))


@attrs.frozen
class VoteCert:
    """One validator's vote: its id, choice and FALCON-512 signature over
    the vote message (PARACHAIN_DESIGN §7 ``VoteTx``)."""

    validator: bytes
    choice: int
    signature: bytes

    def encode_into(self, w: Writer) -> Writer:
        return w.fixed(self.validator, 32).u8(self.choice).bytes_vec(self.signature)


@attrs.frozen
class CommitteeSignature:
    """One member's share of the committee's signature over a proposal
    (the model of §7 step 4's threshold signature:
    ``spec/findings/parachain-committee-signature.md``)."""

    validator: bytes
    signature: bytes

    def encode_into(self, w: Writer) -> Writer:
        return w.fixed(self.validator, 32).bytes_vec(self.signature)


def _encode_list(w: Writer, items) -> Writer:
    w.u32(len(items))
    for item in items:
        item.encode_into(w)
    return w


@attrs.frozen
class ParachainVersion:
    """PARACHAIN_DESIGN §6.5 ``ParachainVersionRecord``: version 0 is the
    registered module; every later one an upgrade, with the proposal, the
    vote certificates and the committee's signatures that enacted it."""

    version: int
    wasm_hash: bytes
    config: ParachainConfig
    activated_at_wave: int
    deactivated_at_wave: Optional[int] = None
    proposal_id: Optional[int] = None
    vote_certs: tuple[VoteCert, ...] = ()
    committee_signatures: tuple[CommitteeSignature, ...] = ()

    def encode_into(self, w: Writer) -> Writer:
        w.u32(self.version).fixed(self.wasm_hash, 32)
        self.config.encode_into(w)
        w.u64(self.activated_at_wave).option_u64(self.deactivated_at_wave).option_u64(self.proposal_id)
        _encode_list(w, self.vote_certs)
        return _encode_list(w, self.committee_signatures)


@attrs.frozen
class ParachainRecord:
    """PARACHAIN_DESIGN §6.5 ``ParachainAccount`` (its balance is the
    account at the parachain's id, its state root the digest of its storage
    range): name, owner, status, the current version, every version ever
    registered or scheduled (never discarded), the validator set (ids of
    main-committee validators), the owner deposit held since registration,
    the last proposal id used and the registration wave."""

    name: str
    owner: bytes
    status: int
    current_version: int
    versions: tuple[ParachainVersion, ...]
    validators: tuple[bytes, ...]
    deposit: int = 0
    last_proposal_id: int = 0
    registered_wave: int = 0

    @property
    def parachain_id(self) -> bytes:
        return parachain_id(self.name)

    @property
    def current(self) -> ParachainVersion:
        return self.versions[self.current_version]

    @property
    def config(self) -> ParachainConfig:
        """The configuration of the running version (§6.5 ``config``)."""
        return self.current.config

    @property
    def pending(self) -> Optional[ParachainVersion]:
        """The scheduled version that has not activated yet, if any."""
        later = self.versions[self.current_version + 1:]
        return later[0] if later else None

    def evolve(self, **changes) -> "ParachainRecord":
        return attrs.evolve(self, **changes)

    def encode(self) -> bytes:
        w = Writer().string(self.name).fixed(self.owner, 32).u8(self.status).u32(self.current_version)
        _encode_list(w, self.versions)
        w.u32(len(self.validators))
        for v in self.validators:
            w.fixed(v, 32)
        return w.u128(self.deposit).u64(self.last_proposal_id).u64(self.registered_wave).out()


@attrs.frozen
class Proposal:
    """PARACHAIN_DESIGN §7: an upgrade proposal (the new module's hash and
    configuration), its discussion and voting windows (voting is open for
    waves ``[voting_start, voting_end)``), the votes cast, and the tally's
    outcome (``decided_wave``, the rejection reason)."""

    proposal_id: int
    proposer: bytes
    code_hash: bytes
    config: ParachainConfig
    submitted_wave: int
    voting_start: int
    voting_end: int
    votes: tuple[VoteCert, ...] = ()
    status: int = ProposalStatus.PENDING
    decided_wave: Optional[int] = None
    rejection: int = RejectionReason.NONE

    def evolve(self, **changes) -> "Proposal":
        return attrs.evolve(self, **changes)

    def encode(self) -> bytes:
        w = Writer().u64(self.proposal_id).fixed(self.proposer, 32).fixed(self.code_hash, 32)
        self.config.encode_into(w)
        w.u64(self.submitted_wave).u64(self.voting_start).u64(self.voting_end)
        _encode_list(w, self.votes)
        return w.u8(self.status).option_u64(self.decided_wave).u8(self.rejection).out()


@attrs.frozen
class XCallBudget:
    """How many messages the parachain sent in ``wave`` (ABI §8.4's
    per-wave rate limit); a record of an earlier wave counts as zero."""

    wave: int
    count: int

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    def encode(self) -> bytes:
        return Writer().u64(self.wave).u32(self.count).out()


@attrs.frozen
class ParachainSlot:
    """One entry of a parachain's storage: the key the parachain wrote (the
    slot hash keeps only 16 bytes of its hash) and the value (variable
    length, never empty: an empty value is a deletion)."""

    key: bytes
    value: bytes

    @property
    def is_empty(self) -> bool:
        return not self.value

    def encode(self) -> bytes:
        return Writer().bytes_vec(self.key).bytes_vec(self.value).out()


class XCallStatus:
    """A message is ``queued`` until it is delivered (or times out, or its
    target is gone), then ``responded`` until its callback runs."""

    QUEUED = 0
    RESPONDED = 1

    NAMES = {QUEUED: "queued", RESPONDED: "responded"}


class XCallOutcome:
    """What the callback is told (the ``outcome`` byte of its context)."""

    SUCCESS = 0  # the target's function returned; result = its return data
    REVERT = 1  # it called pyde::revert; result = the reason
    TRAP = 2  # it trapped; result = the trap kind (UTF-8)
    TIMEOUT = 3  # PARACHAIN_DESIGN §14 ``XCallTimeout``: not delivered within timeout_waves
    TARGET_UNAVAILABLE = 4  # the target was killed before delivery
    REFUSED = 5  # the target has no receiving entry; result = the ABI §4 code (i32 LE)

    NAMES = {SUCCESS: "success", REVERT: "revert", TRAP: "trap", TIMEOUT: "timeout",
             TARGET_UNAVAILABLE: "target_unavailable", REFUSED: "refused"}


@attrs.frozen
class XCallMessage:
    """PARACHAIN_DESIGN §9 ``XCallMessage`` with its callback specification
    and the callback context it preserves (``callback_id`` is ``xcall_id``);
    after delivery, the target's outcome and the wave it was recorded in."""

    xcall_id: int
    source: bytes
    target: bytes
    message: bytes
    callback_fn: str
    max_callback_gas: int
    timeout_waves: int
    issued_at_wave: int
    original_caller: bytes
    original_fn: str
    original_args_hash: bytes
    status: int = XCallStatus.QUEUED
    outcome: int = XCallOutcome.SUCCESS
    result: bytes = b""
    responded_at_wave: Optional[int] = None

    def evolve(self, **changes) -> "XCallMessage":
        return attrs.evolve(self, **changes)

    def encode(self) -> bytes:
        w = (Writer().u64(self.xcall_id).fixed(self.source, 32).fixed(self.target, 32).bytes_vec(self.message)
             .string(self.callback_fn).u64(self.max_callback_gas).u64(self.timeout_waves)
             .u64(self.issued_at_wave).fixed(self.original_caller, 32).string(self.original_fn)
             .fixed(self.original_args_hash, 32))
        return w.u8(self.status).u8(self.outcome).bytes_vec(self.result).option_u64(self.responded_at_wave).out()


def callback_context(message: XCallMessage) -> bytes:
    """The calldata of a callback (PARACHAIN_DESIGN §9 "callback context"),
    Borsh: ``callback_id u64, original_caller [32], original_fn String,
    original_args_hash [32], issued_at_wave u64, target_id [32], outcome u8,
    result Vec<u8>``."""
    return (Writer().u64(message.xcall_id).fixed(message.original_caller, 32).string(message.original_fn)
            .fixed(message.original_args_hash, 32).u64(message.issued_at_wave).fixed(message.target, 32)
            .u8(message.outcome).bytes_vec(message.result).out())


# --------------------------------------------------------------------------
# threshold cryptography (ABI §8.5): the committee key and combined shares
# --------------------------------------------------------------------------


@attrs.frozen
class ThresholdKey:
    """The committee's ML-KEM-768 encapsulation key ``threshold_encrypt``
    encrypts under (ABI §8.5 "the current epoch's threshold public key")."""

    public_key: bytes

    def encode(self) -> bytes:
        return Writer().bytes_vec(self.public_key).out()


@attrs.frozen
class CombinedShares:
    """The outcome of the committee's decryption ceremony for one envelope:
    the shared secret, usable from wave ``from_wave`` on (ABI §8.5: before
    that, ``threshold_decrypt`` is ``ERR_FORBIDDEN``)."""

    shared_secret: bytes
    from_wave: int

    def encode(self) -> bytes:
        return Writer().fixed(self.shared_secret, 32).u64(self.from_wave).out()


# --------------------------------------------------------------------------
# keys of the ``parachain`` and ``xcall`` tables
# --------------------------------------------------------------------------

REGISTRY_RECORD = 0x00
PROPOSAL_RECORD = 0x01
BUDGET_RECORD = 0x02


def registry_key(pid: bytes) -> bytes:
    return pid + bytes([REGISTRY_RECORD])


def proposal_key(pid: bytes, proposal_id: int) -> bytes:
    return pid + bytes([PROPOSAL_RECORD]) + proposal_id.to_bytes(8, "big")


def budget_key(pid: bytes) -> bytes:
    return pid + bytes([BUDGET_RECORD])


def xcall_key(xcall_id: int) -> bytes:
    return xcall_id.to_bytes(8, "big")


# --------------------------------------------------------------------------
# names (PARACHAIN_DESIGN §4, §6.1 step 1)
# --------------------------------------------------------------------------

MAX_NAME_LENGTH = 32
NAME_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


NAME_ECHO_LENGTH = 40
"""How much of a refused name a rejection reason repeats: a name of any
length (a transaction may carry megabytes) must not make a receipt that long."""


def quoted_name(name: str) -> str:
    """``name`` quoted for a message: whole up to :data:`NAME_ECHO_LENGTH`
    characters, else its first ones and its length."""
    if len(name) <= NAME_ECHO_LENGTH:
        return repr(name)
    return f"{name[:NAME_ECHO_LENGTH]!r}... ({len(name)} characters)"


def name_problem(name: str) -> Optional[str]:
    """Why ``name`` cannot name a parachain, or ``None``: 1-32 characters
    of lower-case ASCII letters, digits and hyphens, not starting or ending
    with a hyphen (``spec/findings/parachain-names.md``)."""
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return f"a name has 1 to {MAX_NAME_LENGTH} characters, got {len(name)}"
    bad = sorted(set(name) - NAME_ALPHABET)
    if bad:
        return f"{''.join(bad)!r} not allowed (lower-case letters, digits and hyphens only)"
    if name[0] == "-" or name[-1] == "-":
        return "a name cannot start or end with a hyphen"
    return None
