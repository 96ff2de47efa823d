"""Contract code: ``Deploy`` (tag 1, chapter 11 §11.8, §11.10; seed §3.4,
§3.10) and the owner upgrade of seed §3.10 (``CONTRACTS.upgrade``), with
its activation at the start of the first wave past the grace period.

The ABI's model (``spec/findings/deploy-model.md``): ``data`` carries the
whole module -- the ``pyde.abi`` section included, the constructor inside
it -- and the module is what the contract runs afterwards; the code hash is
``Poseidon2(module)``.

``Deploy``
    ``data`` = Borsh ``(code: Vec<u8>, calldata: Vec<u8>, salt:
    Option<[u8; 32]>)``; ``to`` = ``Address::ZERO``.  Address: chapter 11
    §11.2 CREATE ``Poseidon2(deployer || nonce)`` (the transaction's nonce,
    u64 LE), or CREATE2 ``Poseidon2(0xFF || deployer || salt || code_hash)``
    with a salt.  Price: chapter 10 §10.8 "32,000 + init code" -- 32,000
    gas always, plus the constructor's gas when the module declares one.
    The deployer becomes the contract's owner.
``CONTRACTS.upgrade(contract, code)``
    Only the owner; the new module passes the deploy checks and costs
    32,000 gas; it becomes the contract's code at the start of wave
    ``proposal wave + UPGRADE_GRACE_WAVES`` (:func:`activate_due_upgrades`);
    storage, balance and address stay; the module cache entry is
    invalidated exactly then; the history keeps every switch.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi.env import SubcallStatus
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import dispatch
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.cache import CachedModule
from pyde_ref.executor.context import Handler, Outcome, Plan, TxContext, sender_pays
from pyde_ref.executor.deploy import DeployRejected, PreparedModule, validate_deploy
from pyde_ref.executor.handlers.base import SystemOp
from pyde_ref.executor.handlers.common import frame_outcome, require_zero_to, run_entry
from pyde_ref.executor.params import DEPLOY_BASE_GAS, MAX_CALLDATA, UPGRADE_GRACE_WAVES
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Status, Transaction, decode_payload
from pyde_ref.state.accounts import EMPTY_ACCOUNT, AccountType
from pyde_ref.state.borsh import Reader, Writer
from pyde_ref.state.code import ContractCode, code_hash
from pyde_ref.state.overlay import CONTRACT
from pyde_ref.state.records import PendingUpgrade, UpgradeRecord
from pyde_ref.state.system import CONTRACTS

CREATE2_PREFIX = b"\xff"
"""Chapter 11 §11.2: the CREATE2 domain separator."""


def create_address(deployer: bytes, nonce: int) -> bytes:
    """Chapter 11 §11.2 / chapter 4 §4.3: ``CREATE address =
    Poseidon2(deployer_address || nonce_bytes)``, nonce as u64 LE."""
    return poseidon2_hash(deployer + nonce.to_bytes(8, "little"))


def create2_address(deployer: bytes, salt: bytes, module_hash: bytes) -> bytes:
    """Chapter 11 §11.2: ``CREATE2 address = Poseidon2(0xFF ||
    deployer_address || salt || code_hash)``."""
    return poseidon2_hash(CREATE2_PREFIX + deployer + salt + module_hash)


@attrs.frozen
class DeployPayload:
    code: bytes
    calldata: bytes = b""
    salt: Optional[bytes] = None

    def encode(self) -> bytes:
        return Writer().bytes_vec(self.code).bytes_vec(self.calldata).option_fixed(self.salt, 32).out()


def read_deploy(reader: Reader) -> DeployPayload:
    return DeployPayload(reader.bytes_vec("code"), reader.bytes_vec("calldata"), reader.option_fixed(32, "salt"))


def prepare(code: bytes) -> PreparedModule:
    """Seed §3.4 / §3.10 deploy validation; ``DeployRejected`` names the check."""
    try:
        return validate_deploy(code)
    except DeployRejected as exc:
        raise Rejection(rj.DEPLOY_REJECTED, f"DeployRejected: {exc.text}") from None


def address_in_use(layer, address: bytes) -> bool:
    """A contract cannot be created over an account that has code, has used
    a nonce or holds keys; a balance or gas tank sent ahead is kept."""
    account = layer.account(address)
    return account.evolve(balance=0, gas_tank=0) != EMPTY_ACCOUNT


# --------------------------------------------------------------------------
# Deploy
# --------------------------------------------------------------------------


@attrs.frozen
class DeployPlan:
    prepared: PreparedModule
    address: bytes
    constructor: Optional[dispatch.Target]


def decode_deploy(tx: Transaction) -> DeployPayload:
    return decode_payload(tx.data, read_deploy)


def plan_deploy(ctx: TxContext, p: DeployPayload) -> Plan:
    require_zero_to(ctx)
    plan_ = sender_pays(ctx, DEPLOY_BASE_GAS)
    if len(p.calldata) > MAX_CALLDATA:
        raise Rejection(rj.CALLDATA_TOO_LARGE, f"{len(p.calldata)} bytes of constructor calldata")
    prepared = prepare(p.code)
    if p.salt is None:
        address = create_address(ctx.sender, ctx.tx.nonce)
    else:
        address = create2_address(ctx.sender, p.salt, code_hash(p.code))
    if address_in_use(ctx.layer, address):
        raise Rejection(rj.ADDRESS_IN_USE, f"0x{address.hex()} is in use")
    constructor = dispatch.constructor_of(prepared.abi)
    if constructor is None and ctx.tx.value > 0:
        raise Rejection(rj.NOT_PAYABLE, "value attached but the module has no constructor")
    if constructor is not None and dispatch.payable_check(constructor, ctx.tx.value) is not None:
        raise Rejection(rj.NOT_PAYABLE, "value attached but the constructor is not payable")
    return attrs.evolve(plan_, details=DeployPlan(prepared, address, constructor))


def execute_deploy(ctx: TxContext, p: DeployPayload, plan_: Plan) -> Outcome:
    d: DeployPlan = plan_.details
    address = d.address
    ctx.executor.cache.invalidate(address)
    deploy_layer = ctx.layer.child()
    new_hash = deploy_layer.put_code(ContractCode(bytes(p.code), d.prepared.abi))
    existing = deploy_layer.account(address)
    deploy_layer.put_account(address, existing.evolve(code_hash=new_hash, account_type=AccountType.CONTRACT))
    deploy_layer.put_contract_meta(address, attrs.evolve(deploy_layer.contract_meta(address), owner=ctx.sender))
    if d.constructor is None:
        deploy_layer.merge()
        return Outcome(Status.SUCCESS, DEPLOY_BASE_GAS, contract_address=address)
    module = CachedModule(new_hash, d.prepared.module, d.prepared.abi)
    ctx.executor.cache_module(address, module, p.code)
    result = run_entry(ctx, deploy_layer, module, d.constructor, address,
                       p.calldata, ctx.tx.value, ctx.tx.gas_limit - DEPLOY_BASE_GAS)
    if result.status == SubcallStatus.SUCCESS:
        deploy_layer.merge()
    else:
        deploy_layer.discard()
        ctx.executor.cache.invalidate(address)
    outcome = frame_outcome(result, DEPLOY_BASE_GAS)
    if outcome.status == Status.SUCCESS:
        outcome = attrs.evolve(outcome, contract_address=address)
    return outcome


HANDLER = Handler("Deploy", decode_deploy, plan_deploy, execute_deploy)


# --------------------------------------------------------------------------
# owner upgrade (seed §3.10)
# --------------------------------------------------------------------------


@attrs.frozen
class UpgradeArgs:
    contract: bytes
    code: bytes


def read_upgrade(reader: Reader) -> UpgradeArgs:
    """Arguments: contract ``[u8; 32]``, the new module ``Vec<u8>``."""
    return UpgradeArgs(reader.take(32, "contract"), reader.bytes_vec("code"))


def plan_upgrade(ctx: TxContext, a: UpgradeArgs) -> Plan:
    plan_ = sender_pays(ctx, DEPLOY_BASE_GAS)
    account = ctx.layer.account(a.contract)
    if not account.is_contract:
        raise Rejection(rj.NOT_A_CONTRACT, f"0x{a.contract.hex()} has no code")
    meta = ctx.layer.contract_meta(a.contract)
    if meta.owner != ctx.sender:
        raise Rejection(rj.NOT_OWNER, "only the contract's owner may upgrade it")
    if meta.pending is not None:
        raise Rejection(rj.UPGRADE_PENDING, f"an upgrade activates at wave {meta.pending.activation_wave}")
    prepared = prepare(a.code)
    if code_hash(a.code) == account.code_hash:
        raise Rejection(rj.UPGRADE_SAME_CODE)
    return attrs.evolve(plan_, details=prepared)


def execute_upgrade(ctx: TxContext, a: UpgradeArgs, plan_: Plan) -> Outcome:
    new_hash = ctx.layer.put_code(ContractCode(bytes(a.code), plan_.details.abi))
    meta = ctx.layer.contract_meta(a.contract)
    pending = PendingUpgrade(new_hash, ctx.wave_id, ctx.wave_id + UPGRADE_GRACE_WAVES)
    ctx.layer.put_contract_meta(a.contract, attrs.evolve(meta, pending=pending))
    return Outcome(Status.SUCCESS, DEPLOY_BASE_GAS)


SYSTEM_OPS = (SystemOp(CONTRACTS, "upgrade", read_upgrade, plan_upgrade, execute_upgrade),)


def activate_due_upgrades(layer, wave_id: int, cache) -> list[UpgradeRecord]:
    """At the start of wave ``wave_id``: every pending upgrade whose
    activation wave has come switches its contract's code, in address
    order; the cache entry of each is invalidated at that moment (seed
    §3.4: "On contract upgrade, the cache entry is invalidated").  Returns
    the new history records, ``(contract, record)`` pairs."""
    activated = []
    for address, meta in layer.items(CONTRACT):
        pending = meta.pending
        if pending is None or pending.activation_wave > wave_id:
            continue
        account = layer.account(address)
        record = UpgradeRecord(wave_id, account.code_hash, pending.code_hash)
        layer.put_account(address, account.evolve(code_hash=pending.code_hash))
        layer.put_contract_meta(address, attrs.evolve(meta, pending=None, history=meta.history + (record,)))
        cache.invalidate(address)
        activated.append((address, record))
    return activated
