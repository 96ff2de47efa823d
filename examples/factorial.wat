;; Factorials, and a counting loop that shows --fuel at work:
;;   pyde-ref run examples/factorial.wasm fac 20          -> i64 2432902008176640000
;;   pyde-ref run examples/factorial.wasm fac_recursive 5 -> i64 120
;;   pyde-ref run examples/factorial.wasm count 1000 --fuel 100   -> trap: out_of_fuel
;;   pyde-ref run examples/factorial.wasm div 1 0         -> trap: integer_divide_by_zero
;; Products wrap modulo 2^64 (fac 21 and up overflow silently, as i64.mul does).
(module
  (func $fac (export "fac") (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $acc))

  (func $fac_recursive (export "fac_recursive") (param $n i64) (result i64)
    (if (result i64) (i64.le_u (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get $n)
                     (call $fac_recursive (i64.sub (local.get $n) (i64.const 1)))))))

  ;; Counts from 0 up to $n and returns how many iterations ran.
  (func $count (export "count") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))

  ;; Signed division: traps on a zero divisor and on INT32_MIN / -1.
  (func $div (export "div") (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b))))
