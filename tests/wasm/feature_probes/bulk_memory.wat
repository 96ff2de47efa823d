;; expect: accept
;; proposal: bulk memory (passive segments, memory.copy/fill/init, table.init/copy, drops)
(module
  (memory 1)
  (table 4 funcref)
  (func $f)
  (data $d "hello")
  (elem $e func $f $f)
  (func (export "run")
    i32.const 0 i32.const 0 i32.const 5 memory.init $d
    data.drop $d
    i32.const 8 i32.const 0 i32.const 5 memory.copy
    i32.const 16 i32.const 7 i32.const 4 memory.fill
    i32.const 0 i32.const 0 i32.const 2 table.init $e
    elem.drop $e
    i32.const 2 i32.const 0 i32.const 2 table.copy))
