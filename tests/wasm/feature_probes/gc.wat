;; expect: reject
;; proposal: garbage collection
(module (type $s (struct (field i32))))
