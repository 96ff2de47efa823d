;; An upgradeable-style proxy: it holds the token's state in its own storage
;; and runs the token's code there through pyde::delegate_call (ABI §7.8).
;;
;; Entry points (wasm type () -> (), arguments via calldata, ABI §3.5):
;;   constructor(impl)     CONSTRUCTOR   remembers impl, then delegate_calls
;;                                       impl.initialize so that the owner
;;                                       (the deployer) lands in the proxy's
;;                                       storage
;;   forward(n, name, args)       ENTRY  delegate_call impl.<name>(args)
;;   forward_view(n, name, args)  ENTRY|VIEW  the same, for view functions
;;   where n is one byte, the length of the function name.
;;
;; Why not entries named like the token's (mint, transfer, ...)?  ABI §7.8
;; applies the reentrancy guard to (caller_addr, target_fn): a proxy entry
;; "mint" delegate_calling impl "mint" finds (proxy, "mint") already on the
;; call stack and gets ERR_REENTRANCY_BLOCKED
;; (spec/findings/executor-delegate-reentrancy.md).  One generic entry point
;; avoids the clash.
;;
;; A failed delegate_call reverts the proxy with the implementation's
;; failure payload; a successful one returns its return data unchanged.
;;
;; Storage: slot(0x50, 0^32) holds the implementation address, laid out as
;; in token.wat: self_address()[0..16] || blake3(0x50 || 0^32)[0..16]
;; (discriminator 0x50 is not one the token uses).
;;
;; Memory map:
;;      0..32    slot key          32..64    implementation address
;;     96..128   self_address()   176..208   32 zero bytes
;;    256..289   blake3 input     320..352   blake3 output
;;    512..      constant strings
;;   1016        return-data length (i32)
;;   1024..2048  calldata buffer  2048..6144 return-data buffer (4096 bytes)
(module
  (import "pyde" "sload" (func $sload (param i32 i32) (result i32)))
  (import "pyde" "sstore" (func $sstore (param i32 i32) (result i32)))
  (import "pyde" "self_address" (func $self_address (param i32) (result i32)))
  (import "pyde" "calldata_size" (func $calldata_size (result i32)))
  (import "pyde" "calldata_copy" (func $calldata_copy (param i32 i32 i32) (result i32)))
  (import "pyde" "hash_blake3" (func $hash_blake3 (param i32 i32 i32) (result i32)))
  (import "pyde" "tx_gas_remaining" (func $tx_gas_remaining (result i64)))
  (import "pyde" "delegate_call"
    (func $delegate_call (param i32 i32 i32 i32 i32 i64 i32 i32) (result i32)))
  (import "pyde" "return" (func $return (param i32 i32)))
  (import "pyde" "revert" (func $revert (param i32 i32)))

  (memory (export "memory") 1)

  (data (i32.const 512) "initialize")     ;; 10 bytes
  (data (i32.const 600) "bad calldata")   ;; 12 bytes
  (data (i32.const 616) "storage write refused") ;; 21 bytes

  (global $DISC_IMPL i32 (i32.const 0x50))
  (global $ZERO i32 (i32.const 176))
  ;; Gas kept back for the proxy's own work after the delegate_call returns.
  (global $GAS_RESERVE i64 (i64.const 20000))

  (func $fail (param $ptr i32) (param $len i32)
    (call $revert (local.get $ptr) (local.get $len))
    unreachable)

  (func $impl_slot
    (drop (call $self_address (i32.const 96)))
    (memory.copy (i32.const 0) (i32.const 96) (i32.const 16))
    (i32.store8 (i32.const 256) (global.get $DISC_IMPL))
    (memory.copy (i32.const 257) (global.get $ZERO) (i32.const 32))
    (drop (call $hash_blake3 (i32.const 256) (i32.const 33) (i32.const 320)))
    (memory.copy (i32.const 16) (i32.const 320) (i32.const 16)))

  ;; The gas to forward: what is left minus the reserve (0 when less is left).
  (func $forward_gas (result i64)
    (local $left i64)
    (local.set $left (call $tx_gas_remaining))
    (select
      (i64.sub (local.get $left) (global.get $GAS_RESERVE))
      (i64.const 0)
      (i64.gt_u (local.get $left) (global.get $GAS_RESERVE))))

  ;; delegate_call impl.<name>(args) where calldata = n || name || args;
  ;; return or revert with what it gave back.
  (func $forward
    (local $size i32) (local $n i32)
    (local.set $size (call $calldata_size))
    (if (i32.or (i32.gt_u (local.get $size) (i32.const 1024))
                (i32.lt_u (local.get $size) (i32.const 1)))
      (then (call $fail (i32.const 600) (i32.const 12))))
    (drop (call $calldata_copy (i32.const 0) (local.get $size) (i32.const 1024)))
    (local.set $n (i32.load8_u (i32.const 1024)))
    (if (i32.gt_u (i32.add (local.get $n) (i32.const 1)) (local.get $size))
      (then (call $fail (i32.const 600) (i32.const 12))))
    (call $impl_slot)
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (if (call $delegate_call (i32.const 32) (i32.const 1025) (local.get $n)
              (i32.add (i32.const 1025) (local.get $n))
              (i32.sub (i32.sub (local.get $size) (i32.const 1)) (local.get $n))
              (call $forward_gas)
              (i32.const 2048) (i32.const 1016))
      (then (call $fail (i32.const 2048) (i32.load (i32.const 1016)))))
    (call $return (i32.const 2048) (i32.load (i32.const 1016))))

  (func (export "constructor")
    (if (i32.ne (call $calldata_size) (i32.const 32))
      (then (call $fail (i32.const 600) (i32.const 12))))
    (drop (call $calldata_copy (i32.const 0) (i32.const 32) (i32.const 32)))
    (call $impl_slot)
    (if (call $sstore (i32.const 0) (i32.const 32))
      (then (call $fail (i32.const 616) (i32.const 21))))
    (if (call $delegate_call (i32.const 32) (i32.const 512) (i32.const 10)
              (i32.const 1024) (i32.const 0) (call $forward_gas)
              (i32.const 2048) (i32.const 1016))
      (then (call $fail (i32.const 2048) (i32.load (i32.const 1016))))))

  (func (export "forward") (call $forward))
  (func (export "forward_view") (call $forward))
)
