;; The upgradable app of owner-upgrade.json, version 1: `bump` adds 1 to a
;; counter in slot 0, `get` returns it (u64 LE), `version` returns one byte.
;; Version 2 keeps version 1's storage: the counter survives the upgrade.
(module
  (import "pyde" "sload" (func $sload (param i32 i32) (result i32)))
  (import "pyde" "sstore" (func $sstore (param i32 i32) (result i32)))
  (import "pyde" "return" (func $return (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "\01")
  (func (export "bump")
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (i64.store (i32.const 32) (i64.add (i64.load (i32.const 32)) (i64.const 1)))
    (drop (call $sstore (i32.const 0) (i32.const 32))))
  (func (export "get")
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (call $return (i32.const 32) (i32.const 8)))
  (func (export "version")
    (call $return (i32.const 64) (i32.const 1))))
