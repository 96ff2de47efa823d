"""One managed Python environment per wasmtime version (issue 14, item 1).

One environment holds one wasmtime-py, so a twin whose version is not the
one installed here runs in its own environment and process
(:class:`pyde_ref.diff.twin.SubprocessTwin`).  :func:`twin_python` returns
that environment's interpreter, building it on first use:

* where: ``<cache>/twins/wasmtime-<version>-py<X.Y>-<deps>/`` under the
  cache directory (``$PYDE_REF_CACHE`` or ``~/.cache/pyde-ref``,
  :mod:`pyde_ref.cache_dir`); ``<deps>`` is a digest of what is installed, so
  a change of pins builds a fresh environment beside the old one;
* how: ``python -m venv`` with this interpreter, then ``pip install
  wasmtime==<version>`` plus pyde-ref's runtime dependencies (read from the
  running source tree's ``pyproject.toml``, else from the installed
  distribution's metadata).  pyde-ref itself is not installed there: the child
  runs with ``PYTHONPATH`` set to a directory holding only a link named
  ``pyde_ref`` to the package this process imported (:func:`child_path`), so
  parent and child always run the same code, and nothing else of this
  environment (its own wasmtime) can shadow the child's;
* when: under an exclusive lock (several fuzz workers may ask at once); the
  file ``ready.json`` is written last, so a half-built environment (an
  interrupted or offline ``pip``) is removed and rebuilt next time.

A failure raises :class:`TwinUnavailable` with pip's own last lines (e.g. no
network): callers report it as a usage-level error, tests skip with it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Optional

import pyde_ref
from pyde_ref.cache_dir import default_cache_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: environment builds are then not serialized
    fcntl = None

READY = "ready.json"
"""Written last into a complete environment: what it holds."""

PIP_TIMEOUT_SECONDS = 900
"""The longest building one environment may take."""

PIP_OPTIONS = ("--disable-pip-version-check", "--no-input", "--quiet", "--timeout", "30", "--retries", "2")


class TwinUnavailable(RuntimeError):
    """The environment of a wasmtime version cannot be built here (no network
    for ``pip``, no ``venv`` module, ...)."""


def source_root() -> Path:
    """The directory holding the :mod:`pyde_ref` package this process runs."""
    return Path(pyde_ref.__file__).resolve().parent.parent


def child_path(cache_dir: Optional[Path] = None) -> Path:
    """A directory whose only entry is ``pyde_ref``, a link to the running
    package: the child's ``PYTHONPATH`` and working directory.  (The source
    tree itself will not do: an installed pyde-ref lives in a
    ``site-packages`` that also holds this environment's wasmtime.)"""
    package = Path(pyde_ref.__file__).resolve().parent
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    holder = root / "twins" / "code" / hashlib.sha256(str(package).encode()).hexdigest()[:16]
    link = holder / "pyde_ref"
    if not link.exists():
        holder.mkdir(parents=True, exist_ok=True)
        try:
            os.symlink(package, link, target_is_directory=True)
        except FileExistsError:  # another process made it meanwhile
            pass
        except OSError:  # no symbolic links here: fall back to the source tree
            return source_root()
    return holder


def runtime_requirements() -> tuple[str, ...]:
    """pyde-ref's runtime dependencies (no extras), as pinned where the
    running code comes from."""
    pyproject = source_root() / "pyproject.toml"
    if pyproject.is_file():
        with open(pyproject, "rb") as handle:
            return tuple(tomllib.load(handle)["project"]["dependencies"])
    requires = importlib.metadata.requires("pyde-ref") or []
    return tuple(r for r in requires if "extra ==" not in r)


def requirements(wasmtime_version: str) -> tuple[str, ...]:
    """Everything a twin environment for ``wasmtime_version`` installs."""
    return (f"wasmtime=={wasmtime_version}",) + runtime_requirements()


def environment_dir(wasmtime_version: str, cache_dir: Optional[Path] = None) -> Path:
    reqs = requirements(wasmtime_version)
    digest = hashlib.sha256("\n".join(reqs).encode()).hexdigest()[:12]
    python = f"py{sys.version_info.major}.{sys.version_info.minor}"
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return root / "twins" / f"wasmtime-{wasmtime_version}-{python}-{digest}"


def _interpreter(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _is_ready(env: Path, reqs: tuple[str, ...]) -> bool:
    try:
        with open(env / READY) as handle:
            return json.load(handle).get("requirements") == list(reqs)
    except (OSError, ValueError):
        return False


def twin_python(wasmtime_version: str, cache_dir: Optional[Path] = None) -> Path:
    """The interpreter of the environment holding ``wasmtime==<version>``,
    built on first use (see the module docstring)."""
    env = environment_dir(wasmtime_version, cache_dir)
    reqs = requirements(wasmtime_version)
    if _is_ready(env, reqs):
        return _interpreter(env)
    env.parent.mkdir(parents=True, exist_ok=True)
    with _locked(env.parent / ".lock"):
        if not _is_ready(env, reqs):
            _build(env, reqs)
    return _interpreter(env)


def _run(argv: list[str], what: str) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=PIP_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TwinUnavailable(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()[-5:]
        raise TwinUnavailable(f"{what} failed (exit {done.returncode}): " + " | ".join(tail))


def _build(env: Path, reqs: tuple[str, ...]) -> None:
    if env.exists():
        shutil.rmtree(env)  # an interrupted build
    _run([sys.executable, "-m", "venv", str(env)], f"python -m venv {env}")
    try:
        _run([str(_interpreter(env)), "-m", "pip", "install", *PIP_OPTIONS, *reqs],
             f"pip install {' '.join(reqs)} into {env}")
    except TwinUnavailable:
        shutil.rmtree(env, ignore_errors=True)
        raise
    record = {"requirements": list(reqs), "python": sys.version.split()[0]}
    tmp = env / (READY + ".tmp")
    with open(tmp, "w") as handle:
        json.dump(record, handle, indent=1)
    os.replace(tmp, env / READY)


class _locked:
    """An exclusive advisory lock on ``path`` for the ``with`` block (POSIX
    ``flock``; elsewhere no lock, builds are then simply not serialized)."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None

    def __enter__(self):
        self.handle = open(self.path, "a")
        if fcntl is not None:
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.handle.close()  # closing releases the lock
        return False
