;; Fibonacci numbers, the first example of the pyde-ref README:
;;   pyde-ref run examples/fib.wasm fib 20            -> i64 6765
;;   pyde-ref run examples/fib.wasm fib_recursive 15  -> i64 610
;; fib(0) = 0, fib(1) = 1, fib(n) = fib(n-1) + fib(n-2), modulo 2^64.
(module
  ;; Iterative: a counting loop, fuel grows linearly with n.
  (func $fib (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))

  ;; Recursive: the textbook definition, fuel grows exponentially with n.
  (func $fib_recursive (export "fib_recursive") (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else
        (i64.add
          (call $fib_recursive (i32.sub (local.get $n) (i32.const 1)))
          (call $fib_recursive (i32.sub (local.get $n) (i32.const 2))))))))
