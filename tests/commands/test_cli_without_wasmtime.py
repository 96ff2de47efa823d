"""``pyde-ref diff`` and ``pyde-ref fuzz`` need the optional wasmtime extra;
without it they report a usage error in one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from paths import EXAMPLES, REPO

WITHOUT_WASMTIME = """
import sys

class NoWasmtime:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "wasmtime":
            raise ImportError("No module named 'wasmtime'")

sys.meta_path.insert(0, NoWasmtime())
from pyde_ref.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("argv", [
    ["diff", str(EXAMPLES / "factorial.wasm"), "count", "10"],
    ["fuzz", "--cases", "1", "--seed", "1"],
])
def test_a_missing_wasmtime_is_a_usage_error(argv):
    result = subprocess.run([sys.executable, "-c", WITHOUT_WASMTIME, *argv], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "twin cannot run here" in result.stderr and "wasmtime" in result.stderr
    assert "Traceback" not in result.stderr
