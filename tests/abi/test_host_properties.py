"""Properties every core host function must have (ABI §3.4, §5), checked with
random arguments, budgets and pointers near the end of memory:

* with less gas than the call costs it traps ``out_of_fuel`` having charged
  nothing, written no state, emitted no event and left memory untouched;
* with an out-of-range pointer it traps ``memory_out_of_bounds`` having
  written no state, emitted no event and left memory untouched;
* otherwise it returns an ABI §4 code (or a halt) and charges exactly the
  cost the §10 table gives for its metered length.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from paths import REPO
from pyde_ref.abi.constants import ERROR_CODES, GAS_TABLE, OK
from pyde_ref.abi.env import SubcallResult, SubcallStatus
from pyde_ref.abi.gas import GasCharge, cost_of
from pyde_ref.abi.halt import Halt
from pyde_ref.abi.registry import HOST_FUNCTIONS, call_host
from pyde_ref.abi.testing import PAGE, ScriptedCalls, make_env
from pyde_ref.abi.env import as_i32
from pyde_ref.wasm.errors import Trap

CORE = sorted(n for n, d in HOST_FUNCTIONS.items() if not d.parachain_only and n != "falcon_verify")

# Which argument is the metered length (per byte / per word) of each function.
METERED = {"calldata_copy": 1, "emit_event": (1, 3), "hash_blake3": 1, "hash_poseidon2": 1,
           "hash_keccak256": 1, "cross_call": 4, "delegate_call": 4}

pointer = st.one_of(st.integers(0, 256), st.integers(PAGE - 40, PAGE + 8), st.just(0xFFFF_FFFF))
length = st.one_of(st.integers(0, 40), st.just(32))


def metered_len(name, args):
    where = METERED.get(name)
    if where is None:
        return 0
    if isinstance(where, tuple):
        return sum(args[i] for i in where)
    return args[where]


def expected_cost(name, args):
    if name == "consume_gas":
        return 2 + args[0] if args[0] < 2**63 else 2
    return cost_of(name, metered_len(name, args))


@st.composite
def call_case(draw):
    name = draw(st.sampled_from(CORE))
    params = HOST_FUNCTIONS[name].type.params
    args = []
    for i, t in enumerate(params):
        if t == "i64":
            args.append(draw(st.integers(0, 5000)))
        elif i in (METERED.get(name, ()) if isinstance(METERED.get(name), tuple) else (METERED.get(name),)):
            args.append(draw(length))
        else:
            args.append(draw(pointer))
    gas = draw(st.integers(0, 12_000))
    view = draw(st.booleans())
    return name, args, gas, view


@settings(max_examples=600, deadline=None)
@given(call_case())
def test_gas_first_bounds_checked_and_all_or_nothing(case):
    name, args, gas, view = case
    runner = ScriptedCalls(SubcallResult(SubcallStatus.SUCCESS, gas_used=0, return_data=b"r"))
    env = make_env(gas=gas, view_mode=view, calls=runner, calldata=b"c" * 16)
    env.memory.write(0, bytes(range(256)))
    before = bytes(env.memory.data)
    cost = expected_cost(name, args)
    reservation = {"cross_call": args[6] if name == "cross_call" else 0,
                   "delegate_call": args[5] if name == "delegate_call" else 0}.get(name, 0)
    affordable = cost + reservation <= gas
    try:
        result = call_host(HOST_FUNCTIONS[name], env, args)
    except Trap as trap:
        assert env.ctx.state.write_set() == [] and env.ctx.state.events == []
        if trap.kind == "out_of_fuel":
            assert not affordable
            assert env.gas.consumed == 0 and runner.requests == []
            assert bytes(env.memory.data) == before
        else:
            assert trap.kind == "memory_out_of_bounds" and affordable
            assert bytes(env.memory.data) == before  # no partial output
            # Only a cross-call's outputs are written after its sub-call ran.
            assert runner.requests == [] or name in ("cross_call", "cross_call_static", "delegate_call")
        return
    except Halt:
        assert name in ("return", "revert") and env.gas.consumed == 0
        return
    assert affordable
    assert env.gas.consumed == cost
    if HOST_FUNCTIONS[name].type.results == ("i32",) and name != "calldata_size":
        code = as_i32(result[0])
        assert code == OK or code in ERROR_CODES
    if view and name in ("sstore", "sdelete", "transfer", "emit_event"):
        assert env.ctx.state.write_set() == [] and env.ctx.state.events == []


@settings(max_examples=300, deadline=None)
@given(call_case())
def test_every_charge_reaches_the_gas_log_split_as_the_table_prices_it(case):
    """What an instruction trace shows (``spec/trace-format.md``): each charge
    a host function pays is told to the environment's gas log, split into the
    parts of its §10 row as the charging code computed them; the charges add
    up to the gas consumed, whatever the outcome (a charge that traps is not
    paid, so not told)."""
    name, args, gas, view = case
    runner = ScriptedCalls(SubcallResult(SubcallStatus.SUCCESS, gas_used=7, return_data=b"r"))
    env = make_env(gas=gas, view_mode=view, calls=runner, calldata=b"c" * 16)
    charges: list[GasCharge] = []
    env.gas_log = charges.append
    try:
        call_host(HOST_FUNCTIONS[name], env, args)
    except (Trap, Halt):
        pass
    assert sum(c.total for c in charges) == env.gas.consumed
    if not charges:
        return
    row, n = GAS_TABLE[name], metered_len(name, args)
    assert (charges[0].base, charges[0].per_byte, charges[0].per_word) == (row.base, row.per_byte * n,
                                                                          row.per_word * -(-n // 8))
    assert charges[0].extra == (args[0] if name == "consume_gas" and args[0] < 2**63 else 0)
    if len(charges) > 1:  # a cross-call's callee gas, the only second charge
        assert name in ("cross_call", "delegate_call")
        assert charges[1:] == [GasCharge(extra=7)]


def test_host_functions_charge_only_through_pay():
    """Every charge goes through ``gas.pay``, so no charge escapes the log."""
    for path in sorted((REPO / "pyde_ref" / "abi").glob("*.py")):
        if path.name != "gas.py":
            assert ".gas.charge(" not in path.read_text(encoding="utf-8"), path.name
