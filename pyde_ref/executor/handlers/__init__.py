"""One handler per transaction type of chapter 11 §11.8, registered by tag.

=====  ===================  ==========================================
tag    type                 module
=====  ===================  ==========================================
0      ``Standard``         :mod:`.standard` (+ :mod:`.system`: the
                            system operations it can address)
1      ``Deploy``           :mod:`.contracts`
2      (vacant)             rejected ``VacantTxType``
3      ``StakeDeposit``     :mod:`.staking`
4      ``StakeWithdraw``    :mod:`.staking`
5      ``Slash``            :mod:`.slash`
6      ``ClaimReward``      :mod:`.staking`
7      ``ClaimAirdrop``     :mod:`.airdrop`
8      ``SweepAirdrop``     :mod:`.airdrop`
9      ``MultisigTx``       :mod:`.multisig`
10     ``RotateMultisig``   :mod:`.multisig`
11     ``EmergencyPause``   :mod:`.multisig`
12     ``EmergencyResume``  :mod:`.multisig`
13     ``RegisterPubkey``   :mod:`.register`
=====  ===================  ==========================================

A new type is a module with its payload, ``decode``, ``plan`` and
``execute`` (:class:`~pyde_ref.executor.context.Handler`) and one line in
:data:`HANDLERS`.
"""

from __future__ import annotations

from pyde_ref.executor.context import Handler
from pyde_ref.executor.handlers import airdrop, contracts, multisig, register, slash, staking, standard
from pyde_ref.executor.transactions import TxType

HANDLERS: dict[int, Handler] = {
    TxType.STANDARD: standard.HANDLER,
    TxType.DEPLOY: contracts.HANDLER,
    TxType.STAKE_DEPOSIT: staking.STAKE_DEPOSIT,
    TxType.STAKE_WITHDRAW: staking.STAKE_WITHDRAW,
    TxType.SLASH: slash.HANDLER,
    TxType.CLAIM_REWARD: staking.CLAIM_REWARD,
    TxType.CLAIM_AIRDROP: airdrop.CLAIM_AIRDROP,
    TxType.SWEEP_AIRDROP: airdrop.SWEEP_AIRDROP,
    TxType.MULTISIG_TX: multisig.MULTISIG_TX,
    TxType.ROTATE_MULTISIG: multisig.ROTATE_MULTISIG,
    TxType.EMERGENCY_PAUSE: multisig.EMERGENCY_PAUSE,
    TxType.EMERGENCY_RESUME: multisig.EMERGENCY_RESUME,
    TxType.REGISTER_PUBKEY: register.HANDLER,
}
