"""What a fixture source writes, and how ``pyde-ref fill`` finds sources.

Sources live in ``fixtures/src/`` (``--src`` elsewhere), one file per
scenario group:

* ``<group>.py`` -- a Python module with a function ``fixtures()`` that
  returns :class:`SourceFixture` values, usually built with
  :class:`Document` (pre-state, block context, transactions, each with a
  label) and :mod:`.probe` contracts;
* ``<group>.json`` -- ``{"fixtures": [{"name", "description", "document"
  | "path", "cases"?}]}``: wave or chain documents written by hand, or
  existing ones by path (relative to the source); code given as a path is
  read and inlined, so every fixture is self-contained.

Files whose name starts with ``_`` are not sources.  FALCON-512 signing is
randomized, so signatures come from the committed book
``fixtures/src/signatures.json`` (:class:`SignatureBook`): a fill that needs
one the book lacks signs once and adds it; the next fill reuses it, and is
byte-identical.
"""

from __future__ import annotations

import importlib.util
import json
import os
from typing import Any, Optional, Sequence

import attrs

from pyde_ref.crypto.falcon import falcon512_verify
from pyde_ref.crypto.hashes import blake3_256
from pyde_ref.executor.jsonfields import JsonDocumentError, load_json, read_error
from pyde_ref.executor.params import MAX_DOCUMENT_SIZE, MAX_MODULE_SIZE
from pyde_ref.executor.testing import TestKey, load_keys
from pyde_ref.executor.transactions import tx_hash
from pyde_ref.executor.tx_json import parse_tx
from pyde_ref.wasm.text import read_bounded

SIGNATURE_BOOK = "signatures.json"

DEFAULT_CONTEXT = {"chain_id": 31337, "block_height": 7, "wave_id": 7, "block_timestamp": 1_700_000_000,
                   "base_fee": 1}
"""The block context of a fixture that does not care: a base fee of 1
makes every fee equal to the gas used."""


def hx(data: bytes) -> str:
    return "0x" + bytes(data).hex()


def address(byte: int) -> bytes:
    """A readable address: 32 times the same byte."""
    return bytes([byte]) * 32


SENDER = address(0xA1)
"""Who sends the transactions of an unsigned document."""


def repo_path(*parts: str) -> str:
    """A file of the repository the running ``pyde_ref`` comes from (the
    committed vectors sources use: test keys, FALCON cases, feature probes)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, *parts)


def committed_keys() -> dict[str, TestKey]:
    """The committed FALCON-512 test keys (``vectors/test-keys.json``), by name."""
    return load_keys(repo_path("vectors", "test-keys.json"))


@attrs.frozen
class SourceFixture:
    """One fixture as its source describes it: the input document (code
    inline) and a label per transaction (a list per wave for a chain)."""

    name: str
    description: str
    document: dict
    cases: list


class Document:
    """A wave or chain document built step by step: state sections, then
    waves of labelled transactions.  One wave makes a wave document unless
    ``chain=True``."""

    def __init__(self, *, unsigned: bool = True, chain: bool = False):
        self.unsigned = unsigned
        self.chain = chain
        self.sections: dict[str, Any] = {}
        self.waves: list[tuple[dict, list[dict], list[str]]] = []

    # -- state -----------------------------------------------------------------

    def account(self, who: bytes, balance: int = 0, **fields) -> "Document":
        entry = {"balance": str(balance)} if balance else {}
        entry.update(fields)
        self.sections.setdefault("accounts", {})[hx(who)] = entry
        return self

    def contract(self, at: bytes, wasm: bytes, balance: int = 0, storage: Optional[dict] = None,
                 **fields) -> "Document":
        entry: dict[str, Any] = {"code": hx(wasm)}
        if balance:
            entry["balance"] = str(balance)
        if storage:
            entry["storage"] = {hx(k): hx(v) for k, v in storage.items()}
        entry.update(fields)
        self.sections.setdefault("contracts", {})[hx(at)] = entry
        return self

    def section(self, name: str, value: Any) -> "Document":
        """Any other state section (``validators``, ``protocol``, ``code``)."""
        self.sections[name] = value
        return self

    # -- waves -------------------------------------------------------------------

    def wave(self, **context) -> "Document":
        """Start a wave: :data:`DEFAULT_CONTEXT` with ``context`` over it (a
        chain's wave ids must increase)."""
        self.waves.append(({**DEFAULT_CONTEXT, **context}, [], []))
        return self

    def tx(self, label: str, kind: str, *, sender: Optional[bytes] = None, **fields) -> dict:
        """Append a transaction of ``kind`` to the current wave, labelled;
        ``from`` is ``sender`` (default :data:`SENDER`), the gas limit
        10,000,000 unless given.  Returns the transaction (to sign it)."""
        if not self.waves:
            self.wave()
        tx: dict[str, Any] = {"type": kind, "from": hx(sender or SENDER)}
        if kind != "register_pubkey":
            tx["gas_limit"] = 10_000_000
        tx.update({k: (hx(v) if isinstance(v, (bytes, bytearray)) else v) for k, v in fields.items()})
        self.waves[-1][1].append(tx)
        self.waves[-1][2].append(label)
        return tx

    def signed(self, label: str, kind: str, key: TestKey, nonce: int, *, signers: Sequence = (),
               **fields) -> dict:
        """A transaction of ``key``'s account with ``nonce``, signed over
        its §11.6 hash by ``key`` -- or by ``signers`` (``(index, key)``
        pairs) for a multisig account."""
        tx = self.tx(label, kind, sender=key.address, nonce=nonce, **fields)
        digest = tx_hash(parse_tx(tx, "tx", self.waves[-1][0]["chain_id"], True, None))
        if signers:
            tx["signatures"] = [{"index": i, "signature": hx(sign(k, digest))} for i, k in signers]
        else:
            tx["signature"] = hx(sign(key, digest))
        return tx

    def call(self, label: str, to: bytes, function: str, calldata: bytes = b"", **fields) -> dict:
        return self.tx(label, "call", to=hx(to), function=function, calldata=hx(calldata), **fields)

    def document(self) -> dict:
        doc: dict[str, Any] = {"unsigned": True} if self.unsigned else {}
        if self.chain or len(self.waves) != 1:
            doc["waves"] = [{"context": c, "txs": t} for c, t, _ in self.waves]
        else:
            context, txs, _ = self.waves[0]
            doc.update({"context": context, "txs": txs})
        doc.update(self.sections)
        return doc

    def cases(self) -> list:
        if self.chain or len(self.waves) != 1:
            return [list(labels) for _, _, labels in self.waves]
        return list(self.waves[0][2])

    def fixture(self, name: str, description: str) -> SourceFixture:
        return SourceFixture(name, description, self.document(), self.cases())


# --------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------


class SignatureBook:
    """Committed FALCON-512 signatures, by ``blake3(public key ‖ message)``:
    a fill reuses them, so its output does not depend on the signer's
    randomness.  A signature the book lacks is made once and added
    (:attr:`added`); ``fill`` writes the book back."""

    def __init__(self, path: Optional[str]):
        self.path = path
        self.entries: dict[str, str] = {}
        self.added = 0
        if path and os.path.exists(path):
            book = _read_json(path)
            entries = book.get("signatures") if isinstance(book, dict) else None
            if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
                raise SourceError(f"{path}: not a signature book (expected an object of signatures)")
            self.entries = dict(entries)

    @staticmethod
    def key_of(public_key: bytes, message: bytes) -> str:
        return blake3_256(bytes(public_key) + bytes(message)).hex()

    def sign(self, key: TestKey, message: bytes) -> bytes:
        entry = self.entries.get(self.key_of(key.public_key, message))
        if entry is not None:
            signature = bytes.fromhex(entry)
            if falcon512_verify(key.public_key, message, signature):
                return signature
        signature = key.sign(message)
        self.entries[self.key_of(key.public_key, message)] = signature.hex()
        self.added += 1
        return signature

    def text(self) -> str:
        return json.dumps({"description": "FALCON-512 signatures reused by pyde-ref fill "
                                          "(blake3(public key || message) -> signature)",
                           "signatures": dict(sorted(self.entries.items()))}, indent=1) + "\n"

    def save(self) -> None:
        if self.path and self.added:
            with open(self.path, "w", encoding="utf-8") as handle:
                handle.write(self.text())


_BOOK: Optional[SignatureBook] = None


def signature_book() -> SignatureBook:
    """The book of the fill in progress (an empty one outside a fill)."""
    global _BOOK
    if _BOOK is None:
        _BOOK = SignatureBook(None)
    return _BOOK


def sign(key: TestKey, message: bytes) -> bytes:
    """A signature of ``message`` by ``key``, from the book when it has one."""
    return signature_book().sign(key, message)


# --------------------------------------------------------------------------
# Finding and loading sources
# --------------------------------------------------------------------------


@attrs.frozen
class Source:
    """A source file: its path relative to the repository, the Blake3 of its
    bytes, and its fixtures."""

    path: str
    blake3: str
    fixtures: tuple[SourceFixture, ...]


class SourceError(Exception):
    """A source that cannot be loaded (the message names it)."""


def source_files(src_dir: str) -> list[str]:
    try:
        names = os.listdir(src_dir)
    except OSError as exc:
        raise SourceError(f"cannot read the source directory {src_dir}: {exc.strerror or exc}") from None
    return sorted(os.path.join(src_dir, f) for f in names
                  if f.endswith((".py", ".json")) and not f.startswith("_") and f != SIGNATURE_BOOK)


def _read_json(path: str) -> Any:
    """A JSON source (or the signature book), read within the limits of
    every document (:func:`~pyde_ref.executor.jsonfields.load_json`)."""
    try:
        return load_json(path)
    except (OSError, JsonDocumentError) as exc:
        raise SourceError(read_error(path, exc)) from None


def _file_hash(path: str) -> str:
    try:
        data = read_bounded(path, MAX_DOCUMENT_SIZE)
    except OSError as exc:
        raise SourceError(read_error(path, exc)) from None
    return "0x" + blake3_256(data).hex()


def _python_fixtures(path: str) -> list[SourceFixture]:
    name = "pyde_fixture_source_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    make = getattr(module, "fixtures", None)
    if make is None:
        raise SourceError(f"{path}: no fixtures() function")
    return list(make())


CODE_KINDS = ("deploy", "upgrade", "parachain_register", "parachain_propose_upgrade")


def inline_code(document: dict, base_dir: str) -> dict:
    """``document`` with every code path (contracts, upgrades, stored code,
    deploy and upgrade transactions) replaced by ``0x`` + the file's hex."""

    def code(value):
        if isinstance(value, str) and not value.startswith("0x"):
            path = value if os.path.isabs(value) else os.path.join(base_dir, value)
            return hx(read_bounded(path, MAX_MODULE_SIZE))
        return value

    doc = json.loads(json.dumps(document))
    for entry in (doc.get("contracts") or {}).values():
        entry["code"] = code(entry["code"])
        if isinstance(entry.get("upgrade"), dict):
            entry["upgrade"]["code"] = code(entry["upgrade"]["code"])
    for entry in (doc.get("parachains") or {}).values():
        for holder in [entry] + list(entry.get("versions") or []) + list((entry.get("proposals") or {}).values()):
            if "code" in holder:
                holder["code"] = code(holder["code"])
    if isinstance(doc.get("code"), dict):
        doc["code"] = {k: code(v) for k, v in doc["code"].items()}
    waves = doc["waves"] if "waves" in doc else [doc]
    for wave in waves:
        for tx in wave.get("txs", []):
            if tx.get("type") in CODE_KINDS and "code" in tx:
                tx["code"] = code(tx["code"])
    return doc


def _json_entries(spec: Any, path: str) -> list[dict]:
    """The ``fixtures`` of a JSON source, each checked to be an object with a
    string ``name`` and a ``document`` object or a string ``path``."""
    entries = spec.get("fixtures") if isinstance(spec, dict) else None
    if not isinstance(entries, list):
        raise SourceError(f'{path}: not a fixture source (expected {{"fixtures": [...]}})')
    for i, entry in enumerate(entries):
        where = f"{path}: fixtures[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise SourceError(f"{where}: expected an object with a string name")
        if not isinstance(entry.get("path"), str) and not isinstance(entry.get("document"), dict):
            raise SourceError(f"{where}: expected a document object or a string path")
    return entries


def _json_fixtures(path: str) -> list[SourceFixture]:
    base = os.path.dirname(os.path.abspath(path))
    out = []
    for entry in _json_entries(_read_json(path), path):
        if isinstance(entry.get("path"), str):
            doc_path = os.path.join(base, entry["path"])
            document = inline_code(_read_json(doc_path), os.path.dirname(doc_path))
        else:
            document = inline_code(entry["document"], base)
        cases = entry.get("cases")
        if cases is None:
            waves = document["waves"] if "waves" in document else None
            cases = [[""] * len(w["txs"]) for w in waves] if waves is not None else [""] * len(document["txs"])
        out.append(SourceFixture(entry["name"], entry.get("description", ""), document, cases))
    return out


def load_source(path: str, repo_root: str) -> Source:
    try:
        fixtures = _python_fixtures(path) if path.endswith(".py") else _json_fixtures(path)
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken source, named, not a traceback
        raise SourceError(f"{path}: {type(exc).__name__}: {exc}") from exc
    relative = os.path.relpath(os.path.abspath(path), repo_root).replace(os.sep, "/")
    return Source(relative, _file_hash(path), tuple(fixtures))


def load_sources(src_dir: str, repo_root: str, book: SignatureBook) -> list[Source]:
    """Every source of ``src_dir``, signing through ``book``."""
    global _BOOK
    _BOOK = book
    try:
        sources = [load_source(p, repo_root) for p in source_files(src_dir)]
    finally:
        _BOOK = None
    names: dict[str, str] = {}
    for source in sources:
        for f in source.fixtures:
            if f.name in names:
                raise SourceError(f"fixture {f.name!r} comes from both {names[f.name]} and {source.path}")
            names[f.name] = source.path
    return sources


def selected(name: str, patterns: Sequence[str]) -> bool:
    """``-k``: a fixture is selected when its name contains any pattern
    (all are selected without one)."""
    return not patterns or any(p in name for p in patterns)
