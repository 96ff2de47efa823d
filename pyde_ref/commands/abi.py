"""``pyde-ref abi``: work with the ``pyde.abi`` custom section (ABI §3.7).

``pyde-ref abi embed MODULE ABI.json -o OUT.wasm``
    Write the ABI described by ``ABI.json`` into ``MODULE`` (``.wasm``, or
    ``.wat`` converted with ``wasm-tools``) as its ``pyde.abi`` section,
    replacing any existing one -- what ``otigen build`` does -- and, unless
    ``--no-check``, run the deploy validation on the result so that a module
    the chain would refuse is reported at once (exit 1) instead of at deploy.
``pyde-ref abi show MODULE [--json]``
    Print the module's ``pyde.abi`` section.
``pyde-ref abi check MODULE``
    Run the deploy validation (``pyde_ref.executor.deploy``) and print
    ``ok`` or the ``DeployRejected`` reason.

Both check a module as what its ``pyde.abi`` section declares: a contract as
a deploy would, a parachain (``contract_type`` ``parachain``) as a
parachain registration would (``deploy.validate_any``).

Exit status: 0 on success, 1 when the module is refused, 2 on bad input
(unreadable file, malformed JSON, malformed ABI JSON).

The JSON form of an ABI (:func:`abi_from_json`, :func:`abi_to_json`) is this
command's input and output format: ::

    {"version": "1.0" | 65536 (optional, default 1.0),
     "contract_type": "contract" | "parachain" (optional),
     "state_schema_hash": "0x..32 bytes" (optional, default zeros),
     "functions": [{"name": "transfer",
                    "attributes": ["entry", "payable", ...],
                    "access_list": ["0x<1..32-byte slot prefix>", ...]}]}
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pyde_ref.abi.constants import ATTRIBUTE_BITS
from pyde_ref.abi.section import (
    AbiRejected,
    ContractAbi,
    ContractType,
    contract_abi,
    embed_abi,
    function_abi,
    read_abi,
)
from pyde_ref.executor.deploy import DeployRejected, validate_any
from pyde_ref.executor.jsonfields import JsonDocumentError, load_json, read_error
from pyde_ref.executor.params import MAX_MODULE_SIZE
from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import WasmError
from pyde_ref.wasm.text import load_module_bytes

CONTRACT_TYPE_NAMES = {kind.name.lower(): kind for kind in ContractType}
"""The JSON names of ``ContractType`` (``"contract"``, ``"parachain"``)."""


class AbiJsonError(ValueError):
    """The ABI JSON is malformed; the message names the field."""


def _field(obj: dict, key: str, where: str, kind: type, default: Any = ...) -> Any:
    if key not in obj:
        if default is ...:
            raise AbiJsonError(f"{where}.{key}: missing")
        return default
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise AbiJsonError(f"{where}.{key}: expected {kind.__name__}, got {type(value).__name__}")
    return value


HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

ABI_KEYS = frozenset({"version", "contract_type", "state_schema_hash", "functions",
                      "constructor_index", "fallback_index", "receive_index"})
"""The keys of the JSON form (``spec/abi.schema.json``); the three indexes
are what ``abi show --json`` prints and are recomputed, never trusted."""

FUNCTION_KEYS = frozenset({"name", "attributes", "access_list", "selector"})
"""The keys of a function entry (``selector`` is printed by ``abi show
--json`` and recomputed as Blake3(name)[..4])."""


def _hex_bytes(text: str, where: str) -> bytes:
    """``0x`` then pairs of hex digits, nothing else (no spaces, no sign)."""
    if not isinstance(text, str) or not text.startswith("0x"):
        raise AbiJsonError(f"{where}: expected a 0x-hex string")
    digits = text[2:]
    if len(digits) % 2 or not set(digits) <= HEX_DIGITS:
        raise AbiJsonError(f"{where}: not valid hex (pairs of 0-9a-f after 0x)")
    return bytes.fromhex(digits)


def _no_unknown_keys(obj: dict, allowed: frozenset, where: str) -> None:
    """A misspelt key (``"atributes"``) would silently mean "absent": refuse it."""
    unknown = sorted(str(key) for key in obj if key not in allowed)
    if unknown:
        raise AbiJsonError(f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _version_from_json(version: Any) -> int:
    """``"MAJOR.MINOR"`` (each 0..65535) or the packed u32 (ABI §2.1)."""
    problem = "abi.version: expected \"MAJOR.MINOR\" (0..65535 each) or an integer in 0..2**32-1"
    if isinstance(version, str):
        parts = version.split(".")
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
            raise AbiJsonError(problem)
        major, minor = int(parts[0]), int(parts[1])
        if major > 0xFFFF or minor > 0xFFFF:
            raise AbiJsonError(problem)
        return (major << 16) | minor
    if isinstance(version, int) and not isinstance(version, bool) and 0 <= version <= 0xFFFF_FFFF:
        return version
    raise AbiJsonError(problem)


def abi_from_json(obj: Any) -> ContractAbi:
    """Build a :class:`~pyde_ref.abi.section.ContractAbi` from its JSON form
    (module docstring).  Selectors are computed (Blake3 of the name); the
    constructor, fallback and receive indexes are those of the functions
    carrying the attribute (:func:`~pyde_ref.abi.section.contract_abi`).  The
    result is *not* validated: deploy does that."""
    if not isinstance(obj, dict):
        raise AbiJsonError("abi: expected a JSON object")
    _no_unknown_keys(obj, ABI_KEYS, "abi")
    version = _version_from_json(obj.get("version", "1.0"))
    ctype_name = _field(obj, "contract_type", "abi", str, "contract")
    if ctype_name not in CONTRACT_TYPE_NAMES:
        raise AbiJsonError(f"abi.contract_type: must be one of {sorted(CONTRACT_TYPE_NAMES)}")
    schema = _hex_bytes(_field(obj, "state_schema_hash", "abi", str, "0x" + "00" * 32),
                        "abi.state_schema_hash")
    if len(schema) != 32:
        raise AbiJsonError("abi.state_schema_hash: must be 32 bytes")
    functions = []
    for i, fobj in enumerate(_field(obj, "functions", "abi", list)):
        where = f"abi.functions[{i}]"
        if not isinstance(fobj, dict):
            raise AbiJsonError(f"{where}: expected an object")
        _no_unknown_keys(fobj, FUNCTION_KEYS, where)
        name = _field(fobj, "name", where, str)
        bits = 0
        for j, attr in enumerate(_field(fobj, "attributes", where, list, [])):
            if not isinstance(attr, str) or attr not in ATTRIBUTE_BITS:
                raise AbiJsonError(f"{where}.attributes[{j}]: unknown attribute {attr!r}")
            bits |= ATTRIBUTE_BITS[attr]
        prefixes = [_hex_bytes(p, f"{where}.access_list[{j}]")
                    for j, p in enumerate(_field(fobj, "access_list", where, list, []))]
        functions.append(function_abi(name, bits, prefixes))
    return contract_abi(functions, CONTRACT_TYPE_NAMES[ctype_name], version, schema)


def abi_to_json(abi: ContractAbi) -> dict:
    """The JSON form of ``abi`` (selectors and indexes included, for display)."""
    return {
        "version": f"{abi.pyde_abi_version >> 16}.{abi.pyde_abi_version & 0xFFFF}",
        "contract_type": abi.contract_type.name.lower(),
        "state_schema_hash": "0x" + abi.state_schema_hash.hex(),
        "functions": [
            {
                "name": f.name,
                "selector": "0x" + f.selector.hex(),
                "attributes": f.attribute_names,
                "access_list": ["0x" + e.slot_prefix.hex() for e in f.access_list],
            }
            for f in abi.functions
        ],
        "constructor_index": abi.constructor_index,
        "fallback_index": abi.fallback_index,
        "receive_index": abi.receive_index,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="abi_command", metavar="ACTION", required=True)
    embed = sub.add_parser("embed", help="write a pyde.abi section into a module")
    embed.add_argument("module", help="the module (.wasm or .wat)")
    embed.add_argument("abi", help="the ABI as JSON (see spec/abi/03-dispatch-and-cache.md)")
    embed.add_argument("-o", "--output", required=True, help="where to write the module")
    embed.add_argument("--no-check", action="store_true", help="skip the deploy validation")
    show = sub.add_parser("show", help="print a module's pyde.abi section")
    show.add_argument("module")
    show.add_argument("--json", action="store_true", help="print JSON")
    check = sub.add_parser("check", help="run the deploy validation on a module")
    check.add_argument("module")


def _fail(message: str, status: int = 2) -> int:
    print(f"pyde-ref abi: {message}", file=sys.stderr)
    return status


class _Unreadable(Exception):
    """A file the command cannot read (the message is the one line to print)."""


def _read_module(path: str) -> bytes:
    """The module at ``path`` (binary or text format, at most ``MAX_MODULE_SIZE`` bytes)."""
    try:
        return load_module_bytes(path, MAX_MODULE_SIZE)
    except OSError as exc:
        raise _Unreadable(read_error(path, exc)) from None
    except WasmError as exc:
        raise _Unreadable(str(exc)) from None


def _embed(args) -> int:
    try:
        module_bytes = _read_module(args.module)
        abi_obj = load_json(args.abi)
    except _Unreadable as exc:
        return _fail(str(exc))
    except (OSError, JsonDocumentError) as exc:
        return _fail(read_error(args.abi, exc))
    try:
        abi = abi_from_json(abi_obj)
        out = embed_abi(module_bytes, abi)
    except ValueError as exc:  # AbiJsonError, or bytes that are not a module
        return _fail(str(exc))
    if not args.no_check:
        try:
            validate_any(out)  # a parachain module as its registration checks it
        except DeployRejected as exc:
            return _fail(f"the module would be refused at deploy (or registration): {exc}", 1)
    try:
        with open(args.output, "wb") as f:
            f.write(out)
    except OSError as exc:
        return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    return 0


def _show(args) -> int:
    try:
        abi = read_abi(decode_module(_read_module(args.module)))
    except (_Unreadable, WasmError) as exc:
        return _fail(str(exc))
    except AbiRejected as exc:
        return _fail(f"{args.module}: {exc}", 1)
    obj = abi_to_json(abi)
    if args.json:
        print(json.dumps(obj, indent=2))
        return 0
    print(f"pyde.abi v{obj['version']} {obj['contract_type']}")
    for fn in obj["functions"]:
        extra = f" access_list={fn['access_list']}" if fn["access_list"] else ""
        print(f"  {fn['name']:24} {fn['selector']}  {' '.join(fn['attributes'])}{extra}")
    return 0


def _check(args) -> int:
    try:
        data = _read_module(args.module)
    except _Unreadable as exc:
        return _fail(str(exc))
    try:
        validate_any(data)
    except DeployRejected as exc:
        print(str(exc))
        return 1
    print("ok")
    return 0


def main(args) -> int:
    return {"embed": _embed, "show": _show, "check": _check}[args.abi_command](args)
