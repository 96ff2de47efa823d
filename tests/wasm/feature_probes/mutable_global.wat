;; expect: accept
;; proposal: import/export of mutable globals
(module
  (import "env" "g" (global (mut i32)))
  (global (export "h") (mut i64) (i64.const 0)))
