"""The engines ``pyde-ref consume`` runs fixtures on (``--engine``).

* ``pyde-ref`` -- the reference itself (:class:`ReferenceEngine`), on the
  tier ``--tier`` names;
* ``wasmtime`` -- the oracle's twin (:func:`pyde_ref.diff.twin.get_twin`,
  ``--wasmtime 45|50``): the same executor with contract code on wasmtime
  (:class:`WasmtimeEngine`); the fixture is first held to its own
  ``expected`` (the reference's ``spec`` run of its input must equal it, so
  a tampered fixture fails on this engine as on ``pyde-ref``), then a
  difference of the twin from it is classified by the oracle
  (:func:`pyde_ref.diff.wave_diff.classify_wave`);
* ``exec:CMD`` -- any program (:class:`ExecEngine`), through the protocol of
  ``spec/conformance.md``: ``/bin/sh -c CMD`` gets the input document on
  standard input and ``PYDE_DOCUMENT_KIND`` (``wave`` or ``chain``) and
  ``PYDE_FUEL_MODEL`` (``spec``) in its environment, and writes the output
  document on standard output, exit status 0 -- what Ethereum's ``t8n``
  tools do for its fixtures.

An engine answers :meth:`Engine.run` with the output document or an
:class:`EngineFailure` saying why it has none.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from typing import Optional

from pyde_ref.conformance.fixture import FUEL_MODEL, Fixture
from pyde_ref.diff import wave_diff
from pyde_ref.diff.twin import TwinError, get_twin, reference_fuel_model
from pyde_ref.diff.twin_env import TwinUnavailable
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import document_output, parse_document
from pyde_ref.wasm import FAST

EXEC_PREFIX = "exec:"
EXEC_TIMEOUT_SECONDS = 600
"""The longest one fixture may take on an external engine (``--timeout``)."""
STDERR_TAIL = 5


class EngineFailure(Exception):
    """The engine produced no output document for a fixture (it exited
    non-zero, printed something that is not JSON, timed out, raised)."""


class Engine:
    name: str

    def run(self, fixture: Fixture) -> dict:
        raise NotImplementedError

    def describe(self) -> dict:
        return {"engine": self.name}

    def close(self) -> None:
        pass


class ReferenceEngine(Engine):
    """pyde-ref in this process: a fresh executor per fixture."""

    def __init__(self, tier: str = FAST):
        self.name = "pyde-ref"
        self.tier = tier

    def run(self, fixture: Fixture) -> dict:
        try:
            parsed = parse_document(fixture.input, None)
            executor = WasmExecutor(ExecutorConfig(fuel_model=FUEL_MODEL, tier=self.tier))
            return document_output(parsed, run_document(parsed, executor=executor))
        except Exception as exc:  # noqa: BLE001 - reported per fixture
            raise EngineFailure(f"{type(exc).__name__}: {exc}") from exc

    def describe(self) -> dict:
        return {"engine": self.name, "tier": self.tier, "fuel_model": FUEL_MODEL}


class WasmtimeEngine(Engine):
    """The wasmtime twin of ``version``, started (its environment built) on
    construction: :class:`~pyde_ref.diff.twin_env.TwinUnavailable` then,
    once, when it cannot run here -- never once per fixture."""

    def __init__(self, version: str, tier: str = FAST):
        self.name = "wasmtime"
        self.version = version
        self.twin = get_twin(version)
        try:
            self.twin.describe()
        except TwinError as exc:
            raise TwinUnavailable(str(exc)) from None
        self.reference = ReferenceEngine(tier)
        """What the fixture's ``expected`` must equal before the twin is
        judged against it (the classifier takes ``expected`` as the
        reference's ``spec`` run)."""

    def run(self, fixture: Fixture) -> dict:
        try:
            return self.twin.run_wave(fixture.input, None)
        except Exception as exc:  # noqa: BLE001 - reported per fixture
            raise EngineFailure(f"{type(exc).__name__}: {exc}") from exc

    def classify(self, fixture: Fixture, got: dict):
        """The oracle's verdict on a difference between the twin's output
        ``got`` and the fixture: the fixture stands as the reference's
        ``spec`` run, the reference under the version's fuel model is run
        now, and the classifier explains (or not) each differing receipt."""
        parsed = parse_document(fixture.input, None)
        outputs = {"wasmtime": got, "spec": fixture.expected,
                   "model": wave_diff.reference_wave_output(parsed, reference_fuel_model(self.version))}
        return wave_diff.classify_wave(outputs, wave_diff.wave_modules(parsed), self.version)

    def describe(self) -> dict:
        return {"engine": self.name, **self.twin.describe()}


class ExecEngine(Engine):
    """An external program (module docstring)."""

    def __init__(self, command: str, timeout: float = EXEC_TIMEOUT_SECONDS):
        self.name = EXEC_PREFIX + command
        self.command = command
        self.timeout = timeout

    def run(self, fixture: Fixture) -> dict:
        env = dict(os.environ, PYDE_DOCUMENT_KIND=fixture.kind, PYDE_FUEL_MODEL=FUEL_MODEL)
        data = json.dumps(fixture.input, indent=1, ensure_ascii=False).encode("utf-8")
        done = run_bounded(["/bin/sh", "-c", self.command], data, env, self.timeout)
        if done.returncode != 0:
            raise EngineFailure(f"exit status {done.returncode}{_stderr_tail(done.stderr)}")
        try:
            output = json.loads(done.stdout.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise EngineFailure(f"standard output is not a JSON document ({exc}){_stderr_tail(done.stderr)}") \
                from None
        if not isinstance(output, dict):
            raise EngineFailure("standard output is JSON but not an object")
        return output

    def describe(self) -> dict:
        return {"engine": self.name, "protocol": "spec/conformance.md"}


def run_bounded(argv: list[str], data: bytes, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """Run ``argv`` with ``data`` on standard input, in a session of its
    own: past ``timeout`` seconds the whole session is killed (the adapter
    and anything it started), so a hung engine costs the timeout, never a
    hang or a leftover process."""
    try:
        child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=env, start_new_session=True)
    except OSError as exc:
        raise EngineFailure(f"cannot run {argv[0]}: {exc}") from None
    try:
        stdout, stderr = child.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_session(child)
        raise EngineFailure(f"no answer within {timeout:g} s (killed)") from None
    except BaseException:
        _kill_session(child)
        raise
    return subprocess.CompletedProcess(argv, child.returncode, stdout, stderr)


def _kill_session(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except OSError:
        pass  # the session is gone already
    child.communicate()


def _stderr_tail(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()[-STDERR_TAIL:]
    return (": " + " | ".join(lines)) if lines else ""


def make_engine(spec: str, *, tier: str = FAST, wasmtime: Optional[str] = None,
                timeout: float = EXEC_TIMEOUT_SECONDS) -> Engine:
    """The engine ``--engine`` names (``ValueError`` for an unknown name);
    ``timeout`` bounds each fixture of an ``exec:`` engine."""
    if spec == "pyde-ref":
        return ReferenceEngine(tier)
    if spec == "wasmtime":
        return WasmtimeEngine(wasmtime or "50", tier)
    if spec.startswith(EXEC_PREFIX) and spec[len(EXEC_PREFIX):].strip():
        return ExecEngine(spec[len(EXEC_PREFIX):], timeout)
    raise ValueError(f"unknown engine {spec!r}: expected pyde-ref, wasmtime or exec:CMD")
