"""Gas per second of the work gas is supposed to bound (issue 10 item 4).

Usage::

    python benchmarks/gas_rate.py [--tier fast|reading] [--cases loop,locals,...] [--scale N]

Each case is a contract transaction run by the executor (the ``spec`` fuel
model, gas = fuel 1:1, ABI §5) chosen to make the reference do as much work
as it can per unit of gas in one way: a function with 50,000 locals called
in a loop, Poseidon2 over a large input, bulk memory operations, cheap host
calls, deep wasm recursion, 1,024 nested cross-calls, sequential cross-calls
into the largest module a deploy admits (instantiation), and so on.  For
each the script prints the gas used, the CPU time (``time.process_time``)
and gas per second, and the ratio of the plain loop's gas per second to the
case's (how many times slower per unit of gas it is than a counting loop,
measured in the same run).  The last line states the worst ratio; the
check fails (exit status 1) when it exceeds :data:`TARGET_RATIO`.

``cross_call_static`` is not a case: ABI §7.8 makes a view sub-call's work
free for the caller (50 gas dispatch, up to ``VIEW_FUEL_CAP`` fuel of work),
so no engine can bound its time by the caller's gas; see
``spec/findings/gas-and-work.md``.

The gaps of the ABI's gas table are printed after the cases, outside the
check: ``parachain_storage_read`` and ``parachain_storage_delete`` (ABI
§8.1) cost a flat 250 gas whatever the key's length, yet their slot is the
Poseidon2 hash of the key (PARACHAIN_DESIGN §5, PIP-0002), so their work
grows with a key no gas prices.  They are timed at the host boundary
(:func:`measure_gap`: the host function on a parachain frame's
environment, a key of :data:`GAP_KEY_BYTES`); no engine can make them fit
a bounded factor without a price for the key (the findings page).

Figures are for scale only (CPU time on a shared machine); no test depends on them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pyde_ref.abi.constants import MAX_CROSS_CALL_DEPTH  # noqa: E402
from pyde_ref.abi.registry import HOST_FUNCTIONS, call_host  # noqa: E402
from pyde_ref.abi.testing import make_env  # noqa: E402
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor  # noqa: E402
from pyde_ref.executor.params import MAX_TX_SIZE  # noqa: E402
from pyde_ref.executor.testing import Chain, address, build_contract, import_lines  # noqa: E402

TARGET_RATIO = 10.0
"""Issue 10: no case may be more than 10 times slower per unit of gas than a plain loop."""

SENDER = address(1)
CONTRACT = address(0xBE7C)
GAS = 50_000_000


def entry_wat(name: str, body: str, imports=(), memory: int = 1, extra: str = "") -> str:
    """A contract with one entry ``name`` reading a u32 ``n`` from calldata into ``$n``."""
    needed = sorted({"calldata_copy", *imports})
    return f"""(module
{import_lines(needed)}
  (memory (export "memory") {memory})
{extra}
  (func (export "{name}") (local $n i32) (local $i i32) (local $t i64)
    (drop (call $calldata_copy (i32.const 0) (i32.const 4) (i32.const 0)))
    (local.set $n (i32.load (i32.const 0)))
{body}))"""


def loop_body(inner: str) -> str:
    """``inner`` run ``$n`` times."""
    return f"""    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
{inner}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))"""


def case_loop():
    return entry_wat("run", loop_body("")), 2_000_000


def case_locals():
    """A function declaring 50,000 locals (wasmparser's limit), called in a loop: 2 fuel a call."""
    extra = "  (func $wide " + "(local i64) " * 50_000 + ")"
    return entry_wat("run", loop_body("      (call $wide)"), extra=extra), 20_000


def case_poseidon2():
    """``hash_poseidon2`` of 64 KiB, repeatedly (100 + 30 gas per 32-byte word)."""
    return entry_wat("run", loop_body("      (drop (call $hash_poseidon2 (i32.const 64) (i32.const 65536) (i32.const 8)))"),
                     imports=["hash_poseidon2"], memory=2), 4


def case_keccak():
    return entry_wat("run", loop_body("      (drop (call $hash_keccak256 (i32.const 64) (i32.const 65536) (i32.const 8)))"),
                     imports=["hash_keccak256"], memory=2), 200


def case_blake3():
    return entry_wat("run", loop_body("      (drop (call $hash_blake3 (i32.const 64) (i32.const 65536) (i32.const 8)))"),
                     imports=["hash_blake3"], memory=2), 200


def case_fill():
    """``memory.fill`` of 64 MiB (1 + 1 gas per byte)."""
    return entry_wat("run", loop_body("      (memory.fill (i32.const 0) (local.get $i) (i32.const 67108864))"),
                     memory=1024), 3


def case_copy():
    return entry_wat("run", loop_body("      (memory.copy (i32.const 1) (i32.const 0) (i32.const 67108863))"),
                     memory=1024), 3


def case_grow():
    """``memory.grow`` one page at a time to the 64 MiB cap (1 + 1 gas per page)."""
    return entry_wat("run", loop_body("      (drop (memory.grow (i32.const 1)))")), 200_000


def case_cheap_host():
    """The cheapest host function (2 gas) in a loop: the host-call path's own cost."""
    return entry_wat("run", loop_body("      (drop (call $wave_id))"), imports=["wave_id"]), 100_000


def case_caller():
    """``caller`` (5 gas, writes 32 bytes) in a loop."""
    return entry_wat("run", loop_body("      (drop (call $caller (i32.const 64)))"), imports=["caller"]), 100_000


def case_recursion():
    """wasm recursion 9,000 deep (the activation limit is 10,000), repeatedly."""
    extra = """  (func $down (param $k i32)
    (if (local.get $k) (then (call $down (i32.sub (local.get $k) (i32.const 1))))))"""
    return entry_wat("run", loop_body("      (call $down (i32.const 9000))"), extra=extra), 20


def self_call_wat(name: str, memory: int = 1) -> str:
    """``name(n)``: cross-calls itself with ``n - 1`` until 0 (reentrant)."""
    return f"""(module
{import_lines(["calldata_copy", "self_address", "cross_call", "tx_gas_remaining", "return"])}
  (memory (export "memory") {memory})
  (data (i32.const 64) "{name}")
  (func (export "{name}") (local $n i32)
    (drop (call $calldata_copy (i32.const 0) (i32.const 4) (i32.const 200)))
    (local.set $n (i32.load (i32.const 200)))
    (if (i32.eqz (local.get $n)) (then (call $return (i32.const 300) (i32.const 0))))
    (i32.store (i32.const 200) (i32.sub (local.get $n) (i32.const 1)))
    (drop (call $self_address (i32.const 0)))
    (drop (call $cross_call (i32.const 0) (i32.const 64) (i32.const {len(name)}) (i32.const 200) (i32.const 4)
      (i32.const 100) (i64.sub (call $tx_gas_remaining) (i64.const 3000)) (i32.const 304) (i32.const 400)))
    (call $return (i32.const 300) (i32.const 0))))"""


def case_nested_calls():
    """1,024 nested cross-calls (ABI §13.4's limit) of a contract with 64 MiB of memory."""
    return self_call_wat("run", memory=1024), MAX_CROSS_CALL_DEPTH - 1


def padded_callee(kind: str, budget: int) -> str:
    """A callee module of about ``budget`` bytes, padded with ``kind``: the
    most instantiation work a deployable module can ask for."""
    if kind == "functions":
        pad = "\n".join("  (func)" for _ in range(budget // 4))
    elif kind == "globals":
        pad = "\n".join("  (global i32 (i32.const 0))" for _ in range(budget // 5))
    elif kind == "elems":
        pad = "  (table 1 funcref)\n" + "\n".join("  (elem (i32.const 0) $ret)" for _ in range(budget // 6))
    elif kind == "datas":
        pad = "\n".join(f"  (data (i32.const {i % 65536}) \"x\")" for i in range(budget // 6))
    elif kind == "exports":
        pad = "\n".join(f"  (global (export \"{i:x}\") i32 (i32.const 0))" for i in range(budget // 10))
    else:
        raise ValueError(kind)
    return f"""(module
{import_lines(["return"])}
  (memory (export "memory") 1)
  (func $ret (export "ret") (call $return (i32.const 0) (i32.const 0)))
{pad})"""


def case_instantiation(kind: str):
    def build():
        caller = entry_wat("run", loop_body("""      (drop (call $cross_call (i32.const 32) (i32.const 8) (i32.const 3) (i32.const 0) (i32.const 0)
        (i32.const 100) (i64.const 1000000) (i32.const 200) (i32.const 204)))"""),
                           imports=["cross_call"], extra=f'  (data (i32.const 32) "{_hex32(CALLEE)}")\n'
                                                         '  (data (i32.const 8) "ret")')
        return caller, 300
    return build


CALLEE = address(0xCA11EE)


def _hex32(data: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in data)


CASES = {
    "loop": case_loop,
    "locals": case_locals,
    "poseidon2": case_poseidon2,
    "keccak256": case_keccak,
    "blake3": case_blake3,
    "memory.fill": case_fill,
    "memory.copy": case_copy,
    "memory.grow": case_grow,
    "host call": case_cheap_host,
    "caller": case_caller,
    "recursion": case_recursion,
    "nested cross-calls": case_nested_calls,
    **{f"instantiate {kind}": case_instantiation(kind) for kind in ("functions", "globals", "elems", "datas",
                                                                    "exports")},
}


GAP_KEY_BYTES = 4096
"""The key of the gap cases: 4 KiB (a parachain frame's memory holds keys up to 64 MiB)."""


class _ParachainFrame:
    """The parachain frame a gap case's host call sees."""

    parachain_id = address(0xFA7A)
    version = 0
    entry_function = "run"

    def has_function(self, name: str) -> bool:
        return False

    def next_encryption_index(self) -> int:
        return 0


GAPS = {
    # name: (host function, its arguments: key at 64, a value buffer at 8192 with its capacity at 4)
    "parachain_storage_read": ("parachain_storage_read", (64, GAP_KEY_BYTES, 8192, 4)),
    "parachain_storage_delete": ("parachain_storage_delete", (64, GAP_KEY_BYTES)),
}


def measure_gap(name: str, repeats: int = 20) -> tuple[int, float]:
    """Gas and CPU time of ``repeats`` calls of a gap's host function."""
    function, args = GAPS[name]
    env = make_env(gas=None, is_parachain=True, parachain=_ParachainFrame())
    env.memory.data[64:64 + GAP_KEY_BYTES] = bytes(range(256)) * (GAP_KEY_BYTES // 256)
    start = time.process_time()
    for _ in range(repeats):
        call_host(HOST_FUNCTIONS[function], env, list(args))
    return env.gas.consumed, time.process_time() - start


def measure(name: str, tier: str, scale: float) -> tuple[int, float]:
    wat, n = CASES[name]()
    n = max(1, int(n * scale)) if name != "nested cross-calls" else n
    chain = Chain(executor=WasmExecutor(ExecutorConfig(tier=tier)))
    chain.fund(SENDER, 10 ** 18)
    chain.install(CONTRACT, build_contract(wat, ["run:reentrant"]))
    if name.startswith("instantiate "):
        callee = build_contract(padded_callee(name.split()[1], MAX_TX_SIZE - 8 * 1024), ["ret"])
        chain.install(CALLEE, callee)
    chain.call(SENDER, CONTRACT, "run", (1).to_bytes(4, "little"), gas_limit=GAS * 20)  # warm the module cache
    start = time.process_time()
    receipt = chain.call(SENDER, CONTRACT, "run", n.to_bytes(4, "little"), gas_limit=GAS * 20)
    elapsed = time.process_time() - start
    if receipt.status != "success":
        raise SystemExit(f"{name}: {receipt}")
    return receipt.gas_used, elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", default="fast", choices=("fast", "reading"))
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every case's repetitions")
    args = parser.parse_args(argv)
    names = [c for c in args.cases.split(",") if c]
    if "loop" not in names:
        names.insert(0, "loop")
    print(f"# tier {args.tier}; gas = fuel (spec model); ratio = plain loop gas/s / case gas/s")
    print(f"{'case':<24} {'gas':>12} {'CPU s':>8} {'gas/s':>12} {'ratio':>7}")
    base = None
    worst = (0.0, "")
    for name in names:
        gas, seconds = measure(name, args.tier, args.scale)
        rate = gas / seconds if seconds else float("inf")
        if base is None:
            base = rate
        ratio = base / rate
        worst = max(worst, (ratio, name))
        print(f"{name:<24} {gas:>12} {seconds:>8.3f} {rate:>12.0f} {ratio:>7.2f}", flush=True)
    print(f"worst ratio {worst[0]:.2f} ({worst[1]}); target <= {TARGET_RATIO}")
    print(f"# gaps of the ABI gas table (a {GAP_KEY_BYTES}-byte key, priced at nothing; outside the check)")
    for name in GAPS:
        gas, seconds = measure_gap(name)
        rate = gas / seconds if seconds else float("inf")
        print(f"{name:<24} {gas:>12} {seconds:>8.3f} {rate:>12.0f} {base / rate:>7.0f}", flush=True)
    return 0 if worst[0] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
