;; expect: reject
;; proposal: reference types (table.size)
(module (table 1 funcref) (func (export "run") (result i32) table.size 0))
