"""ABI §7.7 post-quantum cryptography: ``falcon_verify``."""

from __future__ import annotations

from pyde_ref.abi import memio
from pyde_ref.abi.constants import ERR_SIGNATURE_INVALID, OK
from pyde_ref.abi.env import HostEnv
from pyde_ref.abi.gas import charge
from pyde_ref.crypto.falcon import PUBLIC_KEY_SIZE, falcon512_verify


def falcon_verify(env: HostEnv, pk_ptr: int, msg_ptr: int, msg_len: int,
                  sig_ptr: int, sig_len: int) -> int:
    """ABI §7.7 ``falcon_verify(pk_ptr, msg_ptr, msg_len, sig_ptr, sig_len)
    -> i32``: 0 for a valid signature, ``ERR_SIGNATURE_INVALID`` for anything
    else (malformed keys and signatures included: the spec lists no other
    code).  50,000 gas flat, charged first; the three buffers must lie in
    memory (ABI §3.4).  ``pk_ptr`` points to a FALCON-512 public key of
    897 bytes (:data:`pyde_ref.crypto.falcon.PUBLIC_KEY_SIZE`; the length is
    implied: the signature has none for the key)."""
    charge(env, "falcon_verify")
    public_key = memio.read(env, pk_ptr, PUBLIC_KEY_SIZE)
    message = memio.read(env, msg_ptr, msg_len)
    signature = memio.read(env, sig_ptr, sig_len)
    return OK if falcon512_verify(public_key, message, signature) else ERR_SIGNATURE_INVALID
