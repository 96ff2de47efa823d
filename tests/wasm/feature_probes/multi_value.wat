;; expect: accept
;; proposal: multi-value (several results, block parameters)
(module (func (export "run") (param i32 i32) (result i32 i32)
  local.get 0 local.get 1
  block (param i32 i32) (result i32 i32) end))
