"""Pre-decoding: turn a validated function body into flat code for :mod:`.exec`.

A body (§2.5.3, the binary format's flat instruction sequence) is translated
once per module, fuel model and NaN setting into two parallel lists, ``ops``
(small ints, see ``OP_*``) and ``imms`` (their immediates), with:

* structured control resolved: ``block``/``loop``/``end``/``nop`` vanish, every
  branch carries its target ``pc``; where the operand stack must be cut back on
  a branch (§4.4.8 ``br``: keep the label's arity values, drop down to the
  label's height) the branch carries the height (relative to the frame's base,
  known statically in valid code, §3.3) and the arity, and where the static
  heights show nothing has to be dropped the branch is a plain jump;
* unreachable code (after ``br``, ``br_table``, ``return``, ``unreachable``)
  dropped, a plain jump to a ``return`` replaced by the ``return``, and a
  load/store whose static offset alone exceeds the memory's maximum replaced
  by its unconditional trap (``OP_STATIC_OOB``);
* frequent pairs of adjacent instructions fused (:data:`FUSIONS`);
* fuel (see :mod:`.fuel`) charged per *run*: a maximal sequence of
  instructions that starts at a leader (function entry, a branch target, the
  instruction after a terminator) and ends at a terminator (an instruction
  that branches, calls or returns, ``unreachable``, an instruction with a
  dynamic cost, a wasmtime-50 check or write-back point).  An ``OP_FUEL``
  (``spec`` model: charge with a check) or ``OP_WFUEL`` (``wasmtime-50``:
  charge without a check) in front of each run charges the run's total.

Why charging per run is exactly charging per instruction in the ``spec``
model (``tests/wasm/test_fuel.py::test_run_charging_equals_per_instruction_charging``
checks it):

1. If the fuel left covers the run, every instruction of it is charged before
   it runs, as per-instruction charging would — except that an instruction
   inside the run may trap (a load, a store, a division, ...), and then the
   instructions after it in the run were charged but never ran.  Each emitted
   instruction therefore carries ``refund``, the cost of the rest of its run,
   which the interpreter gives back when that instruction traps.
2. If the fuel left does not cover the run, the interpreter continues in the
   function's *careful* code (:meth:`Code.careful`, the same body translated
   with a charge before every single instruction, built on first use) at the
   same point, so it stops exactly where per-instruction charging stops, with
   every effect (stores, ``global.set``, traps) exactly as far as it got.
"""

from __future__ import annotations

import weakref
from typing import Optional

from . import fuel as fuel_mod
from . import numerics
from .binary import MAX_FUNCTION_LOCALS
from .errors import InvalidModule, UnsupportedFeature
from .runtime import LOAD_RESULT_MASK, LOAD_STRUCTS, PAGE_SIZE, STORE_STRUCTS
from .syntax import FuncType, Module

# ---------------------------------------------------------------------------
# Internal opcodes, numbered in the order the interpreter tests them (the most
# frequent first).
# ---------------------------------------------------------------------------

# Hot instructions first: the interpreter tests opcodes in numeric order and
# splits the chain at HOT_OPS.
(
    OP_LOCAL_GET, OP_CONST, OP_GET2, OP_GET_CONST, OP_GET_ADD_CONST, OP_GET_SUB_CONST, OP_INC_LOCAL,
    OP_LOCAL_SET, OP_LOCAL_TEE, OP_FUEL, OP_BR_IF,
    OP_BR, OP_I32_ADD, OP_I32_SUB, OP_CALL, OP_CALL_INDIRECT, OP_RETURN, OP_IF, OP_LT_U_BR_IF, OP_GE_U_BR_IF,
    OP_NE_BR_IF, OP_EQZ_BR_IF, OP_LT_U_IF, OP_I32_ADD_SET, OP_LOAD, OP_STORE, OP_WFUEL, OP_WCHECK,
    OP_WENTRY,
    OP_I32_AND, OP_I32_OR, OP_I32_XOR, OP_I32_SHL, OP_I32_SHR_U, OP_I32_EQ, OP_I32_NE, OP_I32_EQZ,
    OP_I32_LT_U, OP_I32_LT_S, OP_I32_GT_U, OP_I32_GT_S, OP_I32_LE_U, OP_I32_GE_U, OP_I32_MUL,
    OP_I64_ADD, OP_I64_SUB, OP_I64_AND, OP_I64_OR, OP_I64_XOR, OP_I64_MUL, OP_I64_SHL, OP_I64_SHR_U,
    OP_I64_EQ, OP_I64_NE, OP_I64_EQZ, OP_I64_LT_U, OP_BINOP, OP_UNOP, OP_LOAD_S, OP_GLOBAL_GET,
    OP_GLOBAL_SET, OP_BR_ADJ, OP_BR_IF_ADJ, OP_BR_TABLE, OP_DROP, OP_SELECT,
    OP_UNREACHABLE, OP_MEMORY_SIZE, OP_MEMORY_GROW, OP_MEMORY_COPY, OP_MEMORY_FILL, OP_MEMORY_INIT,
    OP_DATA_DROP, OP_TABLE_COPY, OP_TABLE_INIT, OP_ELEM_DROP, OP_STATIC_OOB,
) = range(77)

HOT_OPS = 29
"""Opcodes below this are the frequent ones (tested first)."""

def _pair(first, second):
    return (first, second)


def _first(first, _second):
    return first


def _second(_first, second):
    return second


def _increment(get_add, local):
    return (*get_add, local)


FUSIONS = {
    (OP_LOCAL_GET, OP_LOCAL_GET): (OP_GET2, _pair),
    (OP_LOCAL_GET, OP_CONST): (OP_GET_CONST, _pair),
    (OP_GET_CONST, OP_I32_ADD): (OP_GET_ADD_CONST, _first),
    (OP_GET_CONST, OP_I32_SUB): (OP_GET_SUB_CONST, _first),
    (OP_GET_ADD_CONST, OP_LOCAL_SET): (OP_INC_LOCAL, _increment),
    (OP_I32_ADD, OP_LOCAL_SET): (OP_I32_ADD_SET, _second),
    (OP_I32_LT_U, OP_BR_IF): (OP_LT_U_BR_IF, _second),
    (OP_I32_GE_U, OP_BR_IF): (OP_GE_U_BR_IF, _second),
    (OP_I32_NE, OP_BR_IF): (OP_NE_BR_IF, _second),
    (OP_I32_EQZ, OP_BR_IF): (OP_EQZ_BR_IF, _second),
    (OP_I32_LT_U, OP_IF): (OP_LT_U_IF, _second),
}
"""Adjacent instructions executed as one (a pure speed measure): (first,
second) -> (fused opcode, how the immediates combine).  A fused instruction
may fuse again with the next one (``local.get x; i32.const c; i32.add;
local.set y`` becomes one ``OP_INC_LOCAL (x, c, y)``).  Only instructions
inside one fuel run are fused, never across a branch target, and none of them
can trap, so fuel and every effect are unchanged."""

INLINE_NUMERIC_OPS = {
    "i32.add": OP_I32_ADD, "i32.sub": OP_I32_SUB, "i32.and": OP_I32_AND, "i32.or": OP_I32_OR,
    "i32.xor": OP_I32_XOR, "i32.shl": OP_I32_SHL, "i32.shr_u": OP_I32_SHR_U,
    "i32.eq": OP_I32_EQ, "i32.ne": OP_I32_NE, "i32.eqz": OP_I32_EQZ,
    "i32.lt_u": OP_I32_LT_U, "i32.lt_s": OP_I32_LT_S, "i32.gt_u": OP_I32_GT_U, "i32.gt_s": OP_I32_GT_S,
    "i32.le_u": OP_I32_LE_U, "i32.ge_u": OP_I32_GE_U, "i32.mul": OP_I32_MUL,
    "i64.add": OP_I64_ADD, "i64.sub": OP_I64_SUB, "i64.and": OP_I64_AND, "i64.or": OP_I64_OR,
    "i64.xor": OP_I64_XOR, "i64.mul": OP_I64_MUL, "i64.shl": OP_I64_SHL, "i64.shr_u": OP_I64_SHR_U,
    "i64.eq": OP_I64_EQ, "i64.ne": OP_I64_NE, "i64.eqz": OP_I64_EQZ, "i64.lt_u": OP_I64_LT_U,
}
"""Integer operators the interpreter inlines for speed; ``tests/wasm/test_exec.py``
checks each against :mod:`.numerics`."""

CONST_OPS = frozenset({"i32.const", "i64.const", "f32.const", "f64.const"})

TRAPPING_NUMERIC_OPS = frozenset(
    f"{t}.{name}" for t in ("i32", "i64") for name in ("div_s", "div_u", "rem_s", "rem_u")
) | frozenset(
    f"{t}.trunc_{s}_{sign}" for t in ("i32", "i64") for s in ("f32", "f64") for sign in ("s", "u")
)
"""§4.3: the only partial numeric operators (division, remainder, trapping truncation)."""

ZERO_VALUE = {"i32": 0, "i64": 0, "f32": 0, "f64": 0, "funcref": None, "externref": None}
"""§4.5.3 default value of each type (bit pattern 0, or the null reference)."""

MAX_LOCALS = MAX_FUNCTION_LOCALS
"""Most locals a function may declare: the decoder's limit (wasmtime's),
checked again here for modules built by hand, so the
interpreter never materialises a huge declaration."""


class Label:
    """A branch target: the index of the item it is bound to, once known."""

    __slots__ = ("item",)

    def __init__(self, item: Optional[int] = None):
        self.item = item


class _Control:
    """A control frame of the translation (§3.3.1): label base height, arity."""

    __slots__ = ("kind", "height", "nparams", "nresults", "label", "else_label")

    def __init__(self, kind: str, height: int, nparams: int, nresults: int, label: Label):
        self.kind = kind
        self.height = height
        self.nparams = nparams
        self.nresults = nresults
        self.label = label
        self.else_label: Optional[Label] = None

    @property
    def branch_arity(self) -> int:
        """§4.4.8: a branch to a loop passes its parameters, else its results."""
        return self.nparams if self.kind == "loop" else self.nresults


class Code:
    """The pre-decoded body of one function."""

    __slots__ = ("ops", "imms", "type", "nparams", "nresults", "nlocals", "zeros", "run_costs", "name",
                 "refund", "fuel_items", "item_pc", "source", "_careful")

    def __init__(self, ops, imms, type: FuncType, zeros: list, run_costs: dict, name: str = ""):
        self.ops = ops
        self.imms = imms
        self.type = type
        self.nparams = len(type.params)
        self.nresults = len(type.results)
        self.zeros = zeros
        self.nlocals = self.nparams + len(zeros)
        self.run_costs = run_costs
        self.name = name
        self.refund: list[int] = []
        self.fuel_items: dict[int, int] = {}
        self.item_pc: list[int] = []
        self.source: tuple = ()
        self._careful: Optional["Code"] = None

    def careful(self) -> "Code":
        """The same function pre-decoded with a charge before every single
        instruction (built on first use): the interpreter continues there when
        the fuel left does not cover a whole run (spec model)."""
        if self._careful is None:
            module_ref, index, fuel_model, numeric_ops = self.source
            module = module_ref()  # alive: a running function's instance holds its module
            self._careful = translate_function(module, index, fuel_model, numeric_ops, per_instruction=True)
        return self._careful

    def careful_pc(self, fuel_pc: int) -> int:
        """Where, in :meth:`careful`, the run charged by the OP_FUEL at ``fuel_pc`` starts."""
        return self.careful().item_pc[self.fuel_items[fuel_pc]]


class _Translator:
    """Translate one function body (see the module docstring)."""

    def __init__(self, module: Module, functypes: tuple[FuncType, ...], fuel_model: str,
                 numeric_ops: dict, per_instruction: bool = False):
        self.module = module
        self.functypes = functypes
        self.wasmtime = fuel_model == fuel_mod.WASMTIME_50
        self.numeric_ops = numeric_ops
        self.per_instruction = per_instruction  # every instruction its own run (tests only)
        memtypes = [imp.desc for imp in module.imports_of("memory")] + list(module.mems)
        maximum = memtypes[0].limits.max if memtypes else None
        self.memory_bytes_max = (maximum * PAGE_SIZE) if maximum is not None else 1 << 32
        """The most bytes memory 0 can ever hold by its declared type."""
        # items: [opcode or None, immediate, static cost, is_terminator]
        self.items: list[list] = []
        self.labels: list[Label] = []
        self.ctls: list[_Control] = []
        self.height = 0
        self.reachable = True
        self.skip_depth = 0  # nesting depth of blocks inside unreachable code

    # -- helpers ------------------------------------------------------------

    def emit(self, op: Optional[int], imm=None, cost: int = 1, terminator: bool = False) -> None:
        self.items.append([op, imm, cost, terminator or self.per_instruction])

    def new_label(self, bound_here: bool = False) -> Label:
        label = Label(len(self.items) if bound_here else None)
        self.labels.append(label)
        return label

    def block_arity(self, blocktype) -> tuple[int, int]:
        if blocktype is None:
            return 0, 0
        if isinstance(blocktype, str):
            return 0, 1
        t = self.module.types[blocktype]
        return len(t.params), len(t.results)

    def branch(self, depth: int) -> tuple[Label, int, int, bool]:
        """Target label, label height, arity and whether the stack must be cut."""
        ctl = self.ctls[-1 - depth]
        arity = ctl.branch_arity
        if ctl.kind == "func":
            return ctl.label, 0, arity, False  # the function's RETURN cuts the stack itself
        return ctl.label, ctl.height, arity, self.height - arity != ctl.height

    def become_unreachable(self) -> None:
        self.reachable = False
        self.skip_depth = 0

    # -- the translation ---------------------------------------------------

    def translate(self, type: FuncType, body) -> tuple[list, list, dict]:
        func_label = self.new_label()
        self.ctls.append(_Control("func", 0, 0, len(type.results), func_label))
        if self.wasmtime:
            self.emit(OP_WENTRY, None, cost=0, terminator=True)
        else:
            self.emit(None, None, cost=fuel_mod.FUNCTION_ENTRY_COST)
        for instr in body:
            if self.reachable:
                self.instruction(instr)
            else:
                self.skip(instr)
            if not self.ctls:
                break
        return self.finish()

    def skip(self, instr) -> None:
        """Unreachable code: track nesting only, until the enclosing else/end."""
        op = instr.op
        if op in ("block", "loop", "if"):
            self.skip_depth += 1
        elif op == "end":
            if self.skip_depth:
                self.skip_depth -= 1
            else:
                self.end()
        elif op == "else" and not self.skip_depth:
            self.else_()

    def else_(self) -> None:
        ctl = self.ctls[-1]
        if self.reachable:
            # The then-branch falls through to the end: an uncharged jump.
            self.emit(OP_BR, ctl.label, cost=0, terminator=True)
        ctl.else_label.item = len(self.items)
        self.height = ctl.height + ctl.nparams
        self.reachable = True

    def end(self) -> None:
        ctl = self.ctls.pop()
        if ctl.kind == "if" and ctl.else_label.item is None:
            ctl.else_label.item = len(self.items)
        if ctl.kind == "func":
            ctl.label.item = len(self.items)
            self.emit(OP_RETURN, None, cost=0, terminator=True)
        elif ctl.kind != "loop":
            ctl.label.item = len(self.items)
        self.height = ctl.height + ctl.nresults
        self.reachable = True

    def instruction(self, instr) -> None:
        op, imm = instr.op, instr.imm
        if op == "local.get":
            self.emit(OP_LOCAL_GET, imm[0]); self.height += 1
        elif op == "local.set":
            self.emit(OP_LOCAL_SET, imm[0]); self.height -= 1
        elif op == "local.tee":
            self.emit(OP_LOCAL_TEE, imm[0])
        elif op in CONST_OPS:
            self.emit(OP_CONST, imm[0]); self.height += 1
        elif op in INLINE_NUMERIC_OPS:
            self.emit(INLINE_NUMERIC_OPS[op]); self.height -= numerics.ARITY[op] - 1
        elif op in self.numeric_ops:
            arity = numerics.ARITY[op]
            self.emit(OP_BINOP if arity == 2 else OP_UNOP, self.numeric_ops[op],
                      )
            self.height -= arity - 1
        elif op in LOAD_STRUCTS and self.never_in_bounds(imm[1], LOAD_STRUCTS[op].size):
            self.emit(OP_STATIC_OOB, None, terminator=True)
        elif op in STORE_STRUCTS and self.never_in_bounds(imm[1], STORE_STRUCTS[op][0].size):
            self.emit(OP_STATIC_OOB, None, terminator=True); self.height -= 2
        elif op in LOAD_STRUCTS:
            codec = LOAD_STRUCTS[op]
            if codec.format[1] in "bhi":
                self.emit(OP_LOAD_S, (codec.unpack_from, imm[1], LOAD_RESULT_MASK[op]))
            else:
                self.emit(OP_LOAD, (codec.unpack_from, imm[1]))
        elif op in STORE_STRUCTS:
            codec, mask = STORE_STRUCTS[op]
            self.emit(OP_STORE, (codec.pack_into, imm[1], mask))
            self.height -= 2
        elif op == "global.get":
            self.emit(OP_GLOBAL_GET, imm[0]); self.height += 1
        elif op == "global.set":
            self.emit(OP_GLOBAL_SET, imm[0]); self.height -= 1
        elif op in ("block", "loop", "if"):
            self.structured(op, imm[0])
        elif op == "else":
            self.else_()
        elif op == "end":
            self.end()
        elif op == "br":
            label, height, arity, cut = self.branch(imm[0])
            self.emit(OP_BR_ADJ if cut else OP_BR, (label, height, arity) if cut else label, terminator=True)
            self.become_unreachable()
        elif op == "br_if":
            self.height -= 1
            label, height, arity, cut = self.branch(imm[0])
            self.emit(OP_BR_IF_ADJ if cut else OP_BR_IF, (label, height, arity) if cut else label,
                      terminator=True)
        elif op == "br_table":
            self.height -= 1
            entries = []
            for depth in (*imm[0], imm[1]):
                label, height, arity, cut = self.branch(depth)
                entries.append((label, height if cut else -1, arity))
            self.emit(OP_BR_TABLE, (tuple(entries[:-1]), entries[-1]), terminator=True)
            self.become_unreachable()
        elif op == "return":
            self.emit(OP_RETURN, None, cost=0, terminator=True)
            self.become_unreachable()
        elif op == "unreachable":
            self.emit(OP_UNREACHABLE, None, cost=0, terminator=True)
            self.become_unreachable()
        elif op == "nop":
            pass
        elif op == "drop":
            self.emit(OP_DROP, None, cost=0); self.height -= 1
        elif op == "select":
            self.emit(OP_SELECT); self.height -= 2
        elif op == "call":
            t = self.functypes[imm[0]]
            self.emit(OP_CALL, imm[0], terminator=True)
            self.height += len(t.results) - len(t.params)
        elif op == "call_indirect":
            t = self.module.types[imm[0]]
            self.emit(OP_CALL_INDIRECT, (imm[0], imm[1]), terminator=True)
            self.height += len(t.results) - len(t.params) - 1
        elif op == "memory.size":
            self.emit(OP_MEMORY_SIZE); self.height += 1
        elif op == "memory.grow":
            self.emit(OP_MEMORY_GROW, self.static_length(), cost=0, terminator=True)
        elif op == "memory.copy":
            self.emit(OP_MEMORY_COPY, self.static_length(), cost=0, terminator=True); self.height -= 3
        elif op == "memory.fill":
            self.emit(OP_MEMORY_FILL, self.static_length(), cost=0, terminator=True); self.height -= 3
        elif op == "memory.init":
            self.emit(OP_MEMORY_INIT, (imm[0], self.static_length()), cost=0, terminator=True)
            self.height -= 3
        elif op == "data.drop":
            self.emit(OP_DATA_DROP, imm[0])
        elif op == "table.copy":
            self.emit(OP_TABLE_COPY, (imm[0], imm[1], self.static_length()), cost=0, terminator=True)
            self.height -= 3
        elif op == "table.init":
            self.emit(OP_TABLE_INIT, (imm[0], imm[1], self.static_length()), cost=0, terminator=True)
            self.height -= 3
        elif op == "elem.drop":
            self.emit(OP_ELEM_DROP, imm[0])
        else:
            raise UnsupportedFeature("a non-pyde-v1 proposal", f"instruction {op}", instr.offset)

    def never_in_bounds(self, offset: int, size: int) -> bool:
        """A load/store whose static offset already puts it past the largest
        size memory 0 can ever have traps whatever its address operand.
        wasmtime compiles it like ``unreachable`` (a write-back point,
        ``spec/findings/wasmtime-fuel-checks.md``); both models give the same
        trap, only the ``wasmtime-50`` write-back makes it observable."""
        return offset + size > self.memory_bytes_max

    def static_length(self) -> bool:
        """Whether the length operand of the dynamic-cost instruction about to
        be emitted is, for wasmtime, a small translation-time constant (see
        :func:`.fuel.wasmtime_length_is_static`): the instruction right before
        is an ``i32.const`` and no branch lands in between."""
        if not self.items or self.items[-1][0] != OP_CONST:
            return False
        here = len(self.items)
        if any(label.item == here for label in self.labels):
            return False
        return fuel_mod.wasmtime_length_is_static(self.items[-1][1])

    def structured(self, op: str, blocktype) -> None:
        nparams, nresults = self.block_arity(blocktype)
        if op == "if":
            self.height -= 1
        base = self.height - nparams
        if op == "loop":
            label = self.new_label(bound_here=True)
            if self.wasmtime:
                self.emit(OP_WCHECK, None, cost=0, terminator=True)
            self.ctls.append(_Control("loop", base, nparams, nresults, label))
        elif op == "block":
            self.ctls.append(_Control("block", base, nparams, nresults, self.new_label()))
        else:
            ctl = _Control("if", base, nparams, nresults, self.new_label())
            ctl.else_label = self.new_label()
            self.emit(OP_IF, ctl.else_label, terminator=True)
            self.ctls.append(ctl)

    # -- fuel runs and layout -----------------------------------------------

    def finish(self) -> tuple[list, list, dict]:
        items = self.items
        n = len(items)
        leaders = {0}
        leaders.update(label.item for label in self.labels if label.item is not None)
        leaders.update(i + 1 for i, item in enumerate(items) if item[3])
        starts = sorted(i for i in leaders if i < n)
        fuel_op = OP_WFUEL if self.wasmtime else OP_FUEL
        ops: list = []
        imms: list = []
        run_costs: dict[int, tuple[int, ...]] = {}
        refund: list[int] = []  # per emitted op: static cost of the rest of its run
        fuel_items: dict[int, int] = {}  # pc of an OP_FUEL -> index of the item its run starts at
        item_pc = [0] * (n + 1)
        bounds = starts + [n]
        for start, stop in zip(bounds, bounds[1:]):
            costs = tuple(items[i][2] for i in range(start, stop))
            total = sum(costs)
            first_pc = len(ops)
            if total:
                run_costs[first_pc] = costs
                fuel_items[first_pc] = start
                ops.append(fuel_op)
                imms.append(total)
                refund.append(0)
            i = start
            while i < stop:
                item_pc[i] = len(ops) if i != start else first_pc
                op, imm = items[i][0], items[i][1]
                if op is not None:
                    while i + 1 < stop and (op, items[i + 1][0]) in FUSIONS:
                        op, combine = FUSIONS[(op, items[i + 1][0])]
                        imm = combine(imm, items[i + 1][1])
                        i += 1
                        item_pc[i] = len(ops)
                    ops.append(op)
                    imms.append(imm)
                    refund.append(sum(items[j][2] for j in range(i + 1, stop)))
                i += 1
        item_pc[n] = len(ops)
        imms = [self.resolve(imm, item_pc) for imm in imms]
        # Jump threading: a plain jump to a RETURN (which cuts the stack itself) is that RETURN.
        for pc, op in enumerate(ops):
            if op == OP_BR and ops[imms[pc]] == OP_RETURN:
                ops[pc], imms[pc] = OP_RETURN, None
        self.item_pc = item_pc
        self.refund = refund
        self.fuel_items = fuel_items
        return ops, imms, run_costs

    @staticmethod
    def resolve(imm, item_pc):
        if isinstance(imm, Label):
            return item_pc[imm.item]
        if isinstance(imm, tuple) and imm and isinstance(imm[0], Label):
            return (item_pc[imm[0].item], *imm[1:])
        if isinstance(imm, tuple) and len(imm) == 2 and isinstance(imm[1], tuple) and imm[1] \
                and isinstance(imm[1][0], Label):
            entries = tuple((item_pc[lab.item], h, a) for lab, h, a in imm[0])
            lab, h, a = imm[1]
            return (entries, (item_pc[lab.item], h, a))
        return imm


def translate_function(module: Module, index: int, fuel_model: str, numeric_ops: dict,
                       per_instruction: bool = False) -> Code:
    """Pre-decode defined function ``index`` (0 = the first non-imported one).

    ``per_instruction=True`` charges fuel before every single instruction (no
    runs, no superinstructions): slow, used by the tests to show that charging
    per run is indistinguishable from it."""
    func = module.funcs[index]
    functypes = tuple(module.types[i] for i in module.func_type_indices())
    type = module.types[func.type_index]
    declared = sum(count for count, _ in func.locals)
    if declared > MAX_LOCALS:
        raise InvalidModule(f"function {index} declares {declared} locals, more than the {MAX_LOCALS} allowed")
    zeros = [ZERO_VALUE[t] for count, t in func.locals for _ in range(count)]
    translator = _Translator(module, functypes, fuel_model, numeric_ops, per_instruction)
    ops, imms, run_costs = translator.translate(type, func.body)
    code = Code(ops, imms, type, zeros, run_costs, name=f"func {len(module.imports_of('func')) + index}")
    code.refund = translator.refund
    code.fuel_items = translator.fuel_items
    code.item_pc = translator.item_pc
    code.source = (weakref.ref(module), index, fuel_model, numeric_ops)  # weak: see module_code's cache
    return code


_CACHE: dict[int, tuple] = {}


def module_code(module: Module, fuel_model: str, nan_canonicalization: bool) -> list[Code]:
    """The pre-decoded code of every function defined by ``module``, computed
    once per (module object, fuel model, NaN setting) and cached while the
    module object lives."""
    key = id(module)
    entry = _CACHE.get(key)
    if entry is None or entry[0]() is not module:
        entry = (weakref.ref(module, lambda _ref, key=key, cache=_CACHE: cache.pop(key, None)), {})
        _CACHE[key] = entry
    variants = entry[1]
    variant = (fuel_model, bool(nan_canonicalization))
    codes = variants.get(variant)
    if codes is None:
        numeric_ops = numerics.operators(nan_canonicalization)
        codes = [translate_function(module, i, fuel_model, numeric_ops) for i in range(len(module.funcs))]
        variants[variant] = codes
    return codes
