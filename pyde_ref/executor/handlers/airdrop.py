"""``ClaimAirdrop`` and ``SweepAirdrop`` (tags 7, 8; chapter 11 §11.8,
chapter 4 §4.4 ``AIRDROP_ROOT``, ``AIRDROP_DEADLINE``, ``AIRDROP_CLAIMED``,
``AIRDROP_EXPECTED_SUM``).

The genesis airdrop is a Merkle tree of ``(index, account, amount)`` leaves;
the airdrop pool (a system account) holds the quanta.

* ``ClaimAirdrop``: ``data`` = Borsh ``(index u32, account [u8; 32], amount
  u128, proof Vec<[u8; 32]>)``.  Before the deadline wave, the leaf not yet
  claimed, the proof reaching ``AIRDROP_ROOT``: ``amount`` moves from the
  pool to ``account``.  Anyone may submit a claim (the quanta can only go to
  the leaf's account; an unregistered account could not sign for itself).
  Gas 21,000 + 5,000 (chapter 10 §10.8 Merkle path verification).
* ``SweepAirdrop``: empty ``data``.  From the deadline wave on, whatever the
  pool still holds moves to the treasury.  Gas 21,000.

Tree (``spec/findings/airdrop-tree.md``): ``leaf = Poseidon2(index u32 LE ||
account || amount u128 LE)``, ``node = Poseidon2(left || right)`` (chapter
4 §4.2 ``poseidon2_pair``: order-sensitive); bit ``i`` of the index says
whether the level-``i`` node is a right child.  A proof of depth ``d`` covers
indices below ``2^d``.
"""

from __future__ import annotations

import attrs

from pyde_ref.crypto.poseidon2 import poseidon2_hash
from pyde_ref.executor import rejections as rj
from pyde_ref.executor.context import Handler, Outcome, Plan, TxContext, sender_pays
from pyde_ref.executor.fees import credit_balance, credit_fund, debit_fund
from pyde_ref.executor.handlers.common import require_no_value, require_plain_recipient, require_zero_to
from pyde_ref.executor.params import MAX_AIRDROP_PROOF_DEPTH, MERKLE_PROOF_GAS, NATIVE_BASE_GAS
from pyde_ref.executor.rejections import Rejection
from pyde_ref.executor.transactions import Status, Transaction, decode_payload
from pyde_ref.state.borsh import BorshError, Reader, Writer
from pyde_ref.state.records import MARKER, AirdropConfig, Disc, be64, protocol_key
from pyde_ref.state.system import AIRDROP_POOL, TREASURY

CLAIM_GAS = NATIVE_BASE_GAS + MERKLE_PROOF_GAS
SWEEP_GAS = NATIVE_BASE_GAS
AIRDROP_KEY = protocol_key(Disc.AIRDROP)


@attrs.frozen
class Claim:
    index: int
    account: bytes
    amount: int
    proof: tuple[bytes, ...]

    def encode(self) -> bytes:
        w = Writer().u32(self.index).fixed(self.account, 32).u128(self.amount).u32(len(self.proof))
        for node in self.proof:
            w.fixed(node, 32)
        return w.out()


def read_claim(reader: Reader) -> Claim:
    index, account, amount = reader.u32("index"), reader.take(32, "account"), reader.u128("amount")
    depth = reader.u32("proof length")
    if depth > MAX_AIRDROP_PROOF_DEPTH:
        raise BorshError(f"proof of {depth} levels (at most {MAX_AIRDROP_PROOF_DEPTH})", reader.pos)
    return Claim(index, account, amount, tuple(reader.take(32, "proof node") for _ in range(depth)))


def leaf_hash(index: int, account: bytes, amount: int) -> bytes:
    return poseidon2_hash(Writer().u32(index).fixed(account, 32).u128(amount).out())


def node_hash(left: bytes, right: bytes) -> bytes:
    return poseidon2_hash(left + right)


def merkle_root_of(index: int, leaf: bytes, proof: tuple[bytes, ...]) -> bytes:
    node = leaf
    for level, sibling in enumerate(proof):
        node = node_hash(sibling, node) if index >> level & 1 else node_hash(node, sibling)
    return node


def airdrop_tree(leaves: list[tuple[int, bytes, int]]) -> tuple[bytes, list[tuple[bytes, ...]]]:
    """The root and each leaf's proof for leaves ``(index, account, amount)``
    given in index order 0, 1, 2, ... (padded with zero leaves to a power of
    two).  For documents and tests: the chain only verifies."""
    level = [leaf_hash(*leaf) for leaf in leaves] or [bytes(32)]
    width = 1
    while width < len(level):
        width *= 2
    level += [bytes(32)] * (width - len(level))
    proofs: list[list[bytes]] = [[] for _ in leaves]
    positions = list(range(len(leaves)))
    while len(level) > 1:
        for i, pos in enumerate(positions):
            proofs[i].append(level[pos ^ 1])
            positions[i] = pos // 2
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0], [tuple(p) for p in proofs]


def config(ctx: TxContext) -> AirdropConfig:
    found = ctx.layer.protocol(AIRDROP_KEY)
    if found is None:
        raise Rejection(rj.NO_AIRDROP)
    return found


def claimed_key(index: int) -> bytes:
    return protocol_key(Disc.AIRDROP_CLAIMED, be64(index))


def decode_claim(tx: Transaction) -> Claim:
    return decode_payload(tx.data, read_claim)


def plan_claim(ctx: TxContext, c: Claim) -> Plan:
    require_zero_to(ctx)
    require_no_value(ctx)
    plan_ = sender_pays(ctx, CLAIM_GAS)
    cfg = config(ctx)
    if ctx.wave_id >= cfg.deadline:
        raise Rejection(rj.AIRDROP_EXPIRED, f"claims ended at wave {cfg.deadline}")
    if ctx.layer.protocol(claimed_key(c.index)) is not None:
        raise Rejection(rj.AIRDROP_ALREADY_CLAIMED, f"leaf {c.index}")
    if c.index >> len(c.proof) or merkle_root_of(c.index, leaf_hash(c.index, c.account, c.amount), c.proof) != cfg.root:
        raise Rejection(rj.AIRDROP_BAD_PROOF)
    require_plain_recipient(c.account, "account")
    pool = ctx.layer.balance(AIRDROP_POOL)
    if pool < c.amount:
        raise Rejection(rj.AIRDROP_POOL_SHORT, f"the pool holds {pool} < {c.amount}")
    return plan_


def execute_claim(ctx: TxContext, c: Claim, plan_: Plan) -> Outcome:
    debit_fund(ctx.layer, AIRDROP_POOL, c.amount)
    credit_balance(ctx.layer, c.account, c.amount)
    ctx.layer.put_protocol(claimed_key(c.index), MARKER)
    return Outcome(Status.SUCCESS, CLAIM_GAS)


def decode_sweep(tx: Transaction) -> None:
    return decode_payload(tx.data, lambda reader: None)


def plan_sweep(ctx: TxContext, _payload) -> Plan:
    require_zero_to(ctx)
    require_no_value(ctx)
    plan_ = sender_pays(ctx, SWEEP_GAS)
    cfg = config(ctx)
    if ctx.wave_id < cfg.deadline:
        raise Rejection(rj.AIRDROP_NOT_OVER, f"sweeping starts at wave {cfg.deadline}")
    if ctx.layer.balance(AIRDROP_POOL) == 0:
        raise Rejection(rj.NOTHING_TO_SWEEP)
    return plan_


def execute_sweep(ctx: TxContext, _payload, plan_: Plan) -> Outcome:
    residue = ctx.layer.balance(AIRDROP_POOL)
    debit_fund(ctx.layer, AIRDROP_POOL, residue)
    credit_fund(ctx.layer, TREASURY, residue)
    return Outcome(Status.SUCCESS, SWEEP_GAS)


CLAIM_AIRDROP = Handler("ClaimAirdrop", decode_claim, plan_claim, execute_claim)
SWEEP_AIRDROP = Handler("SweepAirdrop", decode_sweep, plan_sweep, execute_sweep)
