"""The ``WasmExecutor`` (seed §3.2): transactions against a state, on the
WebAssembly machine, through the Host Function ABI.

One transaction, whatever its type, goes through the same three layers:

1. ``tx_layer`` -- an overlay over the wave's committed writes that collects
   everything the transaction changes, settlement included;
2. the entry frame's overlay over ``tx_layer`` (seed §3.5b's per-transaction
   overlay), merged on success and discarded on revert or trap, with one
   more nested overlay per cross-call (ABI §13.2);
3. settlement in ``tx_layer`` (chapter 10 §10.1 step 3): the nonce moves on
   and the sender pays ``gas_used × base_fee``, whatever the outcome.

A rejected transaction discards ``tx_layer``: nothing of it remains.  The
receipt reports ``tx_layer``'s write set and events before it merges into
the wave.

Rules made explicit here (``spec/abi/11-native-transactions.md``,
``spec/findings/executor-transactions.md``):

* The sender's balance must cover ``gas_limit × base_fee + value`` when the
  transaction starts (chapter 10 §10.1 step 3 "re-check balance"); else the
  transaction is rejected.  Because value moves only inside the entry frame
  and a sender cannot be made to pay by anyone else, the fee is always
  payable afterwards.
* A sender must be an account without code (an externally-owned account);
  a transaction "from" a contract is rejected (``ERR_INVALID_ADDRESS``), as
  is one from or to an address ABI §4 calls invalid (the all-zero address).
* A native ``Transfer`` costs exactly :data:`NATIVE_TRANSFER_GAS`; a
  ``gas_limit`` below it is rejected.  It never runs wasm, not even a
  ``receive`` of a contract recipient (ABI §11, seed §3.9b).
* A ``ContractCall`` whose target has no code is rejected
  (``ERR_INVALID_ADDRESS``); dispatch refusals of ABI §3.5.2 (unknown
  function, not payable, constructor lockout) are rejections with their
  ABI §4 code.
* A ``ContractDeploy`` that fails validation is rejected with the
  ``DeployRejected`` reason.  The new address is chapter 4 §4.3's CREATE
  address ``Poseidon2(deployer || nonce)`` (nonce as u64 little-endian,
  ABI §3.2).  Deploy costs the constructor's gas only.
"""

from __future__ import annotations

from typing import Optional

import attrs

import pyde_ref.wasm as machine
from pyde_ref.abi.account import is_valid_address
from pyde_ref.abi.constants import (
    ERR_INVALID_ADDRESS,
    ERR_INVALID_INPUT,
    ERR_VALUE_TRANSFER_NOT_PAYABLE,
    NATIVE_TRANSFER_GAS,
    error_name,
)
from pyde_ref.abi.env import BlockContext, SubcallResult, SubcallStatus
from pyde_ref.crypto.hashes import blake3_256
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import dispatch
from pyde_ref.executor.cache import MODULE_CACHE_CAPACITY, CachedModule, ModuleCache
from pyde_ref.executor.deep import run_deep
from pyde_ref.executor.deploy import DeployRejected, validate_deploy
from pyde_ref.executor.frames import TxRun
from pyde_ref.executor.transactions import (
    ContractCall,
    ContractDeploy,
    Receipt,
    StateWrite,
    Status,
    Transaction,
    Transfer,
)
from pyde_ref.state.accounts import U64_MAX, Account, AccountType
from pyde_ref.state.code import ContractCode
from pyde_ref.wasm import FAST, FUEL_MODELS, SPEC

WAVE_GAS_CEILING = 1_600_000_000
"""Chapter 10 §10.3 ``GAS_CEILING``: the most gas one commit (wave) may hold.
A transaction whose ``gas_limit`` exceeds what is left of it is rejected, so
no wave -- and no single transaction -- can ask for unbounded work."""

MAX_CALLDATA = 64 * 1024
"""Chapter 10 summary table: "Max calldata size 64 KB (``MAX_CALLDATA``)"."""


class Rejection(Exception):
    """A transaction cannot be applied (internal control flow only)."""

    def __init__(self, error_code: Optional[int] = None, reason: Optional[str] = None):
        super().__init__(reason or str(error_code))
        self.error_code = error_code
        self.reason = reason


def tx_hash(tx: Transaction, tx_index: int, block: BlockContext) -> bytes:
    """The transaction's Blake3 hash (ABI §7.4 ``tx_hash``).  Signed
    transactions are outside this reference, so the hash commits to a
    canonical encoding of the fields plus the chain, wave and position."""
    kind = {Transfer: b"T", ContractCall: b"C", ContractDeploy: b"D"}[type(tx)]
    parts = [kind, block.chain_id.to_bytes(8, "little"), block.wave_id.to_bytes(8, "little"),
             tx_index.to_bytes(4, "little"), tx.sender]
    if isinstance(tx, (Transfer, ContractCall)):
        parts.append(tx.to)
    if isinstance(tx, ContractCall):
        name = tx.function.encode("utf-8")
        parts += [len(name).to_bytes(4, "little"), name]
    if isinstance(tx, ContractDeploy):
        parts += [len(tx.code).to_bytes(4, "little"), tx.code]
    if not isinstance(tx, Transfer):
        parts += [len(tx.calldata).to_bytes(4, "little"), tx.calldata]
    parts += [tx.value.to_bytes(16, "little"), tx.gas_limit.to_bytes(8, "little")]
    return blake3_256(b"".join(parts))


def create_address(deployer: bytes, nonce: int) -> bytes:
    """Chapter 4 §4.3: ``CREATE address = Poseidon2(deployer_address || nonce_bytes)``."""
    return poseidon2_hash(deployer + nonce.to_bytes(8, "little"))


@attrs.define
class ExecutorConfig:
    """Gas is fuel 1:1 (ABI §5); ``fuel_model`` is one of the machine's
    :data:`pyde_ref.wasm.FUEL_MODELS` (``spec`` by default)."""

    fuel_model: str = SPEC
    cache_capacity: int = MODULE_CACHE_CAPACITY
    tier: str = FAST
    """The machine's execution tier (``MachineConfig.tier``): ``fast`` or ``reading``."""

    def __attrs_post_init__(self) -> None:
        if self.fuel_model not in FUEL_MODELS:
            raise ValueError(f"unknown fuel model {self.fuel_model!r}; expected one of {FUEL_MODELS}")


class WasmExecutor:
    """Seed §3.2 ``WasmExecutor``: owns the machine configuration, the module
    cache and the host-function bindings; applies transactions."""

    def __init__(self, config: Optional[ExecutorConfig] = None):
        self.config = config or ExecutorConfig()
        self.machine = machine
        self.machine_config = machine.MachineConfig(fuel_model=self.config.fuel_model, tier=self.config.tier)
        self.cache = ModuleCache(self.config.cache_capacity)

    # -- modules -------------------------------------------------------------

    def load_module(self, address: bytes, code_hash: bytes, code: ContractCode) -> CachedModule:
        """The prepared module of the contract at ``address`` (ABI §3.6)."""

        def load() -> CachedModule:
            prepared = validate_deploy(code.wasm)
            return CachedModule(code_hash, prepared.module, prepared.abi)

        return self.cache.get(address, code_hash, load)

    # -- transactions --------------------------------------------------------

    def apply(self, tx: Transaction, layer, block: BlockContext, tx_index: int = 0,
              gas_left: int = WAVE_GAS_CEILING) -> Receipt:
        """Apply ``tx`` on top of ``layer`` (the wave's overlay); on anything
        but rejection its writes merge into ``layer``.  ``gas_left`` is what
        remains of the wave's gas ceiling."""
        return run_deep(lambda: self._apply(tx, layer, block, tx_index, gas_left))

    def _apply(self, tx: Transaction, layer, block: BlockContext, tx_index: int,
               gas_left: int) -> Receipt:
        tx_layer = layer.child()
        try:
            if tx.gas_limit > gas_left:
                raise Rejection(reason=f"gas_limit exceeds the wave's remaining gas ({gas_left})")
            if not isinstance(tx, Transfer) and len(tx.calldata) > MAX_CALLDATA:
                raise Rejection(ERR_INVALID_INPUT, f"calldata above {MAX_CALLDATA} bytes")
            self._precheck(tx, tx_layer, block)
            if isinstance(tx, Transfer):
                receipt = self._transfer(tx, tx_layer, block)
            elif isinstance(tx, ContractCall):
                receipt = self._call(tx, tx_layer, block, tx_index)
            else:
                receipt = self._deploy(tx, tx_layer, block, tx_index)
        except Rejection as rej:
            tx_layer.discard()
            return Receipt(Status.REJECTED, error_code=rej.error_code, reason=rej.reason)
        self._settle(tx, tx_layer, receipt.gas_used, block)
        receipt = attrs.evolve(
            receipt,
            events=tuple(tx_layer.events),
            writes=tuple(StateWrite(t, k, v) for t, k, v in tx_layer.write_set()),
        )
        tx_layer.merge()
        return receipt

    def _precheck(self, tx: Transaction, tx_layer, block: BlockContext) -> None:
        """Chapter 10 §10.1 step 3: the sender exists as an EOA, its nonce can
        move on, and it can afford ``gas_limit × base_fee + value``."""
        if not is_valid_address(tx.sender):
            raise Rejection(ERR_INVALID_ADDRESS, "sender is not a valid address")
        if isinstance(tx, (Transfer, ContractCall)) and not is_valid_address(tx.to):
            raise Rejection(ERR_INVALID_ADDRESS, "recipient is not a valid address")
        sender = tx_layer.account(tx.sender)
        if sender.is_contract:
            raise Rejection(ERR_INVALID_ADDRESS, "sender is a contract")
        if sender.nonce >= U64_MAX:
            raise Rejection(reason="sender nonce exhausted")
        if sender.balance < tx.gas_limit * block.base_fee + tx.value:
            raise Rejection(reason="balance below gas_limit * base_fee + value")

    def _settle(self, tx: Transaction, tx_layer, gas_used: int, block: BlockContext) -> None:
        """Chapter 10 §10.1 step 3: ``sender.balance -= gas_used × base_fee``
        (the 70/20/10 distribution of step 4 is outside the execution layer)
        and the nonce moves on."""
        sender = tx_layer.account(tx.sender)
        fee = gas_used * block.base_fee
        tx_layer.put_account(
            tx.sender,
            Account(sender.balance - fee, sender.nonce + 1, sender.code_hash, sender.account_type),
        )

    def _transfer(self, tx: Transfer, tx_layer, block: BlockContext) -> Receipt:
        """ABI §11 / seed §3.9b native transfer: fixed gas, no wasm."""
        if tx.gas_limit < NATIVE_TRANSFER_GAS:
            raise Rejection(reason=f"gas_limit below the native transfer cost {NATIVE_TRANSFER_GAS}")
        if not tx_layer.move_value(tx.sender, tx.to, tx.value):
            raise Rejection(reason="recipient balance would overflow u128")
        return Receipt(Status.SUCCESS, gas_used=NATIVE_TRANSFER_GAS)

    def _call(self, tx: ContractCall, tx_layer, block: BlockContext, tx_index: int) -> Receipt:
        """Seed §3.9b ContractCall with the dispatch of ABI §3.5.2."""
        account = tx_layer.account(tx.to)
        code = tx_layer.code(account.code_hash) if account.is_contract else None
        if code is None:
            raise Rejection(ERR_INVALID_ADDRESS, "target has no code")
        module = self.load_module(tx.to, account.code_hash, code)
        target = dispatch.resolve(module.abi, tx.function, tx.value)
        if isinstance(target, int):
            raise Rejection(target, f"dispatch: {error_name(target)}")
        for refusal in (dispatch.constructor_lockout(target), dispatch.payable_check(target, tx.value)):
            if refusal is not None:
                raise Rejection(refusal, f"dispatch: {error_name(refusal)}")
        run = TxRun(self, block, tx.sender, tx_hash(tx, tx_index, block), tx_index)
        request = run.entry_request(module, target, tx.to, tx.sender, tx.calldata, tx.value, tx.gas_limit)
        return receipt_of(run.run_frame(request, tx_layer))

    def _deploy(self, tx: ContractDeploy, tx_layer, block: BlockContext, tx_index: int) -> Receipt:
        """Seed §3.10: validate, store code and account, run the constructor once."""
        try:
            prepared = validate_deploy(tx.code)
        except DeployRejected as exc:
            raise Rejection(reason=f"DeployRejected: {exc.text}") from None
        address = create_address(tx.sender, tx_layer.account(tx.sender).nonce)
        existing = tx_layer.account(address)
        if existing.is_contract or existing.nonce != 0:
            raise Rejection(ERR_INVALID_ADDRESS, "contract address already in use")
        constructor = dispatch.constructor_of(prepared.abi)
        if constructor is None and tx.value > 0:
            raise Rejection(ERR_VALUE_TRANSFER_NOT_PAYABLE, "no payable constructor")
        if constructor is not None:
            refusal = dispatch.payable_check(constructor, tx.value)
            if refusal is not None:
                raise Rejection(refusal, f"constructor: {error_name(refusal)}")
        code = ContractCode(bytes(tx.code), prepared.abi)
        self.cache.invalidate(address)
        deploy_layer = tx_layer.child()
        code_hash = deploy_layer.put_code(code)
        deploy_layer.put_account(
            address, Account(existing.balance, 0, code_hash, AccountType.CONTRACT)
        )
        if constructor is None:
            deploy_layer.merge()
            return Receipt(Status.SUCCESS, contract_address=address)
        module = CachedModule(code_hash, prepared.module, prepared.abi)
        self.cache.put(address, module)
        run = TxRun(self, block, tx.sender, tx_hash(tx, tx_index, block), tx_index)
        request = run.entry_request(
            module, constructor, address, tx.sender, tx.calldata, tx.value, tx.gas_limit
        )
        outcome = run.run_frame(request, deploy_layer)
        if outcome.status == SubcallStatus.SUCCESS:
            deploy_layer.merge()
        else:
            deploy_layer.discard()
            self.cache.invalidate(address)
        receipt = receipt_of(outcome)
        if receipt.status == Status.SUCCESS:
            receipt = attrs.evolve(receipt, contract_address=address)
        return receipt


def receipt_of(outcome: SubcallResult) -> Receipt:
    """The receipt fields of an entry frame's outcome."""
    if outcome.status == SubcallStatus.SUCCESS:
        return Receipt(Status.SUCCESS, gas_used=outcome.gas_used, return_data=outcome.return_data)
    if outcome.status == SubcallStatus.REVERT:
        return Receipt(Status.REVERT, gas_used=outcome.gas_used, revert_reason=outcome.return_data)
    if outcome.status == SubcallStatus.TRAP:
        return Receipt(Status.TRAP, gas_used=outcome.gas_used, trap=outcome.trap)
    raise Rejection(outcome.error_code, f"entry frame refused: {error_name(outcome.error_code)}")
