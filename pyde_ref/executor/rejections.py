"""Why a transaction is rejected: stable, machine-readable reason codes.

A rejected transaction changes nothing (no fee, no nonce, no write; see
``spec/abi/11-native-transactions.md``).  Its receipt names the reason by
one of the codes below (``code``, a CamelCase name that never changes
meaning), gives the ABI §4 error code where one applies (``error_code``),
and says what happened in words (``reason``).

Codes are grouped by where they arise.  :data:`CODES` maps every name to its
:class:`RejectionCode`; ``spec/transaction-rejections.md`` is the same table
for readers, and a test keeps the two equal.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi.constants import (
    ERR_FORBIDDEN,
    ERR_INSUFFICIENT_BALANCE,
    ERR_INVALID_ADDRESS,
    ERR_INVALID_FUNCTION_NAME,
    ERR_INVALID_INPUT,
    ERR_SIGNATURE_INVALID,
    ERR_VALUE_TRANSFER_NOT_PAYABLE,
)


@attrs.frozen
class RejectionCode:
    name: str
    group: str
    meaning: str
    abi_error: Optional[int] = None


CODES: dict[str, RejectionCode] = {}


def _code(name: str, group: str, meaning: str, abi_error: Optional[int] = None) -> str:
    assert name not in CODES, name
    CODES[name] = RejectionCode(name, group, meaning, abi_error)
    return name


# -- any transaction: decoding, chain rules, authorization, fees -------------

UNKNOWN_TX_TYPE = _code("UnknownTxType", "transaction", "tx_type is not a chapter 11 §11.8 tag")
VACANT_TX_TYPE = _code("VacantTxType", "transaction", "tx_type 2 (Batch, removed pre-mainnet, §11.9)")
MALFORMED_PAYLOAD = _code("MalformedPayload", "transaction",
                          "data does not decode as the type's payload", ERR_INVALID_INPUT)
TX_TOO_LARGE = _code("TxTooLarge", "transaction", "encoded transaction above MAX_TX_SIZE (128 KB)")
CALLDATA_TOO_LARGE = _code("CalldataTooLarge", "transaction", "calldata above MAX_CALLDATA (64 KB)",
                           ERR_INVALID_INPUT)
WRONG_CHAIN_ID = _code("WrongChainId", "transaction", "chain_id is not the wave's")
DEADLINE_EXPIRED = _code("DeadlineExpired", "transaction", "the wave is at or past the deadline")
WAVE_GAS_EXCEEDED = _code("WaveGasExceeded", "transaction",
                          "gas_limit above what the wave's gas ceiling has left")
CHAIN_PAUSED = _code("ChainPaused", "transaction", "an emergency pause is active")
ACCESS_LIST_DUPLICATE = _code("AccessListDuplicate", "transaction",
                              "an address or storage key listed twice", ERR_INVALID_INPUT)
INVALID_SENDER = _code("InvalidSender", "transaction",
                       "from is the zero address or a system account", ERR_INVALID_ADDRESS)
SENDER_IS_CONTRACT = _code("SenderIsContract", "transaction", "from has code", ERR_INVALID_ADDRESS)
INVALID_RECIPIENT = _code("InvalidRecipient", "transaction",
                          "to is not a valid recipient for this type", ERR_INVALID_ADDRESS)
UNEXPECTED_VALUE = _code("UnexpectedValue", "transaction", "value attached to a type that takes none")
INTRINSIC_GAS_TOO_LOW = _code("IntrinsicGasTooLow", "transaction", "gas_limit below the type's fixed cost")

NO_AUTH_KEYS = _code("NoAuthKeys", "authorization", "the sender has no keys (RegisterPubkey first)")
AUTH_SCHEME_RESERVED = _code("AuthSchemeReserved", "authorization", "Programmable auth is v2")
MISSING_SIGNATURE = _code("MissingSignature", "authorization", "a signed document's transaction has none",
                          ERR_SIGNATURE_INVALID)
BAD_SIGNER_INDEX = _code("BadSignerIndex", "authorization", "a signature names no key of auth_keys",
                         ERR_SIGNATURE_INVALID)
DUPLICATE_SIGNER = _code("DuplicateSigner", "authorization", "two signatures name the same key",
                         ERR_SIGNATURE_INVALID)
THRESHOLD_NOT_MET = _code("ThresholdNotMet", "authorization", "fewer signatures than the threshold",
                          ERR_SIGNATURE_INVALID)
BAD_SIGNATURE = _code("BadSignature", "authorization", "a FALCON-512 signature does not verify",
                      ERR_SIGNATURE_INVALID)
NONCE_OUT_OF_WINDOW = _code("NonceOutOfWindow", "authorization", "nonce outside [base, base + 15] (§11.4)")
NONCE_ALREADY_USED = _code("NonceAlreadyUsed", "authorization", "nonce already used (§11.4)")

INSUFFICIENT_BALANCE = _code("InsufficientBalance", "fees",
                             "sender balance below gas_limit × base_fee + value (or value alone)",
                             ERR_INSUFFICIENT_BALANCE)
GAS_TANK_INSUFFICIENT = _code("GasTankInsufficient", "fees",
                              "the paying gas tank holds less than gas_limit × base_fee (§10.7)",
                              ERR_INSUFFICIENT_BALANCE)
FEE_PAYER_NOT_APPLICABLE = _code("FeePayerNotApplicable", "fees",
                                 "this fee payer cannot pay for this transaction")
FEE_OVERFLOW = _code("FeeOverflow", "fees", "crediting the fee would overflow a u128 balance or counter")
PAYMASTER_NOT_CONTRACT = _code("PaymasterNotContract", "fees", "the paymaster has no code",
                               ERR_INVALID_ADDRESS)
PAYMASTER_REFUSED = _code("PaymasterRefused", "fees",
                          "validate_sponsorship did not return true within 100,000 gas")

# -- Standard -----------------------------------------------------------------

TARGET_HAS_NO_CODE = _code("TargetHasNoCode", "standard", "a call to an address without code",
                           ERR_INVALID_ADDRESS)
UNKNOWN_FUNCTION = _code("UnknownFunction", "standard", "no such entry and no fallback",
                         ERR_INVALID_FUNCTION_NAME)
NOT_PAYABLE = _code("NotPayable", "standard", "value sent to a function that is not payable",
                    ERR_VALUE_TRANSFER_NOT_PAYABLE)
CONSTRUCTOR_LOCKOUT = _code("ConstructorLockout", "standard", "a constructor called after deploy",
                            ERR_FORBIDDEN)
ENTRY_REFUSED = _code("EntryRefused", "standard", "the entry frame could not start")
RECIPIENT_OVERFLOW = _code("RecipientOverflow", "standard", "the recipient's balance would pass 2^128 - 1")
UNKNOWN_SYSTEM_OPERATION = _code("UnknownSystemOperation", "standard",
                                 "no such operation at this system address", ERR_INVALID_FUNCTION_NAME)

# -- Deploy and upgrades -------------------------------------------------------

DEPLOY_REJECTED = _code("DeployRejected", "deploy", "the module fails deploy validation (reason names the check)")
ADDRESS_IN_USE = _code("AddressInUse", "deploy", "the new contract's address holds an account",
                       ERR_INVALID_ADDRESS)
NOT_A_CONTRACT = _code("NotAContract", "deploy", "the named address has no code", ERR_INVALID_ADDRESS)
NOT_OWNER = _code("NotOwner", "deploy", "only the owner may do this", ERR_FORBIDDEN)
UPGRADE_PENDING = _code("UpgradePending", "deploy", "an upgrade is already waiting for its grace period")
UPGRADE_SAME_CODE = _code("UpgradeSameCode", "deploy", "the new code is the current code")

# -- gas tanks and accounts ------------------------------------------------------

ZERO_AMOUNT = _code("ZeroAmount", "gas tank", "an amount of zero")
GAS_TANK_TOO_LOW = _code("GasTankTooLow", "gas tank", "withdrawal above the tank's balance")
INVALID_AUTH_KEYS = _code("InvalidAuthKeys", "accounts", "the new AuthKeys are not valid v1 keys")

# -- validators ------------------------------------------------------------------

STAKE_BELOW_MINIMUM = _code("StakeBelowMinimum", "staking", "stake below MIN_VALIDATOR_STAKE")
INVALID_PUBLIC_KEY = _code("InvalidPublicKey", "staking", "not a FALCON-512 public key")
VALIDATOR_EXISTS = _code("ValidatorExists", "staking", "this consensus key is registered")
OPERATOR_CAP_REACHED = _code("OperatorCapReached", "staking", "the operator has 3 validators")
UNKNOWN_VALIDATOR = _code("UnknownValidator", "staking", "no validator with this id")
NOT_STAKE_ACCOUNT = _code("NotStakeAccount", "staking", "only the validator's stake account may do this",
                          ERR_FORBIDDEN)
NOT_ACTIVE = _code("NotActive", "staking", "the validator is not active")
VALIDATOR_JAILED = _code("ValidatorJailed", "staking", "the validator is jailed")
STILL_UNBONDING = _code("StillUnbonding", "staking", "the unbonding period has not elapsed")
ESCROW_PENDING = _code("EscrowPending", "staking", "a slash's 24-hour escrow has not ended")
NOT_JAILED = _code("NotJailed", "staking", "the validator is not jailed")
JAIL_PERIOD_NOT_OVER = _code("JailPeriodNotOver", "staking", "the jail period has not elapsed")
PERMANENTLY_JAILED = _code("PermanentlyJailed", "staking", "third jail: no unjail")
ROTATION_TOO_SOON = _code("RotationTooSoon", "staking", "keys rotated less than an epoch ago")
NO_REWARDS = _code("NoRewards", "staking", "no accrued reward to claim")

# -- Slash -------------------------------------------------------------------------

UNSUPPORTED_OFFENSE = _code("UnsupportedOffense", "slash", "only double-sign offenses 1 and 2 have evidence")
NOT_EQUIVOCATION = _code("NotEquivocation", "slash", "the two signed digests are equal")
EVIDENCE_STALE = _code("EvidenceStale", "slash", "evidence older than 21 days, or from the future")
EVIDENCE_BAD_SIGNATURE = _code("EvidenceBadSignature", "slash", "an evidence signature does not verify",
                               ERR_SIGNATURE_INVALID)
EVIDENCE_ALREADY_USED = _code("EvidenceAlreadyUsed", "slash", "this offense was already slashed")
REPORTER_COOLDOWN = _code("ReporterCooldown", "slash", "5 evidence transactions this epoch already")

# -- airdrop -------------------------------------------------------------------------

NO_AIRDROP = _code("NoAirdrop", "airdrop", "no airdrop is configured")
AIRDROP_EXPIRED = _code("AirdropExpired", "airdrop", "claims end at the deadline")
AIRDROP_NOT_OVER = _code("AirdropNotOver", "airdrop", "sweeping starts at the deadline")
AIRDROP_ALREADY_CLAIMED = _code("AirdropAlreadyClaimed", "airdrop", "this leaf was claimed")
AIRDROP_BAD_PROOF = _code("AirdropBadProof", "airdrop", "the Merkle proof does not reach the root")
AIRDROP_POOL_SHORT = _code("AirdropPoolShort", "airdrop", "the pool holds less than the claim")
NOTHING_TO_SWEEP = _code("NothingToSweep", "airdrop", "the pool is empty")

# -- multisig and emergency --------------------------------------------------------------

NO_MULTISIG = _code("NoMultisig", "multisig", "no signer set is configured")
MULTISIG_NONCE_MISMATCH = _code("MultisigNonceMismatch", "multisig", "the payload's nonce is not MULTISIG_NONCE")
APPROVAL_INDEX_INVALID = _code("ApprovalIndexInvalid", "multisig", "an approval names no signer",
                               ERR_SIGNATURE_INVALID)
APPROVAL_DUPLICATE = _code("ApprovalDuplicate", "multisig", "a signer index referenced twice",
                           ERR_SIGNATURE_INVALID)
APPROVAL_THRESHOLD_NOT_MET = _code("ApprovalThresholdNotMet", "multisig", "fewer approvals than the threshold",
                                   ERR_SIGNATURE_INVALID)
APPROVAL_BAD_SIGNATURE = _code("ApprovalBadSignature", "multisig", "an approval signature does not verify",
                               ERR_SIGNATURE_INVALID)
INVALID_SPEND_TARGET = _code("InvalidSpendTarget", "multisig",
                             "target is zero, the treasury, a system account or the sender", ERR_INVALID_ADDRESS)
ZERO_SPEND = _code("ZeroSpend", "multisig", "value must be > 0")
TREASURY_INSUFFICIENT = _code("TreasuryInsufficient", "multisig", "the treasury holds less than the spend",
                              ERR_INSUFFICIENT_BALANCE)
INVALID_SIGNER_SET = _code("InvalidSignerSet", "multisig", "new signers or threshold out of the §15.4 rules")
NOT_PAUSED = _code("NotPaused", "emergency", "no pause is active")
INVALID_PAUSE_DURATION = _code("InvalidPauseDuration", "emergency", "duration 0 or above MAX_PAUSE_DURATION_WAVES")

# -- RegisterPubkey ------------------------------------------------------------------------

PUBKEY_MISMATCH = _code("PubkeyMismatch", "register", "Poseidon2(public key) is not the sender's address")
ALREADY_REGISTERED = _code("AlreadyRegistered", "register", "the account has auth_keys already")
UNFUNDED_ACCOUNT = _code("UnfundedAccount", "register", "RegisterPubkey needs balance > 0")


# -- parachains (PARACHAIN_DESIGN §6, §7) -------------------------------------------------

UNKNOWN_PARACHAIN = _code("UnknownParachain", "parachain", "no parachain has this id", ERR_INVALID_ADDRESS)
PARACHAIN_PAUSED = _code("ParachainPaused", "parachain", "the target parachain is paused (§6.3)")
PARACHAIN_KILLED = _code("ParachainKilled", "parachain", "the target parachain was killed (§6.4)")
INVALID_PARACHAIN_NAME = _code("InvalidParachainName", "parachain",
                               "not 1-32 lower-case letters, digits and inner hyphens (§6.1 step 1)",
                               ERR_INVALID_INPUT)
PARACHAIN_NAME_TAKEN = _code("ParachainNameTaken", "parachain", "a parachain with this name exists (§6.1 step 2)")
PARACHAIN_ID_COLLISION = _code("ParachainIdCollision", "parachain",
                               "the id's 16-byte clustering prefix is another parachain's (§4, §5)")
INVALID_PARACHAIN_CONFIG = _code("InvalidParachainConfig", "parachain",
                                 "the configuration is not internally consistent (§6.1 step 7)", ERR_INVALID_INPUT)
VALIDATOR_NOT_IN_COMMITTEE = _code("ValidatorNotInCommittee", "parachain",
                                   "a validator of the set is not an active main-committee validator (§6.1 step 5)")
VALIDATOR_SET_TOO_SMALL = _code("ValidatorSetTooSmall", "parachain", "fewer validators than min_validators")
VALIDATOR_SET_TOO_LARGE = _code("ValidatorSetTooLarge", "parachain", "more validators than the 128 of the committee")
VALIDATOR_SET_DUPLICATE = _code("ValidatorSetDuplicate", "parachain", "a validator listed twice")
PARACHAIN_NOT_ACTIVE = _code("ParachainNotActive", "parachain", "only an active parachain can be paused")
PARACHAIN_NOT_PAUSED = _code("ParachainNotPaused", "parachain", "only a paused parachain can be unpaused")
PROPOSAL_NO_CHANGE = _code("ProposalNoChange", "parachain", "the proposal's module and config are the current ones")
PROPOSAL_COOLDOWN = _code("ProposalCooldown", "parachain",
                          "the same proposal was rejected less than 30 days ago (§7 PROPOSAL_COOLDOWN)")
UNKNOWN_PROPOSAL = _code("UnknownProposal", "parachain", "the parachain has no proposal with this id")
VOTING_NOT_OPEN = _code("VotingNotOpen", "parachain", "the discussion period has not ended")
VOTING_CLOSED = _code("VotingClosed", "parachain", "the voting window has closed or the proposal is decided")
NOT_PARACHAIN_VALIDATOR = _code("NotParachainValidator", "parachain",
                                "the validator is not in the parachain's validator set", ERR_FORBIDDEN)
ALREADY_VOTED = _code("AlreadyVoted", "parachain", "this validator voted on this proposal")
VOTE_BAD_SIGNATURE = _code("VoteBadSignature", "parachain", "the vote's FALCON-512 signature does not verify",
                           ERR_SIGNATURE_INVALID)
PROPOSAL_NOT_DECIDED = _code("ProposalNotDecided", "parachain", "the proposal's voting window has not been tallied")
UPGRADE_QUORUM_NOT_MET = _code("UpgradeQuorumNotMet", "parachain",
                               "the tally rejected the proposal: too few validators voted (§7 quorum)")
UPGRADE_THRESHOLD_NOT_MET = _code("UpgradeThresholdNotMet", "parachain",
                                  "the tally rejected the proposal: too few voters said yes (§7 threshold)")
PROPOSAL_ENACTED = _code("ProposalEnacted", "parachain", "the proposal was already enacted")
COMMITTEE_SIGNATURE_DUPLICATE = _code("CommitteeSignatureDuplicate", "parachain",
                                      "a committee member signed twice", ERR_SIGNATURE_INVALID)
COMMITTEE_QUORUM_NOT_MET = _code("CommitteeQuorumNotMet", "parachain",
                                 "fewer committee signatures than the quorum", ERR_SIGNATURE_INVALID)
COMMITTEE_BAD_SIGNATURE = _code("CommitteeBadSignature", "parachain",
                                "a committee member's FALCON-512 signature does not verify", ERR_SIGNATURE_INVALID)


class Rejection(Exception):
    """A transaction cannot be applied: ``code`` is one of :data:`CODES`,
    ``reason`` says why in words; the ABI §4 code follows from the code
    unless ``error_code`` overrides it (an entry frame's own refusal)."""

    def __init__(self, code: str, reason: str = "", error_code: Optional[int] = None):
        if code not in CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        super().__init__(f"{code}: {reason}" if reason else code)
        self.code = code
        self.reason = reason or CODES[code].meaning
        self.error_code = CODES[code].abi_error if error_code is None else error_code
