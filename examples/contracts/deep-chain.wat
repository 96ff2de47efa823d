;; A contract that calls itself through pyde::cross_call until the executor's
;; frame cap (ABI §13.4: 1,024 frames) refuses the next call.
;;
;; Entry point (wasm type () -> (), arguments via calldata, ABI §3.5):
;;   down(n: u32 LE)   ENTRY|REENTRANT
;;       stores n at slot n (a 32-byte slot, n little-endian in its first 4
;;       bytes); if n > 0, cross_calls down(n - 1) on its own address with
;;       all its gas but GAS_RESERVE; returns 8 bytes: the n of the deepest
;;       frame that ran, then the status code of that frame's cross_call
;;       (0 at n = 0, ERR_CROSS_CALL_FAILED = -10 when the frame cap refused it).
;;
;; down(2000) from a transaction runs frames 1..1024 (n = 2000 .. 977); frame
;; 1024's call is refused, and every frame then returns the same 8 bytes.
;; The Python of both the reference and the wasmtime twin recurses once per
;; frame: this wave is the test that neither runs out of stack
;; (pyde_ref/executor/deep.py).
;;
;; Memory map:
;;      0..32    the slot (n)
;;     32..64    the value (n)
;;     64..96    self_address()
;;     96..100   calldata of the sub-call (n - 1)
;;    100..104   return-data length written by the host
;;    104..112   the 8 bytes returned
;;    112..128   16 zero bytes (value 0)
;;    256..      "down"
(module
  (import "pyde" "calldata_size" (func $calldata_size (result i32)))
  (import "pyde" "calldata_copy" (func $calldata_copy (param i32 i32 i32) (result i32)))
  (import "pyde" "self_address" (func $self_address (param i32) (result i32)))
  (import "pyde" "tx_gas_remaining" (func $tx_gas_remaining (result i64)))
  (import "pyde" "sstore" (func $sstore (param i32 i32) (result i32)))
  (import "pyde" "cross_call"
    (func $cross_call (param i32 i32 i32 i32 i32 i32 i64 i32 i32) (result i32)))
  (import "pyde" "return" (func $return (param i32 i32)))
  (import "pyde" "revert" (func $revert (param i32 i32)))

  (memory (export "memory") 1)
  (data (i32.const 256) "down")
  (data (i32.const 260) "bad calldata")

  (global $GAS_RESERVE i64 (i64.const 20000))

  (func (export "down")
    (local $n i32) (local $left i64) (local $status i32)
    (if (i32.ne (call $calldata_size) (i32.const 4))
      (then (call $revert (i32.const 260) (i32.const 12)) (unreachable)))
    (drop (call $calldata_copy (i32.const 0) (i32.const 4) (i32.const 0)))
    (local.set $n (i32.load (i32.const 0)))
    (i32.store (i32.const 32) (local.get $n))
    (drop (call $sstore (i32.const 0) (i32.const 32)))
    ;; the deepest frame so far is this one, with status 0
    (i32.store (i32.const 104) (local.get $n))
    (i32.store (i32.const 108) (i32.const 0))
    (if (local.get $n)
      (then
        (drop (call $self_address (i32.const 64)))
        (i32.store (i32.const 96) (i32.sub (local.get $n) (i32.const 1)))
        (local.set $left (call $tx_gas_remaining))
        (local.set $status
          (call $cross_call (i32.const 64) (i32.const 256) (i32.const 4) (i32.const 96) (i32.const 4)
            (i32.const 112)
            (select (i64.sub (local.get $left) (global.get $GAS_RESERVE)) (i64.const 0)
                    (i64.gt_u (local.get $left) (global.get $GAS_RESERVE)))
            (i32.const 104) (i32.const 100)))
        ;; refused or failed: this frame is the deepest, with that status
        (if (local.get $status)
          (then
            (i32.store (i32.const 104) (local.get $n))
            (i32.store (i32.const 108) (local.get $status))))))
    (call $return (i32.const 104) (i32.const 8)))
)
