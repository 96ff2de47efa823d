"""Deploy (seed §3.4, §3.10; ABI §3.7, §9): validation with named reasons,
the CREATE address, the constructor run once."""

from __future__ import annotations

import os

import pytest

from paths import CONTRACTS

from pyde_ref.abi.constants import ERR_FORBIDDEN
from pyde_ref.abi.section import ContractType, contract_abi, embed_abi
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor.deploy import DeployRejected, validate_deploy
from pyde_ref.executor.testing import Chain, address, build_contract, function_entry, import_lines
from pyde_ref.wasm.text import wat_to_wasm

ALICE = address(1)

CTOR_WAT = f"""(module
{import_lines(["sstore", "caller", "calldata_copy", "calldata_size", "revert"])}
  (memory (export "memory") 1)
  (func (export "init")
    (drop (call $caller (i32.const 32)))
    (drop (call $sstore (i32.const 0) (i32.const 32)))
    (if (i32.eq (call $calldata_size) (i32.const 1))
      (then (call $revert (i32.const 0) (i32.const 0)))))
  (func (export "poke")))"""


def _chain() -> Chain:
    c = Chain()
    c.fund(ALICE, 10**12)
    return c


def test_deploy_runs_constructor_once_at_the_create_address():
    c = _chain()
    code = build_contract(CTOR_WAT, ["init:constructor", "poke"])
    r = c.deploy(ALICE, code)
    assert r.status == "success"
    assert r.contract_address == poseidon2_hash(ALICE + (0).to_bytes(8, "little"))
    assert c.state.sload(r.contract_address, bytes(32)) == ALICE  # caller() == deployer
    assert c.state.code_at(r.contract_address).wasm == code
    assert c.call(ALICE, r.contract_address, "init").error_code == ERR_FORBIDDEN
    r2 = c.deploy(ALICE, code)
    # the rejected call above left the nonce at 1
    assert r2.contract_address == poseidon2_hash(ALICE + (1).to_bytes(8, "little"))


def test_failed_constructor_leaves_no_contract():
    c = _chain()
    r = c.deploy(ALICE, build_contract(CTOR_WAT, ["init:constructor", "poke"]), calldata=b"x")
    assert r.status == "revert"
    assert r.contract_address is None
    address_ = poseidon2_hash(ALICE + (0).to_bytes(8, "little"))
    assert c.state.code_at(address_) is None
    assert c.state.sload(address_, bytes(32)) == bytes(32)
    assert c.nonce(ALICE) == 1 and r.gas_used > 0


def test_deploy_without_constructor_refuses_value():
    c = _chain()
    r = c.deploy(ALICE, build_contract(CTOR_WAT, ["init", "poke"]), value=5)
    assert r.status == "rejected"
    assert c.nonce(ALICE) == 0


PLAIN = '(memory (export "memory") 1) (func (export "f"))'


def _module(body: str, functions=("f",)) -> bytes:
    return build_contract(f"(module {body})", list(functions))


def _parachain_module() -> bytes:
    abi = contract_abi([function_entry("f")], ContractType.PARACHAIN)
    return embed_abi(wat_to_wasm(f"(module {PLAIN})"), abi)


REJECTIONS = {
    "Malformed": lambda: b"\x00asm\x01\x00\x00\x00\x01",
    "UnsupportedFeature": lambda: _module(
        PLAIN.replace('(func (export "f"))',
                      '(func (export "f") (drop (i32x4.splat (i32.const 1))))')),
    "Invalid": lambda: _module('(memory (export "memory") 1) (func (export "f") (drop))'),
    "ForbiddenImport": lambda: _module('(import "env" "abort" (func)) ' + PLAIN),
    "ImportTypeMismatch": lambda: _module('(import "pyde" "sload" (func (param i32))) ' + PLAIN),
    "ParachainOnly": lambda: _module(
        '(import "pyde" "parachain_id" (func (param i32) (result i32))) ' + PLAIN),
    "MissingAbiSection": lambda: wat_to_wasm(f"(module {PLAIN})"),
    "MissingMemoryExport": lambda: _module('(memory 1) (func (export "f"))'),
    "BadEntrySignature": lambda: _module('(memory (export "memory") 1) (func (export "f") (param i32))'),
    "UndeclaredExport": lambda: _module(PLAIN + ' (func (export "g"))'),
    "FunctionNotExported": lambda: _module(PLAIN, ("f", "g")),
    "ViewMutatesState": lambda: _module(
        f'{import_lines(["sstore"])} (memory (export "memory") 1) '
        '(func $w (drop (call $sstore (i32.const 0) (i32.const 0)))) (func (export "f") (call $w))',
        ("f:view",)),
    "IncompatibleAttributes": lambda: _module(PLAIN, ("f:view,payable",)),
    "MemoryExceedsCap": lambda: _module('(memory (export "memory") 1025) (func (export "f"))'),
    "MultipleFallback": lambda: _module(PLAIN + ' (func (export "g"))', ("f:fallback", "g:fallback")),
    "ReceiveNotPayable": lambda: _module(PLAIN, ({"name": "f", "attributes": ["receive"]},)),
    "ParachainNotDeployable": lambda: _parachain_module(),
}


@pytest.mark.parametrize("reason", sorted(REJECTIONS))
def test_each_rejection_has_its_own_reason(reason):
    code = REJECTIONS[reason]()
    with pytest.raises(DeployRejected) as info:
        validate_deploy(code)
    assert info.value.reason == reason or info.value.reason.startswith(reason), info.value
    c = _chain()
    r = c.deploy(ALICE, code)
    assert r.status == "rejected"
    assert r.reason.startswith(f"DeployRejected: {info.value.reason}(")
    assert c.nonce(ALICE) == 0


def test_memory_at_the_cap_deploys():
    validate_deploy(_module('(memory (export "memory") 1024 4096) (func (export "f"))'))


def test_wasi_imports_are_forbidden():
    code = _module('(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) '
                   + PLAIN)
    with pytest.raises(DeployRejected) as info:
        validate_deploy(code)
    assert info.value.reason == "ForbiddenImport"
    assert "wasi_snapshot_preview1" in info.value.detail


def test_unknown_pyde_function_is_forbidden():
    code = _module('(import "pyde" "sload_v2" (func (param i32 i32) (result i32))) ' + PLAIN)
    with pytest.raises(DeployRejected) as info:
        validate_deploy(code)
    assert info.value.reason == "ForbiddenImport"


def test_every_example_contract_deploys():
    here = str(CONTRACTS)
    for name in ("token", "proxy", "caller"):
        with open(os.path.join(here, f"{name}.wasm"), "rb") as f:
            prepared = validate_deploy(f.read())
        assert prepared.abi.functions
