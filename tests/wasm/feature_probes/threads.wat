;; expect: reject
;; proposal: threads (shared memory, atomics)
(module (memory 1 1 shared)
  (func (export "run") (result i32) i32.const 0 i32.atomic.load))
