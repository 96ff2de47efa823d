"""``Slash`` (tag 5, chapter 11 §11.8: "Submit double-sign evidence (data =
serialized evidence)"; SLASHING).

Evidence is two signatures by the offender's consensus key over two
different digests for the same slot -- the same ``(round, member)`` for a
vertex (offense 1), the same commit for a state root (offense 2).  Anyone
may submit it; the submitter is the reporter.

``data`` = Borsh ``Evidence``: offense u8, validator id ``[u8; 32]``, wave
u64 (the round or commit), digest_a ``[u8; 32]``, signature_a ``Vec<u8>``,
digest_b ``[u8; 32]``, signature_b ``Vec<u8>``.  What was signed is
:func:`signed_message`.  Gas: 21,000 + 2 × 50,000 (two FALCON checks).

Slash math (SLASHING "Slash Math", "Correlation Multiplier", "Repeat",
"New Validator Grace Period"), in basis points of the current stake::

    bps = min(max_bps, first_bps × 2^(earlier slashes) × (42 + min(k, 42)) / 42)
    bps = bps / 2                      if the validator is in its first epoch
    amount = stake × bps / 10,000      (each division rounds down)

with ``k`` the other validators slashed in the current epoch.  The amount
leaves the stake at once -- 50% burned, 30% to the treasury, 20% to the
reporter -- and opens the 24-hour escrow, during which the validator cannot
withdraw.  The validator is jailed (24 hours, 7 days for a second jail
within 30 days, permanently at the third); a stake below the minimum, or a
third jail, starts a forced unbonding.  ``spec/findings/slashing.md`` lists
the readings.
"""

from __future__ import annotations

import attrs

from pyde_ref.crypto.falcon import falcon512_verify
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.context import Handler, Outcome, Plan, TxContext, sender_pays
from pyde_ref.executor.fees import burn, credit_balance, credit_fund
from pyde_ref.executor.handlers.common import require_no_value, require_zero_to
from pyde_ref.executor.handlers.staking import keys_valid_at
from pyde_ref.executor.params import (
    CORRELATION_BYZANTINE,
    EVIDENCE_FRESHNESS_WAVES,
    JAIL_FIRST_WAVES,
    JAIL_REPEAT_WINDOW_WAVES,
    JAIL_SECOND_WAVES,
    MAX_EVIDENCE_PER_REPORTER_PER_EPOCH,
    MIN_VALIDATOR_STAKE,
    NATIVE_BASE_GAS,
    NEW_VALIDATOR_GRACE_EPOCHS,
    PERMANENT_JAIL_COUNT,
    SIGNATURE_VERIFY_GAS,
    SLASH_BURN_PERCENT,
    SLASH_FIRST_BPS,
    SLASH_MAX_BPS,
    SLASH_TREASURY_PERCENT,
    SLASHING_ESCROW_WAVES,
    UNBONDING_WAVES,
    epoch_of,
)
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Status, Transaction, decode_payload
from pyde_ref.state.borsh import Reader, Writer
from pyde_ref.state.overlay import PROTOCOL
from pyde_ref.state.records import MARKER, Disc, Phase, Scalar, Validator, be64, protocol_key
from pyde_ref.state.system import TREASURY

SLASH_GAS = NATIVE_BASE_GAS + 2 * SIGNATURE_VERIFY_GAS

OFFENSE_DOMAINS = {1: "pyde-vertex-v1", 2: "pyde-state-root-v1"}
"""The double-sign offenses of SLASHING with cryptographic two-signature
evidence, and the domain tag of what each signs."""


@attrs.frozen
class Evidence:
    offense: int
    validator: bytes
    wave: int
    digest_a: bytes
    signature_a: bytes
    digest_b: bytes
    signature_b: bytes

    def encode(self) -> bytes:
        return (Writer().u8(self.offense).fixed(self.validator, 32).u64(self.wave)
                .fixed(self.digest_a, 32).bytes_vec(self.signature_a)
                .fixed(self.digest_b, 32).bytes_vec(self.signature_b).out())


def read_evidence(reader: Reader) -> Evidence:
    return Evidence(reader.u8("offense"), reader.take(32, "validator"), reader.u64("wave"),
                    reader.take(32, "digest_a"), reader.bytes_vec("signature_a"),
                    reader.take(32, "digest_b"), reader.bytes_vec("signature_b"))


def signed_message(offense: int, chain_id: int, wave: int, validator: bytes, digest: bytes) -> bytes:
    """What a validator signs for slot ``wave``: ``Poseidon2(Borsh(domain
    String, chain_id u64, wave u64, validator [u8; 32], digest [u8; 32]))``,
    the domain naming the offense's message kind (:data:`OFFENSE_DOMAINS`)."""
    w = Writer().string(OFFENSE_DOMAINS[offense]).u64(chain_id).u64(wave).fixed(validator, 32).fixed(digest, 32)
    return poseidon2_hash(w.out())


def evidence_id(e: Evidence) -> bytes:
    """One slash per ``(offense, validator, slot)``."""
    return poseidon2_hash(Writer().u8(e.offense).fixed(e.validator, 32).u64(e.wave).out())


def reporter_key(reporter: bytes, epoch: int) -> bytes:
    return protocol_key(Disc.REPORTER_EVIDENCE, reporter, be64(epoch))


def slash_bps(v: Validator, offense: int, other_offenders: int, current_epoch: int) -> int:
    bps = SLASH_FIRST_BPS[offense] * (1 << min(v.slash_count, 8))
    bps = bps * (CORRELATION_BYZANTINE + min(other_offenders, CORRELATION_BYZANTINE)) // CORRELATION_BYZANTINE
    bps = min(bps, SLASH_MAX_BPS[offense])
    if current_epoch < v.activation_epoch + NEW_VALIDATOR_GRACE_EPOCHS:
        bps //= 2
    return bps


def decode(tx: Transaction) -> Evidence:
    return decode_payload(tx.data, read_evidence)


def plan(ctx: TxContext, e: Evidence) -> Plan:
    require_zero_to(ctx)
    require_no_value(ctx)
    plan_ = sender_pays(ctx, SLASH_GAS)
    if e.offense not in OFFENSE_DOMAINS:
        raise Rejection(rj.UNSUPPORTED_OFFENSE, f"offense {e.offense}")
    v = ctx.layer.validator(e.validator)
    if v is None:
        raise Rejection(rj.UNKNOWN_VALIDATOR, f"no validator 0x{e.validator.hex()}")
    if e.digest_a == e.digest_b:
        raise Rejection(rj.NOT_EQUIVOCATION, "both signatures are over the same digest")
    if not v.registered_wave <= e.wave <= ctx.wave_id or ctx.wave_id - e.wave > EVIDENCE_FRESHNESS_WAVES:
        raise Rejection(rj.EVIDENCE_STALE, f"evidence for wave {e.wave} at wave {ctx.wave_id}")
    if ctx.layer.protocol(protocol_key(Disc.SLASHED_EVIDENCE, evidence_id(e))) is not None:
        raise Rejection(rj.EVIDENCE_ALREADY_USED)
    submitted = ctx.layer.protocol(reporter_key(ctx.sender, ctx.epoch))
    if submitted is not None and submitted.value >= MAX_EVIDENCE_PER_REPORTER_PER_EPOCH:
        raise Rejection(rj.REPORTER_COOLDOWN, f"{submitted.value} evidence transactions this epoch")
    keys = keys_valid_at(v, epoch_of(e.wave))
    for digest, signature in ((e.digest_a, e.signature_a), (e.digest_b, e.signature_b)):
        message = signed_message(e.offense, ctx.block.chain_id, e.wave, e.validator, digest)
        if not any(falcon512_verify(key, message, signature) for key in keys):
            raise Rejection(rj.EVIDENCE_BAD_SIGNATURE, f"the signature over 0x{digest.hex()} does not verify")
    return plan_


def jail(v: Validator, wave_id: int) -> Validator:
    """SLASHING "Escalating Jail Periods": 24 hours; 7 days for a second
    jail within 30 days of the previous; the third jail is permanent (and
    the stake unbonds)."""
    count = v.jail_count + 1
    if count >= PERMANENT_JAIL_COUNT:
        v = v.evolve(permanently_jailed=True, jailed_until=None)
        v = start_forced_unbonding(v, wave_id)
    else:
        recent = v.last_jail_wave is not None and wave_id - v.last_jail_wave < JAIL_REPEAT_WINDOW_WAVES
        period = JAIL_SECOND_WAVES if recent else JAIL_FIRST_WAVES
        v = v.evolve(jailed_until=max(v.jailed_until or 0, wave_id + period))
    return v.evolve(jail_count=count, last_jail_wave=wave_id)


def start_forced_unbonding(v: Validator, wave_id: int) -> Validator:
    """VALIDATOR_LIFECYCLE "Slashed below MIN_STAKE": "forced into UNBONDING"."""
    if v.phase == Phase.UNBONDING:
        return v
    return v.evolve(phase=Phase.UNBONDING, withdrawable_at=wave_id + UNBONDING_WAVES)


def execute(ctx: TxContext, e: Evidence, plan_: Plan) -> Outcome:
    layer = ctx.layer
    v = layer.validator(e.validator)
    prefix = protocol_key(Disc.EPOCH_OFFENDER, be64(ctx.epoch))
    others = sum(1 for key, _ in layer.items(PROTOCOL, prefix) if key[len(prefix):] != e.validator)
    amount = v.stake * slash_bps(v, e.offense, others, ctx.epoch) // 10_000
    burned = amount * SLASH_BURN_PERCENT // 100
    to_treasury = amount * SLASH_TREASURY_PERCENT // 100
    to_reporter = amount - burned - to_treasury
    v = v.evolve(stake=v.stake - amount, slash_count=v.slash_count + 1,
                 escrow_until=ctx.wave_id + SLASHING_ESCROW_WAVES)
    v = jail(v, ctx.wave_id)
    if v.stake < MIN_VALIDATOR_STAKE:
        v = start_forced_unbonding(v, ctx.wave_id)
    layer.put_validator(e.validator, v)
    burn(layer, burned)
    credit_fund(layer, TREASURY, to_treasury)
    credit_balance(layer, ctx.sender, to_reporter)
    layer.put_protocol(protocol_key(Disc.SLASHED_EVIDENCE, evidence_id(e)), MARKER)
    layer.put_protocol(prefix + e.validator, MARKER)
    submitted = layer.protocol(reporter_key(ctx.sender, ctx.epoch))
    layer.put_protocol(reporter_key(ctx.sender, ctx.epoch), Scalar((submitted.value if submitted else 0) + 1, 8))
    return Outcome(Status.SUCCESS, SLASH_GAS)


HANDLER = Handler("Slash", decode, plan, execute)
