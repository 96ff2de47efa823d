"""The JSON documents of ``pyde-ref wave`` and ``pyde-ref chain``
(``spec/wave-format.md``, ``spec/wave.schema.json``).

A *wave document* is a pre-state, one block context and its transactions;
a *chain document* a pre-state and a list of waves, each a context and its
transactions, applied one after the other on the state the previous left.
Both may say ``"unsigned": true``: their transactions carry no signatures
and none are checked (the output says so).

:func:`parse_wave` and :func:`parse_chain` refuse anything malformed with a
:class:`~pyde_ref.executor.jsonfields.WaveFormatError` that names the field;
:func:`wave_output` and :func:`chain_output` render the results.  Output
integers that can exceed 2**53 (balances, values, fees) are decimal strings
so any JSON reader keeps them exact.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from pyde_ref.abi.env import BlockContext
from pyde_ref.executor.genesis import PreState
from pyde_ref.executor.handlers.staking import lifecycle
from pyde_ref.executor.jsonfields import (
    WaveFormatError,
    check_keys,
    hex0x,
    read_bool,
    read_bytes,
    read_int,
    read_list,
    read_object,
)
from pyde_ref.executor.parachain_json import table_write_json, wave_start_extras
from pyde_ref.executor.prestate_json import (
    STATE_SECTIONS,
    account_json,
    meta_json,
    parse_prestate,
    protocol_record_json,
    state_json,
    validator_json,
)
from pyde_ref.executor.tx_json import parse_tx, receipt_json
from pyde_ref.executor.wave import WaveInput
from pyde_ref.state.accounts import U64_MAX, U128_MAX
from pyde_ref.state.overlay import ACCOUNT, CODE, CONTRACT, PROTOCOL, STORAGE, VALIDATOR
from pyde_ref.state.system import SYSTEM_ADDRESSES

__all__ = ["WaveFormatError", "ChainDocument", "parse_wave", "parse_chain", "parse_document",
           "wave_output", "chain_output"]


@attrs.frozen
class ChainDocument:
    """A parsed wave or chain document: the pre-state, the waves, and
    whether its signatures are checked.  A wave document is a chain of one
    wave (``single``)."""

    prestate: PreState
    waves: tuple[WaveInput, ...]
    signatures_checked: bool = True
    single: bool = False


CONTEXT_FIELDS = ("chain_id", "block_height", "wave_id", "block_timestamp", "base_fee")


def parse_context(value: Any, field: str = "context") -> BlockContext:
    obj = read_object(value, field)
    check_keys(obj, field, CONTEXT_FIELDS, ("beacon",))
    numbers = {k: read_int(obj[k], f"{field}.{k}", U64_MAX) for k in CONTEXT_FIELDS[:4]}
    base_fee = read_int(obj["base_fee"], f"{field}.base_fee", U128_MAX)
    beacon = read_bytes(obj["beacon"], f"{field}.beacon", 32) if "beacon" in obj else bytes(32)
    return BlockContext(beacon=beacon, base_fee=base_fee, **numbers)


def parse_wave_body(obj: dict, field: str, signed: bool, base_dir: Optional[str]) -> WaveInput:
    """``context`` and ``txs`` of one wave at path ``field``."""
    prefix = f"{field}." if field else ""
    context = parse_context(obj["context"], f"{prefix}context")
    txs = read_list(obj["txs"], f"{prefix}txs")
    return WaveInput(context, tuple(parse_tx(tx, f"{prefix}txs[{i}]", context.chain_id, signed, base_dir)
                                    for i, tx in enumerate(txs)))


def _signed(obj: dict) -> bool:
    return not read_bool(obj.get("unsigned", False), "unsigned")


def parse_wave(document: Any, base_dir: Optional[str] = None) -> ChainDocument:
    """A wave document (``spec/wave-format.md``)."""
    obj = read_object(document, "(document)")
    check_keys(obj, "", ("context", "txs"), ("unsigned",) + STATE_SECTIONS)
    signed = _signed(obj)
    wave = parse_wave_body(obj, "", signed, base_dir)
    return ChainDocument(parse_prestate(obj, base_dir), (wave,), signed, single=True)


def parse_chain(document: Any, base_dir: Optional[str] = None) -> ChainDocument:
    """A chain document: ``waves`` is a list of ``{context, txs}`` with
    increasing ``wave_id``."""
    obj = read_object(document, "(document)")
    check_keys(obj, "", ("waves",), ("unsigned",) + STATE_SECTIONS)
    signed = _signed(obj)
    waves = []
    for i, w in enumerate(read_list(obj["waves"], "waves")):
        field = f"waves[{i}]"
        w = read_object(w, field)
        check_keys(w, field, ("context", "txs"), ())
        wave = parse_wave_body(w, field, signed, base_dir)
        if waves and wave.context.wave_id <= waves[-1].context.wave_id:
            raise WaveFormatError(f"{field}.context.wave_id",
                                  f"{wave.context.wave_id} does not follow wave {waves[-1].context.wave_id}")
        waves.append(wave)
    if not waves:
        raise WaveFormatError("waves", "a chain has at least one wave")
    return ChainDocument(parse_prestate(obj, base_dir), tuple(waves), signed)


def parse_document(document: Any, base_dir: Optional[str] = None) -> ChainDocument:
    """A wave or a chain document, told apart by its ``waves`` key."""
    if isinstance(document, dict) and "waves" in document:
        return parse_chain(document, base_dir)
    return parse_wave(document, base_dir)


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------


def write_json(write) -> dict:
    """One write of a receipt: the value in the table's post-state shape."""
    table, key, value = write.table, write.key, write.value
    if value is None:
        rendered = None
    elif table == STORAGE:
        rendered = hex0x(value)
    elif table == ACCOUNT:
        rendered = account_json(value)
        rendered["code_hash"] = hex0x(value.code_hash)
        rendered["account_type"] = value.account_type
    elif table == CONTRACT:
        rendered = meta_json(value)
    elif table == VALIDATOR:
        rendered = validator_json(value)
    elif table == PROTOCOL:
        rendered = protocol_record_json(key, value)
    elif table == CODE:
        rendered = {"code_size": len(value.wasm)}
    else:
        rendered = table_write_json(table, key, value)
    return {"table": table, "key": hex0x(key), "value": rendered}


def fees_json(receipts) -> dict:
    totals = {"total": 0, "burned": 0, "reward_pool": 0, "treasury": 0}
    for r in receipts:
        if r.fee is not None:
            for name in totals:
                totals[name] += getattr(r.fee, name)
    return {name: str(v) for name, v in totals.items()}


def wave_start_json(start) -> dict:
    rewards = None
    if start.rewards is not None:
        rewards = {"epoch": start.rewards.epoch, "amount": str(start.rewards.amount),
                   "shares": {hex0x(vid): str(q) for vid, q in start.rewards.shares}}
    return {
        "upgrades": [{"contract": hex0x(address), "wave": r.wave, "old_code_hash": hex0x(r.old_code_hash),
                      "new_code_hash": hex0x(r.new_code_hash)} for address, r in start.upgrades],
        "rewards": rewards,
        "writes": [write_json(w) for w in start.writes],
        **wave_start_extras(start),
    }


def wave_result_json(result) -> dict:
    """One wave's part of the output (everything but the post-state)."""
    return {
        "wave_id": result.wave_id,
        "wave_start": wave_start_json(result.start),
        "receipts": [receipt_json(r, write_json) for r in result.receipts],
        "fees": fees_json(result.receipts),
        "events_root": hex0x(result.events_root),
        "events_bloom": hex0x(result.events_bloom),
        "state_digest": hex0x(result.state_digest),
        "validators": {hex0x(vid): lifecycle(v, result.wave_id) for vid, v in result.state.items(VALIDATOR)},
    }


def system_accounts_json() -> dict:
    return {hex0x(address): name for address, name in SYSTEM_ADDRESSES.items()}


def wave_output(result) -> dict:
    """The output document of a wave document."""
    out = {"signatures_checked": result.signatures_checked}
    out.update(wave_result_json(result))
    out["post_state"] = state_json(result.state)
    out["system_accounts"] = system_accounts_json()
    return out


def document_output(document: ChainDocument, result) -> dict:
    """The output document of ``document`` (a wave's, or a chain's) from
    the :class:`~pyde_ref.executor.wave.ChainResult` of running it."""
    if document.single:
        return wave_output(result.waves[0])
    return chain_output(result, document.signatures_checked)


def chain_output(result, signatures_checked: bool) -> dict:
    """The output document of a chain document."""
    return {
        "signatures_checked": signatures_checked,
        "waves": [wave_result_json(w) for w in result.waves],
        "state_digest": hex0x(result.state_digest),
        "post_state": state_json(result.state),
        "system_accounts": system_accounts_json(),
    }

