"""The fast tier: the interpreter loop over pre-decoded code (:mod:`.predecode`).

It computes exactly what the reading tier (:mod:`.eval`, the rule as §4.4
states it) computes, faster; ``tests/wasm/test_tiers.py``, the spec tests on
both tiers and ``pyde-ref fuzz --tier-check`` check that continuously.  Where
the rule is not a hot path it is the reading tier's own function: the
effects of the bulk memory and table instructions, ``call_indirect``'s
checks, host calls and the activation limits.

One loop, an explicit frame stack: a wasm call never recurses in Python, so
call depth is bounded only by ``MachineConfig.max_activations``
(``call_stack_exhausted``).  A host function is called from the loop and may
itself call :func:`.exec.invoke` (on this or another store): that is how
Pyde's cross-contract calls work, so invocation is re-entrant, and nested
invocations share the activation limits (:data:`.eval.ACTIVATIONS`).

One operand stack serves all frames of an invocation; a frame's locals are a
list.  A frame's *base* is the stack height at its entry (arguments popped);
branch heights from :mod:`.predecode` are relative to it.

The hot operators are inline in the loop, tested in numbered groups (most
frequent first); the cold ones are named functions below it.

Fuel: the loop keeps the remaining fuel in a local variable and writes it to
the :class:`~.fuel.FuelMeter` around every host call and on every exit; the
``spec`` model charges each run with ``OP_FUEL`` (checked: a run that does not
fit continues in the careful code, :func:`switch_to_careful`) and the
length-dependent costs with ``OP_CHARGE_LENGTH``, and after a trap gives back
what the rest of the trapping instruction's run was charged
(:func:`settle_after_trap`).  The wasmtime timing's differences are opcodes
of their own (``OP_WFUEL``, ``OP_WENTRY``, ``OP_WCHECK``, ``OP_WSYNC``,
``OP_WCHARGE_AFTER``) and leave the meter as last written back after a trap.
"""

from __future__ import annotations

import struct
from typing import Optional

from . import fuel as fuel_mod
from .errors import Trap, TrapKind
from .eval import (
    ACTIVATIONS, LOAD_STORE_OUT_OF_BOUNDS, call_host, call_stack_exhausted, copy_bytes, fill_bytes, indirect_callee,
    init_bytes, table_copy_elements, table_init_elements,
)
from .fuel import FuelMeter, out_of_fuel
from .predecode import (
    OP_BINOP, OP_BR, OP_BR_ADJ, OP_BR_IF, OP_BR_IF_ADJ, OP_BR_TABLE, OP_CALL, OP_CALL_INDIRECT,
    OP_CHARGE_LENGTH, OP_CONST, OP_DATA_DROP, OP_DROP, OP_ELEM_DROP, OP_EQZ_BR_IF, OP_FUEL, OP_GE_U_BR_IF,
    OP_GET2, OP_GET_ADD_CONST, OP_GET_CONST, OP_GET_SUB_CONST, OP_GLOBAL_GET, OP_GLOBAL_SET, OP_I32_ADD,
    OP_I32_ADD_SET, OP_I32_AND, OP_I32_EQ, OP_I32_EQZ, OP_I32_GE_U, OP_I32_GT_S, OP_I32_GT_U, OP_I32_LE_U,
    OP_I32_LT_S, OP_I32_LT_U, OP_I32_MUL, OP_I32_NE, OP_I32_OR, OP_I32_SHL, OP_I32_SHR_U, OP_I32_SUB,
    OP_I32_XOR, OP_I64_ADD, OP_I64_AND, OP_I64_EQ, OP_I64_EQZ, OP_I64_LT_U, OP_I64_MUL, OP_I64_NE,
    OP_I64_OR, OP_I64_SHL, OP_I64_SHR_U, OP_I64_SUB, OP_I64_XOR, OP_IF, OP_INC_LOCAL, OP_LOAD, OP_LOAD_S,
    OP_LOCAL_GET, OP_LOCAL_SET, OP_LOCAL_TEE, OP_LT_U_BR_IF, OP_LT_U_IF, OP_MEMORY_COPY, OP_MEMORY_FILL,
    OP_MEMORY_GROW, OP_MEMORY_INIT, OP_MEMORY_SIZE, OP_NE_BR_IF, OP_RETURN, OP_SELECT, OP_STATIC_OOB,
    OP_STORE, OP_TABLE_COPY, OP_TABLE_INIT, OP_UNOP, OP_UNREACHABLE, OP_WCHARGE_AFTER, OP_WCHECK,
    OP_WENTRY, OP_WFUEL, OP_WSYNC, HOT_OPS, Code,
)
from .runtime import MAX_LOCAL_SLOTS, PAGE_SIZE, FuncInstance, ModuleInstance, Store, lazy_locals

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
SIGN32 = 0x80000000
UNLIMITED_FUEL = 1 << 62
"""Stands in for the budget of an unlimited meter inside the loop (so that the
loop needs no separate "unlimited" path); a computation cannot consume it."""


def execute(store: Store, func: FuncInstance, args: list, meter: FuelMeter) -> list:
    """Run wasm function ``func`` to completion and return its results."""
    config = store.config
    settle_after_trap = SETTLE_AFTER_TRAP[config.fuel.timing]
    outer_depth = ACTIVATIONS.depth
    outer_slots = ACTIVATIONS.slots
    max_frames = config.max_activations - outer_depth  # frames this invocation may hold
    if max_frames < 1:
        raise call_stack_exhausted("call depth limit reached")
    max_callers = max_frames - 1  # a call is refused when this many frames wait below the current one
    fbase = meter.budget if meter.budget is not None else UNLIMITED_FUEL
    fuel = fbase - meter.used
    store_funcs = store.funcs

    code = func.code
    inst = func.module
    ops = code.ops
    imms = code.imms
    locals_ = args + code.zeros if code.zeros is not None else lazy_locals(args)
    live_slots = outer_slots + len(locals_)  # locals of every live frame (MAX_LOCAL_SLOTS)
    if live_slots > MAX_LOCAL_SLOTS:
        raise call_stack_exhausted("local slot limit reached")
    stack: list = []
    base = 0
    pc = 0
    frames: list = []
    funcs, globs, memobj, mem = instance_view(inst)
    in_host = False
    length = 0  # the length operand of the last length-dependent instruction (OP_WCHARGE_AFTER)

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
                        code, pc = switch_to_careful(code, pc - 1, fuel)
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
                    # §4.4.8 call / call_indirect, §4.4.10: push the caller's frame, enter the callee.
                    if op == OP_CALL:
                        callee = funcs[arg]
                        if callee is None:  # allocated on first use (runtime.ModuleInstance)
                            callee = inst.function(arg)
                    else:
                        callee = indirect_callee(store, inst, arg[0], arg[1], stack.pop())
                    if len(frames) >= max_callers:
                        raise call_stack_exhausted("call depth limit reached")
                    callee_code = callee.code
                    if callee.host is not None:
                        meter.used = fbase - fuel
                        in_host = True
                        call_host_from_loop(store, callee, inst, stack, meter, outer_depth + len(frames) + 2,
                                            live_slots, outer_depth, outer_slots)
                        in_host = False
                        fuel = fbase - meter.used
                        if memobj is not None:  # a re-entrant call may have grown it: a new view
                            mem = memobj.data
                        continue
                    live_slots += callee_code.nlocals
                    if live_slots > MAX_LOCAL_SLOTS:
                        raise call_stack_exhausted("local slot limit reached")
                    frames.append((ops, imms, pc, locals_, base, code, inst))
                    base = len(stack) - callee_code.nparams  # the arguments become locals
                    locals_ = stack[base:]
                    del stack[base:]
                    if callee_code.zeros:
                        locals_ += callee_code.zeros
                    elif callee_code.zeros is None:  # many declared locals: started lazily
                        locals_ = lazy_locals(locals_)
                    code = callee_code
                    ops = code.ops
                    imms = code.imms
                    pc = 0
                    if callee.module is not inst:
                        inst = callee.module
                        funcs, globs, memobj, mem = instance_view(inst)
                elif op == OP_RETURN:
                    # §4.4.10 returning: keep the results, drop the rest of the frame, resume the caller.
                    n = code.nresults
                    if len(stack) - base != n:
                        del stack[base:len(stack) - n]
                    if not frames:
                        break
                    live_slots -= code.nlocals
                    ops, imms, pc, locals_, base, code, caller_inst = frames.pop()
                    if caller_inst is not inst:
                        inst = caller_inst
                        funcs, globs, memobj, mem = instance_view(inst)
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
                    # §4.4.7 load: ea = i + offset.  Bounds: unpack_from raises struct.error when
                    # ea + N exceeds len(mem); the handler below turns it into memory_out_of_bounds.
                    unpack, offset = arg
                    stack[-1] = unpack(mem, stack[-1] + offset)[0]
                elif op == OP_STORE:
                    # §4.4.7 store: pack_into checks ea + N <= len(mem) before writing anything
                    # (struct.error otherwise, as for OP_LOAD); the mask wraps the value to N bits.
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
                    fuel -= arg
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
                # As OP_LOAD; a sign-extending codec reads a negative int, the mask makes it a bit pattern.
                unpack, offset, mask = arg
                stack[-1] = unpack(mem, stack[-1] + offset)[0] & mask
            elif op == OP_GLOBAL_GET:
                glob = globs[arg]
                if glob is None:  # allocated on first use (runtime.ModuleInstance)
                    glob = inst.global_instance(arg)
                stack.append(glob.value)
            elif op == OP_GLOBAL_SET:
                glob = globs[arg]
                if glob is None:
                    glob = inst.global_instance(arg)
                glob.value = stack.pop()
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
                raise Trap(TrapKind.UNREACHABLE)
            elif op == OP_MEMORY_SIZE:
                stack.append(len(mem) // PAGE_SIZE)
            elif op == OP_MEMORY_GROW:
                length = memory_grow(stack, memobj)
                mem = memobj.data  # a grown memory is a new view (runtime.MemoryInstance)
            elif op == OP_MEMORY_COPY:
                length = memory_copy(stack, mem)
            elif op == OP_MEMORY_FILL:
                length = memory_fill(stack, mem)
            elif op == OP_MEMORY_INIT:
                length = memory_init(stack, mem, inst, arg)
            elif op == OP_DATA_DROP:
                inst.data(arg).data = b""
            elif op == OP_TABLE_COPY:
                length = table_copy(stack, inst, arg)
            elif op == OP_TABLE_INIT:
                length = table_init(stack, inst, arg)
            elif op == OP_ELEM_DROP:
                inst.elem(arg).elements = []
            elif op == OP_STATIC_OOB:  # a load or store whose offset alone exceeds the memory's maximum
                raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, LOAD_STORE_OUT_OF_BOUNDS)
            elif op == OP_CHARGE_LENGTH:
                fuel = charge_length(fuel, arg, stack[-1])
            elif op == OP_WSYNC:
                meter.used = fbase - fuel
            elif op == OP_WCHARGE_AFTER:
                fuel = wasmtime_charge_after(fuel, arg, length, stack, meter, fbase)
            else:  # pragma: no cover - predecode emits nothing else
                raise AssertionError(f"unknown internal opcode {op}")
    except BaseException as exc:
        if not in_host:  # a host function that raised left the meter as it wants it
            settle_after_trap(meter, fbase - fuel, code.refund[pc - 1])
        if isinstance(exc, struct.error):
            raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, LOAD_STORE_OUT_OF_BOUNDS) from None
        raise
    meter.used = fbase - fuel
    return stack[base:]


# ---------------------------------------------------------------------------
# The cold parts of the loop
# ---------------------------------------------------------------------------


def instance_view(inst: ModuleInstance) -> tuple:
    """What the loop keeps at hand of the current frame's module instance
    (§4.2.5): its functions, globals, memory 0 and memory 0's bytes.  Taken
    again whenever a call or return crosses into another instance; the
    bytes also after ``memory.grow`` and host calls (a grown memory's
    ``data`` is a new view)."""
    memobj = inst.mems[0] if inst.mems else None
    return inst.funcs, inst.globals, memobj, memobj.data if memobj is not None else bytearray()


def switch_to_careful(code: Code, fuel_pc: int, fuel: int) -> tuple[Code, int]:
    """``spec`` model, the run about to be charged at ``fuel_pc`` does not fit
    the fuel left: continue at the same point in the function's careful code
    (:meth:`.predecode.Code.careful`, a charge before every instruction), so
    execution stops exactly where charging before every instruction stops.
    A run of a single instruction that does not fit traps ``out_of_fuel`` at once."""
    if len(code.runs[fuel_pc][1]) == 1:
        raise out_of_fuel(code.imms[fuel_pc], fuel)
    return code.careful(), code.careful_pc(fuel_pc)


def call_host_from_loop(store: Store, callee: FuncInstance, inst: ModuleInstance, stack: list, meter: FuelMeter,
                        depth: int, live_slots: int, outer_depth: int, outer_slots: int) -> None:
    """§4.4.10 a host function called from wasm code: its arguments popped,
    the activation counted (``depth`` live activations, ``live_slots``
    locals) while it runs, its results pushed (:func:`.eval.call_host`)."""
    n = len(callee.type.params)
    args = tuple(stack[len(stack) - n:])
    del stack[len(stack) - n:]
    ACTIVATIONS.depth = depth
    ACTIVATIONS.slots = live_slots
    try:
        results = call_host(store, callee, inst, args, meter)
    finally:
        ACTIVATIONS.depth = outer_depth
        ACTIVATIONS.slots = outer_slots
    stack.extend(results)


def memory_grow(stack: list, memobj) -> int:
    """§4.4.7 ``memory.grow``: the delta on top of the stack becomes the old
    size in pages, or -1; returns the delta (the length)."""
    delta = stack[-1]
    stack[-1] = memobj.grow(delta) & M32
    return delta


def memory_copy(stack: list, mem: bytearray) -> int:
    """§4.4.7 ``memory.copy`` (:func:`.eval.copy_bytes`); returns the length."""
    n = stack.pop()
    s = stack.pop()
    copy_bytes(mem, stack.pop(), s, n)
    return n


def memory_fill(stack: list, mem: bytearray) -> int:
    """§4.4.7 ``memory.fill`` (:func:`.eval.fill_bytes`); returns the length."""
    n = stack.pop()
    val = stack.pop()
    fill_bytes(mem, stack.pop(), val, n)
    return n


def memory_init(stack: list, mem: bytearray, inst: ModuleInstance, data_index: int) -> int:
    """§4.4.7 ``memory.init x`` (:func:`.eval.init_bytes`); returns the length."""
    n = stack.pop()
    s = stack.pop()
    init_bytes(mem, inst.data(data_index).data, stack.pop(), s, n)
    return n


def table_copy(stack: list, inst: ModuleInstance, tables: tuple[int, int]) -> int:
    """§4.4.6 ``table.copy x y`` (:func:`.eval.table_copy_elements`); returns the length."""
    n = stack.pop()
    s = stack.pop()
    dst_table, src_table = tables
    table_copy_elements(inst.tables[dst_table], inst.tables[src_table], stack.pop(), s, n)
    return n


def table_init(stack: list, inst: ModuleInstance, indices: tuple[int, int]) -> int:
    """§4.4.6 ``table.init x y`` (:func:`.eval.table_init_elements`); returns the length."""
    n = stack.pop()
    s = stack.pop()
    elem_index, table_index = indices
    table_init_elements(inst.tables[table_index], inst.elem(elem_index), stack.pop(), s, n)
    return n


# ---------------------------------------------------------------------------
# Fuel
# ---------------------------------------------------------------------------


def charge_length(fuel: int, cost: fuel_mod.Cost, length: int) -> int:
    """``spec`` model: charge a length-dependent instruction its whole cost
    (static + per-unit x the length on top of the stack) before it runs;
    ``out_of_fuel``, charging nothing, when it does not fit."""
    amount = cost.of(length)
    if amount > fuel:
        raise out_of_fuel(amount, fuel)
    return fuel - amount


def wasmtime_charge_after(fuel: int, rule: tuple[int, bool], length: int, stack: list, meter: FuelMeter,
                          fbase: int) -> int:
    """Wasmtime timing, runtime path of a length-dependent instruction: after
    it succeeded (``memory.grow``: after it grew the memory), charge the
    per-unit part and check on the spot (the effect stays)."""
    per_unit, is_grow = rule
    if is_grow and stack[-1] == M32:  # the grow failed: nothing more is charged
        return fuel
    fuel -= per_unit * length
    if fuel <= 0:
        meter.used = fbase - fuel
        raise Trap(TrapKind.OUT_OF_FUEL, "after a bulk operation")
    return fuel


def settle_spec(meter: FuelMeter, used: int, refund: int) -> None:
    """``spec`` model after a trap (or a halt): the trapping instruction's run
    was charged whole; give back the cost of what comes after the trapping
    instruction in it, so the consumed fuel ends with that instruction."""
    meter.used = used - refund


def settle_wasmtime(meter: FuelMeter, used: int, refund: int) -> None:
    """Wasmtime timing after a trap: the meter keeps what was last written back."""


SETTLE_AFTER_TRAP = {fuel_mod.PER_INSTRUCTION: settle_spec, fuel_mod.WASMTIME_TIMING: settle_wasmtime}
"""How each fuel timing leaves the meter when the loop is left by an exception."""


__all__ = ["execute"]
