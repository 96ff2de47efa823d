;; A contract that calls other contracts through pyde::cross_call and
;; pyde::cross_call_static (ABI §7.8).  Every entry returns the host
;; function's status code (i32 LE, 4 bytes) followed by the callee's return
;; data or failure payload, so a receipt shows exactly what the host said.
;;
;; Entry points (wasm type () -> (), arguments via calldata, ABI §3.5):
;;   send(token, to, amount)     ENTRY          cross_call token.transfer(to, amount)
;;   peek(token, addr)           ENTRY|VIEW     cross_call_static token.balance_of(addr)
;;   call_any(kind, target, value, gas_limit, name_len, name, args)
;;                               ENTRY|PAYABLE  the general form, for tests:
;;        kind 0 = cross_call, 1 = cross_call_static, 2 = delegate_call;
;;        target 32 bytes, value u128 LE 16 bytes, gas_limit u64 LE 8 bytes,
;;        name_len u32 LE 4 bytes, then the name, then the callee's calldata.
;;
;; Memory map:
;;      0..16    16 zero bytes (the value 0)
;;   1016        return-data length (i32, written by the host)
;;   1020        the status code returned to the sender
;;   1024..9216  return-data buffer (8192 bytes)
;;  16384..      calldata (at most 32768 bytes)
(module
  (import "pyde" "calldata_size" (func $calldata_size (result i32)))
  (import "pyde" "calldata_copy" (func $calldata_copy (param i32 i32 i32) (result i32)))
  (import "pyde" "tx_gas_remaining" (func $tx_gas_remaining (result i64)))
  (import "pyde" "cross_call"
    (func $cross_call (param i32 i32 i32 i32 i32 i32 i64 i32 i32) (result i32)))
  (import "pyde" "cross_call_static"
    (func $cross_call_static (param i32 i32 i32 i32 i32 i64 i32 i32) (result i32)))
  (import "pyde" "delegate_call"
    (func $delegate_call (param i32 i32 i32 i32 i32 i64 i32 i32) (result i32)))
  (import "pyde" "return" (func $return (param i32 i32)))
  (import "pyde" "revert" (func $revert (param i32 i32)))

  (memory (export "memory") 1)

  (data (i32.const 512) "transfer")     ;;  8 bytes
  (data (i32.const 528) "balance_of")   ;; 10 bytes
  (data (i32.const 544) "bad calldata") ;; 12 bytes

  (global $CALLDATA i32 (i32.const 16384))
  (global $GAS_RESERVE i64 (i64.const 20000))

  (func $fail (param $ptr i32) (param $len i32)
    (call $revert (local.get $ptr) (local.get $len))
    unreachable)

  ;; Copy the whole calldata to $CALLDATA, requiring at least $min bytes.
  (func $read_args (param $min i32) (result i32)
    (local $size i32)
    (local.set $size (call $calldata_size))
    (if (i32.or (i32.lt_u (local.get $size) (local.get $min))
                (i32.gt_u (local.get $size) (i32.const 32768)))
      (then (call $fail (i32.const 544) (i32.const 12))))
    (drop (call $calldata_copy (i32.const 0) (local.get $size) (global.get $CALLDATA)))
    (local.get $size))

  (func $forward_gas (result i64)
    (local $left i64)
    (local.set $left (call $tx_gas_remaining))
    (select
      (i64.sub (local.get $left) (global.get $GAS_RESERVE))
      (i64.const 0)
      (i64.gt_u (local.get $left) (global.get $GAS_RESERVE))))

  (func $prepare_out
    (i32.store (i32.const 1016) (i32.const 0)))

  ;; return(status || return data)
  (func $finish (param $status i32)
    (i32.store (i32.const 1020) (local.get $status))
    (call $return (i32.const 1020) (i32.add (i32.const 4) (i32.load (i32.const 1016)))))

  (func (export "send")
    (drop (call $read_args (i32.const 80)))
    (call $prepare_out)
    (call $finish
      (call $cross_call (global.get $CALLDATA) (i32.const 512) (i32.const 8)
        (i32.add (global.get $CALLDATA) (i32.const 32)) (i32.const 48)
        (i32.const 0) (call $forward_gas) (i32.const 1024) (i32.const 1016))))

  (func (export "peek")
    (drop (call $read_args (i32.const 64)))
    (call $prepare_out)
    (call $finish
      (call $cross_call_static (global.get $CALLDATA) (i32.const 528) (i32.const 10)
        (i32.add (global.get $CALLDATA) (i32.const 32)) (i32.const 32)
        (call $forward_gas) (i32.const 1024) (i32.const 1016))))

  (func (export "call_any")
    (local $size i32) (local $kind i32) (local $target i32) (local $value i32)
    (local $gas i64) (local $name i32) (local $name_len i32) (local $args i32)
    (local $args_len i32)
    (local.set $size (call $read_args (i32.const 61)))
    (local.set $kind (i32.load8_u (global.get $CALLDATA)))
    (local.set $target (i32.add (global.get $CALLDATA) (i32.const 1)))
    (local.set $value (i32.add (global.get $CALLDATA) (i32.const 33)))
    (local.set $gas (i64.load (i32.add (global.get $CALLDATA) (i32.const 49))))
    (local.set $name_len (i32.load (i32.add (global.get $CALLDATA) (i32.const 57))))
    (local.set $name (i32.add (global.get $CALLDATA) (i32.const 61)))
    (if (i32.gt_u (local.get $name_len) (i32.sub (local.get $size) (i32.const 61)))
      (then (call $fail (i32.const 544) (i32.const 12))))
    (local.set $args (i32.add (local.get $name) (local.get $name_len)))
    (local.set $args_len (i32.sub (i32.sub (local.get $size) (i32.const 61)) (local.get $name_len)))
    (call $prepare_out)
    (if (i32.eqz (local.get $kind))
      (then
        (call $finish
          (call $cross_call (local.get $target) (local.get $name) (local.get $name_len)
            (local.get $args) (local.get $args_len) (local.get $value) (local.get $gas)
            (i32.const 1024) (i32.const 1016)))))
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then
        (call $finish
          (call $cross_call_static (local.get $target) (local.get $name) (local.get $name_len)
            (local.get $args) (local.get $args_len) (local.get $gas)
            (i32.const 1024) (i32.const 1016)))))
    (call $finish
      (call $delegate_call (local.get $target) (local.get $name) (local.get $name_len)
        (local.get $args) (local.get $args_len) (local.get $gas)
        (i32.const 1024) (i32.const 1016))))
)
