;; expect: reject
;; proposal: exception handling
(module (tag $e) (func (export "run") throw $e))
