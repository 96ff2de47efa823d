"""The pre-state of a wave or chain document, as records, and the
:class:`~pyde_ref.state.overlay.State` built from it.

A genesis contract's code passes the same deploy validation as a ``Deploy``
(:class:`GenesisError` otherwise, naming the field); its constructor does
not run: the document gives its storage directly.
"""

from __future__ import annotations

from typing import Optional

import attrs

from pyde_ref.executor.deploy import DeployRejected, validate_deploy
from pyde_ref.state.accounts import Account, AccountType
from pyde_ref.state.code import ContractCode
from pyde_ref.state.overlay import State
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
class PreState:
    """Everything the document says the state holds before its first wave."""

    accounts: tuple[tuple[bytes, Account], ...] = ()
    contracts: tuple[GenesisContract, ...] = ()
    validators: tuple[tuple[bytes, Validator], ...] = ()
    protocol: tuple[tuple[bytes, object], ...] = ()
    code: tuple[tuple[str, bytes], ...] = ()


def put_module(state, wasm: bytes, field: str, done: Optional[dict] = None) -> bytes:
    """Validate ``wasm`` as a deploy would and store it; its code hash.
    ``done`` (module bytes -> code hash) skips a module already put: a
    document may install one module at thousands of addresses, and
    validating and hashing it is linear in its size."""
    if done is not None and wasm in done:
        return done[wasm]
    try:
        prepared = validate_deploy(wasm)
    except DeployRejected as exc:
        raise GenesisError(field, exc) from None
    code_hash = state.put_code(ContractCode(bytes(wasm), prepared.abi))
    if done is not None:
        done[wasm] = code_hash
    return code_hash


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
    done: dict[bytes, bytes] = {}
    for address, account in pre.accounts:
        state.put_account(address, account)
    for c in pre.contracts:
        code_hash = put_module(state, c.code, f"{c.path}.code", done)
        state.put_account(c.address, Account(c.balance, c.nonce, code_hash, AccountType.CONTRACT,
                                             gas_tank=c.gas_tank))
        if c.pending_code is not None:
            put_module(state, c.pending_code, f"{c.path}.upgrade.code", done)
        state.put_contract_meta(c.address, c.meta)
        for slot, value in c.storage:
            state.sstore(c.address, slot, value)
    for path, wasm in pre.code:
        put_module(state, wasm, path, done)
    for validator_id, validator in pre.validators:
        state.put_validator(validator_id, validator)
    for key, record in pre.protocol:
        state.put_protocol(key, record)
    return state
