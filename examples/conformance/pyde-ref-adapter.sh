#!/bin/sh
# A conformance adapter (spec/conformance.md): pyde-ref as an external engine.
# pyde-ref consume runs it once per fixture: the input document on standard
# input, PYDE_DOCUMENT_KIND (wave or chain) in the environment; the output
# document on standard output, exit status 0.
#   pyde-ref consume vectors/conformance --engine exec:examples/conformance/pyde-ref-adapter.sh
exec pyde-ref "${PYDE_DOCUMENT_KIND:?set by pyde-ref consume}" - --json
