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

Exit status: 0 on success, 1 when the module is refused, 2 on bad input
(unreadable file, malformed JSON, malformed ABI JSON).
"""

from __future__ import annotations

import argparse
import json
import sys


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


def _load_module(path: str) -> bytes:
    from pyde_ref.wasm.text import load_module_bytes

    return load_module_bytes(path)


def _embed(args) -> int:
    from pyde_ref.abi import section
    from pyde_ref.executor.deploy import DeployRejected, validate_deploy
    from pyde_ref.wasm.errors import WasmError

    try:
        module_bytes = _load_module(args.module)
        with open(args.abi, encoding="utf-8") as f:
            abi_obj = json.load(f)
    except (OSError, WasmError) as exc:
        return _fail(str(exc))
    except json.JSONDecodeError as exc:
        return _fail(f"{args.abi}: not JSON ({exc})")
    try:
        abi = section.abi_from_json(abi_obj)
        out = section.embed_abi(module_bytes, abi)
    except ValueError as exc:  # AbiJsonError, or bytes that are not a module
        return _fail(str(exc))
    if not args.no_check:
        try:
            validate_deploy(out)
        except DeployRejected as exc:
            return _fail(f"the module would be refused at deploy: {exc}", 1)
    try:
        with open(args.output, "wb") as f:
            f.write(out)
    except OSError as exc:
        return _fail(str(exc))
    return 0


def _read_section(path: str):
    from pyde_ref.abi import section
    from pyde_ref.wasm.binary import decode_module

    module = decode_module(_load_module(path))
    return section.read_abi(module)


def _show(args) -> int:
    from pyde_ref.abi import section
    from pyde_ref.wasm.errors import WasmError

    try:
        abi = _read_section(args.module)
    except (OSError, WasmError) as exc:
        return _fail(str(exc))
    except section.AbiRejected as exc:
        return _fail(f"{args.module}: {exc}", 1)
    obj = section.abi_to_json(abi)
    if args.json:
        print(json.dumps(obj, indent=2))
        return 0
    print(f"pyde.abi v{obj['version']} {obj['contract_type']}")
    for fn in obj["functions"]:
        extra = f" access_list={fn['access_list']}" if fn["access_list"] else ""
        print(f"  {fn['name']:24} {fn['selector']}  {' '.join(fn['attributes'])}{extra}")
    return 0


def _check(args) -> int:
    from pyde_ref.executor.deploy import DeployRejected, validate_deploy
    from pyde_ref.wasm.errors import WasmError

    try:
        data = _load_module(args.module)
    except (OSError, WasmError) as exc:
        return _fail(str(exc))
    try:
        validate_deploy(data)
    except DeployRejected as exc:
        print(str(exc))
        return 1
    print("ok")
    return 0


def main(args) -> int:
    return {"embed": _embed, "show": _show, "check": _check}[args.abi_command](args)
