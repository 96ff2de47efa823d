"""ABI §7.8 cross-contract calls, the host side: ``cross_call``,
``cross_call_static``, ``delegate_call`` (flow of ABI §13.1, gas of §13.5).

The host function owns what happens in the *caller's* frame: it charges the
caller's gas, reads the arguments out of the caller's memory, asks the
executor to run the sub-call (``env.ctx.calls.run_subcall``, ABI §13.1 steps
3-12: target and name lookup, reentrancy, payable, overlay, fresh instance,
value transfer, invoke, merge or discard), debits the callee's gas, maps the
outcome to an ABI §4 code and copies the return data out.

Gas (ABI §13.5, ``spec/findings/cross-call-gas-accounting.md``): the caller must be
able to afford ``base + 8 × calldata_len + gas_limit`` or it traps
``out_of_fuel`` before anything happens (step 2, "refuses to start the
sub-call if A can't afford the reservation"); it is then debited the base
and, after the sub-call, the callee's *actual* ``gas_used`` (§7.8 "decremented
by sub-call's actual gas_used regardless of outcome", §13.1 step 12, §13.5
"Consumption").  The unused part of the reservation is never debited: §13.5's
"no refund" clause has nothing to refund under this reading.
``cross_call_static`` charges only its 50-gas base: the view sub-call is free
and runs on ``min(gas_limit, VIEW_FUEL_CAP)`` fuel of its own (ABI §7.8).

Return data (``spec/findings/abi-cross-call-return-buffer.md``): the spec
gives the caller's output buffer no capacity, so the whole return data (on
success) or revert reason (on revert) is written at ``return_data_out_ptr``,
bounds-checked against the caller's memory (ABI §3.4), and its length as a
u32 at ``return_data_out_len_ptr``.  Every outcome that returns to the caller
writes the length, so a caller can always read it: after a trap, or a call
refused by the executor or by the host function itself, it is 0 and nothing
else is written.
"""

from __future__ import annotations

from pyde_ref.abi import memio
from pyde_ref.abi.constants import (
    ADDRESS_SIZE,
    ERR_CROSS_CALL_FAILED,
    ERR_CROSS_CALL_OUT_OF_GAS,
    ERR_FORBIDDEN,
    ERR_INVALID_FUNCTION_NAME,
    ERR_INVALID_INPUT,
    HostTrapKind,
    OK,
    U32_SIZE,
    VIEW_FUEL_CAP,
)
from pyde_ref.abi.env import (
    HostEnv,
    SubcallKind,
    SubcallResult,
    SubcallStatus,
    as_i64,
)
from pyde_ref.abi.gas import GasCharge, gas_charge, pay
from pyde_ref.wasm import Trap, TrapKind


def outcome_code(result: SubcallResult) -> int:
    """ABI §7.8 / §13.1 step 12: the i32 the caller sees for a sub-call outcome."""
    if result.status == SubcallStatus.SUCCESS:
        return OK
    if result.status == SubcallStatus.REJECTED:
        if result.error_code is None or result.error_code >= 0:
            raise Trap(HostTrapKind.HOST_INTERNAL, "rejected sub-call without an error code")
        return result.error_code
    if result.status == SubcallStatus.TRAP and result.trap == TrapKind.OUT_OF_FUEL:
        return ERR_CROSS_CALL_OUT_OF_GAS
    if result.status in (SubcallStatus.TRAP, SubcallStatus.REVERT):
        return ERR_CROSS_CALL_FAILED
    raise Trap(HostTrapKind.HOST_INTERNAL, f"unknown sub-call status {result.status!r}")


def payload_of(result: SubcallResult) -> bytes:
    """The bytes copied back to the caller: return data on success, the
    revert reason on revert (ABI §7.9 "made available to the caller as the
    failure payload"), nothing otherwise."""
    if result.status in (SubcallStatus.SUCCESS, SubcallStatus.REVERT):
        return result.return_data
    return b""


def _decode_name(raw: bytes) -> str | None:
    """ABI §7.8: the function name is UTF-8; bytes that are not UTF-8 name no
    function."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _reserve(env: HostEnv, upfront: GasCharge, reservation: int) -> None:
    """ABI §13.1 step 2: trap ``out_of_fuel`` (charging nothing) unless the
    caller can afford ``upfront + reservation``; then charge ``upfront``."""
    remaining = env.gas.remaining
    if remaining is not None and upfront.total + reservation > remaining:
        raise Trap(TrapKind.OUT_OF_FUEL, "cannot reserve the sub-call's gas_limit")
    pay(env, upfront)


def _finish(env: HostEnv, result: SubcallResult | int, out_ptr: int, out_len_ptr: int) -> int:
    """Write the payload and its length; return the caller's code.  An
    ``int`` result is a code the host function decided itself (no payload)."""
    if isinstance(result, int):
        memio.write_u32(env, out_len_ptr, 0)
        return result
    code = outcome_code(result)
    payload = payload_of(result)
    # All or nothing (ABI §3.4): probe the length slot before the payload is
    # written, so an out-of-range length pointer traps with memory untouched.
    memio.read(env, out_len_ptr, U32_SIZE)
    memio.write(env, out_ptr, payload)
    memio.write_u32(env, out_len_ptr, len(payload))
    return code


def _run(env: HostEnv, kind: str, target_ptr: int, fn_name_ptr: int, fn_name_len: int,
         calldata_ptr: int, calldata_len: int, value: int, budget: int) -> SubcallResult | int:
    """Read the target, name and calldata, and run the sub-call; an ``int``
    result is an error code decided before the sub-call."""
    target = memio.read(env, target_ptr, ADDRESS_SIZE)
    fn_name = _decode_name(memio.read(env, fn_name_ptr, fn_name_len))
    calldata = memio.read(env, calldata_ptr, calldata_len)
    if fn_name is None:
        return ERR_INVALID_FUNCTION_NAME
    if env.ctx.calls is None:
        raise Trap(HostTrapKind.HOST_INTERNAL, "no sub-call runner in this context")
    return env.ctx.calls.run_subcall(kind, target, fn_name, calldata, value, budget)


def _debit_callee_gas(env: HostEnv, result: SubcallResult, gas_limit: int) -> None:
    """ABI §13.5 "Consumption": the callee's actual use, never above its budget."""
    if not 0 <= result.gas_used <= gas_limit:
        raise Trap(HostTrapKind.HOST_INTERNAL, "sub-call used more gas than it was given")
    pay(env, GasCharge(extra=result.gas_used))


def cross_call(env: HostEnv, target_ptr: int, fn_name_ptr: int, fn_name_len: int,
               calldata_ptr: int, calldata_len: int, value_ptr: int, gas_limit: int,
               return_data_out_ptr: int, return_data_out_len_ptr: int) -> int:
    """ABI §7.8 ``cross_call(...) -> i32``: 1,000 + 8/byte of calldata + the
    sub-call's gas_used.  A view frame may call with value 0 (the executor
    runs the callee in view mode too); attaching value from a view frame is
    ``ERR_FORBIDDEN`` (ABI §3.5: a view must not transfer value)."""
    out = (return_data_out_ptr, return_data_out_len_ptr)
    limit = as_i64(gas_limit)
    if limit < 0:
        pay(env, gas_charge("cross_call", calldata_len))
        return _finish(env, ERR_INVALID_INPUT, *out)
    _reserve(env, gas_charge("cross_call", calldata_len), limit)
    value = memio.read_u128(env, value_ptr)
    if value > 0 and env.ctx.view_mode:
        return _finish(env, ERR_FORBIDDEN, *out)
    result = _run(env, SubcallKind.CALL, target_ptr, fn_name_ptr, fn_name_len,
                  calldata_ptr, calldata_len, value, limit)
    if not isinstance(result, int):
        _debit_callee_gas(env, result, limit)
    return _finish(env, result, *out)


def cross_call_static(env: HostEnv, target_ptr: int, fn_name_ptr: int, fn_name_len: int,
                      calldata_ptr: int, calldata_len: int, gas_limit: int,
                      return_data_out_ptr: int, return_data_out_len_ptr: int) -> int:
    """ABI §7.8 ``cross_call_static(...) -> i32``: 50 gas; the view sub-call
    runs free on ``min(gas_limit, VIEW_FUEL_CAP)`` fuel; the target must be a
    view function (the executor answers ``ERR_FORBIDDEN`` otherwise)."""
    out = (return_data_out_ptr, return_data_out_len_ptr)
    pay(env, gas_charge("cross_call_static"))
    limit = as_i64(gas_limit)
    if limit < 0:
        return _finish(env, ERR_INVALID_INPUT, *out)
    budget = min(limit, VIEW_FUEL_CAP)
    result = _run(env, SubcallKind.STATIC, target_ptr, fn_name_ptr, fn_name_len,
                  calldata_ptr, calldata_len, 0, budget)
    if not isinstance(result, int) and not 0 <= result.gas_used <= budget:
        raise Trap(HostTrapKind.HOST_INTERNAL, "view sub-call used more fuel than it was given")
    return _finish(env, result, *out)


def delegate_call(env: HostEnv, target_ptr: int, fn_name_ptr: int, fn_name_len: int,
                  calldata_ptr: int, calldata_len: int, gas_limit: int,
                  return_data_out_ptr: int, return_data_out_len_ptr: int) -> int:
    """ABI §7.8 ``delegate_call(...) -> i32``: 1,200 + 8/byte of calldata +
    the sub-call's gas_used; the target's code runs in the caller's storage
    context, moving no value."""
    out = (return_data_out_ptr, return_data_out_len_ptr)
    limit = as_i64(gas_limit)
    if limit < 0:
        pay(env, gas_charge("delegate_call", calldata_len))
        return _finish(env, ERR_INVALID_INPUT, *out)
    _reserve(env, gas_charge("delegate_call", calldata_len), limit)
    result = _run(env, SubcallKind.DELEGATE, target_ptr, fn_name_ptr, fn_name_len,
                  calldata_ptr, calldata_len, 0, limit)
    if not isinstance(result, int):
        _debit_callee_gas(env, result, limit)
    return _finish(env, result, *out)
