"""Running one converted ``.wast`` script: the script semantics of the
WebAssembly reference interpreter, restricted to pyde-v1.

Scope (``../shared/wasm-testsuite/SOURCE.md``): a ``module`` command is in
scope when our decoder, feature gate and validator accept its binary; every
other command belongs to the scope of the most recent ``module`` command
before it (none yet: out of scope).  Commands of an out-of-scope module are
counted, never run.  ``assert_invalid``, ``assert_malformed``,
``assert_unlinkable`` and ``assert_uninstantiable`` are judged on their own
modules.  Every command ends in exactly one outcome of :data:`OUTCOMES`, so
the per-file counts always add up to the number of commands.

A few in-scope commands cannot be judged under pyde-v1 at all, because what
they check depends on a module outside it: an in-scope module importing from
a registered module that pyde-v1 rejects, or a shared table/memory that an
out-of-scope module would have written to.  Their outcome is
``dependency_out_of_scope``: counted and listed with the reason, never run,
never passed.  See ``spec/findings/spectest-scope.md``.
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Optional

import attrs

from pyde_ref.wasm import (
    ExternVal,
    InvalidModule,
    LinkError,
    MachineConfig,
    MalformedModule,
    ModuleInstance,
    Store,
    Trap,
    Uninstantiable,
    WASM_MAX_MEMORY_PAGES,
    WasmError,
    decode_module,
    instantiate,
    invoke,
    validate_module,
)
from pyde_ref.wasm.syntax import Module

from .host import SPECTEST_MODULE_NAME, spectest_exports
from .values import (
    UnsupportedValue,
    check_result,
    format_expected,
    format_value,
    parse_arg,
    trap_kind_of_text,
)

SPECTEST_CONFIG = MachineConfig(max_memory_pages=WASM_MAX_MEMORY_PAGES, nan_canonicalization=True)
"""The machine the official tests assume: the WebAssembly memory limit (not
Pyde's 64 MiB cap), NaN canonicalization on, the default fuel model; no fuel
limit is ever set."""

PASSED = "passed"
FAILED = "failed"
REJECTED_AS_EXPECTED = "rejected_as_expected"
SKIPPED = "skipped"
OUT_OF_SCOPE = "out_of_scope"
DEPENDENCY_OUT_OF_SCOPE = "dependency_out_of_scope"
OUTCOMES = (PASSED, FAILED, REJECTED_AS_EXPECTED, SKIPPED, OUT_OF_SCOPE, DEPENDENCY_OUT_OF_SCOPE)

SCOPED_COMMANDS = ("module", "assert_return", "assert_trap", "action", "assert_exhaustion")
"""The command types whose in-scope counts SOURCE.md pins."""


@attrs.define
class Failure:
    """One failed command: where, what, expected vs got."""

    file: str
    line: int
    command: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.command}: {self.message}"


@attrs.define
class FileResult:
    """Everything one script's run produced."""

    file: str
    outcomes: collections.Counter = attrs.field(factory=collections.Counter)
    in_scope: collections.Counter = attrs.field(factory=collections.Counter)
    out_of_scope: collections.Counter = attrs.field(factory=collections.Counter)
    commands: collections.Counter = attrs.field(factory=collections.Counter)
    failures: list = attrs.field(factory=list)
    dependencies: list = attrs.field(factory=list)
    notes: list = attrs.field(factory=list)

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "totals": {name: self.outcomes[name] for name in OUTCOMES},
            "in_scope": _counts(self.in_scope, SCOPED_COMMANDS),
            "out_of_scope": _counts(self.out_of_scope, SCOPED_COMMANDS),
            "commands": dict(sorted(self.commands.items())),
            "failures": [attrs.asdict(f) for f in self.failures],
            "dependency_out_of_scope": [attrs.asdict(f) for f in self.dependencies],
            "notes": list(self.notes),
        }


def _counts(counter: collections.Counter, always: tuple) -> dict:
    """The counter as a sorted dict that always names the ``always`` keys."""
    keys = sorted(set(always) | set(counter))
    return {key: counter[key] for key in keys}


class CommandFailed(Exception):
    """The command did not do what the script expects (message: expected vs got)."""


class ModuleRejected(Exception):
    """Our decoder, feature gate or validator refused the module.  ``module``
    is the decoded module when only validation refused it."""

    def __init__(self, error: WasmError, stage: str, module: Optional[Module] = None):
        super().__init__(str(error))
        self.error = error
        self.stage = stage
        self.module = module


class DependencyOutOfScope(Exception):
    """The command depends on a module outside pyde-v1 (message: which, why)."""


def check_module(data: bytes) -> Module:
    """Decode and validate under pyde-v1 (§5, the feature gate, §3); raises
    :class:`ModuleRejected` naming the stage that refused it."""
    try:
        module = decode_module(data)
    except (MalformedModule, InvalidModule) as exc:
        raise ModuleRejected(exc, "decode") from None
    try:
        validate_module(module)
    except InvalidModule as exc:
        raise ModuleRejected(exc, "validate", module) from None
    return module


class ScriptRunner:
    """The state of one script run: a store shared by every module of the
    script, the registered module names and the named instances."""

    def __init__(self, file: str, wasm_dir: Path, config: MachineConfig = SPECTEST_CONFIG):
        self.result = FileResult(file)
        self.wasm_dir = Path(wasm_dir)
        self.store = Store(config)
        self.registry: dict[str, dict[str, ExternVal]] = {
            SPECTEST_MODULE_NAME: spectest_exports(self.store)
        }
        self.registered_instances: dict[str, ModuleInstance] = {}
        self.instances: dict[str, ModuleInstance] = {}
        self.definitions: dict[str, Optional[Module]] = {}
        self.current: Optional[ModuleInstance] = None
        self.current_in_scope = False
        # Why the current module / a name is unavailable when the reason is a
        # module outside pyde-v1 (see DependencyOutOfScope).
        self.current_unavailable: Optional[str] = None
        self.unavailable_names: dict[str, str] = {}
        self.unavailable_registrations: dict[str, str] = {}
        self.tainted: list[tuple[ModuleInstance, str]] = []

    # -- driving ---------------------------------------------------------------

    def run(self, commands: list) -> FileResult:
        for command in commands:
            self.run_command(command)
        return self.result

    def run_command(self, command: dict) -> None:
        kind = command.get("type", "<no type>") if isinstance(command, dict) else "<not an object>"
        line = command.get("line", 0) if isinstance(command, dict) else 0
        self.result.commands[kind] += 1
        handler = getattr(self, "cmd_" + kind, None) if isinstance(kind, str) else None
        try:
            if handler is None:
                raise CommandFailed(f"unknown command type {kind!r}")
            outcome = handler(command)
        except CommandFailed as exc:
            outcome = self._fail(kind, line, str(exc))
        except DependencyOutOfScope as exc:
            self.result.dependencies.append(Failure(self.result.file, line, kind, str(exc)))
            outcome = DEPENDENCY_OUT_OF_SCOPE
        except Exception as exc:  # a machine bug must cost one command, not the run
            outcome = self._fail(kind, line, f"internal error: {type(exc).__name__}: {exc}")
        self.result.outcomes[outcome] += 1

    def _fail(self, kind: str, line: int, message: str) -> str:
        self.result.failures.append(Failure(self.result.file, line, kind, message))
        return FAILED

    def _scoped(self, command: dict) -> bool:
        """Count a command that belongs to the current module's scope."""
        counter = self.result.in_scope if self.current_in_scope else self.result.out_of_scope
        counter[command["type"]] += 1
        return self.current_in_scope

    # -- modules ---------------------------------------------------------------

    def _module_bytes(self, command: dict) -> bytes:
        return (self.wasm_dir / command["filename"]).read_bytes()

    def _where(self, command: dict) -> str:
        return f"{self.result.file}:{command.get('line', 0)}"

    def _resolve_imports(self, module: Module) -> list[ExternVal]:
        """§4.5.4 step 3: the external value of each import, by registered name."""
        externs = []
        for imp in module.imports:
            exports = self.registry.get(imp.module)
            if exports is None and imp.module in self.unavailable_registrations:
                raise DependencyOutOfScope(
                    f"imports {imp.module}.{imp.name}, but {imp.module!r} was registered from "
                    f"{self.unavailable_registrations[imp.module]}")
            if exports is None or imp.name not in exports:
                raise LinkError(f"unknown import {imp.module}.{imp.name}")
            externs.append(exports[imp.name])
        return externs

    def _instantiate(self, module: Module) -> ModuleInstance:
        return instantiate(self.store, module, self._resolve_imports(module))

    def _taint_shared_state(self, module: Optional[Module], where: str) -> None:
        """An out-of-scope module that would have been instantiated against a
        registered instance's table, memory or mutable global could have
        written to it (segments, start function); from then on that instance's
        state is no longer what the script assumes."""
        if module is None:
            return
        for imp in module.imports:
            mutable_global = imp.kind == "global" and getattr(imp.desc, "mutable", False)
            if imp.kind in ("table", "memory") or mutable_global:
                instance = self.registered_instances.get(imp.module)
                if instance is not None and not self._taint_of(instance):
                    self.tainted.append(
                        (instance, f"its {imp.kind} {imp.name!r} is shared with the module at {where}, "
                                   f"which is outside pyde-v1"))

    def _taint_of(self, instance: ModuleInstance) -> Optional[str]:
        for tainted, reason in self.tainted:
            if tainted is instance:
                return reason
        return None

    def _became_unavailable(self, command: dict, reason: str, name_key: str = "name") -> None:
        self.current = None
        self.current_unavailable = reason
        if command.get(name_key):
            self.unavailable_names[command[name_key]] = reason
            self.instances.pop(command[name_key], None)

    def cmd_module(self, command: dict) -> str:
        self.current = None
        self.current_unavailable = None
        where = self._where(command)
        if command.get("module_type") != "binary":
            # Only binaries are ever decoded by pyde-ref; SOURCE.md counts a
            # text module (and so its commands) as out of scope.
            self.current_in_scope = False
            self.result.out_of_scope["module"] += 1
            self._became_unavailable(command, f"the text-format module at {where}")
            return SKIPPED
        try:
            module = check_module(self._module_bytes(command))
        except ModuleRejected as exc:
            self.current_in_scope = False
            self.result.out_of_scope["module"] += 1
            self._became_unavailable(command, f"the module at {where}, outside pyde-v1 ({exc})")
            self._taint_shared_state(exc.module, where)
            return REJECTED_AS_EXPECTED
        self.current_in_scope = True
        self.result.in_scope["module"] += 1
        try:
            instance = self._instantiate(module)
        except DependencyOutOfScope as exc:
            self._became_unavailable(command, f"the module at {where}, which {exc}")
            raise
        except WasmError as exc:
            raise CommandFailed(f"expected the module to instantiate, got {exc.status}: {exc}") from None
        self._make_current(instance, command.get("name"))
        return PASSED

    def cmd_module_definition(self, command: dict) -> str:
        name = command.get("name")
        if command.get("module_type") != "binary":
            self.definitions[name] = None
            return SKIPPED
        try:
            self.definitions[name] = check_module(self._module_bytes(command))
        except ModuleRejected:
            self.definitions[name] = None
            return REJECTED_AS_EXPECTED
        return PASSED

    def cmd_module_instance(self, command: dict) -> str:
        module = self.definitions.get(command.get("module"))
        if module is None:
            self._became_unavailable(command, f"an instance of the module definition "
                                              f"{command.get('module')}, outside pyde-v1", "instance")
            return OUT_OF_SCOPE
        try:
            instance = self._instantiate(module)
        except WasmError as exc:
            raise CommandFailed(f"expected the module to instantiate, got {exc.status}: {exc}") from None
        self._make_current(instance, command.get("instance"))
        return PASSED

    def _make_current(self, instance, name: Optional[str]) -> None:
        """The new instance becomes the current one and, if ``name`` is given,
        is known (and available) under that name."""
        self.current = instance
        self.current_unavailable = None
        if name:
            self.instances[name] = instance
            self.unavailable_names.pop(name, None)

    def cmd_register(self, command: dict) -> str:
        in_scope = self._scoped(command)
        name = command.get("name")
        try:
            instance = self._target(name)
        except DependencyOutOfScope:
            self.unavailable_registrations[command["as"]] = self._unavailable_reason(name)
            if not in_scope:
                return OUT_OF_SCOPE
            raise
        except CommandFailed:
            if not in_scope:
                return OUT_OF_SCOPE
            raise
        self.registry[command["as"]] = instance.exports
        self.registered_instances[command["as"]] = instance
        self.unavailable_registrations.pop(command["as"], None)
        return PASSED if in_scope else OUT_OF_SCOPE

    # -- module assertions -----------------------------------------------------

    def _rejection_expected(self, command: dict, stages: tuple[str, ...]) -> str:
        if command.get("module_type") != "binary":
            return SKIPPED
        try:
            check_module(self._module_bytes(command))
        except ModuleRejected as exc:
            if exc.stage not in stages:
                self.result.notes.append(
                    f"{self._where(command)}: {command['type']} rejected by the {exc.stage} stage: {exc}")
            return REJECTED_AS_EXPECTED
        raise CommandFailed(f"module accepted, expected it rejected ({command.get('text', '')})")

    def cmd_assert_malformed(self, command: dict) -> str:
        return self._rejection_expected(command, ("decode",))

    def cmd_assert_invalid(self, command: dict) -> str:
        return self._rejection_expected(command, ("decode", "validate"))

    def cmd_assert_unlinkable(self, command: dict) -> str:
        try:
            module = check_module(self._module_bytes(command))
        except ModuleRejected:
            return REJECTED_AS_EXPECTED  # outside pyde-v1: judged on its own module
        try:
            self._instantiate(module)
        except LinkError:
            return PASSED
        except WasmError as exc:
            raise CommandFailed(f"expected unlinkable ({command.get('text')}), got {exc.status}: {exc}") from None
        raise CommandFailed(f"expected unlinkable ({command.get('text')}), module instantiated")

    def cmd_assert_uninstantiable(self, command: dict) -> str:
        try:
            module = check_module(self._module_bytes(command))
        except ModuleRejected as exc:
            # Outside pyde-v1: judged on its own module.  Had it been run, its
            # segments could have written to what it imports.
            self._taint_shared_state(exc.module, self._where(command))
            return REJECTED_AS_EXPECTED
        expected_kind = trap_kind_of_text(command.get("text", ""))
        try:
            self._instantiate(module)
        except Uninstantiable as exc:
            got_kind = exc.trap.kind if exc.trap is not None else None
            if got_kind is not None and expected_kind is not None and got_kind != expected_kind:
                raise CommandFailed(
                    f"expected uninstantiable with trap {expected_kind}, got trap {got_kind}") from None
            return PASSED
        except WasmError as exc:
            raise CommandFailed(
                f"expected uninstantiable ({command.get('text')}), got {exc.status}: {exc}") from None
        raise CommandFailed(f"expected uninstantiable ({command.get('text')}), module instantiated")

    # -- actions ---------------------------------------------------------------

    def _unavailable_reason(self, name: Optional[str]) -> str:
        """Why the instance ``name`` (or the current one) depends on a module
        outside pyde-v1."""
        if name and name in self.unavailable_names:
            return self.unavailable_names[name]
        instance = self.instances.get(name) if name else self.current
        if instance is not None:
            return f"an instance whose state depends on a module outside pyde-v1 ({self._taint_of(instance)})"
        return self.current_unavailable or "unavailable"

    def _target(self, name: Optional[str]) -> ModuleInstance:
        if name:
            if name in self.unavailable_names:
                raise DependencyOutOfScope(f"targets {name}: {self.unavailable_names[name]}")
            if name not in self.instances:
                raise CommandFailed(f"no module instance named {name}")
            instance = self.instances[name]
        else:
            if self.current is None:
                if self.current_unavailable:
                    raise DependencyOutOfScope(f"targets {self.current_unavailable}")
                raise CommandFailed("no current module instance (its module failed)")
            instance = self.current
        taint = self._taint_of(instance)
        if taint:
            raise DependencyOutOfScope(f"targets {name or 'the current module'}, but {taint}")
        return instance

    def perform(self, action: dict) -> tuple[list, list]:
        """Run an ``invoke`` or ``get`` action; its results and their types.
        Raises :class:`Trap` when the invocation traps."""
        instance = self._target(action.get("module"))
        field = action.get("field")
        if field not in instance.exports:
            raise CommandFailed(f"no export named {field!r}")
        extern = instance.exports[field]
        if action.get("type") == "invoke":
            if extern.kind != "func":
                raise CommandFailed(f"export {field!r} is a {extern.kind}, not a function")
            try:
                args = [parse_arg(arg) for arg in action.get("args", [])]
            except (UnsupportedValue, ValueError, KeyError) as exc:
                raise CommandFailed(f"bad argument: {exc}") from None
            results = invoke(self.store, extern.addr, args)
            return list(results), list(self.store.funcs[extern.addr].type.results)
        if action.get("type") == "get":
            if extern.kind != "global":
                raise CommandFailed(f"export {field!r} is a {extern.kind}, not a global")
            glob = self.store.globals[extern.addr]
            return [glob.value], [glob.type.valtype]
        raise CommandFailed(f"unknown action type {action.get('type')!r}")

    def cmd_action(self, command: dict) -> str:
        if not self._scoped(command):
            return OUT_OF_SCOPE
        try:
            self.perform(command["action"])
        except Trap as exc:
            raise CommandFailed(f"expected no trap, got trap {exc.kind}") from None
        return PASSED

    def cmd_assert_return(self, command: dict) -> str:
        if not self._scoped(command):
            return OUT_OF_SCOPE
        try:
            results, types = self.perform(command["action"])
        except Trap as exc:
            raise CommandFailed(f"{_describe(command)}: expected results, got trap {exc.kind}") from None
        expected = command.get("expected", [])
        try:
            ok = len(results) == len(expected) and all(
                check_result(exp, got, type_) for exp, got, type_ in zip(expected, results, types))
        except (UnsupportedValue, ValueError, KeyError) as exc:
            raise CommandFailed(f"bad expectation: {exc}") from None
        if not ok:
            raise CommandFailed(
                f"{_describe(command)}: expected [{', '.join(format_expected(e) for e in expected)}], "
                f"got [{', '.join(format_value(t, v) for v, t in zip(results, types))}]")
        return PASSED

    def _expect_trap(self, command: dict) -> str:
        if not self._scoped(command):
            return OUT_OF_SCOPE
        text = command.get("text", "")
        expected_kind = trap_kind_of_text(text)
        if expected_kind is None:
            raise CommandFailed(f"unknown trap text {text!r}")
        try:
            results, types = self.perform(command["action"])
        except Trap as exc:
            if exc.kind != expected_kind:
                raise CommandFailed(
                    f"{_describe(command)}: expected trap {expected_kind} ({text!r}), got trap {exc.kind}") from None
            return PASSED
        raise CommandFailed(
            f"{_describe(command)}: expected trap {expected_kind} ({text!r}), got "
            f"[{', '.join(format_value(t, v) for v, t in zip(results, types))}]")

    def cmd_assert_trap(self, command: dict) -> str:
        return self._expect_trap(command)

    def cmd_assert_exhaustion(self, command: dict) -> str:
        return self._expect_trap(command)

    def cmd_assert_exception(self, command: dict) -> str:
        if not self._scoped(command):
            return OUT_OF_SCOPE
        raise CommandFailed("exceptions are outside pyde-v1, yet the current module is in scope")


def _describe(command: dict) -> str:
    """``invoke "name" (args)`` for failure messages."""
    action = command.get("action", {})
    args = ", ".join(format_expected(a) for a in action.get("args", []))
    target = f"{action.get('module')}." if action.get("module") else ""
    return f"{action.get('type')} {target}{action.get('field')!r}({args})"


def run_script(file: str, script: dict, wasm_dir: Path, config: MachineConfig = SPECTEST_CONFIG) -> FileResult:
    """Run every command of a converted script (``wasm-tools json-from-wast`` output)."""
    runner = ScriptRunner(file, wasm_dir, config)
    commands = script.get("commands") if isinstance(script, dict) else None
    if not isinstance(commands, list):
        runner.result.failures.append(Failure(file, 0, "script", "converted script has no command list"))
        runner.result.outcomes[FAILED] += 1
        return runner.result
    return runner.run(commands)


def count_scope(script: dict, wasm_dir: Path) -> tuple[collections.Counter, collections.Counter]:
    """The in-scope and out-of-scope command counts of a script, decided by
    decoding and validating its modules only (nothing is instantiated or run),
    under exactly the rule :class:`ScriptRunner` applies."""
    in_scope: collections.Counter = collections.Counter()
    out_of_scope: collections.Counter = collections.Counter()
    current_in_scope = False
    for command in script.get("commands", []):
        kind = command.get("type")
        if kind == "module":
            current_in_scope = False
            if command.get("module_type") == "binary":
                try:
                    check_module((Path(wasm_dir) / command["filename"]).read_bytes())
                    current_in_scope = True
                except ModuleRejected:
                    pass
            (in_scope if current_in_scope else out_of_scope)["module"] += 1
        elif kind in SCOPED_COMMANDS or kind in ("register", "assert_exception"):
            (in_scope if current_in_scope else out_of_scope)[kind] += 1
    return in_scope, out_of_scope
