"""Account records (chapter 4 §4.3 ``struct Account``, the fields the execution
layer uses: balance, nonce, code hash, account type)."""

from __future__ import annotations

import attrs

from pyde_ref.state.borsh import Writer

U64_MAX = (1 << 64) - 1
"""The largest u64 (a nonce, a gas limit, a block number)."""
U128_MAX = (1 << 128) - 1
"""The largest u128 (a balance, a value)."""

ZERO_HASH = bytes(32)


class AccountType:
    """Chapter 4 §4.3: ``AccountType`` is one byte, EOA=0, Contract=1, System=2."""

    EOA = 0
    CONTRACT = 1
    SYSTEM = 2

    ALL = (EOA, CONTRACT, SYSTEM)


@attrs.frozen
class Account:
    """One account.  An account that was never written reads as
    :data:`EMPTY_ACCOUNT` (balance 0, nonce 0, no code, EOA), so "absent" and
    "all zero" are one state, and the state digest treats them alike."""

    balance: int = 0
    nonce: int = 0
    code_hash: bytes = ZERO_HASH
    account_type: int = AccountType.EOA

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.balance <= U128_MAX:
            raise ValueError(f"balance {self.balance} is not a u128")
        if not 0 <= self.nonce <= U64_MAX:
            raise ValueError(f"nonce {self.nonce} is not a u64")
        if len(self.code_hash) != 32:
            raise ValueError("code_hash must be 32 bytes")
        if self.account_type not in AccountType.ALL:
            raise ValueError(f"unknown account type {self.account_type}")

    @property
    def is_contract(self) -> bool:
        """Chapter 4: a contract account has a non-zero code hash."""
        return self.code_hash != ZERO_HASH

    def encode(self) -> bytes:
        """Borsh: balance u128, nonce u64, code_hash [u8; 32], account_type u8."""
        return (
            Writer().u128(self.balance).u64(self.nonce).fixed(self.code_hash, 32)
            .u8(self.account_type).out()
        )


EMPTY_ACCOUNT = Account()
