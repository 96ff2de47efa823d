#!/bin/sh
# Build the AssemblyScript example contract (spec/authoring.md, "AssemblyScript"):
#
#   cd examples/assemblyscript && npm ci && ./build.sh
#
# asc (the version pinned in package.json / package-lock.json) compiles
# counter.ts, then `pyde-ref abi embed` writes the pyde.abi section from
# counter.abi.json and runs the deploy checks, giving counter.wasm.
#
# Environment: PYDE_REF (default pyde-ref), OUT (output directory, default
# this one).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PYDE_REF=${PYDE_REF:-pyde-ref}
OUT=${OUT:-$here}

# --runtime stub: the smallest runtime (a bump allocator, never frees);
# --use abort=: no `env.abort` import (deploy refuses every module but
# `pyde`); a failed assertion or bounds check traps with `unreachable`.
ASCFLAGS="-O3 --runtime stub --use abort="

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
npx --no-install asc counter.ts -o "$tmp/counter.wasm" $ASCFLAGS
$PYDE_REF abi embed "$tmp/counter.wasm" counter.abi.json -o "$OUT/counter.wasm"
echo "$OUT/counter.wasm"
npx --no-install asc --version > "$OUT/compiler-version.txt"
