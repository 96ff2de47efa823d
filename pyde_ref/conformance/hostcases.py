"""The fixture of one host function, and the cases every function shares.

:class:`HostFixture` is what a host-function source builds: a wave in which
each transaction calls one entry of a probe contract (:mod:`.probe`) --
the *small* probe (one page of memory, at :data:`SMALL`) or the *large* one
(1,024 pages, the 64 MiB cap, at :data:`LARGE`) -- labelled with what it
shows.  A source adds the cases only it can write (valid inputs with
meaningful data, each error code's trigger); :meth:`HostFixture.shared`
adds what the §16 matrix asks of every function and can be derived from
its signature (:data:`pyde_ref.conformance.matrix.POINTERS`):

* one gas short: ``LeaveGas(cost - 1)`` then the call, which must trap
  ``out_of_fuel`` having charged nothing (ABI §5, §16 "charged before
  execution begins");
* memory bounds: every pointer argument at 0, then at 1; in a 64 MiB
  memory every range ending on the last byte (64 MiB − 1); then one range
  moved one byte further, across the 64 MiB boundary, which must trap
  ``memory_out_of_bounds`` (ABI §3.4).

With ``parachain=True`` the two probes are parachains (ABI §8: the module's
``contract_type`` is ``Parachain``, the pre-state's ``parachains`` section
holds them, a ``call`` names the parachain's id), so the §8 functions run in
the frame they need.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from pyde_ref.abi.constants import MAX_MEMORY_BYTES
from pyde_ref.abi.gas import cost_of
from pyde_ref.abi.registry import HOST_FUNCTIONS
from pyde_ref.abi.section import ContractType
from pyde_ref.conformance.authoring import SENDER, Document, SourceFixture, address, hx
from pyde_ref.conformance.matrix import METERED, POINTERS, Arg
from pyde_ref.conformance.probe import Call, Entry, Layout, LeaveGas, Probe, Step, entry
from pyde_ref.state.parachains import parachain_id
from pyde_ref.wasm import PYDE_MAX_MEMORY_PAGES

SMALL = address(0xC0)
LARGE = address(0xC1)
CAP = MAX_MEMORY_BYTES
PARACHAIN_NAMES = {"small": "conformance-probe", "large": "conformance-probe-64mib"}
"""The probe parachains' names (their ids are Poseidon2 of the names, ABI §8.2)."""
PARACHAIN_SMALL = parachain_id(PARACHAIN_NAMES["small"])
PARACHAIN_LARGE = parachain_id(PARACHAIN_NAMES["large"])
PARACHAIN_VALIDATORS = tuple(bytes([i]) * 32 for i in range(1, 8))
"""The probe parachains' validator set (seven ids: the default
``min_validators``; nothing in a host-function fixture checks them)."""
LENGTH = 32
"""The length every length argument of the shared cases takes."""
SCRATCH = 0xA000
"""Where cross-calls of the probes put the callee's return data (and its
length at ``SCRATCH - 4``); the data area ends here."""
NESTED_GAS = 2_000_000
"""What :meth:`HostFixture.nested` gives the frame it calls."""
SUB_CALL_GAS = 100_000
"""The default gas limit of a sub-call step (small enough for a nested frame
to reserve it)."""
SHORT_MARGIN = 1_000
"""A one-gas-short transaction's gas limit above the call's cost (the rest
is burnt to leave exactly the cost less one)."""

DEFAULT_ARGS: dict[tuple[str, int], int] = {
    ("calldata_copy", 0): 0,  # offset
    ("cross_call", 6): 0,  # gas_limit
    ("cross_call_static", 5): 0,
    ("delegate_call", 5): 0,
    ("consume_gas", 0): 0,
    ("send_xparachain_message", 5): 0,
    ("send_xparachain_message", 6): 0,
}
"""Arguments that are neither pointers nor lengths, in the shared cases."""


def length_args(name: str) -> set[int]:
    return {extent.index for _, extent in POINTERS.get(name, ()) if isinstance(extent, Arg)}


def pointer_args(name: str) -> list[tuple[int, int]]:
    """``(argument, extent)`` of every pointer, ``LENGTH`` standing for a
    length argument and 0 for an extent only the call knows."""
    out = []
    for index, extent in POINTERS.get(name, ()):
        n = LENGTH if isinstance(extent, Arg) else (extent or 0)
        out.append((index, n))
    return out


def shared_args(name: str, place: Callable[[int, int], int]) -> tuple[int, ...]:
    """Arguments of ``name`` with every pointer at ``place(index, extent)``
    and every length :data:`LENGTH`."""
    params = HOST_FUNCTIONS[name].type.params
    pointers = dict(pointer_args(name))
    lengths = length_args(name)
    args = []
    for i in range(len(params)):
        if i in pointers:
            args.append(place(i, pointers[i]))
        elif i in lengths:
            args.append(LENGTH)
        else:
            args.append(DEFAULT_ARGS.get((name, i), 0))
    return tuple(args)


def call_cost(name: str, args: Sequence[int]) -> int:
    """What a call charges before any work: the §10 row on its metered
    length, plus the reservation of a cross-call's gas_limit (ABI §13.1
    step 2) or ``consume_gas``'s amount."""
    metered = sum(args[i] for i in METERED.get(name, ()))
    cost = cost_of(name, metered)
    if name == "cross_call":
        cost += args[6]
    elif name == "delegate_call":
        cost += args[5]
    elif name == "consume_gas":
        cost += args[0]
    return cost


class HostFixture:
    """The fixture ``host/<name>`` (module docstring)."""

    def __init__(self, name: str, description: str, *, calldata: bytes = bytes(range(64)), parachain: bool = False):
        self.name = name
        self.parachain = parachain
        self.targets = {"small": PARACHAIN_SMALL, "large": PARACHAIN_LARGE} if parachain \
            else {"small": SMALL, "large": LARGE}
        #: more fields of the probe parachains' pre-state entries (``config``, ``xcall_budget``...)
        self.parachain_fields: dict = {}
        self.description = description
        self.calldata = calldata
        self.doc = Document()
        self.entries: dict[str, dict[str, Entry]] = {"small": {}, "large": {}}
        self.layout = Layout(SCRATCH - 8)
        self.contracts: list[tuple[bytes, bytes, dict]] = []
        #: the small probe's storage, slot -> value
        self.storage: dict[bytes, bytes] = {}
        #: the wave's block context, over the default (no fees: the receipts
        #: show the calls' own writes)
        self.context: dict = {"base_fee": 0}
        self._txs: list[tuple[str, str, str, dict]] = []

    def put(self, blob: bytes) -> int:
        """Place ``blob`` in the probes' data; its address."""
        return self.layout.put(blob)

    def case(self, label: str, *steps: Step, memory: str = "small", attributes: Sequence[str] = ("entry",),
             declared: Sequence[bytes] = (), returns: Sequence[tuple[int, int]] = (), fn: Optional[str] = None,
             **tx) -> str:
        """A transaction calling a new entry of the ``memory`` probe running
        ``steps`` (the entry declares the access list ``declared``: slot
        prefixes); ``tx`` adds transaction fields (``value``, ``gas_limit``,
        ``calldata``, the transaction's ``access_list``...).  Returns the
        entry's name."""
        entries = self.entries[memory]
        fn = fn or f"case{len(self._txs)}"
        entries[fn] = entry(*steps, attributes=attributes, access_list=declared, returns=returns)
        self._txs.append((label, memory, fn, tx))
        return fn

    def contract(self, at: bytes, wasm: bytes, **fields) -> None:
        """Another contract in the pre-state (a callee, a target)."""
        self.contracts.append((at, wasm, fields))

    def sub_call(self, kind: str, target: bytes, function: str, calldata: bytes = b"", *, value: int = 0,
                 gas_limit: int = SUB_CALL_GAS, name_bytes: Optional[bytes] = None) -> Call:
        """A ``cross_call`` / ``cross_call_static`` / ``delegate_call`` step
        whose return data lands at :data:`SCRATCH` (length at ``SCRATCH - 4``)."""
        name = function.encode("utf-8") if name_bytes is None else name_bytes
        head = (self.put(target), self.put(name), len(name), self.put(calldata), len(calldata))
        tail = (gas_limit, SCRATCH, SCRATCH - 4)
        if kind == "cross_call":
            return Call(kind, *head, self.put(value.to_bytes(16, "little")), *tail)
        return Call(kind, *head, *tail)

    def nested(self, label: str, *steps: Step, view: bool = False, returns: Sequence[tuple[int, int]] = (),
               memory: str = "small") -> str:
        """``steps`` in a sub-call's frame: a non-view entry running them,
        cross-called (value 0) by an entry of the same contract -- a ``view``
        one with ``view``, so the callee's frame runs in view mode
        (``spec/findings/abi-cross-call-from-view.md``) -- which returns its
        code, the callee's return data length and the return data."""
        if self.parachain:
            raise ValueError("no host function cross-calls a parachain: a nested frame is a contract's")
        inner = f"case{len(self._txs)}_inner"
        self.entries["small"][inner] = entry(*steps, returns=returns)
        results = sum(1 for s in steps if isinstance(s, Call) and HOST_FUNCTIONS[s.name].type.results)
        payload = max(8 * results + sum(n for _, n in returns), 32)  # a halt's data: up to 32 bytes shown
        attributes = ("entry", "view") if view else ("entry",)
        return self.case(label, self.sub_call("cross_call", SMALL, inner, gas_limit=NESTED_GAS), attributes=attributes,
                         returns=((SCRATCH - 4, 4 + payload),), memory=memory)

    def in_view(self, label: str, *steps: Step, returns: Sequence[tuple[int, int]] = ()) -> str:
        """``steps`` in a frame in view mode (:meth:`nested`)."""
        return self.nested(label, *steps, view=True, returns=returns)

    # -- the shared cases ----------------------------------------------------------

    def shared(self, *, short: Optional[tuple[int, ...]] = None, bounds: bool = True) -> None:
        """One gas short (with ``short`` as the arguments, else those of the
        pointer-at-0 case), and the memory bounds."""
        name = self.name
        defn = HOST_FUNCTIONS[name]
        at_zero = shared_args(name, lambda i, n: 0)
        args = short if short is not None else at_zero
        cost = call_cost(name, args)
        if cost > 0:
            self.case(f"{name}: one gas short of {cost}: traps out_of_fuel, charging nothing (ABI §5)",
                      LeaveGas(cost - 1), Call(name, *args), gas_limit=cost + SHORT_MARGIN)
        if not bounds or not POINTERS.get(name):
            return
        halting = not defn.type.results and name in ("return", "revert")
        self.case(f"{name}: every pointer at address 0", Call(name, *at_zero), returns=() if halting else ((0, 64),))
        self.case(f"{name}: every pointer at address 1",
                  Call(name, *shared_args(name, lambda i, n: 1)), returns=() if halting else ((0, 64),))
        at_end = shared_args(name, lambda i, n: CAP - n)
        self.case(f"{name}: in a 64 MiB memory, every range ends on its last byte (64 MiB − 1)",
                  Call(name, *at_end), memory="large", returns=() if halting else ((CAP - 64, 64),))
        pointers = [(i, n) for i, n in pointer_args(name) if n]
        first, n = pointers[0]
        past = list(at_end)
        past[first] = CAP - n + 1
        self.case(f"{name}: in a 64 MiB memory, argument {first} reaches one byte past 64 MiB: "
                  "traps memory_out_of_bounds (ABI §3.4)", Call(name, *past), memory="large")

    # -- the document ----------------------------------------------------------------

    def probe(self, memory: str) -> Probe:
        """The small probe holds the data; the large one's cases aim at the
        end of its memory and need none."""
        kind = ContractType.PARACHAIN if self.parachain else ContractType.CONTRACT
        if memory == "small":
            return Probe(self.entries[memory], pages=1, data=self.layout.data, contract_type=kind)
        return Probe(self.entries[memory], pages=PYDE_MAX_MEMORY_PAGES, contract_type=kind)

    def _parachain_entry(self, memory: str, wasm: bytes) -> dict:
        entry = {"name": PARACHAIN_NAMES[memory], "owner": hx(SENDER), "code": hx(wasm),
                 "validators": [hx(v) for v in PARACHAIN_VALIDATORS], **self.parachain_fields}
        if memory == "small" and self.storage:
            entry["storage"] = {hx(k): hx(v) for k, v in self.storage.items()}
        return entry

    def fixture(self) -> SourceFixture:
        doc = self.doc
        doc.account(SENDER, balance=10**30)
        parachains = {}
        for memory, at in self.targets.items():
            if not self.entries[memory]:
                continue
            if self.parachain:
                parachains[hx(at)] = self._parachain_entry(memory, self.probe(memory).wasm())
            else:
                storage = self.storage if memory == "small" else None
                doc.contract(at, self.probe(memory).wasm(), balance=10**6, storage=storage)
        if parachains:
            doc.section("parachains", parachains)
        for at, wasm, fields in self.contracts:
            doc.contract(at, wasm, **fields)
        doc.wave(**self.context)
        for label, memory, fn, tx in self._txs:
            fields = dict(tx)
            calldata = fields.pop("calldata", self.calldata)
            doc.call(label, self.targets[memory], fn, calldata, **fields)
        return doc.fixture(f"host/{self.name}", self.description)
