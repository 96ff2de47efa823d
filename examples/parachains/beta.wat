;; beta: answers every message it receives, and counts them.  Version 0.
;;
;;   receive_xparachain_message(message)  the engine's XCallDelivery: counts
;;                                        the message under "received", emits
;;                                        and returns "pong from v0: " || message
;;   version()                            parachain_version (ABI §8.2), u32 LE
(module
  (import "pyde" "calldata_size" (func $calldata_size (result i32)))
  (import "pyde" "calldata_copy" (func $calldata_copy (param i32 i32 i32) (result i32)))
  (import "pyde" "return" (func $return (param i32 i32)))
  (import "pyde" "parachain_storage_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "pyde" "parachain_storage_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "pyde" "parachain_emit_event" (func $emit (param i32 i32 i32 i32) (result i32)))
  (import "pyde" "parachain_version" (func $parachain_version (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "received")                            ;; the storage key (8 bytes)
  (data (i32.const 32) "beta: message received..........")  ;; the event topic (32 bytes)
  (data (i32.const 1024) "pong from v0: ")                    ;; the reply's prefix (14 bytes)

  (func (export "receive_xparachain_message")
    (local $n i32)
    (local.set $n (call $calldata_size))
    (drop (call $calldata_copy (i32.const 0) (local.get $n) (i32.const 1038)))
    (i32.store (i32.const 80) (i32.const 8))                         ;; read the counter (absent: 0)
    (drop (call $read (i32.const 16) (i32.const 8) (i32.const 88) (i32.const 80)))
    (i64.store (i32.const 88) (i64.add (i64.load (i32.const 88)) (i64.const 1)))
    (drop (call $write (i32.const 16) (i32.const 8) (i32.const 88) (i32.const 8)))
    (drop (call $emit (i32.const 32) (i32.const 32) (i32.const 1024) (i32.add (i32.const 14) (local.get $n))))
    (call $return (i32.const 1024) (i32.add (i32.const 14) (local.get $n))))

  (func (export "version")
    (i32.store (i32.const 96) (call $parachain_version))
    (call $return (i32.const 96) (i32.const 4)))
)
