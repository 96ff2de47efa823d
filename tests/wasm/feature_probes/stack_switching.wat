;; expect: reject
;; proposal: stack switching
(module (type $f (func)) (type $c (cont $f)))
