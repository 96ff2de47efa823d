"""Where pyde-ref keeps what it can rebuild: converted spec-test scripts
(:mod:`pyde_ref.spectest.convert`) and the managed environments of the
wasmtime twins (:mod:`pyde_ref.diff.twin_env`).

Nothing here is consensus-relevant; deleting the directory only costs time.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "PYDE_REF_CACHE"
"""Environment variable overriding the cache directory."""


def default_cache_dir() -> Path:
    """``$PYDE_REF_CACHE``, else ``$XDG_CACHE_HOME/pyde-ref``, else ``~/.cache/pyde-ref``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pyde-ref"
