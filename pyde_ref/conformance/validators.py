"""``pyde-ref consume --validators N``: ABI §16's last line, "run the same
input on 128 simulated validators; outputs must match bit-for-bit".

Each validator is a separate process (:mod:`.validator`) that runs every
fixture and reports the Blake3 of each whole output document.  Validator
``i`` differs from the others in everything that must not matter
(:func:`plan`):

* ``PYTHONHASHSEED`` = ``i`` (0 switches hash randomization off);
* the execution tier, reading or fast, alternating;
* a cold or a warm module cache (every other pair);
* the order of the fixtures: the corpus order for validator 0, its reverse
  for validator 1, a permutation seeded by ``i`` for the others;
* the Python version, round robin over the versions present
  (:func:`pythons`): this interpreter, and 3.11-3.13 where installed -- a
  version other than this one runs in a managed environment of its own
  (:func:`pyde_ref.diff.twin_env.managed_python`, pyde-ref's runtime
  dependencies, the same source tree through ``PYTHONPATH``); a version
  that is absent, or whose environment cannot be built, is skipped and said.

Every digest must equal the fixture's ``expected`` digest; a mismatch names
the fixture, the validator, what made it different, and the first
difference.
"""

from __future__ import annotations

import glob
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Optional, Sequence

import attrs

from pyde_ref.conformance import fixture as fx
from pyde_ref.conformance.validator import COLD, WARM
from pyde_ref.diff.twin_env import TwinUnavailable, child_path, managed_python, runtime_requirements
from pyde_ref.wasm import TIERS

WANTED_VERSIONS = ("3.11", "3.12", "3.13")
"""The Python versions validators run on when they are installed."""
VALIDATOR_TIMEOUT_SECONDS = 3600


@attrs.frozen
class PythonRuntime:
    version: str
    """``X.Y.Z``."""
    interpreter: str
    """The interpreter a validator runs (a managed environment's for a
    version other than this process's)."""


def _version_of(python: str) -> Optional[str]:
    try:
        done = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                              capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode().strip() if done.returncode == 0 else None


def candidate_interpreters() -> dict[str, str]:
    """``X.Y`` -> an interpreter of that version found on ``PATH`` or under
    pyenv (``$PYENV_ROOT``, else ``~/.pyenv``)."""
    found = {}
    pyenv = os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    for minor in WANTED_VERSIONS:
        candidates = sorted(glob.glob(os.path.join(pyenv, "versions", f"{minor}.*", "bin", f"python{minor}")),
                            reverse=True)
        which = shutil.which(f"python{minor}")
        for python in ([which] if which else []) + candidates:
            version = _version_of(python)
            if version and version.startswith(minor + "."):
                found[minor] = python
                break
    return found


def pythons(explicit: Sequence[str] = (), discover: bool = True) -> tuple[list[PythonRuntime], list[str]]:
    """The Python runtimes validators use, and what was skipped (why)."""
    here = platform.python_version()
    runtimes = [PythonRuntime(here, sys.executable)]
    skipped = []
    wanted: dict[str, str] = candidate_interpreters() if discover else {}
    for python in explicit:
        version = _version_of(python)
        if version is None:
            skipped.append(f"{python}: cannot be run")
            continue
        wanted[".".join(version.split(".")[:2])] = python
    here_minor = ".".join(here.split(".")[:2])
    for minor in WANTED_VERSIONS:
        if minor not in wanted and minor != here_minor and discover:
            skipped.append(f"Python {minor}: not installed")
    for minor, python in sorted(wanted.items()):
        if minor == here_minor:
            continue
        try:
            env_python = managed_python("validator", runtime_requirements(), python)
        except TwinUnavailable as exc:
            skipped.append(f"Python {minor} ({python}): its environment cannot be built: {exc}")
            continue
        runtimes.append(PythonRuntime(_version_of(str(env_python)) or minor, str(env_python)))
    return runtimes, skipped


@attrs.frozen
class ValidatorPlan:
    index: int
    hash_seed: int
    tier: str
    cache: str
    python: PythonRuntime
    order: tuple[int, ...]

    def describe(self) -> str:
        return (f"validator {self.index} (Python {self.python.version}, PYTHONHASHSEED={self.hash_seed}, "
                f"{self.tier} tier, {self.cache} cache, order {_order_name(self.index)})")


def _order_name(index: int) -> str:
    return {0: "as in the corpus", 1: "reversed"}.get(index, f"shuffled with seed {index}")


def plan(n: int, count: int, runtimes: Sequence[PythonRuntime]) -> list[ValidatorPlan]:
    """Validator ``i`` of ``n`` over ``count`` fixtures (module docstring)."""
    plans = []
    for i in range(n):
        order = list(range(count))
        if i == 1:
            order.reverse()
        elif i > 1:
            random.Random(f"pyde-validator:{i}").shuffle(order)
        plans.append(ValidatorPlan(i, i, TIERS[i % 2], (COLD, WARM)[(i // 2) % 2],
                                   runtimes[(i // 4) % len(runtimes)], tuple(order)))
    return plans


def run_one(p: ValidatorPlan, paths: Sequence[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
    env["PYTHONHASHSEED"] = str(p.hash_seed)
    code = str(child_path())
    env["PYTHONPATH"] = code
    request = {"fixtures": [os.path.abspath(paths[i]) for i in p.order], "tier": p.tier, "cache": p.cache}
    try:
        done = subprocess.run([p.python.interpreter, "-m", "pyde_ref.conformance.validator"],
                              input=json.dumps(request).encode(), capture_output=True, env=env, cwd=code,
                              timeout=VALIDATOR_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    if done.returncode != 0:
        tail = " | ".join(done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:])
        return {"error": f"exit status {done.returncode}: {tail}"}
    try:
        return json.loads(done.stdout)
    except ValueError as exc:
        return {"error": f"no reply ({exc})"}


@attrs.frozen
class Mismatch:
    fixture: str
    validator: str
    detail: str

    def to_json(self) -> dict:
        return {"fixture": self.fixture, "validator": self.validator, "detail": self.detail}


def run(paths: Sequence[str], n: int, jobs: int, runtimes: Sequence[PythonRuntime], progress=None) -> dict:
    """Run ``n`` validators over the fixtures at ``paths``; the report."""
    fixtures = [fx.load(p) for p in paths]
    expected = {os.path.abspath(f.path): fx.digest(f.expected) for f in fixtures}
    names = {os.path.abspath(f.path): f.name for f in fixtures}
    plans = plan(n, len(paths), runtimes)
    start = time.monotonic()
    mismatches: list[Mismatch] = []
    seen: dict[str, set] = {"python": set(), "hash_seed": set(), "tier": set(), "cache": set()}
    runs = 0
    cache_hits = 0

    def one(p: ValidatorPlan):
        reply = run_one(p, paths)
        if progress is not None:
            progress(p, reply)
        return p, reply

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for p, reply in pool.map(one, plans):
            if "error" in reply:
                mismatches.append(Mismatch("(all)", p.describe(), reply["error"]))
                continue
            seen["python"].add(reply["python"])
            seen["hash_seed"].add(reply["hash_seed"])
            seen["tier"].add(p.tier)
            seen["cache"].add(p.cache)
            cache_hits += reply.get("cache_hits", 0)
            for result in reply["results"]:
                runs += 1
                path = result["path"]
                if "error" in result:
                    mismatches.append(Mismatch(names.get(path, path), p.describe(), result["error"]))
                elif result["digest"] != expected[path]:
                    d = result.get("difference") or {}
                    mismatches.append(Mismatch(names[path], p.describe(),
                                               f"output digest {result['digest']} != fixture {expected[path]}; "
                                               f"first difference at {d.get('path')}: expected "
                                               f"{d.get('expected')!r}, got {d.get('got')!r}"))
    return {
        "validators": n,
        "fixtures": len(paths),
        "runs": runs,
        "mismatches": len(mismatches),
        "mismatch_details": [m.to_json() for m in mismatches[:50]],
        "varied": {
            "python": sorted(seen["python"]),
            "hash_seeds": len(seen["hash_seed"]),
            "tiers": sorted(seen["tier"]),
            "module_cache": sorted(seen["cache"]),
            "orders": len({p.order for p in plans}),
        },
        "warm_cache_hits": cache_hits,
        "seconds": round(time.monotonic() - start, 1),
    }
