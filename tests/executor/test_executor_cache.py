"""The module cache (ABI §3.6, seed §3.4): LRU by contract address,
invalidated on upgrade, and invisible in results."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pyde_ref.executor.cache import MODULE_CACHE_CAPACITY, CachedModule, ModuleCache
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.testing import Chain, address, build_contract, call_tx, import_lines


def _entry(tag: int) -> CachedModule:
    return CachedModule(bytes([tag]) * 32, module=f"m{tag}", abi=None)


def test_default_capacity_is_256():
    assert MODULE_CACHE_CAPACITY == 256
    assert ModuleCache().capacity == 256


def test_lru_eviction_and_recency():
    cache = ModuleCache(capacity=2)
    a, b, c = address(1), address(2), address(3)
    cache.get(a, _entry(1).code_hash, lambda: _entry(1))
    cache.get(b, _entry(2).code_hash, lambda: _entry(2))
    cache.get(a, _entry(1).code_hash, lambda: _entry(99))  # hit: refreshes a
    cache.get(c, _entry(3).code_hash, lambda: _entry(3))  # evicts b, the LRU
    assert cache.addresses() == [a, c]
    assert (cache.hits, cache.misses) == (1, 3)


def test_stale_code_hash_is_a_miss():
    """An upgraded contract (new code hash at the same address) never gets
    the old module."""
    cache = ModuleCache()
    a = address(1)
    cache.get(a, _entry(1).code_hash, lambda: _entry(1))
    got = cache.get(a, _entry(2).code_hash, lambda: _entry(2))
    assert got.module == "m2"
    cache.invalidate(a)
    assert a not in cache


WAT = f"""(module
{import_lines(["sload", "sstore", "return"])}
  (memory (export "memory") 1)
  (func (export "bump")
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (i64.store (i32.const 32) (i64.add (i64.load (i32.const 32)) (i64.const 1)))
    (drop (call $sstore (i32.const 0) (i32.const 32)))
    (call $return (i32.const 32) (i32.const 8))))"""


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=12), st.integers(0, 3))
def test_cache_changes_speed_never_results(targets, capacity):
    """The same wave with a cache of 0..3 entries and with the default
    cache gives identical receipts and post-state."""
    sender = address(1)
    contracts = [address(0x100 + i) for i in range(5)]
    code = build_contract(WAT, ["bump"])
    txs = [call_tx(sender, contracts[t], "bump", gas_limit=100_000) for t in targets]
    results = []
    for cap in (capacity, MODULE_CACHE_CAPACITY):
        chain = Chain(executor=WasmExecutor(ExecutorConfig(cache_capacity=cap)))
        chain.fund(sender, 10**12)
        for c in contracts:
            chain.install(c, code)
        results.append(chain.wave(txs))
    assert results[0].receipts == results[1].receipts
    assert results[0].state_digest == results[1].state_digest
