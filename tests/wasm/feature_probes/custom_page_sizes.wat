;; expect: reject
;; proposal: custom page sizes
(module (memory 1 (pagesize 1)))
