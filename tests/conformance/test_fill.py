"""``pyde-ref fill`` (``pyde_ref/conformance/fill.py``): sources become
fixtures, deterministically; the staleness check tells a changed source from
a changed behaviour; the committed corpus is what the sources make; coverage
of the §16 matrix has no gap."""

from __future__ import annotations

import json
import shutil

import pytest

from paths import CONFORMANCE, FIXTURE_SOURCES
from pyde_ref.conformance import fill
from pyde_ref.conformance.authoring import SourceError

SOURCE = '''
from pyde_ref.conformance.authoring import Document, address

def fixtures():
    doc = Document()
    doc.account(address(0xA1), balance=10**12)
    doc.tx("a transfer", "transfer", to="0x" + "b0" * 32, value=VALUE, gas_limit=21_000)
    return [doc.fixture("t/transfer", "one transfer")]
'''


def source_dir(tmp_path, value=5):
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "one.py").write_text(SOURCE.replace("VALUE", str(value)), encoding="utf-8")
    return src


def test_fill_is_deterministic_and_check_sees_every_kind_of_change(tmp_path):
    out = tmp_path / "out"
    plan = fill.plan(str(source_dir(tmp_path)))
    assert [c.kind for c in fill.write(plan, str(out))] == ["new"]
    again = fill.plan(str(source_dir(tmp_path)))
    assert [f.text for f in again.filled] == [f.text for f in plan.filled]
    assert fill.changes(again, str(out)) == []
    # the source changes: its hash and the input change
    changed = fill.plan(str(source_dir(tmp_path, value=6)))
    assert [(c.path, c.kind) for c in fill.changes(changed, str(out))] == [("t/transfer.json", "source changed")]
    # the same input, another output: the reference's behaviour changed
    path = out / "t" / "transfer.json"
    value = json.loads(path.read_text(encoding="utf-8"))
    value["expected"]["receipts"][0]["gas_used"] += 1
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (c,) = fill.changes(again, str(out))
    assert c.kind == "behaviour changed" and "receipts[0].gas_used" in c.detail
    # a fixture no source makes
    (out / "t" / "orphan.json").write_text("{}", encoding="utf-8")
    assert ("t/orphan.json", "removed") in [(c.path, c.kind) for c in fill.changes(again, str(out))]
    fill.write(again, str(out))
    assert sorted(p.name for p in (out / "t").iterdir()) == ["transfer.json"]


def test_a_broken_source_is_named(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "broken.py").write_text("def fixtures():\n    raise RuntimeError('oops')\n", encoding="utf-8")
    with pytest.raises(SourceError, match="broken.py: RuntimeError: oops"):
        fill.plan(str(src))
    (src / "broken.py").write_text(SOURCE.replace("VALUE", "-1"), encoding="utf-8")
    with pytest.raises(fill.FillError, match="t/transfer"):
        fill.plan(str(src))


def test_json_sources_inline_their_code(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURE_SOURCES.parent.parent / "examples" / "contracts" / "token.wasm", src / "token.wasm")
    doc = {"unsigned": True, "context": {"chain_id": 1, "block_height": 1, "wave_id": 1, "block_timestamp": 0,
                                         "base_fee": 0},
           "contracts": {"0x" + "c0" * 32: {"code": "token.wasm"}}, "txs": []}
    (src / "group.json").write_text(json.dumps({"fixtures": [{"name": "t/token", "document": doc}]}),
                                    encoding="utf-8")
    (filled,) = fill.plan(str(src)).filled
    assert json.loads(filled.text)["input"]["contracts"]["0x" + "c0" * 32]["code"].startswith("0x0061736d")


@pytest.mark.slow
def test_the_committed_corpus_is_what_the_sources_make_and_covers_the_matrix():
    plan = fill.plan(str(FIXTURE_SOURCES))
    assert fill.changes(plan, str(CONFORMANCE)) == []
    assert plan.book.added == 0, "a source needs a signature the committed book lacks"
    cov = fill.coverage(plan)
    assert cov.gaps == [] and cov.outside == ()
    assert cov.deferred_gaps == []


def test_cli(tmp_path, capsys):
    from pyde_ref.cli import main

    src, out = source_dir(tmp_path), tmp_path / "out"
    args = ["fill", "--src", str(src), "--out", str(out)]
    assert main(args + ["--check"]) == 1
    assert "new" in capsys.readouterr().out
    assert main(args) == 0
    assert main(args + ["--check"]) == 0
    capsys.readouterr()
    assert main(args + ["--check", "--coverage", "--json"]) == 1  # one transfer leaves gaps
    report = json.loads(capsys.readouterr().out)
    assert report["coverage"]["totals"]["gaps"] > 0 and report["changes"] == []
    (src / "bad.py").write_text("x = (", encoding="utf-8")
    assert main(args) == 2
    assert "bad.py" in capsys.readouterr().err
    assert main(["fill", "--src", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert "nowhere" in capsys.readouterr().err
    (src / "bad.py").unlink()
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    assert main(["fill", "--src", str(src), "--out", str(tmp_path / "a-file")]) == 2
    assert "cannot write the corpus" in capsys.readouterr().err


def test_selections_that_mean_nothing_are_usage_errors(tmp_path, capsys):
    """``-k`` selecting no fixture is exit 2 (as ``consume -k`` is); the
    §16 coverage of a selection would call every cell outside it a gap, so
    ``--coverage`` refuses ``-k``."""
    from pyde_ref.cli import main

    src, out = source_dir(tmp_path), tmp_path / "out"
    args = ["fill", "--src", str(src), "--out", str(out)]
    for extra in (["--check"], []):
        assert main(args + extra + ["-k", "no-such-fixture"]) == 2
        assert "no fixture" in capsys.readouterr().err
    assert not out.exists()
    assert main(args + ["--check", "--coverage", "-k", "t/transfer"]) == 2
    assert "cannot be combined with -k" in capsys.readouterr().err


def _src(tmp_path, name: str, content: bytes):
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / name).write_bytes(content)
    return src


@pytest.mark.parametrize("name, content, words", [
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested 100000 deep"),
    ("big.json", b'{"fixtures": [{"name": "x", "document": {"txs": ' + b"9" * 5_000 + b"}}]}", "5000 digits"),
    ("utf8.json", b'{"fixtures": [{"name": "\xff"}]}', "not UTF-8"),
    ("list.json", b"[1]", 'not a fixture source (expected {"fixtures": [...]})'),
    ("entry.json", b'{"fixtures": [5]}', "fixtures[0]: expected an object with a string name"),
    ("document.json", b'{"fixtures": [{"name": "x", "document": 5}]}', "fixtures[0]: expected a document object"),
    ("signatures.json", b"[[[", "signatures.json: not a JSON document"),
])
def test_hostile_sources_are_one_line_naming_the_file(tmp_path, capsys, name, content, words):
    from pyde_ref.cli import main

    src = _src(tmp_path, name, content)
    assert main(["fill", "--src", str(src), "--out", str(tmp_path / "out"), "--check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err and words in err, err
    assert "Error:" not in err  # no Python exception name: the refusal is the project's own


def test_a_missing_source_directory_is_named(tmp_path, capsys):
    from pyde_ref.cli import main

    assert main(["fill", "--src", str(tmp_path / "nowhere"), "--check"]) == 2
    assert capsys.readouterr().err == (f"pyde-ref fill: cannot read the source directory {tmp_path / 'nowhere'}: "
                                       "No such file or directory\n")
