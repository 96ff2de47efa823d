"""The host functions bound to the pure-Python WebAssembly machine
(``registry.bind``): arguments arrive as bit patterns, error codes reach wasm
as negative i32s, gas is the frame's fuel, halts and host traps propagate
through ``invoke``."""

import pytest

from pyde_ref.abi.constants import ERR_FORBIDDEN
from pyde_ref.abi.halt import HaltReturn, HaltRevert
from pyde_ref.abi.registry import HOST_FUNCTIONS, bind
from pyde_ref.abi.testing import make_env
from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import Trap
from pyde_ref.wasm.exec import instantiate, invoke
from pyde_ref.wasm.fuel import FuelMeter
from pyde_ref.wasm.runtime import ExternVal, Store
from pyde_ref.wasm.text import wat_to_wasm

WAT = """(module
 (import "pyde" "sstore" (func $sstore (param i32 i32) (result i32)))
 (import "pyde" "sload" (func $sload (param i32 i32) (result i32)))
 (import "pyde" "return" (func $ret (param i32 i32)))
 (import "pyde" "revert" (func $revert (param i32 i32)))
 (import "pyde" "block_height" (func $height (result i64)))
 (memory (export "memory") 1)
 (data (i32.const 0) "slot-key-is-thirty-two-bytes!!!!")
 (data (i32.const 32) "value-is-also-thirty-two-bytes!!")
 (data (i32.const 128) "nope")
 ;; store, read back into 64, return the 32 bytes read
 (func (export "store_and_return")
   (i32.store (i32.const 200) (call $sstore (i32.const 0) (i32.const 32)))
   (drop (call $sload (i32.const 0) (i32.const 64)))
   (call $ret (i32.const 64) (i32.const 32)))
 ;; store and return the code as 4 bytes
 (func (export "store_code")
   (i32.store (i32.const 200) (call $sstore (i32.const 0) (i32.const 32)))
   (call $ret (i32.const 200) (i32.const 4)))
 (func (export "fail") (call $revert (i32.const 128) (i32.const 4)))
 (func (export "height") (result i64) (call $height))
)"""


def run(name, *, gas=1_000_000, **ctx):
    env = make_env(**ctx)
    module = decode_module(wat_to_wasm(WAT))
    store = Store()
    imports = [ExternVal("func", store.alloc_host_func(bind(HOST_FUNCTIONS[i.name], env.ctx)))
               for i in module.imports]
    inst = instantiate(store, module, imports)
    fuel = FuelMeter(gas)
    return env, fuel, lambda: invoke(store, inst.export(name).addr, [], fuel)


def test_store_then_load_through_the_machine():
    env, fuel, call = run("store_and_return")
    with pytest.raises(HaltReturn) as e:
        call()
    assert e.value.data == b"value-is-also-thirty-two-bytes!!"
    assert env.ctx.state.sload(env.ctx.storage_address, b"slot-key-is-thirty-two-bytes!!!!") == e.value.data
    assert fuel.consumed >= 5000 + 200


def test_error_code_reaches_wasm_as_a_negative_i32():
    env, _, call = run("store_code", view_mode=True)
    with pytest.raises(HaltReturn) as e:
        call()
    assert int.from_bytes(e.value.data, "little", signed=True) == ERR_FORBIDDEN


def test_revert_propagates_with_its_reason():
    _, _, call = run("fail")
    with pytest.raises(HaltRevert) as e:
        call()
    assert e.value.data == b"nope"


def test_host_out_of_fuel_is_a_machine_trap_and_writes_nothing():
    env, fuel, call = run("store_and_return", gas=4000)
    with pytest.raises(Trap) as e:
        call()
    assert e.value.kind == "out_of_fuel"
    assert env.ctx.state.write_set() == []


def test_i64_result():
    _, _, call = run("height")
    assert call() == [7]
