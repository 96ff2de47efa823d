;; expect: reject
;; proposal: reference types (a second table)
(module (table 1 funcref) (table 1 funcref))
