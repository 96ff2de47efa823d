;; expect: reject
;; proposal: memory64
(module (memory i64 1))
