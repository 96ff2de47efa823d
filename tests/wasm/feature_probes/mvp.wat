;; expect: accept
;; proposal: the MVP (a bit of everything: memory, table, call_indirect, globals, loops)
(module
  (type $t (func (param i32) (result i32)))
  (memory (export "memory") 1 2)
  (table 2 funcref)
  (elem (i32.const 0) $id)
  (global $g (mut i32) (i32.const 0))
  (func $id (type $t) local.get 0)
  (func (export "run") (param i32) (result i32)
    (local i32)
    block
      loop
        local.get 0
        i32.eqz
        br_if 1
        local.get 0
        i32.const 1
        i32.sub
        local.set 0
        global.get $g
        i32.const 1
        i32.add
        global.set $g
        br 0
      end
    end
    global.get $g
    i32.const 0
    call_indirect (type $t)))
