#!/bin/sh
# A deliberately broken engine: pyde-ref with 1 added to every receipt's
# gas_used, to see what a conformance failure looks like (spec/conformance.md):
#   pyde-ref consume vectors/conformance --engine exec:examples/conformance/broken-gas-adapter.sh
pyde-ref "${PYDE_DOCUMENT_KIND:?set by pyde-ref consume}" - --json | python3 -c '
import json, sys
out = json.load(sys.stdin)
for wave in out.get("waves", [out]):
    for receipt in wave["receipts"]:
        receipt["gas_used"] += 1
json.dump(out, sys.stdout)
'
