"""``pyde-ref fill [--src DIR] [--out DIR] [-k TEXT ...] [--check] [--coverage] [--json]``.

Fills the conformance corpus (ABI §16, issue 13; ``spec/conformance.md``):
every fixture source of ``--src`` (default ``fixtures/src`` of the
repository) is run by the reference and written as a fixture under
``--out`` (default ``vectors/conformance``).  ``-k TEXT`` (repeatable)
fills only the fixtures whose name contains one of the texts.

``--check`` writes nothing: it fills in memory and compares with the corpus
on disk, naming every file that would change and why -- its source changed
(refill and commit), or the reference's output changed for an unchanged
input (a consensus-relevant change) -- and exits 1 if any would.
``--coverage`` prints the §16 matrix measured from what the fixtures made
the reference do, gaps named; it exits 1 on a gap that is not deferred.  It
measures the whole corpus, so it refuses ``-k`` (a selection would leave
every cell outside it a "gap"); a ``-k`` that selects no fixture is a usage
error too.

Exit status: 0 done (nothing stale, no gap), 1 stale corpus or a gap,
2 a source that cannot be filled or a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from pyde_ref.conformance import fill as filling
from pyde_ref.conformance.authoring import SourceError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    root = filling.repo_root()
    parser.add_argument("--src", default=os.path.join(root, filling.SOURCE_DIR),
                        help="the fixture sources (default: fixtures/src of the repository)")
    parser.add_argument("--out", default=os.path.join(root, filling.CORPUS_DIR),
                        help="the corpus directory (default: vectors/conformance of the repository)")
    parser.add_argument("-k", dest="select", action="append", default=[], metavar="TEXT",
                        help="only fixtures whose name contains TEXT (repeatable: any of them)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the corpus on disk differs from what the sources make")
    parser.add_argument("--coverage", action="store_true",
                        help="print the ABI §16 matrix of the whole corpus and its gaps; exit 1 on a gap (not with -k)")
    parser.add_argument("--json", action="store_true", help="one JSON document on standard output")
    parser.add_argument("--progress", action="store_true", help="name each fixture on standard error as it is filled")


def coverage_lines(cov) -> list[str]:
    """The matrix as text: per section, a table of rows x columns when it is
    narrow enough, else each row's covered/total cells (only the incomplete
    rows of a long section); then every gap by name."""
    lines = []
    sections: dict[str, list] = {}
    for r in cov.rows:
        sections.setdefault(r.row.section, []).append(r)
    for section, rows in sections.items():
        cells = sum(len(x.covered) + len(x.missing) for x in rows)
        covered = sum(len(x.covered) for x in rows)
        deferred = rows[0].deferred
        lines.append(f"== {section}: {covered}/{cells} cells" + (f" (deferred: {deferred})" if deferred else ""))
        columns = sorted({c for x in rows for c in x.row.columns})
        if len(columns) <= 40 and len(rows) <= 40:
            lines += _table(rows, columns)
            continue
        width = max(len(x.row.label) for x in rows)
        shown = rows if len(rows) <= 40 else [x for x in rows if x.missing]
        for x in shown:
            total = len(x.covered) + len(x.missing)
            line = f"   {x.row.label:<{width}} {len(x.covered):3}/{total:<3}"
            if x.missing:
                line += " missing: " + ", ".join(x.missing)
            lines.append(line)
        if len(shown) < len(rows):
            lines.append(f"   ({len(rows) - len(shown)} of {len(rows)} rows complete)")
    gaps, deferred = cov.gaps, cov.deferred_gaps
    lines.append("")
    if gaps:
        lines.append(f"gaps ({len(gaps)}):")
        lines += [f"  {r.row.section} | {r.row.label} | {column}" for r, column in gaps]
    if cov.unreachable:
        lines.append(f"unreachable from any document ({len(cov.unreachable)}):")
        lines += [f"  {r.row.section} | {r.row.label} | {column}: {why}" for r, column, why in cov.unreachable]
    if deferred:
        lines.append(f"deferred ({len(deferred)} cells of {len({id(r) for r, _ in deferred})} rows): "
                     f"{deferred[0][0].deferred}")
    if cov.outside:
        lines.append(f"exercised but in no column ({len(cov.outside)}): a table of pyde_ref/conformance/matrix.py "
                     "is behind the reference:")
        lines += [f"  {row} | {column}" for row, column in cov.outside]
    t = cov.totals()
    lines.append(f"coverage: {t['covered']}/{t['cells']} cells of {t['rows']} rows; {t['gaps']} gaps, "
                 f"{t['deferred']} deferred, {t['unreachable']} unreachable, {t['outside']} outside the matrix")
    return lines


def _table(rows, columns) -> list[str]:
    """Rows x columns: ``+`` covered, ``-`` a gap, ``.`` not a column of the row."""
    width = max(len(r.row.label) for r in rows)
    out = ["   " + " " * width + " " + " ".join(f"{i % 100:02d}" for i in range(len(columns)))]
    for r in rows:
        marks = []
        for c in columns:
            marks.append(" +" if c in r.covered else " -" if c in r.missing else " .")
        out.append(f"   {r.row.label:<{width}}" + " " + " ".join(m for m in marks))
    out += [f"   {i:02d} {c}" for i, c in enumerate(columns)]
    return out


def main(args) -> int:
    def progress(name):
        print(f"filled {name}", file=sys.stderr)

    def fail(message: str) -> int:
        print(f"pyde-ref fill: {message}", file=sys.stderr)
        return 2

    if args.coverage and args.select:
        return fail("--coverage measures the whole corpus; it cannot be combined with -k")
    try:
        plan = filling.plan(args.src, args.select, progress if args.progress else None)
    except (SourceError, filling.FillError, OSError) as exc:
        return fail(str(exc))
    if args.select and not plan.filled:
        return fail(f"no fixture of {args.src} matches -k {' -k '.join(args.select)}")
    if args.check:
        try:
            changes = filling.changes(plan, args.out)
        except filling.FillError as exc:
            return fail(str(exc))
        if plan.book.added:
            changes = changes + [filling.Change(filling.SIGNATURE_BOOK, "source changed",
                                                f"{plan.book.added} signature(s) missing from the book")]
    else:
        try:
            changes = filling.write(plan, args.out)
        except OSError as exc:
            return fail(f"cannot write the corpus under {args.out}: {exc}")
        except filling.FillError as exc:
            return fail(str(exc))
    status = 1 if args.check and changes else 0
    report = {"fixtures": len(plan.filled), "out": args.out, "check": args.check,
              "changes": [{"path": c.path, "kind": c.kind, "detail": c.detail} for c in changes]}
    lines = []
    verb = "would change" if args.check else "written"
    lines.append(f"{len(plan.filled)} fixtures from {args.src}; {len(changes)} {verb}"
                 + ("" if args.check else f" under {args.out}"))
    lines += [f"  {c.kind:18} {c.path}" + (f": {c.detail}" if c.detail else "") for c in changes]
    if args.check and changes:
        lines.append("the corpus is stale: run pyde-ref fill (a 'behaviour changed' entry is a change of "
                     "the reference's output for an unchanged input: make it deliberately)")
    if args.coverage:
        cov = filling.coverage(plan)
        report["coverage"] = cov.to_json()
        lines += [""] + coverage_lines(cov)
        if cov.gaps or cov.outside:
            status = 1
    print(json.dumps(report, indent=1) if args.json else "\n".join(lines))
    return status
