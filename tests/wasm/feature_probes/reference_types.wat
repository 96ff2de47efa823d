;; expect: reject
;; proposal: reference types (externref)
(module (func (export "run") (param externref) (result externref) local.get 0))
