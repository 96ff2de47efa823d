;; expect: reject
;; proposal: multi-memory
(module (memory 1) (memory 1))
