"""``pyde-ref fill``: fixture sources -> fixtures (issue 13, items 1, 2, 5).

Each source fixture's document is run by the reference on its reading tier
(the specification tier; the fast tier is checked equal to it by ``consume
--validators``) under the ``spec`` fuel model, with the observer of
:mod:`.observe` attached; the output document becomes ``expected`` and what
the run did becomes ``_info.exercises`` (the §16 cells, :mod:`.matrix`).

:func:`plan` computes every fixture's canonical text without writing;
:func:`write` writes them (and drops fixtures no source makes any more);
:func:`check` compares them with the committed corpus and says, for each
file that would change, whether its source changed (refill and commit) or
the reference's behaviour changed for an unchanged input (a consensus
change, to be made deliberately).
"""

from __future__ import annotations

import json
import os
from typing import Optional, Sequence

import attrs

import pyde_ref
from pyde_ref.conformance import fixture as fx
from pyde_ref.conformance import matrix
from pyde_ref.conformance.authoring import SIGNATURE_BOOK, SignatureBook, Source, SourceFixture, load_sources, selected
from pyde_ref.conformance.observe import ObservedExecutor, Recorder
from pyde_ref.executor.jsonfields import read_error
from pyde_ref.executor.params import MAX_DOCUMENT_SIZE
from pyde_ref.executor.wave import run_document
from pyde_ref.executor.wave_json import document_output, parse_document
from pyde_ref.wasm import READING
from pyde_ref.wasm.text import read_bounded

SOURCE_DIR = os.path.join("fixtures", "src")
CORPUS_DIR = os.path.join("vectors", "conformance")


def repo_root() -> str:
    """The directory holding the ``pyde_ref`` package this process runs (the
    repository, for an editable install)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(pyde_ref.__file__)))


class FillError(Exception):
    """A source fixture whose document the reference refuses (named)."""


@attrs.frozen
class Filled:
    name: str
    path: str
    """Relative to the corpus directory."""
    text: str
    cells: frozenset


def observe(document: dict) -> tuple[dict, set, object]:
    """Run ``document`` observed: ``(output document, cells, parsed)``."""
    parsed = parse_document(json.loads(json.dumps(document)), None)
    recorder = Recorder()
    result = run_document(parsed, executor=ObservedExecutor(recorder))
    output = document_output(parsed, result)
    return output, matrix.cells(parsed, output, recorder), parsed


def fill_one(source: Source, sf: SourceFixture) -> Filled:
    try:
        output, cells, _ = observe(sf.document)
    except Exception as exc:  # noqa: BLE001 - a malformed source document, named
        raise FillError(f"{sf.name} ({source.path}): {type(exc).__name__}: {exc}") from exc
    exercises = sorted(f"{row} | {column}" for row, column in cells)
    value = fx.build(name=sf.name, description=sf.description, cases=sf.cases, document=sf.document,
                     expected=output, pyde_ref=pyde_ref.__version__, tier=READING,
                     generator=f"pyde-ref fill -k {sf.name}", source=source.path, source_blake3=source.blake3,
                     exercises=exercises)
    return Filled(sf.name, sf.name + ".json", fx.dumps(value), frozenset(cells))


@attrs.frozen
class Plan:
    filled: tuple[Filled, ...]
    book: SignatureBook
    selection: tuple[str, ...]


def plan(src_dir: str, select: Sequence[str] = (), progress=None) -> Plan:
    book = SignatureBook(os.path.join(src_dir, SIGNATURE_BOOK))
    sources = load_sources(src_dir, repo_root(), book)
    filled = []
    for source in sources:
        for sf in source.fixtures:
            if selected(sf.name, select):
                filled.append(fill_one(source, sf))
                if progress is not None:
                    progress(sf.name)
    return Plan(tuple(filled), book, tuple(select))


def existing(out_dir: str) -> dict[str, str]:
    """Relative path -> text of every fixture file under ``out_dir``."""
    found = {}
    for path in fx.find([out_dir]) if os.path.isdir(out_dir) else []:
        try:
            text = read_bounded(path, MAX_DOCUMENT_SIZE).decode("utf-8", "replace")  # compared, never parsed
        except OSError as exc:
            raise FillError(read_error(path, exc)) from None
        found[os.path.relpath(path, out_dir).replace(os.sep, "/")] = text
    return found


@attrs.frozen
class Change:
    path: str
    kind: str
    """``new``, ``source changed``, ``behaviour changed``, ``metadata changed``, ``removed``."""
    detail: str = ""


def changes(p: Plan, out_dir: str) -> list[Change]:
    """How the committed corpus differs from what the sources make now."""
    committed = existing(out_dir)
    found = []
    for f in p.filled:
        old = committed.get(f.path)
        if old is None:
            found.append(Change(f.path, "new"))
        elif old != f.text:
            found.append(_classify(f, old))
    if not p.selection:
        made = {f.path for f in p.filled}
        found += [Change(path, "removed", "no source makes it") for path in sorted(committed) if path not in made]
    return found


def _classify(f: Filled, old_text: str) -> Change:
    new = json.loads(f.text)
    try:
        old = json.loads(old_text)
        old_info = old["_info"]
    except (ValueError, KeyError, TypeError):
        return Change(f.path, "source changed", "the committed file is not a fixture")
    info = new["_info"]
    if old_info.get("input_blake3") != info["input_blake3"] or old_info.get("source_blake3") != info["source_blake3"]:
        return Change(f.path, "source changed", f"source {info['source']}")
    difference = fx.first_difference(old.get("expected"), new["expected"])
    if difference is not None:
        return Change(f.path, "behaviour changed",
                      f"same input, {difference.path}: committed {difference.expected!r}, now {difference.got!r}")
    difference = fx.first_difference(old_info, info)
    return Change(f.path, "metadata changed", "" if difference is None else f"_info.{difference.path}")


def write(p: Plan, out_dir: str) -> list[Change]:
    """Write what changed; remove fixtures no source makes (without ``-k``);
    save new signatures into the book.  Returns the changes made."""
    done = changes(p, out_dir)
    by_path = {f.path: f for f in p.filled}
    for change in done:
        target = os.path.join(out_dir, change.path)
        if change.kind == "removed":
            os.remove(target)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(by_path[change.path].text)
    p.book.save()
    return done


def coverage(p: Plan, extra_cells: Optional[set] = None) -> matrix.Coverage:
    cells = set(extra_cells or ())
    for f in p.filled:
        cells |= f.cells
    return matrix.coverage(cells)
