"""Pre-decoding: turn a validated function body into flat code for the fast tier (:mod:`.fast`).

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
* fuel charged per *run*, with every cost taken from the one cost table
  (:data:`.fuel.COSTS` through the model's ``costs``): a run is a maximal
  sequence of instructions that starts at a leader (function entry, a branch
  target, the instruction after a terminator) and ends at a terminator (an
  instruction that branches, calls or returns, ``unreachable``, an
  instruction with a dynamic cost, a wasmtime check or write-back point).  An
  ``OP_FUEL`` (``spec`` model: charge with a check) or ``OP_WFUEL``
  (wasmtime timing: charge without a check) in front of each run charges the
  run's total.  The length-dependent part of a bulk instruction's cost is
  charged by ``OP_CHARGE_LENGTH`` right before it (``spec``), or by the
  wasmtime timing's rules: with the instruction when its length is a small
  constant, else ``OP_WCHARGE_AFTER`` once it succeeded;
* the wasmtime timing's other differences in opcodes of their own, so the
  ``spec`` path has no wasmtime branch: ``OP_WENTRY`` (entry charge and
  check), ``OP_WCHECK`` (loop-header check) and ``OP_WSYNC`` (write the fuel
  back to the meter) where :data:`.fuel.WASMTIME_WRITE_BACK_POINTS` says.

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

import itertools
import struct
import weakref
from typing import Callable, NamedTuple, Optional

from . import fuel as fuel_mod
from . import instructions, numerics
from .binary import MAX_FUNCTION_LOCALS
from .errors import InvalidModule, UnsupportedFeature
from .runtime import PAGE_SIZE, declared_locals, derived_per_module
from .syntax import BIT_WIDTH, FuncType, Module, expand_block_type

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
    OP_DATA_DROP, OP_TABLE_COPY, OP_TABLE_INIT, OP_ELEM_DROP, OP_STATIC_OOB, OP_CHARGE_LENGTH,
    OP_WSYNC, OP_WCHARGE_AFTER,
) = range(80)

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

# ---------------------------------------------------------------------------
# Loads and stores as struct codecs, derived from the instruction table
# ---------------------------------------------------------------------------

_STRUCT_CODES = {1: "b", 2: "h", 4: "i", 8: "q"}


def load_codec(access: instructions.Access) -> tuple[struct.Struct, Optional[int]]:
    """The little-endian codec of a load (§4.4.7) and, for a sign-extending
    one, the mask that turns the negative int it reads into the unsigned bit
    pattern of its type (``None``: nothing to mask)."""
    code = _STRUCT_CODES[access.width]
    if access.signed:
        return struct.Struct("<" + code), (1 << BIT_WIDTH[access.valtype]) - 1
    return struct.Struct("<" + code.upper()), None


def store_codec(access: instructions.Access) -> tuple[struct.Struct, int]:
    """The little-endian codec of a store and the mask that wraps its operand
    to the stored width (§4.4.7)."""
    return struct.Struct("<" + _STRUCT_CODES[access.width].upper()), (1 << (8 * access.width)) - 1


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

    __slots__ = ("ops", "imms", "type", "nparams", "nresults", "nlocals", "zeros", "runs",
                 "refund", "item_pc", "source", "_careful")

    def __init__(self, ops, imms, type: FuncType, zeros: Optional[list], ndeclared: int, runs: dict):
        self.ops = ops
        self.imms = imms
        self.type = type
        self.nparams = len(type.params)
        self.nresults = len(type.results)
        self.zeros = zeros  # the declared locals' defaults, or None: lazily (runtime.declared_locals)
        self.nlocals = self.nparams + ndeclared
        self.runs = runs
        """pc of an ``OP_FUEL``/``OP_WFUEL`` -> (index of the item its run
        starts at, the static costs of the run's items)."""
        self.refund: list[int] = []
        self.item_pc: list[int] = []  # item index -> pc (kept for the careful code only)
        self.source: tuple = ()
        self._careful: Optional["Code"] = None

    def careful(self) -> "Code":
        """The same function pre-decoded with a charge before every single
        instruction (built on first use): the interpreter continues there when
        the fuel left does not cover a whole run (spec model)."""
        if self._careful is None:
            facts, index, fuel_model, numeric_ops = self.source
            module = facts.module_ref()  # alive: a running function's instance holds its module
            self._careful = translate_function(module, index, fuel_model, numeric_ops, per_instruction=True)
        return self._careful

    def careful_pc(self, fuel_pc: int) -> int:
        """Where, in :meth:`careful`, the run charged by the OP_FUEL at ``fuel_pc`` starts."""
        return self.careful().item_pc[self.runs[fuel_pc][0]]

    @property
    def name(self) -> str:
        """``func N``, N the function's index in its module's function index space."""
        facts, index = self.source[:2]
        return f"func {facts.imported_funcs + index}"


class _Translator:
    """Translate one function body (see the module docstring).

    :data:`RULES` maps every instruction a pyde-v1 function body may contain
    to the method that translates it, like :data:`.valid.SPECIAL_RULES`."""

    def __init__(self, module: Module, facts: "ModuleFacts", fuel_model: fuel_mod.FuelModel,
                 numeric_ops: dict, per_instruction: bool = False):
        self.module = module
        self.functypes = facts.functypes
        self.model = fuel_model
        self.costs = fuel_model.costs
        self.wasmtime = fuel_model.timing == fuel_mod.WASMTIME_TIMING
        self.numeric_ops = numeric_ops
        self.per_instruction = per_instruction  # every instruction its own run (the careful code)
        self.memory_bytes_max = facts.memory_bytes_max
        # items: [opcode or None, immediate, static cost, is_terminator, is_write_back_point]
        self.items: list[list] = []
        self.labels: list[Label] = []
        self.last_bound = -1  # the item index a label was last bound to (labels bind in item order)
        self.ctls: list[_Control] = []
        self.height = 0
        self.reachable = True
        self.skip_depth = 0  # nesting depth of blocks inside unreachable code

    # -- helpers ------------------------------------------------------------

    def emit(self, op: Optional[int], imm=None, cost: int = 0, terminator: bool = False,
             write_back: bool = False) -> None:
        """Append an item; ``write_back``: a wasmtime write-back point
        (:data:`.fuel.WASMTIME_WRITE_BACK_POINTS`), which the wasmtime timing
        precedes with ``OP_WSYNC`` (after its run, this item included, is charged)."""
        self.items.append([op, imm, cost, terminator or self.per_instruction, write_back and self.wasmtime])

    def emit_instr(self, instr, op: Optional[int], imm=None, terminator: bool = False,
                   write_back: bool = False) -> None:
        """Emit ``instr`` as ``op`` at its static cost from the cost table."""
        self.emit(op, imm, self.costs[instr.op].static, terminator, write_back)

    def charge_only(self, instr) -> None:
        """An instruction with nothing left to do in the flat code (``nop``,
        ``block``, ``loop``): only its table cost, charged with its run (an
        item is emitted only when that cost is not 0, so a free one does not
        separate the instructions around it)."""
        if self.costs[instr.op].static:
            self.emit_instr(instr, None)

    def new_label(self, bound_here: bool = False) -> Label:
        label = Label()
        self.labels.append(label)
        if bound_here:
            self.bind(label)
        return label

    def bind(self, label: Label) -> None:
        """Bind ``label`` to the next item to be emitted.  Items are only
        ever appended, so the labels bound so far sit at or before
        :attr:`last_bound`."""
        label.item = self.last_bound = len(self.items)

    def block_arity(self, blocktype) -> tuple[int, int]:
        t = expand_block_type(self.module.types, blocktype)
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
            self.emit(OP_WENTRY, self.model.entry_cost, terminator=True)
        else:
            self.emit(None, None, cost=self.model.entry_cost)
        rules = self.RULES
        for instr in body:
            if self.reachable:
                rule = rules.get(instr.op)
                if rule is None:
                    raise UnsupportedFeature("a non-pyde-v1 proposal", f"instruction {instr.op}", instr.offset)
                rule(self, instr)
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
                self.end(instr)
        elif op == "else" and not self.skip_depth:
            self.else_(instr)

    # -- one rule per instruction (family), see RULES ------------------------

    def local_get(self, instr):
        self.emit_instr(instr, OP_LOCAL_GET, instr.local_index)
        self.height += 1

    def local_set(self, instr):
        self.emit_instr(instr, OP_LOCAL_SET, instr.local_index)
        self.height -= 1

    def local_tee(self, instr):
        self.emit_instr(instr, OP_LOCAL_TEE, instr.local_index)

    def global_get(self, instr):
        self.emit_instr(instr, OP_GLOBAL_GET, instr.global_index)
        self.height += 1

    def global_set(self, instr):
        self.emit_instr(instr, OP_GLOBAL_SET, instr.global_index)
        self.height -= 1

    def const(self, instr):
        self.emit_instr(instr, OP_CONST, instr.value)
        self.height += 1

    def numeric(self, instr):
        """Numeric operators: the hottest integer ones inlined, the others
        calling :mod:`.numerics`."""
        op = instr.op
        arity = numerics.ARITY[op]
        if op in INLINE_NUMERIC_OPS:
            self.emit_instr(instr, INLINE_NUMERIC_OPS[op])
        else:
            self.emit_instr(instr, OP_BINOP if arity == 2 else OP_UNOP, self.numeric_ops[op])
        self.height -= arity - 1

    def load(self, instr):
        """§4.4.7 loads: bounds are enforced by the struct codec (see ``OP_LOAD`` in :mod:`.fast`)."""
        access = instructions.LOADS[instr.op]
        offset = instr.memarg.offset
        if self.never_in_bounds(offset, access.width):
            self.emit_instr(instr, OP_STATIC_OOB, None, terminator=True, write_back=True)
            return
        codec, mask = load_codec(access)
        if mask is None:
            self.emit_instr(instr, OP_LOAD, (codec.unpack_from, offset))
        else:
            self.emit_instr(instr, OP_LOAD_S, (codec.unpack_from, offset, mask))

    def store(self, instr):
        """§4.4.7 stores: bounds are enforced by the struct codec (see ``OP_STORE`` in :mod:`.fast`)."""
        access = instructions.STORES[instr.op]
        offset = instr.memarg.offset
        if self.never_in_bounds(offset, access.width):
            self.emit_instr(instr, OP_STATIC_OOB, None, terminator=True, write_back=True)
        else:
            codec, mask = store_codec(access)
            self.emit_instr(instr, OP_STORE, (codec.pack_into, offset, mask))
        self.height -= 2

    def structured(self, instr) -> None:
        """``block``, ``loop``, ``if``: a control frame; ``if`` jumps to its
        else/end when its condition is 0; a loop is a wasmtime check point."""
        op = instr.op
        nparams, nresults = self.block_arity(instr.block_type)
        if op == "if":
            self.height -= 1
        base = self.height - nparams
        if op == "loop":
            label = self.new_label(bound_here=True)
            if self.wasmtime:
                self.emit(OP_WCHECK, None, terminator=True)
            self.charge_only(instr)
            self.ctls.append(_Control("loop", base, nparams, nresults, label))
        elif op == "block":
            self.charge_only(instr)
            self.ctls.append(_Control("block", base, nparams, nresults, self.new_label()))
        else:
            ctl = _Control("if", base, nparams, nresults, self.new_label())
            ctl.else_label = self.new_label()
            self.emit_instr(instr, OP_IF, ctl.else_label, terminator=True)
            self.ctls.append(ctl)

    def else_(self, instr) -> None:
        ctl = self.ctls[-1]
        if self.reachable:
            # The then-branch falls through to the end: an uncharged jump.
            self.emit_instr(instr, OP_BR, ctl.label, terminator=True)
        self.bind(ctl.else_label)
        self.height = ctl.height + ctl.nparams
        self.reachable = True

    def end(self, instr) -> None:
        ctl = self.ctls.pop()
        if ctl.kind == "if" and ctl.else_label.item is None:
            self.bind(ctl.else_label)
        if ctl.kind == "func":
            self.bind(ctl.label)
            self.emit_instr(instr, OP_RETURN, None, terminator=True, write_back=True)  # the function's exit
        elif ctl.kind != "loop":
            self.bind(ctl.label)
        self.height = ctl.height + ctl.nresults
        self.reachable = True

    def br(self, instr):
        label, height, arity, cut = self.branch(instr.label)
        self.emit_instr(instr, OP_BR_ADJ if cut else OP_BR, (label, height, arity) if cut else label,
                        terminator=True)
        self.become_unreachable()

    def br_if(self, instr):
        self.height -= 1
        label, height, arity, cut = self.branch(instr.label)
        self.emit_instr(instr, OP_BR_IF_ADJ if cut else OP_BR_IF, (label, height, arity) if cut else label,
                        terminator=True)

    def br_table(self, instr):
        self.height -= 1
        entries = []
        for depth in (*instr.labels, instr.default):
            label, height, arity, cut = self.branch(depth)
            entries.append((label, height if cut else -1, arity))
        self.emit_instr(instr, OP_BR_TABLE, (tuple(entries[:-1]), entries[-1]), terminator=True)
        self.become_unreachable()

    def return_(self, instr):
        self.emit_instr(instr, OP_RETURN, None, terminator=True, write_back=True)
        self.become_unreachable()

    def unreachable(self, instr):
        self.emit_instr(instr, OP_UNREACHABLE, None, terminator=True, write_back=True)
        self.become_unreachable()

    def drop(self, instr):
        self.emit_instr(instr, OP_DROP)
        self.height -= 1

    def select(self, instr):
        self.emit_instr(instr, OP_SELECT)
        self.height -= 2

    def call(self, instr):
        t = self.functypes[instr.func_index]
        self.emit_instr(instr, OP_CALL, instr.func_index, terminator=True, write_back=True)
        self.height += len(t.results) - len(t.params)

    def call_indirect(self, instr):
        t = self.module.types[instr.type_index]
        self.emit_instr(instr, OP_CALL_INDIRECT, (instr.type_index, instr.table_index), terminator=True,
                        write_back=True)  # before call_indirect's checks can trap
        self.height += len(t.results) - len(t.params) - 1

    def memory_size(self, instr):
        self.emit_instr(instr, OP_MEMORY_SIZE)
        self.height += 1

    def data_drop(self, instr):
        self.emit_instr(instr, OP_DATA_DROP, instr.data_index)

    def elem_drop(self, instr):
        self.emit_instr(instr, OP_ELEM_DROP, instr.elem_index)

    def length_dependent(self, instr):
        """The instructions whose cost depends on their length operand
        (:data:`.fuel.DYNAMIC_COST_OPS`): each ends its run, and its cost is
        charged as its fuel model says (:meth:`charge_length`)."""
        op, imm, pops = _LENGTH_DEPENDENT[instr.op]
        self.charge_length(instr, op, imm(instr))
        self.height -= pops

    def charge_length(self, instr, op: int, imm) -> None:
        """Emit a length-dependent instruction with its charge.

        ``spec``: ``OP_CHARGE_LENGTH`` charges the whole cost (static +
        per-unit x the length on top of the stack) with a check, then the
        instruction runs; nothing else is charged for it.
        wasmtime timing, length an ``i32.const`` at most ``static_length_max``
        (the static path): the whole cost, known now, is charged with the run,
        unchecked.  Any other length (the runtime path): the static part with
        the run, the per-unit part by ``OP_WCHARGE_AFTER`` once the
        instruction succeeded (for ``memory.grow``: once it grew the memory),
        checked on the spot."""
        cost = self.costs[instr.op]
        if not self.wasmtime:
            self.emit(OP_CHARGE_LENGTH, cost)
            self.emit(op, imm, terminator=True)
        elif not cost.per_unit:
            self.emit(op, imm, cost.static, terminator=True)
        elif self.static_length() is not None:
            self.emit(op, imm, cost.of(self.static_length()), terminator=True)
        else:
            self.emit(op, imm, cost.static)
            self.emit(OP_WCHARGE_AFTER, (cost.per_unit, instr.op == "memory.grow"), terminator=True)

    RULES: dict[str, Callable] = {}

    def never_in_bounds(self, offset: int, size: int) -> bool:
        """A load/store whose static offset already puts it past the largest
        size memory 0 can ever have traps whatever its address operand.
        wasmtime compiles it like ``unreachable`` (a write-back point,
        ``spec/findings/wasmtime-fuel-checks.md``); both models give the same
        trap, only the wasmtime write-back makes it observable."""
        return offset + size > self.memory_bytes_max

    def static_length(self) -> Optional[int]:
        """The length operand of the length-dependent instruction about to be
        emitted, when the wasmtime timing treats it as a translation-time
        constant (:meth:`.fuel.FuelModel.length_is_static`): the instruction
        right before is an ``i32.const`` and no branch lands in between;
        else ``None``."""
        if not self.items or self.items[-1][0] != OP_CONST:
            return None
        if self.last_bound == len(self.items):  # a branch lands between the constant and here
            return None
        constant = self.items[-1][1]
        return constant if self.model.length_is_static(constant) else None

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
        runs: dict[int, tuple[int, tuple[int, ...]]] = {}  # Code.runs
        refund: list[int] = []  # per emitted op: static cost of the rest of its run
        item_pc = [0] * (n + 1)
        bounds = starts + [n]
        for start, stop in zip(bounds, bounds[1:]):
            costs = tuple(items[i][2] for i in range(start, stop))
            rest = list(itertools.accumulate(reversed(costs)))[::-1] + [0]  # rest[k]: cost of items start+k..
            total = rest[0]
            first_pc = len(ops)
            if total:
                runs[first_pc] = (start, costs)
                ops.append(fuel_op)
                imms.append(total)
                refund.append(0)
            i = start
            while i < stop:
                item_pc[i] = len(ops) if i != start else first_pc
                op, imm = items[i][0], items[i][1]
                if items[i][4]:
                    ops.append(OP_WSYNC)
                    imms.append(None)
                    refund.append(0)
                if op is not None:
                    while i + 1 < stop and not items[i + 1][4] and (op, items[i + 1][0]) in FUSIONS:
                        op, combine = FUSIONS[(op, items[i + 1][0])]
                        imm = combine(imm, items[i + 1][1])
                        i += 1
                        item_pc[i] = len(ops)
                    ops.append(op)
                    imms.append(imm)
                    refund.append(rest[i + 1 - start])
                i += 1
        item_pc[n] = len(ops)
        imms = [self.resolve(imm, item_pc) for imm in imms]
        # Jump threading: a plain jump to a RETURN (which cuts the stack itself) is that RETURN.
        for pc, op in enumerate(ops):
            if op == OP_BR and ops[imms[pc]] == OP_RETURN:
                ops[pc], imms[pc] = OP_RETURN, None
        self.item_pc = item_pc
        self.refund = refund
        return ops, imms, runs

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


_LENGTH_DEPENDENT = {
    # mnemonic: (opcode, its immediate, operands popped)
    "memory.grow": (OP_MEMORY_GROW, lambda instr: None, 0),
    "memory.copy": (OP_MEMORY_COPY, lambda instr: None, 3),
    "memory.fill": (OP_MEMORY_FILL, lambda instr: None, 3),
    "memory.init": (OP_MEMORY_INIT, lambda instr: instr.data_index, 3),
    "table.copy": (OP_TABLE_COPY, lambda instr: (instr.dst_table, instr.src_table), 3),
    "table.init": (OP_TABLE_INIT, lambda instr: (instr.elem_index, instr.table_index), 3),
}


def _rule_of(info: instructions.InstructionInfo) -> Optional[Callable]:
    """The translator's rule for a row of the instruction table (``None``:
    not admitted in a pyde-v1 function body, the ``ref.*`` instructions)."""
    t = _Translator
    by_name = {
        "unreachable": t.unreachable, "nop": t.charge_only, "block": t.structured, "loop": t.structured,
        "if": t.structured, "else": t.else_, "end": t.end, "br": t.br, "br_if": t.br_if,
        "br_table": t.br_table, "return": t.return_, "call": t.call, "call_indirect": t.call_indirect,
        "drop": t.drop, "select": t.select, "local.get": t.local_get, "local.set": t.local_set,
        "local.tee": t.local_tee, "global.get": t.global_get, "global.set": t.global_set,
        "memory.size": t.memory_size, "data.drop": t.data_drop, "elem.drop": t.elem_drop,
    }
    if info.name in by_name:
        return by_name[info.name]
    if info.name in _LENGTH_DEPENDENT:
        return t.length_dependent
    if info.access is not None:
        return t.load if info.access.kind == "load" else t.store
    if info.name in instructions.CONSTANTS:
        return t.const
    if info.name in instructions.NUMERIC_OPERATORS:
        return t.numeric
    return None


_Translator.RULES = {info.name: rule for info in instructions.INSTRUCTIONS if (rule := _rule_of(info)) is not None}


class ModuleFacts(NamedTuple):
    """What every function's translation needs to know about its module,
    computed once per module (:func:`module_facts`), so that translating
    the whole module stays linear in its size."""

    module_ref: Callable[[], Optional[Module]]
    """A weak reference to the module (its code is cached while it lives: :func:`module_code`)."""
    functypes: tuple[FuncType, ...]
    """The type of every function in the function index space (imports first)."""
    imported_funcs: int
    memory_bytes_max: int
    """The most bytes memory 0 can ever hold by its declared type (2^32 without a maximum)."""


def module_facts(module: Module) -> ModuleFacts:
    """The :class:`ModuleFacts` of ``module``, computed once per module object."""

    def build(module: Module) -> ModuleFacts:
        memtypes = [imp.desc for imp in module.imports_of("memory")] + list(module.mems)
        maximum = memtypes[0].limits.max if memtypes else None
        return ModuleFacts(weakref.ref(module), tuple(module.types[i] for i in module.func_type_indices()),
                           len(module.imports_of("func")),
                           maximum * PAGE_SIZE if maximum is not None else 1 << 32)

    return derived_per_module(module, "predecode-facts", build)


def translate_function(module: Module, index: int, fuel_model: str, numeric_ops: dict,
                       per_instruction: bool = False) -> Code:
    """Pre-decode defined function ``index`` (0 = the first non-imported one)
    for the fuel model named ``fuel_model``.

    ``per_instruction=True`` charges fuel before every single instruction (no
    runs, no superinstructions): the careful code the interpreter falls back
    to, and what the tests compare run charging with."""
    func = module.funcs[index]
    facts = module_facts(module)
    type = module.types[func.type_index]
    declared = sum(count for count, _ in func.locals)
    if declared > MAX_LOCALS:
        raise InvalidModule(f"function {index} declares {declared} locals, more than the {MAX_LOCALS} allowed")
    translator = _Translator(module, facts, fuel_mod.model(fuel_model), numeric_ops, per_instruction)
    ops, imms, runs = translator.translate(type, func.body)
    code = Code(ops, imms, type, declared_locals(func.locals), declared, runs)
    code.refund = translator.refund
    if per_instruction:
        code.item_pc = translator.item_pc
    code.source = (facts, index, fuel_model, numeric_ops)  # facts refers to the module weakly: see module_code
    return code


def module_code(module: Module, fuel_model: str, nan_canonicalization: bool) -> list[Code]:
    """The pre-decoded code of every function defined by ``module``, computed
    once per (module object, fuel model, NaN setting) and cached while the
    module object lives."""

    def build(module: Module) -> list[Code]:
        numeric_ops = numerics.operators(nan_canonicalization)
        return [translate_function(module, i, fuel_model, numeric_ops) for i in range(len(module.funcs))]

    return derived_per_module(module, ("fast", fuel_model, bool(nan_canonicalization)), build)
