"""Deploy-time validation (seed §3.4, §3.6, §3.10; ABI §3.5.1, §3.7, §9).

:func:`validate_deploy` takes the bytes of a ``ContractDeploy`` and either
returns the prepared module (decoded, validated, ABI parsed) or raises
:class:`DeployRejected` with a distinct, named reason.  The checks run in
this order; the first failure is the one reported:

=================================  ============================================
check                              rule and reasons
=================================  ============================================
:func:`check_decodes`              core spec §5 (``Malformed``); wasmtime's
                                   implementation limits
                                   (``ImplementationLimit``); the pyde-v1
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
:func:`check_abi`                  ABI §3.7 steps 1-4 (:func:`validate_abi`):
                                   the section (``MissingAbiSection``,
                                   ``DuplicateAbiSection``, ``MalformedAbi``),
                                   :func:`check_schema`
                                   (``UnsupportedAbiVersion``,
                                   ``ParachainNotDeployable``, ...),
                                   :func:`check_exports`
                                   (``FunctionNotExported``,
                                   ``UndeclaredExport``, ``BadEntrySignature``
                                   (entries are ``() -> ()``),
                                   ``MissingMemoryExport``),
                                   :func:`check_attributes` (the §3.5.1
                                   rules), :func:`check_views`
                                   (``ViewMutatesState``)
=================================  ============================================

Imports are checked before the section so that a module built for another
environment (WASI, ``env``) is reported as such even when it also lacks a
``pyde.abi`` section.  Contracts deploy as ``contract``; a module declaring
``contract_type = Parachain`` is refused (``ParachainNotDeployable``), so the
§8 imports are never eligible here.  A parachain registers through
:func:`validate_parachain` instead (PARACHAIN_DESIGN §6.1): the same checks,
the §8 imports eligible, ``contract_type = Parachain`` required
(``NotAParachainModule``).
"""

from __future__ import annotations

from typing import Iterable, Optional

import attrs

from pyde_ref.abi.constants import (
    ALL_ATTRIBUTES,
    ATTR_CONSTRUCTOR,
    ATTR_FALLBACK,
    ATTR_PAYABLE,
    ATTR_RECEIVE,
    ATTR_REENTRANT,
    ATTR_SPONSORED,
    ATTR_VIEW,
    ATTRIBUTE_NAMES,
    IMPORT_MODULE,
    MAX_MEMORY_BYTES,
    PYDE_ABI_VERSION,
    SLOT_SIZE,
)
from pyde_ref.abi.registry import HOST_FUNCTIONS, MUTATING_IMPORTS
from pyde_ref.abi.section import AbiRejected, ContractAbi, ContractType, read_abi, selector_of
from pyde_ref.executor import hints
from pyde_ref.wasm import PYDE_MAX_MEMORY_PAGES, decode_module, validate_module
from pyde_ref.wasm.errors import InvalidModule, MalformedModule, UnsupportedFeature
from pyde_ref.wasm.limits import LimitExceeded
from pyde_ref.wasm.syntax import Module

ENTRY_TYPE_PARAMS: tuple = ()
ENTRY_TYPE_RESULTS: tuple = ()
MEMORY_EXPORT = "memory"


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
        self.hint = hint or hints.reason_hint(reason)
        super().__init__(f"DeployRejected: {self.text}")

    @property
    def text(self) -> str:
        hint = f"; hint: {self.hint}" if self.hint else ""
        return f"{self.reason}({self.detail}){hint}"


@attrs.frozen
class PreparedModule:
    """A module that passed every deploy check."""

    module: Module
    abi: ContractAbi


# --------------------------------------------------------------------------
# the machine's checks
# --------------------------------------------------------------------------


def check_decodes(wasm: bytes) -> Module:
    """Core spec §5, production's implementation limits
    (``ImplementationLimit``, :mod:`pyde_ref.wasm.limits`) and the feature
    gate's decode-time refusals."""
    try:
        return decode_module(wasm)
    except LimitExceeded as exc:
        raise implementation_limit(exc) from None
    except UnsupportedFeature as exc:
        raise DeployRejected("UnsupportedFeature", exc.feature, hints.feature_hint(exc.feature)) from None
    except MalformedModule as exc:
        raise DeployRejected("Malformed", f"{exc.rule} at byte {exc.offset:#x}",
                             hints.padded_index_hint(exc.feature)) from None


def check_validates(module: Module) -> None:
    """Core spec §3 under pyde-v1 (seed §3.6 "fails wasmtime's structural
    validator ... is rejected")."""
    try:
        validate_module(module)
    except LimitExceeded as exc:
        raise implementation_limit(exc) from None
    except UnsupportedFeature as exc:
        raise DeployRejected("UnsupportedFeature", exc.feature, hints.feature_hint(exc.feature)) from None
    except InvalidModule as exc:
        raise DeployRejected("Invalid", exc.reason) from None


def implementation_limit(exc: LimitExceeded) -> DeployRejected:
    """A module over one of wasmtime's limits: ``ImplementationLimit(<what> <count> > <max>)``."""
    where = f" at byte {exc.offset:#x}" if exc.offset is not None else ""
    return DeployRejected("ImplementationLimit", f"{exc.limit.what} {exc.value} > {exc.limit.maximum}{where}")


def check_memory_cap(module: Module) -> None:
    """Seed §3.5b / ABI §3.4: linear memory is capped at 64 MB.  A module
    whose *initial* memory exceeds the cap could never be instantiated, so
    every call would trap; it is refused at deploy instead
    (``MemoryExceedsCap``).  A larger declared *maximum* is fine: growth past
    the cap fails at run time (``memory.grow`` returns -1)."""
    for memtype in module.mems:
        if memtype.limits.min > PYDE_MAX_MEMORY_PAGES:
            raise DeployRejected(
                "MemoryExceedsCap",
                f"initial memory of {memtype.limits.min} pages > {PYDE_MAX_MEMORY_PAGES} pages "
                f"({MAX_MEMORY_BYTES >> 20} MB)",
            )


# --------------------------------------------------------------------------
# ABI §9.1, §9.2: imports
# --------------------------------------------------------------------------


def check_imports(module: Module, *, parachain: bool = False) -> None:
    """ABI §9.1, §9.2 and the §7 signatures, import by import in order: only
    module ``pyde``, only functions of this spec with their exact types, §8
    functions only for parachains, the contract-storage functions
    (``sload``, ``sstore``, ``sdelete``, ``delegate_call``) only for
    contracts.  Reasons: ``ForbiddenImport`` (module or name),
    ``ImportTypeMismatch``, ``ParachainOnly``, ``ContractOnly``."""
    for imp in module.imports:
        if imp.module != IMPORT_MODULE:
            raise DeployRejected("ForbiddenImport", f"{imp.module}::{imp.name} (only module \"pyde\" is allowed)",
                                 hints.import_hint(module.imports, HOST_FUNCTIONS))
        defn = HOST_FUNCTIONS.get(imp.name)
        if defn is None or imp.kind != "func":
            raise DeployRejected("ForbiddenImport", f"pyde::{imp.name} is not a function of ABI v1.0",
                                 hints.import_hint(module.imports, HOST_FUNCTIONS))
        if module.types[imp.desc] != defn.type:
            raise DeployRejected("ImportTypeMismatch",
                                 f"pyde::{imp.name} imported as {module.types[imp.desc]}, ABI type is {defn.type}")
        if defn.parachain_only and not parachain:
            raise DeployRejected("ParachainOnly", f"pyde::{imp.name}")
        if defn.contract_only and parachain:
            raise DeployRejected("ContractOnly", f"pyde::{imp.name} (a parachain keeps its state in "
                                                 "parachain_storage_*)")


# --------------------------------------------------------------------------
# ABI §3.7 step 1: schema check
# --------------------------------------------------------------------------


def check_schema(abi: ContractAbi, *, allow_parachain: bool = False) -> None:
    """Version within what this engine supports (v1.0: major 1, minor <= 0),
    a deployable contract type, unique names, selectors equal to
    Blake3(name)[..4], access-list prefixes of 1..32 bytes.  (The dispatch
    indexes are checked with the attributes, :func:`check_attributes`.)"""
    major, minor = abi.pyde_abi_version >> 16, abi.pyde_abi_version & 0xFFFF
    if major != PYDE_ABI_VERSION >> 16 or abi.pyde_abi_version > PYDE_ABI_VERSION:
        raise DeployRejected(
            "UnsupportedAbiVersion",
            f"v{major}.{minor} (this engine supports v1.0)",
        )
    if abi.contract_type is ContractType.PARACHAIN and not allow_parachain:
        raise DeployRejected("ParachainNotDeployable", "contract_type Parachain in a contract deploy")
    seen: set[str] = set()
    for f in abi.functions:
        if f.name in seen:
            raise DeployRejected("DuplicateFunction", f.name)
        seen.add(f.name)
        if f.selector != selector_of(f.name):
            raise DeployRejected(
                "SelectorMismatch",
                f"{f.name}: selector {f.selector.hex()} != blake3(name)[..4] {selector_of(f.name).hex()}",
            )
        for e in f.access_list:
            if not 1 <= len(e.slot_prefix) <= SLOT_SIZE:
                raise DeployRejected(
                    "BadAccessListEntry",
                    f"{f.name}: slot prefix of {len(e.slot_prefix)} bytes (1..32 allowed)",
                )


# --------------------------------------------------------------------------
# ABI §3.5.1 / §3.7 step 3: attribute compatibility
# --------------------------------------------------------------------------

REJECTED_PAIRS: tuple[tuple[int, int], ...] = (
    (ATTR_VIEW, ATTR_PAYABLE),
    (ATTR_VIEW, ATTR_CONSTRUCTOR),
    (ATTR_VIEW, ATTR_REENTRANT),
    (ATTR_VIEW, ATTR_SPONSORED),
    (ATTR_VIEW, ATTR_FALLBACK),
    (ATTR_VIEW, ATTR_RECEIVE),
    (ATTR_CONSTRUCTOR, ATTR_REENTRANT),
    (ATTR_CONSTRUCTOR, ATTR_SPONSORED),
    (ATTR_CONSTRUCTOR, ATTR_FALLBACK),
    (ATTR_CONSTRUCTOR, ATTR_RECEIVE),
    (ATTR_FALLBACK, ATTR_RECEIVE),
    (ATTR_RECEIVE, ATTR_REENTRANT),
)
"""The ❌ rows of the ABI §3.5.1 table."""

WARNED_PAIRS: tuple[tuple[int, int], ...] = (
    (ATTR_PAYABLE, ATTR_REENTRANT),
    (ATTR_SPONSORED, ATTR_REENTRANT),
)
"""The ⚠️ rows: accepted, with a warning (DAO-attack pattern)."""

_DISPATCH = (
    ("constructor", ATTR_CONSTRUCTOR, "constructor_index"),
    ("fallback", ATTR_FALLBACK, "fallback_index"),
    ("receive", ATTR_RECEIVE, "receive_index"),
)


def check_attributes(abi: ContractAbi) -> list[str]:
    """Every function's bitfield is a legal combination (ABI §3.5.1); at most
    one constructor, fallback and receive, each named by its index field;
    ``receive`` implies ``payable``.  Returns the warnings of the ⚠️ rows."""
    warnings = []
    for f in abi.functions:
        unknown = f.attributes & ~ALL_ATTRIBUTES
        if unknown:
            raise DeployRejected("UnknownAttributeBits", f"{f.name}: bits {unknown:#x}")
        for a, b in REJECTED_PAIRS:
            if f.has(a) and f.has(b):
                raise DeployRejected(
                    "IncompatibleAttributes",
                    f"{f.name}: {ATTRIBUTE_NAMES[a]} + {ATTRIBUTE_NAMES[b]}",
                )
        if f.has(ATTR_RECEIVE) and not f.has(ATTR_PAYABLE):
            raise DeployRejected("ReceiveNotPayable", f.name)
        for a, b in WARNED_PAIRS:
            if f.has(a) and f.has(b):
                warnings.append(f"{f.name}: {ATTRIBUTE_NAMES[a]} + {ATTRIBUTE_NAMES[b]} (DAO-attack pattern)")
    for label, bit, field in _DISPATCH:
        holders = [i for i, f in enumerate(abi.functions) if f.has(bit)]
        if len(holders) > 1:
            raise DeployRejected(
                f"Multiple{label.capitalize()}",
                ", ".join(abi.functions[i].name for i in holders),
            )
        index = getattr(abi, field)
        expected = holders[0] if holders else None
        if index != expected:
            raise DeployRejected(
                "DispatchIndexMismatch",
                f"{field} is {index} but the {label} attribute is on "
                + (f"function {expected}" if expected is not None else "no function"),
            )
    return warnings


# --------------------------------------------------------------------------
# ABI §3.7 step 2: cross-reference with the module's exports
# --------------------------------------------------------------------------


def exported_functions(module: Module) -> dict[str, int]:
    return {e.name: e.index for e in module.exports if e.kind == "func"}


def check_exports(module: Module, abi: ContractAbi) -> None:
    """Every declared function is an exported function, every exported
    function is declared (no drift, ABI §3.7 step 2), every entry point has
    wasm type ``() -> ()`` (arguments through ``calldata_copy``, results
    through ``pyde::return``), and the memory is exported as ``memory``."""
    exports = exported_functions(module)
    declared = {f.name for f in abi.functions}
    for f in abi.functions:
        if f.name not in exports:
            raise DeployRejected("FunctionNotExported", f.name)
    for name in sorted(exports):
        if name not in declared:
            raise DeployRejected("UndeclaredExport", name)
    type_indices = module.func_type_indices()
    for f in abi.functions:
        ftype = module.types[type_indices[exports[f.name]]]
        if ftype.params != ENTRY_TYPE_PARAMS or ftype.results != ENTRY_TYPE_RESULTS:
            raise DeployRejected("BadEntrySignature", f"{f.name} has type {ftype}, entries must be [] -> []")
    if not any(e.name == MEMORY_EXPORT and e.kind == "memory" for e in module.exports):
        raise DeployRejected("MissingMemoryExport", "the module must export its memory as \"memory\"")


# --------------------------------------------------------------------------
# ABI §3.7 step 4: static call-graph check (view enforcement)
# --------------------------------------------------------------------------


def _callees(module: Module, func_index: int, n_imports: int) -> tuple[set[int], bool]:
    """Direct ``call`` targets of a defined function and whether it uses
    ``call_indirect``."""
    body = module.funcs[func_index - n_imports].body
    direct = {ins.func_index for ins in body if ins.op == "call"}
    indirect = any(ins.op == "call_indirect" for ins in body)
    return direct, indirect


def table_targets(module: Module) -> set[int]:
    """Every function an element segment can place in a table: without the
    reference-types proposal (not in pyde-v1) these are the only functions a
    ``call_indirect`` can reach."""
    out: set[int] = set()
    for elem in module.elems:
        for expr in elem.init:
            out.update(ins.func_index for ins in expr if ins.op == "ref.func")
    return out


def view_violation(module: Module, root: int, mutating: Iterable[str]) -> Optional[str]:
    """The first mutating ``pyde`` import reachable from function ``root``
    through ``call`` edges, or through ``call_indirect`` (conservatively: to
    every function a table can hold), or ``None``."""
    mutating = set(mutating)
    imports = module.imports_of("func")
    n_imports = len(imports)
    tables = None
    seen, todo = set(), [root]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        if f < n_imports:
            imp = imports[f]
            if imp.module == IMPORT_MODULE and imp.name in mutating:
                return imp.name
            continue
        direct, indirect = _callees(module, f, n_imports)
        todo.extend(sorted(direct))
        if indirect:
            tables = table_targets(module) if tables is None else tables
            todo.extend(sorted(tables))
    return None


def check_views(module: Module, abi: ContractAbi) -> None:
    """ABI §3.7 step 4: reject ``ViewMutatesState(fn, import)``."""
    exports = exported_functions(module)
    for f in abi.functions:
        if f.has(ATTR_VIEW):
            bad = view_violation(module, exports[f.name], MUTATING_IMPORTS)
            if bad is not None:
                raise DeployRejected("ViewMutatesState", f"{f.name} reaches pyde::{bad}")


# --------------------------------------------------------------------------
# ABI §3.7 steps 1-4, and the whole pipeline
# --------------------------------------------------------------------------


def validate_abi(module: Module, *, allow_parachain: bool = False) -> tuple[ContractAbi, list[str]]:
    """ABI §3.7 steps 1-4 on a decoded, validated module: returns the parsed
    ABI and the warnings, or raises :class:`DeployRejected`.  (Step 5, the
    best-effort static access-list check, is left to the runtime check, which
    ABI §3.7 calls "the actual guarantee".)"""
    try:
        abi = read_abi(module)
    except AbiRejected as exc:
        raise DeployRejected(exc.reason, exc.detail) from None
    check_schema(abi, allow_parachain=allow_parachain)
    check_exports(module, abi)
    warnings = check_attributes(abi)
    check_views(module, abi)
    return abi, warnings


def check_abi(module: Module) -> ContractAbi:
    """ABI §3.7 deploy-time steps 1-4 for a contract (never a parachain)."""
    abi, _warnings = validate_abi(module, allow_parachain=False)
    return abi


def _machine_checks(wasm: bytes) -> Module:
    """Decoding, validation and the memory cap: the same for every module."""
    if not isinstance(wasm, (bytes, bytearray)):
        raise DeployRejected("Malformed", "code is not bytes")
    module = check_decodes(bytes(wasm))
    check_validates(module)
    check_memory_cap(module)
    return module


def validate_deploy(wasm: bytes) -> PreparedModule:
    """All deploy checks in order; the prepared module or :class:`DeployRejected`."""
    module = _machine_checks(wasm)
    check_imports(module)
    return PreparedModule(module, check_abi(module))


def validate_parachain(wasm: bytes) -> PreparedModule:
    """The checks of a parachain module (PARACHAIN_DESIGN §6.1 steps 3-4,
    ABI §9.2): the same as a contract's, except that the §8 imports are
    eligible and the module must declare ``contract_type = Parachain``
    (``NotAParachainModule`` otherwise)."""
    module = _machine_checks(wasm)
    check_imports(module, parachain=True)
    abi, _warnings = validate_abi(module, allow_parachain=True)
    if abi.contract_type is not ContractType.PARACHAIN:
        raise DeployRejected("NotAParachainModule", "the pyde.abi section declares contract_type Contract")
    return PreparedModule(module, abi)


def declared_type(wasm: bytes) -> ContractType:
    """The ``contract_type`` a module's ``pyde.abi`` section declares
    (``Contract`` when it cannot be read: the checks then say why)."""
    try:
        return read_abi(check_decodes(bytes(wasm))).contract_type
    except (DeployRejected, AbiRejected, TypeError):
        return ContractType.CONTRACT


def validate_any(wasm: bytes) -> PreparedModule:
    """A module checked as what it declares itself: a contract, or a
    parachain (a stored module of a pre-state's ``code`` section)."""
    return validate_stored(wasm, declared_type(wasm))


def validate_stored(wasm: bytes, contract_type: ContractType) -> PreparedModule:
    """:func:`validate_deploy` or :func:`validate_parachain`, by the type
    the stored module declared when it was accepted."""
    if contract_type is ContractType.PARACHAIN:
        return validate_parachain(wasm)
    return validate_deploy(wasm)
