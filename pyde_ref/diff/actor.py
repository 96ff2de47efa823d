"""A template contract for whole-wave fuzzing: an *actor* that does what its
calldata says (issue 14, item 3).

An actor interprets its calldata as a small program of host-ABI operations,
so one template yields any mix of storage, events, value transfers, hashing,
context reads, fuel burning, reverts, traps, bulk memory, ``memory.grow`` and
``cross_call``/``cross_call_static``/``delegate_call`` to other contracts
(carrying their own programs), including a self-recursive chain down to the
executor's frame cap.  :class:`ActorVariant` varies the generated code per
contract (slot salt, memory size, which entries exist and with which
attributes, the order of the dispatch, an arithmetic prologue), so a wave's
contracts are different modules.

Entries (wasm type ``() -> ()``, ABI §3.5):

=============  =========================================================
``run``        the whole instruction set (``ENTRY``, ``PAYABLE`` and
               ``REENTRANT`` when the variant says so)
``peek``       the read-only subset (``ENTRY|VIEW``: no host function it
               can reach mutates state, so deploy's static view check
               passes)
``fallback``   ``run`` without a name (``FALLBACK``), when present
``receive``    emits one event (``RECEIVE``), when present
``constructor`` stores calldata byte 0 at slot 0 (``CONSTRUCTOR``), when
               present
=============  =========================================================

Each operation appends what it observed (status codes, loaded values,
return data...) to an output buffer that the entry returns
(``pyde::return``) at the end of the program, or reverts with (``REVERT``).
The program format is :data:`OPS`; :func:`pyde_ref.diff.wave_fuzz` writes
programs.
"""

from __future__ import annotations

import random
from typing import Optional

import attrs
from pyde_ref.abi import section
from pyde_ref.executor.testing import function_entry
from pyde_ref.wasm.text import wat_to_wasm

#: Operation codes: name -> (code, operand bytes description).  Operand
#: widths: ``u8``, ``u16`` (little-endian), ``addr`` (32 bytes), ``bytes``
#: (length given by the preceding operand).
OPS = {
    "SSTORE": 0x01,    # k:u8 v:u8           slot k := 32 × v; appends the status
    "SLOAD": 0x02,     # k:u8                appends status, then the 32-byte value
    "SDELETE": 0x03,   # k:u8                appends the status
    "EMIT": 0x04,      # t:u8 n:u8           topic 32 × t, data = first n output bytes
    "TRANSFER": 0x05,  # to:addr amount:u8   appends the status
    "CALL": 0x06,      # kind:u8 to:addr n:u8 name[n] value:u8 gas:u8 m:u16 program[m]
    "REVERT": 0x07,    #                     revert with the output so far
    "TRAP": 0x08,      # kind:u8             unreachable / divide by zero / out-of-bounds load
    "BURN": 0x09,      # n:u16               a loop of n iterations; appends its accumulator
    "CONTEXT": 0x0A,   # which:u8            appends caller/origin/self/value/tx hash/beacon/heights
    "GAS": 0x0B,       #                     appends tx_gas_remaining (8 bytes)
    "HASH": 0x0C,      # alg:u8 n:u8         hash of the first n output bytes
    "BULK": 0x0D,      # kind:u8 n:u16       memory.fill/copy of a runtime or constant length
    "GROW": 0x0E,      # n:u8                memory.grow by n & 3 pages; appends the result
    "BALANCE": 0x0F,   # of:addr             appends status and the balance (16 bytes)
    "DEEP": 0x10,      # n:u16               cross_call run([DEEP n-1]) on itself while n > 0
    "CONSUME": 0x11,   # n:u16               consume_gas(7 n); appends the status
    "CALLDATA": 0x12,  #                     appends calldata_size
    "MATH": 0x13,      # a:8 bytes b:8 bytes f64 add/mul/div/min, sqrt, f32 demote: appends the bits
}
#: Operations a view entry may run (none reaches a mutating host function).
VIEW_OPS = ("SLOAD", "CALL", "REVERT", "TRAP", "BURN", "CONTEXT", "GAS", "HASH", "BULK", "GROW", "BALANCE",
            "CALLDATA", "MATH")
#: ``CALL`` kinds.
CALL_KINDS = ("cross_call", "cross_call_static", "delegate_call")
#: Gas a caller keeps when it forwards "all" its gas (``CALL`` gas 0, ``DEEP``).
GAS_RESERVE = 30_000

IMPORTS = {
    "calldata_size": "(result i32)", "calldata_copy": "(param i32 i32 i32) (result i32)",
    "sload": "(param i32 i32) (result i32)", "sstore": "(param i32 i32) (result i32)",
    "sdelete": "(param i32) (result i32)", "emit_event": "(param i32 i32 i32 i32) (result i32)",
    "transfer": "(param i32 i32) (result i32)", "balance": "(param i32 i32) (result i32)",
    "cross_call": "(param i32 i32 i32 i32 i32 i32 i64 i32 i32) (result i32)",
    "cross_call_static": "(param i32 i32 i32 i32 i32 i64 i32 i32) (result i32)",
    "delegate_call": "(param i32 i32 i32 i32 i32 i64 i32 i32) (result i32)",
    "caller": "(param i32) (result i32)", "origin": "(param i32) (result i32)",
    "self_address": "(param i32) (result i32)", "tx_value": "(param i32) (result i32)",
    "tx_hash": "(param i32) (result i32)", "beacon_get": "(param i32) (result i32)",
    "block_height": "(result i64)", "wave_id": "(result i64)", "block_timestamp": "(result i64)",
    "chain_id": "(result i64)", "tx_gas_remaining": "(result i64)", "consume_gas": "(param i64) (result i32)",
    "hash_blake3": "(param i32 i32 i32) (result i32)", "hash_keccak256": "(param i32 i32 i32) (result i32)",
    "hash_poseidon2": "(param i32 i32 i32) (result i32)",
    "return": "(param i32 i32)", "revert": "(param i32 i32)",
}

# Memory map (all inside the first page):
#      0..32   slot          32..64  value        64..96  self address
#     96..128  topic        128..144 value (u128) 144..148 return-data length
#    160..176  balance      192..224 hash output  256..512 constant strings
#   1024..9216 output      9216..16384 scratch (bulk operations)
#  16384..49152 calldata   49152..57344 cross-call return data
#  57344..57347 DEEP's sub-program
OUT, OUT_END, SCRATCH, CD, CD_MAX, RET, RET_MAX, SUB = 1024, 9216, 9216, 16384, 32768, 49152, 8192, 57344


@attrs.frozen
class ActorVariant:
    """What differs between two actors' code."""

    salt: bytes  # 8 bytes: the first bytes of every slot
    pages: int  # initial memory pages (1-3)
    payable: bool
    reentrant: bool
    fallback: bool
    receive: bool
    constructor: bool
    order: tuple[str, ...]  # dispatch order of the full instruction set
    prologue: tuple[tuple[str, int], ...]  # arithmetic over calldata_size, appended first

    @classmethod
    def random(cls, rng: random.Random) -> "ActorVariant":
        order = list(OPS)
        rng.shuffle(order)
        prologue = tuple((rng.choice(("i32.add", "i32.mul", "i32.xor", "i32.rotl", "i32.sub", "i32.shr_u")),
                          rng.getrandbits(32)) for _ in range(rng.randint(0, 4)))
        return cls(salt=rng.randbytes(8), pages=rng.randint(1, 3), payable=rng.random() < 0.7,
                   reentrant=rng.random() < 0.8, fallback=rng.random() < 0.4, receive=rng.random() < 0.4,
                   constructor=rng.random() < 0.5, order=tuple(order), prologue=prologue)

    def abi_functions(self) -> list[dict]:
        """The functions of the ``pyde.abi`` section (name, attribute names)."""
        run = ["entry"] + (["payable"] if self.payable else []) + (["reentrant"] if self.reentrant else [])
        functions = [{"name": "run", "attributes": run}, {"name": "peek", "attributes": ["entry", "view"]}]
        if self.fallback:
            functions.append({"name": "fallback", "attributes": ["fallback"] + (["payable"] if self.payable else [])})
        if self.receive:
            functions.append({"name": "receive", "attributes": ["receive", "payable"]})
        if self.constructor:
            functions.append({"name": "constructor", "attributes": ["constructor"]})
        return functions


def _op_bodies() -> dict[str, str]:
    """WAT of each operation's function (``$op_<NAME>``), reading its operands
    with ``$u8``/``$u16``/``$take``."""
    return {
        "SSTORE": """(local $k i32) (local $v i32)
    (local.set $k (call $u8)) (local.set $v (call $u8))
    (call $slot (local.get $k)) (call $fill (i32.const 32) (i32.const 32) (local.get $v))
    (call $put_i32 (call $sstore (i32.const 0) (i32.const 32)))""",
        "SLOAD": """(call $slot (call $u8))
    (call $put_i32 (call $sload (i32.const 0) (i32.const 32)))
    (call $put (i32.const 32) (i32.const 32))""",
        "SDELETE": """(call $slot (call $u8))
    (call $put_i32 (call $sdelete (i32.const 0)))""",
        "EMIT": """(local $n i32)
    (call $fill (i32.const 96) (i32.const 32) (call $u8))
    (local.set $n (call $u8))
    (if (i32.gt_u (local.get $n) (global.get $out)) (then (local.set $n (global.get $out))))
    (call $put_i32 (call $emit_event (i32.const 96) (i32.const 32) (i32.const 1024) (local.get $n)))""",
        "TRANSFER": """(local $to i32)
    (local.set $to (call $take (i32.const 32)))
    (call $amount (call $u8))
    (call $put_i32 (call $transfer (local.get $to) (i32.const 128)))""",
        "CALL": f"""(local $kind i32) (local $to i32) (local $n i32) (local $name i32) (local $g i32)
    (local $m i32) (local $prog i32) (local $gas i64) (local $status i32) (local $len i32)
    (local.set $kind (i32.rem_u (call $u8) (i32.const 3)))
    (local.set $to (call $take (i32.const 32)))
    (local.set $n (call $u8)) (local.set $name (call $take (local.get $n)))
    (call $amount (call $u8))
    (local.set $g (call $u8))
    (local.set $m (call $u16)) (local.set $prog (call $take (local.get $m)))
    (local.set $gas (call $forward_gas))
    (if (local.get $g) (then (local.set $gas (i64.mul (i64.extend_i32_u (local.get $g)) (i64.const 1000)))))
    (if (i32.eq (local.get $g) (i32.const 255)) (then (local.set $gas (i64.const 0))))
    (i32.store (i32.const 144) (i32.const 0))
    (if (i32.eqz (local.get $kind))
      (then (local.set $status (call $cross_call (local.get $to) (local.get $name) (local.get $n)
              (local.get $prog) (local.get $m) (i32.const 128) (local.get $gas) (i32.const {RET}) (i32.const 144)))))
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then (local.set $status (call $cross_call_static (local.get $to) (local.get $name) (local.get $n)
              (local.get $prog) (local.get $m) (local.get $gas) (i32.const {RET}) (i32.const 144)))))
    (if (i32.eq (local.get $kind) (i32.const 2))
      (then (local.set $status (call $delegate_call (local.get $to) (local.get $name) (local.get $n)
              (local.get $prog) (local.get $m) (local.get $gas) (i32.const {RET}) (i32.const 144)))))
    (local.set $len (i32.load (i32.const 144)))
    (call $put_i32 (local.get $status)) (call $put_i32 (local.get $len))
    (if (i32.gt_u (local.get $len) (i32.const 64)) (then (local.set $len (i32.const 64))))
    (call $put (i32.const {RET}) (local.get $len))""",
        "REVERT": """(call $revert (i32.const 1024) (global.get $out)) (unreachable)""",
        "TRAP": """(local $k i32)
    (local.set $k (i32.rem_u (call $u8) (i32.const 3)))
    (if (i32.eqz (local.get $k)) (then (unreachable)))
    (if (i32.eq (local.get $k) (i32.const 1))
      (then (drop (i32.div_s (i32.const 1) (i32.sub (local.get $k) (i32.const 1))))))
    (drop (i32.load (i32.const -16)))""",
        "BURN": """(local $n i32) (local $i i32) (local $acc i32)
    (local.set $n (call $u16))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (call $put_i32 (local.get $acc))""",
        "CONTEXT": """(local $w i32)
    (local.set $w (i32.rem_u (call $u8) (i32.const 10)))
    (if (i32.eqz (local.get $w)) (then (drop (call $caller (i32.const 96))) (call $put (i32.const 96) (i32.const 32))))
    (if (i32.eq (local.get $w) (i32.const 1)) (then (drop (call $origin (i32.const 96))) (call $put (i32.const 96) (i32.const 32))))
    (if (i32.eq (local.get $w) (i32.const 2)) (then (drop (call $self_address (i32.const 96))) (call $put (i32.const 96) (i32.const 32))))
    (if (i32.eq (local.get $w) (i32.const 3)) (then (drop (call $tx_value (i32.const 160))) (call $put (i32.const 160) (i32.const 16))))
    (if (i32.eq (local.get $w) (i32.const 4)) (then (drop (call $tx_hash (i32.const 96))) (call $put (i32.const 96) (i32.const 32))))
    (if (i32.eq (local.get $w) (i32.const 5)) (then (drop (call $beacon_get (i32.const 96))) (call $put (i32.const 96) (i32.const 32))))
    (if (i32.eq (local.get $w) (i32.const 6)) (then (call $put_i64 (call $block_height))))
    (if (i32.eq (local.get $w) (i32.const 7)) (then (call $put_i64 (call $wave_id))))
    (if (i32.eq (local.get $w) (i32.const 8)) (then (call $put_i64 (call $block_timestamp))))
    (if (i32.eq (local.get $w) (i32.const 9)) (then (call $put_i64 (call $chain_id))))""",
        "GAS": """(call $put_i64 (call $tx_gas_remaining))""",
        "HASH": """(local $a i32) (local $n i32)
    (local.set $a (i32.rem_u (call $u8) (i32.const 3)))
    (local.set $n (call $u8))
    (if (i32.gt_u (local.get $n) (global.get $out)) (then (local.set $n (global.get $out))))
    (if (i32.eqz (local.get $a)) (then (call $put_i32 (call $hash_blake3 (i32.const 1024) (local.get $n) (i32.const 192)))))
    (if (i32.eq (local.get $a) (i32.const 1)) (then (call $put_i32 (call $hash_keccak256 (i32.const 1024) (local.get $n) (i32.const 192)))))
    (if (i32.eq (local.get $a) (i32.const 2)) (then (call $put_i32 (call $hash_poseidon2 (i32.const 1024) (local.get $n) (i32.const 192)))))
    (call $put (i32.const 192) (i32.const 32))""",
        # lengths come from i32.and (a runtime value Cranelift cannot see as
        # constant) or from i32.const: never ambiguous (classify.has_ambiguous_length)
        "BULK": f"""(local $k i32) (local $n i32)
    (local.set $k (i32.and (call $u8) (i32.const 3)))
    (local.set $n (call $u16))
    (if (i32.eqz (local.get $k))
      (then (memory.fill (i32.const {SCRATCH}) (local.get $k) (i32.and (local.get $n) (i32.const 0x1fff)))))
    (if (i32.eq (local.get $k) (i32.const 1))
      (then (memory.copy (i32.const {SCRATCH + 64}) (i32.const {SCRATCH}) (i32.and (local.get $n) (i32.const 0x1fff)))))
    (if (i32.eq (local.get $k) (i32.const 2)) (then (memory.fill (i32.const {SCRATCH}) (i32.const 7) (i32.const 100))))
    (if (i32.eq (local.get $k) (i32.const 3)) (then (memory.fill (i32.const {SCRATCH}) (i32.const 9) (i32.const 1000))))
    (call $put (i32.const {SCRATCH}) (i32.const 8))""",
        "GROW": """(call $put_i32 (memory.grow (i32.and (call $u8) (i32.const 3))))""",
        "BALANCE": """(call $put_i32 (call $balance (call $take (i32.const 32)) (i32.const 160)))
    (call $put (i32.const 160) (i32.const 16))""",
        "DEEP": f"""(local $n i32) (local $status i32) (local $len i32)
    (local.set $n (call $u16))
    (if (local.get $n)
      (then
        (drop (call $self_address (i32.const 64)))
        (i32.store8 (i32.const {SUB}) (i32.const 0x10))
        (i32.store16 (i32.const {SUB + 1}) (i32.sub (local.get $n) (i32.const 1)))
        (call $amount (i32.const 0))
        (i32.store (i32.const 144) (i32.const 0))
        (local.set $status (call $cross_call (i32.const 64) (i32.const 256) (i32.const 3) (i32.const {SUB})
          (i32.const 3) (i32.const 128) (call $forward_gas) (i32.const {RET}) (i32.const 144)))
        (local.set $len (i32.load (i32.const 144)))
        (if (i32.gt_u (local.get $len) (i32.const 16)) (then (local.set $len (i32.const 16))))
        (call $put_i32 (local.get $status))
        (call $put (i32.const {RET}) (local.get $len))))""",
        "CONSUME": """(call $put_i32 (call $consume_gas (i64.mul (i64.extend_i32_u (call $u16)) (i64.const 7))))""",
        "CALLDATA": """(call $put_i32 (call $calldata_size))""",
        "MATH": """(local $a f64) (local $b f64)
    (local.set $a (f64.load (call $take (i32.const 8))))
    (local.set $b (f64.load (call $take (i32.const 8))))
    (call $put_i64 (i64.reinterpret_f64 (f64.add (local.get $a) (local.get $b))))
    (call $put_i64 (i64.reinterpret_f64 (f64.mul (local.get $a) (local.get $b))))
    (call $put_i64 (i64.reinterpret_f64 (f64.div (local.get $a) (local.get $b))))
    (call $put_i64 (i64.reinterpret_f64 (f64.min (local.get $a) (local.get $b))))
    (call $put_i64 (i64.reinterpret_f64 (f64.sqrt (local.get $a))))
    (call $put_i32 (i32.reinterpret_f32 (f32.demote_f64 (local.get $b))))""",
    }


_HELPERS = f"""
  (global $pc (mut i32) (i32.const {CD}))
  (global $end (mut i32) (i32.const {CD}))
  (global $out (mut i32) (i32.const 0))
  (data (i32.const 256) "run")
  (data (i32.const 260) "receive")
  ;; operands: read at $pc, past the end reads as 0 (the program just stops)
  (func $u8 (result i32) (local $v i32)
    (if (i32.ge_u (global.get $pc) (global.get $end)) (then (return (i32.const 0))))
    (local.set $v (i32.load8_u (global.get $pc)))
    (global.set $pc (i32.add (global.get $pc) (i32.const 1)))
    (local.get $v))
  (func $u16 (result i32)
    (i32.or (call $u8) (i32.shl (call $u8) (i32.const 8))))
  (func $take (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $pc))
    (global.set $pc (i32.add (global.get $pc) (local.get $n)))
    (local.get $p))
  ;; output: appended byte by byte up to the buffer's end
  (func $put (param $p i32) (param $n i32) (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (br_if $done (i32.ge_u (global.get $out) (i32.const {OUT_END - OUT})))
      (i32.store8 (i32.add (i32.const {OUT}) (global.get $out)) (i32.load8_u (i32.add (local.get $p) (local.get $i))))
      (global.set $out (i32.add (global.get $out) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func $put_i32 (param $v i32)
    (i32.store (i32.const 240) (local.get $v)) (call $put (i32.const 240) (i32.const 4)))
  (func $put_i64 (param $v i64)
    (i64.store (i32.const 240) (local.get $v)) (call $put (i32.const 240) (i32.const 8)))
  (func $fill (param $p i32) (param $n i32) (param $b i32) (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (local.get $p) (local.get $i)) (local.get $b))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  ;; slot k: the salt, zeros, k in the last byte
  (func $slot (param $k i32)
    (i64.store (i32.const 0) (i64.load (i32.const 300)))
    (call $fill (i32.const 8) (i32.const 24) (i32.const 0))
    (i32.store8 (i32.const 31) (local.get $k)))
  ;; a u128 amount at 128
  (func $amount (param $a i32)
    (i64.store (i32.const 128) (i64.extend_i32_u (local.get $a)))
    (i64.store (i32.const 136) (i64.const 0)))
  (func $forward_gas (result i64) (local $left i64)
    (local.set $left (call $tx_gas_remaining))
    (select (i64.sub (local.get $left) (i64.const {GAS_RESERVE})) (i64.const 0)
            (i64.gt_u (local.get $left) (i64.const {GAS_RESERVE}))))
  (func $load_calldata (local $n i32)
    (local.set $n (call $calldata_size))
    (if (i32.gt_u (local.get $n) (i32.const {CD_MAX})) (then (local.set $n (i32.const {CD_MAX}))))
    (drop (call $calldata_copy (i32.const 0) (local.get $n) (i32.const {CD})))
    (global.set $pc (i32.const {CD}))
    (global.set $end (i32.add (i32.const {CD}) (local.get $n))))
  (func $finish (call $return (i32.const {OUT}) (global.get $out)))
"""


def _interpreter(name: str, ops: tuple[str, ...]) -> str:
    """``$<name>``: run operations until the program ends (code 0 or an
    operation this interpreter does not have)."""
    cases = "\n".join(f"      (if (i32.eq (local.get $op) (i32.const {OPS[op]})) (then (call $op_{op}) (br $next)))"
                      for op in ops)
    return f"""
  (func ${name} (local $op i32)
    (block $stop (loop $next
      (br_if $stop (i32.ge_u (global.get $pc) (global.get $end)))
      (local.set $op (call $u8))
{cases}
      (br $stop))))"""


def actor_wat(variant: ActorVariant) -> str:
    """The module text of an actor (see the module docstring)."""
    imports = "\n".join(f'  (import "pyde" "{name}" (func ${name} {sig}))' for name, sig in IMPORTS.items())
    bodies = _op_bodies()
    ops = "\n".join(f"  (func $op_{op}\n    {bodies[op]})" for op in variant.order)
    view_order = tuple(op for op in variant.order if op in VIEW_OPS)
    prologue = "".join(f"\n    (local.set $x ({op} (local.get $x) (i32.const {k & 0x7FFF_FFFF})))"
                       for op, k in variant.prologue)
    entries = f"""
  (func $start_program (local $x i32)
    (call $load_calldata)
    (local.set $x (call $calldata_size)){prologue}
    (call $put_i32 (local.get $x)))
  (func (export "run") (call $start_program) (call $interp_full) (call $finish))
  (func (export "peek") (call $start_program) (call $interp_view) (call $finish))"""
    if variant.fallback:
        entries += '\n  (func (export "fallback") (call $start_program) (call $interp_full) (call $finish))'
    if variant.receive:
        entries += ('\n  (func (export "receive") (drop (call $tx_value (i32.const 160)))'
                    '\n    (call $fill (i32.const 96) (i32.const 32) (i32.const 0x5e))'
                    '\n    (drop (call $emit_event (i32.const 96) (i32.const 32) (i32.const 160) (i32.const 16))))')
    if variant.constructor:
        entries += ('\n  (func (export "constructor") (call $load_calldata)'
                    '\n    (call $slot (i32.const 0)) (call $fill (i32.const 32) (i32.const 32) (call $u8))'
                    '\n    (drop (call $sstore (i32.const 0) (i32.const 32))))')
    salt = "".join(f"\\{b:02x}" for b in variant.salt)
    return (f"(module\n{imports}\n  (memory (export \"memory\") {variant.pages})\n"
            f"  (data (i32.const 300) \"{salt}\")\n{_HELPERS}\n{ops}\n"
            f"{_interpreter('interp_full', variant.order)}\n{_interpreter('interp_view', view_order)}\n"
            f"{entries}\n)\n")


def slot_of(variant: ActorVariant, k: int) -> bytes:
    """The storage slot ``SSTORE k``/``SLOAD k`` of ``variant`` use."""
    return variant.salt + bytes(23) + bytes([k])


_BUILT: dict[ActorVariant, bytes] = {}


def build_actor(variant: ActorVariant) -> bytes:
    """The deployable module (text converted by wasm-tools, ``pyde.abi`` embedded)."""
    module = _BUILT.get(variant)
    if module is None:
        module = section.embed_abi(wat_to_wasm(actor_wat(variant)),
                                   section.contract_abi([function_entry(f) for f in variant.abi_functions()]))
        if len(_BUILT) > 256:
            _BUILT.clear()
        _BUILT[variant] = module
    return module


def program(*parts: bytes) -> bytes:
    return b"".join(parts)


def op(name: str, *operands: Optional[bytes]) -> bytes:
    return bytes([OPS[name]]) + b"".join(o for o in operands if o)
