#!/bin/sh
# Rebuild benchmarks/hash.wasm from benchmarks/hash.c (needs clang and wasm-ld:
# apt-get install -y clang lld).  Only pyde-v1 features are enabled (seed §3.2).
set -eu
cd "$(dirname "$0")"
clang --target=wasm32 -nostdlib -O2 \
    -mcpu=mvp -mmutable-globals -msign-ext -mnontrapping-fptoint -mbulk-memory \
    -Wl,--no-entry -Wl,--export=fill -Wl,--export=fnv1a -Wl,--export=mix64 \
    -Wl,--strip-all \
    -o hash.wasm hash.c
wasm-tools validate --features mvp,mutable-global,sign-extension,saturating-float-to-int,multi-value,bulk-memory hash.wasm
echo "built $(pwd)/hash.wasm ($(wc -c < hash.wasm) bytes)"
