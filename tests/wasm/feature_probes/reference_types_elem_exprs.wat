;; expect: reject
;; proposal: reference types (element segment of expressions with ref.null)
(module (table 1 funcref) (elem (i32.const 0) funcref (ref.null func)))
