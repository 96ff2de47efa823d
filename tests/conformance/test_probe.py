"""Probe contracts (``pyde_ref/conformance/probe.py``) and the host-function
fixture builder (``hostcases.py``): what they generate runs as described --
``LeaveGas(n)`` leaves exactly ``n`` for the next call, results land in the
results area, the shared cases reach the memory bounds they name."""

from __future__ import annotations

import pytest

from pyde_ref.conformance.authoring import Document, address
from pyde_ref.conformance.fill import observe
from pyde_ref.conformance.hostcases import CAP, HostFixture, call_cost
from pyde_ref.conformance.probe import DATA, OUT, Call, Layout, LeaveGas, Probe, entry

AT = address(0xC0)


def run(probe: Probe, function: str = "run", gas_limit: int = 1_000_000):
    doc = Document()
    doc.account(address(0xA1), balance=10**18)
    doc.contract(AT, probe.wasm())
    doc.wave(base_fee=0)
    doc.call("probe", AT, function, gas_limit=gas_limit)
    output, cells, _ = observe(doc.document())
    return output["receipts"][0], cells


@pytest.mark.parametrize("left,outcome", [(199, "trap"), (200, "trap")])
def test_leave_gas_leaves_exactly_the_amount(left, outcome):
    receipt, cells = run(Probe({"run": entry(LeaveGas(left), Call("sload", 0, 32))}))
    assert receipt["status"] == outcome and receipt["trap"] == "out_of_fuel"
    # 199: sload itself cannot pay (charged first); 200: sload pays, the store of its result cannot
    assert (("host:sload", "gas:charged_first") in cells) == (left == 199)
    assert (("host:sload", "valid") in cells) == (left == 200)


def test_results_and_windows_are_returned():
    layout = Layout()
    text = layout.put(b"pyde")
    probe = Probe({"run": entry(Call("calldata_size"), Call("hash_blake3", text, 4, 0x2000),
                                returns=((text, 4),))}, data=layout.data)
    receipt, _ = run(probe)
    data = bytes.fromhex(receipt["return_data"][2:])
    assert data[:8] == (0).to_bytes(8, "little")  # the transaction's calldata is empty
    assert data[8:16] == bytes(8) and data[16:] == b"pyde"


def test_bad_probes_are_refused():
    with pytest.raises(ValueError, match="takes 2 arguments"):
        Call("sload", 1)
    with pytest.raises(ValueError, match="outside"):
        Probe({}, data={OUT: b"x"})
    layout = Layout(DATA + 16)
    layout.put(b"12345678")
    with pytest.raises(ValueError, match="full"):
        layout.put(b"123456789")
    with pytest.raises(ValueError, match="followed by a Call"):
        Probe({"run": entry(LeaveGas(5))}).wat()


def test_call_cost_adds_the_reservation_and_the_amount():
    assert call_cost("sload", (0, 0)) == 200
    assert call_cost("hash_blake3", (0, 9, 0)) == 15 + 3 * 2
    assert call_cost("cross_call", (0, 0, 0, 0, 3, 0, 1000, 0, 0)) == 1000 + 24 + 1000
    assert call_cost("consume_gas", (10,)) == 12


def test_shared_cases_reach_the_bounds_they_name():
    f = HostFixture("hash_keccak256", "test")
    f.shared()
    doc = f.fixture()
    labels = doc.cases
    assert any("64 MiB − 1" in label for label in labels) and any("one byte past" in label for label in labels)
    output, cells, _ = observe(doc.document)
    columns = {c for row, c in cells if row == "host:hash_keccak256"}
    assert {"gas:charged_first", "mem:0", "mem:1", "mem:64MiB-1", "mem:64MiB"} <= columns
    assert ("memory", "a host call from a 64 MiB memory") in cells
    assert CAP == 64 * 1024 * 1024
