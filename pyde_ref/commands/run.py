"""``pyde-ref run MODULE FUNC [ARG ...]``: instantiate a module and call one
exported function, the way a reader checks the machine by hand.

* MODULE is a binary ``.wasm`` file, or a ``.wat`` file converted with
  ``wasm-tools parse`` (a clear error when wasm-tools is absent).  A module
  with imports is unlinkable here: ``run`` provides no host functions.
* Each ARG is read by the type of the parameter it feeds:
  integers in decimal or ``0x`` hex, two's complement (``-1`` and
  ``0xffffffff`` are the same i32; a value outside ``[-2^(N-1), 2^N)`` is an
  error); floats in decimal (``1.5``, ``-0``, ``1e-3``, ``inf``, ``nan``,
  ``nan:0x200000``), rounded once to nearest-even, or exactly as ``bits:0x...``.
* ``--fuel N`` is the budget of the call of FUNC; ``fuel_consumed`` counts
  the call only.  Instantiation (data and element segments, the start
  function) runs first on a budget of its own: ``--start-fuel N``, else the
  same N as ``--fuel``; a start function that runs out of it makes the
  module uninstantiable.  Without either option nothing limits the start
  function or the call, but the call's fuel is still counted.
* The machine is ``MachineConfig()`` (Pyde's 1024-page memory cap), with the
  fuel model of ``--fuel-model``, NaN canonicalization unless
  ``--no-nan-canonicalization``, and the execution tier of ``--tier``: ``fast``
  (default) or ``reading`` (the spec-literal interpreter; same outputs under
  the ``spec`` fuel model, which is the only one it implements).
* ``--trace FILE`` writes an instruction trace of the run to FILE
  (``spec/trace-format.md``): instantiation's start function if any, then an
  ``invoke`` record, every instruction of the call, and a summary.  It runs
  the reading tier (``--tier fast`` or a fuel model the reading tier does not
  implement is a usage error).  ``--trace -`` writes the trace to standard
  output, and then everything ``run`` prints there goes to standard error.

Exit status: 0 the call returned, 1 it trapped, 2 anything else (usage error,
unreadable file, module rejected: malformed, invalid, unlinkable,
uninstantiable).  With ``--json`` exactly one JSON object is printed in every
case, e.g. ``{"status": "ok", "results": [{"type": "i32", "bits":
"0x00000005"}], "fuel_consumed": 12}``.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
from fractions import Fraction
from typing import Optional, Sequence

from pyde_ref.executor.params import MAX_MODULE_SIZE
from pyde_ref.trace.records import typed_values
from pyde_ref.trace.writer import STDOUT, TraceWriteError, TraceWriter
from pyde_ref.wasm import (
    FAST,
    FUEL_MODELS,
    READING,
    SPEC,
    TIERS,
    FuelMeter,
    LinkError,
    MachineConfig,
    Store,
    Trap,
    Uninstantiable,
    WasmError,
    decode_module,
    instantiate,
    invoke,
    validate_module,
)
from pyde_ref.wasm.numerics import FORMATS, FloatFormat, round_to_format
from pyde_ref.wasm.text import load_module_bytes

EXIT_OK = 0
EXIT_TRAP = 1
EXIT_ERROR = 2

INT_WIDTH = {"i32": 32, "i64": 64}
FLOAT_WIDTH = {"f32": 32, "f64": 64}

_INT_LITERAL = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)")
_DECIMAL_LITERAL = re.compile(r"([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_BITS_LITERAL = re.compile(r"bits:0[xX][0-9a-fA-F]+")
_NAN_PAYLOAD = re.compile(r"nan:0[xX][0-9a-fA-F]+")
_INFINITY_WORDS = ("inf", "infinity")
MAX_DECIMAL_EXPONENT = 5000
"""Decimal exponents beyond this are decided without exact arithmetic: every
finite float lies within 10^-400 .. 10^400 (up to the mantissa's digits)."""

# argparse treats an argument starting with "-" as an option unless it looks
# like a negative number; function arguments such as -inf, -nan, -0x10 or
# -1e5 are numbers too.  (Any argument can also follow a "--".)
_NEGATIVE_VALUE = re.compile(r"^-(\.?[0-9]|inf|nan)", re.IGNORECASE)


class ArgumentError(ValueError):
    """A command-line value that cannot be read (message says why)."""


class _JsonUsageErrors(argparse.ArgumentParser):
    """The ``run`` parser: with ``--json``, a usage error too is one JSON object."""

    def parse_known_args(self, args=None, namespace=None):
        self._raw_args = list(args) if args is not None else sys.argv[1:]
        return super().parse_known_args(args, namespace)

    def error(self, message):
        raw = getattr(self, "_raw_args", [])
        options = raw[:raw.index("--")] if "--" in raw else raw
        if "--json" in options:
            print(json.dumps({"status": "error", "error": f"usage: {message}"}))
            sys.exit(EXIT_ERROR)
        super().error(message)


PARSER_CLASS = _JsonUsageErrors


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", metavar="MODULE", help="a .wasm file, or a .wat file (needs wasm-tools)")
    parser.add_argument("func", metavar="FUNC", help="name of the exported function to call")
    parser.add_argument("args", nargs="*", metavar="ARG",
                        help="arguments, read by parameter type: integers in decimal or 0x hex "
                             "(two's complement), floats in decimal, inf, nan, nan:0xPAYLOAD "
                             "or bits:0xBITS")
    parser.add_argument("--fuel", default=None, metavar="N",
                        help="fuel budget of the call (default: unlimited, still counted); also the budget "
                             "of the start function unless --start-fuel is given")
    parser.add_argument("--start-fuel", default=None, metavar="N",
                        help="fuel budget of instantiation: the start function (default: --fuel's budget, "
                             "else unlimited)")
    parser.add_argument("--fuel-model", default=SPEC, metavar="MODEL",
                        help=f"fuel model: {' | '.join(FUEL_MODELS)} (default {SPEC})")
    parser.add_argument("--no-nan-canonicalization", action="store_true",
                        help="keep the NaN payloads the numerics pick instead of canonicalizing")
    add_tier_argument(parser, default=None)
    add_trace_argument(parser)
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.epilog = ("exit status: 0 returned, 1 trapped, 2 usage error or module rejected. "
                     "Arguments starting with '-' that are not numbers go after '--'.")
    accept_negative_arguments(parser)


TIER_CHOICES = TIERS


def add_tier_argument(parser: argparse.ArgumentParser, default: Optional[str] = FAST) -> None:
    """``--tier fast|reading`` (``run``, ``wave``, ``spectest``, ``diff``,
    ``fuzz``).  ``default=None`` leaves the choice to :func:`execution_tier`
    (``run``, ``wave`` and ``chain``, where ``--trace`` implies ``reading``)."""
    parser.add_argument("--tier", choices=TIER_CHOICES, default=default,
                        help="execution tier: fast (default) or reading (the spec-literal interpreter, "
                             "spec fuel model only)")


def add_trace_argument(parser: argparse.ArgumentParser) -> None:
    """``--trace FILE`` (``run``, ``wave``, ``chain``)."""
    parser.add_argument("--trace", metavar="FILE", default=None,
                        help="write an instruction trace (spec/trace-format.md) to FILE, or to standard output "
                             "for - (the command's own output then goes to standard error); runs the reading tier")


def _machine_problem(fuel_model: str, tier: str) -> Optional[str]:
    """Why the machine cannot run ``fuel_model`` on ``tier``, or ``None``."""
    try:
        MachineConfig(fuel_model=fuel_model, tier=tier)
    except ValueError as exc:
        return str(exc)
    return None


def tier_usage_error(fuel_model: str, tier: str) -> Optional[str]:
    """Why the machine cannot run ``fuel_model`` on ``tier`` (the reading tier
    implements the spec model only), or ``None``."""
    problem = _machine_problem(fuel_model, tier)
    return None if problem is None else f"--tier {tier} with --fuel-model {fuel_model}: {problem}"


def execution_tier(args: argparse.Namespace) -> tuple[str, Optional[str]]:
    """The tier ``run``, ``wave`` and ``chain`` run on, and why their options
    do not go together (a usage error), if they do not.  ``--tier`` when
    given, else ``reading`` with ``--trace`` (a trace is the reading tier's
    steps, told to its observer), else ``fast``."""
    if args.trace is None:
        tier = args.tier or FAST
        return tier, tier_usage_error(args.fuel_model, tier)
    if args.tier not in (None, READING):
        return args.tier, f"--trace with --tier {args.tier}: a trace is the steps of the reading tier"
    problem = _machine_problem(args.fuel_model, READING)
    if problem is not None:
        return READING, f"--trace (the reading tier) with --fuel-model {args.fuel_model}: {problem}"
    return READING, None


def accept_negative_arguments(parser: argparse.ArgumentParser) -> None:
    """Let ``parser`` take ``-inf``, ``-nan``, ``-0x10``, ``-1e5`` ... as
    positional arguments (``run`` and ``diff`` read arguments alike)."""
    if hasattr(parser, "_negative_number_matcher"):  # a private argparse hook
        parser._negative_number_matcher = _NEGATIVE_VALUE


# ---------------------------------------------------------------------------
# Reading arguments
# ---------------------------------------------------------------------------


def parse_int(text: str, type_: str) -> int:
    """The bit pattern of an integer argument (two's complement)."""
    width = INT_WIDTH[type_]
    if not _INT_LITERAL.fullmatch(text):
        raise ArgumentError(f"{text!r} is not an integer (decimal or 0x hex) for {type_}")
    try:
        value = int(text, 0) if "x" in text.lower() else int(text, 10)
    except ValueError:  # more digits than Python converts
        raise ArgumentError(f"{text[:40]}... is out of range for {type_}") from None
    if not -(1 << (width - 1)) <= value < (1 << width):
        raise ArgumentError(f"{text} is out of range for {type_} "
                            f"(from {-(1 << (width - 1))} to {(1 << width) - 1})")
    return value & ((1 << width) - 1)


def round_decimal(value: Fraction, fmt: FloatFormat) -> int:
    """The magnitude bits of the ``fmt`` number nearest to ``value >= 0``,
    rounded once (ties to even, subnormals, +inf on overflow).

    The exact quotient is cut to an integer of at least ``precision + 2`` bits
    plus a sticky bit (set when the cut dropped anything), which
    :func:`round_to_format` then rounds exactly as it would the true value: the
    half-ulp bit lies inside the kept integer, and the sticky bit only tells
    "above half" from "exactly half"."""
    n, d = value.numerator, value.denominator
    shift = max(0, fmt.precision + 2 - (n.bit_length() - d.bit_length()))
    quotient, remainder = divmod(n << shift, d)
    return round_to_format(False, (quotient << 1) | (remainder != 0), -shift - 1, fmt)


def parse_float(text: str, type_: str) -> int:
    """The bit pattern of a float argument."""
    fmt = FORMATS[type_]
    if _BITS_LITERAL.fullmatch(text):
        bits = int(text[len("bits:"):], 16)
        if bits >= 1 << fmt.width:
            raise ArgumentError(f"{text} does not fit in {fmt.width} bits for {type_}")
        return bits
    body = text[1:] if text[:1] in "+-" else text
    sign = fmt.sign_mask if text.startswith("-") else 0
    lowered = body.lower()
    if lowered in _INFINITY_WORDS:
        return sign | fmt.infinity
    if lowered == "nan":
        return sign | fmt.infinity | fmt.quiet_bit
    if _NAN_PAYLOAD.fullmatch(lowered):
        payload = int(lowered[len("nan:"):], 16)
        if not 0 < payload <= fmt.fraction_mask:
            raise ArgumentError(f"{text}: a {type_} NaN payload is from 0x1 to {fmt.fraction_mask:#x}")
        return sign | fmt.infinity | payload
    if not _DECIMAL_LITERAL.fullmatch(body):
        raise ArgumentError(f"{text!r} is not a float (decimal, inf, nan, nan:0x..., or bits:0x...) for {type_}")
    mantissa, _, exponent = lowered.partition("e")
    if exponent and abs(int(exponent)) > MAX_DECIMAL_EXPONENT + len(mantissa):
        # Far outside both formats: decide without building a huge fraction.
        if Fraction(mantissa) == 0 or int(exponent) < 0:
            return sign
        raise ArgumentError(f"{text} is out of range for {type_} (rounds to infinity)")
    try:
        magnitude = round_decimal(Fraction(body), fmt)
    except ValueError:
        raise ArgumentError(f"{text[:40]}... has too many digits") from None
    if magnitude == fmt.infinity:
        # The text format's rule for literals: rounding to infinity is an error.
        raise ArgumentError(f"{text} is out of range for {type_} (rounds to infinity)")
    return sign | magnitude


def parse_arg(text: str, type_: str) -> int:
    """An argument read by its parameter type."""
    if type_ in INT_WIDTH:
        return parse_int(text, type_)
    if type_ in FLOAT_WIDTH:
        return parse_float(text, type_)
    raise ArgumentError(f"parameters of type {type_} cannot be given on the command line")


def parse_call_args(func: str, texts: Sequence[str], params: Sequence[str]) -> list[int]:
    """The arguments of a call to ``func``, one per parameter type (``run`` and
    ``diff`` read them alike)."""
    if len(texts) != len(params):
        raise ArgumentError(f"{func!r} takes {len(params)} argument(s), {len(texts)} given "
                            f"(parameter types: {' '.join(params) or 'none'})")
    return [parse_arg(text, type_) for text, type_ in zip(texts, params)]


MAX_FUEL = (1 << 64) - 1
"""The largest budget ``--fuel`` and ``--start-fuel`` take: wasmtime's fuel is a u64."""


def parse_fuel(text: str, option: str = "--fuel") -> int:
    """``--fuel N`` (or ``--start-fuel N``): ASCII decimal digits only
    (``str.isdigit`` would admit digits like ``'²'`` that ``int`` then
    refuses), at most :data:`MAX_FUEL` (checked on the text's length first,
    so no number is too long to read)."""
    if not re.fullmatch(r"[0-9]+", text):
        raise ArgumentError(f"{option} must be a non-negative decimal integer, not {text[:40]!r}")
    digits = text.lstrip("0")
    if len(digits) > len(str(MAX_FUEL)) or int(digits or "0") > MAX_FUEL:
        raise ArgumentError(f"{option} must be at most {MAX_FUEL} (2^64 - 1)")
    return int(text)


# ---------------------------------------------------------------------------
# Showing results
# ---------------------------------------------------------------------------


def bits_hex(type_: str, bits: int) -> str:
    """Zero-padded hex of the type's width: ``0x00000005``."""
    width = INT_WIDTH.get(type_) or FLOAT_WIDTH.get(type_)
    return f"0x{bits:0{width // 4}x}"


def float_text(type_: str, bits: int) -> str:
    """The shortest decimal that reads back to exactly ``bits``."""
    fmt = FORMATS[type_]
    magnitude = bits & fmt.magnitude_mask
    sign = "-" if bits & fmt.sign_mask else ""
    if magnitude == fmt.infinity:
        return sign + "inf"
    if magnitude > fmt.infinity:
        payload = magnitude & fmt.fraction_mask
        if payload == fmt.quiet_bit:
            return sign + "nan"
        return f"{sign}nan:{payload:#x}"
    width = fmt.width
    value = struct.unpack("<f" if width == 32 else "<d", bits.to_bytes(width // 8, "little"))[0]
    if width == 64:
        return repr(value)
    for digits in range(1, 10):
        candidate = f"{value:.{digits}g}"
        if parse_float(candidate, type_) == bits:
            return candidate
    return repr(value)


def readable(type_: str, bits: Optional[int]) -> str:
    """A result as a number: signed decimal for integers, shortest decimal for floats."""
    if type_ in INT_WIDTH and isinstance(bits, int):
        width = INT_WIDTH[type_]
        signed = bits - (1 << width) if bits >> (width - 1) else bits
        return f"{type_} {signed} ({bits_hex(type_, bits)})"
    if type_ in FLOAT_WIDTH and isinstance(bits, int):
        return f"{type_} {float_text(type_, bits)} ({bits_hex(type_, bits)})"
    return f"{type_} {'null' if bits is None else bits}"


def result_json(type_: str, bits) -> dict:
    if type_ in INT_WIDTH or type_ in FLOAT_WIDTH:
        return {"type": type_, "bits": bits_hex(type_, bits)}
    return {"type": type_, "ref": bits}


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


class Outcome(Exception):
    """How a run ended when it did not return: the JSON object and exit code."""

    def __init__(self, payload: dict, exit_code: int):
        super().__init__(payload.get("error") or payload.get("trap"))
        self.payload = payload
        self.exit_code = exit_code


def _rejected(exc) -> Outcome:
    return Outcome({"status": exc.status, "error": str(exc)}, EXIT_ERROR)


def _error(message: str) -> Outcome:
    return Outcome({"status": "error", "error": message}, EXIT_ERROR)


def load_module(path: str):
    """Read, convert if text, decode and validate; raises :class:`Outcome`."""
    try:
        data = load_module_bytes(path, MAX_MODULE_SIZE)
    except OSError as exc:
        raise _error(f"cannot read {path}: {exc.strerror or exc}") from None
    except WasmError as exc:  # wasm-tools absent, or the text does not parse
        raise (_rejected(exc) if exc.status != "error" else _error(str(exc))) from None
    try:
        module = decode_module(data)
        validate_module(module)
    except WasmError as exc:
        raise _rejected(exc) from None
    return module


def prepare(args: argparse.Namespace) -> tuple[object, Optional[int], Optional[int], str]:
    """Check the options and load the module: ``(module, budget,
    start_budget, tier)`` (the start function's budget is ``--start-fuel``,
    else ``--fuel``'s), or raise :class:`Outcome`."""
    try:
        budget = None if args.fuel is None else parse_fuel(args.fuel)
        start_budget = budget if args.start_fuel is None else parse_fuel(args.start_fuel, "--start-fuel")
    except ArgumentError as exc:
        raise _error(str(exc)) from None
    if args.fuel_model not in FUEL_MODELS:
        raise _error(f"--fuel-model must be one of {', '.join(FUEL_MODELS)}, not {args.fuel_model!r}")
    tier, problem = execution_tier(args)
    if problem:
        raise _error(problem)
    module = load_module(args.module)
    if module.imports:
        names = ", ".join(f"{imp.module}.{imp.name} ({imp.kind})" for imp in module.imports)
        raise Outcome({"status": "unlinkable",
                       "error": f"the module imports {names}; pyde-ref run provides no imports"}, EXIT_ERROR)
    return module, budget, start_budget, tier


def execute(args: argparse.Namespace, module, budget: Optional[int], start_budget: Optional[int], tier: str,
            trace: Optional[TraceWriter] = None) -> dict:
    """Run the call (told to ``trace``); the JSON object of a returned call,
    or raise :class:`Outcome`."""
    store = Store(MachineConfig(fuel_model=args.fuel_model, tier=tier, observer=trace,
                                nan_canonicalization=not args.no_nan_canonicalization))
    try:
        instance = instantiate(store, module, [], fuel=FuelMeter(start_budget))
    except (LinkError, Uninstantiable) as exc:
        raise _rejected(exc) from None
    except Trap as exc:  # a start function trap is an instantiation failure (§4.5.4)
        raise Outcome({"status": "uninstantiable", "error": str(exc)}, EXIT_ERROR) from None
    extern = instance.exports.get(args.func)
    if extern is None:
        available = ", ".join(repr(name) for name, ext in instance.exports.items() if ext.kind == "func")
        raise _error(f"the module exports no function named {args.func!r} "
                     f"(exported functions: {available or 'none'})")
    if extern.kind != "func":
        raise _error(f"export {args.func!r} is a {extern.kind}, not a function")
    functype = store.funcs[extern.addr].type
    try:
        values = parse_call_args(args.func, args.args, functype.params)
    except ArgumentError as exc:
        raise _error(str(exc)) from None
    if trace is not None:
        trace.invoke(args.func, functype.params, values, budget)
    meter = FuelMeter(budget)
    try:
        results = invoke(store, extern.addr, values, fuel=meter)
    except Trap as exc:
        raise Outcome({"status": "trap", "trap": exc.kind, "fuel_consumed": meter.consumed,
                       "detail": exc.detail}, EXIT_TRAP) from None
    except WasmError as exc:
        raise _error(str(exc)) from None
    return {"status": "ok", "results": list(zip(functype.results, results)), "fuel_consumed": meter.consumed}


def main(args: argparse.Namespace) -> int:
    trace: Optional[TraceWriter] = None
    try:
        module, budget, start_budget, tier = prepare(args)
        if args.trace is not None:
            trace = TraceWriter.open(args.trace, "run")
        outcome = execute(args, module, budget, start_budget, tier, trace)
        exit_code = EXIT_OK
    except Outcome as exc:
        outcome, exit_code = exc.payload, exc.exit_code
    except TraceWriteError as exc:
        if trace is not None:
            trace.abandon()
        if exc.broken_pipe:
            raise BrokenPipeError(str(exc)) from None
        outcome, exit_code, trace = {"status": "error", "error": str(exc)}, EXIT_ERROR, None
    except RecursionError:
        outcome, exit_code = {"status": "error", "error": "internal error: Python recursion limit reached"}, EXIT_ERROR
    except Exception as exc:  # never a traceback; the message still names the bug
        outcome, exit_code = {"status": "error", "error": f"internal error: {type(exc).__name__}: {exc}"}, EXIT_ERROR
    if trace is not None:
        try:
            trace.finish(outcome.get("fuel_consumed"), trace_outcome(outcome))
        except TraceWriteError as exc:
            trace.abandon()
            if exc.broken_pipe:
                raise BrokenPipeError(str(exc)) from None
            outcome, exit_code = {"status": "error", "error": str(exc)}, EXIT_ERROR
    # With --trace -, standard output carries the trace alone.
    out = sys.stderr if args.trace == STDOUT else sys.stdout
    if args.json:
        payload = dict(outcome)
        if payload["status"] == "ok":
            payload["results"] = [result_json(t, v) for t, v in payload["results"]]
        if payload["status"] == "trap":
            payload.pop("detail", None)
        print(json.dumps(payload), file=out)
    else:
        stream = out if outcome["status"] in ("ok", "trap") else sys.stderr
        print(_human(outcome), file=stream)
    return exit_code


def trace_outcome(outcome: dict) -> dict:
    """The summary record's ``outcome`` of a run (``spec/trace-format.md``)."""
    status = outcome["status"]
    if status == "ok":
        types, values = zip(*outcome["results"]) if outcome["results"] else ((), ())
        return {"status": status, "results": typed_values(types, values)}
    if status == "trap":
        return {"status": status, "trap": outcome["trap"]}
    return {"status": status, "error": outcome["error"]}


def _human(outcome: dict) -> str:
    status = outcome["status"]
    if status == "ok":
        lines = [readable(t, v) for t, v in outcome["results"]] or ["(no results)"]
        lines.append(f"fuel consumed: {outcome['fuel_consumed']}")
        return "\n".join(lines)
    if status == "trap":
        detail = f" ({outcome['detail']})" if outcome.get("detail") else ""
        return f"trap: {outcome['trap']}{detail}\nfuel consumed: {outcome['fuel_consumed']}"
    if status == "error":
        return f"error: {outcome['error']}"
    return f"{status}: {outcome['error']}"
