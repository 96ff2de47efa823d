"""ABI §7.8: a ``cross_call_static`` sub-call runs free on up to
``VIEW_FUEL_CAP`` fuel of its own, so the work of a transaction is not
bounded by its gas limit (``spec/findings/abi-static-call-amplification.md``).

A view that spins until its fuel runs out is called statically, in a loop,
by an entry: each call costs the caller 50 gas and burns the whole budget
it asked for; the executed fuel exceeds the transaction's gas by the
factor the finding states.
"""

from __future__ import annotations

from pyde_ref.conformance.authoring import address
from pyde_ref.conformance.probe import Call, Layout, Probe, Wat, entry
from pyde_ref.conformance.observe import ObservedExecutor, Recorder
from pyde_ref.executor.testing import Chain

AT = address(0xC0)


class FuelCounter(Recorder):
    """Adds up the fuel every instruction of every frame is charged."""

    fuel = 0

    def instruction(self, event) -> None:
        super().instruction(event)
        self.fuel += event.cost


CALLS = 3
BUDGET = 200_000


def test_static_calls_execute_fuel_the_caller_does_not_pay():
    layout = Layout()
    me, name = layout.put(AT), layout.put(b"spin")
    call = Call("cross_call_static", me, name, 4, 0, 0, BUDGET, 0x9000, 0x8FFC)
    probe = Probe({
        "spin": entry(Wat("loop $l br $l end"), attributes=("entry", "view"), halt=False),
        "amplify": entry(*([call] * CALLS)),
    }, data=layout.data)
    recorder = FuelCounter()
    chain = Chain(executor=ObservedExecutor(recorder))
    chain.fund(address(0xA1), 10**12)
    chain.install(AT, probe.wasm())
    receipt = chain.call(address(0xA1), AT, "amplify", gas_limit=10_000)
    assert receipt.status == "success"
    static = [r for r in recorder.host_calls if r.name == "cross_call_static"]
    assert [r.gas for r in static] == [50] * CALLS  # the caller pays the dispatch only
    assert [r.results for r in static] == [(0xFFFFFFF5,)] * CALLS  # each callee ran out: ERR_CROSS_CALL_OUT_OF_GAS
    assert receipt.gas_used < 400
    assert recorder.fuel >= CALLS * BUDGET  # each view burned its whole budget, unpaid
    assert recorder.fuel / receipt.gas_used > 1000
