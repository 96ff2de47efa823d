"""Pyde's Host Function ABI (``HOST_FN_ABI_SPEC-v1.0.md``), one module per part:

=========================  ==================================================
module                     ABI spec
=========================  ==================================================
:mod:`.env`                §3, §5, §12.6 the interface host functions see
:mod:`.constants`          §4 error codes, §10 gas table, limits
:mod:`.gas`                §5, §10 charging rules (per byte, per word)
:mod:`.halt`               §7.9 return / revert
:mod:`.storage`            §7.1
:mod:`.account`            §7.2
:mod:`.context`            §7.3, §7.4, §7.11
:mod:`.events`             §7.5
:mod:`.hashing`            §7.6
:mod:`.crypto`             §7.7
:mod:`.calls`              §7.8, §13 (the host side of cross-contract calls)
:mod:`.metering`           §7.10
:mod:`.parachain`          §8 (signatures; refused to contracts, §9.2)
:mod:`.registry`           §3.1, §12.6 every function with its wasm type
:mod:`.section`            §3.5, §3.5.1, §3.7 the ``pyde.abi`` custom section
=========================  ==================================================
"""
