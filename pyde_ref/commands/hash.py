"""``pyde-ref hash {blake3|keccak256|poseidon2} 0xHEX``: print the 32-byte
digest of the given bytes as 0x-hex, one line, so a digest can be checked
against another implementation at a glance.

Input errors (unknown algorithm, missing ``0x``, odd length, non-hex digit)
print one line to stderr and exit with status 2.
"""

from __future__ import annotations

import sys

from pyde_ref.crypto import HASH_FUNCTIONS

USAGE_ERROR = 2
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class HexInputError(ValueError):
    pass


def add_arguments(parser) -> None:
    parser.add_argument(
        "algorithm",
        help="blake3, keccak256 or poseidon2",
    )
    parser.add_argument(
        "data",
        help="input bytes as 0x-prefixed hex ('0x' is the empty input)",
    )


def parse_hex(text: str) -> bytes:
    """``0x`` followed by an even number of hex digits (either case)."""
    if not text.startswith(("0x", "0X")):
        raise HexInputError(f"input must start with 0x, got {text[:10]!r}")
    digits = text[2:]
    bad = next((c for c in digits if c not in HEX_DIGITS), None)
    if bad is not None:
        # Checked by hand: bytes.fromhex would silently skip whitespace.
        raise HexInputError(f"input contains a non-hex character {bad!r}")
    if len(digits) % 2:
        raise HexInputError(f"input has an odd number of hex digits ({len(digits)})")
    return bytes.fromhex(digits)


def main(args) -> int:
    if args.algorithm not in HASH_FUNCTIONS:
        known = ", ".join(sorted(HASH_FUNCTIONS))
        print(f"pyde-ref hash: unknown algorithm {args.algorithm!r} (choose from {known})", file=sys.stderr)
        return USAGE_ERROR
    try:
        data = parse_hex(args.data)
    except HexInputError as exc:
        print(f"pyde-ref hash: {exc}", file=sys.stderr)
        return USAGE_ERROR
    print("0x" + HASH_FUNCTIONS[args.algorithm](data).hex())
    return 0
