"""Probe contracts: entries that call host functions with constant arguments.

A fixture source describes *what* to call -- ``Call("sload", 0, 1)``, a
``Copy`` of bytes to the end of a 64 MiB memory, ``LeaveGas(n)`` so that the
next call finds exactly ``n`` gas -- and :class:`Probe` writes the module:
one exported ``() -> ()`` entry per :class:`Entry`, its ``pyde.abi``
section, data segments at fixed addresses.  Every call that returns a value
stores it as an i64 (i32 results sign-extended) in the *results area* at
:data:`OUT`, 8 bytes per call in program order; the entry then returns
the results area followed by the memory windows it names
(``Entry.returns``), so a receipt's ``return_data`` shows every code and
value the calls returned and what they wrote.

Memory layout (any size of memory): bytes ``[0, DATA)`` are left for calls
that aim at addresses 0 and 1; data segments live in ``[DATA, OUT)``; the
results and windows in ``[OUT, 64 KiB)``.  Bytes near the end of a larger
memory are written at run time (:class:`Copy`), never by a data segment, so
no segment spans the memory (wasmtime initializes such images by code that
costs fuel: ``spec/findings/wasmtime-fuel-instantiation.md``).
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import attrs

from pyde_ref.abi.constants import GAS_TABLE
from pyde_ref.abi.registry import HOST_FUNCTIONS
from pyde_ref.abi.section import ContractType
from pyde_ref.executor.testing import build_contract, wat_string
from pyde_ref.wasm.fuel import COSTS

DATA = 0x1000
"""First address of the data segments."""
OUT = 0xC000
"""The results area: 8 bytes per value-returning call, then the windows."""
OUT_LIMIT = 0x10000
"""The results area ends with the first page."""


@attrs.frozen
class Call:
    """``name(*args)``: a host call with constant arguments (bit patterns;
    an i32 argument may be given signed or unsigned)."""

    name: str
    args: tuple[int, ...]

    def __init__(self, name: str, *args: int):
        params = HOST_FUNCTIONS[name].type.params
        if len(args) != len(params):
            raise ValueError(f"{name} takes {len(params)} arguments, got {len(args)}")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "args", tuple(args))


@attrs.frozen
class Copy:
    """``memory.copy`` of ``n`` bytes from ``src`` to ``dst`` (to place
    bytes where no data segment should: the end of a large memory)."""

    dst: int
    src: int
    n: int


@attrs.frozen
class LeaveGas:
    """Burn gas (``consume_gas`` of what ``tx_gas_remaining`` reports, less
    a margin) so that the next :class:`Call` finds exactly ``amount`` gas
    when it charges: ``LeaveGas(cost - 1)`` shows a host function refusing,
    before any work, a call it cannot pay for (ABI §5, §16)."""

    amount: int


@attrs.frozen
class Wat:
    """Instructions written by hand (flat WAT), e.g. a loop or a
    ``memory.grow``; they must leave the stack as they found it."""

    text: str


Step = Union[Call, Copy, LeaveGas, Wat]


@attrs.frozen
class Entry:
    """One exported entry: its program, its ABI attributes (names of ABI
    §3.5: ``entry``, ``view``, ``payable``, ...), its declared access list
    (slot prefixes) and the memory windows ``(address, length)`` returned
    after the results."""

    steps: tuple = ()
    attributes: tuple[str, ...] = ("entry",)
    access_list: tuple[bytes, ...] = ()
    returns: tuple[tuple[int, int], ...] = ()
    halt: bool = True
    """End with ``pyde::return`` of the results area (else fall off the end)."""


def entry(*steps: Step, attributes: Sequence[str] = ("entry",), access_list: Sequence[bytes] = (),
          returns: Sequence[tuple[int, int]] = (), halt: bool = True) -> Entry:
    return Entry(tuple(steps), tuple(attributes), tuple(bytes(p) for p in access_list), tuple(returns), halt)


class Layout:
    """Allocates data in ``[DATA, limit)``: :meth:`put` places bytes, 8-byte
    aligned, and says where; :attr:`data` is what :class:`Probe` takes."""

    def __init__(self, limit: int = OUT):
        self.data: dict[int, bytes] = {}
        self.limit = limit
        self._next = DATA

    def put(self, blob: bytes) -> int:
        at = self._next
        self.data[at] = bytes(blob)
        self._next = at + max(8, ((len(blob) + 7) // 8) * 8)
        if self._next > self.limit:
            raise ValueError(f"the data area [{DATA:#x}, {self.limit:#x}) is full")
        return at


def wat_functype(name: str) -> str:
    """The WAT type of host function ``name`` (from the ABI table)."""
    ftype = HOST_FUNCTIONS[name].type
    params = f" (param {' '.join(ftype.params)})" if ftype.params else ""
    results = f" (result {' '.join(ftype.results)})" if ftype.results else ""
    return (params + results).strip()


def _const(value_type: str, value: int) -> str:
    bits = 32 if value_type == "i32" else 64
    return f"{value_type}.const {value & ((1 << bits) - 1)}"


def _fuel(ops: Sequence[str]) -> int:
    return sum(COSTS[op].static for op in ops)


class Probe:
    """A probe contract: ``pages`` of memory (maximum ``max_pages``, none
    when ``None``), ``data`` segments ``{address: bytes}`` placed in
    ``[DATA, OUT)``, ``entries`` by export name, and ``extra`` WAT (whole
    functions) for what a program cannot say."""

    def __init__(self, entries: dict[str, Entry], *, pages: int = 1, max_pages: Optional[int] = None,
                 data: Optional[dict[int, bytes]] = None, imports: Sequence[str] = (), extra: str = "",
                 contract_type: ContractType = ContractType.CONTRACT):
        self.entries = dict(entries)
        self.contract_type = contract_type
        self.pages = pages
        self.max_pages = max_pages
        self.data = dict(data or {})
        self.extra_imports = tuple(imports)
        self.extra = extra
        for address, blob in self.data.items():
            if not (DATA <= address and address + len(blob) <= OUT):
                raise ValueError(f"data at {address:#x} (+{len(blob)}) is outside [DATA, OUT)")

    # -- rendering -------------------------------------------------------------

    def imports(self) -> list[str]:
        used = set(self.extra_imports) | {"return"}
        for e in self.entries.values():
            for step in e.steps:
                if isinstance(step, Call):
                    used.add(step.name)
                elif isinstance(step, LeaveGas):
                    used |= {"tx_gas_remaining", "consume_gas"}
        return [name for name in HOST_FUNCTIONS if name in used]  # the ABI's order

    def _entry_body(self, e: Entry) -> list[str]:
        lines: list[str] = []
        slot = 0
        pending: Optional[int] = None
        for step in e.steps:
            if isinstance(step, LeaveGas):
                pending = step.amount
                continue
            if isinstance(step, Call):
                ftype = HOST_FUNCTIONS[step.name].type
                call = [_const(t, a) for t, a in zip(ftype.params, step.args)] + [f"call ${step.name}"]
                if ftype.results:
                    call.insert(0, f"i32.const {OUT + 8 * slot}")
                    slot += 1
                    call += (["i64.extend_i32_s"] if ftype.results[0] == "i32" else []) + ["i64.store"]
                if pending is not None:
                    lines += self._leave(pending, call)
                    pending = None
                lines += call
            elif isinstance(step, Copy):
                lines += [f"i32.const {step.dst}", f"i32.const {step.src}", f"i32.const {step.n}", "memory.copy"]
            elif isinstance(step, Wat):
                lines += [step.text]
            else:
                raise TypeError(f"not a probe step: {step!r}")
        if pending is not None:
            raise ValueError("LeaveGas must be followed by a Call")
        if OUT + 8 * slot + sum(n for _, n in e.returns) > OUT_LIMIT:
            raise ValueError("the results and windows do not fit the results area")
        if e.halt:
            at = OUT + 8 * slot
            for address, n in e.returns:
                lines += [f"i32.const {at}", f"i32.const {address}", f"i32.const {n}", "memory.copy"]
                at += n
            lines += [f"i32.const {OUT}", f"i32.const {at - OUT}", "call $return"]
        return lines

    @staticmethod
    def _leave(amount: int, call: list[str]) -> list[str]:
        """Leave ``amount`` gas when ``call`` (its flat instructions) charges:
        ``consume_gas(tx_gas_remaining() - x)`` leaves ``x`` minus what
        ``i64.const``, ``i64.sub``, the ``call`` of ``consume_gas`` and its
        own 2 gas take; then the instructions up to and including the
        ``call`` of ``call`` are charged before its host function runs."""
        burn = ["i64.const", "i64.sub", "call"]
        host_at = next(i for i, line in enumerate(call) if line.startswith("call "))
        before_host = [line.split()[0] for line in call[: host_at + 1]]
        x = amount + _fuel(burn) + GAS_TABLE["consume_gas"].base + _fuel(before_host)
        return ["call $tx_gas_remaining", f"i64.const {x}", "i64.sub", "call $consume_gas", "drop"]

    def wat(self) -> str:
        limits = f"{self.pages}" if self.max_pages is None else f"{self.pages} {self.max_pages}"
        out = ["(module"]
        out += [f'  (import "pyde" "{n}" (func ${n} {wat_functype(n)}))' for n in self.imports()]
        out.append(f'  (memory (export "memory") {limits})')
        for address in sorted(self.data):
            out.append(f'  (data (i32.const {address}) "{wat_string(self.data[address])}")')
        for name, e in self.entries.items():
            out.append(f'  (func (export "{name}")')
            out += [f"    {line}" for line in self._entry_body(e)]
            out.append("  )")
        if self.extra:
            out.append(self.extra)
        out.append(")")
        return "\n".join(out) + "\n"

    def functions(self) -> list[dict]:
        """The ABI function list (:func:`pyde_ref.executor.testing.function_entry` form)."""
        return [{"name": name, "attributes": list(e.attributes), "access_list": list(e.access_list)}
                for name, e in self.entries.items()]

    def wasm(self) -> bytes:
        """The module with its ``pyde.abi`` section (needs ``wasm-tools``): a
        contract's, or a parachain's (ABI §8)."""
        return build_contract(self.wat(), self.functions(), self.contract_type)
