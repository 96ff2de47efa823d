"""Instruction traces: the reading tier's steps as JSON lines, in the spirit of
EIP-3155, so that two engines (pyde-ref and the Rust node) can be compared
step by step.  The format is ``spec/trace-format.md`` (JSON Schema
``spec/trace.schema.json``).

=======================  ==================================================
module                   contents
=======================  ==================================================
:mod:`.records`          the format: its constants, one function per record
                         kind, the serialization
:mod:`.writer`           :class:`TraceWriter`, the observer that streams a
                         trace (``pyde-ref run/wave/chain --trace``)
:mod:`.compare`          reading a trace line by line and finding the first
                         difference of two (``pyde-ref tracediff``)
=======================  ==================================================

Layers: ``wasm < crypto < state < abi < executor < trace < diff < spectest
< commands < cli``: a trace is written from the machine's observer and the
executor's (:class:`pyde_ref.executor.observe.ExecutionObserver`); nothing
below this package imports it.
"""
