"""Account records (chapter 11 §11.1, chapter 4 §4.3), the authorization keys
of §11.5 and the 16-slot nonce window of §11.4.

The record holds every §11.1 field except two that are not data of the
record itself: ``address`` is the key it is stored under, and
``storage_root`` is the JMT commitment of the contract's storage, which
pyde-ref does not build (the state digest covers every storage slot
directly; ``spec/findings/account-record.md``).  It adds ``nonce_bitmap``,
the ``used`` half of §11.4's ``NonceState`` that §11.1's struct leaves out.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.state.borsh import Reader, Writer

U16_MAX = (1 << 16) - 1
U32_MAX = (1 << 32) - 1
U64_MAX = (1 << 64) - 1
"""The largest u64 (a nonce, a gas limit, a block number)."""
U128_MAX = (1 << 128) - 1
"""The largest u128 (a balance, a value)."""

ZERO_HASH = bytes(32)

NONCE_WINDOW = 16
"""Chapter 11 §11.4 ``WINDOW_SIZE``: a transaction may use any nonce in
``[base, base + 15]``."""

FALCON_PUBLIC_KEY_SIZE = 897
"""Chapter 8 §8.2: a FALCON-512 public key is 897 bytes."""

MAX_MULTISIG_KEYS = 16
"""Chapter 11 §11.5 ``MultiSig``: "max 16 signers"; chapter 15 §15.4
``MAX_MULTISIG_SIGNERS``."""


class AccountType:
    """Chapter 11 §11.3: ``AccountType`` is one byte, EOA=0, Contract=1, System=2."""

    EOA = 0
    CONTRACT = 1
    SYSTEM = 2

    ALL = (EOA, CONTRACT, SYSTEM)
    NAMES = {EOA: "eoa", CONTRACT: "contract", SYSTEM: "system"}


# --------------------------------------------------------------------------
# §11.5 AuthKeys
# --------------------------------------------------------------------------


class AuthScheme:
    """The ``AuthKeys`` variants and their Borsh tags (chapter 11 §11.5)."""

    NONE = 0
    SINGLE = 1
    MULTISIG = 2
    PROGRAMMABLE = 3  # reserved for v2: never valid in v1

    NAMES = {NONE: "none", SINGLE: "single", MULTISIG: "multisig", PROGRAMMABLE: "programmable"}


def check_public_key(key: bytes) -> Optional[str]:
    """Why ``key`` cannot be a FALCON-512 public key (chapter 8 §8.2:
    897 bytes, header byte ``0x09`` = logn), or ``None`` when its shape is
    right."""
    if len(key) != FALCON_PUBLIC_KEY_SIZE:
        return f"a FALCON-512 public key is {FALCON_PUBLIC_KEY_SIZE} bytes, got {len(key)}"
    if key[0] != 0x09:
        return f"a FALCON-512 public key starts with 0x09, got {key[0]:#04x}"
    return None


@attrs.frozen
class AuthKeys:
    """Who may sign for an account (chapter 11 §11.5).

    ``scheme`` is an :class:`AuthScheme` tag; ``keys`` the FALCON-512 public
    keys (one for ``Single``, 1..16 distinct ones for ``MultiSig``, none
    otherwise); ``threshold`` the ``t`` of a ``t``-of-``n`` multisig (0
    otherwise)."""

    scheme: int = AuthScheme.NONE
    keys: tuple[bytes, ...] = ()
    threshold: int = 0

    def problem(self) -> Optional[str]:
        """Why this value is not a valid v1 ``AuthKeys``, or ``None``."""
        if self.scheme == AuthScheme.NONE:
            return None if not self.keys and self.threshold == 0 else "None carries no keys"
        if self.scheme == AuthScheme.PROGRAMMABLE:
            return "Programmable (tag 3) is reserved for v2"
        if self.scheme not in AuthScheme.NAMES:
            return f"unknown AuthKeys tag {self.scheme}"
        for key in self.keys:
            bad = check_public_key(key)
            if bad is not None:
                return bad
        if self.scheme == AuthScheme.SINGLE:
            return None if len(self.keys) == 1 and self.threshold == 0 else "Single holds exactly one key"
        if not 1 <= len(self.keys) <= MAX_MULTISIG_KEYS:
            return f"MultiSig holds 1..{MAX_MULTISIG_KEYS} keys, got {len(self.keys)}"
        if len(set(self.keys)) != len(self.keys):
            return "MultiSig keys must be distinct"
        if not 1 <= self.threshold <= len(self.keys):
            return f"MultiSig threshold must be in [1, {len(self.keys)}], got {self.threshold}"
        return None

    @property
    def name(self) -> str:
        return AuthScheme.NAMES.get(self.scheme, str(self.scheme))

    def encode_into(self, w: Writer) -> Writer:
        """Borsh enum: tag u8; ``Single(Vec<u8>)``; ``MultiSig { keys:
        Vec<Vec<u8>>, threshold: u32 }``."""
        w.u8(self.scheme)
        if self.scheme == AuthScheme.SINGLE:
            w.bytes_vec(self.keys[0])
        elif self.scheme == AuthScheme.MULTISIG:
            w.u32(len(self.keys))
            for key in self.keys:
                w.bytes_vec(key)
            w.u32(self.threshold)
        return w

    def encode(self) -> bytes:
        return self.encode_into(Writer()).out()

    @classmethod
    def decode_from(cls, r: Reader, what: str = "auth_keys") -> "AuthKeys":
        tag = r.u8(what)
        if tag == AuthScheme.NONE:
            return cls()
        if tag == AuthScheme.SINGLE:
            return cls(AuthScheme.SINGLE, (r.bytes_vec(what + " key"),))
        if tag == AuthScheme.MULTISIG:
            count = r.u32(what + " key count")
            if count > MAX_MULTISIG_KEYS:
                raise r.fail(f"{what}: {count} keys (at most {MAX_MULTISIG_KEYS})")
            keys = tuple(r.bytes_vec(what + " key") for _ in range(count))
            return cls(AuthScheme.MULTISIG, keys, r.u32(what + " threshold"))
        if tag == AuthScheme.PROGRAMMABLE:
            return cls(AuthScheme.PROGRAMMABLE)
        raise r.fail(f"{what} variant {tag} (must be 0..3)")


NO_AUTH_KEYS = AuthKeys()


def single_key(public_key: bytes) -> AuthKeys:
    return AuthKeys(AuthScheme.SINGLE, (bytes(public_key),))


# --------------------------------------------------------------------------
# §11.4 nonce window
# --------------------------------------------------------------------------


class NonceError:
    """The two refusals of §11.4 ``use_nonce``."""

    OUT_OF_WINDOW = "NonceOutOfWindow"
    ALREADY_USED = "NonceAlreadyUsed"


def nonce_problem(base: int, bitmap: int, nonce: int) -> Optional[str]:
    """Chapter 11 §11.4 ``use_nonce``'s checks: ``nonce`` must lie in
    ``[base, base + 15]`` and its bit must be clear."""
    if not base <= nonce < base + NONCE_WINDOW:
        return NonceError.OUT_OF_WINDOW
    if bitmap >> (nonce - base) & 1:
        return NonceError.ALREADY_USED
    return None


def use_nonce(base: int, bitmap: int, nonce: int) -> tuple[int, int]:
    """Chapter 11 §11.4 ``use_nonce``: set the nonce's bit, then slide the
    window past every used slot at its low end.  The caller has checked
    :func:`nonce_problem`.  (A window reaching ``2**64`` cannot slide: its
    base stays at ``U64_MAX`` and that slot is then used.)"""
    assert nonce_problem(base, bitmap, nonce) is None
    bitmap |= 1 << (nonce - base)
    while bitmap & 1 and base < U64_MAX:
        base += 1
        bitmap >>= 1
    return base, bitmap


def lowest_unused_nonce(base: int, bitmap: int) -> int:
    """The smallest nonce of the window whose bit is clear (the window's
    base itself: a set low bit always slides away)."""
    offset = 0
    while bitmap >> offset & 1:
        offset += 1
    return base + offset


# --------------------------------------------------------------------------
# §11.1 Account
# --------------------------------------------------------------------------


@attrs.frozen
class Account:
    """One account.  An account that was never written reads as
    :data:`EMPTY_ACCOUNT` (everything zero, EOA, no keys), so "absent" and
    "all zero" are one state, and the state digest treats them alike.

    ``nonce`` is §11.4's window base ("low end of the 16-slot window"),
    ``nonce_bitmap`` its ``used`` bits (bit ``i`` = nonce ``nonce + i``
    used; bit 0 is never set, the window having slid past it)."""

    balance: int = 0
    nonce: int = 0
    code_hash: bytes = ZERO_HASH
    account_type: int = AccountType.EOA
    nonce_bitmap: int = 0
    auth_keys: AuthKeys = NO_AUTH_KEYS
    gas_tank: int = 0
    key_nonce: int = 0

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.balance <= U128_MAX:
            raise ValueError(f"balance {self.balance} is not a u128")
        if not 0 <= self.nonce <= U64_MAX:
            raise ValueError(f"nonce {self.nonce} is not a u64")
        if not 0 <= self.nonce_bitmap <= U16_MAX or self.nonce_bitmap & 1:
            raise ValueError(f"nonce_bitmap {self.nonce_bitmap} is not a u16 with bit 0 clear")
        if len(self.code_hash) != 32:
            raise ValueError("code_hash must be 32 bytes")
        if self.account_type not in AccountType.ALL:
            raise ValueError(f"unknown account type {self.account_type}")
        if not 0 <= self.gas_tank <= U128_MAX:
            raise ValueError(f"gas_tank {self.gas_tank} is not a u128")
        if not 0 <= self.key_nonce <= U32_MAX:
            raise ValueError(f"key_nonce {self.key_nonce} is not a u32")

    @property
    def is_contract(self) -> bool:
        """Chapter 11 §11.3: a contract account has a non-zero code hash."""
        return self.code_hash != ZERO_HASH

    def encode(self) -> bytes:
        """Borsh, the §11.1 fields in order (without ``address`` and
        ``storage_root``, with ``nonce_bitmap`` after ``nonce``): nonce u64,
        nonce_bitmap u16, balance u128, code_hash [u8; 32], account_type u8,
        auth_keys, gas_tank u128, key_nonce u32."""
        w = (Writer().u64(self.nonce).u16(self.nonce_bitmap).u128(self.balance)
             .fixed(self.code_hash, 32).u8(self.account_type))
        return self.auth_keys.encode_into(w).u128(self.gas_tank).u32(self.key_nonce).out()

    def evolve(self, **changes) -> "Account":
        return attrs.evolve(self, **changes)


EMPTY_ACCOUNT = Account()
