;; alpha: a parachain that pings another parachain and keeps the reply.
;;
;;   ping(target_id[32] || message)  sends `message` to `target_id`
;;                                   (send_xparachain_message, ABI §8.4) with
;;                                   the callback on_pong, 100,000 callback gas
;;                                   and a 10-wave timeout; returns the XCallId
;;   on_pong(callback context)       the engine's XCallCallback, a later wave:
;;                                   stores the context under "reply" and emits it
;;   last_reply()                    the stored context (view)
(module
  (import "pyde" "calldata_size" (func $calldata_size (result i32)))
  (import "pyde" "calldata_copy" (func $calldata_copy (param i32 i32 i32) (result i32)))
  (import "pyde" "return" (func $return (param i32 i32)))
  (import "pyde" "revert" (func $revert (param i32 i32)))
  (import "pyde" "send_xparachain_message" (func $send (param i32 i32 i32 i32 i32 i64 i64) (result i64)))
  (import "pyde" "parachain_storage_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "pyde" "parachain_storage_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "pyde" "parachain_emit_event" (func $emit (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "on_pong")                              ;; the callback's name (7 bytes)
  (data (i32.const 16) "reply")                               ;; the storage key (5 bytes)
  (data (i32.const 32) "alpha: reply received............")  ;; the event topic (32 bytes)

  (func (export "ping")
    (local $n i32)
    (local.set $n (call $calldata_size))
    (drop (call $calldata_copy (i32.const 0) (local.get $n) (i32.const 1024)))
    (i64.store (i32.const 64)
      (call $send (i32.const 1024)                                    ;; target id
                  (i32.const 1056) (i32.sub (local.get $n) (i32.const 32))  ;; message
                  (i32.const 0) (i32.const 7)                          ;; callback "on_pong"
                  (i64.const 100000) (i64.const 10)))
    (if (i64.lt_s (i64.load (i32.const 64)) (i64.const 0))
      (then (call $revert (i32.const 64) (i32.const 8))))            ;; an ABI §4 code
    (call $return (i32.const 64) (i32.const 8)))                     ;; the XCallId

  (func (export "on_pong")
    (local $n i32)
    (local.set $n (call $calldata_size))
    (drop (call $calldata_copy (i32.const 0) (local.get $n) (i32.const 1024)))
    (drop (call $write (i32.const 16) (i32.const 5) (i32.const 1024) (local.get $n)))
    (drop (call $emit (i32.const 32) (i32.const 32) (i32.const 1024) (local.get $n))))

  (func (export "last_reply")
    (i32.store (i32.const 80) (i32.const 4096))                      ;; the buffer's capacity
    (drop (call $read (i32.const 16) (i32.const 5) (i32.const 1024) (i32.const 80)))
    (call $return (i32.const 1024) (i32.load (i32.const 80))))
)
