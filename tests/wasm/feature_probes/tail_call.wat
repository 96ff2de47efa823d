;; expect: reject
;; proposal: tail calls
(module (func $f) (func (export "run") return_call $f))
