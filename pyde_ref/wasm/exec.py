"""Execution (core spec §4.4), invocation (§4.5.5) and instantiation (§4.5.4).

The interpreter runs the flat code of :mod:`.predecode` with an explicit frame
stack: a wasm call never recurses in Python, so call depth is bounded only by
``MachineConfig.max_call_depth`` (``call_stack_exhausted``).  A host function is
called from the loop and may itself call :func:`invoke` (on this or another
store): that is how Pyde's cross-contract calls work, so :func:`invoke` is
re-entrant, and nested invocations share the call-depth limit.

One operand stack serves all frames of an invocation; a frame's locals are a
list.  A frame's *base* is the stack height at its entry (arguments popped);
branch heights from :mod:`.predecode` are relative to it.

Fuel (see :mod:`.fuel`): the loop keeps the remaining fuel in a local variable
and synchronises it with the :class:`~.fuel.FuelMeter` where the model says so:
``spec`` writes it back on every exit (return or trap) and around every host
call; ``wasmtime-50`` writes it back only at its write-back points.
"""

from __future__ import annotations

import struct
import threading
from typing import Optional, Sequence

from . import fuel as fuel_mod
from .errors import LinkError, Trap, TrapKind, Uninstantiable
from .fuel import FuelMeter
from .predecode import (
    OP_BINOP, OP_BR, OP_BR_ADJ, OP_BR_IF, OP_BR_IF_ADJ, OP_BR_TABLE, OP_CALL, OP_CALL_INDIRECT,
    OP_CONST, OP_DATA_DROP, OP_DROP, OP_ELEM_DROP, OP_FUEL, OP_GLOBAL_GET, OP_GLOBAL_SET,
    OP_I32_ADD, OP_I32_AND, OP_I32_EQ, OP_I32_EQZ, OP_I32_GE_U, OP_I32_GT_S, OP_I32_GT_U,
    OP_I32_LE_U, OP_I32_LT_S, OP_I32_LT_U, OP_I32_MUL, OP_I32_NE, OP_I32_OR, OP_I32_SHL,
    OP_I32_SHR_U, OP_I32_SUB, OP_I32_XOR, OP_I64_ADD, OP_I64_AND, OP_I64_EQ, OP_I64_EQZ,
    OP_I64_LT_U, OP_I64_MUL, OP_I64_NE, OP_I64_OR, OP_I64_SHL, OP_I64_SHR_U, OP_I64_SUB,
    OP_I64_XOR, OP_IF, OP_LOAD, OP_LOAD_S, OP_LOCAL_GET, OP_LOCAL_SET, OP_LOCAL_TEE,
    OP_MEMORY_COPY, OP_MEMORY_FILL, OP_MEMORY_GROW, OP_MEMORY_INIT, OP_MEMORY_SIZE, OP_RETURN,
    OP_SELECT, OP_STORE, OP_TABLE_COPY, OP_TABLE_INIT, OP_UNOP, OP_UNREACHABLE, OP_WCHECK,
    OP_WENTRY, OP_WFUEL, OP_GET2, OP_GET_CONST, OP_I32_ADD_SET, OP_LT_U_BR_IF, OP_GE_U_BR_IF,
    OP_NE_BR_IF, OP_EQZ_BR_IF, OP_LT_U_IF, OP_GET_ADD_CONST, OP_GET_SUB_CONST, OP_INC_LOCAL, OP_STATIC_OOB, HOT_OPS, module_code,
)
from .runtime import (
    MAX_LOCAL_SLOTS, PAGE_SIZE, Caller, ExternVal, FuncInstance, InvocationError, ModuleInstance, Store,
    value_fits,
)
from .syntax import FuncType, GlobalType, Limits, MemType, Module, TableType

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
SIGN32 = 0x80000000
UNLIMITED_FUEL = 1 << 62
"""Stands in for the budget of an unlimited meter inside the loop (so that the
loop needs no separate "unlimited" path); a computation cannot consume it."""

_TRAP_OOB = TrapKind.MEMORY_OUT_OF_BOUNDS
TABLE_OUT_OF_BOUNDS = TrapKind.TABLE_OUT_OF_BOUNDS
"""Trap kind of a table access out of bounds (``table.copy``/``table.init`` and
active element segments; the spec tests' "out of bounds table access")."""


class _Nesting(threading.local):
    """Frames live in invocations further out on this thread (re-entrant invoke)."""

    depth = 0
    slots = 0


_NESTING = _Nesting()


# ---------------------------------------------------------------------------
# Invocation (§4.5.5)
# ---------------------------------------------------------------------------


def invoke(store: Store, funcaddr: int, args: Sequence[int], fuel: Optional[FuelMeter] = None) -> list:
    """§4.5.5 invoke the function at ``funcaddr`` with ``args`` (bit patterns).

    Returns the results; raises :class:`Trap` (the meter then holds the fuel the
    model says was consumed), :class:`InvocationError` for wrong arguments, or
    whatever a host function raised."""
    if not isinstance(funcaddr, int) or not 0 <= funcaddr < len(store.funcs):
        raise InvocationError(f"no function at address {funcaddr!r}")
    func = store.funcs[funcaddr]
    _check_values("argument", func.type.params, args)
    meter = fuel if fuel is not None else FuelMeter(None)
    if func.host is not None:
        outer_depth = _NESTING.depth
        if outer_depth + 1 > store.config.max_call_depth:
            raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "call depth limit reached")
        _NESTING.depth = outer_depth + 1
        try:
            return _call_host(store, func, None, tuple(args), meter)
        finally:
            _NESTING.depth = outer_depth
    return _execute(store, func, list(args), meter)


def _check_values(what: str, types: Sequence[str], values: Sequence) -> None:
    if not isinstance(values, (list, tuple)):
        raise InvocationError(f"{what}s must be a list or tuple of values, not {type(values).__name__}")
    if len(values) != len(types):
        raise InvocationError(f"expected {len(types)} {what}s of types [{' '.join(types)}], got {len(values)}")
    for i, (t, v) in enumerate(zip(types, values)):
        if not value_fits(t, v):
            raise InvocationError(f"{what} {i} is {v!r}, not a {t} bit pattern")


def _call_host(store: Store, func: FuncInstance, inst: Optional[ModuleInstance], args: tuple,
               meter: FuelMeter) -> list:
    """Call a host function; its results are checked against its type."""
    memory = inst.mems[0] if inst is not None and inst.mems else None
    results = func.host.fn(Caller(inst, memory, meter, store), args)
    results = list(results) if results is not None else []
    try:
        _check_values("result", func.type.results, results)
    except InvocationError as e:
        raise InvocationError(f"host function {func.host.name!r} returned a bad result: {e}") from None
    return results


# ---------------------------------------------------------------------------
# The interpreter loop (§4.4)
# ---------------------------------------------------------------------------


def _execute(store: Store, func: FuncInstance, args: list, meter: FuelMeter) -> list:
    """Run wasm function ``func`` to completion and return its results."""
    config = store.config
    wasmtime = config.fuel_model == fuel_mod.WASMTIME_50
    outer_depth = _NESTING.depth
    outer_slots = _NESTING.slots
    max_frames = config.max_call_depth - outer_depth  # frames this invocation may hold
    if max_frames < 1:
        raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "call depth limit reached")
    max_callers = max_frames - 1  # a call is refused when this many frames wait below the current one
    fbase = meter.budget if meter.budget is not None else UNLIMITED_FUEL
    fuel = fbase - meter.used
    store_funcs = store.funcs

    code = func.code
    inst = func.module
    ops = code.ops
    imms = code.imms
    locals_ = args + code.zeros
    live_slots = outer_slots + len(locals_)  # locals of every live frame (MAX_LOCAL_SLOTS)
    if live_slots > MAX_LOCAL_SLOTS:
        raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "local slot limit reached")
    stack: list = []
    base = 0
    pc = 0
    frames: list = []
    funcs = inst.funcs
    globs = inst.globals
    memobj = inst.mems[0] if inst.mems else None
    mem = memobj.data if memobj is not None else bytearray()
    in_host = False

    try:
        while True:
            op = ops[pc]
            arg = imms[pc]
            pc += 1
            # Opcodes are numbered hottest first (predecode); a two-level test finds one in few comparisons.
            if op < OP_BR:
                if op == OP_LOCAL_GET:
                    stack.append(locals_[arg])
                elif op == OP_CONST:
                    stack.append(arg)
                elif op == OP_GET2:
                    stack.append(locals_[arg[0]])
                    stack.append(locals_[arg[1]])
                elif op == OP_GET_CONST:
                    stack.append(locals_[arg[0]])
                    stack.append(arg[1])
                elif op == OP_GET_ADD_CONST:
                    stack.append((locals_[arg[0]] + arg[1]) & M32)
                elif op == OP_GET_SUB_CONST:
                    stack.append((locals_[arg[0]] - arg[1]) & M32)
                elif op == OP_INC_LOCAL:
                    src, value, dst = arg
                    locals_[dst] = (locals_[src] + value) & M32
                elif op == OP_LOCAL_SET:
                    locals_[arg] = stack.pop()
                elif op == OP_LOCAL_TEE:
                    locals_[arg] = stack[-1]
                elif op == OP_FUEL:
                    if arg > fuel:
                        if len(code.run_costs[pc - 1]) == 1:  # one instruction: it does not fit
                            raise Trap(TrapKind.OUT_OF_FUEL)
                        # The run does not fit as a whole: continue in the function's careful
                        # code, which charges before every instruction, to find the exact point.
                        pc = code.careful_pc(pc - 1)
                        code = code.careful()
                        ops = code.ops
                        imms = code.imms
                        continue
                    fuel -= arg
                elif op == OP_BR_IF:
                    if stack.pop():
                        pc = arg
                else:  # pragma: no cover - every opcode of the group is handled
                    raise AssertionError(f"unknown internal opcode {op}")
            elif op < OP_NE_BR_IF:
                if op == OP_BR:
                    pc = arg
                elif op == OP_I32_ADD:
                    b = stack.pop()
                    stack[-1] = (stack[-1] + b) & M32
                elif op == OP_I32_SUB:
                    b = stack.pop()
                    stack[-1] = (stack[-1] - b) & M32
                elif op == OP_CALL or op == OP_CALL_INDIRECT:
                    if wasmtime:  # a write-back point, before call_indirect's checks can trap
                        meter.used = fbase - fuel
                    if op == OP_CALL:
                        callee = funcs[arg]
                    else:
                        typeidx, tableidx = arg
                        callee = _indirect_callee(store_funcs, inst, typeidx, tableidx, stack.pop())
                    callee_code = callee.code
                    if callee_code is None:  # a host function
                        if len(frames) >= max_callers:
                            raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "call depth limit reached")
                        n = len(callee.type.params)
                        host_args = tuple(stack[len(stack) - n:])
                        del stack[len(stack) - n:]
                        meter.used = fbase - fuel
                        in_host = True
                        _NESTING.depth = outer_depth + len(frames) + 2
                        _NESTING.slots = live_slots
                        try:
                            results = _call_host(store, callee, inst, host_args, meter)
                        finally:
                            _NESTING.depth = outer_depth
                            _NESTING.slots = outer_slots
                        in_host = False
                        fuel = fbase - meter.used
                        stack.extend(results)
                        continue
                    if len(frames) >= max_callers:
                        raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "call depth limit reached")
                    live_slots += callee_code.nlocals
                    if live_slots > MAX_LOCAL_SLOTS:
                        raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "local slot limit reached")
                    frames.append((ops, imms, pc, locals_, base, code, inst))
                    base = len(stack) - callee_code.nparams  # the arguments become locals
                    locals_ = stack[base:]
                    del stack[base:]
                    if callee_code.zeros:
                        locals_ += callee_code.zeros
                    code = callee_code
                    ops = code.ops
                    imms = code.imms
                    pc = 0
                    if callee.module is not inst:
                        inst = callee.module
                        funcs = inst.funcs
                        globs = inst.globals
                        memobj = inst.mems[0] if inst.mems else None
                        mem = memobj.data if memobj is not None else bytearray()
                elif op == OP_RETURN:
                    n = code.nresults
                    if len(stack) - base != n:
                        del stack[base:len(stack) - n]
                    if wasmtime:
                        meter.used = fbase - fuel
                    if not frames:
                        break
                    live_slots -= code.nlocals
                    ops, imms, pc, locals_, base, code, caller_inst = frames.pop()
                    if caller_inst is not inst:
                        inst = caller_inst
                        funcs = inst.funcs
                        globs = inst.globals
                        memobj = inst.mems[0] if inst.mems else None
                        mem = memobj.data if memobj is not None else bytearray()
                elif op == OP_IF:
                    if not stack.pop():
                        pc = arg
                elif op == OP_LT_U_BR_IF:
                    b = stack.pop()
                    if stack.pop() < b:
                        pc = arg
                elif op == OP_GE_U_BR_IF:
                    b = stack.pop()
                    if stack.pop() >= b:
                        pc = arg
                else:  # pragma: no cover - every opcode of the group is handled
                    raise AssertionError(f"unknown internal opcode {op}")
            elif op < OP_WENTRY:
                if op == OP_NE_BR_IF:
                    b = stack.pop()
                    if stack.pop() != b:
                        pc = arg
                elif op == OP_EQZ_BR_IF:
                    if not stack.pop():
                        pc = arg
                elif op == OP_LT_U_IF:
                    b = stack.pop()
                    if not stack.pop() < b:
                        pc = arg
                elif op == OP_I32_ADD_SET:
                    b = stack.pop()
                    locals_[arg] = (stack.pop() + b) & M32
                elif op == OP_LOAD:
                    unpack, offset = arg
                    stack[-1] = unpack(mem, stack[-1] + offset)[0]
                elif op == OP_STORE:
                    pack, offset, mask = arg
                    value = stack.pop()
                    pack(mem, stack.pop() + offset, value & mask)
                elif op == OP_WFUEL:
                    fuel -= arg
                elif op == OP_WCHECK:
                    if fuel <= 0:
                        meter.used = fbase - fuel
                        raise Trap(TrapKind.OUT_OF_FUEL)
                else:  # pragma: no cover - every opcode of the group is handled
                    raise AssertionError(f"unknown internal opcode {op}")
            elif op < HOT_OPS:
                if op == OP_WENTRY:
                    fuel -= fuel_mod.FUNCTION_ENTRY_COST
                    if fuel <= 0:
                        meter.used = fbase - fuel
                        raise Trap(TrapKind.OUT_OF_FUEL)
                else:  # pragma: no cover - every opcode of the group is handled
                    raise AssertionError(f"unknown internal opcode {op}")
            elif op == OP_I32_AND:
                b = stack.pop()
                stack[-1] &= b
            elif op == OP_I32_OR:
                b = stack.pop()
                stack[-1] |= b
            elif op == OP_I32_XOR:
                b = stack.pop()
                stack[-1] ^= b
            elif op == OP_I32_SHL:
                b = stack.pop()
                stack[-1] = (stack[-1] << (b & 31)) & M32
            elif op == OP_I32_SHR_U:
                b = stack.pop()
                stack[-1] >>= b & 31
            elif op == OP_I32_EQ:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] == b else 0
            elif op == OP_I32_NE:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] != b else 0
            elif op == OP_I32_EQZ:
                stack[-1] = 0 if stack[-1] else 1
            elif op == OP_I32_LT_U:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] < b else 0
            elif op == OP_I32_LT_S:
                b = stack.pop()
                stack[-1] = 1 if (stack[-1] ^ SIGN32) < (b ^ SIGN32) else 0
            elif op == OP_I32_GT_U:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] > b else 0
            elif op == OP_I32_GT_S:
                b = stack.pop()
                stack[-1] = 1 if (stack[-1] ^ SIGN32) > (b ^ SIGN32) else 0
            elif op == OP_I32_LE_U:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] <= b else 0
            elif op == OP_I32_GE_U:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] >= b else 0
            elif op == OP_I32_MUL:
                b = stack.pop()
                stack[-1] = (stack[-1] * b) & M32
            elif op == OP_I64_ADD:
                b = stack.pop()
                stack[-1] = (stack[-1] + b) & M64
            elif op == OP_I64_SUB:
                b = stack.pop()
                stack[-1] = (stack[-1] - b) & M64
            elif op == OP_I64_AND:
                b = stack.pop()
                stack[-1] &= b
            elif op == OP_I64_OR:
                b = stack.pop()
                stack[-1] |= b
            elif op == OP_I64_XOR:
                b = stack.pop()
                stack[-1] ^= b
            elif op == OP_I64_MUL:
                b = stack.pop()
                stack[-1] = (stack[-1] * b) & M64
            elif op == OP_I64_SHL:
                b = stack.pop()
                stack[-1] = (stack[-1] << (b & 63)) & M64
            elif op == OP_I64_SHR_U:
                b = stack.pop()
                stack[-1] >>= b & 63
            elif op == OP_I64_EQ:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] == b else 0
            elif op == OP_I64_NE:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] != b else 0
            elif op == OP_I64_EQZ:
                stack[-1] = 0 if stack[-1] else 1
            elif op == OP_I64_LT_U:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] < b else 0
            elif op == OP_BINOP:
                b = stack.pop()
                stack[-1] = arg(stack[-1], b)
            elif op == OP_UNOP:
                stack[-1] = arg(stack[-1])
            elif op == OP_LOAD_S:
                unpack, offset, mask = arg
                stack[-1] = unpack(mem, stack[-1] + offset)[0] & mask
            elif op == OP_GLOBAL_GET:
                stack.append(globs[arg].value)
            elif op == OP_GLOBAL_SET:
                globs[arg].value = stack.pop()
            elif op == OP_BR_ADJ:
                pc, height, arity = arg
                del stack[base + height:len(stack) - arity]
            elif op == OP_BR_IF_ADJ:
                if stack.pop():
                    pc, height, arity = arg
                    del stack[base + height:len(stack) - arity]
            elif op == OP_BR_TABLE:
                entries, default = arg
                i = stack.pop()
                pc, height, arity = entries[i] if i < len(entries) else default
                if height >= 0:
                    del stack[base + height:len(stack) - arity]
            elif op == OP_DROP:
                stack.pop()
            elif op == OP_SELECT:
                c = stack.pop()
                b = stack.pop()
                if not c:
                    stack[-1] = b
            elif op == OP_UNREACHABLE:
                if wasmtime:
                    meter.used = fbase - fuel
                raise Trap(TrapKind.UNREACHABLE)
            elif op == OP_MEMORY_SIZE:
                stack.append(len(mem) // PAGE_SIZE)
            elif op == OP_MEMORY_GROW:
                delta = stack[-1]
                late = wasmtime and not arg  # wasmtime's runtime path: charge after success
                fuel = fuel - fuel_mod.BASE_COST if late else _charge_dynamic(fuel, delta, wasmtime)
                result = memobj.grow(delta)
                stack[-1] = result & M32
                if late and result >= 0:
                    fuel = _charge_after_success(fuel, delta, meter, fbase)
            elif op == OP_MEMORY_COPY:
                n = stack.pop()
                src = stack.pop()
                dst = stack.pop()
                late = wasmtime and not arg
                fuel = fuel - fuel_mod.BASE_COST if late else _charge_dynamic(fuel, n, wasmtime)
                if src + n > len(mem) or dst + n > len(mem):
                    raise Trap(_TRAP_OOB, f"memory.copy of {n} bytes from {src} to {dst}")
                mem[dst:dst + n] = mem[src:src + n]
                if late:
                    fuel = _charge_after_success(fuel, n, meter, fbase)
            elif op == OP_MEMORY_FILL:
                n = stack.pop()
                value = stack.pop()
                dst = stack.pop()
                late = wasmtime and not arg
                fuel = fuel - fuel_mod.BASE_COST if late else _charge_dynamic(fuel, n, wasmtime)
                if dst + n > len(mem):
                    raise Trap(_TRAP_OOB, f"memory.fill of {n} bytes at {dst}")
                mem[dst:dst + n] = bytes((value & 0xFF,)) * n
                if late:
                    fuel = _charge_after_success(fuel, n, meter, fbase)
            elif op == OP_MEMORY_INIT:
                n = stack.pop()
                src = stack.pop()
                dst = stack.pop()
                dataidx, static_len = arg
                late = wasmtime and not static_len
                fuel = fuel - fuel_mod.BASE_COST if late else _charge_dynamic(fuel, n, wasmtime)
                data = inst.datas[dataidx].data
                if src + n > len(data) or dst + n > len(mem):
                    raise Trap(_TRAP_OOB, f"memory.init of {n} bytes from {src} to {dst}")
                mem[dst:dst + n] = data[src:src + n]
                if late:
                    fuel = _charge_after_success(fuel, n, meter, fbase)
            elif op == OP_DATA_DROP:
                inst.datas[arg].data = b""
            elif op == OP_TABLE_COPY:
                n = stack.pop()
                src = stack.pop()
                dst = stack.pop()
                dst_table, src_table, static_len = arg
                late = wasmtime and not static_len
                fuel = fuel - fuel_mod.BASE_COST if late else _charge_dynamic(fuel, n, wasmtime)
                _table_copy(inst.tables[dst_table], inst.tables[src_table], dst, src, n)
                if late:
                    fuel = _charge_after_success(fuel, n, meter, fbase)
            elif op == OP_TABLE_INIT:
                n = stack.pop()
                src = stack.pop()
                dst = stack.pop()
                elemidx, tableidx, static_len = arg
                late = wasmtime and not static_len
                fuel = fuel - fuel_mod.BASE_COST if late else _charge_dynamic(fuel, n, wasmtime)
                _table_init(inst.tables[tableidx], inst.elems[elemidx], dst, src, n)
                if late:
                    fuel = _charge_after_success(fuel, n, meter, fbase)
            elif op == OP_ELEM_DROP:
                inst.elems[arg].elements = []
            elif op == OP_STATIC_OOB:
                if wasmtime:  # compiled like unreachable: a write-back point
                    meter.used = fbase - fuel
                raise Trap(_TRAP_OOB, "static offset beyond the memory's maximum size")
            else:  # pragma: no cover - predecode emits nothing else
                raise AssertionError(f"unknown internal opcode {op}")
    except struct.error:
        if not wasmtime:
            # The run was charged whole: give back what comes after the trapping instruction.
            meter.used = fbase - fuel - code.refund[pc - 1]
        raise Trap(_TRAP_OOB, "load or store outside memory") from None
    except BaseException:
        # A host function that raised already left the meter as it wants it.
        if not wasmtime and not in_host:
            meter.used = fbase - fuel - code.refund[pc - 1]
        raise
    meter.used = fbase - fuel
    return stack[base:]


def _charge_dynamic(fuel: int, amount: int, wasmtime: bool) -> int:
    """Charge a dynamic-cost instruction (:data:`.fuel.DYNAMIC_COST_OPS`): the
    ``spec`` model checks before charging (and charges nothing on failure),
    ``wasmtime-50`` charges without a check."""
    cost = fuel_mod.BASE_COST + amount
    if not wasmtime and cost > fuel:
        raise Trap(TrapKind.OUT_OF_FUEL, f"instruction costs {cost} with {fuel} left")
    return fuel - cost


def _charge_after_success(fuel: int, amount: int, meter: FuelMeter, fbase: int) -> int:
    """``wasmtime-50`` runtime path of a dynamic-cost instruction: after it
    succeeded, add its length and check on the spot (the effect stays)."""
    fuel -= amount
    if fuel <= 0:
        meter.used = fbase - fuel
        raise Trap(TrapKind.OUT_OF_FUEL, "after a bulk operation")
    return fuel


def _indirect_callee(store_funcs, inst: ModuleInstance, typeidx: int, tableidx: int, i: int) -> FuncInstance:
    """§4.4.8 ``call_indirect``: the three ways it traps, in the spec's order."""
    elements = inst.tables[tableidx].elements
    if i >= len(elements):
        raise Trap(TrapKind.UNDEFINED_ELEMENT, f"table index {i} out of bounds ({len(elements)} elements)")
    addr = elements[i]
    if addr is None:
        raise Trap(TrapKind.UNINITIALIZED_ELEMENT, f"table element {i} is null")
    callee = store_funcs[addr]
    expected = inst.types[typeidx]
    if callee.type != expected:
        raise Trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH, f"expected {expected}, found {callee.type}")
    return callee


def _table_copy(dst_table, src_table, dst: int, src: int, n: int) -> None:
    """§4.4.6 ``table.copy``: bounds checked before any element moves."""
    if src + n > len(src_table.elements) or dst + n > len(dst_table.elements):
        raise Trap(TABLE_OUT_OF_BOUNDS, f"table.copy of {n} elements from {src} to {dst}")
    dst_table.elements[dst:dst + n] = src_table.elements[src:src + n]


def _table_init(table, elem, dst: int, src: int, n: int) -> None:
    """§4.4.6 ``table.init``: bounds checked before any element is written."""
    if src + n > len(elem.elements) or dst + n > len(table.elements):
        raise Trap(TABLE_OUT_OF_BOUNDS, f"table.init of {n} elements from {src} to {dst}")
    table.elements[dst:dst + n] = elem.elements[src:src + n]


# ---------------------------------------------------------------------------
# Instantiation (§4.5.4)
# ---------------------------------------------------------------------------


def instantiate(store: Store, module: Module, imports: Sequence[ExternVal],
                fuel: Optional[FuelMeter] = None) -> ModuleInstance:
    """§4.5.4 instantiate a *validated* module.

    Steps, in the spec's order: match the imports (:class:`LinkError`); check
    memories and tables against the machine's caps (:class:`Uninstantiable`,
    before anything is allocated); allocate functions, tables, memories, globals
    (their initialisers evaluated in order), element and data segments;
    apply the active element segments then the active data segments, in
    order, each as ``table.init``/``memory.init`` followed by a drop (a
    segment that does not fit traps: :class:`Uninstantiable`, and the earlier
    segments stay applied, as the current spec says); drop the declarative
    element segments; run the start function under ``fuel`` (a trap there:
    :class:`Uninstantiable`).  Segment initialisation costs no fuel in the
    ``spec`` model; ``wasmtime-50`` charges what wasmtime does
    (:func:`.fuel.wasmtime_instantiation_cost`)."""
    imports = list(imports)
    _match_imports(store, module, imports)
    for memtype in module.mems:
        store._check_memory_fits(memtype)
    for tabletype in module.tables:
        store._check_table_fits(tabletype)
    config = store.config
    codes = module_code(module, config.fuel_model, config.nan_canonicalization)

    inst = ModuleInstance(module, module.types)
    for imp, ext in zip(module.imports, imports):
        _add_import(store, inst, imp.kind, ext.addr)
    for code in codes:
        func = FuncInstance(code.type, inst, code)
        inst.funcaddrs.append(store.alloc_func(func))
        inst.funcs.append(func)
    for tabletype in module.tables:
        _add_import(store, inst, "table", store.alloc_table(tabletype))
    for memtype in module.mems:
        _add_import(store, inst, "memory", store.alloc_memory(memtype))
    for glob in module.globals:
        _add_import(store, inst, "global", store.alloc_global(glob.type, eval_const(inst, glob.init)))
    for elem in module.elems:
        addr = store.alloc_elem(elem.elem_type, [eval_const(inst, e) for e in elem.init])
        inst.elemaddrs.append(addr)
        inst.elems.append(store.elems[addr])
    for data in module.datas:
        addr = store.alloc_data(bytes(data.init))
        inst.dataaddrs.append(addr)
        inst.datas.append(store.datas[addr])
    addr_lists = {"func": inst.funcaddrs, "table": inst.tableaddrs, "memory": inst.memaddrs,
                  "global": inst.globaladdrs}
    for export in module.exports:
        inst.exports[export.name] = ExternVal(export.kind, addr_lists[export.kind][export.index])

    _initialise_segments(inst, module)
    if config.fuel_model == fuel_mod.WASMTIME_50:
        _charge_wasmtime_instantiation(module, fuel)
    if module.start is not None:
        try:
            invoke(store, inst.funcaddrs[module.start], [], fuel)
        except Trap as trap:
            raise Uninstantiable(f"start function trapped: {trap}", trap) from None
    return inst


def _charge_wasmtime_instantiation(module: Module, fuel: Optional[FuelMeter]) -> None:
    """``wasmtime-50`` model: what wasmtime charges for instantiating (see
    :func:`.fuel.wasmtime_instantiation_cost`); without a start function the
    charge is checked at once, with one the start function's entry check sees it."""
    if fuel is None:
        return
    has_passive = any(elem.mode == "passive" for elem in module.elems)
    cost = fuel_mod.wasmtime_instantiation_cost(has_passive, module.start is not None)
    fuel.used += cost
    if cost and module.start is None and fuel_mod.wasmtime_check_fails(fuel.used, fuel.budget):
        trap = Trap(TrapKind.OUT_OF_FUEL, "instantiation")
        raise Uninstantiable(f"instantiation ran out of fuel: {trap}", trap)


def _initialise_segments(inst: ModuleInstance, module: Module) -> None:
    """§4.5.4 steps 14-15: active element segments, then active data segments."""
    for i, elem in enumerate(module.elems):
        if elem.mode == "active":
            offset = eval_const(inst, elem.offset)
            try:
                _table_init(inst.tables[elem.table_index], inst.elems[i], offset, 0, len(inst.elems[i].elements))
            except Trap as trap:
                raise Uninstantiable(f"element segment {i} does not fit its table: {trap}", trap) from None
        if elem.mode in ("active", "declarative"):
            inst.elems[i].elements = []
    for i, data in enumerate(module.datas):
        if data.mode == "active":
            offset = eval_const(inst, data.offset)
            memory = inst.mems[data.memory_index]
            segment = inst.datas[i].data
            if offset + len(segment) > len(memory.data):
                trap = Trap(_TRAP_OOB, f"data segment {i} of {len(segment)} bytes at {offset}")
                raise Uninstantiable(f"data segment {i} does not fit memory: {trap}", trap)
            memory.data[offset:offset + len(segment)] = segment
            inst.datas[i].data = b""


def _add_import(store: Store, inst: ModuleInstance, kind: str, addr: int) -> None:
    if kind == "func":
        inst.funcaddrs.append(addr)
        inst.funcs.append(store.funcs[addr])
    elif kind == "table":
        inst.tableaddrs.append(addr)
        inst.tables.append(store.tables[addr])
    elif kind == "memory":
        inst.memaddrs.append(addr)
        inst.mems.append(store.mems[addr])
    else:
        inst.globaladdrs.append(addr)
        inst.globals.append(store.globals[addr])


_STORE_LISTS = {"func": "funcs", "table": "tables", "memory": "mems", "global": "globals"}


def _match_imports(store: Store, module: Module, imports: list) -> None:
    """§4.5.4 steps 3-4 with §4.5.2 external typing and import subtyping."""
    if len(imports) != len(module.imports):
        raise LinkError(f"module has {len(module.imports)} imports, {len(imports)} external values given")
    for imp, ext in zip(module.imports, imports):
        where = f"import {imp.module!r} {imp.name!r}"
        if not isinstance(ext, ExternVal) or ext.kind != imp.kind:
            raise LinkError(f"{where}: expected a {imp.kind}, got {ext!r}")
        if not isinstance(ext.addr, int) or not 0 <= ext.addr < len(getattr(store, _STORE_LISTS[ext.kind])):
            raise LinkError(f"{where}: no {ext.kind} at address {ext.addr!r}")
        actual = store.extern_type(ext)
        expected = module.types[imp.desc] if imp.kind == "func" else imp.desc
        if not extern_type_matches(actual, expected):
            raise LinkError(f"{where}: incompatible import type, expected {expected}, got {actual}")


def limits_match(actual: Limits, expected: Limits) -> bool:
    """§3.5? limits subtyping: at least the minimum, at most the maximum."""
    if actual.min < expected.min:
        return False
    if expected.max is None:
        return True
    return actual.max is not None and actual.max <= expected.max


def extern_type_matches(actual, expected) -> bool:
    """Import subtyping: function and global types exactly, limits by :func:`limits_match`."""
    if isinstance(expected, FuncType):
        return isinstance(actual, FuncType) and actual == expected
    if isinstance(expected, TableType):
        return (isinstance(actual, TableType) and actual.elem_type == expected.elem_type
                and limits_match(actual.limits, expected.limits))
    if isinstance(expected, MemType):
        return isinstance(actual, MemType) and limits_match(actual.limits, expected.limits)
    if isinstance(expected, GlobalType):
        return isinstance(actual, GlobalType) and actual == expected
    return False


_CONST_BINARY = {
    "i32.add": lambda a, b: (a + b) & M32, "i32.sub": lambda a, b: (a - b) & M32,
    "i32.mul": lambda a, b: (a * b) & M32, "i64.add": lambda a, b: (a + b) & M64,
    "i64.sub": lambda a, b: (a - b) & M64, "i64.mul": lambda a, b: (a * b) & M64,
}


def eval_const(inst: ModuleInstance, expr) -> object:
    """§4.4.10 evaluate a (validated) constant expression in ``inst``."""
    stack: list = []
    for instr in expr:
        op = instr.op
        if op in ("i32.const", "i64.const", "f32.const", "f64.const"):
            stack.append(instr.imm[0])
        elif op == "global.get":
            stack.append(inst.globals[instr.imm[0]].value)
        elif op == "ref.null":
            stack.append(None)
        elif op == "ref.func":
            stack.append(inst.funcaddrs[instr.imm[0]])
        elif op in _CONST_BINARY:
            b = stack.pop()
            stack.append(_CONST_BINARY[op](stack.pop(), b))
        elif op == "end":
            break
        else:
            raise Uninstantiable(f"unexpected instruction {op} in a constant expression")
    return stack[-1]
