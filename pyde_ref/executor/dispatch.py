"""Per-call dispatch (ABI §3.5, §3.5.2; §13.1 steps 4-6).

Given a contract's parsed ABI, the function name a call asks for and the
attached value, decide which function runs or which ABI §4 error refuses the
call.  The same rules serve top-level transactions and cross-calls.

Readings made explicit here (``spec/abi/03-dispatch-and-cache.md``,
``spec/findings/executor-dispatch.md``):

* Only functions in the public selector table are callable by name: those
  with ``ENTRY`` or a dispatch attribute (``CONSTRUCTOR``, ``FALLBACK``,
  ``RECEIVE``) (ABI §3.5 ``entry``).
* A call without a function name and with value is a *bare value transfer*:
  it goes to ``receive`` if there is one, else to ``fallback``.  ABI §3.5.2
  step 1 lists fallback before receive, which would make ``receive``
  unreachable whenever a fallback exists, contradicting §3.5 ("receive:
  invoked on bare PYDE transfers"); we follow §3.5.
* A bare value transfer with neither handler is
  ``ERR_VALUE_TRANSFER_NOT_PAYABLE`` (ABI §3.5 ``receive`` row: "Default if
  absent"); any other miss is ``ERR_INVALID_FUNCTION_NAME`` unless a fallback
  exists.
* A ``CONSTRUCTOR`` function called after deploy is refused with
  ``ERR_FORBIDDEN``: ABI §3.5 names an ``ERR_CONSTRUCTOR_REENTRANT`` that §4
  does not define, and says reusing the reentrancy code is wrong.
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

from pyde_ref.abi.constants import (
    ATTR_CONSTRUCTOR,
    ATTR_ENTRY,
    ATTR_FALLBACK,
    ATTR_PAYABLE,
    ATTR_RECEIVE,
    ATTR_REENTRANT,
    ATTR_VIEW,
    ERR_FORBIDDEN,
    ERR_INVALID_FUNCTION_NAME,
    ERR_REENTRANCY_BLOCKED,
    ERR_VALUE_TRANSFER_NOT_PAYABLE,
)

DISPATCH_ATTRIBUTES = ATTR_ENTRY | ATTR_CONSTRUCTOR | ATTR_FALLBACK | ATTR_RECEIVE
"""ABI §3.5 ``entry``: a function without one of these is an internal helper,
absent from the public selector table."""


@attrs.frozen
class Target:
    """The function a call resolved to: its export ``name``, its attribute
    bitfield and its declared access list (``None`` = none declared)."""

    name: str
    attributes: int
    access_list: object = None

    def has(self, attribute: int) -> bool:
        return bool(self.attributes & attribute)


def _functions(abi) -> list:
    return list(abi.functions)


def _by_attribute(abi, attribute: int):
    for fn in _functions(abi):
        if fn.attributes & attribute:
            return fn
    return None


def _target(fn) -> Target:
    """A :class:`~pyde_ref.abi.section.FunctionAbi` as a dispatch target; the
    access list is the runtime one (``None`` when none is declared)."""
    return Target(fn.name, fn.attributes, fn.runtime_access_list)


def public_function(abi, name: str):
    """The public-selector-table entry called ``name``, or ``None``."""
    for fn in _functions(abi):
        if fn.name == name and fn.attributes & DISPATCH_ATTRIBUTES:
            return fn
    return None


def constructor_of(abi) -> Optional[Target]:
    """The contract's constructor, if it declares one (ABI §3.5)."""
    fn = _by_attribute(abi, ATTR_CONSTRUCTOR)
    return None if fn is None else _target(fn)


def resolve(abi, name: str, value: int) -> Union[Target, int]:
    """ABI §3.5.2 step 1 (with the receive-first reading above): the function
    a call of ``name`` with ``value`` runs, or an ABI §4 error code."""
    if name == "" and value > 0:
        handler = _by_attribute(abi, ATTR_RECEIVE) or _by_attribute(abi, ATTR_FALLBACK)
        return ERR_VALUE_TRANSFER_NOT_PAYABLE if handler is None else _target(handler)
    fn = public_function(abi, name) if name else None
    if fn is None:
        fn = _by_attribute(abi, ATTR_FALLBACK)
    if fn is None:
        return ERR_INVALID_FUNCTION_NAME
    return _target(fn)


def constructor_lockout(target: Target) -> Optional[int]:
    """ABI §3.5 ``constructor``: "Subsequent calls are rejected"."""
    return ERR_FORBIDDEN if target.has(ATTR_CONSTRUCTOR) else None


def static_requires_view(target: Target) -> Optional[int]:
    """ABI §7.8 / §13.6: ``cross_call_static`` needs a ``view`` target."""
    return None if target.has(ATTR_VIEW) else ERR_FORBIDDEN


def reentrancy_check(pair: tuple[bytes, str], target: Target, active: list) -> Optional[int]:
    """ABI §13.1 step 5: ``(contract, fn)`` already on the call stack and the
    function neither ``reentrant`` nor ``view`` (ABI §3.5.1: "Views are
    inherently reentrant") -> ``ERR_REENTRANCY_BLOCKED``."""
    if target.has(ATTR_REENTRANT) or target.has(ATTR_VIEW):
        return None
    return ERR_REENTRANCY_BLOCKED if pair in active else None


def payable_check(target: Target, value: int) -> Optional[int]:
    """ABI §13.1 step 6 / §3.5 ``payable``."""
    if value > 0 and not target.has(ATTR_PAYABLE):
        return ERR_VALUE_TRANSFER_NOT_PAYABLE
    return None
