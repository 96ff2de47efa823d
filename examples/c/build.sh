#!/bin/sh
# Build the C example contracts (spec/authoring.md, "C with clang"):
#
#   examples/c/build.sh [NAME ...]        default: token wallet compute deep-chain
#
# For each NAME: clang compiles and wasm-ld links NAME.c into a module, then
# `pyde-ref abi embed` writes the pyde.abi section from NAME.abi.json and runs
# the deploy checks, giving NAME.wasm.  The checked-in modules were built with
# the compiler named in compiler-version.txt; any clang from 14 on builds
# working modules (different bytes).
#
# Environment: CLANG (default clang-19), PYDE_REF (default pyde-ref),
# OUT (output directory, default this one).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CLANG=${CLANG:-clang-19}
PYDE_REF=${PYDE_REF:-pyde-ref}
OUT=${OUT:-$here}

# wasm32, only MVP features (-mcpu=mvp: clang >= 19 otherwise turns on
# reference types, whose call_indirect encoding pyde-v1 refuses), no C library
# (pyde.h supplies memcpy/memset), no start function, no symbol names or
# producer sections in the output.
CFLAGS="--target=wasm32 -mcpu=mvp -O2 -nostdlib -Wall -Wextra"
LDFLAGS="-Wl,--no-entry -Wl,--strip-all"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
for name in ${*:-token wallet compute deep-chain}; do
    $CLANG $CFLAGS $LDFLAGS -o "$tmp/$name.wasm" "$name.c"
    $PYDE_REF abi embed "$tmp/$name.wasm" "$name.abi.json" -o "$OUT/$name.wasm"
    echo "$OUT/$name.wasm"
done
$CLANG --version | head -n 1 > "$OUT/compiler-version.txt"
