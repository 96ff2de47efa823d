"""The ABI §12 examples as corrected in ``spec/abi/12-invoking-host-functions.md``
("The examples corrected"): the C and AssemblyScript versions printed there
compile with the commands printed there, embed, deploy and return
``sload``'s status code (0) through ``pyde::return``.  Skipped when the
compiler is not installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from paths import EXAMPLES, REPO
from pyde_ref.cli import main
from pyde_ref.executor.testing import Chain, address

PAGE = REPO / "spec" / "abi" / "12-invoking-host-functions.md"
ABI = {"functions": [{"name": "store_and_read", "attributes": ["entry"]}]}
ASC = EXAMPLES / "assemblyscript" / "node_modules" / ".bin" / "asc"
SENDER = address(1)


def corrected_block(language: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    corrected = text[text.index("### The examples corrected"):]
    return re.search(rf"```{language}\n(.*?)```", corrected, re.S).group(1)


def printed_command(source_suffix: str) -> list[str]:
    """The build command the page prints for that source file."""
    text = PAGE.read_text(encoding="utf-8")
    corrected = text[text.index("### The examples corrected"):]
    for command in re.findall(r"built with\s+`([^`]+)`", corrected):
        if f"store_and_read.{source_suffix}" in command:
            return command.split()
    raise AssertionError(f"no build command for .{source_suffix}")


def deploy_and_call(directory):
    """Embed the ABI with ``pyde-ref abi embed`` (deploy checks included),
    deploy, call ``store_and_read``."""
    (directory / "abi.json").write_text(json.dumps(ABI))
    out = directory / "contract.wasm"
    assert main(["abi", "embed", str(directory / "store_and_read.wasm"), str(directory / "abi.json"),
                 "-o", str(out)]) == 0
    chain = Chain()
    chain.fund(SENDER, 10**12)
    deployed = chain.deploy(SENDER, out.read_bytes())
    assert deployed.status == "success", deployed
    return chain.call(SENDER, deployed.contract_address, "store_and_read")


def test_corrected_c_example(tmp_path):
    command = printed_command("c")
    if shutil.which(command[0]) is None or shutil.which("wasm-ld") is None:
        pytest.skip(f"{command[0]} and wasm-ld are not installed (apt-get install clang lld)")
    (tmp_path / "store_and_read.c").write_text(corrected_block("c"))
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)
    receipt = deploy_and_call(tmp_path)
    assert receipt.status == "success" and receipt.return_data == bytes(4)


def test_corrected_assemblyscript_example(tmp_path):
    command = printed_command("ts")
    assert command[:2] == ["npx", "asc"]
    if not ASC.exists():
        pytest.skip("AssemblyScript is not installed (cd examples/assemblyscript && npm ci)")
    (tmp_path / "store_and_read.ts").write_text(corrected_block("typescript"))
    subprocess.run([str(ASC), *command[2:]], cwd=tmp_path, check=True, capture_output=True)
    receipt = deploy_and_call(tmp_path)
    assert receipt.status == "success" and receipt.return_data == bytes(4)
