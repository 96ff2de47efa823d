"""Transactions and receipts (seed §3.9, §3.9b; chapter 10 §10.1; ABI §11).

Three transaction types reach the execution layer in this reference:

==================  ==========================================================
:class:`Transfer`       native value transfer, fixed 21,000 gas, no wasm
                        (ABI §11, seed §3.9b)
:class:`ContractCall`   run one function of a deployed contract (seed §3.9b)
:class:`ContractDeploy` validate and store a module, run its constructor once
                        (seed §3.4, §3.10; ABI §3.7, §9)
==================  ==========================================================

Every transaction ends in exactly one :class:`Receipt`; nothing ends in a
Python exception.
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

from pyde_ref.state.events import Event


def _address(value: bytes) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
        raise ValueError("an address is 32 bytes")
    return bytes(value)


def _bytes(value: bytes) -> bytes:
    if not isinstance(value, (bytes, bytearray)):
        raise ValueError("expected bytes")
    return bytes(value)


def _in_range(maximum: int):
    def check(instance, attribute, value) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            raise ValueError(f"{attribute.name} must be an integer in [0, {maximum}], got {value!r}")

    return check


def _utf8_name(instance, attribute, value) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{attribute.name} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{attribute.name} is not valid UTF-8") from None


_U128 = _in_range((1 << 128) - 1)
_U64 = _in_range((1 << 64) - 1)


@attrs.frozen
class Transfer:
    """A native ``Transfer`` (ABI §11): moves ``value`` from ``sender`` to
    ``to`` for a fixed :data:`~pyde_ref.abi.constants.NATIVE_TRANSFER_GAS`."""

    sender: bytes = attrs.field(converter=_address)
    to: bytes = attrs.field(converter=_address)
    value: int = attrs.field(default=0, validator=_U128)
    gas_limit: int = attrs.field(default=0, validator=_U64)


@attrs.frozen
class ContractCall:
    """A ``ContractCall`` (seed §3.9b): ``function`` of the contract at ``to``
    with ``calldata`` and attached ``value``.  An empty ``function`` is a call
    without a selector (fallback, or receive when ``value > 0``; ABI §3.5)."""

    sender: bytes = attrs.field(converter=_address)
    to: bytes = attrs.field(converter=_address)
    function: str = attrs.field(default="", validator=_utf8_name)
    calldata: bytes = attrs.field(default=b"", converter=_bytes)
    value: int = attrs.field(default=0, validator=_U128)
    gas_limit: int = attrs.field(default=0, validator=_U64)


@attrs.frozen
class ContractDeploy:
    """A ``ContractDeploy`` (seed §3.10): ``code`` is the wasm module with its
    ``pyde.abi`` section; the constructor (if the ABI declares one) runs once
    with ``calldata`` and ``value``."""

    sender: bytes = attrs.field(converter=_address)
    code: bytes = attrs.field(default=b"", converter=_bytes)
    calldata: bytes = attrs.field(default=b"", converter=_bytes)
    value: int = attrs.field(default=0, validator=_U128)
    gas_limit: int = attrs.field(default=0, validator=_U64)


Transaction = Union[Transfer, ContractCall, ContractDeploy]


class Status:
    """The ``status`` of a receipt."""

    SUCCESS = "success"
    """The transaction ran to completion; its writes and events are kept."""
    REVERT = "revert"
    """The contract called ``pyde::revert``: writes and events discarded,
    the sender pays ``gas_used`` (seed §3.5b)."""
    TRAP = "trap"
    """Execution trapped (``trap`` names the kind): as a revert, no reason."""
    REJECTED = "rejected"
    """The transaction could not be applied at all (``error_code`` or
    ``reason`` says why): nothing changes, not even the nonce, no fee."""

    ALL = (SUCCESS, REVERT, TRAP, REJECTED)


@attrs.frozen
class StateWrite:
    """One entry of a receipt's write set: ``table`` is ``account``,
    ``code`` or ``storage`` (see :mod:`pyde_ref.state.overlay`); ``value``
    is ``None`` for a deletion."""

    table: str
    key: bytes
    value: object


@attrs.frozen
class Receipt:
    """The outcome of one transaction (issue item 6).

    ``gas_used`` is what the sender pays for at ``base_fee`` (chapter 10
    §10.1).  ``return_data`` is set on success, ``revert_reason`` on revert.
    ``error_code`` is an ABI §4 code (rejections, and dispatch failures);
    ``reason`` names a rejection in words (e.g. a deploy rejection
    ``ForbiddenImport(env.foo)``).  ``contract_address`` is the new contract
    of a successful deploy.  ``writes`` is the transaction's state write set
    (fee and nonce included), sorted; ``events`` its surviving events."""

    status: str
    gas_used: int = 0
    trap: Optional[str] = None
    error_code: Optional[int] = None
    reason: Optional[str] = None
    return_data: bytes = b""
    revert_reason: bytes = b""
    events: tuple[Event, ...] = ()
    writes: tuple[StateWrite, ...] = attrs.field(default=(), repr=False)
    contract_address: Optional[bytes] = None

    @property
    def ok(self) -> bool:
        return self.status == Status.SUCCESS
