"""What an engine upgrade changes (issue 14, item 2): one wave or chain
document under two wasmtime versions' fuel models, transaction by transaction.

The chain pins one wasmtime version and upgrades it in a coordinated fork
(seed §3.2); every difference between two versions' fuel rules is a
consensus change for the transactions it touches.  :func:`fuel_diff` runs
the document under the ``--from`` version's model and under the ``--to``
version's (``wasmtime-45``, ``wasmtime-50``: :mod:`pyde_ref.wasm.fuel`) and
lists every transaction whose receipt differs (gas, status, result, or the
state it wrote), and every wave whose fees or commitments differ.

The cause of a difference.  A transaction may differ because its own
execution is charged differently, or only because an earlier transaction's
difference left another state (a fee taken from a balance it writes).  So
each differing transaction is run again *alone* under the new rules: the
document up to it under the ``--from`` model, it under another model
(:class:`OneTransactionExecutor`).  Under the ``--to`` model: if its receipt
is then the ``--from`` one, its difference is inherited.  Otherwise two models
of the same timing differ only in a few rules (:data:`pyde_ref.wasm.fuel.RULES`:
the per-unit cost of bulk memory lengths, of ``memory.grow`` pages, of table
lengths, and the instantiation code), and it is run alone under one
*variant* per rule: the ``--from`` model with that single rule taken from the
``--to`` model (:func:`pyde_ref.wasm.fuel.variant`).  A rule is a cause when
its variant alone changes the transaction; its gas effect is the variant's
``gas_used`` minus the ``--from`` model's.  Every figure is a run of the
executor, nothing is estimated.  When the single rules' effects do not add
up to the transaction's own difference (only the sum of two rules' charges
exhausts its gas limit, say), the remainder is reported as their
interaction; when no single rule changes it, the rules whose removal from
the ``--to`` model changes it are reported as acting only together.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from pyde_ref.diff.classify import const_offset
from pyde_ref.diff.compare import diff_records
from pyde_ref.diff.wave_diff import wave_modules
from pyde_ref.executor.cache import ModuleCache
from pyde_ref.executor.executor import ExecutorConfig, WasmExecutor
from pyde_ref.executor.genesis import build_state
from pyde_ref.executor.params import WAVE_GAS_CEILING
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import ChainDocument, parse_document, wave_result_json
from pyde_ref.wasm import fuel, instructions
from pyde_ref.wasm.binary import decode_module
from pyde_ref.wasm.errors import WasmError
from pyde_ref.wasm.runtime import PAGE_SIZE

#: What each rule means, for people reading the report.
RULE_MEANINGS = {
    "bulk-memory-length": "memory.fill/copy/init charged per byte",
    "memory-grow-pages": "memory.grow charged per page",
    "table-length": "table.copy/init charged per element",
    "instantiation": "instantiation runs initialization code: passive elements, a start function, a segment that "
                     "does not fit",
}

#: Receipt fields by what they say about a transaction.  Every other field is
#: ``state``: the fee (gas × base fee), the writes (which carry the balances
#: earlier fees left) and a rejection's ``reason`` text (which may quote them).
FIELD_KINDS = {
    "gas_used": "gas",
    "status": "status", "trap": "status", "code": "status", "error_code": "status",
    "return_data": "result", "revert_reason": "result", "events": "result", "contract_address": "result",
}
KINDS = ("gas", "status", "result", "state")

#: Wave-level values compared besides the receipts.
WAVE_FIELDS = ("fees", "events_root", "events_bloom", "state_digest", "validators", "wave_start")


@attrs.frozen
class Cause:
    """One rule that changes a transaction on its own (``alone``), or only
    together with others."""

    rule: str
    alone: bool
    gas_delta: Optional[int] = None
    fields: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"rule": self.rule, "meaning": RULE_MEANINGS[self.rule], "alone": self.alone,
                "gas_delta": self.gas_delta, "fields": list(self.fields)}


@attrs.frozen
class TxChange:
    """A transaction whose receipt an upgrade changes.  ``own_gas_delta``:
    the gas difference of its own execution (run alone under the ``--to``
    model on the ``--from`` state); ``None`` when the difference is inherited."""

    wave_id: int
    index: int
    function: Optional[str]
    before: dict
    after: dict
    fields: tuple[str, ...]
    causes: tuple[Cause, ...]
    own_gas_delta: Optional[int]

    @property
    def kinds(self) -> tuple[str, ...]:
        """What changes: ``gas``, ``status``, ``result``, ``state`` (:data:`FIELD_KINDS`)."""
        found = {FIELD_KINDS.get(_top(field), "state") for field in self.fields}
        return tuple(kind for kind in KINDS if kind in found)

    @property
    def inherited(self) -> bool:
        """Only an earlier transaction's difference changes this one."""
        return self.own_gas_delta is None

    @property
    def gas_delta(self) -> int:
        return self.after["gas_used"] - self.before["gas_used"]

    @property
    def interaction(self) -> Optional[int]:
        """The part of the transaction's own gas difference that the single
        rules' effects do not add up to."""
        alone = [cause.gas_delta for cause in self.causes if cause.alone]
        if not alone or self.own_gas_delta is None:
            return None
        return (self.own_gas_delta - sum(alone)) or None

    def to_json(self) -> dict:
        return {"wave_id": self.wave_id, "tx": self.index, "function": self.function, "kinds": list(self.kinds),
                "fields": list(self.fields),
                "before": {k: self.before[k] for k in ("status", "trap", "gas_used")},
                "after": {k: self.after[k] for k in ("status", "trap", "gas_used")},
                "gas_delta": self.gas_delta, "inherited": self.inherited, "own_gas_delta": self.own_gas_delta,
                "causes": [cause.to_json() for cause in self.causes], "interaction": self.interaction}


@attrs.frozen
class FuelDiff:
    """The report: the two models, the rules in which they differ, the
    changed transactions and the wave-level values that differ."""

    from_model: str
    to_model: str
    rules: tuple[str, ...]
    #: the rules some module of the document plays (:func:`rules_in_play`)
    in_play: tuple[str, ...]
    transactions: int
    changes: tuple[TxChange, ...]
    #: (wave_id, field) of every wave-level value that differs
    wave_differences: tuple[tuple[int, str], ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.wave_differences)

    def to_json(self) -> dict:
        return {"from": self.from_model, "to": self.to_model, "rules": list(self.rules), "in_play": list(self.in_play),
                "transactions": self.transactions, "changed": len(self.changes),
                "changes": [change.to_json() for change in self.changes],
                "wave_differences": [{"wave_id": w, "field": f} for w, f in self.wave_differences]}


def tx_functions(document: Any) -> list[list[Optional[str]]]:
    """Per wave, the ``function`` each transaction of the raw document names
    (``None`` where it names none): labels for people, never compared."""
    waves = document.get("waves", [document]) if isinstance(document, dict) else []
    labels = []
    for wave in waves:
        txs = wave.get("txs", []) if isinstance(wave, dict) else []
        txs = txs if isinstance(txs, list) else []
        labels.append([tx.get("function") if isinstance(tx, dict) else None for tx in txs])
    return labels


def _fits(expr, length: int, size: int) -> bool:
    """Whether a segment of ``length`` at the offset ``expr`` surely fits
    ``size`` (an offset that is not an ``i32.const`` may not)."""
    offset = const_offset(expr)
    return offset is not None and offset + length <= size


def rules_in_play(wasm: bytes) -> set[str]:
    """The :data:`pyde_ref.wasm.fuel.RULES` whose charges a run of module
    ``wasm`` can meet: a length rule when a function body has an instruction
    of its class; ``instantiation`` when the module has a passive element
    segment, a start function, or an active segment that may not fit (the
    cases in which wasmtime 50 runs initialization code).  A rule no module of
    a document plays changes nothing in it.  (Sparse data, which wasmtime 50
    also initializes by code, is no rule of the models.)"""
    try:
        module = decode_module(wasm)
    except WasmError:
        return set()  # never instantiated: a deploy refuses it
    classes = {instructions.BY_NAME[instr.op].fuel for func in module.funcs for instr in func.body}
    found = {rule for rule, fuel_class in fuel.RULES.items() if fuel_class in classes}
    if _runs_initialization_code(module):
        found.add(fuel.INSTANTIATION_RULE)
    return found


def _runs_initialization_code(module) -> bool:
    if module.start is not None or any(elem.mode == "passive" for elem in module.elems):
        return True
    if module.imports_of("table") or module.imports_of("memory"):
        return True  # their sizes are known only at instantiation: a segment may not fit
    tables = [t.limits.min for t in module.tables]
    memories = [m.limits.min * PAGE_SIZE for m in module.mems]
    return any(elem.mode == "active" and not _fits(elem.offset, len(elem.init), tables[elem.table_index])
               for elem in module.elems) or \
        any(data.mode == "active" and not _fits(data.offset, len(data.init), memories[data.memory_index])
            for data in module.datas)


def _top(field: str) -> str:
    """The receipt field a difference's path starts with (``writes[0].value`` -> ``writes``)."""
    return field.split(".", 1)[0].split("[", 1)[0]


def _receipt_fields(before: dict, after: dict) -> tuple[str, ...]:
    return tuple(d.field for d in diff_records(before, after))


class OneTransactionExecutor(WasmExecutor):
    """The executor under fuel model ``base``, except for the transaction
    ``index`` of wave ``wave_id``, which runs under ``model`` (the machine
    configuration is read afresh by every frame).  ``cache``: a module cache
    to share with other executors (it changes speed only, never results)."""

    def __init__(self, base: str, wave_id: int, index: int, model: str, cache: Optional[ModuleCache] = None):
        super().__init__(ExecutorConfig(fuel_model=base))
        if cache is not None:
            self.cache = cache
        self.target = (wave_id, index)
        self.base_config = self.machine_config
        self.target_config = attrs.evolve(self.machine_config, fuel_model=model)

    def apply(self, tx, layer, wave, tx_index=0, gas_left=WAVE_GAS_CEILING):
        if (getattr(wave, "wave_id", None), tx_index) == self.target:
            self.machine_config = self.target_config
        try:
            return super().apply(tx, layer, wave, tx_index, gas_left)
        finally:
            self.machine_config = self.base_config


def _up_to(document: ChainDocument, wave: int, index: int) -> ChainDocument:
    """The document's waves up to transaction ``index`` of its wave ``wave``, included."""
    last = attrs.evolve(document.waves[wave], txs=document.waves[wave].txs[:index + 1])
    return attrs.evolve(document, waves=(*document.waves[:wave], last))


def _waves(document: ChainDocument, executor: WasmExecutor) -> list[dict]:
    return [wave_result_json(result) for result in run_document(document, executor=executor).waves]


def fuel_diff(document: Any, base_dir: Optional[str], from_model: str, to_model: str) -> FuelDiff:
    """Run ``document`` (a wave or chain document, raw JSON) under the two
    models; the report (module docstring).  The document must parse
    (``WaveFormatError``/``GenesisError`` otherwise, before anything runs);
    ``ValueError`` when the two models differ in more than
    :data:`pyde_ref.wasm.fuel.RULES`."""
    rules = tuple(fuel.differing_rules(fuel.model(from_model), fuel.model(to_model)))
    parsed = parse_document(document, base_dir)
    build_state(parsed.prestate)  # refuses a bad pre-state up front
    played = set().union(*(rules_in_play(wasm) for wasm in wave_modules(parsed)))
    in_play = tuple(rule for rule in rules if rule in played)
    cache = ModuleCache()  # one for every run: the modules are decoded and validated once

    def whole(model: str) -> list[dict]:
        return _waves(parsed, OneTransactionExecutor(model, -1, -1, model, cache))

    before, after = whole(from_model), whole(to_model)
    labels = tx_functions(document)
    changes, wave_differences, count = [], [], 0
    for w, (wave_before, wave_after) in enumerate(zip(before, after)):
        wave_id = wave_before["wave_id"]
        for field in WAVE_FIELDS:
            if wave_before.get(field) != wave_after.get(field):
                wave_differences.append((wave_id, field))
        for i, (r_before, r_after) in enumerate(zip(wave_before["receipts"], wave_after["receipts"])):
            count += 1
            fields = _receipt_fields(r_before, r_after)
            if not fields:
                continue
            prefix = _up_to(parsed, w, i)

            def alone(model: str) -> dict:
                """Transaction (w, i) run under ``model`` on the ``--from`` model's state."""
                return _waves(prefix, OneTransactionExecutor(from_model, wave_id, i, model, cache))[w]["receipts"][i]

            own = alone(to_model)
            own_fields = _receipt_fields(r_before, own)
            causes: list[Cause] = []
            own_gas_delta = None
            if own_fields and len(in_play) == 1:
                # the variant of the one rule in play is the --to model, as far as this document goes
                own_gas_delta = own["gas_used"] - r_before["gas_used"]
                causes.append(Cause(in_play[0], True, own_gas_delta, own_fields))
            elif own_fields:
                own_gas_delta = own["gas_used"] - r_before["gas_used"]
                for rule in in_play:
                    changed = alone(fuel.variant(from_model, to_model, [rule]))
                    rule_fields = _receipt_fields(r_before, changed)
                    if rule_fields:
                        causes.append(Cause(rule, True, changed["gas_used"] - r_before["gas_used"], rule_fields))
                if not causes:
                    causes = [Cause(rule, False) for rule in in_play
                              if _receipt_fields(alone(fuel.variant(to_model, from_model, [rule])), own)]
            label = labels[w][i] if w < len(labels) and i < len(labels[w]) else None
            changes.append(TxChange(wave_id, i, label, r_before, r_after, fields, tuple(causes), own_gas_delta))
    return FuelDiff(from_model, to_model, rules, in_play, count, tuple(changes), tuple(wave_differences))


def _signed(n: int) -> str:
    return f"{n:+d}"


def _outcome(receipt: dict) -> str:
    return receipt["status"] + (f"({receipt['trap']})" if receipt.get("trap") else "")


#: Fields :func:`change_line` names only when nothing else changes (they follow from the gas and the state).
_FOLLOWING = {"fee", "writes", "reason"}


def change_line(change: TxChange) -> str:
    """One changed transaction in one line: what changes, and why."""
    name = f" [{change.function}]" if change.function else ""
    parts = [f"wave {change.wave_id} tx {change.index}{name}:"]
    if change.before["gas_used"] != change.after["gas_used"]:
        parts.append(f"gas {change.before['gas_used']} -> {change.after['gas_used']} ({_signed(change.gas_delta)})")
    if _outcome(change.before) != _outcome(change.after):
        parts.append(f"status {_outcome(change.before)} -> {_outcome(change.after)}")
    tops = {_top(f) for f in change.fields}
    others = sorted(tops - {"gas_used", "status", "trap"} - _FOLLOWING)
    if others:
        parts.append("result " + ", ".join(others))
    if change.kinds == ("state",):
        parts.append("same gas, status and result; differs only in " + ", ".join(sorted(tops)))
    alone = [c for c in change.causes if c.alone]
    if change.inherited:
        because = "an earlier transaction's difference (the state it left)"
    elif alone:
        because = ", ".join(f"{c.rule} {_signed(c.gas_delta)}" if c.gas_delta else c.rule for c in alone)
        if change.interaction:
            because += f", interaction {_signed(change.interaction)}"
    elif change.causes:
        because = "only together: " + ", ".join(c.rule for c in change.causes)
    else:  # no rule in play changes it: the models disagree on something RULES do not name
        because = "none found"
    return " ".join(parts) + f"; cause: {because}"


def report_lines(report: FuelDiff) -> list[str]:
    """The human form of a report."""
    lines = [f"{report.from_model} -> {report.to_model}: rules that differ: " + (", ".join(report.rules) or "none")]
    for rule in report.rules:
        lines.append(f"  {rule}: {RULE_MEANINGS[rule]}"
                     + ("" if rule in report.in_play else "; no module of the document has it"))
    for change in report.changes:
        lines.append(change_line(change))
    for wave_id in dict.fromkeys(w for w, _ in report.wave_differences):
        fields = [f for w, f in report.wave_differences if w == wave_id]
        lines.append(f"wave {wave_id}: {', '.join(fields)} {'differ' if len(fields) > 1 else 'differs'}")
    counts = [f"{kind} {sum(kind in change.kinds for change in report.changes)}" for kind in KINDS[:-1]]
    counts.append(f"state only {sum(change.kinds == ('state',) for change in report.changes)}")
    lines.append(f"{len(report.changes)} of {report.transactions} transactions change ({', '.join(counts)})")
    return lines
