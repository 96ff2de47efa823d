"""The child side of a :class:`~pyde_ref.diff.twin.SubprocessTwin`.

``python -m pyde_ref.diff.twin_server`` runs in a twin's managed environment
(:mod:`.twin_env`: its own wasmtime-py, pyde-ref's source on ``PYTHONPATH``)
and answers requests with the :class:`~pyde_ref.diff.twin.InProcessTwin` of
that environment.

The protocol: one JSON object per line on standard input, one reply per line
on standard output, in order.  Every request carries ``"id"`` and ``"op"``;
the reply carries the same ``"id"`` and either ``"result"`` or ``"error":
{"type": <exception class>, "message": <text>}``.  Bytes travel as base64.

=========  ==========================================  ==================================
op         request fields                              result
=========  ==========================================  ==================================
hello      (none)                                      ``{"protocol", "wasmtime",
                                                       "absent_engine_flags"}``
call       ``wasm``, ``func``, ``args`` (bit           a :class:`CallOutcome` as JSON
           patterns), ``fuel``, ``host``
           (``null``/``"pyde"``/``"probe"``),
           ``instantiate_fuel``
exports    ``wasm``                                    ``[[name, [param types]], ...]``
                                                       or ``null`` (rejected)
compile    ``wasm``, ``seed_only`` (the engine of the     ``null`` (accepted) or the error
           seed's flags alone)
wave       ``document`` (a wave document),             the ``pyde-ref wave --json``
           ``base_dir`` (for relative code paths)      output document
=========  ==========================================  ==================================

End of input ends the child.  Anything but a reply that reaches the
process's standard output (a stray print) is redirected to standard error,
so the channel stays clean.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any

from pyde_ref.diff.twin import PROTOCOL, InProcessTwin


def handle(twin: InProcessTwin, request: dict) -> Any:
    op = request.get("op")
    if op == "hello":
        return dict(twin.describe(), protocol=PROTOCOL)
    if op == "call":
        out = twin.call(_bytes(request["wasm"]), request["func"], request["args"], request["fuel"],
                        host=request.get("host"), instantiate_fuel=request["instantiate_fuel"])
        return out.to_json()
    if op == "exports":
        return twin.function_exports(_bytes(request["wasm"]))
    if op == "compile":
        return twin.compile_error(_bytes(request["wasm"]), seed_only=bool(request.get("seed_only")))
    if op == "wave":
        return twin.run_wave(request["document"], request.get("base_dir"))
    raise ValueError(f"unknown op {op!r}")


def _bytes(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def serve(lines, reply) -> None:
    twin = InProcessTwin()
    for line in lines:
        if not line.strip():
            continue
        request: dict = {}
        try:
            request = json.loads(line)
            answer = {"id": request.get("id"), "result": handle(twin, request)}
        except Exception as exc:  # reported to the parent, which decides
            answer = {"id": request.get("id"), "error": {"type": type(exc).__name__, "message": str(exc)[:4000]}}
        reply(json.dumps(answer) + "\n")


def main() -> None:
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    def reply(text: str) -> None:
        channel.write(text)
        channel.flush()

    serve(sys.stdin, reply)


if __name__ == "__main__":
    main()
