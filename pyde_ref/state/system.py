"""System accounts (chapter 11 §11.3): accounts at deterministic addresses
that no key derives, seeded by the protocol and "only mutated by specific
transaction handlers".

Each address is ``Poseidon2(name)`` of an ASCII name, the pattern §11.3
gives (``Poseidon2("pyde-treasury")``).  Two kinds:

* *fund* accounts hold a balance that only the protocol moves: the
  treasury (10% of every fee, chapter 10 §10.5; spent by ``MultisigTx``),
  the reward pool (20% of every fee, paid out by ``ClaimReward``) and the
  airdrop pool (paid out by ``ClaimAirdrop``, swept to the treasury by
  ``SweepAirdrop``);
* *operation* addresses: a ``Standard`` transaction addressed to one of them
  runs a native operation instead of a contract (ABI §11's "via system
  contract" path): account key rotation, gas-tank deposits and withdrawals,
  contract upgrades, validator unjail and key rotation, the parachain
  lifecycle and governance (``spec/abi/11-native-transactions.md``).

No transfer may credit a system account (a value transfer, ``pyde::transfer``
or a withdrawal): §11.3 lets only their own handlers move their balances.
"""

from __future__ import annotations

from pyde_ref.crypto.poseidon2 import poseidon2_hash

ZERO_ADDRESS = bytes(32)
"""``Address::ZERO``: the deploy target of chapter 11 §11.10, the reserved
sentinel of ABI §4 ``ERR_INVALID_ADDRESS``; never an account."""


def system_address(name: str) -> bytes:
    """Chapter 11 §11.3: ``Poseidon2(<name>)`` of the ASCII name."""
    return poseidon2_hash(name.encode("ascii"))


TREASURY = system_address("pyde-treasury")
REWARD_POOL = system_address("pyde-reward-pool")
AIRDROP_POOL = system_address("pyde-airdrop-pool")

ACCOUNTS = system_address("pyde-accounts")
GAS_TANKS = system_address("pyde-gas-tanks")
CONTRACTS = system_address("pyde-contracts")
STAKING = system_address("pyde-staking")
PARACHAINS = system_address("pyde-parachains")

FUND_ACCOUNTS: dict[bytes, str] = {
    TREASURY: "treasury",
    REWARD_POOL: "reward_pool",
    AIRDROP_POOL: "airdrop_pool",
}
OPERATION_ADDRESSES: dict[bytes, str] = {
    ACCOUNTS: "accounts",
    GAS_TANKS: "gas_tanks",
    CONTRACTS: "contracts",
    STAKING: "staking",
    PARACHAINS: "parachains",
}
SYSTEM_ADDRESSES: dict[bytes, str] = {**FUND_ACCOUNTS, **OPERATION_ADDRESSES}
"""Every system address and its short name."""


def is_system_address(address: bytes) -> bool:
    return bytes(address) in SYSTEM_ADDRESSES


def is_reserved_address(address: bytes) -> bool:
    """The all-zero address and the system addresses: no key signs for them,
    no transfer credits them, no contract lives at them."""
    return bytes(address) == ZERO_ADDRESS or is_system_address(address)
