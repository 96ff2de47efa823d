"""Writes ``spec/trace.schema.json``, the JSON Schema of one record (one line)
of an instruction trace (``spec/trace-format.md``): ``python spec/make_trace_schema.py``.

Written from this description (like ``make_wave_schema.py``) so that every
record kind is closed (all its keys required, no others) the same way, and
the format's constants come from the code that writes traces
(:mod:`pyde_ref.trace.records`).  ``tests/trace/test_trace_format.py`` checks
that the file is what this script writes and that every record of the
example traces validates.
"""

import json
import os

from pyde_ref.trace.records import FORMAT, MAX_STACK, VERSION

U = {"type": "integer", "minimum": 0}
ADDRESS = {"type": "string", "pattern": "^0x[0-9a-f]{64}$"}
HEX_BYTES = {"type": "string", "pattern": "^0x([0-9a-f]{2})*$"}
DECIMAL = {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"}
STRING = {"type": "string"}
VALUES = {"$ref": "#/$defs/values"}
FUEL = {"$ref": "#/$defs/fuel"}
GAS_PART = {"$ref": "#/$defs/gasPart"}
STATUS = {"enum": ["success", "revert", "trap", "rejected"]}


def nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def described(schema: dict, description: str) -> dict:
    return {**schema, "description": description}


def record(description: str, properties: dict, kind=None) -> dict:
    """A closed object: every property required, no other allowed; ``kind``
    is the value of its ``record`` field (an instruction has none)."""
    props = {"record": {"const": kind}} if kind is not None else {}
    props.update(properties)
    return {"description": description, "type": "object", "properties": props, "required": list(props),
            "additionalProperties": False}


RECORDS = {
    "header": record(
        "The first record: the format, and what was traced (run: one call; wave, chain: a document's waves).",
        {"format": {"const": FORMAT}, "version": {"const": VERSION}, "maxStack": {"const": MAX_STACK},
         "command": {"enum": ["run", "wave", "chain"]}}, "header"),
    "invoke": record(
        "run: the call of the exported function starts (instantiation, and its start function if any, came "
        "before).", {"func": STRING, "args": VALUES, "fuel": FUEL}, "invoke"),
    "instruction": record(
        "An instruction about to be charged and executed.  It has no record field: it is known by its op.",
        {"depth": described({**U, "minimum": 1}, "Live activations, wasm and host, those of the invocations "
                            "further out (a cross-call's callers) included."),
         "frame": described(U, "The activation's number: 0, 1, 2, ... in the order frames were pushed since "
                            "the outermost invocation began."),
         "func": described(U, "The function's index in its module's function index space (imports first)."),
         "offset": described(U, "Byte offset of the instruction's opcode from the first byte of the module "
                             "binary (module-relative)."),
         "op": described({"type": "string", "pattern": "^[a-z][a-z0-9_.]*$"}, "The spec mnemonic."),
         "fuel": FUEL,
         "cost": described(U, "What the instruction is charged.  A cost above fuel is the out_of_fuel trap: "
                           "nothing is charged."),
         "stack": described({"type": "array", "items": {"$ref": "#/$defs/value"}, "maxItems": MAX_STACK},
                            "The frame's top operand values (at most maxStack), bottom first: the last is "
                            "the top."),
         "memSize": described(U, "Size of memory 0 in bytes (0 without a memory).")}),
    "enter": record(
        "A wasm function entered (its frame pushed), its entry cost about to be charged.",
        {"depth": {**U, "minimum": 1}, "frame": U, "func": U, "fuel": FUEL, "cost": U}, "enter"),
    "host": record(
        "A host function returned or raised: the gas it charged, split as its ABI §10 row prices it "
        "(gas = base + perByte + perWord + extra), and its results or what it raised.",
        {"name": STRING, "args": VALUES, "gas": U, "base": GAS_PART, "perByte": GAS_PART, "perWord": GAS_PART,
         "extra": GAS_PART, "results": nullable(VALUES),
         "raised": nullable({"oneOf": [
             record("pyde::return or pyde::revert ended the frame (ABI §7.9); data shows at most MAX_DATA bytes.",
                    {"kind": {"enum": ["return", "revert"]}, "data": HEX_BYTES, "dataLen": U}),
             record("The host function trapped.", {"kind": {"const": "trap"}, "trap": STRING}),
             record("Anything else (a bug of the engine).", {"kind": {"const": "exception"}, "message": STRING}),
         ]})}, "host"),
    "wave": record("A wave begins.", {"wave": U}, "wave"),
    "tx": record(
        "A transaction is about to be applied.",
        {"wave": U, "index": U, "type": STRING, "from": ADDRESS, "to": ADDRESS, "value": DECIMAL, "gasLimit": U},
        "tx"),
    "txEnd": record(
        "The transaction's receipt, in brief (code: the rejection code).",
        {"wave": U, "index": U, "status": STATUS, "gasUsed": U, "txHash": nullable(ADDRESS),
         "trap": nullable(STRING), "code": nullable(STRING)}, "txEnd"),
    "frame": record(
        "A contract frame starts: a transaction's entry frame or a cross-call's callee (contract: whose frame, "
        "code: whose code runs).",
        {"callDepth": U, "kind": {"enum": ["entry", "call", "static", "delegate"]}, "contract": ADDRESS,
         "code": ADDRESS, "function": STRING, "caller": ADDRESS, "value": DECIMAL, "gasBudget": U}, "frame"),
    "frameEnd": record(
        "A contract frame ended (errorCode: the ABI §4 code of a frame refused before its code ran).",
        {"callDepth": U, "status": STATUS, "gasUsed": U, "trap": nullable(STRING),
         "errorCode": nullable({"type": "integer"})}, "frameEnd"),
    "summary": record(
        "The last record.",
        {"records": U, "instructions": U, "hostCalls": U, "fuelUsed": nullable(U),
         "outcome": {"oneOf": [
             record("run: the call returned.", {"status": {"const": "ok"}, "results": VALUES}),
             record("run: the call trapped.", {"status": {"const": "trap"}, "trap": STRING}),
             record("wave, chain: the document's waves were applied.",
                    {"status": {"const": "applied"}, "waves": U, "transactions": U, "stateDigest": ADDRESS}),
             record("The run ended otherwise (run: the status of its --json output).",
                    {"status": {"enum": ["error", "uninstantiable", "unlinkable"]}, "error": STRING}),
         ]}}, "summary"),
}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://pyde-ref/spec/trace.schema.json",
    "title": "pyde-ref instruction traces: one record (one line of a trace)",
    "description": "See spec/trace-format.md.  A trace is JSON lines: a header record, records of the kinds "
                   "below, a summary record.  Every line validates against this schema.",
    "oneOf": [{"$ref": f"#/$defs/{kind}"} for kind in RECORDS],
    "$defs": {
        "value": {
            "description": "A typed value: a number type and its bit pattern in lower-case hex, zero-padded to "
                           "the type's width (i32:0x0000002a); a reference type and null or a function address.",
            "type": "string",
            "pattern": "^(i32:0x[0-9a-f]{8}|i64:0x[0-9a-f]{16}|f32:0x[0-9a-f]{8}|f64:0x[0-9a-f]{16}"
                       "|(funcref|externref):(null|0|[1-9][0-9]*))$",
        },
        "values": {"type": "array", "items": {"$ref": "#/$defs/value"}},
        "fuel": described(nullable(U), "Fuel left in the running frame's meter; null when its budget is "
                                       "unlimited (pyde-ref run without --fuel)."),
        "gasPart": described(nullable(U), "A part of the ABI §10 split; null for a host function outside the ABI."),
        **RECORDS,
    },
}

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trace.schema.json")


def render() -> str:
    return json.dumps(schema, indent=1) + "\n"


if __name__ == "__main__":
    with open(SCHEMA_PATH, "w", encoding="utf-8") as f:
        f.write(render())
