"""The two execution tiers are one machine: the fast tier (pre-decoded, fused,
run-charged) computes exactly what the reading tier (§4.4 as the spec states
it) computes -- results, trap kind, fuel, memory, globals, host calls -- for
every budget.  Also: the reading tier's observer sees every executed
instruction, and nothing charges fuel that the cost table does not name."""

from __future__ import annotations

import functools
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paths import BENCHMARKS
from pyde_ref.wasm import eval as reading
from pyde_ref.wasm import fuel, instructions
from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import Trap, TrapKind
from pyde_ref.wasm.exec import instantiate, invoke
from pyde_ref.wasm.fuel import FuelMeter
from pyde_ref.wasm.runtime import ExternVal, HostFunc, MachineConfig, Store, value_fits
from pyde_ref.wasm.syntax import FuncType
from pyde_ref.wasm.text import wat_to_wasm
from pyde_ref.wasm.valid import validate_module

TIERS = ("fast", "reading")
TYPES = ("i32", "i64", "f32", "f64")
M32 = 0xFFFF_FFFF


def host_function(caller, args):
    """Charges some gas, traps on 13, calls nothing back."""
    (x,) = args
    if x == 13:
        raise Trap("host_trap", "thirteen")
    caller.fuel.charge(x % 5)
    return [(x * 3) & M32]


HOST = HostFunc(FuncType(("i32",), ("i32",)), host_function, "host")


def run_on(tier: str, wasm: bytes, func: str, args, budget, observer=None, details=None):
    """Everything observable after instantiating ``wasm`` and calling ``func``
    (a trap's detail text is added to ``details``)."""
    details = [] if details is None else details
    module = decode_module(wasm)
    validate_module(module)
    store = Store(MachineConfig(tier=tier, observer=observer))
    imports = [ExternVal("func", store.alloc_host_func(HOST)) for _ in module.imports]
    inst = instantiate(store, module, imports)
    meter = FuelMeter(budget)
    try:
        outcome = invoke(store, inst.export(func).addr, list(args), meter)
    except Trap as trap:
        outcome = trap.kind
        details.append(trap.detail)  # the same words on both tiers too
    memory = hashlib.sha256(bytes(store.mems[0].data)).hexdigest() if store.mems else None
    return (outcome, meter.consumed, meter.remaining, memory, [g.value for g in store.globals],
            [len(d.data) for d in store.datas], [len(e.elements) for e in store.elems],
            [t.elements for t in store.tables])


def assert_tiers_agree(wasm: bytes, func: str, args, budget) -> None:
    fast_details, reading_details = [], []
    assert run_on("fast", wasm, func, args, budget, details=fast_details) == \
        run_on("reading", wasm, func, args, budget, details=reading_details)
    assert fast_details == reading_details


# ---------------------------------------------------------------------------
# Generated function bodies
# ---------------------------------------------------------------------------

CONSTANTS = {
    "i32": ["0", "1", "2", "7", "13", "-1", "0x7fffffff", "0x80000000", "65535", "65536"],
    "i64": ["0", "1", "7", "-1", "0x7fffffffffffffff", "0x8000000000000000", "4294967296"],
    "f32": ["0.0", "-0.0", "1.5", "-2.5", "inf", "-inf", "nan", "nan:0x200000", "-nan:0x1", "3e38", "1e-45"],
    "f64": ["0.0", "-0.0", "1.5", "-2.5", "inf", "-inf", "nan", "nan:0x4000000000000", "1e308", "4.9e-324"],
}
ADDRESSES = ["0", "1", "8", "100", "65528", "65532", "65535", "65536", "131064", "196600", "-1"]
OFFSETS = [0, 0, 0, 4, 65530, 196605, 4294967295]
NUMERIC_BY_RESULT = {
    t: [(name, instructions.BY_NAME[name].signature[0]) for name in instructions.NUMERIC_OPERATORS
        if instructions.BY_NAME[name].signature[1] == (t,)]
    for t in TYPES
}
LOADS_BY_TYPE = {t: [name for name, access in instructions.LOADS.items() if access.valtype == t] for t in TYPES}
STORES_BY_TYPE = {t: [name for name, access in instructions.STORES.items() if access.valtype == t] for t in TYPES}
LOCALS = {t: (i, 4 + i) for i, t in enumerate(TYPES)}  # a parameter and a declared local of each type


class BodyGenerator:
    """A well-typed flat function body drawn from hypothesis data: every
    instruction family, structured control with branches of the right arity,
    calls (direct, indirect, recursive, host), bulk memory and table
    instructions, traps of every kind."""

    def __init__(self, data, result: str):
        self.data = data
        self.result = result
        self.labels: list = [result]  # what a branch to each enclosing label carries, innermost last

    def pick(self, options):
        return self.data.draw(st.sampled_from(options))

    def const(self, t: str) -> list[str]:
        return [f"{t}.const {self.pick(CONSTANTS[t])}"]

    def address(self, depth: int) -> list[str]:
        if depth and self.data.draw(st.booleans()):
            return self.expr("i32", depth - 1)
        return [f"i32.const {self.pick(ADDRESSES)}"]

    def small(self) -> list[str]:
        return [f"i32.const {self.pick(['0', '1', '2', '3', '5', '70000'])}"]

    def expr(self, t: str, depth: int) -> list[str]:
        """Instructions that leave one value of type ``t``."""
        kinds = ["const", "local"] + (["global"] if depth < 2 else [])
        if depth > 0:
            kinds += ["numeric", "numeric", "numeric", "load", "block", "if", "loop", "select", "call", "tee",
                      "recurse"]
            if t == "i32":
                kinds += ["size", "grow", "host", "indirect"]
        kind = self.pick(kinds)
        d = depth - 1
        if kind == "const":
            return self.const(t)
        if kind == "local":
            return [f"local.get {self.pick(LOCALS[t])}"]
        if kind == "global":
            return [f"global.get $g_{t}"]
        if kind == "numeric":
            op, params = self.pick(NUMERIC_BY_RESULT[t])
            return [i for p in params for i in self.expr(p, d)] + [op]
        if kind == "load":
            return self.address(d) + [f"{self.pick(LOADS_BY_TYPE[t])} offset={self.pick(OFFSETS)}"]
        if kind == "block":
            return [f"block (result {t})"] + self.block_body(t, t, d) + ["end"]
        if kind == "if":
            return (self.expr("i32", d) + [f"if (result {t})"] + self.block_body(t, t, d) + ["else"]
                    + self.block_body(t, t, d) + ["end"])
        if kind == "loop":
            return [f"loop (result {t})"] + self.block_body(None, t, d) + ["end"]
        if kind == "select":
            return self.expr(t, d) + self.expr(t, d) + self.expr("i32", d) + ["select"]
        if kind == "call":
            return self.expr("i32", d) + [f"call $h_{t}"]
        if kind == "tee":
            return self.expr(t, d) + [f"local.tee {self.pick(LOCALS[t])}"]
        if kind == "recurse":
            if t != self.result:
                return self.const(t)
            return [i for p in TYPES for i in self.expr(p, 0)] + ["call $main"]
        if kind == "size":
            return ["memory.size"]
        if kind == "grow":
            return self.small() + ["memory.grow"]
        if kind == "host":
            return self.expr("i32", d) + ["call $host"]
        return self.expr("i32", d) + [f"i32.const {self.pick(['0', '1', '2', '3', '4', '9'])}",
                                      "call_indirect (type $ti32)"]

    def block_body(self, carried, t: str, depth: int) -> list[str]:
        """Statements, then a value of type ``t``, inside a block whose
        label carries ``carried`` (None for a loop)."""
        self.labels.append(carried)
        body = [i for _ in range(self.data.draw(st.integers(0, 2))) for i in self.stmt(depth)]
        body += self.expr(t, depth)
        self.labels.pop()
        return body

    def branch_targets(self, carried) -> list[int]:
        return [len(self.labels) - 1 - i for i, c in enumerate(self.labels) if c == carried]

    def stmt(self, depth: int) -> list[str]:
        """Instructions that leave the stack as it was (or branch away)."""
        kinds = ["drop", "set", "global", "store", "nop"]
        if depth > 0:
            kinds += ["br_if", "br_if", "br", "br_table", "block", "loop", "if", "fill", "copy", "init",
                      "data_drop", "table", "return", "unreachable"]
        kind = self.pick(kinds)
        d = max(depth - 1, 0)
        if kind == "drop":
            return self.expr(self.pick(TYPES), d) + ["drop"]
        if kind == "set":
            t = self.pick(TYPES)
            return self.expr(t, d) + [f"local.set {self.pick(LOCALS[t])}"]
        if kind == "global":
            t = self.pick(TYPES)
            return self.expr(t, d) + [f"global.set $g_{t}"]
        if kind == "store":
            t = self.pick(TYPES)
            return self.address(d) + self.expr(t, d) + [f"{self.pick(STORES_BY_TYPE[t])} offset={self.pick(OFFSETS)}"]
        if kind == "nop":
            return ["nop"]
        if kind in ("br_if", "br", "br_table"):
            carried = self.pick(self.labels)
            value = self.expr(carried, d) if carried else []
            targets = self.branch_targets(carried)
            if kind == "br":
                return value + [f"br {self.pick(targets)}"]
            if kind == "br_if":
                return value + self.expr("i32", d) + [f"br_if {self.pick(targets)}"] + (["drop"] if carried else [])
            table = [str(self.pick(targets)) for _ in range(self.data.draw(st.integers(0, 3)))]
            return value + self.expr("i32", d) + ["br_table " + " ".join(table + [str(self.pick(targets))])]
        if kind == "block":
            self.labels.append(None)
            body = [i for _ in range(self.data.draw(st.integers(1, 3))) for i in self.stmt(d)]
            self.labels.pop()
            return ["block"] + body + ["end"]
        if kind == "loop":
            # A loop that runs until fuel or a branch ends it, counting in a global.
            self.labels.append(None)
            body = self.stmt(d) + ["global.get $g_i32", "i32.const 1", "i32.add", "global.set $g_i32",
                                   "global.get $g_i32", "i32.const 3", "i32.rem_u", "br_if 0"]
            self.labels.pop()
            return ["loop"] + body + ["end"]
        if kind == "if":
            self.labels.append(None)
            then, other = self.stmt(d), self.stmt(d)
            self.labels.pop()
            return self.expr("i32", d) + ["if"] + then + ["else"] + other + ["end"]
        if kind in ("fill", "copy"):
            return self.address(d) + self.address(d) + self.small() + [f"memory.{kind}"]
        if kind == "init":
            return self.address(d) + self.small() + self.small() + ["memory.init $d"]
        if kind == "data_drop":
            return ["data.drop $d"]
        if kind == "table":
            op = self.pick(["table.copy", "table.init $e", "elem.drop $e"])
            return [op] if op == "elem.drop $e" else self.small() + self.small() + self.small() + [op]
        if kind == "return":
            return self.expr(self.result, d) + ["return"]
        return ["unreachable"] if self.data.draw(st.integers(0, 3)) == 0 else ["nop"]


def module_text(body: list[str], result: str) -> str:
    globals_ = " ".join(f'(global $g_{t} (export "g_{t}") (mut {t}) ({t}.const 0))' for t in TYPES)
    helpers = '''
      (func $h_i32 (param i32) (result i32) local.get 0 i32.const 1 i32.add)
      (func $h_i64 (param i32) (result i64) local.get 0 i64.extend_i32_s)
      (func $h_f32 (param i32) (result f32) local.get 0 f32.convert_i32_s)
      (func $h_f64 (param i32) (result f64) local.get 0 f64.convert_i32_u)'''
    return f'''(module
      (type $ti32 (func (param i32) (result i32)))
      (import "env" "host" (func $host (param i32) (result i32)))
      (memory (export "mem") 1 3)
      {globals_}
      (table 4 funcref) (elem (i32.const 0) $h_i32 $h_i64 $host)
      (elem $e func $h_i32 $h_f64 $h_i32)
      (data $d "hello, world") (data (i32.const 16) "\\01\\02\\03")
      {helpers}
      (func $main (export "main") (param i32 i64 f32 f64) (result {result}) (local i32 i64 f32 f64)
        {" ".join(body)}))'''


ARGUMENTS = st.tuples(st.sampled_from([0, 1, 2, 13, 65535, M32]), st.sampled_from([0, 1, 2**63, 2**64 - 1]),
                      st.sampled_from([0, 0x3FC00000, 0x7FC00000, 0xFF800000]),
                      st.sampled_from([0, 0x3FF8000000000000, 0x7FF8000000000001]))


def generated_module(data) -> bytes:
    """A module whose ``main`` is a generated body (:class:`BodyGenerator`)."""
    result = data.draw(st.sampled_from(TYPES))
    generator = BodyGenerator(data, result)
    body = [i for _ in range(data.draw(st.integers(1, 4))) for i in generator.stmt(3)] + generator.expr(result, 3)
    return wat_to_wasm(module_text(body, result))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_bodies_agree_on_both_tiers_for_any_budget(data):
    wasm = generated_module(data)
    args = data.draw(ARGUMENTS)
    budgets = [data.draw(st.integers(0, 60)), data.draw(st.integers(0, 3000)), 20_000]
    for budget in budgets:
        assert_tiers_agree(wasm, "main", args, budget)


# ---------------------------------------------------------------------------
# Whole programs: the C hash functions, fib, a scanning loop
# ---------------------------------------------------------------------------

HASH_WASM = (BENCHMARKS / "hash.wasm").read_bytes()
FIB = wat_to_wasm('''(module (func $fib (export "fib") (param i32) (result i32)
  (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
    (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                   (call $fib (i32.sub (local.get 0) (i32.const 2))))))))''')


@pytest.mark.parametrize("wasm,func,args", [(FIB, "fib", [15]), (HASH_WASM, "fill", [512, 3])])
@settings(max_examples=25, deadline=None)
@given(budget_share=st.floats(0, 1.05))
def test_programs_agree_on_both_tiers_for_any_budget(wasm, func, args, budget_share):
    full = run_on("reading", wasm, func, args, None)[1]
    assert_tiers_agree(wasm, func, args, int(full * budget_share))


# ---------------------------------------------------------------------------
# The observer sees every instruction; nothing charges fuel outside the table
# ---------------------------------------------------------------------------


class Collector(reading.Observer):
    def __init__(self):
        self.events: list = []
        self.hosts: list = []

    def instruction(self, event):
        self.events.append(event)

    def host_call(self, event):
        self.hosts.append(event)


def test_observer_sees_every_instruction_in_order():
    wasm = wat_to_wasm('''(module (memory 1) (func $g (param i32) (result i32) local.get 0 i32.const 1 i32.add)
      (func (export "f") (param i32) (result i32) (call $g (local.get 0)) (if (result i32) (then (i32.const 7))
        (else (i32.const 8)))))''')
    collector = Collector()
    outcome = run_on("reading", wasm, "f", [4], 100, collector)
    assert outcome[:3] == ([7], 9, 91)  # 2 entries, 7 instructions of cost 1
    steps = [(e.depth, e.frame, e.func, e.op, e.fuel, e.cost, e.stack) for e in collector.events]
    assert steps == [
        (1, 0, 1, "local.get", 99, 1, ()),
        (1, 0, 1, "call", 98, 1, (4,)),
        (2, 1, 0, "local.get", 96, 1, ()),
        (2, 1, 0, "i32.const", 95, 1, (4,)),
        (2, 1, 0, "i32.add", 94, 1, (4, 1)),
        (2, 1, 0, "end", 93, 0, (5,)),
        (1, 0, 1, "if", 93, 1, (5,)),
        (1, 0, 1, "i32.const", 92, 1, ()),
        (1, 0, 1, "else", 91, 0, (7,)),
        (1, 0, 1, "end", 91, 0, (7,)),
    ]
    assert all(e.memory_size == 65536 for e in collector.events)
    module = decode_module(wasm)
    offsets = {instr.offset: instr.op for func in module.funcs for instr in func.body}
    assert all(offsets[e.offset] == e.op for e in collector.events)


def test_observer_sees_host_calls_and_their_gas():
    wasm = wat_to_wasm('''(module (import "env" "host" (func $h (param i32) (result i32)))
      (func (export "f") (result i32) (drop (call $h (i32.const 9))) (call $h (i32.const 13))))''')
    collector = Collector()
    outcome = run_on("reading", wasm, "f", [], 100, collector)
    assert outcome[0] == "host_trap"
    assert [(h.name, h.args, h.gas, h.results, type(h.error)) for h in collector.hosts] == [
        ("host", (9,), 4, [27], type(None)), ("host", (13,), 0, None, Trap)]
    assert run_on("fast", wasm, "f", [], 100)[:3] == outcome[:3]


def test_observer_sees_typed_operands_and_function_entries():
    """Each operand comes with the type validation gave it (§3.3), across
    blocks and calls; each wasm function entry is reported before its entry
    cost is charged; host calls come with the host function's type."""
    wasm = wat_to_wasm('''(module (import "env" "host" (func $h (param i32) (result i32)))
      (func $g (param f64) (result i64) (i64.trunc_f64_s (local.get 0)))
      (func (export "f") (param i32) (result i64)
        (f32.const 1.5) (block (param f32) (result f32) (i32.const 2) (drop))
        (drop) (i64.add (call $g (f64.const 2.5)) (i64.extend_i32_u (call $h (local.get 0))))))''')

    class Typed(Collector):
        def __init__(self):
            super().__init__()
            self.entries: list = []

        def function_entry(self, event):
            self.entries.append(event)

    typed = Typed()
    assert run_on("reading", wasm, "f", [4], 100, typed)[0] == [14]
    seen = [(e.op, e.types, e.stack) for e in typed.events]
    assert seen[:7] == [
        ("f32.const", (), ()),
        ("block", ("f32",), (0x3FC00000,)),
        ("i32.const", ("f32",), (0x3FC00000,)),
        ("drop", ("f32", "i32"), (0x3FC00000, 2)),
        ("end", ("f32",), (0x3FC00000,)),
        ("drop", ("f32",), (0x3FC00000,)),
        ("f64.const", (), ()),
    ]
    assert ("i64.trunc_f64_s", ("f64",), (0x4004000000000000,)) in seen
    assert ("i64.add", ("i64", "i64"), (2, 12)) in seen
    assert [(e.depth, e.frame, e.func, e.fuel, e.cost) for e in typed.entries] == [(1, 0, 2, 100, 1), (2, 1, 1, 95, 1)]
    assert [(h.name, h.type, h.args) for h in typed.hosts] == [("host", FuncType(("i32",), ("i32",)), (4,))]


class TypeChecker(reading.Observer):
    """Every operand a value of its type, one type per operand."""

    def __init__(self):
        self.checked = 0

    def instruction(self, event):
        assert len(event.types) == len(event.stack)
        assert all(value_fits(t, v) for t, v in zip(event.types, event.stack)), event
        self.checked += 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_bodies_show_every_operand_with_its_type(data):
    checker = TypeChecker()
    run_on("reading", generated_module(data), "main", data.draw(ARGUMENTS), 20_000, checker)
    assert checker.checked


def test_without_an_observer_the_loop_reports_nothing_and_observers_need_the_reading_tier():
    with pytest.raises(ValueError):
        MachineConfig(observer=reading.Observer())
    assert MachineConfig(tier="reading").observer is None


PROGRAMS = [
    (FIB, "fib", [12]), (HASH_WASM, "fill", [300, 5]),
    (wat_to_wasm('''(module (import "env" "host" (func $h (param i32) (result i32))) (memory 1)
       (data $d "abcdef")
       (func (export "f") (param i32) (result i32)
         (memory.fill (i32.const 0) (i32.const 9) (local.get 0))
         (memory.copy (i32.const 100) (i32.const 0) (local.get 0))
         (memory.init $d (i32.const 200) (i32.const 1) (i32.const 4))
         (drop (memory.grow (i32.const 1)))
         (call $h (local.get 0))))'''), "f", [33]),
]


@pytest.mark.parametrize("wasm,func,args", PROGRAMS)
def test_nothing_charges_fuel_that_the_cost_table_does_not_name(wasm, func, args):
    """Consumed fuel = the table cost of every executed instruction (what the
    observer was told) + one entry cost per frame + the hosts' own gas; and
    the fast tier consumes the same."""
    collector = Collector()
    outcome = run_on("reading", wasm, func, args, None, collector)
    by_table = 0
    for event in collector.events:
        cost = fuel.COSTS[event.op]
        by_table += cost.of(event.stack[-1]) if cost.per_unit else cost.static
        assert event.cost == (cost.of(event.stack[-1]) if cost.per_unit else cost.static)
    frames = len({event.frame for event in collector.events})
    hosts = sum(h.gas for h in collector.hosts)
    assert outcome[1] == by_table + frames * fuel.FUNCTION_ENTRY_COST + hosts
    assert run_on("fast", wasm, func, args, None) == outcome


# ---------------------------------------------------------------------------
# Limits: deep recursion, re-entrant invocation, the memory cap
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _runaway() -> bytes:
    return wat_to_wasm('''(module (memory 1)
      (func $run (export "run") call $run)
      (func $down (export "down") (param i32) (result i32)
        (if (result i32) (local.get 0)
          (then (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))
          (else (i32.const 0))))
      (func (export "grow") (result i32) (memory.grow (i32.const 2000))))''')


@pytest.mark.parametrize("tier", TIERS)
def test_deep_recursion_reaches_the_activation_limit_on_both_tiers(tier):
    wasm = _runaway()
    assert run_on(tier, wasm, "down", [9_999], None)[0] == [9_999]  # 10,000 activations
    assert run_on(tier, wasm, "down", [10_000], None)[0] == TrapKind.CALL_STACK_EXHAUSTED
    assert run_on(tier, wasm, "run", [], None)[0] == TrapKind.CALL_STACK_EXHAUSTED
    assert run_on(tier, wasm, "grow", [], None)[0] == [M32]  # past Pyde's 64 MiB cap


@pytest.mark.parametrize("tier", TIERS)
def test_reentrant_invocation_shares_the_limits_on_both_tiers(tier):
    store = Store(MachineConfig(tier=tier, max_activations=60))
    depth = []

    def host(caller, args):
        depth.append(args[0])
        return [invoke(store, outer.export("f").addr, [args[0] + 1], caller.fuel)[0]]

    h = store.alloc_host_func(HostFunc(FuncType(("i32",), ("i32",)), host))
    module = decode_module(wat_to_wasm('''(module (import "env" "h" (func $h (param i32) (result i32)))
      (func (export "f") (param i32) (result i32) (call $h (local.get 0))))'''))
    outer = instantiate(store, module, [ExternVal("func", h)])
    meter = FuelMeter(10_000)
    with pytest.raises(Trap) as info:
        invoke(store, outer.export("f").addr, [0], meter)
    assert info.value.kind == TrapKind.CALL_STACK_EXHAUSTED
    assert (max(depth), meter.consumed) == (29, 30 * 3)
