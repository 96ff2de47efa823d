;; expect: accept
;; proposal: sign-extension operators
(module (func (export "run") (param i64) (result i64)
  local.get 0 i64.extend32_s))
