"""The pre-state of a wave or chain document, as records, and the
:class:`~pyde_ref.state.overlay.State` built from it.

A genesis contract's code passes the same deploy validation as a ``Deploy``
(:class:`GenesisError` otherwise, naming the field); its constructor does
not run: the document gives its storage directly.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.abi.section import ContractType
from pyde_ref.executor.deploy import DeployRejected, validate_any, validate_deploy, validate_parachain
from pyde_ref.state.accounts import Account, AccountType
from pyde_ref.state.code import ContractCode
from pyde_ref.state.overlay import State
from pyde_ref.state.parachains import ParachainRecord, Proposal, XCallBudget, XCallMessage
from pyde_ref.state.records import ContractMeta, Validator


class GenesisError(ValueError):
    """A module of the pre-state fails deploy validation; ``field`` is the
    JSON path of its code."""

    def __init__(self, field: str, rejection: DeployRejected):
        super().__init__(f"{field}: {rejection}")
        self.field = field
        self.rejection = rejection


@attrs.frozen
class GenesisContract:
    """A contract of the pre-state: its module, account fields, storage and
    metadata (owner, upgrade history; a pending upgrade's module in
    ``pending_code``)."""

    address: bytes
    code: bytes
    path: str = ""
    balance: int = 0
    nonce: int = 0
    gas_tank: int = 0
    storage: tuple[tuple[bytes, bytes], ...] = ()
    meta: ContractMeta = ContractMeta()
    pending_code: Optional[bytes] = None


@attrs.frozen
class GenesisParachain:
    """A parachain of the pre-state: its registry record, the modules of
    its versions given inline (``(path, wasm)``), its storage, proposals
    and message budget."""

    parachain_id: bytes
    record: ParachainRecord
    path: str = ""
    modules: tuple[tuple[str, bytes], ...] = ()
    storage: tuple[tuple[bytes, bytes], ...] = ()
    proposals: tuple[Proposal, ...] = ()
    budget: Optional[XCallBudget] = None


@attrs.frozen
class PreState:
    """Everything the document says the state holds before its first wave."""

    accounts: tuple[tuple[bytes, Account], ...] = ()
    contracts: tuple[GenesisContract, ...] = ()
    validators: tuple[tuple[bytes, Validator], ...] = ()
    protocol: tuple[tuple[bytes, object], ...] = ()
    code: tuple[tuple[str, bytes], ...] = ()
    parachains: tuple[GenesisParachain, ...] = ()
    xcalls: tuple[XCallMessage, ...] = ()


def put_module(state, wasm: bytes, field: str, validate=validate_deploy, done: Optional[dict] = None) -> bytes:
    """Validate ``wasm`` as a deploy would (``validate``) and store it; its
    code hash.  ``done`` ((validate, module bytes) -> code hash) skips a
    module already put under the same validation: a document may install
    one module at thousands of addresses, and validating and hashing it is
    linear in its size."""
    key = (validate, bytes(wasm))
    if done is not None and key in done:
        return done[key]
    try:
        prepared = validate(wasm)
    except DeployRejected as exc:
        raise GenesisError(field, exc) from None
    code_hash = state.put_code(ContractCode(bytes(wasm), prepared.abi))
    if done is not None:
        done[key] = code_hash
    return code_hash


def install_parachain(state, p: GenesisParachain, done: Optional[dict] = None) -> None:
    """Put a parachain into ``state``: its modules pass the parachain
    checks (PARACHAIN_DESIGN §6.1 steps 3-4), the module of every version
    and proposal is a stored parachain module (:class:`GenesisError`
    otherwise)."""
    for path, wasm in p.modules:
        put_module(state, wasm, path, validate_parachain, done)
    needed = [(f"{p.path}.versions[{v.version}]", v.wasm_hash) for v in p.record.versions]
    needed += [(f"{p.path}.proposals[{q.proposal_id}]", q.code_hash) for q in p.proposals]
    for field, wasm_hash in needed:
        code = state.code(wasm_hash)
        if code is None:
            raise GenesisError(field, DeployRejected("MissingModule", f"no module with code hash 0x{wasm_hash.hex()}"))
        if code.abi.contract_type is not ContractType.PARACHAIN:
            raise GenesisError(field, DeployRejected("NotAParachainModule", f"0x{wasm_hash.hex()} is a contract's"))
    state.put_parachain(p.parachain_id, p.record)
    for key, value in p.storage:
        state.put_parachain_slot(p.parachain_id, key, value)
    for proposal in p.proposals:
        state.put_proposal(p.parachain_id, proposal)
    if p.budget is not None:
        state.put_xcall_budget(p.parachain_id, p.budget)


def install_contract(state, address: bytes, wasm: bytes, balance: int = 0, nonce: int = 0,
                     owner: Optional[bytes] = None, gas_tank: int = 0) -> bytes:
    """Put a contract into ``state`` directly (a genesis contract): its code
    passes the same deploy validation as a ``Deploy`` (:class:`GenesisError`
    otherwise), its constructor does not run.  Returns its code hash."""
    code_hash = put_module(state, wasm, f"contracts[0x{address.hex()}].code")
    state.put_account(address, Account(balance, nonce, code_hash, AccountType.CONTRACT, gas_tank=gas_tank))
    if owner is not None:
        state.put_contract_meta(address, ContractMeta(owner=owner))
    return code_hash


def build_state(pre: PreState) -> State:
    state = State()
    done: dict[tuple, bytes] = {}
    for address, account in pre.accounts:
        state.put_account(address, account)
    for c in pre.contracts:
        code_hash = put_module(state, c.code, f"{c.path}.code", done=done)
        state.put_account(c.address, Account(c.balance, c.nonce, code_hash, AccountType.CONTRACT,
                                             gas_tank=c.gas_tank))
        if c.pending_code is not None:
            put_module(state, c.pending_code, f"{c.path}.upgrade.code", done=done)
        state.put_contract_meta(c.address, c.meta)
        for slot, value in c.storage:
            state.sstore(c.address, slot, value)
    for path, wasm in pre.code:
        put_module(state, wasm, path, validate_any, done)
    for p in pre.parachains:
        install_parachain(state, p, done)
    for message in pre.xcalls:
        state.put_xcall(message)
    for validator_id, validator in pre.validators:
        state.put_validator(validator_id, validator)
    for key, record in pre.protocol:
        state.put_protocol(key, record)
    return state
