;; A fungible token written directly against the Pyde Host Function ABI v1.0.
;;
;; Entry points (every exported entry has wasm type () -> (), ABI §3.5):
;;   constructor            ENTRY|CONSTRUCTOR  owner := caller()
;;   initialize             ENTRY              owner := caller() if no owner yet
;;                                             (what a proxy delegate_calls)
;;   mint(to, amount)       ENTRY              owner only; emits Transfer(0, to, amount)
;;   transfer(to, amount)   ENTRY              emits Transfer(caller, to, amount)
;;   balance_of(addr)       ENTRY|VIEW         returns the balance, 16 bytes LE
;;   total_supply()         ENTRY|VIEW         returns the supply, 16 bytes LE
;;
;; Calldata is the plain concatenation of the arguments: an address is 32
;; bytes, an amount is a u128 little-endian in 16 bytes (ABI §3.2).
;;
;; Storage follows the PIP-2 clustered layout with Blake3 in place of
;; Poseidon2 for the low half:
;;   slot(disc, key) = self_address()[0..16] || blake3(disc || key)[0..16]
;;   disc 0: owner (key = 32 zero bytes), disc 1: balance of key,
;;   disc 2: total supply (key = 32 zero bytes).
;; A u128 is stored in the low 16 bytes of the 32-byte value, little-endian.
;;
;; Events (ABI §14): topic = blake3("Transfer(address,address,uint128)"),
;; data = from (32) || to (32) || amount (16 LE), the Borsh encoding of
;; the struct { from: [u8; 32], to: [u8; 32], amount: u128 }.
;;
;; Memory map:
;;      0..32    slot key being built
;;     32..64    32-byte value buffer for sload/sstore
;;     64..96    caller()
;;     96..128   self_address()
;;    128..176   calldata (at most 48 bytes)
;;    176..208   32 zero bytes (the zero address / zero key)
;;    256..289   blake3 input: disc || key
;;    320..352   blake3 output
;;    352..384   event topic
;;    384..464   event data: from || to || amount
;;    512..      constant strings (data segment)
(module
  (import "pyde" "sload" (func $sload (param i32 i32) (result i32)))
  (import "pyde" "sstore" (func $sstore (param i32 i32) (result i32)))
  (import "pyde" "caller" (func $caller (param i32) (result i32)))
  (import "pyde" "self_address" (func $self_address (param i32) (result i32)))
  (import "pyde" "calldata_size" (func $calldata_size (result i32)))
  (import "pyde" "calldata_copy" (func $calldata_copy (param i32 i32 i32) (result i32)))
  (import "pyde" "hash_blake3" (func $hash_blake3 (param i32 i32 i32) (result i32)))
  (import "pyde" "emit_event" (func $emit_event (param i32 i32 i32 i32) (result i32)))
  (import "pyde" "return" (func $return (param i32 i32)))
  (import "pyde" "revert" (func $revert (param i32 i32)))

  (memory (export "memory") 1)

  (data (i32.const 512) "Transfer(address,address,uint128)")   ;; 33 bytes
  (data (i32.const 576) "bad calldata")                        ;; 12 bytes
  (data (i32.const 608) "not owner")                           ;;  9 bytes
  (data (i32.const 640) "insufficient balance")                ;; 20 bytes
  (data (i32.const 672) "overflow")                            ;;  8 bytes
  (data (i32.const 704) "already initialized")                 ;; 19 bytes
  (data (i32.const 736) "storage write refused")               ;; 21 bytes

  (global $DISC_OWNER i32 (i32.const 0))
  (global $DISC_BALANCE i32 (i32.const 1))
  (global $DISC_SUPPLY i32 (i32.const 2))
  (global $ZERO i32 (i32.const 176))

  ;; ---- helpers -------------------------------------------------------

  (func $fail (param $ptr i32) (param $len i32)
    (call $revert (local.get $ptr) (local.get $len))
    unreachable)

  ;; Copy exactly $len bytes of calldata to 128, or revert "bad calldata".
  (func $read_args (param $len i32)
    (if (i32.ne (call $calldata_size) (local.get $len))
      (then (call $fail (i32.const 576) (i32.const 12))))
    (drop (call $calldata_copy (i32.const 0) (local.get $len) (i32.const 128))))

  ;; Build slot(disc, key) at 0..32.
  (func $slot (param $disc i32) (param $key i32)
    (drop (call $self_address (i32.const 96)))
    (memory.copy (i32.const 0) (i32.const 96) (i32.const 16))
    (i32.store8 (i32.const 256) (local.get $disc))
    (memory.copy (i32.const 257) (local.get $key) (i32.const 32))
    (drop (call $hash_blake3 (i32.const 256) (i32.const 33) (i32.const 320)))
    (memory.copy (i32.const 16) (i32.const 320) (i32.const 16)))

  ;; Read the u128 at slot(disc, key) as (low, high).
  (func $load_u128 (param $disc i32) (param $key i32) (result i64 i64)
    (call $slot (local.get $disc) (local.get $key))
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (i64.load (i32.const 32))
    (i64.load (i32.const 40)))

  ;; Write the u128 (low, high) at slot(disc, key).
  (func $store_u128 (param $disc i32) (param $key i32) (param $lo i64) (param $hi i64)
    (call $slot (local.get $disc) (local.get $key))
    (memory.fill (i32.const 32) (i32.const 0) (i32.const 32))
    (i64.store (i32.const 32) (local.get $lo))
    (i64.store (i32.const 40) (local.get $hi))
    (if (call $sstore (i32.const 0) (i32.const 32))
      (then (call $fail (i32.const 736) (i32.const 21)))))

  ;; 1 when the 32 bytes at $a equal the 32 bytes at $b.
  (func $eq32 (param $a i32) (param $b i32) (result i32)
    (i32.and
      (i32.and
        (i64.eq (i64.load offset=0 (local.get $a)) (i64.load offset=0 (local.get $b)))
        (i64.eq (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $b))))
      (i32.and
        (i64.eq (i64.load offset=16 (local.get $a)) (i64.load offset=16 (local.get $b)))
        (i64.eq (i64.load offset=24 (local.get $a)) (i64.load offset=24 (local.get $b))))))

  ;; balance[key] += amount (reverts "overflow").
  (func $credit (param $disc i32) (param $key i32) (param $lo i64) (param $hi i64)
    (local $a_lo i64) (local $a_hi i64) (local $r_lo i64) (local $r_hi i64) (local $h i64)
    (call $load_u128 (local.get $disc) (local.get $key))
    (local.set $a_hi)
    (local.set $a_lo)
    (local.set $r_lo (i64.add (local.get $a_lo) (local.get $lo)))
    (local.set $h (i64.add (local.get $a_hi) (local.get $hi)))
    (local.set $r_hi
      (i64.add (local.get $h) (i64.extend_i32_u (i64.lt_u (local.get $r_lo) (local.get $a_lo)))))
    (if (i32.or (i64.lt_u (local.get $h) (local.get $a_hi))
                (i64.lt_u (local.get $r_hi) (local.get $h)))
      (then (call $fail (i32.const 672) (i32.const 8))))
    (call $store_u128 (local.get $disc) (local.get $key) (local.get $r_lo) (local.get $r_hi)))

  ;; balance[key] -= amount (reverts "insufficient balance").
  (func $debit (param $key i32) (param $lo i64) (param $hi i64)
    (local $a_lo i64) (local $a_hi i64)
    (call $load_u128 (global.get $DISC_BALANCE) (local.get $key))
    (local.set $a_hi)
    (local.set $a_lo)
    (if (i32.or (i64.lt_u (local.get $a_hi) (local.get $hi))
                (i32.and (i64.eq (local.get $a_hi) (local.get $hi))
                         (i64.lt_u (local.get $a_lo) (local.get $lo))))
      (then (call $fail (i32.const 640) (i32.const 20))))
    (call $store_u128 (global.get $DISC_BALANCE) (local.get $key)
      (i64.sub (local.get $a_lo) (local.get $lo))
      (i64.sub (i64.sub (local.get $a_hi) (local.get $hi))
               (i64.extend_i32_u (i64.lt_u (local.get $a_lo) (local.get $lo))))))

  ;; emit Transfer(from, to, amount at 160..176).
  (func $emit_transfer (param $from i32) (param $to i32)
    (drop (call $hash_blake3 (i32.const 512) (i32.const 33) (i32.const 352)))
    (memory.copy (i32.const 384) (local.get $from) (i32.const 32))
    (memory.copy (i32.const 416) (local.get $to) (i32.const 32))
    (memory.copy (i32.const 448) (i32.const 160) (i32.const 16))
    (if (call $emit_event (i32.const 352) (i32.const 32) (i32.const 384) (i32.const 80))
      (then (call $fail (i32.const 736) (i32.const 21)))))

  ;; owner := caller(), refusing a second initialisation.
  (func $init_owner
    (drop (call $caller (i32.const 64)))
    (call $slot (global.get $DISC_OWNER) (global.get $ZERO))
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (if (i32.eqz (call $eq32 (i32.const 32) (global.get $ZERO)))
      (then (call $fail (i32.const 704) (i32.const 19))))
    (if (call $sstore (i32.const 0) (i32.const 64))
      (then (call $fail (i32.const 736) (i32.const 21)))))

  ;; ---- entry points --------------------------------------------------

  (func (export "constructor")
    (call $read_args (i32.const 0))
    (call $init_owner))

  (func (export "initialize")
    (call $read_args (i32.const 0))
    (call $init_owner))

  (func (export "mint")
    (call $read_args (i32.const 48))
    (drop (call $caller (i32.const 64)))
    (call $slot (global.get $DISC_OWNER) (global.get $ZERO))
    (drop (call $sload (i32.const 0) (i32.const 32)))
    (if (i32.eqz (call $eq32 (i32.const 32) (i32.const 64)))
      (then (call $fail (i32.const 608) (i32.const 9))))
    (call $credit (global.get $DISC_BALANCE) (i32.const 128)
      (i64.load (i32.const 160)) (i64.load (i32.const 168)))
    (call $credit (global.get $DISC_SUPPLY) (global.get $ZERO)
      (i64.load (i32.const 160)) (i64.load (i32.const 168)))
    (call $emit_transfer (global.get $ZERO) (i32.const 128)))

  (func (export "transfer")
    (call $read_args (i32.const 48))
    (drop (call $caller (i32.const 64)))
    (call $debit (i32.const 64) (i64.load (i32.const 160)) (i64.load (i32.const 168)))
    (call $credit (global.get $DISC_BALANCE) (i32.const 128)
      (i64.load (i32.const 160)) (i64.load (i32.const 168)))
    (call $emit_transfer (i32.const 64) (i32.const 128)))

  (func (export "balance_of")
    (call $read_args (i32.const 32))
    (drop (call $sload_u128_to_32 (global.get $DISC_BALANCE) (i32.const 128)))
    (call $return (i32.const 32) (i32.const 16)))

  (func (export "total_supply")
    (call $read_args (i32.const 0))
    (drop (call $sload_u128_to_32 (global.get $DISC_SUPPLY) (global.get $ZERO)))
    (call $return (i32.const 32) (i32.const 16)))

  ;; sload slot(disc, key) into 32..64 (returns sload's result code).
  (func $sload_u128_to_32 (param $disc i32) (param $key i32) (result i32)
    (call $slot (local.get $disc) (local.get $key))
    (call $sload (i32.const 0) (i32.const 32)))
)
