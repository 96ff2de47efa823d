"""The fixture format (``spec/conformance.md``, ``spec/conformance.schema.json``).

A fixture is one JSON file::

    {"_info":    {format, format_version, name, description, cases, pyde_ref, abi, book_commit,
                  fuel_model, tier, generator, source, source_blake3, input_blake3, exercises},
     "kind":     "wave" | "chain",
     "input":    <a wave or chain document, code inline>,
     "expected": <the output document of pyde-ref wave --json / chain --json>}

Its bytes are canonical (:func:`dumps`): one space of indentation, keys in
the order the reference writes them, UTF-8, a final newline -- so two
fills of the same source are byte-identical and the committed corpus diffs
line by line.

:func:`normative` is what ``consume`` compares: the whole output document,
except a receipt's ``reason``, which is prose; for a ``DeployRejected``
receipt the name of the deploy check that refused (``DeployRejected:
ForbiddenImport``, ABI §9.1's notation) is kept, the rest dropped.
"""

from __future__ import annotations

import copy
import json
import os
import re
from typing import Any, Optional

import attrs

from pyde_ref.crypto.hashes import blake3_256
from pyde_ref.executor.jsonfields import JsonDocumentError, load_json, read_error

FORMAT = "pyde-ref conformance fixture"
FORMAT_VERSION = 1
"""Bumped when the meaning of a field changes; a consumer refuses a version
it does not know."""

ABI_DOCUMENT = "HOST_FN_ABI_SPEC-v1.0.md (Host Function ABI v1.0)"
BOOK_COMMIT = "b664131"
"""The pyde-book commit the ABI document and the chapters are quoted from
(``../shared/README.md``)."""

FUEL_MODEL = "spec"
"""Fixtures are filled under the consensus reading of fuel
(``spec/findings/fuel-models.md``)."""

KINDS = ("wave", "chain")

INFO_FIELDS = ("format", "format_version", "name", "description", "cases", "pyde_ref", "abi", "book_commit",
               "fuel_model", "tier", "generator", "source", "source_blake3", "input_blake3", "exercises")


class FixtureError(ValueError):
    """A file that is not a fixture this version reads (the message says why)."""


def dumps(value: Any) -> str:
    """The canonical text of a fixture or a document."""
    return json.dumps(value, indent=1, ensure_ascii=False) + "\n"


def digest(value: Any) -> str:
    """Blake3 of a value's canonical text, ``0x``-hex."""
    return "0x" + blake3_256(dumps(value).encode("utf-8")).hex()


def kind_of(document: dict) -> str:
    return "chain" if isinstance(document, dict) and "waves" in document else "wave"


@attrs.frozen
class Fixture:
    """A fixture read from ``path``."""

    path: str
    name: str
    info: dict
    kind: str
    input: dict
    expected: dict

    def case(self, wave: Optional[int], tx: int) -> Optional[str]:
        """The source's label of transaction ``tx`` (of wave ``wave`` in a chain)."""
        cases = self.info.get("cases") or []
        try:
            return cases[wave][tx] if wave is not None else cases[tx]
        except (IndexError, TypeError):
            return None


def build(*, name: str, description: str, cases: list, document: dict, expected: dict, pyde_ref: str,
          tier: str, generator: str, source: str, source_blake3: str, exercises: list) -> dict:
    """A fixture as a JSON value (field order as :data:`INFO_FIELDS`)."""
    info = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": name,
        "description": description,
        "cases": cases,
        "pyde_ref": pyde_ref,
        "abi": ABI_DOCUMENT,
        "book_commit": BOOK_COMMIT,
        "fuel_model": FUEL_MODEL,
        "tier": tier,
        "generator": generator,
        "source": source,
        "source_blake3": source_blake3,
        "input_blake3": digest(document),
        "exercises": exercises,
    }
    return {"_info": info, "kind": kind_of(document), "input": document, "expected": expected}


def parse(value: Any, path: str = "<fixture>") -> Fixture:
    """A fixture from its JSON value; :class:`FixtureError` if it is not one."""
    if not isinstance(value, dict) or set(value) != {"_info", "kind", "input", "expected"}:
        raise FixtureError(f"{path}: not a fixture (expected the keys _info, kind, input, expected)")
    info = value["_info"]
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise FixtureError(f"{path}: _info.format is not {FORMAT!r}")
    if info.get("format_version") != FORMAT_VERSION:
        raise FixtureError(f"{path}: format_version {info.get('format_version')!r}; this pyde-ref reads "
                           f"version {FORMAT_VERSION}")
    if value["kind"] not in KINDS or kind_of(value["input"]) != value["kind"]:
        raise FixtureError(f"{path}: kind {value['kind']!r} does not match its input document")
    if not isinstance(value["expected"], dict):
        raise FixtureError(f"{path}: expected is not an output document")
    return Fixture(path, str(info.get("name", "")), info, value["kind"], value["input"], value["expected"])


def load(path: str) -> Fixture:
    """The fixture in the file at ``path``, read as every document is
    (:func:`~pyde_ref.executor.jsonfields.load_json`: at most
    ``MAX_DOCUMENT_SIZE`` bytes of UTF-8, nested at most ``MAX_JSON_DEPTH``,
    integers of at most ``MAX_INTEGER_DIGITS`` digits)."""
    try:
        value = load_json(path)
    except (OSError, JsonDocumentError) as exc:
        raise FixtureError(read_error(path, exc)) from None
    return parse(value, path)


def find(paths: list[str]) -> list[str]:
    """The fixture files named by ``paths`` (files, or directories searched
    recursively for ``*.json``), sorted, each once."""
    found = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                found += [os.path.join(root, f) for f in sorted(files) if f.endswith(".json")]
        else:
            found.append(path)
    return list(dict.fromkeys(found))


_DEPLOY_CHECK = re.compile(r"^(DeployRejected: \w+)")


def _normative_receipts(receipts: list) -> None:
    for receipt in receipts:
        if isinstance(receipt, dict) and "reason" in receipt:
            reason = receipt["reason"]
            match = _DEPLOY_CHECK.match(reason) if isinstance(reason, str) else None
            receipt["reason"] = match.group(1) if match else None


def normative(document: Any) -> Any:
    """The part of an output document an engine must reproduce (module
    docstring); anything that is not an output document is returned as is."""
    if not isinstance(document, dict):
        return document
    out = copy.deepcopy(document)
    waves = out.get("waves") if isinstance(out.get("waves"), list) else [out]
    for wave in waves:
        if isinstance(wave, dict) and isinstance(wave.get("receipts"), list):
            _normative_receipts(wave["receipts"])
    return out


@attrs.frozen
class Difference:
    """The first place two documents differ: a JSON path, and the value
    each side has there (``MISSING`` when a side has none)."""

    path: str
    expected: Any
    got: Any

    def to_json(self) -> dict:
        return {"path": self.path, "expected": self.expected, "got": self.got}


MISSING = "<missing>"


def first_difference(expected: Any, got: Any, path: str = "") -> Optional[Difference]:
    """The first difference in document order (the expected side's key
    order, then keys only ``got`` has), or ``None`` when equal."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in list(expected) + [k for k in got if k not in expected]:
            sub = f"{path}.{key}" if path else key
            if key not in got:
                return Difference(sub, expected[key], MISSING)
            if key not in expected:
                return Difference(sub, MISSING, got[key])
            found = first_difference(expected[key], got[key], sub)
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(got, list):
        for i, (a, b) in enumerate(zip(expected, got)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
        if len(expected) != len(got):
            i = min(len(expected), len(got))
            return Difference(f"{path}[{i}]", expected[i] if i < len(expected) else MISSING,
                              got[i] if i < len(got) else MISSING)
        return None
    if type(expected) is not type(got) or expected != got:
        return Difference(path or "(document)", expected, got)
    return None


_RECEIPT_PATH = re.compile(r"^(?:waves\[(\d+)\]\.)?receipts\[(\d+)\]")


def receipt_of(path: str) -> Optional[tuple[Optional[int], int]]:
    """``(wave, tx)`` when ``path`` lies inside a receipt (``wave`` is
    ``None`` for a wave document)."""
    match = _RECEIPT_PATH.match(path)
    if match is None:
        return None
    wave, tx = match.groups()
    return (None if wave is None else int(wave)), int(tx)
