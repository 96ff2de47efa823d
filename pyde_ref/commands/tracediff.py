"""``pyde-ref tracediff A B [--context N]``: the first record where two
instruction traces (``spec/trace-format.md``) differ.

The traces are read side by side, one line at a time (a trace may be far
larger than memory), up to their first difference, which is printed with the
N records before it (3 by default; the same in both) and, field by field,
what differs.  Records are compared as JSON values: key order and spacing do
not matter.  A trace that ends before the other differs at the record the
shorter one lacks.  Nothing after the first difference is read.  ``-``
reads one of the traces from standard input.

Exit status: 0 the traces are identical, 1 they differ, 2 usage error or a
file that is not a trace (unreadable, a line that is not one JSON object;
the message names the file and line).
"""

from __future__ import annotations

import argparse
import sys

from pyde_ref.trace.compare import STDIN, Comparison, TraceFormatError, first_difference, open_trace, read_trace

EXIT_SAME = 0
EXIT_DIFFERENT = 1
EXIT_ERROR = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", help="a trace file, or - for standard input")
    parser.add_argument("b", metavar="B", help="the trace to compare it with (- for standard input)")
    parser.add_argument("--context", type=int, default=3, metavar="N",
                        help="records of context shown before the difference (default 3)")
    parser.epilog = "exit status: 0 identical, 1 different, 2 usage error or not a trace"


def report(comparison: Comparison, name_a: str, name_b: str) -> list[str]:
    """What ``tracediff`` prints."""
    diff = comparison.difference
    if diff is None:
        return [f"identical: {comparison.records} records"]
    lines = [f"traces differ at record {diff.number} (A = {name_a}, B = {name_b})"]
    if diff.context:
        lines.append("context (the same in both):")
        lines += [f"  {line.number}: {line.text}" for line in diff.context]
    for side, line in (("A", diff.a), ("B", diff.b)):
        if line is None:
            lines.append(f"{side}: no record {diff.number} ({side} ends after {diff.number - 1} records)")
        else:
            lines.append(f"{side} {line.number}: {line.text}")
    fields = diff.fields()
    if fields:
        lines.append("fields that differ:")
        for field in fields:
            a = "(absent)" if field.a is None else field.a
            b = "(absent)" if field.b is None else field.b
            lines.append(f"  {field.field}: A {a} | B {b}")
    return lines


def main(args: argparse.Namespace) -> int:
    def fail(message: str) -> int:
        print(f"pyde-ref tracediff: {message}", file=sys.stderr)
        return EXIT_ERROR

    if args.a == STDIN and args.b == STDIN:
        return fail("at most one of the traces can be standard input (-)")
    if args.context < 0:
        return fail(f"--context must be 0 or more, not {args.context}")
    streams = []
    try:
        for path in (args.a, args.b):
            streams.append(open_trace(path))
        comparison = first_difference(read_trace(streams[0], args.a), read_trace(streams[1], args.b), args.context)
    except TraceFormatError as exc:
        return fail(str(exc))
    finally:
        for stream in streams:
            if stream is not sys.stdin.buffer:
                stream.close()
    print("\n".join(report(comparison, args.a, args.b)))
    return EXIT_SAME if comparison.difference is None else EXIT_DIFFERENT
