;; expect: accept
;; proposal: non-trapping float-to-int conversions
(module (func (export "run") (param f64) (result i32)
  local.get 0 i32.trunc_sat_f64_s))
