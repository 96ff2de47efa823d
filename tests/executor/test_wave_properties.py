"""Property tests of a wave (hypothesis): value is conserved up to the burned
part of the fees (chapter 10 §10.5: the rest goes to the reward pool and the
treasury), rejected transactions leave no trace, and applying a wave never
changes its input state."""

from __future__ import annotations

import attrs
from hypothesis import given, settings, strategies as st

from pyde_ref.executor.context import WaveEnv
from pyde_ref.executor.deploy import validate_deploy
from pyde_ref.executor.fees import total_burned
from pyde_ref.executor.testing import DEFAULT_BLOCK, address, build_contract, call_tx, import_lines, transfer_tx
from pyde_ref.executor.wave import apply_wave
from pyde_ref.state.accounts import Account, AccountType
from pyde_ref.state.code import ContractCode
from pyde_ref.state.overlay import ACCOUNT, State

USERS = [address(i) for i in range(1, 5)]
VAULT = address(0xFA17)

# deposit (payable) keeps the value; fail (payable) reverts; give(to) sends
# 1 unit of the vault's balance to the address in calldata.
VAULT_WAT = f"""(module
{import_lines(["calldata_copy", "transfer", "revert"])}
  (memory (export "memory") 1)
  (data (i32.const 64) "\\01")
  (func (export "deposit"))
  (func (export "fail") (call $revert (i32.const 0) (i32.const 0)))
  (func (export "give")
    (drop (call $calldata_copy (i32.const 0) (i32.const 32) (i32.const 0)))
    (drop (call $transfer (i32.const 0) (i32.const 64)))))"""

_CODE = None


def _state(balances) -> State:
    global _CODE
    if _CODE is None:
        _CODE = build_contract(VAULT_WAT, ["deposit:payable", "fail:payable", "give"])
    state = State()
    for user, bal in zip(USERS, balances):
        state.put_account(user, Account(bal))
    h = state.put_code(ContractCode(_CODE, validate_deploy(_CODE).abi))
    state.put_account(VAULT, Account(50, 0, h, AccountType.CONTRACT))
    return state


UNSIGNED = WaveEnv(DEFAULT_BLOCK, signatures_checked=False)

user = st.sampled_from(USERS)
tx = st.one_of(
    st.builds(transfer_tx, user, st.sampled_from(USERS + [VAULT]), st.integers(0, 3_000),
              st.sampled_from([20_000, 21_000, 30_000])),
    st.builds(call_tx, user, st.just(VAULT), st.sampled_from(["deposit", "fail", "give", "nope"]),
              user.map(bytes), st.integers(0, 500), st.sampled_from([10, 50_000])),
)


def _total(state: State) -> int:
    return sum(a.balance for _, a in state.entries(ACCOUNT))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 200_000), min_size=4, max_size=4), st.lists(tx, max_size=8))
def test_value_conserved_up_to_fees(balances, txs):
    state = _state(balances)
    before_digest = state.digest()
    result = apply_wave(state, UNSIGNED, txs)
    fees = sum(r.gas_used for r in result.receipts) * DEFAULT_BLOCK.base_fee
    assert sum(r.fee.total for r in result.receipts if r.fee) == fees
    burned = total_burned(result.state)
    assert burned == sum(r.fee.burned for r in result.receipts if r.fee)
    assert _total(state) - _total(result.state) == burned
    assert state.digest() == before_digest  # the input state is untouched
    for r in result.receipts:
        if r.status == "rejected":
            assert r.gas_used == 0 and r.writes == () and r.events == ()
        assert r.gas_used <= 50_000


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 200_000), min_size=4, max_size=4), st.lists(tx, max_size=6))
def test_a_wave_is_its_transactions_applied_one_by_one(balances, txs):
    """Applying the wave at once or one transaction per wave gives the same
    post-state (waves add no state of their own)."""
    whole = apply_wave(_state(balances), UNSIGNED, txs)
    state = _state(balances)
    receipts = []
    for t in txs:
        step = apply_wave(state, UNSIGNED, [t])
        state = step.state
        receipts.extend(step.receipts)
    assert state.digest() == whole.state_digest
    strip = lambda r: attrs.evolve(r, events=())  # noqa: E731
    assert [strip(r) for r in receipts] == [strip(r) for r in whole.receipts]
