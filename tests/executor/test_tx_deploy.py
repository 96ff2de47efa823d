"""``Deploy`` (chapter 11 §11.2, §11.8, §11.10; chapter 10 §10.8) and the
owner upgrade with its grace period (seed §3.10, §3.4 module cache)."""

from __future__ import annotations

import pytest

from pyde_ref.executor.handlers.contracts import create2_address, create_address
from pyde_ref.executor.params import DEPLOY_BASE_GAS, UPGRADE_GRACE_WAVES
from pyde_ref.executor.testing import (
    Chain,
    address,
    build_contract,
    deploy_tx,
    import_lines,
    native_tx,
    system_tx,
)
from pyde_ref.executor.transactions import FeePayer, FeePayerKind, TxType
from pyde_ref.state.borsh import Writer
from pyde_ref.state.code import code_hash
from pyde_ref.state.system import CONTRACTS
from tx_helpers import COUNTER, assert_rejected, version_contract

DEPLOYER, OTHER = address(1), address(2)

CTOR_WAT = f"""(module {import_lines(["sstore", "tx_value"])}
  (memory (export "memory") 1)
  (data (i32.const 0) "\\07")
  (func (export "init") (drop (call $sstore (i32.const 32) (i32.const 0))))
  (func (export "trap_init") unreachable)
  (func (export "get")))"""
WITH_CTOR = build_contract(CTOR_WAT, ["init:constructor,payable", "get", {"name": "trap_init", "attributes": []}])
TRAPPING_CTOR = build_contract(CTOR_WAT, ["trap_init:constructor", "get"] + [{"name": "init", "attributes": []}])


def chain() -> Chain:
    c = Chain()
    c.fund(DEPLOYER, 10**15)
    c.fund(OTHER, 10**15)
    return c


def test_deploy_without_constructor_is_charged_the_chapter_10_amount():
    """Chapter 10 §10.8: "Contract deployment | system tx | 32,000 + init
    code": a module with no constructor pays exactly 32,000."""
    c = chain()
    r = c.deploy(DEPLOYER, COUNTER)
    assert (r.status, r.gas_used) == ("success", DEPLOY_BASE_GAS)
    assert r.fee.total == DEPLOY_BASE_GAS * c.block.base_fee
    assert c.balance(DEPLOYER) == 10**15 - DEPLOY_BASE_GAS * c.block.base_fee
    assert r.contract_address == create_address(DEPLOYER, 0)
    assert c.state.contract_meta(r.contract_address).owner == DEPLOYER
    assert c.state.account(r.contract_address).code_hash == code_hash(COUNTER)


def test_deploy_with_constructor_pays_32000_plus_its_gas():
    c = chain()
    r = c.deploy(DEPLOYER, WITH_CTOR, value=5)
    ctor_gas = r.gas_used - DEPLOY_BASE_GAS
    assert r.status == "success" and ctor_gas > 5_000  # the constructor's sstore
    assert c.balance(r.contract_address) == 5
    assert c.state.sload(r.contract_address, bytes(32)) == b"\x07" + bytes(31)


def test_failed_constructor_leaves_no_contract_but_pays():
    c = chain()
    r = c.deploy(DEPLOYER, TRAPPING_CTOR)
    assert (r.status, r.trap, r.contract_address) == ("trap", "unreachable", None)
    assert r.gas_used >= DEPLOY_BASE_GAS
    assert not c.state.account(create_address(DEPLOYER, 0)).is_contract
    assert c.nonce(DEPLOYER) == 1


def test_create_uses_the_transactions_nonce():
    """§11.2 CREATE ``Poseidon2(deployer || nonce)``: the nonce the
    transaction uses, anywhere in the window."""
    c = chain()
    r = c.deploy(DEPLOYER, COUNTER, nonce=5)
    assert r.contract_address == create_address(DEPLOYER, 5)


def test_create2_with_a_salt():
    c = chain()
    salt = b"\x5a" * 32
    r = c.deploy(DEPLOYER, COUNTER, salt=salt)
    assert r.contract_address == create2_address(DEPLOYER, salt, code_hash(COUNTER))
    # the same salt and code from the same deployer cannot deploy twice
    assert_rejected(c, deploy_tx(DEPLOYER, COUNTER, salt=salt), "AddressInUse")
    # another salt, or another deployer, is another address
    assert c.deploy(DEPLOYER, COUNTER, salt=b"\x5b" * 32).status == "success"
    assert c.deploy(OTHER, COUNTER, salt=salt).contract_address != r.contract_address


def test_a_prefunded_address_keeps_its_balance():
    c = chain()
    target = create_address(DEPLOYER, 0)
    c.fund(target, 77)
    r = c.deploy(DEPLOYER, COUNTER)
    assert r.contract_address == target and c.balance(target) == 77


@pytest.mark.parametrize("make, code", [
    (lambda: deploy_tx(DEPLOYER, b"\x00asm"), "DeployRejected"),
    (lambda: deploy_tx(DEPLOYER, COUNTER, value=1), "NotPayable"),
    (lambda: deploy_tx(DEPLOYER, TRAPPING_CTOR, value=1), "NotPayable"),
    (lambda: deploy_tx(DEPLOYER, COUNTER, gas_limit=DEPLOY_BASE_GAS - 1), "IntrinsicGasTooLow"),
    (lambda: deploy_tx(DEPLOYER, COUNTER, calldata=bytes(64 * 1024 + 1)), "CalldataTooLarge"),
    (lambda: deploy_tx(DEPLOYER, COUNTER, to=OTHER), "InvalidRecipient"),
    (lambda: native_tx(TxType.DEPLOY, DEPLOYER, b"\xff\xff"), "MalformedPayload"),
    (lambda: deploy_tx(DEPLOYER, COUNTER, fee_payer=FeePayer(FeePayerKind.GAS_TANK)), "FeePayerNotApplicable"),
    (lambda: deploy_tx(DEPLOYER, bytes(200 * 1024)), "TxTooLarge"),
])
def test_deploy_refusals(make, code):
    assert_rejected(chain(), make(), code)


def test_deploy_at_a_used_address():
    c = chain()
    c.install(create_address(DEPLOYER, 0), COUNTER)
    assert_rejected(c, deploy_tx(DEPLOYER, COUNTER), "AddressInUse")


# --------------------------------------------------------------------------
# seed §3.10: owner upgrade after a grace period
# --------------------------------------------------------------------------

APP = address(0xAB)
V1, V2, V3 = (version_contract(n) for n in (1, 2, 3))


def upgrade_tx(sender, contract, code, **fields):
    args = Writer().fixed(contract, 32).bytes_vec(code).out()
    return system_tx(sender, CONTRACTS, "upgrade", args, **fields)


def upgradable(wave: int = 100) -> Chain:
    c = chain().at_wave(wave)
    c.install(APP, V1, owner=DEPLOYER)
    return c


def version(c: Chain) -> bytes:
    return c.call(OTHER, APP, "version").return_data


def test_upgrade_activates_exactly_after_the_grace_period():
    c = upgradable(100)
    r = c.apply(upgrade_tx(DEPLOYER, APP, V2))
    assert (r.status, r.gas_used) == ("success", DEPLOY_BASE_GAS)
    pending = c.state.contract_meta(APP).pending
    assert (pending.proposed_wave, pending.activation_wave) == (100, 100 + UPGRADE_GRACE_WAVES)
    assert version(c) == b"\x01"
    assert APP in c.executor.cache  # the old module is cached and still used
    c.at_wave(100 + UPGRADE_GRACE_WAVES - 1)
    assert version(c) == b"\x01"
    assert c.last.start.upgrades == ()
    c.at_wave(100 + UPGRADE_GRACE_WAVES)
    c.wave([])
    (activated,) = c.last.start.upgrades
    assert activated[0] == APP and activated[1].new_code_hash == code_hash(V2)
    assert APP not in c.executor.cache  # invalidated exactly at activation
    assert version(c) == b"\x02"
    meta = c.state.contract_meta(APP)
    assert meta.pending is None
    assert [(h.wave, h.old_code_hash, h.new_code_hash) for h in meta.history] == [
        (100 + UPGRADE_GRACE_WAVES, code_hash(V1), code_hash(V2))]


def test_upgrade_keeps_storage_balance_and_history_grows():
    c = upgradable(0)
    c.fund(APP, 9)
    c.state.sstore(APP, b"\x01" * 32, b"\x02" * 32)
    c.apply(upgrade_tx(DEPLOYER, APP, V2))
    c.at_wave(UPGRADE_GRACE_WAVES)
    c.apply(upgrade_tx(DEPLOYER, APP, V3))
    c.at_wave(2 * UPGRADE_GRACE_WAVES)
    assert version(c) == b"\x03"
    assert c.balance(APP) == 9 and c.state.sload(APP, b"\x01" * 32) == b"\x02" * 32
    assert [h.new_code_hash for h in c.state.contract_meta(APP).history] == [code_hash(V2), code_hash(V3)]
    assert c.state.code(code_hash(V1)) is not None  # the old module stays stored


@pytest.mark.parametrize("make, code", [
    (lambda: upgrade_tx(OTHER, APP, V2), "NotOwner"),
    (lambda: upgrade_tx(DEPLOYER, OTHER, V2), "NotAContract"),
    (lambda: upgrade_tx(DEPLOYER, APP, V1), "UpgradeSameCode"),
    (lambda: upgrade_tx(DEPLOYER, APP, b"\x00asm\x01"), "DeployRejected"),
    (lambda: upgrade_tx(DEPLOYER, APP, V2, gas_limit=DEPLOY_BASE_GAS - 1), "IntrinsicGasTooLow"),
    (lambda: upgrade_tx(DEPLOYER, APP, V2, value=1), "UnexpectedValue"),
    (lambda: system_tx(DEPLOYER, CONTRACTS, "upgrade", APP), "MalformedPayload"),
])
def test_upgrade_refusals(make, code):
    assert_rejected(upgradable(), make(), code)


def test_a_second_upgrade_waits_for_the_first():
    c = upgradable()
    c.apply(upgrade_tx(DEPLOYER, APP, V2))
    assert_rejected(c, upgrade_tx(DEPLOYER, APP, V3), "UpgradePending")


def test_a_contract_without_owner_cannot_be_upgraded():
    c = chain()
    c.install(APP, V1)
    assert_rejected(c, upgrade_tx(DEPLOYER, APP, V2), "NotOwner")


def test_deployer_of_a_deploy_owns_and_upgrades():
    c = chain().at_wave(10)
    address_ = c.deploy(DEPLOYER, V1).contract_address
    assert c.apply(upgrade_tx(DEPLOYER, address_, V2)).status == "success"
