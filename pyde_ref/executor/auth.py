"""Authorization: FALCON-512 signatures over the transaction hash, checked
against the sender's ``auth_keys`` (chapter 11 §11.5, §11.6; chapter 8
§8.2), and the t-of-n approvals of the multisig transactions (chapter 15
§15.4).

A signature is :class:`~.transactions.Signature` ``(index, bytes)``: the
index names the ``auth_keys`` key (0 for ``Single``).  Every listed
signature must verify: a signature that does not is a rejection, not an
uncounted vote (``spec/findings/tx-signatures.md``).
"""

from __future__ import annotations

from typing import Sequence

from pyde_ref.crypto.falcon import falcon512_verify
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Signature
from pyde_ref.state.accounts import AuthKeys, AuthScheme


def check_signatures(signatures: Sequence[Signature], keys: Sequence[bytes], threshold: int,
                     message: bytes, *, verify: bool, codes: tuple[str, str, str, str]) -> None:
    """``signatures`` are at least ``threshold`` distinct indices into
    ``keys``, each a valid FALCON-512 signature of ``message`` under its key
    (the verification is skipped when ``verify`` is false: an unsigned
    document).  ``codes`` are the rejection codes for a bad index, a
    duplicate, too few and a bad signature, in that order."""
    bad_index, duplicate, too_few, bad_signature = codes
    seen: set[int] = set()
    for sig in signatures:
        if not 0 <= sig.index < len(keys):
            raise Rejection(bad_index, f"signer index {sig.index} (there are {len(keys)} keys)")
        if sig.index in seen:
            raise Rejection(duplicate, f"signer index {sig.index} twice")
        seen.add(sig.index)
    if len(seen) < threshold:
        raise Rejection(too_few, f"{len(seen)} signature(s), threshold {threshold}")
    if verify:
        for sig in signatures:
            if not falcon512_verify(keys[sig.index], message, sig.signature):
                raise Rejection(bad_signature, f"signature of key {sig.index} does not verify")


TX_SIGNATURE_CODES = (rj.BAD_SIGNER_INDEX, rj.DUPLICATE_SIGNER, rj.THRESHOLD_NOT_MET, rj.BAD_SIGNATURE)


def authorize(auth_keys: AuthKeys, signatures: Sequence[Signature], tx_hash: bytes, *, verify: bool) -> None:
    """Chapter 11 §11.5: ``Single`` needs one signature by key 0,
    ``MultiSig`` ``threshold`` signatures by distinct keys; ``None`` cannot
    sign (``NoAuthKeys``), ``Programmable`` is reserved for v2.  In an
    unsigned document (``verify`` false) nothing is checked."""
    if not verify:
        return
    if auth_keys.scheme == AuthScheme.NONE:
        raise Rejection(rj.NO_AUTH_KEYS)
    if auth_keys.scheme == AuthScheme.PROGRAMMABLE:
        raise Rejection(rj.AUTH_SCHEME_RESERVED)
    if not signatures:
        raise Rejection(rj.MISSING_SIGNATURE)
    threshold = 1 if auth_keys.scheme == AuthScheme.SINGLE else auth_keys.threshold
    if auth_keys.scheme == AuthScheme.SINGLE and len(signatures) != 1:
        raise Rejection(rj.DUPLICATE_SIGNER, f"a Single key signs once, got {len(signatures)} signatures")
    check_signatures(signatures, auth_keys.keys, threshold, tx_hash, verify=True, codes=TX_SIGNATURE_CODES)
