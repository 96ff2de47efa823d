;; expect: reject
;; proposal: reference types (typed select)
(module (func (export "run") (result i32)
  i32.const 1 i32.const 2 i32.const 0 select (result i32)))
