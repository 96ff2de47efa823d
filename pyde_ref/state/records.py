"""The protocol's own records beside accounts, code and storage (chapter 4
§4.4 keys them by discriminator bytes; chapter 11 §11.7, chapter 15 §15.4,
VALIDATOR_LIFECYCLE, SLASHING, seed §3.10).

Three tables of :mod:`.overlay` hold them:

===============  =======================  =====================================
table            key                      value
===============  =======================  =====================================
``contract``     contract address (32)    :class:`ContractMeta` (owner, pending
                                          upgrade, upgrade history; seed §3.10)
``validator``    validator id (32)        :class:`Validator`
``protocol``     discriminator (1) ||     :class:`Scalar`, :class:`Marker`,
                 sub-key                  :class:`MultisigConfig`,
                                          :class:`AirdropConfig`
===============  =======================  =====================================

Every record encodes itself in Borsh for the state digest.  The
discriminators of chapter 4 §4.4 are used where the chapter names the
record; the others are pyde-ref's (0x40 and up), listed in
:class:`Disc`.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.state.accounts import U64_MAX
from pyde_ref.state.borsh import Writer


class Disc:
    """Discriminator bytes of the ``protocol`` table."""

    TOTAL_BURNED = 0x13  # chapter 4 §4.4: cumulative fee burn counter (u128)
    AIRDROP = 0x18  # §4.4 AIRDROP_ROOT; the record also holds 0x19 DEADLINE and 0x1B EXPECTED_SUM
    AIRDROP_CLAIMED = 0x1A  # §4.4: per-leaf-index claim bitmap (one Marker per claimed index)
    TREASURY_MULTISIG = 0x1C  # §4.4 MULTISIG_SIGNERS; the record also holds 0x1D THRESHOLD, 0x1E NONCE
    EMERGENCY_PAUSE_END_WAVE = 0x1F  # §4.4: end wave of an active emergency pause (u64)
    EMERGENCY_MULTISIG = 0x40  # chapter 15 §15.5: the separate emergency signer set
    REWARD_ACCRUED = 0x41  # reward-pool quanta already credited to validators, not yet claimed (u128)
    LAST_EPOCH = 0x42  # the epoch of the last wave applied (u64)
    SLASHED_EVIDENCE = 0x43  # || evidence id: evidence already acted on (Marker)
    REPORTER_EVIDENCE = 0x44  # || reporter || epoch u64 BE: evidence submitted this epoch (u64)
    EPOCH_OFFENDER = 0x45  # || epoch u64 BE || validator id: slashed in this epoch (Marker)
    THRESHOLD_KEY = 0x46  # ABI §8.5: the committee's threshold encryption key (ThresholdKey)
    THRESHOLD_COMBINED = 0x47  # || envelope id: a completed decryption ceremony (CombinedShares)
    XCALL_LAST_ID = 0x48  # ABI §8.4: the last XCallId issued (u64)

    NAMES = {
        TOTAL_BURNED: "total_burned",
        AIRDROP: "airdrop",
        AIRDROP_CLAIMED: "airdrop_claimed",
        TREASURY_MULTISIG: "treasury_multisig",
        EMERGENCY_PAUSE_END_WAVE: "emergency_pause_end_wave",
        EMERGENCY_MULTISIG: "emergency_multisig",
        REWARD_ACCRUED: "reward_accrued",
        LAST_EPOCH: "last_epoch",
        SLASHED_EVIDENCE: "slashed_evidence",
        REPORTER_EVIDENCE: "reporter_evidence",
        EPOCH_OFFENDER: "epoch_offender",
        THRESHOLD_KEY: "threshold_key",
        THRESHOLD_COMBINED: "threshold_combined",
        XCALL_LAST_ID: "xcall_last_id",
    }


def protocol_key(disc: int, *parts: bytes) -> bytes:
    return bytes([disc]) + b"".join(parts)


def be64(n: int) -> bytes:
    """A u64 sub-key, big-endian so keys sort numerically."""
    return n.to_bytes(8, "big")


# --------------------------------------------------------------------------
# protocol-table values
# --------------------------------------------------------------------------


@attrs.frozen
class Scalar:
    """An unsigned counter or wave number (``width`` bytes, little-endian);
    zero reads as absent."""

    value: int
    width: int = 16

    @property
    def is_empty(self) -> bool:
        return self.value == 0

    def encode(self) -> bytes:
        return self.value.to_bytes(self.width, "little")


@attrs.frozen
class Marker:
    """A set member (a claimed airdrop index, evidence acted on): present or
    absent, no payload."""

    def encode(self) -> bytes:
        return b"\x01"


MARKER = Marker()


@attrs.frozen
class MultisigConfig:
    """Chapter 15 §15.4: ``MULTISIG_SIGNERS`` (FALCON-512 public keys),
    ``MULTISIG_THRESHOLD`` and ``MULTISIG_NONCE`` (the nonce the next signed
    action must carry)."""

    signers: tuple[bytes, ...]
    threshold: int
    nonce: int = 0

    def encode(self) -> bytes:
        w = Writer().u32(len(self.signers))
        for key in self.signers:
            w.bytes_vec(key)
        return w.u32(self.threshold).u64(self.nonce).out()


@attrs.frozen
class AirdropConfig:
    """Chapter 4 §4.4 ``AIRDROP_ROOT`` (the genesis claims' Merkle root),
    ``AIRDROP_DEADLINE`` (the wave from which claims end and sweeping is
    allowed) and ``AIRDROP_EXPECTED_SUM`` (the pool's genesis size)."""

    root: bytes
    deadline: int
    expected_sum: int

    def encode(self) -> bytes:
        return Writer().fixed(self.root, 32).u64(self.deadline).u128(self.expected_sum).out()


# --------------------------------------------------------------------------
# contract metadata (seed §3.10)
# --------------------------------------------------------------------------


@attrs.frozen
class PendingUpgrade:
    """An accepted owner upgrade waiting for its grace period (seed §3.10)."""

    code_hash: bytes
    proposed_wave: int
    activation_wave: int


@attrs.frozen
class UpgradeRecord:
    """One activated upgrade: at the start of ``wave`` the contract's code
    changed from ``old_code_hash`` to ``new_code_hash``."""

    wave: int
    old_code_hash: bytes
    new_code_hash: bytes


@attrs.frozen
class ContractMeta:
    """Seed §3.10 "(contract_address -> wasm_hash, serialized_module, owner,
    deposit)": the owner (the deployer; ``None`` for a genesis contract given
    without one, which nobody can upgrade), the pending upgrade and the
    upgrade history, oldest first."""

    owner: Optional[bytes] = None
    pending: Optional[PendingUpgrade] = None
    history: tuple[UpgradeRecord, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.owner is None and self.pending is None and not self.history

    def encode(self) -> bytes:
        w = Writer().option_fixed(self.owner, 32)
        if self.pending is None:
            w.u8(0)
        else:
            p = self.pending
            w.u8(1).fixed(p.code_hash, 32).u64(p.proposed_wave).u64(p.activation_wave)
        w.u32(len(self.history))
        for h in self.history:
            w.u64(h.wave).fixed(h.old_code_hash, 32).fixed(h.new_code_hash, 32)
        return w.out()


EMPTY_CONTRACT_META = ContractMeta()


# --------------------------------------------------------------------------
# validators (VALIDATOR_LIFECYCLE, SLASHING)
# --------------------------------------------------------------------------


class Phase:
    """The stored phase of a validator; the lifecycle state of
    VALIDATOR_LIFECYCLE is derived from it and the wave
    (:func:`pyde_ref.executor.staking.lifecycle`)."""

    BONDED = 0  # pending, active or jailed, by epoch and jail fields
    UNBONDING = 1  # unbonding until ``withdrawable_at``, then withdrawable

    NAMES = {BONDED: "bonded", UNBONDING: "unbonding"}


@attrs.frozen
class ValidatorKey:
    """A consensus key and the first epoch it signs for (VALIDATOR_LIFECYCLE
    ``rotate_keys``: "effective at next epoch boundary")."""

    from_epoch: int
    public_key: bytes


@attrs.frozen
class Validator:
    """One registered validator.

    ``stake_account`` registered it and receives its stake and rewards;
    ``operator`` is its anti-Sybil identity (the stake account: chapter 11
    §11.8's ``StakeDeposit`` carries no other).  ``keys`` lists its consensus
    keys with the epoch each starts (never empty; the last one whose
    ``from_epoch`` has come is current).  ``jailed_until`` is the first wave
    at which ``Unjail`` is allowed (``None``: not jailed);
    ``permanently_jailed`` marks a third jail.  ``escrow_until`` is the end
    of the last slash's 24-hour escrow (no withdrawal before it)."""

    stake_account: bytes
    operator: bytes
    stake: int
    keys: tuple[ValidatorKey, ...]
    registered_wave: int
    activation_epoch: int
    phase: int = Phase.BONDED
    withdrawable_at: int = 0
    jailed_until: Optional[int] = None
    permanently_jailed: bool = False
    jail_count: int = 0
    last_jail_wave: Optional[int] = None
    slash_count: int = 0
    escrow_until: int = 0
    last_rotation_epoch: Optional[int] = None
    rewards: int = 0

    def __attrs_post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a validator has at least one key")
        if not 0 <= self.withdrawable_at <= U64_MAX:
            raise ValueError("withdrawable_at is not a u64")

    def key_at(self, epoch: int) -> bytes:
        """The consensus key that signs for ``epoch``."""
        current = self.keys[0].public_key
        for key in self.keys:
            if key.from_epoch <= epoch:
                current = key.public_key
        return current

    def evolve(self, **changes) -> "Validator":
        return attrs.evolve(self, **changes)

    def encode(self) -> bytes:
        w = (Writer().fixed(self.stake_account, 32).fixed(self.operator, 32).u128(self.stake)
             .u32(len(self.keys)))
        for key in self.keys:
            w.u64(key.from_epoch).bytes_vec(key.public_key)
        w.u64(self.registered_wave).u64(self.activation_epoch).u8(self.phase).u64(self.withdrawable_at)
        w.option_u64(self.jailed_until).u8(int(self.permanently_jailed)).u32(self.jail_count)
        w.option_u64(self.last_jail_wave).u32(self.slash_count).u64(self.escrow_until)
        return w.option_u64(self.last_rotation_epoch).u128(self.rewards).out()
