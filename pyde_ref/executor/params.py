"""Every protocol parameter of the transaction layer, in one place, with its
source.  Durations the documents give in hours or days are converted to
waves at chapter 10 §10.2's "a commit every ~500 ms median"
(:data:`WAVES_PER_SECOND`); a chain document jumps its ``wave_id`` forward to
cross them.  Figures no document gives are pyde-ref's choices, marked so and
explained in ``spec/findings/native-gas-and-periods.md``.
"""

from __future__ import annotations

from pyde_ref.abi.constants import NATIVE_TRANSFER_GAS

# --------------------------------------------------------------------------
# time (chapter 10 §10.2; VALIDATOR_LIFECYCLE "epoch (~3 hours)")
# --------------------------------------------------------------------------

WAVES_PER_SECOND = 2
"""Chapter 10 §10.2: "a commit every ~500 ms median"; a wave is a commit."""
WAVES_PER_HOUR = 3600 * WAVES_PER_SECOND
WAVES_PER_DAY = 24 * WAVES_PER_HOUR
EPOCH_WAVES = 3 * WAVES_PER_HOUR
"""VALIDATOR_LIFECYCLE ``BONDING_PERIOD``: "1 epoch (~3 hours)" = 21,600 waves."""


def epoch_of(wave_id: int) -> int:
    """The epoch a wave belongs to: epochs are consecutive runs of
    :data:`EPOCH_WAVES` waves from wave 0."""
    return wave_id // EPOCH_WAVES


# --------------------------------------------------------------------------
# chapter 10: gas, sizes, fees
# --------------------------------------------------------------------------

WAVE_GAS_CEILING = 1_600_000_000
"""Chapter 10 §10.3 ``GAS_CEILING``: the most gas one commit (wave) may hold.
A transaction whose ``gas_limit`` exceeds what is left of it is rejected, so
no wave -- and no single transaction -- can ask for unbounded work."""

MAX_TX_SIZE = 128 * 1024
"""Chapter 10 §10.9 ``MAX_TX_SIZE``: 128 KB, measured on the transaction's
canonical encoding (:func:`pyde_ref.executor.transactions.encode_transaction`)."""

MAX_MODULE_SIZE = 4 * 1024 * 1024
"""PARACHAIN_DESIGN §6.1 ``initial_wasm: WasmBytes // ≤ 4 MB``: the largest
module any document admits on chain (a contract's arrives in a deploy
transaction, within ``MAX_TX_SIZE``).  pyde-ref reads no module file
larger (``run``, ``diff``, ``abi``, code files of wave documents)."""

MAX_DOCUMENT_SIZE = 16 * 1024 * 1024
"""The largest JSON document pyde-ref reads (wave, chain, ``--state`` and
ABI JSON): pyde-ref's choice, room for a few maximal modules in hex next to
thousands of transactions (``spec/findings/hostile-inputs.md``)."""

MAX_CALLDATA = 64 * 1024
"""Chapter 10 §10.9 ``MAX_CALLDATA``: 64 KB of calldata (a call's arguments,
a constructor's arguments)."""

DEPLOY_BASE_GAS = 32_000
"""Chapter 10 §10.8: "Contract deployment | system tx | 32,000 + init code":
every deploy pays 32,000 plus its constructor's gas (none without one)."""

FEE_BURN_PERCENT = 70
FEE_REWARD_POOL_PERCENT = 20
"""Chapter 10 §10.5 ``distribute_fee``: 70% burned, 20% to the reward pool,
the remainder (10% plus rounding dust) to the treasury."""

PAYMASTER_VALIDATION_GAS = 100_000
"""Chapter 10 §10.7: ``validate_sponsorship`` "has a hard gas cap of 100,000 gas"."""
PAYMASTER_VALIDATE_FUNCTION = "validate_sponsorship"
"""Chapter 10 §10.7: the paymaster entry the engine calls."""

NATIVE_BASE_GAS = NATIVE_TRANSFER_GAS
"""The cost of a native operation no document prices (stake deposit and
withdrawal, reward and airdrop claims, gas-tank deposits and withdrawals,
key rotations, unjail): the native transfer's 21,000 (ABI §11), since each
is one or two balance updates like a transfer.  pyde-ref's choice."""

SIGNATURE_VERIFY_GAS = 50_000
"""ABI §10 ``falcon_verify``: 50,000 gas per FALCON-512 verification; a
``Slash`` pays it for each of its two evidence signatures."""

MERKLE_PROOF_GAS = 5_000
"""Chapter 10 §10.8: "Merkle path verification | host fn | 5,000"
(``ClaimAirdrop``)."""

# --------------------------------------------------------------------------
# validators (VALIDATOR_LIFECYCLE, SLASHING)
# --------------------------------------------------------------------------

QUANTA_PER_PYDE = 10**9
"""Chapter 10 §10.12: 1 PYDE = 10^9 quanta."""

MIN_VALIDATOR_STAKE = 10_000 * QUANTA_PER_PYDE
"""VALIDATOR_LIFECYCLE / chapter 11 §11.8: 10,000 PYDE."""
MAX_VALIDATORS_PER_OPERATOR = 3
BONDING_EPOCHS = 1
"""PENDING -> ACTIVE "at next epoch boundary"."""
UNBONDING_WAVES = 30 * WAVES_PER_DAY
"""``UNBONDING_PERIOD``: 30 days."""
KEY_ROTATION_INTERVAL_EPOCHS = 1
"""``KEY_ROTATION_INTERVAL``: at most once per epoch."""
JAIL_FIRST_WAVES = WAVES_PER_DAY
"""``JAIL_PERIOD_1ST``: 24 hours."""
JAIL_SECOND_WAVES = 7 * WAVES_PER_DAY
"""``JAIL_PERIOD_2ND``: 7 days, for a second jail within 30 days of the first."""
JAIL_REPEAT_WINDOW_WAVES = 30 * WAVES_PER_DAY
PERMANENT_JAIL_COUNT = 3
"""``JAIL_3RD``: the third jail is permanent."""
UNJAIL_FEE = 10 * QUANTA_PER_PYDE
"""``UNJAIL_FEE``: 10 PYDE, burned (pyde-ref's reading: no document names a recipient)."""
SLASHING_ESCROW_WAVES = WAVES_PER_DAY
"""``SLASHING_ESCROW``: 24 hours."""
NEW_VALIDATOR_GRACE_EPOCHS = 1
"""SLASHING "New Validator Grace Period": 50% reduced slashing in the first epoch."""
EVIDENCE_FRESHNESS_WAVES = 21 * WAVES_PER_DAY
"""``EVIDENCE_FRESHNESS_SAFETY``: 21 days."""
MAX_EVIDENCE_PER_REPORTER_PER_EPOCH = 5
"""SLASHING "Reporter Cooldown": 5 evidence transactions per epoch."""

SLASH_FIRST_BPS = {1: 1_000, 2: 1_000}
"""SLASHING offense table, "first instance", in basis points: offense 1
(vertex equivocation) and 2 (contradictory state-root signatures), 10%.
These are the two double-sign offenses whose evidence is two signatures."""
SLASH_MAX_BPS = {1: 5_000, 2: 5_000}
"""The "Max (correlation/repeat)" column: 50%."""
CORRELATION_BYZANTINE = 42
"""SLASHING "Correlation Multiplier": ``1 + k / 42`` for n = 128, capped at 2."""
SLASH_BURN_PERCENT = 50
SLASH_TREASURY_PERCENT = 30
"""Offenses 1-2 "Distribution": 50% burn / 30% treasury / 20% reporter
(the reporter's share is the remainder)."""

# --------------------------------------------------------------------------
# multisig and emergency (chapter 15 §15.4, §15.5; chapter 18 §18.5, §18.7)
# --------------------------------------------------------------------------

MULTISIG_VERSION = 0x01
"""Chapter 18 §18.7: ``MULTISIG_VERSION = 0x01`` for multisig payloads."""
MULTISIG_TX_BASE_GAS = 50_000
MULTISIG_PER_SIGNATURE_GAS = 50_000
"""Chapter 15 §15.4 ``MultisigTx``: "50,000 base + 50,000 per signature"
(also charged by ``EmergencyPause`` and ``EmergencyResume``, "the same
configuration mechanism")."""
ROTATE_MULTISIG_BASE_GAS = 60_000
ROTATE_MULTISIG_PER_SIGNER_GAS = 10_000
"""Chapter 15 §15.4 ``RotateMultisig``: "60,000 base + 50,000 per signature
+ 10,000 per new signer"."""
MAX_PAUSE_DURATION_WAVES = 30 * WAVES_PER_DAY
"""Chapter 15 §15.5 / 18 §18.5 ``MAX_PAUSE_DURATION_WAVES`` (~30 days)."""

# --------------------------------------------------------------------------
# contracts (seed §3.10)
# --------------------------------------------------------------------------

UPGRADE_GRACE_WAVES = WAVES_PER_DAY
"""Seed §3.10: owner upgrades take effect after "grace periods to give users
time to verify the new code"; no document gives the length.  pyde-ref's
choice: 24 hours, the slashing escrow's dispute window."""

MAX_AIRDROP_PROOF_DEPTH = 32
"""A Merkle proof has at most 32 levels (2^32 leaves, the u32 index range)."""

# --------------------------------------------------------------------------
# parachains (PARACHAIN_DESIGN; spec/findings/parachain-lifecycle.md)
# --------------------------------------------------------------------------

PARACHAIN_MIN_VALIDATORS = 7
"""PARACHAIN_DESIGN §3: a parachain committee's "Configurable size: min 7":
``config.min_validators`` may not be below it."""
PARACHAIN_MAX_VALIDATORS = 128
"""PARACHAIN_DESIGN §3: a parachain committee is a "Subset of Pyde's main
128-validator committee"."""
PARACHAIN_REGISTRATION_FEE = 100 * QUANTA_PER_PYDE
"""§6.1 "deploy fee": no document gives the figure.  pyde-ref's choice:
100 PYDE, to the treasury."""
PARACHAIN_OWNER_DEPOSIT = 1_000 * QUANTA_PER_PYDE
"""§6.1 "owner deposit": held by the registry record, returned on kill
minus :data:`PARACHAIN_CLEANUP_FEE`.  pyde-ref's choice: 1,000 PYDE."""
PARACHAIN_CLEANUP_FEE = 10 * QUANTA_PER_PYDE
"""§6.4 "minus a cleanup fee": pyde-ref's choice, 10 PYDE (the unjail
fee's figure), to the treasury."""
PROPOSAL_COOLDOWN_WAVES = 30 * WAVES_PER_DAY
"""§7 ``PROPOSAL_COOLDOWN``: a rejected proposal cannot be re-submitted
unchanged for 30 days."""
XCALL_DELIVERY_GAS = 1_000_000
"""The gas an ``XCallDelivery`` gives the target's receiving function: no
document gives one (``max_callback_gas`` is the callback's).  pyde-ref's
choice (``spec/findings/parachain-xcall.md``)."""
XCALL_RECEIVE_FUNCTION = "receive_xparachain_message"
"""The entry an ``XCallDelivery`` invokes on the target (PARACHAIN_DESIGN
§9 step 5: "the target parachain's WASM is invoked with the message payload
as input"; no document names it)."""
