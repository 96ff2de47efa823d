"""The trace format (``spec/trace-format.md``): one function per kind of record.

A trace is a sequence of JSON objects, one per line.  Every record but an
instruction's has a ``record`` field naming its kind; an instruction record
is recognised by its ``op``.  Keys appear in the order these functions build
them, numbers are JSON integers, byte strings and addresses ``0x``-prefixed
lower-case hex, values ``type:0xbits`` (:func:`typed_value`), and the line is
the compact JSON of the record (:func:`dumps`): the same run gives the same
bytes, whatever the machine or the Python hash seed.
"""

from __future__ import annotations

import json
from typing import Optional, Sequence

from pyde_ref.abi.gas import GasCharge
from pyde_ref.abi.halt import HaltReturn, HaltRevert
from pyde_ref.abi.env import SubcallResult
from pyde_ref.executor.transactions import Receipt, Transaction, TxType
from pyde_ref.wasm import EntryEvent, HostCallEvent, InstructionEvent, Trap
from pyde_ref.wasm.syntax import BIT_WIDTH

FORMAT = "pyde-trace"
"""The ``format`` of the header record."""

VERSION = 1
"""The ``version`` of the header record: this module writes version 1."""

MAX_STACK = 16
"""An instruction record shows at most this many operand values: the top ones."""

MAX_DATA = 1024
"""A halt's data is shown up to this many bytes (``dataLen`` gives its length)."""


class TraceError(Exception):
    """What was observed cannot be written in the format (a bug of the writer
    or of the machine; the message says which fact did not hold)."""


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def typed_value(type_: Optional[str], value) -> str:
    """``i32:0x0000002a``: a number type's bit pattern in hex, zero-padded to
    its width; a reference ``funcref:null`` or ``funcref:<address>``."""
    width = BIT_WIDTH.get(type_)
    if width is not None:
        return f"{type_}:0x{value:0{width // 4}x}"
    if type_ in ("funcref", "externref"):
        return f"{type_}:null" if value is None else f"{type_}:{value}"
    raise TraceError(f"a value of no known type ({type_!r}) on the stack")


def typed_values(types: Sequence[str], values: Sequence) -> list[str]:
    if len(types) != len(values):
        raise TraceError(f"{len(values)} values but {len(types)} types")
    return [typed_value(t, v) for t, v in zip(types, values)]


def hex_bytes(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def dumps(record: dict) -> str:
    """The line of ``record``: compact JSON, ASCII, keys in insertion order."""
    return json.dumps(record, separators=(",", ":"))


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


def header_record(command: str) -> dict:
    """The first line: which format, and what the trace is a trace of
    (``run``: one call; ``wave``, ``chain``: a document's waves)."""
    return {"record": "header", "format": FORMAT, "version": VERSION, "maxStack": MAX_STACK, "command": command}


def invoke_record(name: str, types: Sequence[str], args: Sequence[int], budget: Optional[int]) -> dict:
    """``run``: the call of export ``name`` starts (after instantiation)."""
    return {"record": "invoke", "func": name, "args": typed_values(types, args), "fuel": budget}


def instruction_record(event: InstructionEvent) -> dict:
    """An instruction about to be charged and executed (no ``record`` field)."""
    if len(event.types) != len(event.stack):
        raise TraceError(f"{len(event.stack)} operands but {len(event.types)} operand types at {event.offset}")
    values, types = event.stack[-MAX_STACK:], event.types[-MAX_STACK:]
    return {"depth": event.depth, "frame": event.frame, "func": event.func, "offset": event.offset,
            "op": event.op, "fuel": event.fuel, "cost": event.cost, "stack": typed_values(types, values),
            "memSize": event.memory_size}


def entry_record(event: EntryEvent) -> dict:
    """A wasm function entered: its entry cost about to be charged."""
    return {"record": "enter", "depth": event.depth, "frame": event.frame, "func": event.func,
            "fuel": event.fuel, "cost": event.cost}


def host_record(event: HostCallEvent, charges: Optional[Sequence[GasCharge]]) -> dict:
    """A host call that returned or raised: what it charged (``gas``, and its
    ABI §10 parts from ``charges`` when it is an ABI function) and how it ended."""
    parts: dict = {"base": None, "perByte": None, "perWord": None, "extra": None}
    if charges is not None:
        parts = {"base": sum(c.base for c in charges), "perByte": sum(c.per_byte for c in charges),
                 "perWord": sum(c.per_word for c in charges), "extra": sum(c.extra for c in charges)}
        if sum(parts.values()) != event.gas:
            raise TraceError(f"{event.name} charged {event.gas} but its charges add up to {sum(parts.values())}")
    record = {"record": "host", "name": event.name, "args": typed_values(event.type.params, event.args),
              "gas": event.gas, **parts}
    if event.error is None:
        record["results"] = typed_values(event.type.results, event.results)
        record["raised"] = None
    else:
        record["results"] = None
        record["raised"] = raised(event.error)
    return record


def raised(error: BaseException) -> dict:
    """What a host function raised instead of returning: a halt (ABI §7.9),
    a trap, or anything else (a bug, named)."""
    if isinstance(error, (HaltReturn, HaltRevert)):
        kind = "return" if isinstance(error, HaltReturn) else "revert"
        return {"kind": kind, "data": hex_bytes(error.data[:MAX_DATA]), "dataLen": len(error.data)}
    if isinstance(error, Trap):
        return {"kind": "trap", "trap": error.kind}
    return {"kind": "exception", "message": f"{type(error).__name__}: {error}"}


def wave_record(wave_id: int) -> dict:
    return {"record": "wave", "wave": wave_id}


def transaction_record(wave_id: int, index: int, tx: Transaction) -> dict:
    """A transaction of the wave about to be applied."""
    return {"record": "tx", "wave": wave_id, "index": index, "type": TxType.name_of(tx.tx_type),
            "from": hex_bytes(tx.sender), "to": hex_bytes(tx.to), "value": str(tx.value), "gasLimit": tx.gas_limit}


def transaction_end_record(wave_id: int, index: int, receipt: Receipt) -> dict:
    """The transaction's receipt, in brief."""
    return {"record": "txEnd", "wave": wave_id, "index": index, "status": receipt.status,
            "gasUsed": receipt.gas_used,
            "txHash": None if receipt.tx_hash is None else hex_bytes(receipt.tx_hash),
            "trap": receipt.trap, "code": receipt.code}


def frame_record(request) -> dict:
    """A contract frame starts (:class:`pyde_ref.executor.frames.FrameRequest`):
    ``contract`` is whose frame it is (``self_address``), ``code`` whose code
    runs (they differ in a ``delegate_call``)."""
    return {"record": "frame", "callDepth": request.depth, "kind": request.kind,
            "contract": hex_bytes(request.self_address), "code": hex_bytes(request.code_address),
            "function": request.target.name, "caller": hex_bytes(request.caller), "value": str(request.value),
            "gasBudget": request.gas_budget}


def frame_end_record(request, result: SubcallResult) -> dict:
    """The frame ended: how, and the gas its meter consumed."""
    return {"record": "frameEnd", "callDepth": request.depth, "status": result.status, "gasUsed": result.gas_used,
            "trap": result.trap, "errorCode": result.error_code}


def summary_record(records: int, instructions: int, host_calls: int, fuel_used: Optional[int],
                   outcome: dict) -> dict:
    """The last line: ``records`` before it, of which ``instructions`` and
    ``hostCalls``; the fuel the traced work used; how it ended."""
    return {"record": "summary", "records": records, "instructions": instructions, "hostCalls": host_calls,
            "fuelUsed": fuel_used, "outcome": outcome}
