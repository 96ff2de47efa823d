"""Deploy-time validation (seed §3.4, §3.6, §3.10; ABI §3.7, §9).

:func:`validate_deploy` takes the bytes of a ``ContractDeploy`` and either
returns the prepared module (decoded, validated, ABI parsed) or raises
:class:`DeployRejected` with a distinct, named reason.  The checks run in
this order; the first failure is the one reported:

=================================  ============================================
check                              rule and reasons
=================================  ============================================
:func:`check_decodes`              core spec §5 (``Malformed``); the pyde-v1
                                   feature gate (``UnsupportedFeature``)
:func:`check_validates`            core spec §3 (``Invalid``); the feature
                                   gate's validation-time refusals
                                   (``UnsupportedFeature``)
:func:`check_memory_cap`           seed §3.5b, ABI §3.4: the initial memory
                                   fits the 64 MB cap (``MemoryExceedsCap``)
:func:`check_imports`              ABI §9.1 (``ForbiddenImport``: another
                                   module, or a ``pyde`` name the spec does not
                                   define), the §7 signatures
                                   (``ImportTypeMismatch``), §9.2
                                   (``ParachainOnly``)
:func:`check_abi`                  ABI §3.7 steps 1-4 in
                                   :mod:`pyde_ref.abi.section`:
                                   ``MissingAbiSection``,
                                   ``DuplicateAbiSection``, ``MalformedAbi``...,
                                   ``UnsupportedAbiVersion``,
                                   ``ParachainNotDeployable``,
                                   ``FunctionNotExported``,
                                   ``UndeclaredExport``, ``BadEntrySignature``
                                   (entries are ``() -> ()``),
                                   ``MissingMemoryExport``, the §3.5.1
                                   attribute rules, ``ViewMutatesState``
=================================  ============================================

Imports are checked before the section so that a module built for another
environment (WASI, ``env``) is reported as such even when it also lacks a
``pyde.abi`` section.  Contracts deploy as ``contract``; a module declaring
``contract_type = Parachain`` is refused (``ParachainNotDeployable``), so the
§8 imports are never eligible here.
"""

from __future__ import annotations

from typing import Any

import attrs

from pyde_ref.executor import hints
from pyde_ref.wasm.errors import InvalidModule, MalformedModule, UnsupportedFeature
from pyde_ref.wasm.syntax import Module


class DeployRejected(Exception):
    """``DeployRejected: <Reason>(<detail>)`` (ABI §9.1's notation), followed
    by ``; hint: <what to do>`` when :mod:`.hints` knows a fix.

    ``reason`` is a stable CamelCase name (one per check), ``detail`` the
    offending item (an import name, a function name, a decoder rule),
    ``hint`` advice for the author (the compiler flag or toolchain fix that
    usually avoids the rejection), or ``""``."""

    def __init__(self, reason: str, detail: str = "", hint: str = ""):
        self.reason = reason
        self.detail = detail
        self.hint = hint
        super().__init__(f"DeployRejected: {self.text}")

    @property
    def text(self) -> str:
        hint = f"; hint: {self.hint}" if self.hint else ""
        return f"{self.reason}({self.detail}){hint}"


@attrs.frozen
class PreparedModule:
    """A module that passed every deploy check."""

    module: Module
    abi: Any


# --------------------------------------------------------------------------
# the checks
# --------------------------------------------------------------------------


def check_decodes(wasm: bytes) -> Module:
    """Core spec §5 and the feature gate's decode-time refusals."""
    from pyde_ref.wasm import binary

    try:
        return binary.decode_module(wasm)
    except UnsupportedFeature as exc:
        raise DeployRejected("UnsupportedFeature", exc.feature, hints.feature_hint(exc.feature)) from None
    except MalformedModule as exc:
        raise DeployRejected("Malformed", f"{exc.rule} at byte {exc.offset:#x}",
                             hints.padded_index_hint(exc.feature)) from None


def check_validates(module: Module) -> None:
    """Core spec §3 under pyde-v1 (seed §3.6 "fails wasmtime's structural
    validator ... is rejected")."""
    from pyde_ref.wasm import valid

    try:
        valid.validate_module(module)
    except UnsupportedFeature as exc:
        raise DeployRejected("UnsupportedFeature", exc.feature, hints.feature_hint(exc.feature)) from None
    except InvalidModule as exc:
        raise DeployRejected("Invalid", exc.reason) from None


def check_memory_cap(module: Module) -> None:
    """Seed §3.5b / ABI §3.4: linear memory is capped at 64 MB.  A module
    whose *initial* memory exceeds the cap could never be instantiated, so
    every call would trap; it is refused at deploy instead
    (``MemoryExceedsCap``).  A larger declared *maximum* is fine: growth past
    the cap fails at run time (``memory.grow`` returns -1)."""
    from pyde_ref.wasm.runtime import PYDE_MAX_MEMORY_PAGES

    for memtype in module.mems:
        if memtype.limits.min > PYDE_MAX_MEMORY_PAGES:
            raise DeployRejected(
                "MemoryExceedsCap",
                f"initial memory of {memtype.limits.min} pages > {PYDE_MAX_MEMORY_PAGES} pages (64 MB)",
            )


def check_imports(module: Module) -> None:
    """ABI §9.1, §9.2 and the §7 signatures, import by import in order."""
    from pyde_ref.abi import section
    from pyde_ref.abi.registry import HOST_FUNCTIONS

    try:
        section.check_imports(module, parachain=False)
    except section.AbiRejected as exc:
        hint = (hints.import_hint(module.imports, HOST_FUNCTIONS) if exc.reason == "ForbiddenImport"
                else hints.reason_hint(exc.reason))
        raise DeployRejected(exc.reason, exc.detail, hint) from None


def check_abi(module: Module) -> Any:
    """ABI §3.7 deploy-time steps 1-4 (schema, cross-reference, attribute
    compatibility, static view call graph)."""
    from pyde_ref.abi import section

    try:
        abi, _warnings = section.validate_abi(module, allow_parachain=False)
    except section.AbiRejected as exc:
        raise DeployRejected(exc.reason, exc.detail, hints.reason_hint(exc.reason)) from None
    return abi


def validate_deploy(wasm: bytes) -> PreparedModule:
    """All deploy checks in order; the prepared module or :class:`DeployRejected`."""
    if not isinstance(wasm, (bytes, bytearray)):
        raise DeployRejected("Malformed", "code is not bytes")
    module = check_decodes(bytes(wasm))
    check_validates(module)
    check_memory_cap(module)
    check_imports(module)
    return PreparedModule(module, check_abi(module))
