"""Validation (core spec §3) under the pyde-v1 feature set.

:func:`validate_module` raises :class:`~.errors.InvalidModule` (or
:class:`~.errors.UnsupportedFeature` for rules of the feature gate that are
about counts and indices, see :mod:`.features`) and otherwise returns
``None``.

Function bodies are checked with the algorithm of the spec's appendix
("Validation Algorithm", §A.3): an operand stack of value types where
``UNKNOWN`` stands for the bottom type of the polymorphic stack after
``unreachable``, ``br``, ``br_table`` and ``return``, and a control stack of
frames.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple, Optional

import attrs

from . import features, instructions, limits
from .errors import InvalidModule
from .syntax import (
    NUM_TYPES,
    WASM_MAX_MEMORY_PAGES,
    Expr,
    FuncType,
    Instruction,
    Limits,
    Module,
    expand_block_type,
)

MAX_TABLE_SIZE = 0xFFFF_FFFF
"""§3.2.3: a table type's limits must lie within 2^32 - 1."""

UNKNOWN = None
"""The bottom value type of the polymorphic stack (§A.3 ``Unknown``)."""


# ---------------------------------------------------------------------------
# What the instruction table says about typing
# ---------------------------------------------------------------------------

SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    info.name: info.signature for info in instructions.INSTRUCTIONS if info.signature is not None
}
"""Every instruction whose typing is a fixed ``[params] -> [results]``
(§3.3.1-3.3.7), from the instruction table; the others have a rule in
:data:`SPECIAL_RULES`."""

MEMORY_INSTRUCTIONS = frozenset(
    info.name for info in instructions.INSTRUCTIONS
    if info.family == instructions.MEMORY and info.name != "data.drop"
)
"""§3.3.7: every memory instruction but ``data.drop`` needs memory 0 to exist."""

CONSTANT_INSTRUCTIONS = frozenset(info.name for info in instructions.INSTRUCTIONS if info.constant) | {"end"}
"""§3.3.10 constant instructions (pyde-v1, without extended-const), and the
``end`` that closes a constant expression."""


# ---------------------------------------------------------------------------
# The context C (§3.1.1)
# ---------------------------------------------------------------------------


@attrs.define
class Context:
    """§3.1.1 validation context (module-level part)."""

    types: tuple[FuncType, ...]
    funcs: tuple[FuncType, ...]
    tables: tuple[str, ...]  # element types
    mems: int
    globals: tuple  # GlobalType per global index
    elems: tuple[str, ...]  # element types
    data_count: Optional[int]
    refs: frozenset[int]
    imported_globals: int


def invalid(message: str, offset: Optional[int] = None):
    return InvalidModule(message, offset)


# ---------------------------------------------------------------------------
# §3.2 types
# ---------------------------------------------------------------------------


def validate_limits(limits: Limits, bound: int, what: str) -> None:
    """§3.2.1 limits within ``bound`` with ``min <= max``."""
    if limits.min > bound:
        raise invalid(f"{what} size must be at most {bound}: minimum {limits.min}")
    if limits.max is not None:
        if limits.max > bound:
            raise invalid(f"{what} size must be at most {bound}: maximum {limits.max}")
        if limits.min > limits.max:
            raise invalid(f"size minimum must not be greater than maximum ({what})")


def validate_memtype(memtype) -> None:
    """§3.2.4 memory type: limits within 65536 pages.  (Pyde's 1024-page
    cap is an instantiation rule, not a validity rule.)"""
    validate_limits(memtype.limits, WASM_MAX_MEMORY_PAGES, "memory")


def validate_tabletype(tabletype) -> None:
    """§3.2.3 table type: limits within 2^32 - 1."""
    validate_limits(tabletype.limits, MAX_TABLE_SIZE, "table")


def type_at(types: tuple[FuncType, ...], index: int, offset: Optional[int] = None) -> FuncType:
    if index >= len(types):
        raise invalid(f"unknown type {index}", offset)
    return types[index]


# ---------------------------------------------------------------------------
# §3.4 modules
# ---------------------------------------------------------------------------


def validate_module(module: Module) -> None:
    """§3.4.10: validate a whole module under pyde-v1."""
    c = module_context(module)
    table_types = tuple(imp.desc for imp in module.imports_of("table")) + module.tables
    mem_types = tuple(imp.desc for imp in module.imports_of("memory")) + module.mems
    validate_index_space_sizes(len(table_types), len(mem_types))
    for tabletype in table_types:
        validate_tabletype(tabletype)
    for memtype in mem_types:
        validate_memtype(memtype)
    for index, glob in enumerate(module.globals):
        validate_const_expr(c, glob.init, glob.type.valtype, c.imported_globals + index)
    for elem in module.elems:
        validate_elem(c, elem)
    for data in module.datas:
        validate_data(c, data)
    for func in module.funcs:
        validate_func(c, func)
    if module.start is not None:
        validate_start(c, module.start)
    validate_exports(c, module)
    validate_type_size(c, module)


def module_context(module: Module) -> Context:
    """§3.4.10 the context C of ``module`` (its function types checked to exist)."""
    types = module.types
    func_imports = module.imports_of("func")
    funcs = tuple(type_at(types, imp.desc) for imp in func_imports) + tuple(
        type_at(types, f.type_index, f.body[0].offset if f.body else None) for f in module.funcs
    )
    table_types = tuple(imp.desc for imp in module.imports_of("table")) + module.tables
    mem_types = tuple(imp.desc for imp in module.imports_of("memory")) + module.mems
    imported_globals = tuple(imp.desc for imp in module.imports_of("global"))
    return Context(
        types=types,
        funcs=funcs,
        tables=tuple(t.elem_type for t in table_types),
        mems=len(mem_types),
        globals=imported_globals + tuple(g.type for g in module.globals),
        elems=tuple(e.elem_type for e in module.elems),
        data_count=module.data_count,
        refs=declared_function_references(module),
        imported_globals=len(imported_globals),
    )


def validate_type_size(c: Context, module: Module) -> None:
    """Production's limit on the module's effective type size
    (:data:`.limits.TYPE_SIZE`): 1 + what every import and export adds."""
    size = 1
    for imp in module.imports:
        size += limits.entity_type_size(imp.kind, c.types[imp.desc] if imp.kind == "func" else None)
    for export in module.exports:
        size += limits.entity_type_size(export.kind, c.funcs[export.index] if export.kind == "func" else None)
    limits.check(limits.TYPE_SIZE, size)


def validate_index_space_sizes(n_tables: int, n_mems: int) -> None:
    """pyde-v1 gate: one table at most (more need reference types), one
    memory at most (more need multi-memory)."""
    if n_tables > features.MAX_TABLES:
        features.reject("reference-types", f"{n_tables} tables")
    if n_mems > features.MAX_MEMORIES:
        features.reject("multi-memory", f"{n_mems} memories")


def declared_function_references(module: Module) -> frozenset[int]:
    """§3.4.10 C.refs: the function indices that occur in the module outside
    function bodies (in globals, element segments and exports).  Only these
    may be named by ``ref.func`` inside a function body."""
    refs = set()
    exprs = [g.init for g in module.globals]
    for elem in module.elems:
        exprs.extend(elem.init)
        if elem.offset is not None:
            exprs.append(elem.offset)
    for expr in exprs:
        refs.update(i.func_index for i in expr if i.op == "ref.func")
    refs.update(e.index for e in module.exports if e.kind == "func")
    return frozenset(refs)


def validate_start(c: Context, start: int) -> None:
    """§3.4.8 start function: exists and has type ``[] -> []``."""
    if start >= len(c.funcs):
        raise invalid(f"unknown function {start} (start)")
    if c.funcs[start] != FuncType((), ()):
        raise invalid(f"start function must have type [] -> [], has {c.funcs[start]}")


def validate_exports(c: Context, module: Module) -> None:
    """§3.4.9 exports: each names an existing entity; §3.4.10 names unique."""
    seen = set()
    counts = {"func": len(c.funcs), "table": len(c.tables), "memory": c.mems,
              "global": len(c.globals)}
    for export in module.exports:
        if export.index >= counts[export.kind]:
            raise invalid(f"unknown {export.kind} {export.index} (export {export.name!r})")
        if export.name in seen:
            raise invalid(f"duplicate export name {export.name!r}")
        seen.add(export.name)


def validate_elem(c: Context, elem) -> None:
    """§3.4.6 element segments: each init is a constant expression of the
    segment's type; an active segment names an existing table of that type
    and has an ``i32`` constant offset."""
    for expr in elem.init:
        validate_const_expr(c, expr, elem.elem_type, len(c.globals))
    if elem.mode == "active":
        if elem.table_index >= len(c.tables):
            raise invalid(f"unknown table {elem.table_index}", _expr_offset(elem.offset))
        if c.tables[elem.table_index] != elem.elem_type:
            raise invalid("type mismatch: element segment type differs from table type")
        validate_const_expr(c, elem.offset, "i32", len(c.globals))


def validate_data(c: Context, data) -> None:
    """§3.4.7 data segments: an active segment names an existing memory and
    has an ``i32`` constant offset."""
    if data.mode == "active":
        if data.memory_index >= c.mems:
            if data.memory_index != 0:
                features.reject("multi-memory", f"data segment for memory {data.memory_index}",
                                _expr_offset(data.offset))
            raise invalid(f"unknown memory {data.memory_index}", _expr_offset(data.offset))
        validate_const_expr(c, data.offset, "i32", len(c.globals))


def _expr_offset(expr: Optional[Expr]) -> Optional[int]:
    return expr[0].offset if expr else None


def validate_const_expr(c: Context, expr: Expr, result: str, visible_globals: int) -> None:
    """§3.3.10 constant expressions: only ``t.const``, ``ref.null``,
    ``ref.func`` and ``global.get`` of an imported immutable global, and the
    expression must have type ``[] -> [result]``.

    ``visible_globals`` bounds the global indices the expression may name
    (for a global's initializer, the globals defined before it)."""
    for instr in expr:
        if instr.op in CONSTANT_INSTRUCTIONS:
            if instr.op == "global.get":
                index = instr.global_index
                if index >= min(visible_globals, len(c.globals)):
                    raise invalid(f"unknown global {index}", instr.offset)
                if index >= c.imported_globals:
                    # Wasm 2.0 (and wasmtime without GC): imported globals only.
                    raise invalid("constant expression required: global.get of a "
                                  "module-defined global", instr.offset)
                if c.globals[index].mutable:
                    raise invalid("constant expression required: global.get of a mutable global",
                                  instr.offset)
            continue
        if instr.op in features.EXTENDED_CONST_INSTRUCTIONS:
            features.reject("extended-const", f"{instr.op} in a constant expression", instr.offset)
        raise invalid(f"constant expression required, found {instr.op}", instr.offset)
    FunctionValidator(c, FuncType((), (result,)), (), const_expr=True).run(expr)


# ---------------------------------------------------------------------------
# §3.3 instructions: the appendix algorithm
# ---------------------------------------------------------------------------


@attrs.define
class Frame:
    """§A.3 control frame."""

    opcode: str
    start_types: tuple
    end_types: tuple
    height: int
    unreachable: bool = False

    def label_types(self) -> tuple:
        """§3.3.8: a loop's label takes its parameters, others their results."""
        return self.start_types if self.opcode == "loop" else self.end_types


def validate_func(c: Context, func, validator: Optional[type] = None) -> "FunctionValidator":
    """§3.4.1 function: its body types as ``[] -> results`` with the locals
    ``params ++ declared locals`` and labels/return set to the results.
    Returns the ``validator`` (a :class:`FunctionValidator` class) that checked it."""
    functype = c.types[func.type_index]
    runs = tuple((1, t) for t in functype.params) + tuple(func.locals)
    local_types = LocalTypes(runs)
    limits.check(limits.FUNCTION_LOCALS, len(local_types), func.body[0].offset if func.body else None)
    checker = (validator or FunctionValidator)(c, functype, local_types)
    checker.run(func.body)
    return checker


class LocalTypes:
    """The types of a function's locals, kept as the ``(count, type)`` runs
    the binary format declares them in (§5.5.13), so that even a hand-built
    :class:`~.syntax.Func` declaring 2^32 locals is never expanded."""

    def __init__(self, runs: tuple[tuple[int, str], ...]):
        self.ends = []  # cumulative end index of each run
        self.types = []
        total = 0
        for count, valtype in runs:
            if count:
                total += count
                self.ends.append(total)
                self.types.append(valtype)
        self.count = total

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < self.count:
            raise IndexError(index)
        return self.types[bisect.bisect_right(self.ends, index)]


class FunctionValidator:
    """§A.3 operand and control stacks for one function body (or one
    constant expression)."""

    def __init__(self, c: Context, functype: FuncType, local_types, const_expr=False):
        self.c = c
        self.functype = functype
        self.locals = local_types
        self.const_expr = const_expr
        self.vals: list = []
        self.ctrls: list[Frame] = []
        self.offset: Optional[int] = None

    # --- the appendix's stack primitives -------------------------------

    def error(self, message: str) -> InvalidModule:
        return InvalidModule(message, self.offset)

    def push_val(self, t) -> None:
        self.vals.append(t)

    def pop_val(self, expect=UNKNOWN):
        frame = self.ctrls[-1]
        if len(self.vals) == frame.height:
            if frame.unreachable:
                return UNKNOWN
            raise self.error(f"type mismatch: expected {expect or 'a value'} but the stack is empty")
        actual = self.vals.pop()
        if actual is not UNKNOWN and expect is not UNKNOWN and actual != expect:
            raise self.error(f"type mismatch: expected {expect}, found {actual}")
        return actual

    def push_vals(self, types) -> None:
        self.vals.extend(types)

    def pop_vals(self, types) -> list:
        popped = [self.pop_val(t) for t in reversed(types)]
        popped.reverse()
        return popped

    def push_ctrl(self, opcode: str, start_types, end_types) -> None:
        self.ctrls.append(Frame(opcode, tuple(start_types), tuple(end_types), len(self.vals)))
        self.push_vals(start_types)

    def pop_ctrl(self) -> Frame:
        frame = self.ctrls[-1]
        self.pop_vals(frame.end_types)
        if len(self.vals) != frame.height:
            raise self.error(
                f"type mismatch: {len(self.vals) - frame.height} values left on the stack "
                f"at the end of a {frame.opcode}"
            )
        self.ctrls.pop()
        return frame

    def unreachable(self) -> None:
        frame = self.ctrls[-1]
        del self.vals[frame.height:]
        frame.unreachable = True

    # --- lookups -----------------------------------------------------------

    def label(self, depth: int) -> Frame:
        if depth >= len(self.ctrls):
            raise self.error(f"unknown label {depth}")
        return self.ctrls[-1 - depth]

    def local_type(self, index: int) -> str:
        if index >= len(self.locals):
            raise self.error(f"unknown local {index}")
        return self.locals[index]

    def global_type(self, index: int):
        if index >= len(self.c.globals):
            raise self.error(f"unknown global {index}")
        return self.c.globals[index]

    def require_memory(self, op: str) -> None:
        if self.c.mems == 0:
            raise self.error(f"unknown memory 0 ({op})")

    def require_table(self, index: int) -> str:
        if index >= len(self.c.tables):
            raise self.error(f"unknown table {index}")
        return self.c.tables[index]

    def require_elem(self, index: int) -> str:
        if index >= len(self.c.elems):
            raise self.error(f"unknown elem segment {index}")
        return self.c.elems[index]

    def require_data(self, index: int) -> None:
        if self.c.data_count is None:
            raise self.error("data count section required")
        if index >= self.c.data_count:
            raise self.error(f"unknown data segment {index}")

    def block_type(self, blocktype) -> tuple[tuple, tuple]:
        """§3.2.2 block types: none, one result, or a type index that exists."""
        if isinstance(blocktype, int) and blocktype >= len(self.c.types):
            raise self.error(f"unknown type {blocktype}")
        ft = expand_block_type(self.c.types, blocktype)
        return ft.params, ft.results

    # --- the walk ----------------------------------------------------------

    def run(self, body: Expr) -> None:
        """Type-check ``body`` (ending with its final ``end``)."""
        self.ctrls.append(Frame("function", (), self.functype.results, 0))
        for instr in body:
            if not self.ctrls:
                raise self.error("instructions after the final end")
            self.offset = instr.offset
            self.step(instr)
        if self.ctrls:
            raise self.error("missing end")

    def step(self, instr: Instruction) -> None:
        op = instr.op
        sig = SIGNATURES.get(op)
        if sig is not None:
            self.check_instruction_context(instr)
            self.pop_vals(sig[0])
            self.push_vals(sig[1])
            return
        handler = SPECIAL_RULES.get(op)
        if handler is None:
            raise self.error(f"unknown instruction {op}")
        handler(self, instr)

    def check_instruction_context(self, instr: Instruction) -> None:
        """Side conditions of fixed-signature instructions: memory, alignment,
        segment and table indices."""
        op = instr.op
        if op in MEMORY_INSTRUCTIONS:
            self.require_memory(op)
            access = instructions.BY_NAME[op].access
            if access is not None and (1 << instr.memarg.align) > access.width:
                raise self.error(f"alignment must not be larger than natural ({op})")
            if op == "memory.init":
                self.require_data(instr.data_index)
        elif op == "data.drop":
            self.require_data(instr.data_index)
        elif op == "elem.drop":
            self.require_elem(instr.elem_index)
        elif op == "table.init":
            elem_type = self.require_elem(instr.elem_index)
            if self.require_table(instr.table_index) != elem_type:
                raise self.error("type mismatch: table.init segment and table types differ")
        elif op == "table.copy":
            if self.require_table(instr.dst_table) != self.require_table(instr.src_table):
                raise self.error("type mismatch: table.copy table types differ")

    # --- rules with a structure of their own (§3.3.8 control, §3.3.2-6) ----

    def rule_unreachable(self, instr):
        self.unreachable()

    def rule_block(self, instr):
        params, results = self.block_type(instr.block_type)
        self.pop_vals(params)
        self.push_ctrl(instr.op, params, results)

    def rule_if(self, instr):
        params, results = self.block_type(instr.block_type)
        self.pop_val("i32")
        self.pop_vals(params)
        self.push_ctrl("if", params, results)

    def rule_else(self, instr):
        frame = self.pop_ctrl()
        if frame.opcode != "if":
            raise self.error("else without matching if")
        self.push_ctrl("else", frame.start_types, frame.end_types)

    def rule_end(self, instr):
        frame = self.pop_ctrl()
        if frame.opcode == "if" and frame.start_types != frame.end_types:
            raise self.error(
                "type mismatch: if without else must have equal parameter and result types"
            )
        self.push_vals(frame.end_types)

    def rule_br(self, instr):
        self.pop_vals(self.label(instr.label).label_types())
        self.unreachable()

    def rule_br_if(self, instr):
        types = self.label(instr.label).label_types()
        self.pop_val("i32")
        self.pop_vals(types)
        self.push_vals(types)

    def rule_br_table(self, instr):
        labels, default = instr.labels, instr.default
        self.pop_val("i32")
        arity = len(self.label(default).label_types())
        for depth in labels:
            types = self.label(depth).label_types()
            if len(types) != arity:
                raise self.error("type mismatch: br_table targets have different arities")
            self.push_vals(self.pop_vals(types))
        self.pop_vals(self.label(default).label_types())
        self.unreachable()

    def rule_return(self, instr):
        self.pop_vals(self.functype.results)
        self.unreachable()

    def rule_call(self, instr):
        index = instr.func_index
        if index >= len(self.c.funcs):
            raise self.error(f"unknown function {index}")
        ft = self.c.funcs[index]
        self.pop_vals(ft.params)
        self.push_vals(ft.results)

    def rule_call_indirect(self, instr):
        typeidx, tableidx = instr.type_index, instr.table_index
        if self.require_table(tableidx) != "funcref":
            raise self.error("type mismatch: call_indirect table must be funcref")
        if typeidx >= len(self.c.types):
            raise self.error(f"unknown type {typeidx}")
        ft = self.c.types[typeidx]
        self.pop_val("i32")
        self.pop_vals(ft.params)
        self.push_vals(ft.results)

    def rule_drop(self, instr):
        self.pop_val()

    def rule_select(self, instr):
        """§3.3.4 value-polymorphic select: both operands the same number
        type (reference operands need the typed ``select t``)."""
        self.pop_val("i32")
        t1 = self.pop_val()
        t2 = self.pop_val()
        for t in (t1, t2):
            if t is not UNKNOWN and t not in NUM_TYPES:
                raise self.error(f"type mismatch: select of {t} needs a type annotation")
        if t1 is not UNKNOWN and t2 is not UNKNOWN and t1 != t2:
            raise self.error(f"type mismatch: select operands {t2} and {t1}")
        self.push_val(t2 if t1 is UNKNOWN else t1)

    def rule_local_get(self, instr):
        self.push_val(self.local_type(instr.local_index))

    def rule_local_set(self, instr):
        self.pop_val(self.local_type(instr.local_index))

    def rule_local_tee(self, instr):
        t = self.local_type(instr.local_index)
        self.pop_val(t)
        self.push_val(t)

    def rule_global_get(self, instr):
        self.push_val(self.global_type(instr.global_index).valtype)

    def rule_global_set(self, instr):
        gt = self.global_type(instr.global_index)
        if not gt.mutable:
            raise self.error(f"global is immutable: cannot global.set {instr.global_index}")
        self.pop_val(gt.valtype)

    def rule_reference(self, instr):
        """§3.3.2 reference instructions: only in constant expressions under
        pyde-v1 (element segments); in a function body they need their
        feature (reference types, see the instruction table)."""
        if not self.const_expr:
            features.reject(instructions.BY_NAME[instr.op].feature, f"{instr.op} in a function body", instr.offset)
        if instr.op == "ref.null":
            self.push_val(instr.ref_type)
        elif instr.op == "ref.func":
            index = instr.func_index
            if index >= len(self.c.funcs):
                raise self.error(f"unknown function {index}")
            if index not in self.c.refs:
                raise self.error(f"undeclared function reference {index}")
            self.push_val("funcref")
        else:  # ref.is_null never passes the constant check
            raise self.error(f"constant expression required, found {instr.op}")


# ---------------------------------------------------------------------------
# The operand types before each instruction (what observers of execution show)
# ---------------------------------------------------------------------------


class TypeStack(NamedTuple):
    """The value types of an operand stack as a chain: ``top`` is the type of
    the topmost value, ``below`` the stack under it (``None``: empty).  The
    stacks before consecutive instructions share their tails, so a body's
    take memory linear in its length, however deep its stack."""

    top: Optional[str]
    below: Optional["TypeStack"]


def stack_types(stack: Optional[TypeStack]) -> tuple:
    """The types of ``stack``, bottom first."""
    types = []
    while stack is not None:
        types.append(stack.top)
        stack = stack.below
    types.reverse()
    return tuple(types)


class _TypeRecorder(FunctionValidator):
    """The §A.3 algorithm, recording the operand stack before each
    instruction (:attr:`before`, one :class:`TypeStack` per instruction).
    Where execution can reach an instruction, validation has typed every
    value on the stack (``UNKNOWN`` appears only in unreachable code)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before: list[Optional[TypeStack]] = []
        self._chain: list[TypeStack] = []  # _chain[i] is the stack vals[:i + 1]
        self._unchanged = 0  # vals[:_unchanged] has not changed since _chain was built

    def pop_val(self, expect=UNKNOWN):
        actual = super().pop_val(expect)
        self._unchanged = min(self._unchanged, len(self.vals))
        return actual

    def unreachable(self) -> None:
        super().unreachable()
        self._unchanged = min(self._unchanged, len(self.vals))

    def step(self, instr: Instruction) -> None:
        chain = self._chain
        del chain[self._unchanged:]
        for t in self.vals[len(chain):]:
            chain.append(TypeStack(t, chain[-1] if chain else None))
        self._unchanged = len(self.vals)
        self.before.append(chain[-1] if chain else None)
        super().step(instr)


class OperandTypes:
    """The operand types before every instruction of a validated module's
    functions (:meth:`before`), each function typed on first use."""

    def __init__(self, module: Module):
        self.context = module_context(module)
        self._bodies: dict[int, list[Optional[TypeStack]]] = {}

    def before(self, func) -> list[Optional[TypeStack]]:
        """The stacks before each instruction of ``func`` (a function of the module)."""
        key = id(func)
        if key not in self._bodies:
            self._bodies[key] = validate_func(self.context, func, _TypeRecorder).before
        return self._bodies[key]


SPECIAL_RULES = {
    "unreachable": FunctionValidator.rule_unreachable,
    "block": FunctionValidator.rule_block,
    "loop": FunctionValidator.rule_block,
    "if": FunctionValidator.rule_if,
    "else": FunctionValidator.rule_else,
    "end": FunctionValidator.rule_end,
    "br": FunctionValidator.rule_br,
    "br_if": FunctionValidator.rule_br_if,
    "br_table": FunctionValidator.rule_br_table,
    "return": FunctionValidator.rule_return,
    "call": FunctionValidator.rule_call,
    "call_indirect": FunctionValidator.rule_call_indirect,
    "drop": FunctionValidator.rule_drop,
    "select": FunctionValidator.rule_select,
    "local.get": FunctionValidator.rule_local_get,
    "local.set": FunctionValidator.rule_local_set,
    "local.tee": FunctionValidator.rule_local_tee,
    "global.get": FunctionValidator.rule_global_get,
    "global.set": FunctionValidator.rule_global_set,
    "ref.null": FunctionValidator.rule_reference,
    "ref.is_null": FunctionValidator.rule_reference,
    "ref.func": FunctionValidator.rule_reference,
}
"""Instructions whose typing is not a fixed signature (see :data:`SIGNATURES`)."""

assert not set(SIGNATURES) & set(SPECIAL_RULES)
