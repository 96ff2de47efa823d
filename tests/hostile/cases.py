"""The attack corpus of issue 10, as cases a capped child process runs.

``python tests/hostile/cases.py CASE`` runs one case and prints one JSON
line: what happened (``outcome``: ``ok`` or the refusal's or trap's name),
plus the figures the test checks (``gas``, ``seconds``, ``maxrss_kib``).
Every input is generated here (small rules, big results): nothing large is
checked in.  ``test_hostile_inputs.py`` runs each case under a memory cap
and a timeout and checks that it ends with a structured error or a clean
trap, in bounded time and memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import hostile_modules as hm  # noqa: E402
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor  # noqa: E402
from pyde_ref.executor.testing import Chain, address, build_contract, import_lines  # noqa: E402
from pyde_ref.wasm import (  # noqa: E402
    FuelMeter, MachineConfig, Store, Trap, WasmError, decode_module, instantiate, invoke, validate_module,
)
from pyde_ref.wasm.binary import encode_section, encode_uleb  # noqa: E402

SENDER = address(1)
CONTRACT = address(0xBAD)


def prepare(wasm: bytes, tier: str = "fast", fuel=None):
    store = Store(MachineConfig(tier=tier))
    module = decode_module(wasm)
    validate_module(module)
    return store, instantiate(store, module, [], fuel=fuel)


def machine_call(wasm: bytes, func: str = "run", fuel: int | None = 10_000_000, tier: str = "fast",
                 args=(), repeat: int = 1) -> dict:
    """Decode, validate, instantiate and call ``func``; the outcome."""
    try:
        store, inst = prepare(wasm, tier)
        meter = FuelMeter(fuel)
        for _ in range(repeat):
            invoke(store, inst.export(func).addr, list(args), meter)
        return {"outcome": "ok", "gas": meter.consumed}
    except Trap as trap:
        return {"outcome": f"trap:{trap.kind}"}
    except WasmError as exc:
        return {"outcome": type(exc).__name__, "detail": str(exc)[:200]}


def each_tier(wasm: bytes, **kwargs) -> dict:
    results = {tier: machine_call(wasm, tier=tier, **kwargs) for tier in ("fast", "reading")}
    outcomes = {r["outcome"] for r in results.values()}
    return {"outcome": outcomes.pop() if len(outcomes) == 1 else f"tiers differ: {results}"}


# -- modules: size, shape, limits -----------------------------------------------


def straight_line_1mib():
    return each_tier(hm.of_size("straight", 1 << 20))


def functions_512kib():
    return each_tier(hm.of_size("functions", 512 << 10))


def nesting_1mib():
    return each_tier(hm.of_size("nesting", 1 << 20))


def br_table_2mib():
    return each_tier(hm.of_size("br_table", 2 << 20))


def globals_elems_datas_512kib():
    outcomes = {machine_call(hm.of_size(family, 512 << 10))["outcome"]
                for family in ("globals", "elem_segments", "data_segments", "exports")}
    return {"outcome": outcomes.pop() if len(outcomes) == 1 else str(outcomes)}


def _limit_outcomes(cases) -> dict:
    outcomes = {}
    for label, wasm in cases:
        outcomes[label] = machine_call(wasm)["outcome"]
    refused = {label for label, outcome in outcomes.items() if outcome == "LimitExceeded"}
    return {"outcome": "LimitExceeded" if len(refused) == len(outcomes) else str(outcomes)}


def counts_over_the_limits():
    """Counts announced over production's limits: refused as the count is read."""
    return _limit_outcomes([
        ("functions", hm.module(encode_section(3, encode_uleb(1_000_001)))),
        ("types", hm.module(encode_section(1, encode_uleb(1_000_001)))),
        ("globals", hm.module(encode_section(6, encode_uleb(1_000_001)))),
        ("data segments", hm.module(encode_section(11, encode_uleb(100_001)))),
        ("element segments", hm.module(encode_section(9, encode_uleb(100_001)))),
        ("body size", hm.module(hm.type_section(hm.FUNC_TYPE_VOID), hm.func_section(0),
                                encode_section(10, encode_uleb(1) + encode_uleb(7_654_322)))),
        ("br_table", hm.br_table_count(10_000_000)),
        ("name", hm.export_name(100_001)),
        ("params", hm.with_params(1_001)),
        ("locals", hm.declared_locals(50_001)),
        ("locals with params", hm.params_and_locals(50_001)),
    ])


def ten_mib_of_nops():
    """10 MiB of nops is over the function body limit (and over the file limit of ``run``)."""
    return machine_call(hm.nops(10 << 20))


def locals_50000_called_often():
    """A function declaring 50,000 locals called 20,000 times (2 fuel a call)."""
    wasm = hm.module(hm.type_section(hm.FUNC_TYPE_VOID), hm.func_section(0, 0), hm.RUN_EXPORT,
                     hm.code_section(hm.code_entry((b"\x10\x01") * 20_000),
                                     hm.code_entry(b"", hm.vec([encode_uleb(50_000) + b"\x7e"]))))
    return each_tier(wasm, fuel=None)


def huge_table_instantiated_often():
    """A 10,000,000-element table, instantiated 2,000 times: sparse, cheap."""
    wasm = hm.one_function(b"", before_code=(hm.table_section(10_000_000),))
    store_module = decode_module(wasm)
    for _ in range(2000):
        store = Store()
        instantiate(store, store_module, [])
        store.release()
    return {"outcome": "ok"}


def big_memory_instantiated_often():
    """A 64 MiB initial memory, one byte written, instantiated 3,000 times."""
    wasm = hm.one_function(b"\x41\x00\x41\x2a\x3a\x00\x00", before_code=(hm.memory_section(1024),))
    module = decode_module(wasm)
    for _ in range(3000):
        store = Store()
        inst = instantiate(store, module, [])
        invoke(store, inst.export("run").addr, [])
        store.release()
    return {"outcome": "ok"}


def looping_start_function():
    """A start function that never returns, under a fuel budget: out of fuel."""
    wasm = hm.module(hm.type_section(hm.FUNC_TYPE_VOID), hm.func_section(0), encode_section(8, b"\x00"),
                     hm.code_section(hm.code_entry(b"\x03\x40\x0c\x00\x0b")))
    try:
        prepare(wasm, fuel=FuelMeter(1_000_000))
    except WasmError as exc:
        return {"outcome": f"{type(exc).__name__}:{getattr(getattr(exc, 'trap', None), 'kind', '')}"}
    return {"outcome": "ok"}


def deep_wasm_recursion():
    """Unbounded recursion: the activation limit traps, on both tiers."""
    wasm = hm.one_function(b"\x10\x00")  # run calls itself
    return each_tier(wasm, fuel=None)


def bulk_memory_of_64_mib():
    """memory.fill and memory.copy of 64 MiB, 20 times each."""
    body = (b"\x41\x00\x41\x07\x41\x80\x80\x80\x20\xfc\x0b\x00"  # memory.fill 0 7 64MiB
            b"\x41\x01\x41\x00\x41\xff\xff\xff\x1f\xfc\x0a\x00\x00") * 20  # memory.copy 1 0 64MiB-1
    wasm = hm.one_function(body, before_code=(hm.memory_section(1024),))
    return each_tier(wasm, fuel=None)


# -- contracts: waves of the executor --------------------------------------------


def _chain(tier: str = "fast") -> Chain:
    chain = Chain(executor=WasmExecutor(ExecutorConfig(tier=tier)))
    chain.fund(SENDER, 10 ** 20)
    return chain


SELF_CALL_WAT = """(module
{imports}
  (memory (export "memory") {pages})
  (data (i32.const 64) "deep")
  (func (export "deep") (local $n i32)
    (drop (call $calldata_copy (i32.const 0) (i32.const 4) (i32.const 200)))
    (local.set $n (i32.load (i32.const 200)))
    (i32.store (i32.const 300) (local.get $n))
    (if (i32.eqz (local.get $n)) (then (call $return (i32.const 300) (i32.const 4))))
    (i32.store (i32.const 200) (i32.sub (local.get $n) (i32.const 1)))
    (drop (call $self_address (i32.const 0)))
    (drop (call $cross_call (i32.const 0) (i32.const 64) (i32.const 4) (i32.const 200) (i32.const 4)
      (i32.const 100) (i64.sub (call $tx_gas_remaining) (i64.const 3000)) (i32.const 304) (i32.const 400)))
    (call $return (i32.const 304) (i32.const 4))))"""


def _call(chain: Chain, function: str, calldata: bytes, gas: int) -> dict:
    start = time.process_time()
    receipt = chain.call(SENDER, CONTRACT, function, calldata, gas_limit=gas)
    return {"outcome": receipt.status, "gas": receipt.gas_used, "seconds": time.process_time() - start,
            "return": receipt.return_data.hex()}


def deep_self_calls_with_64_mib_memory(tier: str = "fast"):
    """1,024 nested frames (ABI §13.4) of a contract with 64 MiB of memory."""
    imports = import_lines(["calldata_copy", "self_address", "cross_call", "tx_gas_remaining", "return"])
    chain = _chain(tier)
    chain.install(CONTRACT, build_contract(SELF_CALL_WAT.format(imports=imports, pages=1024), ["deep:reentrant"]))
    return _call(chain, "deep", (1023).to_bytes(4, "little"), 50_000_000)


def deep_self_calls_reading_tier():
    return deep_self_calls_with_64_mib_memory("reading")


def poseidon2_of_4_mib():
    """hash_poseidon2 over 4 MiB (~15.7 M gas)."""
    imports = import_lines(["hash_poseidon2", "return"])
    wat = f"""(module
{imports}
  (memory (export "memory") 65)
  (func (export "hash")
    (drop (call $hash_poseidon2 (i32.const 0) (i32.const 4194304) (i32.const 4194304)))
    (call $return (i32.const 4194304) (i32.const 32))))"""
    chain = _chain()
    chain.install(CONTRACT, build_contract(wat, ["hash"]))
    return _call(chain, "hash", b"", 20_000_000)


CASES = {f.__name__: f for f in (
    straight_line_1mib, functions_512kib, nesting_1mib, br_table_2mib, globals_elems_datas_512kib,
    counts_over_the_limits, ten_mib_of_nops, locals_50000_called_often, huge_table_instantiated_often,
    big_memory_instantiated_often, looping_start_function, deep_wasm_recursion, bulk_memory_of_64_mib,
    deep_self_calls_with_64_mib_memory, deep_self_calls_reading_tier, poseidon2_of_4_mib,
)}


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB: Linux's ``VmHWM`` (of this
    program's own address space), else ``ru_maxrss`` -- which on Linux
    carries over the resident size of the process that forked it, a pytest
    process of gigabytes after the module-limit tests."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(name: str) -> None:
    start = time.monotonic()
    result = CASES[name]()
    result.setdefault("seconds", time.monotonic() - start)
    result["maxrss_kib"] = peak_rss_kib()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
