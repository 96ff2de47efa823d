"""ABI §7.6 hashing and §7.7 falcon_verify host functions."""

import json

import blake3
import pytest
from Crypto.Hash import keccak

from paths import VECTORS
from pyde_ref.abi import crypto, hashing
from pyde_ref.abi.constants import ERR_SIGNATURE_INVALID, OK
from pyde_ref.abi.testing import PAGE, make_env
from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.wasm.errors import Trap


def keccak256(data):
    return keccak.new(digest_bits=256, data=data).digest()


@pytest.mark.parametrize("fn,ref", [
    (hashing.hash_blake3, lambda d: blake3.blake3(d).digest()),
    (hashing.hash_keccak256, keccak256),
])
@pytest.mark.parametrize("data", [b"", b"a", b"abc" * 50])
def test_digest_matches_the_reference_library(fn, ref, data):
    env = make_env()
    env.memory.write(1000, data)
    assert fn(env, 1000, len(data), 10) == OK
    assert env.memory.read(10, 32) == ref(data)


def test_poseidon2_matches_the_crypto_primitive():
    env = make_env()
    env.memory.write(0, b"pyde" * 5)
    assert hashing.hash_poseidon2(env, 0, 20, 100) == OK
    assert env.memory.read(100, 32) == poseidon2_hash(b"pyde" * 5)
    assert env.memory.read(100, 32) != bytes(32)


def test_keccak_of_empty_is_the_known_constant():
    env = make_env()
    hashing.hash_keccak256(env, 0, 0, 0)
    assert env.memory.read(0, 32).hex().startswith("c5d24601")


@pytest.mark.parametrize("fn,base,per_word", [
    (hashing.hash_blake3, 15, 3),
    (hashing.hash_poseidon2, 100, 30),
    (hashing.hash_keccak256, 30, 6),
])
@pytest.mark.parametrize("n,words", [(0, 0), (1, 1), (8, 1), (9, 2), (16, 2), (17, 3)])
def test_gas_per_word_rounds_up(fn, base, per_word, n, words):
    env = make_env()
    fn(env, 0, n, 100)
    assert env.gas.consumed == base + per_word * words
    env = make_env(gas=base + per_word * words - 1)
    env.memory.write(100, b"\xee" * 32)
    with pytest.raises(Trap) as e:
        fn(env, 0, n, 100)
    assert e.value.kind == "out_of_fuel"
    assert env.memory.read(100, 32) == b"\xee" * 32


@pytest.mark.parametrize("fn", [hashing.hash_blake3, hashing.hash_poseidon2, hashing.hash_keccak256])
def test_out_of_range_input_or_output_traps(fn):
    with pytest.raises(Trap) as e:
        fn(make_env(), PAGE - 4, 5, 0)
    assert e.value.kind == "memory_out_of_bounds"
    with pytest.raises(Trap) as e:
        fn(make_env(), 0, 4, PAGE - 31)
    assert e.value.kind == "memory_out_of_bounds"


def falcon_cases():
    """The checked-in FALCON-512 vectors (vectors/falcon512.json) whose
    key is 897 bytes: the host function reads exactly that many."""
    data = json.loads((VECTORS / "falcon512.json").read_text())
    out = []
    for case in data["cases"]:
        pk, msg, sig = (bytes.fromhex(case[k][2:]) for k in ("public_key", "message", "signature"))
        if len(pk) == 897:
            out.append(pytest.param(pk, msg, sig, case["valid"], id=case["name"]))
    return out


def put_falcon(env, pk, msg, sig):
    env.memory.write(0, pk)
    env.memory.write(1000, msg)
    env.memory.write(3000, sig)
    return (0, 1000, len(msg), 3000, len(sig))


@pytest.mark.parametrize("pk,msg,sig,valid", falcon_cases())
def test_falcon_verify_on_the_checked_in_vectors(pk, msg, sig, valid):
    env = make_env(pages=2)
    expected = OK if valid else ERR_SIGNATURE_INVALID
    assert crypto.falcon_verify(env, *put_falcon(env, pk, msg, sig)) == expected
    assert env.gas.consumed == 50_000


def test_falcon_vectors_cover_both_outcomes():
    outcomes = {p.values[3] for p in falcon_cases()}
    assert outcomes == {True, False}


def test_falcon_verify_gas_before_work_and_bounds():
    pk, msg, sig, _ = falcon_cases()[0].values
    env = make_env(gas=49_999, pages=2)
    with pytest.raises(Trap) as e:
        crypto.falcon_verify(env, *put_falcon(env, pk, msg, sig))
    assert e.value.kind == "out_of_fuel"
    env = make_env()
    with pytest.raises(Trap) as e:
        crypto.falcon_verify(env, PAGE - 896, 0, 0, 0, 1)  # 897-byte key does not fit
    assert e.value.kind == "memory_out_of_bounds"
