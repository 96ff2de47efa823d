"""One contract call as a wave document (issue 15, item 4; issue 14, item 5).

``pyde-ref diff --contract MODULE.wasm --function NAME --calldata 0x...``
lets a contract author diff one real entry call, with the host functions,
calldata, value, gas and a pre-state, without writing a wave document: this
module writes the document (``spec/wave-format.md``) and
:func:`pyde_ref.diff.wave_diff.diff_wave` diffs it like any other wave.

The wave: the module installed at ``address`` as a genesis contract (the
same deploy validation as a deployment; its constructor does not run) with
``balance`` and ``storage``; the sender an account holding
:data:`SENDER_BALANCE`; then one ``call`` transaction per ``before`` entry
(e.g. ``initialize``, then ``mint`` with its calldata) and last the call
under test.  A ``state`` document (the ``context``, ``accounts`` and
``contracts`` of a wave document) adds other accounts and contracts, e.g. a
token the contract under test cross-calls.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import attrs

from pyde_ref.executor.jsonfields import WaveFormatError, read_bytes
from pyde_ref.executor.prestate_json import STATE_SECTIONS

#: The block context unless ``state`` gives one (any fixed values do).
DEFAULT_CONTEXT = {"chain_id": 31337, "block_height": 1, "wave_id": 1, "block_timestamp": 1_700_000_000,
                   "base_fee": 1}
#: Who sends the calls, and where the contract lives, unless told otherwise.
DEFAULT_SENDER = "0x" + "a1" * 32
DEFAULT_ADDRESS = "0x" + "c0" * 32
#: The sender's balance when ``state`` does not list it: enough for any fee
#: and value a call can ask for.
SENDER_BALANCE = 10**30
DEFAULT_GAS = 10_000_000


class ContractCallError(ValueError):
    """The call cannot be described (the message names the option)."""


@attrs.frozen
class Call:
    """One call: the function name and its calldata (bytes)."""

    function: str
    calldata: bytes = b""


def parse_call(text: str, option: str) -> Call:
    """``NAME`` or ``NAME:0xHEX`` (the form of ``--before``)."""
    name, _, data = text.partition(":")
    if not name:
        raise ContractCallError(f"{option}: expected NAME or NAME:0xCALLDATA, got {text!r}")
    return Call(name, parse_hex(data, option) if data else b"")


def parse_hex(text: str, option: str) -> bytes:
    """``0x`` + an even number of hex digits (``0x`` alone is empty)."""
    if not text.startswith("0x"):
        raise ContractCallError(f"{option}: expected 0x followed by hex digits, got {text[:50]!r}")
    try:  # the documents' reader: hex digits only (no whitespace, which bytes.fromhex skips), evenly many
        return read_bytes(text, option)
    except WaveFormatError as e:
        raise ContractCallError(f"{e}: {text[:50]!r}") from None


def parse_storage(text: str) -> tuple[str, str]:
    """``0xSLOT=0xVALUE`` (``--storage``), slot of 32 bytes."""
    slot, sep, value = text.partition("=")
    if not sep:
        raise ContractCallError(f"--storage: expected 0xSLOT=0xVALUE, got {text!r}")
    if len(parse_hex(slot, "--storage")) != 32:
        raise ContractCallError(f"--storage: a slot is 32 bytes, got {slot!r}")
    parse_hex(value, "--storage")
    return slot, value


def contract_call_wave(code: bytes, call: Call, *, value: int = 0, gas: int = DEFAULT_GAS,
                       sender: str = DEFAULT_SENDER, address: str = DEFAULT_ADDRESS, balance: int = 0,
                       storage: Sequence[tuple[str, str]] = (), before: Sequence[Call] = (),
                       state: Optional[dict] = None) -> dict:
    """The wave document of the module docstring.  ``state`` is read as a
    wave document without transactions; the wave format's own reader checks
    every field when the document runs."""
    state = dict(state or {})
    unknown = set(state) - {"context", "unsigned", *STATE_SECTIONS}
    if unknown:
        raise ContractCallError(f"--state: unknown field(s) {sorted(unknown)} "
                                f"(a state document has context, {', '.join(STATE_SECTIONS)})")
    accounts: dict[str, Any] = dict(state.get("accounts") or {})
    contracts: dict[str, Any] = dict(state.get("contracts") or {})
    if address in contracts or address in accounts:
        raise ContractCallError(f"--address {address} is already in the --state document")
    contracts[address] = {"code": "0x" + bytes(code).hex(), "balance": str(balance),
                          "storage": dict(storage)}
    accounts.setdefault(sender, {"balance": str(SENDER_BALANCE)})
    txs = [{"type": "call", "from": sender, "to": address, "function": c.function,
            "calldata": "0x" + c.calldata.hex(), "gas_limit": gas} for c in before]
    txs.append({"type": "call", "from": sender, "to": address, "function": call.function,
                "calldata": "0x" + call.calldata.hex(), "value": str(value), "gas_limit": gas})
    return {"unsigned": True, "context": state.get("context") or dict(DEFAULT_CONTEXT), "accounts": accounts,
            "contracts": contracts, "txs": txs}
