"""Random whole-wave fuzzing (issue 14, item 3): ``pyde-ref fuzz --waves N``.

Wave ``i`` of a campaign with seed ``S`` is a pure function of ``(S, i)``
(a ``random.Random("pyde-wave-fuzz:S:i")``):

* **contracts** -- one to four *actors* (:mod:`.actor`: a template contract
  whose calldata is a program of host-ABI operations; each a different
  :class:`~.actor.ActorVariant`) and, in a share of the waves, contracts made
  from ``wasm-tools smith`` modules with ``pyde`` imports (:func:`contractify`:
  smith's exports replaced by ``() -> ()`` entries that call one generated
  function with fixed arguments and return the first bytes of memory);
* **pre-state** -- two to five accounts with balances from empty to rich,
  the contracts with balances and storage in the actors' slots;
* **transactions** -- one to ten: actor programs (storage, events, value
  transfers, hashing, context, bulk memory, ``memory.grow``, fuel burning,
  reverts, traps, and ``cross_call``/``cross_call_static``/``delegate_call``
  between the contracts carrying their own programs, nested), view calls,
  fallback/receive calls, calls into the smith contracts, native transfers,
  deployments, calls of unknown functions; gas limits from starved to ample,
  values sometimes on non-payable functions; in :data:`DEEP_SHARE` of the
  waves a self-recursive chain to the 1,024-frame cap.

Each wave is diffed whole (:func:`pyde_ref.diff.wave_diff.diff_wave`: receipts,
events_root, bloom, post-state) and classified like a call.  An unexplained
wave is saved under ``<save>/waves/wave-<S>-<i>/``: ``wave.json`` (the wave
document, code inline: self-contained), one ``.wasm`` per contract module
and ``verdict.json``; ``tests/diff/test_diff_regressions.py`` replays every
saved wave.
"""

from __future__ import annotations

import json
import os
import random
import struct
from typing import Iterator, Optional

import attrs

from pyde_ref.abi import section
from pyde_ref.diff import actor as ac
from pyde_ref.diff import classify as cl
from pyde_ref.diff.fuzz import count_verdict, in_workers, new_summary, random_value
from pyde_ref.diff.smith import Smith
from pyde_ref.diff.twin import DEFAULT_WASMTIME
from pyde_ref.diff.wave_diff import diff_wave
from pyde_ref.executor.deploy import DeployRejected, validate_deploy
from pyde_ref.executor.testing import function_entry
from pyde_ref.wasm.binary import HEADER, Reader, decode_module, encode_section, encode_sleb, encode_uleb

#: Share of waves with contracts made from smith modules.
SMITH_SHARE = 0.4
#: Share of waves with a self-recursive chain to the frame cap (slow: about a
#: second per backend).
DEEP_SHARE = 0.005
#: Smith settings for contract modules: a memory (deploy requires an
#: exported one), small, few instructions (each wave runs three times).
WAVE_SMITH_OVERRIDES = (("--min-memories", "1"), ("--max-memory32-bytes", str(4 * 65536)),
                        ("--export-everything", "false"), ("--max-instructions", "200"))
#: Nested CALL programs at most this deep.
MAX_PROGRAM_DEPTH = 3


def wave_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"pyde-wave-fuzz:{seed}:{index}")


def _address(rng: random.Random) -> bytes:
    return rng.randbytes(32)


def hex0x(data: bytes) -> str:
    return "0x" + bytes(data).hex()


# --------------------------------------------------------------------------
# Smith modules as contracts
# --------------------------------------------------------------------------


def _split_sections(wasm: bytes) -> list[tuple[int, bytes]]:
    """``[(id, payload)]`` of a framed module (§5.5.2)."""
    r = Reader(wasm, len(HEADER), len(wasm))
    found = []
    while not r.at_end():
        section_id = r.byte()
        size = r.u32()
        found.append((section_id, r.take(size)))
    return found


#: Position of each non-custom section id in a module (§5.5.2: data count
#: comes before code).
_SECTION_ORDER = (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11)


def _vector_append(payload: Optional[bytes], count_extra: int, extra: bytes) -> bytes:
    """A vector section's payload with ``count_extra`` entries (``extra``) appended."""
    if payload is None:
        return encode_uleb(count_extra) + extra
    r = Reader(payload, 0, len(payload))
    count = r.u32()
    return encode_uleb(count + count_extra) + payload[r.pos:] + extra


def _const(valtype: str, rng: random.Random) -> bytes:
    bits = random_value(rng, valtype)
    if valtype == "i32":
        return b"\x41" + encode_sleb(bits - (1 << 32) if bits >> 31 else bits)
    if valtype == "i64":
        return b"\x42" + encode_sleb(bits - (1 << 64) if bits >> 63 else bits)
    return (b"\x43" + struct.pack("<I", bits)) if valtype == "f32" else (b"\x44" + struct.pack("<Q", bits))


def contractify(wasm: bytes, rng: random.Random) -> Optional[tuple[bytes, list[str]]]:
    """A deployable contract made of a smith module, and its entry names;
    ``None`` when the module cannot be one (no memory, no function, deploy
    refuses it)."""
    try:
        module = decode_module(wasm)
    except Exception:
        return None
    func_imports = [imp for imp in module.imports if imp.kind == "func"]
    if not module.mems or not module.funcs:
        return None
    returner = next((i for i, imp in enumerate(func_imports) if (imp.module, imp.name) == ("pyde", "return")), None)
    first_entry = len(func_imports) + len(module.funcs)
    targets = rng.sample(range(len(module.funcs)), min(len(module.funcs), rng.randint(1, 3)))
    names, bodies = [], b""
    for slot, target in enumerate(targets):
        ftype = module.types[module.funcs[target].type_index]
        code = b"".join(_const(t, rng) for t in ftype.params)
        code += b"\x10" + encode_uleb(len(func_imports) + target) + b"\x1a" * len(ftype.results)
        if returner is not None:  # return the first 64 bytes of memory
            code += b"\x41\x00\x41\xc0\x00\x10" + encode_uleb(returner)
        body = b"\x00" + code + b"\x0b"
        bodies += encode_uleb(len(body)) + body
        names.append(f"e{slot}")
    exports = encode_uleb(1 + len(names)) + b"\x06memory\x02\x00" + b"".join(
        encode_uleb(len(n)) + n.encode() + b"\x00" + encode_uleb(first_entry + i) for i, n in enumerate(names))
    sections = dict(_split_sections(wasm))
    customs = [(sid, payload) for sid, payload in _split_sections(wasm) if sid == 0]
    sections[1] = _vector_append(sections.get(1), 1, b"\x60\x00\x00")
    entry_type = encode_uleb(len(module.types))
    sections[3] = _vector_append(sections.get(3), len(names), entry_type * len(names))
    sections[7] = exports
    sections[10] = _vector_append(sections.get(10), len(names), bodies)
    out = HEADER + b"".join(encode_section(sid, sections[sid]) for sid in _SECTION_ORDER if sid in sections)
    out += b"".join(encode_section(sid, payload) for sid, payload in customs)
    functions = [{"name": n, "attributes": ["entry"] + (["payable"] if rng.random() < 0.3 else [])}
                 for n in names]
    contract = section.embed_abi(out, section.contract_abi([function_entry(f) for f in functions]))
    try:
        validate_deploy(contract)
    except DeployRejected:
        return None
    return contract, names


_SMITHS: dict[int, object] = {}


def _smith():
    """This process's generator (one per process: a forked worker must not
    share its parent's output file)."""
    smith = _SMITHS.get(os.getpid())
    if smith is None:
        smith = _SMITHS[os.getpid()] = Smith(with_host=True, overrides=WAVE_SMITH_OVERRIDES)
    return smith


# --------------------------------------------------------------------------
# Programs
# --------------------------------------------------------------------------


@attrs.frozen
class Target:
    """A contract a program can call: its address and the names it answers."""

    address: bytes
    names: tuple[str, ...]
    actor: bool


def _u16(n: int) -> bytes:
    return (n & 0xFFFF).to_bytes(2, "little")


def _math_operand(rng: random.Random) -> bytes:
    return random_value(rng, "f64").to_bytes(8, "little")


def random_program(rng: random.Random, targets: list[Target], addresses: list[bytes], *, view: bool = False,
                   depth: int = 0, deep: int = 0) -> bytes:
    """A random actor program (``view``: only :data:`~.actor.VIEW_OPS`)."""
    parts = []
    if deep:
        parts.append(ac.op("DEEP", _u16(deep)))
    for _ in range(rng.randint(0, 7 if depth == 0 else 4)):
        name = rng.choices(
            ("SSTORE", "SLOAD", "SDELETE", "EMIT", "TRANSFER", "CALL", "BURN", "CONTEXT", "GAS", "HASH", "BULK",
             "GROW", "BALANCE", "CONSUME", "CALLDATA", "MATH", "DEEP"),
            weights=(8, 8, 2, 5, 4, 10 if depth < MAX_PROGRAM_DEPTH else 0, 3, 4, 2, 3, 3, 1, 2, 2, 1, 2, 1))[0]
        if view and name not in ac.VIEW_OPS:
            continue
        parts.append(_operation(rng, name, targets, addresses, view, depth))
    roll = rng.random()
    if roll < 0.06:
        parts.append(ac.op("REVERT"))
    elif roll < 0.10:
        parts.append(ac.op("TRAP", bytes([rng.randrange(3)])))
    return b"".join(parts)


def _operation(rng, name, targets, addresses, view, depth) -> bytes:
    if name in ("SSTORE",):
        return ac.op(name, bytes([rng.randrange(8), rng.randrange(256)]))
    if name in ("SLOAD", "SDELETE"):
        return ac.op(name, bytes([rng.randrange(8)]))
    if name == "EMIT":
        return ac.op(name, bytes([rng.randrange(256), rng.randrange(64)]))
    if name == "TRANSFER":
        return ac.op(name, rng.choice(addresses), bytes([rng.randrange(256)]))
    if name == "BALANCE":
        return ac.op(name, rng.choice(addresses))
    if name == "BURN":
        return ac.op(name, _u16(rng.choice((0, 1, 10, 100, rng.randrange(3000)))))
    if name == "CONTEXT":
        return ac.op(name, bytes([rng.randrange(10)]))
    if name == "HASH":
        return ac.op(name, bytes([rng.randrange(3), rng.randrange(80)]))
    if name == "BULK":
        return ac.op(name, bytes([rng.randrange(4)]), _u16(rng.choice((0, 3, 64, 129, 1000, rng.randrange(8192)))))
    if name == "GROW":
        return ac.op(name, bytes([rng.randrange(4)]))
    if name == "CONSUME":
        return ac.op(name, _u16(rng.randrange(2000)))
    if name == "MATH":
        return ac.op(name, _math_operand(rng), _math_operand(rng))
    if name == "DEEP":
        return ac.op(name, _u16(rng.randint(0, 6)))
    if name == "CALL":
        return _call_operation(rng, targets, addresses, view, depth)
    return ac.op(name)


def _call_operation(rng, targets, addresses, view, depth) -> bytes:
    kind = 1 if view else rng.choices((0, 1, 2), weights=(6, 2, 2))[0]
    if targets and rng.random() < 0.9:
        target = rng.choice(targets)
        address = target.address
        callee_name = rng.choice(target.names + ("", "nope"))
        if kind == 1 and target.actor and rng.random() < 0.8:
            callee_name = "peek"
    else:
        address, callee_name = rng.choice(addresses), "run"
    callee_view = kind == 1 or callee_name == "peek"
    sub = random_program(rng, targets, addresses, view=callee_view, depth=depth + 1)
    name = callee_name.encode()
    value = 0 if rng.random() < 0.8 else rng.randrange(1, 256)
    gas = rng.choices((0, rng.randrange(1, 60), 255), weights=(7, 2, 1))[0]
    return ac.op("CALL", bytes([kind]), address, bytes([len(name)]), name, bytes([value, gas]), _u16(len(sub)), sub)


# --------------------------------------------------------------------------
# Waves
# --------------------------------------------------------------------------


@attrs.frozen
class GeneratedWave:
    document: dict
    modules: tuple[bytes, ...]
    smith_contracts: int
    deep_chain: bool


def _balance(rng: random.Random) -> int:
    return rng.choice((0, rng.randrange(1, 100_000), rng.randrange(10**6, 10**9), 10**15))


def _gas(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.12:
        return rng.randrange(0, 30_000)
    if roll < 0.3:
        return rng.randrange(30_000, 300_000)
    return rng.choice((1_000_000, 3_000_000, 20_000_000))


def generate_wave(seed: int, index: int) -> GeneratedWave:
    """Wave ``index`` of campaign ``seed`` (see the module docstring)."""
    rng = wave_rng(seed, index)
    context = {"chain_id": rng.choice((1, 31337, 2**40)), "block_height": rng.randrange(1, 10**6),
               "wave_id": rng.randrange(1, 10**6), "block_timestamp": rng.randrange(1_600_000_000, 1_900_000_000),
               "base_fee": rng.choice((0, 1, 1, 2, 7)), "beacon": hex0x(rng.randbytes(32))}
    eoas = [_address(rng) for _ in range(rng.randint(2, 5))]
    accounts = {hex0x(a): {"balance": str(_balance(rng) if i else 10**15), "nonce": rng.choice((0, 0, 3))}
                for i, a in enumerate(eoas)}
    contracts: dict[str, dict] = {}
    targets: list[Target] = []
    variants = []
    modules: list[bytes] = []
    for _ in range(rng.randint(1, 4)):
        variant = ac.ActorVariant.random(rng)
        address = _address(rng)
        code = ac.build_actor(variant)
        storage = {hex0x(ac.slot_of(variant, k)): hex0x(rng.randbytes(32)) for k in range(8) if rng.random() < 0.3}
        contracts[hex0x(address)] = {"code": hex0x(code), "balance": str(_balance(rng)), "storage": storage}
        names = ("run", "peek") + (("",) if variant.fallback or variant.receive else ())
        targets.append(Target(address, names, True))
        variants.append((address, variant))
        modules.append(code)
    smith_count = 0
    if rng.random() < SMITH_SHARE:
        for _ in range(rng.randint(1, 2)):
            generated = _smith().generate(rng.randbytes(rng.randint(200, 2000)))
            made = contractify(generated, rng) if generated is not None else None
            if made is None:
                continue
            code, names = made
            address = _address(rng)
            contracts[hex0x(address)] = {"code": hex0x(code), "balance": str(_balance(rng))}
            targets.append(Target(address, tuple(names), False))
            modules.append(code)
            smith_count += 1
    addresses = eoas + [t.address for t in targets] + [bytes(32), _address(rng)]
    deep = rng.random() < DEEP_SHARE
    txs = [_transaction(rng, eoas, targets, variants, addresses) for _ in range(rng.randint(1, 10))]
    if deep:
        address, _variant = rng.choice(variants)
        txs.insert(rng.randint(0, len(txs)), {
            "type": "call", "from": hex0x(eoas[0]), "to": hex0x(address), "function": "run",
            "calldata": hex0x(ac.op("DEEP", _u16(1100))), "value": "0", "gas_limit": 200_000_000})
    # generated transactions carry no signatures (spec/wave-format.md, "unsigned")
    document = {"unsigned": True, "context": context, "accounts": accounts, "contracts": contracts, "txs": txs}
    return GeneratedWave(document, tuple(modules), smith_count, deep)


def _transaction(rng, eoas, targets, variants, addresses) -> dict:
    sender = hex0x(eoas[0] if rng.random() < 0.75 else rng.choice(eoas))  # eoas[0] is rich
    roll = rng.random()
    if roll < 0.08:
        return {"type": "transfer", "from": sender, "to": hex0x(rng.choice(addresses)),
                "value": str(rng.choice((0, 1, rng.randrange(10**6)))), "gas_limit": rng.choice((21_000, 20_999, 50_000))}
    if roll < 0.12:
        variant = ac.ActorVariant.random(rng)
        return {"type": "deploy", "from": sender, "code": hex0x(ac.build_actor(variant)),
                "calldata": hex0x(rng.randbytes(rng.randint(0, 2))), "value": "0", "gas_limit": _gas(rng)}
    target = rng.choice(targets)
    value = 0 if rng.random() < 0.8 else rng.randrange(1, 10**4)
    if not target.actor:
        function, calldata = rng.choice(target.names + ("nope",)), b""
    else:
        function = rng.choices(("run", "peek", "", "nope", "constructor"),
                               weights=(75, 12, 8 if "" in target.names else 1, 1, 1))[0]
        calldata = random_program(rng, targets, addresses, view=function == "peek")
    to = target.address if rng.random() < 0.97 else rng.choice(addresses)
    return {"type": "call", "from": sender, "to": hex0x(to), "function": function, "calldata": hex0x(calldata),
            "value": str(value), "gas_limit": _gas(rng)}


# --------------------------------------------------------------------------
# The campaign
# --------------------------------------------------------------------------


@attrs.frozen
class WaveReport:
    index: int
    category: str
    hazard: Optional[str]
    txs: int
    smith_contracts: int
    deep_chain: bool
    #: only for an unexplained wave: what to save
    saved: Optional[dict] = None


def run_wave_case(seed: int, index: int, wasmtime: str = DEFAULT_WASMTIME, tier: str = "fast") -> WaveReport:
    """Generate and diff wave ``index`` of campaign ``seed`` (the reference's
    ``spec`` run on the execution tier ``tier``)."""
    wave = generate_wave(seed, index)
    verdict, _outputs = diff_wave(wave.document, None, wasmtime, tier)
    saved = None
    if verdict.category == cl.UNEXPLAINED:
        saved = {"document": wave.document, "modules": [m.hex() for m in wave.modules],
                 "verdict": dict(verdict.to_json(), wasmtime=wasmtime, seed=seed, wave=index)}
    return WaveReport(index, verdict.category, verdict.hazard, len(wave.document["txs"]), wave.smith_contracts,
                      wave.deep_chain, saved)


def _run_wave_job(job: tuple[int, int, str, str]) -> WaveReport:
    return run_wave_case(*job)


def run_waves(seed: int, waves: int, jobs: int = 1, wasmtime: str = DEFAULT_WASMTIME,
              tier: str = "fast") -> Iterator[WaveReport]:
    yield from in_workers(_run_wave_job, [(seed, i, wasmtime, tier) for i in range(waves)], jobs)


def save_wave(directory: str, name: str, saved: dict) -> str:
    """Save an unexplained wave: ``wave.json``, its modules, ``verdict.json``."""
    path = os.path.join(directory, "waves", name)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "wave.json"), "w") as f:
        json.dump(saved["document"], f, indent=1, sort_keys=True)
        f.write("\n")
    for i, module in enumerate(saved["modules"]):
        with open(os.path.join(path, f"module-{i}.wasm"), "wb") as f:
            f.write(bytes.fromhex(module))
    with open(os.path.join(path, "verdict.json"), "w") as f:
        json.dump(saved["verdict"], f, indent=1, sort_keys=True)
        f.write("\n")
    return path


#: Unexplained waves saved per campaign at most.
MAX_SAVED = 5


def campaign(seed: int, waves: int, *, jobs: int = 1, save_dir: Optional[str] = None, progress=None,
             wasmtime: str = DEFAULT_WASMTIME, tier: str = "fast") -> dict:
    """Run a wave campaign and return its summary (``--json`` of
    ``pyde-ref fuzz --waves``).  ``KeyboardInterrupt`` ends it early with
    ``"interrupted": true``."""
    summary = dict(new_summary(seed, wasmtime), waves=0, txs=0, smith_contracts=0, deep_chains=0)
    reports = run_waves(seed, waves, jobs, wasmtime, tier)
    try:
        for report in reports:
            summary["waves"] += 1
            summary["txs"] += report.txs
            summary["smith_contracts"] += report.smith_contracts
            summary["deep_chains"] += report.deep_chain
            count_verdict(summary, report.category, report.hazard)
            if report.saved is not None:
                entry = {"wave": report.index, "verdict": report.saved["verdict"]["category"]}
                if save_dir is not None and len(summary["regressions"]) < MAX_SAVED:
                    entry["saved"] = save_wave(save_dir, f"wave-{seed}-{report.index}", report.saved)
                summary["regressions"].append(entry)
            if progress is not None:
                progress(report, summary)
    except KeyboardInterrupt:
        summary["interrupted"] = True
        reports.close()
    summary["hazards"] = dict(sorted(summary["hazards"].items()))
    return summary
