;; expect: reject
;; proposal: typed function references
(module (type $t (func)) (func $f) (elem declare func $f)
  (func (export "run") (ref.func $f) (call_ref $t)))
