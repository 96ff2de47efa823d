"""The reading tier: WebAssembly execution exactly as core spec §4.4 states it.

This module *is* the execution rule a person checks line by line.  It runs
the instructions as the decoder produced them (:mod:`.syntax`): no
pre-decoding, no fused instructions, no fuel charged per run.  The fast tier
(:mod:`.predecode`, :mod:`.fast`) is an optimisation of it and is proven equal
to it continuously (``tests/wasm/test_tiers.py``, ``pyde-ref spectest --tier
reading``, ``pyde-ref fuzz --tier-check``); where the two share a rule (the
effects of the bulk instructions, ``call_indirect``'s checks, host calls, the
activation limits) the fast tier calls the function defined here.

How §4 maps onto this file (WebAssembly 2.0 numbering):

==========================  ===============================================
§4.2.14 stack               :class:`Thread` ``.stack``: values, :class:`Label`
                            and :class:`Frame` entries on one list, as the
                            spec's stack holds them
§4.4.1-§4.4.7               one rule function per instruction or family
                            (``numeric_binary``, ``load``, ``memory_fill``, ...),
                            each docstring giving the rule's section, then
                            STACK, FUEL, OPERATION and TRAP
§4.4.8 control              ``block``, ``loop``, ``if_``, ``else_``, ``end``,
                            ``br``, ``br_if``, ``br_table``, ``return_``,
                            ``call``, ``call_indirect``
§4.4.9 blocks               :func:`enter_block`, :func:`exit_block`
§4.4.10 function calls      :func:`invoke_function`, :func:`return_from_function`,
                            :func:`call_host`
§4.4.11 expressions         :func:`evaluate_constant`
§4.5.5 invocation           :func:`execute` (called by :func:`.exec.invoke`)
==========================  ===============================================

Fuel (the ``spec`` model of :mod:`.fuel`): before each instruction runs, its
cost from the one cost table (:data:`.fuel.COSTS`; for the bulk instructions
and ``memory.grow``, the static part plus the per-unit part times the length
operand on top of the stack) is charged to the meter; a charge that does not
fit traps ``out_of_fuel`` there, charging nothing.  Entering a wasm function
charges :data:`.fuel.FUNCTION_ENTRY_COST` after its frame is pushed.  Nothing
else charges fuel, and a trap leaves the meter exactly as charged so far.

Machine limits not in the core spec, the same as the fast tier's: at most
``MachineConfig.max_activations`` wasm and host activations live at once in
all nested invocations of a thread (:data:`ACTIVATIONS`), at most
:data:`.runtime.MAX_LOCAL_SLOTS` locals in all of them, and Pyde's memory cap
(``memory.grow`` past it returns -1).  Calls never recurse in Python: a call
pushes a :class:`Frame` on the thread's stack, so wasm recursion is bounded by
those limits only.

An :class:`Observer` (``MachineConfig(observer=...)``) is told, before every
instruction and every function entry, where the thread is, what it is about
to charge and the typed operand stack, and, after every host call, what it
did; without one the loop pays nothing for it (the observed loop charges
through :func:`_observed_charge` instead of the meter).  ``pyde-ref run
--trace`` writes what it is told as an instruction trace
(``spec/trace-format.md``).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, NamedTuple, Optional, Sequence

from . import instructions, numerics, valid
from .errors import Trap, TrapKind
from .fuel import FuelMeter
from .runtime import (
    MAX_LOCAL_SLOTS, PAGE_SIZE, Caller, FuncInstance, InvocationError, ModuleInstance, Store, declared_locals,
    derived_per_module, lazy_locals, value_fits,
)
from .syntax import BIT_WIDTH, Func, FuncType, Instruction, Module, expand_block_type

# ---------------------------------------------------------------------------
# Activations: the limits shared by both tiers and all nested invocations
# ---------------------------------------------------------------------------


class _Activations(threading.local):
    """What invocations further out on this thread hold (``invoke`` is
    re-entrant through host functions): live activations, live local slots,
    and how many frames this thread has pushed since its outermost invocation
    began (the observer's frame numbers)."""

    depth = 0
    slots = 0
    frames = 0


ACTIVATIONS = _Activations()

_OPERATORS = {setting: numerics.operators(setting) for setting in (False, True)}
"""The numeric operators (§4.3) of each NaN canonicalization setting."""


def call_stack_exhausted(why: str) -> Trap:
    return Trap(TrapKind.CALL_STACK_EXHAUSTED, why)


# ---------------------------------------------------------------------------
# The stack (§4.2.14)
# ---------------------------------------------------------------------------


class Label:
    """§4.2.14 label ``label_n{instr*}``: ``arity`` (n) is how many values a
    branch to it carries; ``target`` is the index of the instruction a branch
    continues at (after the block's ``end``; a loop's own ``loop``
    instruction); ``end`` is the index after the block's ``end``, where the
    block continues when it is left by falling through ``else``/``end``."""

    __slots__ = ("arity", "target", "end")

    def __init__(self, arity: int, target: int, end: int):
        self.arity = arity
        self.target = target
        self.end = end

    def __repr__(self) -> str:
        return f"label_{self.arity}(target={self.target}, end={self.end})"


class Frame:
    """§4.2.14 activation ``frame_n{F}`` of a wasm function: ``arity`` (n,
    its result count), ``locals`` and ``module`` (the frame F), plus where it
    sits and where execution continues when it returns: ``height`` (its index
    on the stack), ``caller`` (the frame below it, ``None`` for the first) and
    ``return_body``/``return_pc`` (the caller's code and the instruction after
    the call)."""

    __slots__ = ("arity", "locals", "module", "body", "height", "caller", "return_body", "return_pc", "number")

    def __init__(self, arity: int, locals_: list, module: ModuleInstance, body: "Body", height: int,
                 caller: Optional["Frame"], return_body: Optional["Body"], return_pc: int, number: int):
        self.arity = arity
        self.locals = locals_
        self.module = module
        self.body = body
        self.height = height
        self.caller = caller
        self.return_body = return_body
        self.return_pc = return_pc
        self.number = number

    def __repr__(self) -> str:
        return f"frame_{self.arity}(func {self.body.index})"


# ---------------------------------------------------------------------------
# Function bodies as this tier reads them
# ---------------------------------------------------------------------------


class Body:
    """A defined function as the reading tier runs it: the decoded body
    (§2.5.3, flat, its final ``end`` included), the index of the ``end`` (and
    ``else``) matching each ``block``/``loop``/``if`` (the nesting §5.4.1
    writes with brackets), the default values of its declared locals (§4.2.1)
    and its index in the module's function index space."""

    __slots__ = ("func", "type", "instrs", "ends", "elses", "local_defaults", "nlocals", "index", "operand_types")

    def __init__(self, func: Func, type: FuncType, index: int):
        self.func = func
        self.type = type
        self.instrs = func.body
        self.index = index
        self.local_defaults = declared_locals(func.locals)  # None: started lazily
        self.nlocals = len(type.params) + sum(count for count, _ in func.locals)
        self.ends: dict[int, int] = {}
        self.elses: dict[int, int] = {}
        self.operand_types: Optional[list] = None  # computed for observers (:func:`observed_types`)
        open_blocks: list[int] = []
        for i, instr in enumerate(self.instrs):
            op = instr.op
            if op in ("block", "loop", "if"):
                open_blocks.append(i)
            elif op == "else":
                self.elses[open_blocks[-1]] = i
            elif op == "end" and open_blocks:
                self.ends[open_blocks.pop()] = i


def bodies(module: Module) -> list[Body]:
    """The :class:`Body` of every function ``module`` defines, computed once
    per module object (like the fast tier's pre-decoded code)."""

    def build(module: Module) -> list[Body]:
        imported = len(module.imports_of("func"))
        return [Body(func, module.types[func.type_index], imported + i) for i, func in enumerate(module.funcs)]

    return derived_per_module(module, "reading", build)


# ---------------------------------------------------------------------------
# Observing the thread
# ---------------------------------------------------------------------------


class InstructionEvent(NamedTuple):
    """What an :class:`Observer` learns before an instruction runs."""

    depth: int
    """Live activations, those of invocations further out included (1 in the
    first function of an outermost invocation)."""
    frame: int
    """The activation's number: 0, 1, 2, ... in the order frames were pushed
    since this thread's outermost invocation began."""
    func: int
    """The function's index in its module's function index space."""
    offset: int
    """Byte offset of the instruction's opcode in the module."""
    op: str
    """The spec mnemonic."""
    fuel: Optional[int]
    """Fuel left before the instruction is charged (``None``: unlimited)."""
    cost: int
    """What the instruction is about to be charged."""
    stack: tuple
    """The operand values of the current frame, bottom first."""
    memory_size: int
    """The size of memory 0 in bytes (0 without a memory)."""
    types: tuple
    """The value type of each of ``stack``'s values (§3.3: validation types
    every operand at every instruction execution can reach)."""


class EntryEvent(NamedTuple):
    """What an :class:`Observer` learns when a wasm function is entered,
    before its entry cost is charged (its frame is pushed)."""

    depth: int
    frame: int
    func: int
    fuel: Optional[int]
    cost: int


class HostCallEvent(NamedTuple):
    """What an :class:`Observer` learns after a host function returned or raised."""

    name: str
    type: FuncType
    """The host function's type (of ``args`` and ``results``)."""
    args: tuple
    gas: int
    """Fuel the host function charged."""
    results: Optional[list]
    """Its results (``None`` when it raised)."""
    error: Optional[BaseException]
    """What it raised (``None`` when it returned)."""


class Observer:
    """Told about every step of the reading tier: subclass it and pass an
    instance as ``MachineConfig(tier="reading", observer=...)``."""

    def instruction(self, event: InstructionEvent) -> None:
        """Called before each instruction is charged and executed."""

    def function_entry(self, event: EntryEvent) -> None:
        """Called when a wasm function is entered, before its entry cost is charged."""

    def host_call(self, event: HostCallEvent) -> None:
        """Called after each host function call (from wasm code or :func:`.exec.invoke`)."""


# ---------------------------------------------------------------------------
# The thread
# ---------------------------------------------------------------------------


class Thread:
    """§4.4 a thread: the stack, the current frame and the instruction about
    to execute (``body.instrs[pc]``), over the store; plus the fuel meter,
    the numeric operators of the machine's NaN setting, and the limits."""

    __slots__ = ("store", "stack", "frame", "body", "pc", "meter", "costs", "entry_cost", "operators",
                 "outer_depth", "outer_slots", "frames", "slots", "max_activations", "observer")

    def __init__(self, store: Store, meter: FuelMeter):
        config = store.config
        self.store = store
        self.stack: list = []
        self.frame: Optional[Frame] = None
        self.body: Optional[Body] = None
        self.pc = 0
        self.meter = meter
        self.costs = config.fuel.costs  # the spec model's: the one cost table, fuel.COSTS
        self.entry_cost = config.fuel.entry_cost
        self.operators = _OPERATORS[bool(config.nan_canonicalization)]
        self.outer_depth = ACTIVATIONS.depth
        self.outer_slots = ACTIVATIONS.slots
        self.frames = 0  # wasm frames of this invocation on the stack
        self.slots = 0  # their locals
        self.max_activations = config.max_activations
        self.observer = config.observer

    @property
    def depth(self) -> int:
        """Live activations: this invocation's frames and those further out."""
        return self.outer_depth + self.frames

    @property
    def memory(self):
        """§4.4.7: memory 0 of the current frame's module (validation guarantees it)."""
        return self.frame.module.mems[0]

    def pop_values(self, n: int) -> list:
        """Pop ``n`` values (the top one last in the list)."""
        if not n:
            return []
        stack = self.stack
        values = stack[-n:]
        del stack[-n:]
        return values

    def continue_at(self, pc: int) -> None:
        """Continue at instruction ``pc`` of the current function; past its
        final ``end`` is the end of the function: it returns (§4.4.10)."""
        self.pc = pc
        if pc == len(self.body.instrs):
            return_from_function(self)


# ---------------------------------------------------------------------------
# §4.4.9 blocks
# ---------------------------------------------------------------------------


def block_arity(t: Thread, block_type) -> tuple[int, int]:
    """§4.4.8 the block type's function type ``[t1^m] -> [t2^n]``
    (:func:`.syntax.expand_block_type`) as ``(m, n)``."""
    functype = expand_block_type(t.frame.module.types, block_type)
    return len(functype.params), len(functype.results)


def enter_block(t: Thread, label: Label, params: int, start: int) -> None:
    """§4.4.9 entering ``instr*`` with label L: the block's ``params`` values
    stay on top, the label goes under them; jump to ``start``."""
    values = t.pop_values(params)
    t.stack.append(label)
    t.stack.extend(values)
    t.pc = start


def exit_block(t: Thread) -> Label:
    """§4.4.9 exiting ``instr*`` with label L (its end reached without a
    jump): pop the values above L, pop L, push the values back -- which
    leaves the same stack as taking L out from under the values."""
    stack = t.stack
    i = len(stack) - 1
    while type(stack[i]) is not Label:
        i -= 1
    label = stack[i]
    del stack[i]
    return label


def branch(t: Thread, depth: int) -> None:
    """§4.4.8 ``br l`` steps 2-9: L is the l-th label from the top; keep its
    arity n values, pop everything down to and including L (values and the
    l labels above it), push the n values back, jump to L's continuation."""
    stack = t.stack
    i = len(stack) - 1
    while True:
        entry = stack[i]
        if type(entry) is Label:
            if depth == 0:
                break
            depth -= 1
        i -= 1
    label = stack[i]
    values = stack[len(stack) - label.arity:] if label.arity else []
    del stack[i:]
    stack.extend(values)
    t.continue_at(label.target)


# ---------------------------------------------------------------------------
# §4.4.10 function calls
# ---------------------------------------------------------------------------


def invoke_function(t: Thread, func: FuncInstance) -> None:
    """§4.4.10 invocation of function address a (the arguments are on the stack).

    A host function is called at once (:func:`call_host`).  A wasm function:
    the activation limits are checked (``call_stack_exhausted``: the
    activation would exceed ``max_activations``, or its locals would exceed
    ``MAX_LOCAL_SLOTS``); the arguments are popped and become the first
    locals, the declared locals start at their default values (§4.2.1; a
    function with very many starts them lazily, :func:`.runtime.lazy_locals`,
    which reads the same); the frame ``frame_m{F}`` is pushed, then the label of arity m whose
    continuation is the end of the function, and execution starts at the
    body's first instruction after :data:`.fuel.FUNCTION_ENTRY_COST` is charged."""
    if t.depth + 1 > t.max_activations:
        raise call_stack_exhausted("call depth limit reached")
    if func.host is not None:
        args = tuple(t.pop_values(len(func.type.params)))
        caller_module = t.frame.module if t.frame is not None else None
        ACTIVATIONS.depth = t.depth + 1
        ACTIVATIONS.slots = t.outer_slots + t.slots
        try:
            results = call_host(t.store, func, caller_module, args, t.meter, t.observer)
        finally:
            ACTIVATIONS.depth = t.outer_depth
            ACTIVATIONS.slots = t.outer_slots
        t.stack.extend(results)
        return
    body: Body = func.code
    if t.outer_slots + t.slots + body.nlocals > MAX_LOCAL_SLOTS:
        raise call_stack_exhausted("local slot limit reached")
    args = t.pop_values(len(body.type.params))
    locals_ = args + body.local_defaults if body.local_defaults is not None else lazy_locals(args)
    frame = Frame(len(body.type.results), locals_, func.module, body, len(t.stack),
                  t.frame, t.body, t.pc, ACTIVATIONS.frames)
    ACTIVATIONS.frames += 1
    t.frames += 1
    t.slots += body.nlocals
    t.stack.append(frame)
    t.frame = frame
    t.body = body
    end = len(body.instrs)
    t.stack.append(Label(frame.arity, end, end))
    t.pc = 0
    if t.observer is not None:
        t.observer.function_entry(EntryEvent(t.depth, frame.number, body.index, t.meter.remaining, t.entry_cost))
    t.meter.charge(t.entry_cost)


def return_from_function(t: Thread) -> None:
    """§4.4.10 returning from a function (its end reached, or ``return``):
    pop the frame's n results, pop everything down to and including the
    frame, push the results, continue after the call in the caller."""
    frame = t.frame
    results = t.pop_values(frame.arity)
    del t.stack[frame.height:]
    t.stack.extend(results)
    t.frames -= 1
    t.slots -= frame.body.nlocals
    t.frame = frame.caller
    t.body = frame.return_body
    t.pc = frame.return_pc


def call_host(store: Store, func: FuncInstance, caller_module: Optional[ModuleInstance], args: tuple,
              meter: FuelMeter, observer: Optional[Observer] = None) -> list:
    """§4.4.10 invocation of a host function: ``fn(caller, args)``, its
    results checked against its type (:class:`InvocationError`).  The caller
    sees its module's memory 0 and the fuel meter, which is exact when the
    host runs and whose charges count; a :class:`Trap` it raises traps, any
    other exception propagates unchanged."""
    memory = caller_module.mems[0] if caller_module is not None and caller_module.mems else None
    before = meter.used
    try:
        results = func.host.fn(Caller(caller_module, memory, meter, store), args)
        results = list(results) if results is not None else []
    except BaseException as error:
        if observer is not None:
            observer.host_call(HostCallEvent(func.host.name, func.type, args, meter.used - before, None, error))
        raise
    if observer is not None:
        observer.host_call(HostCallEvent(func.host.name, func.type, args, meter.used - before, results, None))
    try:
        check_values("result", func.type.results, results)
    except InvocationError as e:
        raise InvocationError(f"host function {func.host.name!r} returned a bad result: {e}") from None
    return results


def check_values(what: str, types: Sequence[str], values: Sequence) -> None:
    """§4.5.5 steps 3-4: ``values`` are one value of each of ``types``."""
    if not isinstance(values, (list, tuple)):
        raise InvocationError(f"{what}s must be a list or tuple of values, not {type(values).__name__}")
    if len(values) != len(types):
        raise InvocationError(f"expected {len(types)} {what}s of types [{' '.join(types)}], got {len(values)}")
    for i, (t, v) in enumerate(zip(types, values)):
        if not value_fits(t, v):
            raise InvocationError(f"{what} {i} is {v!r}, not a {t} bit pattern")


def indirect_callee(store: Store, module: ModuleInstance, type_index: int, table_index: int, i: int) -> FuncInstance:
    """§4.4.8 ``call_indirect x y`` steps 3-13: the function at element
    ``i`` of table ``x``, checked in the spec's order: ``i`` beyond the table
    -> ``undefined_element``; a null element -> ``uninitialized_element``; a
    function whose type is not (structurally) type ``y`` ->
    ``indirect_call_type_mismatch``."""
    elements = module.tables[table_index].elements
    if i >= len(elements):
        raise Trap(TrapKind.UNDEFINED_ELEMENT, f"table index {i} out of bounds ({len(elements)} elements)")
    reference = elements[i]
    if reference is None:
        raise Trap(TrapKind.UNINITIALIZED_ELEMENT, f"table element {i} is null")
    callee = store.funcs[module.tables[table_index].address(reference)]
    expected = module.types[type_index]
    if callee.type != expected:
        raise Trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH, f"expected {expected}, found {callee.type}")
    return callee


# ---------------------------------------------------------------------------
# The instruction rules.  Each takes the thread and the instruction; the
# thread's pc already points at the next instruction, and the instruction
# has been charged its cost.
# ---------------------------------------------------------------------------

# §4.4.1 numeric instructions ------------------------------------------------


def const(t: Thread, instr) -> None:
    """§4.4.1 ``t.const c``

    STACK: [] -> [t]
    FUEL: 1
    OPERATION: push the value c (its bit pattern, ``instr.value``)."""
    t.stack.append(instr.value)


def numeric_unary(t: Thread, instr) -> None:
    """§4.4.1 ``t.unop``, ``t.testop``, ``t2.cvtop_t1_sx``

    STACK: [t1] -> [t2]
    FUEL: 1
    OPERATION: pop c1; push op(c1), the operator of §4.3 (:mod:`.numerics`,
    with the machine's NaN canonicalization).
    TRAP: the trapping truncations: ``invalid_conversion_to_integer`` (NaN),
    ``integer_overflow`` (out of range)."""
    stack = t.stack
    stack.append(t.operators[instr.op](stack.pop()))


def numeric_binary(t: Thread, instr) -> None:
    """§4.4.1 ``t.binop``, ``t.relop``

    STACK: [t t] -> [t] (a relop gives i32)
    FUEL: 1
    OPERATION: pop c2, pop c1; push op(c1, c2), the operator of §4.3.
    TRAP: division and remainder: ``integer_divide_by_zero``,
    ``integer_overflow`` (``div_s`` of the smallest integer by -1)."""
    stack = t.stack
    c2 = stack.pop()
    c1 = stack.pop()
    stack.append(t.operators[instr.op](c1, c2))


# §4.4.2 reference instructions (pyde-v1: constant expressions only) ---------


def ref_null(t: Thread, instr) -> None:
    """§4.4.2 ``ref.null t``

    STACK: [] -> [t]
    OPERATION: push the null reference (``None``)."""
    t.stack.append(None)


def ref_is_null(t: Thread, instr) -> None:
    """§4.4.2 ``ref.is_null``

    STACK: [t] -> [i32]
    OPERATION: pop a reference; push 1 if it is null, else 0."""
    t.stack.append(1 if t.stack.pop() is None else 0)


def ref_func(t: Thread, instr) -> None:
    """§4.4.2 ``ref.func x``

    STACK: [] -> [funcref]
    OPERATION: push a reference to the function address ``F.module.funcaddrs[x]``."""
    t.stack.append(t.frame.module.function_address(instr.func_index))


# §4.4.4 parametric instructions --------------------------------------------


def drop(t: Thread, instr) -> None:
    """§4.4.4 ``drop``

    STACK: [t] -> []
    FUEL: 0
    OPERATION: pop a value."""
    t.stack.pop()


def select(t: Thread, instr) -> None:
    """§4.4.4 ``select``

    STACK: [t t i32] -> [t]
    FUEL: 1
    OPERATION: pop c, pop val2, pop val1; push val1 if c is not 0, else val2."""
    stack = t.stack
    c = stack.pop()
    val2 = stack.pop()
    val1 = stack.pop()
    stack.append(val1 if c else val2)


# §4.4.5 variable instructions -----------------------------------------------


def local_get(t: Thread, instr) -> None:
    """§4.4.5 ``local.get x``

    STACK: [] -> [t]
    FUEL: 1
    OPERATION: push F.locals[x]."""
    t.stack.append(t.frame.locals[instr.local_index])


def local_set(t: Thread, instr) -> None:
    """§4.4.5 ``local.set x``

    STACK: [t] -> []
    FUEL: 1
    OPERATION: pop val; F.locals[x] := val."""
    t.frame.locals[instr.local_index] = t.stack.pop()


def local_tee(t: Thread, instr) -> None:
    """§4.4.5 ``local.tee x``

    STACK: [t] -> [t]
    FUEL: 1
    OPERATION: F.locals[x] := the value on top (which stays)."""
    t.frame.locals[instr.local_index] = t.stack[-1]


def global_get(t: Thread, instr) -> None:
    """§4.4.5 ``global.get x``

    STACK: [] -> [t]
    FUEL: 1
    OPERATION: push S.globals[F.module.globaladdrs[x]].value."""
    t.stack.append(t.frame.module.global_instance(instr.global_index).value)


def global_set(t: Thread, instr) -> None:
    """§4.4.5 ``global.set x``

    STACK: [t] -> []
    FUEL: 1
    OPERATION: pop val; S.globals[F.module.globaladdrs[x]].value := val."""
    t.frame.module.global_instance(instr.global_index).value = t.stack.pop()


# §4.4.6 table instructions --------------------------------------------------


def table_init(t: Thread, instr) -> None:
    """§4.4.6 ``table.init x y``

    STACK: [i32 i32 i32] -> []
    FUEL: 1 + n
    OPERATION: pop n, pop s, pop d; copy elements s..s+n of element segment
    y into table x at d (:func:`table_init_elements`).
    TRAP: ``table_out_of_bounds`` if s + n exceeds the segment or d + n the
    table (checked before anything is written)."""
    n, s, d = t.stack.pop(), t.stack.pop(), t.stack.pop()
    module = t.frame.module
    table_init_elements(module.tables[instr.table_index], module.elem(instr.elem_index), d, s, n)


def table_copy(t: Thread, instr) -> None:
    """§4.4.6 ``table.copy x y``

    STACK: [i32 i32 i32] -> []
    FUEL: 1 + n
    OPERATION: pop n, pop s, pop d; copy elements s..s+n of table y to d..d+n
    of table x, as if through a temporary buffer (:func:`table_copy_elements`).
    TRAP: ``table_out_of_bounds`` if s + n or d + n exceeds its table."""
    n, s, d = t.stack.pop(), t.stack.pop(), t.stack.pop()
    module = t.frame.module
    table_copy_elements(module.tables[instr.dst_table], module.tables[instr.src_table], d, s, n)


def elem_drop(t: Thread, instr) -> None:
    """§4.4.6 ``elem.drop x``

    STACK: [] -> []
    FUEL: 1
    OPERATION: element segment x becomes empty."""
    t.frame.module.elem(instr.elem_index).elements = []


def table_init_elements(table, elem, d: int, s: int, n: int) -> None:
    """The effect of ``table.init`` (and of an active element segment, §4.5.4):
    bounds checked before any element is written."""
    if s + n > len(elem.elements) or d + n > len(table.elements):
        raise Trap(TrapKind.TABLE_OUT_OF_BOUNDS, f"table.init of {n} elements from {s} to {d}")
    table.elements[d:d + n] = table.own_references(elem.elements[s:s + n], elem.owner)


def table_copy_elements(dst_table, src_table, d: int, s: int, n: int) -> None:
    """The effect of ``table.copy``: bounds checked before any element moves."""
    if s + n > len(src_table.elements) or d + n > len(dst_table.elements):
        raise Trap(TrapKind.TABLE_OUT_OF_BOUNDS, f"table.copy of {n} elements from {s} to {d}")
    dst_table.elements[d:d + n] = dst_table.own_references(src_table.elements[s:s + n], src_table.owner)


# §4.4.7 memory instructions -------------------------------------------------

LOAD_STORE_OUT_OF_BOUNDS = "load or store outside memory"
"""The detail of a load's or store's ``memory_out_of_bounds`` trap (both tiers)."""



def load(t: Thread, instr) -> None:
    """§4.4.7 ``t.load memarg`` and ``t.loadN_sx memarg``

    STACK: [i32] -> [t]
    FUEL: 1
    OPERATION: pop i; the effective address is ea = i + memarg.offset (no
    wrap-around: both are u32, ea may exceed 2^32); read the N/8 bytes
    mem[ea : ea + N/8] (N = the access width of the instruction table, the
    type's width for ``t.load``) as a little-endian integer; ``loadN_sx``
    extends it to t's width (:func:`.numerics.extend`); push it.
    TRAP: ``memory_out_of_bounds`` if ea + N/8 > len(mem)."""
    access = instructions.LOADS[instr.op]
    data = t.memory.data
    ea = t.stack.pop() + instr.memarg.offset
    if ea + access.width > len(data):
        raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, LOAD_STORE_OUT_OF_BOUNDS)
    value = int.from_bytes(data[ea:ea + access.width], "little")
    if access.signed is not None:
        value = numerics.extend(value, 8 * access.width, BIT_WIDTH[access.valtype], access.signed)
    t.stack.append(value)


def store(t: Thread, instr) -> None:
    """§4.4.7 ``t.store memarg`` and ``t.storeN memarg``

    STACK: [i32 t] -> []
    FUEL: 1
    OPERATION: pop c, pop i; ea = i + memarg.offset; write c wrapped to N bits
    (:func:`.numerics.wrap`; all of c for ``t.store``) as N/8 little-endian
    bytes to mem[ea : ea + N/8].
    TRAP: ``memory_out_of_bounds`` if ea + N/8 > len(mem); nothing is written."""
    access = instructions.STORES[instr.op]
    data = t.memory.data
    c = t.stack.pop()
    ea = t.stack.pop() + instr.memarg.offset
    if ea + access.width > len(data):
        raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, LOAD_STORE_OUT_OF_BOUNDS)
    data[ea:ea + access.width] = numerics.wrap(c, 8 * access.width).to_bytes(access.width, "little")


def memory_size(t: Thread, instr) -> None:
    """§4.4.7 ``memory.size``

    STACK: [] -> [i32]
    FUEL: 1
    OPERATION: push the memory's size in pages (of :data:`.runtime.PAGE_SIZE` bytes)."""
    t.stack.append(len(t.memory.data) // PAGE_SIZE)


def memory_grow(t: Thread, instr) -> None:
    """§4.4.7 ``memory.grow``

    STACK: [i32] -> [i32]
    FUEL: 1 + n (the pages requested, charged whether or not the memory grows)
    OPERATION: pop n; grow the memory by n pages (§4.5.3.9,
    :meth:`.runtime.MemoryInstance.grow`); push the old size in pages, or
    2^32 - 1 (-1) when the result would exceed the memory's maximum or the
    machine's cap (Pyde's 64 MiB)."""
    n = t.stack.pop()
    t.stack.append(t.memory.grow(n) & 0xFFFF_FFFF)


def memory_fill(t: Thread, instr) -> None:
    """§4.4.7 ``memory.fill``

    STACK: [i32 i32 i32] -> []
    FUEL: 1 + n
    OPERATION: pop n, pop val, pop d; write the byte val mod 256 to
    mem[d : d + n] (:func:`fill_bytes`).
    TRAP: ``memory_out_of_bounds`` if d + n > len(mem); nothing is written."""
    n, val, d = t.stack.pop(), t.stack.pop(), t.stack.pop()
    fill_bytes(t.memory.data, d, val, n)


def memory_copy(t: Thread, instr) -> None:
    """§4.4.7 ``memory.copy``

    STACK: [i32 i32 i32] -> []
    FUEL: 1 + n
    OPERATION: pop n, pop s, pop d; copy mem[s : s + n] to mem[d : d + n], as
    if through a temporary buffer (overlap allowed; :func:`copy_bytes`).
    TRAP: ``memory_out_of_bounds`` if s + n or d + n > len(mem); nothing is written."""
    n, s, d = t.stack.pop(), t.stack.pop(), t.stack.pop()
    copy_bytes(t.memory.data, d, s, n)


def memory_init(t: Thread, instr) -> None:
    """§4.4.7 ``memory.init x``

    STACK: [i32 i32 i32] -> []
    FUEL: 1 + n
    OPERATION: pop n, pop s, pop d; copy bytes s..s+n of data segment x to
    mem[d : d + n] (:func:`init_bytes`).
    TRAP: ``memory_out_of_bounds`` if s + n exceeds the segment (a dropped
    segment is empty) or d + n > len(mem); nothing is written."""
    n, s, d = t.stack.pop(), t.stack.pop(), t.stack.pop()
    init_bytes(t.memory.data, t.frame.module.data(instr.data_index).data, d, s, n)


def data_drop(t: Thread, instr) -> None:
    """§4.4.7 ``data.drop x``

    STACK: [] -> []
    FUEL: 1
    OPERATION: data segment x becomes empty."""
    t.frame.module.data(instr.data_index).data = b""


def fill_bytes(data: memoryview, d: int, val: int, n: int) -> None:
    """The effect of ``memory.fill``.  The spec writes it as n one-byte
    stores after one bounds check of the whole range, so either all n bytes
    are written or none."""
    if d + n > len(data):
        raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"memory.fill of {n} bytes at {d}")
    data[d:d + n] = bytes((val & 0xFF,)) * n


def copy_bytes(data: memoryview, d: int, s: int, n: int) -> None:
    """The effect of ``memory.copy``: both ranges checked first; overlapping
    ranges copy as if through a temporary buffer."""
    if s + n > len(data) or d + n > len(data):
        raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"memory.copy of {n} bytes from {s} to {d}")
    data[d:d + n] = data[s:s + n]


def init_bytes(data: memoryview, segment: bytes, d: int, s: int, n: int) -> None:
    """The effect of ``memory.init`` (and of an active data segment, §4.5.4):
    both ranges checked first."""
    if s + n > len(segment) or d + n > len(data):
        raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"memory.init of {n} bytes from {s} to {d}")
    data[d:d + n] = segment[s:s + n]


# §4.4.8 control instructions ------------------------------------------------


def nop(t: Thread, instr) -> None:
    """§4.4.8 ``nop``

    STACK: [] -> []
    FUEL: 0
    OPERATION: nothing."""


def unreachable(t: Thread, instr) -> None:
    """§4.4.8 ``unreachable``

    FUEL: 0
    TRAP: ``unreachable``, always."""
    raise Trap(TrapKind.UNREACHABLE)


def block(t: Thread, instr) -> None:
    """§4.4.8 ``block bt instr* end``

    STACK: [t1^m] -> [t2^n]
    FUEL: 0
    OPERATION: enter instr* with a label of arity n whose continuation is
    the instruction after the ``end`` (:func:`enter_block`)."""
    here = t.pc - 1
    params, results = block_arity(t, instr.block_type)
    after = t.body.ends[here] + 1
    enter_block(t, Label(results, after, after), params, t.pc)


def loop(t: Thread, instr) -> None:
    """§4.4.8 ``loop bt instr* end``

    STACK: [t1^m] -> [t2^n]
    FUEL: 0
    OPERATION: enter instr* with a label of arity m whose continuation is
    the ``loop`` instruction itself: a branch to it carries the loop's m
    parameters and starts the loop again."""
    here = t.pc - 1
    params, _results = block_arity(t, instr.block_type)
    enter_block(t, Label(params, here, t.body.ends[here] + 1), params, t.pc)


def if_(t: Thread, instr) -> None:
    """§4.4.8 ``if bt instr1* else instr2* end``

    STACK: [t1^m i32] -> [t2^n]
    FUEL: 1
    OPERATION: pop c; enter instr1* (c is not 0) or instr2* (c is 0; an
    absent ``else`` is an empty instr2*) with a label of arity n whose
    continuation is the instruction after the ``end``."""
    here = t.pc - 1
    c = t.stack.pop()
    params, results = block_arity(t, instr.block_type)
    end = t.body.ends[here]
    if c:
        start = t.pc
    else:
        else_at = t.body.elses.get(here)
        start = else_at + 1 if else_at is not None else end
    enter_block(t, Label(results, end + 1, end + 1), params, start)


def else_(t: Thread, instr) -> None:
    """§4.4.9 the end of ``instr1*`` of an ``if`` reached: exit the block
    (:func:`exit_block`) and continue after the ``end``.

    FUEL: 0"""
    label = exit_block(t)
    t.continue_at(label.end)


def end(t: Thread, instr) -> None:
    """§4.4.9 the end of a block reached: exit it (:func:`exit_block`); the
    final ``end`` of a function ends the function (§4.4.10).

    FUEL: 0"""
    exit_block(t)
    t.continue_at(t.pc)


def br(t: Thread, instr) -> None:
    """§4.4.8 ``br l``

    STACK: [t1* t*] -> [t2*]
    FUEL: 1
    OPERATION: branch to the l-th enclosing label (:func:`branch`)."""
    branch(t, instr.label)


def br_if(t: Thread, instr) -> None:
    """§4.4.8 ``br_if l``

    STACK: [t* i32] -> [t*]
    FUEL: 1
    OPERATION: pop c; branch to label l if c is not 0, else do nothing."""
    if t.stack.pop():
        branch(t, instr.label)


def br_table(t: Thread, instr) -> None:
    """§4.4.8 ``br_table l* l_N``

    STACK: [t1* t* i32] -> [t2*]
    FUEL: 1
    OPERATION: pop i; branch to l*[i] if i < len(l*), else to l_N."""
    i = t.stack.pop()
    branch(t, instr.labels[i] if i < len(instr.labels) else instr.default)


def return_(t: Thread, instr) -> None:
    """§4.4.8 ``return``

    STACK: [t1* t*] -> [t2*]
    FUEL: 0
    OPERATION: return from the current function (:func:`return_from_function`)."""
    return_from_function(t)


def call(t: Thread, instr) -> None:
    """§4.4.8 ``call x``

    STACK: [t1*] -> [t2*]
    FUEL: 1 (the callee's entry is charged as it starts)
    OPERATION: invoke the function address F.module.funcaddrs[x] (:func:`invoke_function`).
    TRAP: ``call_stack_exhausted`` at the activation limits."""
    invoke_function(t, t.frame.module.function(instr.func_index))


def call_indirect(t: Thread, instr) -> None:
    """§4.4.8 ``call_indirect x y``

    STACK: [t1* i32] -> [t2*]
    FUEL: 1
    OPERATION: pop i; invoke the function at element i of table x, whose type
    must be type y (:func:`indirect_callee`).
    TRAP: ``undefined_element``, ``uninitialized_element``,
    ``indirect_call_type_mismatch``; ``call_stack_exhausted``."""
    i = t.stack.pop()
    module = t.frame.module
    invoke_function(t, indirect_callee(t.store, module, instr.type_index, instr.table_index, i))


_FAMILY_RULES: dict[str, Callable[[Thread, Instruction], None]] = {
    "unreachable": unreachable, "nop": nop, "block": block, "loop": loop, "if": if_, "else": else_,
    "end": end, "br": br, "br_if": br_if, "br_table": br_table, "return": return_, "call": call,
    "call_indirect": call_indirect,
    "drop": drop, "select": select,
    "local.get": local_get, "local.set": local_set, "local.tee": local_tee,
    "global.get": global_get, "global.set": global_set,
    "memory.size": memory_size, "memory.grow": memory_grow, "memory.fill": memory_fill,
    "memory.copy": memory_copy, "memory.init": memory_init, "data.drop": data_drop,
    "table.init": table_init, "table.copy": table_copy, "elem.drop": elem_drop,
    "ref.null": ref_null, "ref.is_null": ref_is_null, "ref.func": ref_func,
}


def _rule_of(info: instructions.InstructionInfo) -> Callable[[Thread, Instruction], None]:
    if info.name in _FAMILY_RULES:
        return _FAMILY_RULES[info.name]
    if info.access is not None:
        return load if info.access.kind == "load" else store
    if info.name in instructions.CONSTANTS:
        return const
    return numeric_unary if len(info.signature[0]) == 1 else numeric_binary


EXECUTE: dict[str, Callable[[Thread, Instruction], None]] = {
    info.name: _rule_of(info) for info in instructions.INSTRUCTIONS
}
"""Every instruction of the table -> its rule."""


# ---------------------------------------------------------------------------
# §4.5.5 invocation of a wasm function, and the execution loop
# ---------------------------------------------------------------------------


def execute(store: Store, func: FuncInstance, args: list, meter: FuelMeter) -> list:
    """Run wasm function ``func`` on ``args`` to completion (§4.5.5 steps
    6-13: push the arguments, invoke, pop the results) and return its results."""
    t = Thread(store, meter)
    if t.outer_depth == 0:
        ACTIVATIONS.frames = 0
    t.stack.extend(args)
    invoke_function(t, func)
    stack = t.stack
    costs = t.costs
    charge = meter.charge if t.observer is None else _observed_charge(t)
    while t.frame is not None:
        instr = t.body.instrs[t.pc]
        cost = costs[instr.op]
        # The instruction's cost, from the one cost table: a length-dependent
        # instruction's length is its last operand, on top of the stack.
        charge(cost.of(stack[-1]) if cost.per_unit else cost.static)
        t.pc += 1
        EXECUTE[instr.op](t, instr)
    return stack


def _observed_charge(t: Thread) -> Callable[[int], None]:
    """The meter's ``charge``, telling the observer about the instruction at
    ``t.pc`` first (so that without an observer the loop does nothing extra)."""
    observer, meter = t.observer, t.meter

    def charge(amount: int) -> None:
        frame = t.frame
        instr = t.body.instrs[t.pc]
        values = tuple(v for v in t.stack[frame.height + 1:] if type(v) is not Label)
        memory = frame.module.mems[0].data if frame.module.mems else b""
        observer.instruction(InstructionEvent(t.depth, frame.number, t.body.index, instr.offset, instr.op,
                                              meter.remaining, amount, values, len(memory), observed_types(t)))
        meter.charge(amount)

    return charge


def observed_types(t: Thread) -> tuple:
    """The types of the current frame's operand values before ``body.instrs[pc]``
    (:class:`.valid.OperandTypes`, typed once per function body)."""
    body = t.body
    if body.operand_types is None:
        typing = derived_per_module(t.frame.module.module, "operand-types", valid.OperandTypes)
        body.operand_types = typing.before(body.func)
    return valid.stack_types(body.operand_types[t.pc])


# ---------------------------------------------------------------------------
# §4.4.11 constant expressions
# ---------------------------------------------------------------------------


def evaluate_constant(store: Store, module: ModuleInstance, expr) -> Any:
    """§4.4.11 evaluate a (validated) constant expression in ``module``:
    execute its instructions (``t.const``, ``global.get``, ``ref.null``,
    ``ref.func``; fuel is not charged) with a frame of ``module``, up to its
    ``end``; the value left on the stack."""
    t = Thread(store, FuelMeter(None))
    t.frame = Frame(1, [], module, None, 0, None, None, 0, -1)
    for instr in expr:
        if instr.op == "end":
            break
        EXECUTE[instr.op](t, instr)
    return t.stack.pop()


__all__ = [
    "ACTIVATIONS", "Body", "EXECUTE", "EntryEvent", "Frame", "HostCallEvent", "InstructionEvent", "Label", "Observer",
    "Thread", "bodies", "call_host", "check_values", "copy_bytes", "evaluate_constant", "execute", "fill_bytes",
    "indirect_callee", "init_bytes", "observed_types", "table_copy_elements", "table_init_elements",
]
