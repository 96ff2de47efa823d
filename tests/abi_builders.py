"""Helpers to build ``pyde.abi`` sections for tests: a contract module with
views, a mutating function, a payable one and a table, and its ABI."""

from __future__ import annotations

from pyde_ref.abi.constants import ATTR_ENTRY, ATTR_PAYABLE, ATTR_VIEW
from pyde_ref.abi.section import ContractAbi, ContractType, FunctionAbi, function_abi

# A contract: get (view), set, pay (payable), helper functions, a table.
WAT = """
(module
  (import "pyde" "sload" (func $sload (param i32 i32) (result i32)))
  (import "pyde" "sstore" (func $sstore (param i32 i32) (result i32)))
  (type $v (func))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $pure $pure)
  (func $pure)
  (func $writes (drop (call $sstore (i32.const 0) (i32.const 0))))
  (func $deep (call $writes))
  (func (export "get") (drop (call $sload (i32.const 0) (i32.const 32))) (call $pure))
  (func (export "get_indirect") (call_indirect (type $v) (i32.const 0)))
  (func (export "set") (call $deep))
  (func (export "pay"))
)
"""


def fn(name: str, *attributes: int, access=()) -> FunctionAbi:
    """``name`` with the attribute bits given, and slot prefixes ``access``."""
    bits = 0
    for a in attributes:
        bits |= a
    return function_abi(name, bits, access)


GOOD_FUNCS = (fn("get", ATTR_VIEW, ATTR_ENTRY), fn("get_indirect", ATTR_VIEW, ATTR_ENTRY),
              fn("set", ATTR_ENTRY, access=(b"\x01",)), fn("pay", ATTR_ENTRY, ATTR_PAYABLE))
"""The ABI :data:`WAT` deploys with."""


def abi(functions=GOOD_FUNCS, **fields) -> ContractAbi:
    """A v1.0 contract ABI of ``functions``; ``fields`` override the rest."""
    values = dict(pyde_abi_version=0x0001_0000, contract_type=ContractType.CONTRACT, functions=tuple(functions))
    values.update(fields)
    return ContractAbi(**values)
