"""The wasmtime version is a parameter of the oracle (issue 14, item 1).

A *twin* is the production path run by one wasmtime version: bare module
calls, compile verdicts and whole waves, with the engine of seed §3.2
(:mod:`.wasmtime_backend`, :mod:`.wasmtime_machine`).  Every command and
campaign reaches wasmtime only through :func:`get_twin`:

* :data:`WASMTIME_VERSIONS` lists the versions the oracle knows, each pinned
  to one wasmtime-py release; ``--wasmtime 45|50`` on ``diff`` and ``fuzz``
  (and any later command, e.g. ``consume``) is parsed by
  :func:`add_wasmtime_argument`.
* The version installed in this process runs in it (:class:`InProcessTwin`,
  the fast default: wasmtime 50 in the project's environment).
* Any other version runs in a child process of its own managed environment
  (:class:`SubprocessTwin`, environment built by :mod:`.twin_env`), driven
  through the line protocol of :mod:`.twin_server`.  Both classes answer the
  same four questions, so nothing above this module knows which one it has.

The reference's counterpart of a version is its fuel model
(:func:`reference_fuel_model`): ``wasmtime-<version>``, which the machine has
for every version listed here (``tests/diff/test_twin.py`` checks it).
"""

from __future__ import annotations

import atexit
import base64
import importlib.metadata
import json
import os
import subprocess
import tempfile
from typing import Any, Optional, Sequence

from pyde_ref.diff import hostframe
from pyde_ref.diff.outcome import INSTANTIATE_FUEL, CallOutcome
from pyde_ref.diff.twin_env import child_path, twin_python
from pyde_ref.executor.executor import ExecutorConfig
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import document_output, parse_document
from pyde_ref.wasm.fuel import FUEL_MODELS

#: Oracle version -> the wasmtime-py release it runs (one pin per version).
WASMTIME_VERSIONS = {"45": "45.0.0", "50": "50.0.1"}
#: The version diffed against when none is named (installed with the test extra).
DEFAULT_WASMTIME = "50"
#: Version of the child protocol (:mod:`.twin_server`); parent and child
#: always run the same source tree, the number catches anything else.
PROTOCOL = 1


class TwinError(RuntimeError):
    """A twin request failed: the child raised (``kind`` names the exception)
    or died (``kind`` is ``"crashed"``)."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


def installed_wasmtime() -> Optional[str]:
    """The wasmtime-py release installed in this environment, if any."""
    try:
        return importlib.metadata.version("wasmtime")
    except importlib.metadata.PackageNotFoundError:
        return None


def _major(release: str) -> str:
    return release.split(".", 1)[0]


def reference_fuel_model(version: str) -> str:
    """The reference fuel model diffed against wasmtime ``version``: that
    version's own (``wasmtime-45``, ``wasmtime-50``); ``ValueError`` for a
    version the machine has no model of."""
    wanted = f"wasmtime-{version}"
    if wanted not in FUEL_MODELS:
        raise ValueError(f"the machine has no fuel model {wanted!r}; expected one of {', '.join(FUEL_MODELS)}")
    return wanted


def add_wasmtime_argument(parser) -> None:
    """``--wasmtime VERSION`` for a command that diffs against a twin."""
    parser.add_argument("--wasmtime", default=DEFAULT_WASMTIME, choices=sorted(WASMTIME_VERSIONS),
                        metavar="VERSION",
                        help=f"wasmtime version of the twin: {' or '.join(sorted(WASMTIME_VERSIONS))} "
                             f"(default {DEFAULT_WASMTIME}; a version not installed here runs in a managed "
                             "environment under the cache directory, built on first use)")


class Twin:
    """What every twin answers (see the module docstring)."""

    version: str
    wasmtime_release: str

    def call(self, wasm: bytes, func: str, args: Sequence[int], fuel: int, *, host: Optional[str] = None,
             instantiate_fuel: int = INSTANTIATE_FUEL) -> CallOutcome:
        """Instantiate ``wasm`` (with ``instantiate_fuel``), call ``func`` with
        ``args`` (bit patterns) and ``fuel``; ``host`` names the import set
        (:data:`pyde_ref.diff.hostframe.HOST_SETS`)."""
        raise NotImplementedError

    def function_exports(self, wasm: bytes) -> Optional[list[tuple[str, list[str]]]]:
        """``[(name, param types)]`` of the function exports, or ``None``
        when this wasmtime rejects the module."""
        raise NotImplementedError

    def compile_error(self, wasm: bytes, *, seed_only: bool = False) -> Optional[str]:
        """``None`` when this wasmtime accepts the module, else the first
        line of its error.  The engine is the twin's, or with ``seed_only``
        the one seed §3.2's flags alone configure (no extended-const gate):
        what the seed's text lets through."""
        raise NotImplementedError

    def run_wave(self, document: Any, base_dir: Optional[str]) -> dict:
        """The ``pyde-ref wave --json`` output document of a wave document
        run by the executor on this wasmtime."""
        raise NotImplementedError

    def describe(self) -> dict:
        """``{"wasmtime": release, "absent_engine_flags": [...]}``."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class InProcessTwin(Twin):
    """The wasmtime installed in this process."""

    def __init__(self) -> None:
        # wasmtime is optional (the test or wasmtime extra): imported only when this twin is made,
        # so that every other part of the oracle imports without it
        import wasmtime

        from pyde_ref.diff import wasmtime_backend as wb

        self._wasmtime = wasmtime
        self._wb = wb
        self.wasmtime_release = wb.WASMTIME_VERSION
        self.version = _major(self.wasmtime_release)

    def call(self, wasm, func, args, fuel, *, host=None, instantiate_fuel=INSTANTIATE_FUEL):
        ctx = hostframe.context_for(host)
        out = self._wb.run_bare(wasm, func, list(args), fuel, imports=hostframe.wasmtime_imports(host, ctx),
                                instantiate_fuel=instantiate_fuel)
        return hostframe.with_state(out, ctx)

    def function_exports(self, wasm):
        wasmtime = self._wasmtime
        try:
            module = self._wb.compile_module(wasm)
        except wasmtime.WasmtimeError:
            return None
        return [(e.name, [str(p) for p in e.type.params]) for e in module.exports
                if isinstance(e.type, wasmtime.FuncType)]

    def compile_error(self, wasm, *, seed_only=False):
        wasmtime = self._wasmtime
        try:
            if seed_only:
                wasmtime.Module(self._wb.build_engine(seed_only=True), wasm)
            else:
                self._wb.compile_module(wasm)
        except wasmtime.WasmtimeError as e:
            return str(e).strip().split("\n", 1)[0]
        return None

    def run_wave(self, document, base_dir):
        from pyde_ref.diff.wasmtime_machine import wasmtime_executor  # needs wasmtime, as __init__ says

        parsed = parse_document(document, base_dir)
        # wasmtime meters the fuel itself: the config's model is never consulted
        executor = wasmtime_executor(ExecutorConfig(fuel_model=f"wasmtime-{DEFAULT_WASMTIME}"))
        return document_output(parsed, run_document(parsed, executor=executor))

    def describe(self):
        return {"wasmtime": self.wasmtime_release, "absent_engine_flags": list(self._wb.absent_engine_flags())}


class SubprocessTwin(Twin):
    """A wasmtime version run by a child process in its managed environment
    (:mod:`.twin_env`), speaking :mod:`.twin_server`'s protocol.  The child is
    started on first use, restarted after it dies, and never shared with a
    forked process (each fuzz worker starts its own)."""

    def __init__(self, version: str, python: Optional[str] = None):
        self.version = version
        self.wasmtime_release = WASMTIME_VERSIONS[version]
        #: the child's interpreter; default: the managed environment's
        self.python = python
        self._proc: Optional[subprocess.Popen] = None
        self._owner: Optional[int] = None
        self._stderr = None
        self._next_id = 0
        self._description: Optional[dict] = None

    # -- the child -----------------------------------------------------------

    def _start(self) -> None:
        python = self.python or twin_python(self.wasmtime_release)
        code = str(child_path())
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
        env["PYTHONPATH"] = code
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen([str(python), "-m", "pyde_ref.diff.twin_server"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                      env=env, cwd=code)
        self._owner = os.getpid()
        hello = self._exchange({"op": "hello"})
        if hello.get("protocol") != PROTOCOL or _major(hello.get("wasmtime", "")) != self.version:
            self.close()
            raise TwinError("protocol", f"child answered {hello!r}; expected protocol {PROTOCOL}, "
                                        f"wasmtime {self.wasmtime_release}")
        self._description = {"wasmtime": hello["wasmtime"], "absent_engine_flags": hello["absent_engine_flags"]}

    def _alive(self) -> bool:
        return self._proc is not None and self._owner == os.getpid() and self._proc.poll() is None

    def _request(self, request: dict) -> Any:
        if not self._alive():
            if self._owner != os.getpid():
                self._proc = None  # a forked copy: the parent's child is not ours
            self._start()
        return self._exchange(request)

    def _exchange(self, request: dict) -> Any:
        self._next_id += 1
        request = dict(request, id=self._next_id)
        try:
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = b""
        if not line:
            raise TwinError("crashed", self._died())
        reply = json.loads(line)
        if reply.get("id") != self._next_id:
            raise TwinError("protocol", f"reply {reply.get('id')} to request {self._next_id}")
        if "error" in reply:
            raise TwinError(reply["error"]["type"], reply["error"]["message"])
        return reply["result"]

    def _died(self) -> str:
        """The child is gone: say how (exit status, its last stderr lines)."""
        proc, self._proc = self._proc, None
        try:
            status = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            status = proc.wait()
        tail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            tail = " | ".join(lines[-3:])
        return f"wasmtime {self.wasmtime_release} child exited with status {status}" + (f": {tail}" if tail else "")

    def close(self) -> None:
        if self._alive():
            try:
                self._proc.stdin.close()
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
        self._proc = None

    # -- the four questions --------------------------------------------------

    def call(self, wasm, func, args, fuel, *, host=None, instantiate_fuel=INSTANTIATE_FUEL):
        result = self._request({"op": "call", "wasm": _b64(wasm), "func": func, "args": list(args),
                                "fuel": fuel, "host": host, "instantiate_fuel": instantiate_fuel})
        return CallOutcome.from_json(result)

    def function_exports(self, wasm):
        found = self._request({"op": "exports", "wasm": _b64(wasm)})
        return None if found is None else [(name, list(params)) for name, params in found]

    def compile_error(self, wasm, *, seed_only=False):
        return self._request({"op": "compile", "wasm": _b64(wasm), "seed_only": seed_only})

    def run_wave(self, document, base_dir):
        return self._request({"op": "wave", "document": document, "base_dir": base_dir})

    def describe(self):
        if self._description is None or not self._alive():
            self._request({"op": "hello"})
        return dict(self._description)


def _b64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


_TWINS: dict[tuple[str, int], Twin] = {}


def get_twin(version: str = DEFAULT_WASMTIME) -> Twin:
    """The twin of wasmtime ``version`` (one per process).  Raises
    ``ValueError`` for an unknown version and
    :class:`~pyde_ref.diff.twin_env.TwinUnavailable` when its environment
    cannot be built (the first request builds it)."""
    if version not in WASMTIME_VERSIONS:
        raise ValueError(f"unknown wasmtime version {version!r}; expected one of {sorted(WASMTIME_VERSIONS)}")
    key = (version, os.getpid())
    twin = _TWINS.get(key)
    if twin is None:
        installed = installed_wasmtime()
        twin = InProcessTwin() if installed and _major(installed) == version else SubprocessTwin(version)
        _TWINS[key] = twin
    return twin


@atexit.register
def _close_twins() -> None:
    for (_version, pid), twin in list(_TWINS.items()):
        if pid == os.getpid():
            twin.close()
